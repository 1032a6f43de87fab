"""The long-poll's wake-up: a published change ends the wait at once; without Redis, the wait
still ends after the fallback (the database is re-read then)."""

from __future__ import annotations

import asyncio
import secrets
import time

from redis import Redis

from grader.queue import RedisClient
from grader.services import notifications
from tests.unit.conftest import REDIS_URL

#: Nothing listens here (a port below 1024 that no test server binds).
DEAD_URL = "redis://127.0.0.1:9/0"


def waited(url: str, submission_id: int, publish: RedisClient | None = None) -> float:
    """Seconds one `wait(30)` lasts; with `publish`, the change is published after 0.2 s."""

    async def scenario() -> float:
        hub = notifications.ChangeHub(url)
        hub.start()
        if url != DEAD_URL:
            await asyncio.wait_for(hub.subscribed.wait(), 5)
        try:
            async with hub.watch(submission_id) as wait:
                if publish is not None:
                    loop = asyncio.get_running_loop()
                    loop.call_later(0.2, notifications.publish_changed, publish, submission_id)
                start = time.monotonic()
                await wait(30.0)
                return time.monotonic() - start
        finally:
            await hub.stop()

    return asyncio.run(scenario())


def test_a_published_change_wakes_the_waiter_at_once(unit_redis: RedisClient) -> None:
    submission_id = secrets.randbelow(10**9) + 10**9
    # Told after 0.2 s; without the message the wait would last FALLBACK_SECONDS.
    assert 0.1 < waited(REDIS_URL, submission_id, unit_redis) < notifications.FALLBACK_SECONDS * 0.9


def test_another_submissions_change_does_not_wake_the_waiter(unit_redis: RedisClient) -> None:
    submission_id = secrets.randbelow(10**9) + 10**9

    async def scenario() -> float:
        hub = notifications.ChangeHub(REDIS_URL)
        hub.start()
        await asyncio.wait_for(hub.subscribed.wait(), 5)
        try:
            async with hub.watch(submission_id) as wait:
                notifications.publish_changed(unit_redis, submission_id + 1)
                start = time.monotonic()
                await wait(30.0)
                return time.monotonic() - start
        finally:
            await hub.stop()

    assert asyncio.run(scenario()) >= notifications.FALLBACK_SECONDS * 0.9


def test_without_a_message_the_wait_ends_after_the_fallback(unit_redis: RedisClient) -> None:
    fallback = notifications.FALLBACK_SECONDS
    assert fallback * 0.9 <= waited(REDIS_URL, secrets.randbelow(10**9)) < fallback * 3


def test_without_redis_the_wait_ends_after_the_fallback_and_publishing_does_not_raise() -> None:
    assert waited(DEAD_URL, 1) < notifications.FALLBACK_SECONDS * 3
    dead = Redis.from_url(DEAD_URL)
    notifications.publish_changed(dead, 1)  # logged, not raised: the database is the truth
    dead.close()
