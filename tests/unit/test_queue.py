"""Which grading jobs Redis still holds (the reaper's view), against a real Redis (db 15)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry

from grader.queue import (
    JOB_FUNCTION,
    RedisClient,
    enqueue_grading,
    grading_job_id,
    pending_jobs,
    upgrade_legacy_jobs,
)

URL = "redis://127.0.0.1:6379/15"
#: Submission ids no other user of db 15 is likely to use at the same moment.
IDS = [secrets.randbelow(10**9) * 10 + i for i in range(4)]


@pytest.fixture
def queue() -> Iterator[Queue]:
    redis: RedisClient = Redis.from_url(URL)
    try:
        redis.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {URL}")
    name = f"unit-{secrets.token_hex(4)}"  # its own queue: db 15 may be shared
    q = Queue(name, connection=redis)
    yield q
    keys = redis.keys(f"*{name}*") + [f"rq:job:{grading_job_id(i, 1, 1)}" for i in IDS]
    if keys:
        redis.delete(*keys)


def test_pending_jobs_sees_waiting_dequeued_and_running_jobs_only(queue: Queue) -> None:
    redis = queue.connection
    waiting, taken, running, expired = IDS
    for submission_id in IDS:
        enqueue_grading(queue, submission_id, 1, 1)
    assert pending_jobs(queue) == {grading_job_id(i, 1, 1) for i in IDS}
    # Taken by a worker (rq's BLMOVE to its intermediate list); running; running, but its
    # registry entry expired (its worker died long ago).
    redis.lrem(queue.key, 0, grading_job_id(taken, 1, 1))
    redis.rpush(queue.intermediate_queue_key, grading_job_id(taken, 1, 1))
    started = StartedJobRegistry(queue=queue)
    for submission_id, expires in ((running, time.time() + 60), (expired, time.time() - 1)):
        redis.lrem(queue.key, 0, grading_job_id(submission_id, 1, 1))
        redis.zadd(started.key, {f"{grading_job_id(submission_id, 1, 1)}:exec-1": expires})
    assert pending_jobs(queue) == {grading_job_id(i, 1, 1) for i in (waiting, taken, running)}


def test_jobs_queued_under_the_old_job_path_are_reenqueued_under_the_new_one(queue: Queue) -> None:
    old, current = IDS[0], IDS[1]
    queue.enqueue_call(
        "worker.jobs.grade_submission", args=(old,), job_id=grading_job_id(old, 1, 1), result_ttl=0
    )
    enqueue_grading(queue, current, 1, 1)
    assert upgrade_legacy_jobs(queue) == 1
    assert set(queue.get_job_ids()) == {grading_job_id(old, 1, 1), grading_job_id(current, 1, 1)}
    moved = Job.fetch(grading_job_id(old, 1, 1), connection=queue.connection)
    assert (moved.func_name, moved.args) == (JOB_FUNCTION, (old,))
    assert upgrade_legacy_jobs(queue) == 0
