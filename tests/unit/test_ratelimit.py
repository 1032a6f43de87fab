"""The per-caller submission limit (real Redis, db 15; skipped without a server)."""

from __future__ import annotations

from collections.abc import Iterator

import limits.storage.redis
import pytest
from redis import Redis

from grader.errors import RateLimited, Unavailable
from grader.queue import RedisClient
from grader.services.ratelimit import KEY_PREFIX, UNAVAILABLE_RETRY_SECONDS, SubmissionLimiter


class Clock:
    """Stands in for the `time` module inside `limits`' Redis storage."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def redis(unit_redis: RedisClient) -> Iterator[RedisClient]:
    for key in unit_redis.scan_iter(f"{KEY_PREFIX}*unit-*"):
        unit_redis.delete(key)
    yield unit_redis
    for key in unit_redis.scan_iter(f"{KEY_PREFIX}*unit-*"):
        unit_redis.delete(key)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(limits.storage.redis, "time", clock)
    monkeypatch.setattr("grader.services.ratelimit.time", clock)
    return clock


def test_the_limit_allows_n_then_refuses_with_the_time_left(
    redis: RedisClient, clock: Clock
) -> None:
    limiter = SubmissionLimiter(redis)
    for _ in range(3):
        limiter.hit("unit-a", 3)
    clock.now += 45
    with pytest.raises(RateLimited) as caught:
        limiter.hit("unit-a", 3)
    assert caught.value.retry_after == 15  # the first hit leaves the window in 15 s


def test_no_burst_of_twice_the_limit_across_a_minute_boundary(
    redis: RedisClient, clock: Clock
) -> None:
    """A fixed window let n requests at :59 and n more at :00; a moving one does not."""
    clock.now = 1_000_019.0  # 1 s before a fixed window (1_000_020 = 16667 * 60) would end
    limiter = SubmissionLimiter(redis)
    for _ in range(3):
        limiter.hit("unit-edge", 3)
    clock.now += 2
    with pytest.raises(RateLimited):
        limiter.hit("unit-edge", 3)
    clock.now += 59
    limiter.hit("unit-edge", 3)  # a minute after the first three, room again


def test_callers_are_counted_apart(redis: RedisClient, clock: Clock) -> None:
    limiter = SubmissionLimiter(redis)
    limiter.hit("unit-b", 1)
    limiter.hit("unit-c", 1)
    with pytest.raises(RateLimited):
        limiter.hit("unit-b", 1)


def test_without_redis_the_request_is_refused_with_a_retry_time() -> None:
    dead = Redis.from_url("redis://127.0.0.1:9/0")  # nothing listens there
    with pytest.raises(Unavailable) as caught:
        SubmissionLimiter(dead).hit("unit-dead", 3)
    assert caught.value.retry_after == UNAVAILABLE_RETRY_SECONDS
    assert "nothing was stored" in str(caught.value)
    dead.close()
