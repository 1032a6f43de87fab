"""Grade one submission: a fresh pair of hardened containers, the hidden suite, a verdict.

Per submission, three Docker objects, all labelled and always removed:
- the suite container: owns a network namespace with loopback only, runs the hidden suite
  (uid 1002) from its own tmpfs, and reports on its stdout, which only the worker reads;
- the app container: joins that namespace, serves the candidate's app (uid 1001) on
  127.0.0.1:8000, and cannot see the suite container's files or processes;
- a tmpfs volume mounted in both (app read-write, suite read-only) for files like SQLite's.

A `Slot` is such a pair, started before its submission is known: a warm pool keeps some.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import docker
import docker.errors
from docker.models.containers import Container

from worker.challenge import Challenge, Files
from worker.result import LIMIT_VERDICTS, GradeResult, Outcome, TestResult, Verdict
from worker.sandbox import runtime
from worker.sandbox.errors import SandboxError
from worker.sandbox.harness.protocol import APP_ERROR_MARKER, EXIT_APP_LOAD_FAILED, encode
from worker.sandbox.limits import Limits

if TYPE_CHECKING:
    from worker.sandbox.pool import SlotPool

log = logging.getLogger(__name__)

#: How long to wait for the suite's list of tests after the app failed to start.
COLLECT_GRACE_SECONDS = 10.0
SUITE_STDERR_KEEP = 16 * 1024
#: Slack on top of a challenge's time limit for a pooled slot's label deadline.
SLOT_IDLE_SECONDS = 3600.0


class OutputCapture:
    """The app's stdout and stderr: the head is kept, the total is counted against the cap."""

    TAIL = 4096

    def __init__(self, keep: int, limit: int) -> None:
        self.keep = keep
        self.limit = limit
        self.total = 0
        self._head = bytearray()
        self._tail = b""
        self._lock = threading.Lock()

    def add(self, data: bytes) -> bool:
        """Record output; True the first time the total passes the limit."""
        with self._lock:
            before = self.total
            self.total += len(data)
            room = self.keep - len(self._head)
            if room > 0:
                self._head += data[:room]
            self._tail = (self._tail + data)[-self.TAIL :]
            return before <= self.limit < self.total

    def text(self) -> str:
        with self._lock:
            head = bytes(self._head).decode("utf-8", "replace")
            dropped = self.total - len(self._head)
        if APP_ERROR_MARKER in head:  # the reason is in the result's `error`, not twice
            head = (
                "\n".join(
                    line for line in head.split("\n") if not line.startswith(APP_ERROR_MARKER)
                ).rstrip("\n")
                + "\n"
            )
        return head + (f"\n[... {dropped} more bytes of output dropped ...]\n" if dropped else "")

    def app_error(self) -> str | None:
        """The app runner's one-line reason for failing to load the app, if it printed one."""
        with self._lock:
            tail = self._tail.decode("utf-8", "replace")
        found = None
        for line in tail.splitlines():
            if line.startswith(APP_ERROR_MARKER):
                found = line[len(APP_ERROR_MARKER) :].strip()
        return found


@dataclass
class _Run:
    """What the suite reported so far."""

    collected: list[tuple[str, int]] = field(default_factory=list)
    reported: dict[str, TestResult] = field(default_factory=dict)
    app_ready: bool = False
    done: bool = False
    suite_exit_code: int | None = None


