"""The sandbox engine as this process's settings describe it, and its warm pool."""

from __future__ import annotations

from grader.config import Settings
from worker.sandbox import Sandbox, SlotPool, connect, image_tag


def configured_sandbox(settings: Settings) -> Sandbox:
    """The sandbox the settings describe: daemon, image, default limits, OCI runtime."""
    return Sandbox(
        connect(settings.docker_url),
        settings.sandbox_image or image_tag(),
        settings.sandbox_limits,
        settings.sandbox_oci_runtime,
    )


def with_pool(sandbox: Sandbox, size: int) -> SlotPool:
    """Give `sandbox` a warm pool of `size` slots; close the pool to remove them."""
    pool = SlotPool(sandbox.factory, size)
    sandbox.use_slots(pool)
    return pool


_pooled: tuple[Sandbox, SlotPool] | None = None


def process_sandbox(settings: Settings) -> tuple[Sandbox, SlotPool | None]:
    """The sandbox for a job in this process. With `warm_slots`, one per process with its warm
    pool (the rq worker runs jobs in-process then); otherwise a fresh one, as the job's process
    is a fork that ends with the job."""
    global _pooled
    if settings.warm_slots == 0:
        return configured_sandbox(settings), None
    if _pooled is None:
        sandbox = configured_sandbox(settings)
        _pooled = (sandbox, with_pool(sandbox, settings.warm_slots))
    return _pooled


def pooled_sandbox() -> tuple[Sandbox, SlotPool] | None:
    """This process's pooled sandbox, if it made one."""
    return _pooled


def close_process_sandbox() -> None:
    """Remove this process's warm slots (at worker shutdown)."""
    global _pooled
    if _pooled is not None:
        _pooled[1].close()
        _pooled = None
