"""The grading queue: one rq queue on Redis (one queue per worker lets rq dequeue with BLMOVE,
which has no loss window). Redis only carries jobs; the database decides what is owed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

if TYPE_CHECKING:
    RedisClient = Redis[bytes]
else:
    RedisClient = Redis

QUEUE_NAME = "grading"
JOB_FUNCTION = "worker.jobs.grade_submission"
VALIDATION_FUNCTION = "worker.jobs.validate_challenge_version"
CALLBACK_FUNCTION = "worker.jobs.deliver_callback"


def grading_queue(redis: RedisClient, job_timeout: int) -> Queue:
    return Queue(QUEUE_NAME, connection=redis, default_timeout=job_timeout)


def grading_job_id(submission_id: int, attempt: int) -> str:
    return f"submission-{submission_id}-attempt-{attempt}"


def enqueue_grading(queue: Queue, submission_id: int, attempt: int) -> None:
    """Enqueue one attempt; the id names the attempt so a re-enqueue never collides."""
    queue.enqueue_call(
        JOB_FUNCTION,
        args=(submission_id,),
        job_id=grading_job_id(submission_id, attempt),
        result_ttl=0,  # the result lives in the database
        failure_ttl=24 * 3600,
        description=f"grade submission {submission_id} (attempt {attempt})",
    )


def enqueue_validation(queue: Queue, version_id: int) -> None:
    """Prove an uploaded challenge version's suite (several gradings: a long job)."""
    queue.enqueue_call(
        VALIDATION_FUNCTION,
        args=(version_id,),
        job_id=f"challenge-version-{version_id}",
        result_ttl=0,
        failure_ttl=24 * 3600,
        description=f"validate challenge version {version_id}",
    )


def enqueue_callback(queue: Queue, submission_id: int) -> None:
    """Tell the submission's callback URL its final status (the job retries with backoff)."""
    queue.enqueue_call(
        CALLBACK_FUNCTION,
        args=(submission_id,),
        job_id=f"callback-{submission_id}",
        result_ttl=0,
        failure_ttl=24 * 3600,
        description=f"callback for submission {submission_id}",
    )


def pending_jobs(queue: Queue) -> set[str]:
    """Ids of the jobs Redis holds as waiting (the queue, rq's intermediate list) or running
    (the started registry, its entry not expired). Read in that order, so that a job moving
    from one to the next while we look is seen at least once."""
    redis = queue.connection
    ids = {raw.decode() for raw in redis.lrange(queue.key, 0, -1)}
    ids |= {raw.decode() for raw in redis.lrange(queue.intermediate_queue_key, 0, -1)}
    started = StartedJobRegistry(queue=queue)
    for raw in redis.zrangebyscore(started.key, time.time(), "+inf"):
        ids.add(raw.decode().split(":", 1)[0])  # "{job id}:{execution id}"
    return ids