class Slot:
    """One suite container + one app container + a data volume, for exactly one submission."""

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        limits: Limits,
        background: bool = False,
        oci_runtime: str | None = None,
    ) -> None:
        """Start the pair; `background` (a pool's slot) warms up on idle CPU only."""
        self.client = client
        self.background = background
        self.image = image
        self.limits = limits
        self.oci_runtime = oci_runtime
        self.events: queue.Queue[tuple[str, int, Any]] = queue.Queue()
        self.generation = 0
        self.volume: str | None = None
        self.suite: Container | None = None
        self.app: Container | None = None
        self._suite_stdio: runtime.Stdio | None = None
        self._app_stdio: runtime.Stdio | None = None
        self._suite_buffer = b""
        self.suite_stderr = bytearray()
        self.output = OutputCapture(limits.log_keep_bytes, limits.output_limit_bytes)
        self._app_payload: bytes | None = None
        self.created = time.monotonic()
        self._warm = threading.Event()
        deadline = time.time() + SLOT_IDLE_SECONDS + limits.time_seconds
        try:
            self.volume = runtime.create_data_volume(client, limits, deadline)
            self.suite = runtime.create_suite_container(
                client, image, limits, self.volume, deadline, background, oci_runtime
            )
            self._suite_stdio = runtime.Stdio(
                client, self.suite, self._on_suite_output, self._on_suite_close
            )
            self.suite.start()
            self._start_app(deadline)
        except BaseException:
            self.destroy()
            raise

    @property
    def alive(self) -> bool:
        """Both containers still running (a pooled slot can die while it waits)."""
        pipes = (self._app_stdio, self._suite_stdio)
        return all(p is not None and not p.closed for p in pipes) and self.events.empty()

    def wait_warm(self, timeout: float) -> bool:
        """Block until the suite container's imports are done (the app's run alongside)."""
        return self._warm.wait(timeout)

    # --- stdio callbacks (reader threads) -------------------------------------------------
    def _on_suite_output(self, stream: int, data: bytes) -> None:
        if stream != 1:
            room = SUITE_STDERR_KEEP - len(self.suite_stderr)
            if room > 0:
                self.suite_stderr += data[:room]
            return
        self._suite_buffer += data
        *lines, self._suite_buffer = self._suite_buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                self.events.put(("suite_garbage", 0, line[:200]))
                continue
            if isinstance(message, dict) and message.get("event") == "ready":
                self._warm.set()
                continue
            self.events.put(("suite", 0, message))

    def _on_suite_close(self) -> None:
        self.events.put(("suite_exit", 0, None))

    def _start_app(self, deadline: float) -> None:
        assert self.suite is not None and self.volume is not None
        generation = self.generation

        def on_output(stream: int, data: bytes) -> None:
            if self.output.add(data):
                self.events.put(("app_output_limit", generation, None))

        def on_close() -> None:
            self.events.put(("app_exit", generation, None))

        self.app = runtime.create_app_container(
            self.client,
            self.image,
            self.limits,
            self.volume,
            self.suite,
            deadline,
            self.background,
            self.oci_runtime,
        )
        self._app_stdio = runtime.Stdio(self.client, self.app, on_output, on_close)
        self.app.start()
        if self._app_payload is not None:
            self._app_stdio.send(self._app_payload)

    def _restart_app(self) -> None:
        if self._app_stdio is not None:
            self._app_stdio.close()
        runtime.remove_container(self.app)
        self.generation += 1
        self._start_app(time.time() + self.limits.time_seconds + SLOT_IDLE_SECONDS)
        assert self._suite_stdio is not None
        self._suite_stdio.send(encode({"event": "restarted"}))

    # --- grading ------------------------------------------------------------------------
    def run(self, tests: Files, files: Files, env: dict[str, str], limits: Limits) -> GradeResult:
        """Hand the submission and the suite to the waiting containers and judge the outcome."""
        started = time.monotonic()
        assert (
            self.app is not None and self._app_stdio is not None and self._suite_stdio is not None
        )
        foreground, self.background = self.background, False  # a restart is in the foreground
        app_memory_set = limits.memory_mb != self.limits.memory_mb
        if app_memory_set:  # before the candidate's code runs: no lower limit under its load
            runtime.update_resources(self.app, limits.memory_mb, foreground)
        self.limits = limits
        self.output.keep, self.output.limit = limits.log_keep_bytes, limits.output_limit_bytes
        self._app_payload = encode({"files": files, "env": env})
        self._app_stdio.send(self._app_payload)
        self._suite_stdio.send(
            encode(
                {
                    "tests": tests,
                    "env": env,
                    "request_timeout": limits.request_timeout_seconds,
                    "response_limit": limits.response_limit_bytes,
                    "startup_timeout": limits.time_seconds,
                }
            )
        )
        if foreground:  # full CPU weight, while the containers already read their input
            assert self.suite is not None
            runtime.update_resources(self.suite, limits.suite_memory_mb, foreground=True)
            if not app_memory_set:
                runtime.update_resources(self.app, limits.memory_mb, foreground=True)
        run = _Run()
        verdict, error = self._watch(run, started + limits.time_seconds)
        return self._result(run, verdict, error, started)

    def _watch(self, run: _Run, deadline: float) -> tuple[Verdict | None, str | None]:
        """Follow events until the suite is done or a verdict is forced (None: judge the tests)."""
        app_failed_at: float | None = None
        app_failure: tuple[Verdict, str] | None = None
        while True:
            now = time.monotonic()
            if app_failure and (
                run.collected or now - (app_failed_at or now) > COLLECT_GRACE_SECONDS
            ):
                return app_failure
            if now >= deadline:
                return (
                    Verdict.TIMEOUT,
                    f"the grading exceeded the time limit of {self.limits.time_seconds:g} s",
                )
            wait = min(deadline - now, 0.5 if app_failure else deadline - now)
            try:
                kind, generation, payload = self.events.get(timeout=wait)
            except queue.Empty:
                continue
            if kind in ("app_exit", "app_output_limit") and generation != self.generation:
                continue  # an app container replaced by a restart
            if kind == "suite":
                try:
                    forced = self._on_suite_event(run, payload)
                except (KeyError, TypeError, ValueError) as exc:
                    return (
                        Verdict.INTERNAL_ERROR,
                        f"the suite runner sent a malformed event: {exc!r}",
                    )
                if forced is not None:
                    return forced
                if run.done:
                    return self._memory_verdict() or (None, None)
            elif kind == "suite_garbage":
                return Verdict.INTERNAL_ERROR, "the suite runner wrote an unreadable event"
            elif kind == "suite_exit":
                if run.done:
                    return None, None
                return (
                    Verdict.INTERNAL_ERROR,
                    "the suite runner stopped before reporting: " + self._suite_tail(),
                )
            elif kind == "app_output_limit":
                return (
                    Verdict.OUTPUT_LIMIT,
                    f"the app printed more than {self.limits.output_limit_bytes} bytes",
                )
            elif kind == "app_exit":
                assert self.app is not None
                code, oom = runtime.exit_state(self.app)
                if oom:
                    return Verdict.MEMORY_LIMIT, self._memory_error()
                if not run.app_ready and app_failure is None:
                    app_failed_at = time.monotonic()
                    app_failure = (Verdict.ERROR, self._start_failure(code))
                # After start-up, a crash just fails the remaining tests.

    def _on_suite_event(
        self, run: _Run, message: dict[str, Any]
    ) -> tuple[Verdict | None, str | None] | None:
        event = message.get("event")
        if event == "collected":
            run.collected = [(str(t["name"]), int(t["max_points"])) for t in message["tests"]]
        elif event == "app_ready":
            run.app_ready = True
        elif event == "test":
            max_points = int(message["max_points"])
            outcome = Outcome(message["outcome"])
            run.reported[str(message["name"])] = TestResult(
                name=str(message["name"]),
                outcome=outcome,
                points=max_points if outcome is Outcome.PASSED else 0,
                max_points=max_points,
                message=str(message.get("message", "")),
            )
        elif event == "restart":
            try:
                self._restart_app()
            except docker.errors.DockerException as exc:
                return Verdict.INTERNAL_ERROR, f"restarting the app failed: {exc}"
        elif event == "done":
            run.done = True
            run.suite_exit_code = int(message.get("exit_code", -1))
            if run.suite_exit_code not in (0, 1):
                return Verdict.INTERNAL_ERROR, (
                    f"the hidden suite could not run (pytest exit {run.suite_exit_code}): "
                    + self._suite_tail()
                )
        elif event == "fatal":
            if message.get("error") == "app_not_listening":
                return Verdict.TIMEOUT, "the app did not start listening within the time limit"
            return Verdict.INTERNAL_ERROR, f"the suite runner failed: {message.get('error')}"
        return None

    def _memory_verdict(self) -> tuple[Verdict, str] | None:
        """The app was OOM-killed during the suite (its later tests failed for that reason)."""
        assert self.app is not None
        self.app.reload()
        state = self.app.attrs["State"]
        if not state.get("Running") and state.get("OOMKilled"):
            return Verdict.MEMORY_LIMIT, self._memory_error()
        return None

    def _memory_error(self) -> str:
        return f"the app exceeded its memory limit of {self.limits.memory_mb} MB"

    def _start_failure(self, exit_code: int) -> str:
        reason = self.output.app_error()
        if reason and exit_code == EXIT_APP_LOAD_FAILED:
            return reason
        return f"the app exited with code {exit_code} before it started listening"

    def _suite_tail(self) -> str:
        return bytes(self.suite_stderr[-800:]).decode("utf-8", "replace").strip()

    def _result(
        self, run: _Run, verdict: Verdict | None, error: str | None, started: float
    ) -> GradeResult:
        tests = [
            run.reported.get(
                name,
                TestResult(
                    name=name,
                    outcome=Outcome.ERROR,
                    points=0,
                    max_points=points,
                    message="the test did not run",
                ),
            )
            for name, points in run.collected
        ]
        max_score = sum(t.max_points for t in tests)
        if verdict is None:
            verdict = (
                Verdict.PASSED
                if tests and all(t.outcome is Outcome.PASSED for t in tests)
                else Verdict.FAILED
            )
            if not tests:
                verdict, error = Verdict.INTERNAL_ERROR, "the hidden suite has no tests"
        if verdict in LIMIT_VERDICTS or verdict in (Verdict.ERROR, Verdict.INTERNAL_ERROR):
            tests = [t.model_copy(update={"points": 0}) for t in tests if t.name in run.reported]
        score = sum(t.points for t in tests)
        return GradeResult(
            verdict=verdict,
            score=score,
            max_score=max_score,
            tests=tests,
            duration_ms=int((time.monotonic() - started) * 1000),
            log=self.output.text(),
            error=error,
        )

    def destroy(self) -> None:
        """Remove both containers and the volume; safe to call more than once."""
        for stdio in (self._app_stdio, self._suite_stdio):
            if stdio is not None:
                stdio.close()
        try:
            runtime.remove_container(self.app)
            runtime.remove_container(self.suite)
            runtime.remove_volume(self.client, self.volume)
        except docker.errors.DockerException as exc:
            # The daemon is gone or failing: the reaper removes what is left (labelled).
            log.warning("could not clean up a sandbox slot: %s", exc)
        self.app = self.suite = None
        self.volume = None


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
        self.oci_runtime = runtime.choose_oci_runtime(client, oci_runtime)
        self.pool: SlotPool | None = None
        """Set by a `SlotPool` built on this sandbox: gradings then take warm slots from it."""

    def new_slot(self, background: bool = False) -> Slot:
        return Slot(self.client, self.image, self.defaults, background, self.oci_runtime)

    def acquire_slot(self) -> Slot:
        return self.pool.acquire() if self.pool is not None else self.new_slot()

    def grade(self, challenge: Challenge, files: Files, slot: Slot | None = None) -> GradeResult:
        """Grade `files` against `challenge`'s hidden suite; never raises for the candidate's code.

        Docker failures become an `internal_error` result (the job may retry it).
        """
        started = time.monotonic()
        try:
            slot = slot or self.acquire_slot()
        except (docker.errors.DockerException, OSError, SandboxError) as exc:
            return internal_error(f"could not start the sandbox: {exc}", started)
        try:
            result = slot.run(
                challenge.tests, files, dict(challenge.meta.env), challenge.limits(self.defaults)
            )
        except (docker.errors.DockerException, OSError) as exc:
            result = internal_error(f"the sandbox failed: {exc}", started)
        finally:
            if self.pool is not None:
                self.pool.discard(slot)
            else:
                slot.destroy()
        return result.model_copy(update={"duration_ms": int((time.monotonic() - started) * 1000)})


def internal_error(reason: str, started: float) -> GradeResult:
    return GradeResult(
        verdict=Verdict.INTERNAL_ERROR,
        score=0,
        max_score=0,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=reason,
    )
