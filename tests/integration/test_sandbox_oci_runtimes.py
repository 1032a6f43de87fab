"""Sandboxes behave the same on runc and on crun (which `auto` picks when the daemon has it).

scripts/setup-docker.sh registers crun, so on the test machine both runtimes are offered: a
daemon without crun fails the crun cases instead of skipping them.
"""

from __future__ import annotations

import docker
import pytest

from worker.result import Verdict
from worker.sandbox import Sandbox
from worker.sandbox.runtime import NORMAL_CPU_SHARES, choose_oci_runtime

from .conftest import catalog, submission

pytestmark = pytest.mark.docker

RUNTIMES = ["runc", "crun"]


@pytest.fixture(params=RUNTIMES)
def on_runtime(request: pytest.FixtureRequest, sandbox: Sandbox) -> Sandbox:
    offered = set(sandbox.client.info()["Runtimes"])
    assert request.param in offered, (
        f"the daemon has no {request.param!r} runtime (it has {sorted(offered)}): "
        "start it with scripts/setup-docker.sh"
    )
    return Sandbox(sandbox.client, sandbox.image, sandbox.defaults, request.param)


def test_auto_picks_crun_when_the_daemon_has_it(docker_client: docker.DockerClient) -> None:
    assert choose_oci_runtime(docker_client, "auto") == "crun"
    assert choose_oci_runtime(docker_client, "default") is None


def test_a_pooled_slot_gets_the_challenges_memory_and_full_cpu_weight(on_runtime: Sandbox) -> None:
    """The update of a warm slot's resources (memory always sent: crun fails without it)."""
    challenge = catalog("hello-world")
    limits = challenge.limits(on_runtime.defaults).with_overrides(None, 192)
    slot = on_runtime.factory(background=True)
    try:
        assert slot.wait_warm(60)
        result = slot.run(challenge.tests, challenge.solution, dict(challenge.meta.env), limits)
        assert slot.app is not None and slot.suite is not None
        app, suite = (c.client.api.inspect_container(c.id) for c in (slot.app, slot.suite))
    finally:
        slot.destroy()
    assert result.verdict is Verdict.PASSED and result.score == 100, result
    assert suite["HostConfig"]["Runtime"] == (on_runtime.factory.oci_runtime or "runc")
    assert app["HostConfig"]["Runtime"] == "runc"  # crun loses /data's noexec (runtime.py)
    for attrs in (app, suite):
        assert attrs["HostConfig"]["CpuShares"] == NORMAL_CPU_SHARES
        assert attrs["HostConfig"]["PidsLimit"] == on_runtime.defaults.pids  # kept by the update
    assert app["HostConfig"]["Memory"] == app["HostConfig"]["MemorySwap"] == 192 * 1024 * 1024
    assert suite["HostConfig"]["Memory"] == on_runtime.defaults.suite_memory_mb * 1024 * 1024


def test_a_memory_hog_is_a_memory_limit(on_runtime: Sandbox) -> None:
    """The daemon must see the OOM kill (on hybrid cgroups it needs every v1 controller)."""
    result = on_runtime.grade(catalog("hello-world"), submission("memory_hog"))
    assert result.verdict is Verdict.MEMORY_LIMIT, result
    assert result.score == 0
