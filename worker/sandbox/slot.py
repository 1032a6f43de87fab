"""A slot: the pair of hardened containers that grades exactly one submission.

Per slot, three Docker objects, all labelled and always removed:
- the suite container: owns a network namespace with loopback only, runs the hidden suite
  (uid 1002) from its own tmpfs, and reports on its stdout, which only the worker reads;
- the app container: joins that namespace, serves the candidate's app (uid 1001) on
  127.0.0.1:8000, and cannot see the suite container's files or processes;
- a tmpfs volume mounted in both (app read-write, suite read-only) for files like SQLite's.

A slot is started before its submission is known (a warm pool keeps some). It turns what the
containers do into events for a `verdict.Judge`; it decides nothing itself.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass

import docker
import docker.errors
from docker.models.containers import Container

from worker.limits import Limits
from worker.result import GradeResult, Verdict
from worker.sandbox import runtime
from worker.sandbox.errors import SandboxError
from worker.sandbox.harness.protocol import (
    APP_ERROR_MARKER,
    APP_STARTED_MARKER,
    AppInput,
    ProtocolError,
    Ready,
    Restarted,
    RestartRequest,
    SuiteInput,
    decode,
    encode,
)
from worker.sandbox.verdict import (
    COLLECT_GRACE_SECONDS,
    AppExited,
    Event,
    GraceExpired,
    Judge,
    OutputLimitReached,
    RestartFailed,
    SuiteExited,
    SuiteGarbage,
    TimeUp,
)

log = logging.getLogger(__name__)

SUITE_STDERR_KEEP = 16 * 1024
#: Slack on top of a challenge's time limit for a pooled slot's label deadline.
SLOT_IDLE_SECONDS = 3600.0


class SlotLost(SandboxError):
    """The slot died before the submission reached it (nothing of the candidate's ran)."""


_STARTED = f"{APP_STARTED_MARKER}\n".encode()


class OutputCapture:
    """The app's stdout and stderr: the head is kept, the total is counted against the cap, and
    the app runner's "started" lines are counted (one per app container that got its input)."""

    TAIL = 4096

    def __init__(self, keep: int, limit: int) -> None:
        self.keep = keep
        self.limit = limit
        self.total = 0
        self.started = 0
        self._head = bytearray()
        self._tail = b""
        self._lock = threading.Lock()

    def add(self, data: bytes) -> bool:
        """Record output; True the first time the total passes the limit."""
        with self._lock:
            before = self.total
            self.total += len(data)
            carry = self._tail[-(len(_STARTED) - 1) :]
            self.started += (carry + data).count(_STARTED)
            room = self.keep - len(self._head)
            if room > 0:
                self._head += data[:room]
            self._tail = (self._tail + data)[-self.TAIL :]
            return before <= self.limit < self.total

    def text(self) -> str:
        with self._lock:
            head = bytes(self._head).decode("utf-8", "replace")
            dropped = self.total - len(self._head)
        if APP_ERROR_MARKER in head or APP_STARTED_MARKER in head:
            # The runner's own lines: the reason is in the result's `error`, not twice.
            head = (
                "\n".join(
                    line
                    for line in head.split("\n")
                    if not line.startswith((APP_ERROR_MARKER, APP_STARTED_MARKER))
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


@dataclass(frozen=True)
class _AppClosed:
    """The app container's streams ended (its state is read by the grading thread)."""


@dataclass(frozen=True)
class _SuiteClosed:
    """The suite container's streams ended."""


_Raw = Event | _AppClosed | _SuiteClosed


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
        #: (app generation or None for the suite's, event); a restart bumps the generation.
        self.events: queue.Queue[tuple[int | None, _Raw]] = queue.Queue()
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
                message = decode(line)
            except ProtocolError:
                self.events.put((None, SuiteGarbage(line[:200])))
                continue
            if isinstance(message, Ready):
                self._warm.set()
                continue
            self.events.put((None, message))

    def _on_suite_close(self) -> None:
        self.events.put((None, _SuiteClosed()))

    def _start_app(self, deadline: float) -> None:
        assert self.suite is not None and self.volume is not None
        generation = self.generation

        def on_output(stream: int, data: bytes) -> None:
            if self.output.add(data):
                self.events.put((generation, OutputLimitReached()))

        def on_close() -> None:
            self.events.put((generation, _AppClosed()))

        self.app = runtime.create_app_container(
            self.client,
            self.image,
            self.limits,
            self.volume,
            self.suite,
            deadline,
            self.background,
            runtime.app_runtime(self.oci_runtime),
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
        with contextlib.suppress(OSError):  # the suite container is gone: that is an event too
            self._suite_stdio.send(encode(Restarted()))

    # --- grading ------------------------------------------------------------------------
    def run(
        self, tests: dict[str, str], files: dict[str, str], env: dict[str, str], limits: Limits
    ) -> GradeResult:
        """Hand the submission and the suite to the waiting containers and judge the outcome.

        Raises `SlotLost` if the slot died before the submission reached it."""
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
        self._app_payload = encode(AppInput(files, env))
        suite_input = SuiteInput(
            tests=tests,
            env=env,
            request_timeout=limits.request_timeout_seconds,
            response_limit=limits.response_limit_bytes,
            startup_timeout=limits.time_seconds,
        )
        try:
            if not self.alive:
                raise OSError("a container of the slot has ended")
            self._app_stdio.send(self._app_payload)
            self._suite_stdio.send(encode(suite_input))
        except OSError as exc:
            raise SlotLost(
                f"the sandbox slot died before the submission reached it: {exc}"
            ) from exc
        if foreground:  # full CPU weight, while the containers already read their input
            assert self.suite is not None
            runtime.update_resources(self.suite, limits.suite_memory_mb, foreground=True)
            if not app_memory_set:
                runtime.update_resources(self.app, limits.memory_mb, foreground=True)
        judge = Judge(limits)
        self._follow(judge, started + limits.time_seconds)
        result = judge.result(int((time.monotonic() - started) * 1000), self.output.text())
        if result.verdict is Verdict.INTERNAL_ERROR:  # for operators: the result says no more
            log.warning(
                "%s; the suite runner's stderr ends with: %s", result.error, self._suite_tail()
            )
        return result

    def _follow(self, judge: Judge, deadline: float) -> None:
        """Feed the judge what the containers do until the verdict is decided."""
        failed_at: float | None = None
        while not judge.finished:
            now = time.monotonic()
            if judge.awaiting_collection:
                failed_at = failed_at or now
                if now - failed_at > COLLECT_GRACE_SECONDS:
                    judge.feed(GraceExpired())
                    continue
            if now >= deadline:
                judge.feed(TimeUp())
                continue
            wait = min(deadline - now, 0.5 if judge.awaiting_collection else deadline - now)
            try:
                generation, raw = self.events.get(timeout=wait)
            except queue.Empty:
                continue
            if generation is not None and generation != self.generation:
                continue  # an app container replaced by a restart
            event = self._observe(raw, judge)
            if event is not None:
                judge.feed(event)
        if judge.forced is None and self.app is not None:
            # Judged by the tests: an app OOM-killed meanwhile failed them, it is memory_limit.
            state = runtime.container_state(self.app)
            if not state.running:
                judge.feed(AppExited(state.exit_code, state.oom))

    def _observe(self, raw: _Raw, judge: Judge) -> Event | None:
        """The event a raw stream notice stands for, reading container state where needed.

        A container that ends before it took its input (killed, gone) is a slot lost, never a
        verdict: `SlotLost` for the first app container and the suite, `RestartFailed` for a
        restarted app."""
        if isinstance(raw, _AppClosed):
            assert self.app is not None
            state = runtime.container_state(self.app)
            if self.output.started <= self.generation and not state.oom:
                if self.generation == 0:
                    raise SlotLost(f"the app container ended (exit {state.exit_code}) unfed")
                return RestartFailed(f"the restarted app ended (exit {state.exit_code}) unfed")
            return AppExited(state.exit_code, state.oom, self.output.app_error())
        if isinstance(raw, _SuiteClosed):
            assert self.suite is not None
            state = runtime.container_state(self.suite)
            if not judge.collected and not judge.suite_done and not state.oom:
                raise SlotLost(f"the suite container ended (exit {state.exit_code}) unfed")
            return SuiteExited(state.exit_code, state.oom)
        if isinstance(raw, RestartRequest):
            try:
                self._restart_app()
            except (docker.errors.DockerException, OSError) as exc:
                return RestartFailed(str(exc))
            return None
        return raw

    def _suite_tail(self) -> str:
        return bytes(self.suite_stderr[-800:]).decode("utf-8", "replace").strip()

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
            # The daemon is gone or failing: the sweep removes what is left (labelled).
            log.warning("could not clean up a sandbox slot: %s", exc)
        self.app = self.suite = None
        self.volume = None
