"""The verdict rules, fed event sequences with no Docker: each rule of the result document."""

from __future__ import annotations

import pytest

from worker.limits import Limits
from worker.result import Outcome, Verdict
from worker.sandbox.harness.protocol import (
    APP_NOT_LISTENING,
    EXIT_APP_LOAD_FAILED,
    AppReady,
    Collected,
    CollectedTest,
    Done,
    Fatal,
    TestReport,
)
from worker.sandbox.verdict import (
    SUITE_EXHAUSTED,
    AppExited,
    Event,
    GraceExpired,
    Judge,
    OutputLimitReached,
    RestartFailed,
    SuiteExited,
    SuiteGarbage,
    TimeUp,
    judge,
)

LIMITS = Limits()
COLLECTED = Collected((CollectedTest("t.py::a", 60), CollectedTest("t.py::b", 40)))


def passed(name: str, points: int) -> TestReport:
    return TestReport(name, "passed", points, "")


def failed(name: str, points: int, message: str = "expected 200, got 404") -> TestReport:
    return TestReport(name, "failed", points, message)


def suite(*reports: Event) -> list[Event]:
    """A suite run to its end: collected, app ready, the reports, done, suite exited."""
    return [COLLECTED, AppReady(), *reports, Done(1), SuiteExited()]


def test_every_test_passed_is_passed_with_full_marks() -> None:
    result = judge(LIMITS, suite(passed("t.py::a", 60), passed("t.py::b", 40)))
    assert (result.verdict, result.score, result.max_score) == (Verdict.PASSED, 100, 100)
    assert result.error is None


def test_some_failed_is_failed_with_the_points_of_those_that_passed() -> None:
    result = judge(LIMITS, suite(passed("t.py::a", 60), failed("t.py::b", 40)))
    assert (result.verdict, result.score, result.max_score) == (Verdict.FAILED, 60, 100)
    assert result.tests[1].message == "expected 200, got 404"


def test_a_test_missing_from_the_report_counts_as_not_run() -> None:
    result = judge(LIMITS, suite(passed("t.py::a", 60)))
    assert (result.verdict, result.score) == (Verdict.FAILED, 60)
    missing = result.tests[1]
    assert (missing.outcome, missing.points, missing.message) == (
        Outcome.ERROR,
        0,
        "the test did not run",
    )


def test_a_report_of_a_test_never_collected_earns_nothing() -> None:
    result = judge(LIMITS, suite(passed("t.py::a", 60), passed("t.py::forged", 1000)))
    assert result.score == 60 and result.max_score == 100
    assert [t.name for t in result.tests] == ["t.py::a", "t.py::b"]


def test_app_exit_during_start_up_is_error_with_the_runners_reason() -> None:
    reason = "main.py, line 3: SyntaxError: invalid syntax"
    result = judge(LIMITS, [COLLECTED, AppExited(EXIT_APP_LOAD_FAILED, load_error=reason)])
    assert (result.verdict, result.score, result.error) == (Verdict.ERROR, 0, reason)
    assert result.max_score == 100 and result.tests == []


def test_app_exit_during_start_up_with_its_own_code_says_so() -> None:
    result = judge(LIMITS, [COLLECTED, AppExited(1, load_error="forged reason")])
    assert result.verdict is Verdict.ERROR
    assert result.error == "the app exited with code 1 before it started listening"


def test_an_app_that_fails_first_waits_for_the_list_of_tests() -> None:
    referee = Judge(LIMITS)
    assert not referee.feed(AppExited(EXIT_APP_LOAD_FAILED, load_error="no app"))
    assert referee.awaiting_collection
    assert referee.feed(COLLECTED)
    assert referee.result(0).max_score == 100


def test_an_app_failure_is_decided_without_tests_when_none_come_in_the_grace() -> None:
    result = judge(LIMITS, [AppExited(EXIT_APP_LOAD_FAILED, load_error="no app"), GraceExpired()])
    assert (result.verdict, result.error, result.max_score) == (Verdict.ERROR, "no app", 0)


def test_an_app_exit_mid_suite_only_fails_the_tests_still_to_come() -> None:
    result = judge(
        LIMITS,
        suite(passed("t.py::a", 60), AppExited(0), failed("t.py::b", 40, "not reachable")),
    )
    assert (result.verdict, result.score) == (Verdict.FAILED, 60)


