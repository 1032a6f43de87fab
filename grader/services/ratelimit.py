"""Limits on what one caller may hold or do: submissions per minute (a moving one-minute window
in Redis, the `limits` package, shared by every API process: no burst of twice the limit fits
across a window's edge) and long-polls held at once (per API process)."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from limits import RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from grader.errors import RateLimited, Unavailable
from grader.queue import RedisClient

KEY_PREFIX = "grader:ratelimit"
#: Retry-After when Redis does not answer (a restart takes seconds).
UNAVAILABLE_RETRY_SECONDS = 5


class SubmissionLimiter:
    def __init__(self, redis: RedisClient) -> None:
        storage = RedisStorage(
            "redis://",  # only the scheme counts: the connections are `redis`'s
            connection_pool=redis.connection_pool,
            key_prefix=KEY_PREFIX,
            wrap_exceptions=True,
        )
        self._limiter = MovingWindowRateLimiter(storage)

    def hit(self, subject: str, per_minute: int, what: str = "submissions") -> None:
        """Count one submission (or one of `what`) by `subject`; `RateLimited` once the last
        minute holds `per_minute` already.

        Without Redis the request is refused (`Unavailable`, 503) before anything is stored: the
        queue is down too, and the caller is told when to retry instead of getting a 500."""
        item = RateLimitItemPerMinute(per_minute)
        try:
            if self._limiter.hit(item, subject):
                return
            reset_time = self._limiter.get_window_stats(item, subject).reset_time
        except (StorageError, RedisError, OSError) as exc:
            raise Unavailable(
                f"the grading queue is unavailable ({type(exc).__name__}); nothing was stored, "
                f"retry in {UNAVAILABLE_RETRY_SECONDS} s",
                UNAVAILABLE_RETRY_SECONDS,
            ) from exc
        retry_after = max(1, math.ceil(reset_time - time.time()))
        raise RateLimited(
            f"more than {per_minute} {what} in a minute; retry in {retry_after} s",
            retry_after,
        )


#: Retry-After for a long-poll refused because too many are held.
WAIT_RETRY_SECONDS = 1


class WaitSlots:
    """Long-polls held at once in this API process, per caller and in all. Past either cap a
    new wait is refused (`RateLimited`, 429): one caller's hundreds of waits must not stall
    anyone else's requests."""

    def __init__(self, per_caller: int, total: int) -> None:
        self.per_caller = per_caller
        self.total = total
        self._held: Counter[str] = Counter()

    @contextmanager
    def hold(self, subject: str) -> Iterator[None]:
        if self._held[subject] >= self.per_caller:
            raise RateLimited(
                f"{self.per_caller} long-polls are already waiting for you; poll without "
                "`wait` or wait for one to end",
                WAIT_RETRY_SECONDS,
            )
        if sum(self._held.values()) >= self.total:
            raise RateLimited(
                "the server holds as many long-polls as it takes; retry shortly",
                WAIT_RETRY_SECONDS,
            )
        self._held[subject] += 1
        try:
            yield
        finally:
            self._held[subject] -= 1
            if not self._held[subject]:
                del self._held[subject]
