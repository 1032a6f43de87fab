"""The per-caller submission limit (real RedisClient, db 15; skipped without a server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from grader.errors import RateLimited, Unavailable
from grader.queue import RedisClient
from grader.services.ratelimit import UNAVAILABLE_RETRY_SECONDS, hit


@pytest.fixture
def redis(unit_redis: RedisClient) -> Iterator[RedisClient]:
    for key in unit_redis.scan_iter("grader:ratelimit:unit-*"):
        unit_redis.delete(key)
    yield unit_redis
    for key in unit_redis.scan_iter("grader:ratelimit:unit-*"):
        unit_redis.delete(key)


def test_the_limit_allows_n_then_refuses_with_the_time_left(redis: RedisClient) -> None:
    now = 6000.0 + 45  # 15 s before the window ends
    for _ in range(3):
        hit(redis, "unit-a", 3, now)
    with pytest.raises(RateLimited) as caught:
        hit(redis, "unit-a", 3, now)
    assert caught.value.retry_after == 15


def test_callers_and_windows_are_counted_apart(redis: RedisClient) -> None:
    hit(redis, "unit-b", 1, 6000.0)
    hit(redis, "unit-c", 1, 6000.0)
    hit(redis, "unit-b", 1, 6060.0)


def test_without_redis_the_request_is_refused_with_a_retry_time() -> None:
    dead = Redis.from_url("redis://127.0.0.1:9/0")  # nothing listens there
    with pytest.raises(Unavailable) as caught:
        hit(dead, "unit-dead", 3)
    assert caught.value.retry_after == UNAVAILABLE_RETRY_SECONDS
    assert "nothing was stored" in str(caught.value)
    dead.close()
