"""The engine: grade a submission against a challenge's hidden suite in a fresh slot.

`Sandbox.grade` never raises for anything the candidate's code does: every outcome is a result
document. Failures of the grader itself (Docker, the harness) become `internal_error` results,
which the service retries.
"""

from __future__ import annotations

import time
from typing import Protocol

import docker
import docker.errors

from worker.challenge import ChallengeSpec, Files
from worker.limits import Limits
from worker.result import GradeResult, Verdict
from worker.sandbox import runtime
from worker.sandbox.errors import SandboxError
from worker.sandbox.slot import Slot, SlotLost


class SlotSource(Protocol):
    """Where gradings get their slots and give them back (a warm pool, or none)."""

    def acquire(self) -> Slot: ...

    def release(self, slot: Slot) -> None: ...


class SlotFactory:
    """Starts slots of one image, limits and OCI runtime."""

    def __init__(
        self, client: docker.DockerClient, image: str, limits: Limits, oci_runtime: str | None
    ) -> None:
        self.client = client
        self.image = image
        self.limits = limits
        self.oci_runtime = oci_runtime

    def __call__(self, background: bool = False) -> Slot:
        return Slot(self.client, self.image, self.limits, background, self.oci_runtime)


class FreshSlots:
    """No pool: a cold slot per grading, destroyed right after it."""

    def __init__(self, factory: SlotFactory) -> None:
        self.factory = factory

    def acquire(self) -> Slot:
        return self.factory()

    def release(self, slot: Slot) -> None:
        slot.destroy()


class Sandbox:
    """Grades submissions in fresh slots of a built sandbox image."""

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        defaults: Limits | None = None,
        oci_runtime: str = "auto",
    ) -> None:
        """`oci_runtime`: see `runtime.choose_oci_runtime` (auto: crun when the daemon has it)."""
        runtime.require_image(client, image)
        self.client = client
        self.image = image
        self.defaults = defaults or Limits()
        self.factory = SlotFactory(
            client, image, self.defaults, runtime.choose_oci_runtime(client, oci_runtime)
        )
        self.slots: SlotSource = FreshSlots(self.factory)
        """Where `grade` takes its slots; `use_slots` puts a warm pool here."""

    def use_slots(self, source: SlotSource) -> None:
        self.slots = source

    def grade(
        self, challenge: ChallengeSpec, files: Files, slot: Slot | None = None
    ) -> GradeResult:
        """Grade `files` against `challenge`'s hidden suite; never raises for the candidate's code.

        Docker failures become an `internal_error` result (the job may retry it). A slot that
        died before the submission reached it is replaced once, by a cold one.
        """
        started = time.monotonic()
        limits = challenge.limits(self.defaults)
        for source in (self.slots, FreshSlots(self.factory)):
            try:
                slot = slot or source.acquire()
            except (docker.errors.DockerException, OSError, SandboxError) as exc:
                return internal_error(f"could not start the sandbox: {exc}", started)
            try:
                result = slot.run(challenge.tests, files, dict(challenge.meta.env), limits)
            except SlotLost:
                continue
            except (docker.errors.DockerException, OSError) as exc:
                result = internal_error(f"the sandbox failed: {exc}", started)
            finally:
                source.release(slot)
                slot = None
            return result.model_copy(
                update={"duration_ms": int((time.monotonic() - started) * 1000)}
            )
        return internal_error("two sandbox slots died before the submission reached them", started)


def internal_error(reason: str, started: float) -> GradeResult:
    return GradeResult(
        verdict=Verdict.INTERNAL_ERROR,
        score=0,
        max_score=0,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=reason,
    )
