"""Long-polls: hold a request until a submission reaches the state the caller waits for, or its
time is up, without holding a database connection while waiting (one short read per change)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from grader.services.notifications import ChangeHub
from grader.services.ratelimit import WaitSlots

T = TypeVar("T")


async def hold_until(
    load: Callable[[], T],
    done: Callable[[T], bool],
    submission_id: int,
    seconds: float,
    changes: ChangeHub,
    waits: WaitSlots,
    caller: str,
) -> T:
    """`load()` once `done` holds for it or `seconds` have passed (0: at once). While it waits
    the request takes one of `caller`'s wait slots (429 past the caps) and re-reads whenever
    the submission is announced changed. The watch starts before the first read, so a change
    between the two is not missed."""
    if seconds <= 0:
        return await run_in_threadpool(load)
    deadline = time.monotonic() + seconds
    with waits.hold(caller):
        async with changes.watch(submission_id) as changed:
            while True:
                seen = await run_in_threadpool(load)
                if done(seen) or time.monotonic() >= deadline:
                    return seen
                await changed(deadline - time.monotonic())
