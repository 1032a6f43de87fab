"""Riding out Redis and Docker outages: wait with backoff, never burn attempts or respawn in a
loop, and never let a daemon restart read as the candidate's verdict."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

import grader.jobs
from grader.worker_pool import Respawn, wait_for_redis
from worker.result import GradeResult, Verdict
from worker.sandbox.runtime import wait_for_daemon


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_for_daemon_backs_off_until_it_answers() -> None:
    clock = Clock()
    answers = iter([False, False, False, False, True])
    assert wait_for_daemon(None, 60, lambda _: next(answers), clock.sleep, clock)
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_wait_for_daemon_gives_up_at_its_bound() -> None:
    clock = Clock()
    assert not wait_for_daemon(None, 30, lambda _: False, clock.sleep, clock)
    assert clock.now == 30 and max(clock.sleeps) <= 10


def test_wait_for_redis_retries_with_backoff() -> None:
    class Flaky:
        calls = 0

        def ping(self) -> bool:
            self.calls += 1
            if self.calls < 6:
                raise RedisConnectionError("refused")
            return True

    clock = Clock()
    wait_for_redis(Flaky(), clock.sleep, max_delay=4)  # type: ignore[arg-type]
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_quick_exits_delay_respawns_and_a_long_run_resets_them() -> None:
    clock = Clock()
    respawn = Respawn(clock)
    assert respawn.exited(ran_for=3600) == 0 and respawn.may_start()
    delays = [respawn.exited(ran_for=1) for _ in range(8)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    assert not respawn.may_start()
    clock.now += 60
    assert respawn.may_start()
    assert respawn.exited(ran_for=120) == 0


def result(verdict: Verdict, score: int) -> GradeResult:
    return GradeResult(verdict=verdict, score=score, max_score=100, duration_ms=1)


@pytest.mark.parametrize(
    ("verdict", "score", "daemon_up", "expected"),
    [
        (Verdict.FAILED, 40, False, Verdict.INTERNAL_ERROR),  # the app was killed under it
        (Verdict.ERROR, 0, False, Verdict.INTERNAL_ERROR),  # "exited before listening"
        (Verdict.TIMEOUT, 0, False, Verdict.INTERNAL_ERROR),
        (Verdict.FAILED, 40, True, Verdict.FAILED),  # the daemon is fine: the answer is wrong
        (Verdict.PASSED, 100, False, Verdict.PASSED),  # a full pass is no outage's doing
    ],
)
def test_a_verdict_reached_while_the_daemon_went_away_is_ours(
    monkeypatch: pytest.MonkeyPatch,
    verdict: Verdict,
    score: int,
    daemon_up: bool,
    expected: Verdict,
) -> None:
    monkeypatch.setattr(grader.jobs, "daemon_answers", lambda _: daemon_up)
    judged = grader.jobs._unless_docker_went_away(None, result(verdict, score))
    assert judged.verdict is expected
    if expected is Verdict.INTERNAL_ERROR:
        assert judged.error is not None and "went away" in judged.error
        assert judged.score == 0 and judged.tests == []


def test_a_job_waits_for_the_daemon_before_claiming(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr(grader.jobs, "daemon_answers", lambda _: False)
    monkeypatch.setattr(
        grader.jobs, "wait_for_daemon", lambda _, timeout: waited.append(timeout) or True
    )
    grader.jobs._wait_for_docker(None)
    assert waited == [grader.jobs.DOCKER_WAIT_SECONDS]
