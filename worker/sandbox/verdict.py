"""The verdict rules: what a grading's events add up to, as plain code over plain data.

A `Judge` is fed, in order, the suite runner's messages (`harness.protocol`) and what the engine
saw itself (the app's exit, its output passing the cap, the suite container's end, the clock).
It says when the grading is decided and builds the result document. No Docker, no threads, no
clock: the `Slot` turns containers into events, this module turns events into a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.limits import Limits
from worker.result import LIMIT_VERDICTS, GradeResult, Outcome, TestResult, Verdict
from worker.sandbox.harness.protocol import (
    APP_NOT_LISTENING,
    EXIT_APP_LOAD_FAILED,
    AppReady,
    Collected,
    CollectedTest,
    Done,
    Fatal,
    Message,
    TestReport,
)

#: How long to wait for the suite's list of tests after the app failed to start.
COLLECT_GRACE_SECONDS = 10.0


# --- what the engine observes itself ------------------------------------------------------------
@dataclass(frozen=True)
class AppExited:
    """The app container's main process ended (`oom`: the kernel's OOM killer did it)."""

    exit_code: int
    oom: bool = False
    load_error: str | None = None
    """The app runner's one-line reason for not loading the app, if it printed one."""


@dataclass(frozen=True)
class OutputLimitReached:
    """The app printed more than the output limit."""


@dataclass(frozen=True)
class SuiteExited:
    """The suite container's stdout closed: its main process ended."""

    exit_code: int = 0
    oom: bool = False


@dataclass(frozen=True)
class SuiteGarbage:
    """The suite container wrote a line that is not a message of the protocol."""

    line: bytes


@dataclass(frozen=True)
class RestartFailed:
    """A test asked for the app to be restarted and the engine could not do it."""

    error: str


@dataclass(frozen=True)
class TimeUp:
    """The grading's wall-clock limit passed."""


@dataclass(frozen=True)
class GraceExpired:
    """The app failed to start and no list of tests came within `COLLECT_GRACE_SECONDS`."""


Event = (
    Message
    | AppExited
    | OutputLimitReached
    | SuiteExited
    | SuiteGarbage
    | RestartFailed
    | TimeUp
    | GraceExpired
)


@dataclass(frozen=True)
class _Forced:
    """A verdict decided by an event rather than by the tests' outcomes."""

    verdict: Verdict
    error: str | None


#: The message of the test that was running when the app's answers exhausted the suite.
SUITE_EXHAUSTED = "the app's response exhausted the grader's memory while this test read it"


