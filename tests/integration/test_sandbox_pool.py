"""The warm pool: ready slots, one submission each, refill, clean shutdown."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import docker
import pytest

from tests.integration.conftest import catalog
from worker.result import Verdict
from worker.sandbox import Sandbox, SlotPool
from worker.sandbox.runtime import BACKGROUND_CPU_SHARES

pytestmark = pytest.mark.docker


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the pool did not reach the expected state"
        time.sleep(0.1)


def pooled(sandbox: Sandbox, size: int) -> tuple[Sandbox, SlotPool]:
    """A sandbox of its own, grading with a warm pool of `size` slots."""
    own = Sandbox(sandbox.client, sandbox.image, sandbox.defaults)
    pool = SlotPool(own.factory, size)
    own.use_slots(pool)
    return own, pool


@pytest.fixture
def pool(sandbox: Sandbox) -> Iterator[tuple[Sandbox, SlotPool]]:
    own, pool = pooled(sandbox, 2)
    yield own, pool
    pool.close()


def test_pool_fills_and_each_slot_serves_exactly_one_submission(
    pool: tuple[Sandbox, SlotPool],
) -> None:
    own, pool = pool
    wait_until(lambda: pool.ready == 2)
    challenge = catalog("hello-world")
    slot = pool.acquire()
    assert slot.app is not None and slot.suite is not None
    ids = {slot.app.id, slot.suite.id}
    # Warmed up on idle CPU only, so that refilling never slows a grading down.
    assert slot.suite.attrs["HostConfig"]["CpuShares"] == BACKGROUND_CPU_SHARES
    result = own.grade(challenge, challenge.solution, slot=slot)
    assert result.verdict is Verdict.PASSED and result.score == 100
    assert slot not in list(pool._ready), "a used slot must never return to the pool"
    # Destroyed in the background, off the result's critical path.
    wait_until(lambda: not ids & live_containers(own.client), timeout=10)
    wait_until(lambda: pool.ready == 2)


def test_close_waits_for_used_slots_to_be_destroyed(sandbox: Sandbox) -> None:
    own, pool = pooled(sandbox, 0)
    challenge = catalog("hello-world")
    slot = pool.acquire()
    assert slot.app is not None and slot.suite is not None
    ids = {slot.app.id, slot.suite.id}
    result = own.grade(challenge, challenge.solution, slot=slot)
    assert result.verdict is Verdict.PASSED
    pool.close()
    assert not ids & live_containers(own.client)
    assert slot.volume is None


def live_containers(client: docker.DockerClient) -> set[str]:
    return {str(c.id) for c in client.containers.list(all=True, sparse=True)}


def test_dead_pooled_slot_is_replaced_by_a_fresh_one(pool: tuple[Sandbox, SlotPool]) -> None:
    own, pool = pool
    wait_until(lambda: pool.ready == 2)
    pool.size = 0  # no refill: the next acquire must see the killed slot first
    for slot in list(pool._ready):
        slot.app.kill()  # type: ignore[union-attr]
    wait_until(lambda: all(not s.alive for s in list(pool._ready)), timeout=10)
    challenge = catalog("hello-world")
    result = own.grade(challenge, challenge.solution)
    assert result.verdict is Verdict.PASSED
