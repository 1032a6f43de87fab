"""A "submission N changed" hint over Redis pub/sub, from the worker to long-polling API requests.

The database stays the only truth: a waiter re-reads the submission when told, and at least
every `FALLBACK_SECONDS` anyway, so a lost message (Redis restarted, publish failed) only
costs latency, never a result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

import redis.asyncio
import redis.exceptions

from grader.queue import RedisClient

log = logging.getLogger(__name__)

#: A waiter re-reads the database this often even without a message.
FALLBACK_SECONDS = 1.0
#: Without Redis pub/sub (it failed), the waiter polls the database this often.
POLL_SECONDS = 0.25


def channel(submission_id: int) -> str:
    return f"grader:submission:{submission_id}"


def publish_changed(redis_client: RedisClient, submission_id: int) -> None:
    """Wake the requests waiting on this submission; failures are logged, never raised."""
    try:
        redis_client.publish(channel(submission_id), b"changed")
    except redis.exceptions.RedisError as exc:
        log.warning("could not publish submission %s's change: %s", submission_id, exc)


class Waiter(Protocol):
    async def __call__(self, timeout: float) -> None: ...


@asynccontextmanager
async def changes(redis_url: str, submission_id: int) -> AsyncIterator[Waiter]:
    """Subscribe; yields `wait(timeout)`, which returns when told or after min(timeout,
    FALLBACK_SECONDS). Subscribe before reading the database, so that no change is missed."""
    client = redis.asyncio.Redis.from_url(redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel(submission_id))
    except (redis.exceptions.RedisError, OSError) as exc:
        log.warning("long-poll without pub/sub (polling the database): %s", exc)
        await client.aclose()  # type: ignore[attr-defined]

        async def poll(timeout: float) -> None:
            await asyncio.sleep(max(0.0, min(timeout, POLL_SECONDS)))

        yield poll
        return

    async def wait(timeout: float) -> None:
        end = time.monotonic() + max(0.0, min(timeout, FALLBACK_SECONDS))
        try:
            # None also comes back for the subscription's own confirmation: wait on.
            while (left := end - time.monotonic()) > 0:
                if await pubsub.get_message(timeout=left) is not None:
                    return
        except (redis.exceptions.RedisError, OSError):
            await asyncio.sleep(max(0.0, min(end - time.monotonic(), POLL_SECONDS)))

    try:
        yield wait
    finally:
        try:
            await pubsub.aclose()  # type: ignore[attr-defined]  # types-redis lags redis 5+
            await client.aclose()  # type: ignore[attr-defined]
        except (redis.exceptions.RedisError, OSError):
            pass
