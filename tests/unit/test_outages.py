"""Riding out Redis and Docker outages: wait with backoff, never burn attempts or respawn in a
loop, and never let a daemon restart read as the candidate's verdict."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

import grader.jobs
from grader.worker_pool import GATE_SECONDS, DaemonGate, Respawn, wait_for_redis
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
    ("verdict", "score", "daemon_up", "handed_back"),
    [
        (Verdict.FAILED, 40, False, True),  # the app was killed under it
        (Verdict.ERROR, 0, False, True),  # "exited before listening"
        (Verdict.TIMEOUT, 0, False, True),
        (Verdict.INTERNAL_ERROR, 0, False, True),  # ours, and no attempt's worth
        (Verdict.FAILED, 40, True, False),  # the daemon is fine: the answer is wrong
        (Verdict.PASSED, 100, False, False),  # a full pass is no outage's doing
    ],
)
def test_a_verdict_reached_while_the_daemon_went_away_is_handed_back(
    monkeypatch: pytest.MonkeyPatch,
    verdict: Verdict,
    score: int,
    daemon_up: bool,
    handed_back: bool,
) -> None:
    monkeypatch.setattr(grader.jobs, "daemon_answers", lambda _: daemon_up)
    assert grader.jobs._daemon_went_away(None, result(verdict, score)) is handed_back


def test_a_job_hands_itself_back_when_the_daemon_stays_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waited: list[float] = []
    monkeypatch.setattr(grader.jobs, "daemon_answers", lambda _: False)
    monkeypatch.setattr(
        grader.jobs, "wait_for_daemon", lambda _, timeout: waited.append(timeout) and False
    )
    with pytest.raises(grader.jobs.DaemonAway):
        grader.jobs._wait_for_docker(None)
    assert waited == [grader.jobs.DOCKER_WAIT_SECONDS]


def test_a_job_goes_on_when_the_daemon_comes_back_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grader.jobs, "daemon_answers", lambda _: False)
    monkeypatch.setattr(grader.jobs, "wait_for_daemon", lambda _, timeout: True)
    grader.jobs._wait_for_docker(None)  # no DaemonAway


def test_the_gate_closes_while_the_daemon_is_away_and_asks_at_most_every_few_seconds() -> None:
    clock = Clock()
    answers = iter([True, False, False, True])
    asked: list[float] = []

    def answer(_: str | None) -> bool:
        asked.append(clock.now)
        return next(answers)

    gate = DaemonGate(None, answer, clock)
    assert gate.check()
    clock.now += 1
    assert gate.check() and len(asked) == 1  # not asked again yet
    clock.now += GATE_SECONDS
    assert not gate.check()
    clock.now += GATE_SECONDS
    assert not gate.check()
    clock.now += GATE_SECONDS
    assert gate.check()
    assert len(asked) == 4
