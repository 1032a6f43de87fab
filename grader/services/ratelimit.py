"""Per-caller rate limits in Redis: a fixed one-minute window per key, shared by all API
processes."""

from __future__ import annotations

import time

from grader.errors import RateLimited
from grader.queue import RedisClient

WINDOW_SECONDS = 60


def hit(redis: RedisClient, subject: str, limit: int, now: float | None = None) -> None:
    """Count one request by `subject`; `RateLimited` once the window holds more than `limit`."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"grader:ratelimit:{subject}:{window}"
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS + 5)
    count, _ = pipe.execute()
    if int(count) > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise RateLimited(
            f"more than {limit} submissions in a minute; retry in {retry_after} s", retry_after
        )