def test_an_oom_kill_at_start_up_is_memory_limit() -> None:
    result = judge(LIMITS, [COLLECTED, AppExited(137, oom=True)])
    assert result.verdict is Verdict.MEMORY_LIMIT and result.score == 0
    assert f"{LIMITS.memory_mb} MB" in (result.error or "")


def test_an_oom_kill_mid_suite_is_memory_limit_and_scores_nothing() -> None:
    result = judge(LIMITS, suite(passed("t.py::a", 60), AppExited(137, oom=True)))
    assert (result.verdict, result.score) == (Verdict.MEMORY_LIMIT, 0)
    assert result.tests[0].points == 0


def test_an_oom_kill_seen_only_after_the_suite_ended_is_still_memory_limit() -> None:
    events = [*suite(passed("t.py::a", 60), failed("t.py::b", 40)), AppExited(137, oom=True)]
    assert judge(LIMITS, events).verdict is Verdict.MEMORY_LIMIT


def test_output_limit_before_the_suite_ends_is_output_limit() -> None:
    result = judge(LIMITS, [COLLECTED, AppReady(), passed("t.py::a", 60), OutputLimitReached()])
    assert (result.verdict, result.score) == (Verdict.OUTPUT_LIMIT, 0)
    assert str(LIMITS.output_limit_bytes) in (result.error or "")


def test_output_limit_after_the_suite_ended_changes_nothing() -> None:
    events = [*suite(passed("t.py::a", 60), passed("t.py::b", 40)), OutputLimitReached()]
    assert judge(LIMITS, events).verdict is Verdict.PASSED


def test_the_wall_clock_is_timeout_and_scores_nothing() -> None:
    result = judge(LIMITS, [COLLECTED, AppReady(), passed("t.py::a", 60), TimeUp()])
    assert (result.verdict, result.score) == (Verdict.TIMEOUT, 0)
    assert result.tests == [result.tests[0]] and result.tests[0].points == 0


def test_an_app_that_never_listens_is_timeout() -> None:
    result = judge(LIMITS, [COLLECTED, Fatal(APP_NOT_LISTENING)])
    assert result.verdict is Verdict.TIMEOUT


def test_the_first_decisive_event_wins() -> None:
    events = [COLLECTED, AppReady(), TimeUp(), OutputLimitReached(), AppExited(137, oom=True)]
    assert judge(LIMITS, events).verdict is Verdict.TIMEOUT


@pytest.mark.parametrize(
    ("events", "error"),
    [
        ([COLLECTED, SuiteGarbage(b"not json")], "unreadable event"),
        ([COLLECTED, AppReady(), Done(4), SuiteExited()], "pytest exit 4"),
        ([COLLECTED, Fatal("ValueError: boom")], "the suite runner failed: ValueError: boom"),
        ([COLLECTED, AppReady(), SuiteExited()], "stopped before reporting"),
        ([COLLECTED, AppReady(), RestartFailed("daemon gone")], "restarting the app failed"),
        ([COLLECTED, AppReady(), TestReport("t.py::a", "exploded", 60)], "malformed"),
        ([Collected(()), AppReady(), Done(5), SuiteExited()], "pytest exit 5"),
    ],
)
def test_the_graders_own_failures_are_internal_errors(events: list[Event], error: str) -> None:
    result = judge(LIMITS, [*events[:1], passed("t.py::a", 60), *events[1:]])
    assert result.verdict is Verdict.INTERNAL_ERROR and result.score == 0
    assert error in (result.error or "")
    # Nothing tells how far the hidden suite got.
    assert result.tests == [] and result.max_score == 0


def test_a_suite_with_no_tests_is_an_internal_error() -> None:
    result = judge(LIMITS, [Collected(()), AppReady(), Done(0), SuiteExited()])
    assert result.verdict is Verdict.INTERNAL_ERROR
    assert result.error == "the hidden suite has no tests"


def test_a_suite_killed_by_what_the_app_sent_fails_the_test_in_progress() -> None:
    events = [COLLECTED, AppReady(), passed("t.py::a", 60), SuiteExited(137, oom=True)]
    result = judge(LIMITS, events)
    assert (result.verdict, result.score, result.max_score) == (Verdict.FAILED, 60, 100)
    assert result.tests[1].outcome is Outcome.FAILED
    assert result.tests[1].message == SUITE_EXHAUSTED


def test_a_suite_that_dies_before_the_app_is_ready_is_ours() -> None:
    result = judge(LIMITS, [COLLECTED, SuiteExited(137, oom=True)])
    assert result.verdict is Verdict.INTERNAL_ERROR
