"""Per-caller rate limits in Redis: a fixed one-minute window per key, shared by all API
processes."""

from __future__ import annotations

import time

from redis.exceptions import RedisError

from grader.errors import RateLimited, Unavailable
from grader.queue import RedisClient

WINDOW_SECONDS = 60
#: Retry-After when Redis does not answer (a restart takes seconds).
UNAVAILABLE_RETRY_SECONDS = 5


def hit(redis: RedisClient, subject: str, limit: int, now: float | None = None) -> None:
    """Count one request by `subject`; `RateLimited` once the window holds more than `limit`.

    Without Redis the request is refused (`Unavailable`, 503) before anything is stored: the
    queue is down too, and the caller is told when to retry instead of getting a 500."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"grader:ratelimit:{subject}:{window}"
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS + 5)
    try:
        count, _ = pipe.execute()
    except RedisError as exc:
        raise Unavailable(
            f"the grading queue is unavailable ({type(exc).__name__}); nothing was stored, "
            f"retry in {UNAVAILABLE_RETRY_SECONDS} s",
            UNAVAILABLE_RETRY_SECONDS,
        ) from exc
    if int(count) > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise RateLimited(
            f"more than {limit} submissions in a minute; retry in {retry_after} s", retry_after
        )
