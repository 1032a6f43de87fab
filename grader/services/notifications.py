"""A "submission N changed" hint over Redis pub/sub, from the worker to long-polling API requests.

Each API process holds one subscription (a `ChangeHub`), shared by all its waiting requests, so
hundreds of waits cost one Redis connection and no database connection. The database stays the
only truth: a waiter re-reads the submission when told, and at least every `FALLBACK_SECONDS`
anyway, so a lost message (Redis restarted, publish failed) only costs latency, never a result.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Protocol

import redis.asyncio
import redis.exceptions
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from grader.queue import RedisClient

log = logging.getLogger(__name__)

#: A waiter re-reads the database this often even without a message.
FALLBACK_SECONDS = 1.0
PREFIX = "grader:submission:"


def channel(submission_id: int) -> str:
    return f"{PREFIX}{submission_id}"


def publish_changed(redis_client: RedisClient, submission_id: int) -> None:
    """Wake the requests waiting on this submission; failures are logged, never raised."""
    try:
        redis_client.publish(channel(submission_id), b"changed")
    except redis.exceptions.RedisError as exc:
        log.warning("could not publish submission %s's change: %s", submission_id, exc)


class Waiter(Protocol):
    async def __call__(self, timeout: float) -> None: ...


class ChangeHub:
    """One pattern subscription to every submission's channel, fanned out to local waiters."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._waiters: defaultdict[int, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="change-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        """Listen for ever, reconnecting with backoff while Redis is away."""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((redis.exceptions.RedisError, OSError)),
            wait=wait_exponential(multiplier=0.5, max=10),
            before_sleep=lambda state: log.warning(
                "long-poll wake-ups paused (waiters poll the database): %s",
                state.outcome.exception() if state.outcome else None,
            ),
        ):
            with attempt:
                await self._listen()

    async def _listen(self) -> None:
        client = redis.asyncio.Redis.from_url(self.redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(f"{PREFIX}*")
            self.subscribed.set()
            async for message in pubsub.listen():
                name = message.get("channel", b"")
                name = name.decode() if isinstance(name, bytes) else str(name)
                try:
                    submission_id = int(name.removeprefix(PREFIX))
                except ValueError:
                    continue
                for event in self._waiters.get(submission_id, ()):
                    event.set()
        finally:
            self.subscribed.clear()
            with suppress(redis.exceptions.RedisError, OSError):
                await pubsub.aclose()  # type: ignore[attr-defined]  # types-redis lags redis 5+
                await client.aclose()  # type: ignore[attr-defined]

    @asynccontextmanager
    async def watch(self, submission_id: int) -> AsyncIterator[Waiter]:
        """Yields `wait(timeout)`, which returns when the submission is said to have changed,
        or after min(timeout, FALLBACK_SECONDS). Enter it before reading the database, so that
        no change in between is missed."""
        event = asyncio.Event()
        self._waiters[submission_id].add(event)

        async def wait(timeout: float) -> None:
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), max(0.0, min(timeout, FALLBACK_SECONDS)))
            event.clear()

        try:
            yield wait
        finally:
            waiters = self._waiters[submission_id]
            waiters.discard(event)
            if not waiters:
                del self._waiters[submission_id]
