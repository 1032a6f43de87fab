"""The long-poll's wake-up: a published change ends the wait at once; without Redis, polling."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from grader.queue import RedisClient
from grader.services import notifications

URL = "redis://127.0.0.1:6379/15"
#: Nothing listens here (a port below 1024 that no test server binds).
DEAD_URL = "redis://127.0.0.1:9/0"


@pytest.fixture
def redis() -> Iterator[RedisClient]:
    client = Redis.from_url(URL)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {URL}")
    yield client
    client.close()


def test_a_published_change_wakes_the_waiter_at_once(redis: RedisClient) -> None:
    submission_id = secrets.randbelow(10**9) + 10**9

    async def scenario() -> float:
        async with notifications.changes(URL, submission_id) as changed:
            loop = asyncio.get_running_loop()
            loop.call_later(0.2, notifications.publish_changed, redis, submission_id)
            start = time.monotonic()
            await changed(30.0)
            return time.monotonic() - start

    waited = asyncio.run(scenario())
    # Told after 0.2 s; without the message the wait would last FALLBACK_SECONDS.
    assert 0.1 < waited < notifications.FALLBACK_SECONDS * 0.9


def test_without_a_message_the_wait_ends_after_the_fallback(redis: RedisClient) -> None:
    async def scenario() -> float:
        async with notifications.changes(URL, 1) as changed:
            start = time.monotonic()
            await changed(30.0)
            return time.monotonic() - start

    waited = asyncio.run(scenario())
    assert notifications.FALLBACK_SECONDS * 0.9 <= waited < notifications.FALLBACK_SECONDS * 3


def test_without_redis_the_waiter_polls_and_publishing_does_not_raise() -> None:
    async def scenario() -> float:
        async with notifications.changes(DEAD_URL, 1) as changed:
            start = time.monotonic()
            await changed(30.0)
            return time.monotonic() - start

    waited = asyncio.run(scenario())
    assert waited < notifications.POLL_SECONDS * 3
    dead = Redis.from_url(DEAD_URL)
    notifications.publish_changed(dead, 1)  # logged, not raised: the database is the truth
    dead.close()