@dataclass
class Judge:
    """Feed events in the order they happened; `finished` once the verdict is decided."""

    limits: Limits
    collected: tuple[CollectedTest, ...] = ()
    reported: dict[str, TestResult] = field(default_factory=dict)
    app_ready: bool = False
    suite_done: bool = False
    app_failure: _Forced | None = None
    """The app exited before it listened; decided once the list of tests is known."""
    forced: _Forced | None = None
    finished: bool = False

    @property
    def awaiting_collection(self) -> bool:
        """The app failed to start; the verdict waits (briefly) for the list of tests."""
        return self.app_failure is not None and not self.finished

    def feed(self, event: Event) -> bool:
        """Take one event into account; True once the verdict is decided."""
        if self.finished:
            # Past the end only an OOM kill still matters: the suite's last tests failed of it.
            if isinstance(event, AppExited) and event.oom and self.forced is None:
                self.forced = self._memory_limit()
            return True
        forced = self._judge(event)
        if forced is not None:
            self.forced, self.finished = forced, True
        return self.finished

    def _judge(self, event: Event) -> _Forced | None:
        match event:
            case Collected(tests=tests):
                self.collected = tests
                return self.app_failure
            case AppReady():
                self.app_ready = True
            case TestReport():
                try:
                    self.reported[event.test] = TestResult(
                        name=event.test,
                        outcome=Outcome(event.outcome),
                        points=event.max_points if event.outcome == Outcome.PASSED else 0,
                        max_points=event.max_points,
                        message=event.message,
                    )
                except ValueError as exc:  # an unknown outcome, negative points
                    return _Forced(
                        Verdict.INTERNAL_ERROR, f"the suite runner sent a malformed event: {exc}"
                    )
            case Done(exit_code=code):
                self.suite_done = True
                if code not in (0, 1):
                    return _Forced(
                        Verdict.INTERNAL_ERROR,
                        f"the hidden suite could not run (pytest exit {code})",
                    )
                self.finished = True
            case Fatal(error=error) if error == APP_NOT_LISTENING:
                return _Forced(
                    Verdict.TIMEOUT, "the app did not start listening within the time limit"
                )
            case Fatal(error=error):
                return _Forced(Verdict.INTERNAL_ERROR, f"the suite runner failed: {error}")
            case SuiteGarbage():
                return _Forced(Verdict.INTERNAL_ERROR, "the suite runner wrote an unreadable event")
            case SuiteExited(oom=True) if self.app_ready and not self.suite_done:
                # Only what the app sent grows the suite's memory (the reference's run fits):
                # the test in progress fails, those after it did not run.
                self._fail_test_in_progress(SUITE_EXHAUSTED)
                return _Forced(Verdict.FAILED, None)
            case SuiteExited():
                if self.suite_done:
                    self.finished = True
                    return None
                return _Forced(Verdict.INTERNAL_ERROR, "the suite runner stopped before reporting")
            case OutputLimitReached():
                return _Forced(
                    Verdict.OUTPUT_LIMIT,
                    f"the app printed more than {self.limits.output_limit_bytes} bytes",
                )
            case AppExited(oom=True):
                return self._memory_limit()
            case AppExited(exit_code=code, load_error=reason):
                if not self.app_ready and self.app_failure is None:
                    self.app_failure = _Forced(
                        Verdict.ERROR,
                        reason
                        if reason and code == EXIT_APP_LOAD_FAILED
                        else f"the app exited with code {code} before it started listening",
                    )
                    return self.app_failure if self.collected else None
                # After start-up a crash only fails the tests still to come.
            case RestartFailed(error=error):
                return _Forced(Verdict.INTERNAL_ERROR, f"restarting the app failed: {error}")
            case TimeUp():
                return _Forced(
                    Verdict.TIMEOUT,
                    f"the grading exceeded the time limit of {self.limits.time_seconds:g} s",
                )
            case GraceExpired():
                return self.app_failure
        return None

    def _fail_test_in_progress(self, message: str) -> None:
        """The first collected test not reported yet is the one that was running."""
        running = next((t for t in self.collected if t.name not in self.reported), None)
        if running is not None:
            self.reported[running.name] = TestResult(
                name=running.name,
                outcome=Outcome.FAILED,
                points=0,
                max_points=running.max_points,
                message=message,
            )

    def _memory_limit(self) -> _Forced:
        return _Forced(
            Verdict.MEMORY_LIMIT,
            f"the app exceeded its memory limit of {self.limits.memory_mb} MB",
        )

    def result(self, duration_ms: int, log: str = "") -> GradeResult:
        """The result document of what was fed so far (`log`: the app's output, capped).

        An internal error carries no tests and no total: its text and shape must not tell how
        far the hidden suite got."""
        tests = [
            self.reported.get(
                test.name,
                TestResult(
                    name=test.name,
                    outcome=Outcome.ERROR,
                    points=0,
                    max_points=test.max_points,
                    message="the test did not run",
                ),
            )
            for test in self.collected
        ]
        max_score = sum(t.max_points for t in tests)
        verdict: Verdict
        error: str | None = None
        if self.forced is not None:
            verdict, error = self.forced.verdict, self.forced.error
        elif not tests:
            verdict, error = Verdict.INTERNAL_ERROR, "the hidden suite has no tests"
        elif all(t.outcome is Outcome.PASSED for t in tests):
            verdict = Verdict.PASSED
        else:
            verdict = Verdict.FAILED
        if verdict is Verdict.INTERNAL_ERROR:
            tests, max_score = [], 0
        elif verdict in LIMIT_VERDICTS or verdict is Verdict.ERROR:
            tests = [t.model_copy(update={"points": 0}) for t in tests if t.name in self.reported]
        return GradeResult(
            verdict=verdict,
            score=sum(t.points for t in tests),
            max_score=max_score,
            tests=tests,
            duration_ms=duration_ms,
            log=log,
            error=error,
        )


def judge(limits: Limits, events: list[Event], duration_ms: int = 0, log: str = "") -> GradeResult:
    """The result of a whole sequence of events (what `Slot` does incrementally)."""
    referee = Judge(limits)
    for event in events:
        referee.feed(event)
    return referee.result(duration_ms, log)
