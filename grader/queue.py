"""The grading queue: one rq queue on Redis (one queue per worker lets rq dequeue with BLMOVE,
which has no loss window). Redis only carries jobs; the database decides what is owed."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from redis import Redis
from rq import Queue, Retry
from rq.job import Job

if TYPE_CHECKING:
    RedisClient = Redis[bytes]
else:
    RedisClient = Redis

log = logging.getLogger(__name__)

QUEUE_NAME = "grading"
JOB_FUNCTION = "grader.jobs.grade_submission"
VALIDATION_FUNCTION = "grader.jobs.validate_challenge_version"
WEBHOOK_FUNCTION = "grader.jobs.deliver_webhook"
#: Kept for jobs an older release queued (see `LEGACY_FUNCTIONS`).
CALLBACK_FUNCTION = "grader.jobs.deliver_callback"
#: Where the job functions lived before they moved into the service: jobs queued under these
#: names by an older release are re-enqueued under the new ones (`upgrade_legacy_jobs`).
LEGACY_FUNCTIONS = {
    "worker.jobs.grade_submission": JOB_FUNCTION,
    "worker.jobs.validate_challenge_version": VALIDATION_FUNCTION,
    "worker.jobs.deliver_callback": CALLBACK_FUNCTION,
}
#: How long rq keeps a failed job for an admin to look at.
FAILURE_TTL = 24 * 3600
#: How often rq puts a grading job back in the queue when its worker's Docker daemon is gone
#: (`grader.jobs.DaemonAway`): another host's worker takes it; no attempt of the candidate's.
HAND_BACKS = 20


def grading_queue(redis: RedisClient, job_timeout: int) -> Queue:
    return Queue(QUEUE_NAME, connection=redis, default_timeout=job_timeout)


def grading_job_id(submission_id: int, round_: int, attempt: int) -> str:
    """`submission-7-attempt-2` for the first round, `submission-7-round-2-attempt-1` after."""
    if round_ == 1:
        return f"submission-{submission_id}-attempt-{attempt}"
    return f"submission-{submission_id}-round-{round_}-attempt-{attempt}"


def _enqueue(
    queue: Queue,
    function: str,
    arg: int,
    job_id: str,
    description: str,
    retry: Retry | None = None,
) -> None:
    queue.enqueue_call(
        function,
        args=(arg,),
        job_id=job_id,
        result_ttl=0,  # the result lives in the database
        failure_ttl=FAILURE_TTL,
        description=description,
        retry=retry,
    )


def enqueue_grading(queue: Queue, submission_id: int, round_: int, attempt: int) -> None:
    """Enqueue one attempt; the id names the round and attempt so a re-enqueue never collides."""
    _enqueue(
        queue,
        JOB_FUNCTION,
        submission_id,
        grading_job_id(submission_id, round_, attempt),
        f"grade submission {submission_id} (round {round_}, attempt {attempt})",
        Retry(max=HAND_BACKS),
    )


def grading_enqueuer(queue: Queue) -> Callable[[int, int, int], None]:
    """`enqueue(submission_id, round, attempt)` on `queue`: what services take to enqueue."""
    return partial(enqueue_grading, queue)


def enqueue_validation(queue: Queue, version_id: int) -> None:
    """Prove an uploaded challenge version's suite (several gradings: a long job)."""
    _enqueue(
        queue,
        VALIDATION_FUNCTION,
        version_id,
        f"challenge-version-{version_id}",
        f"validate challenge version {version_id}",
    )


def enqueue_webhook(queue: Queue, delivery_id: int) -> None:
    """One attempt of a webhook delivery (leased: see `grader.services.webhooks.lease_due`)."""
    _enqueue(
        queue,
        WEBHOOK_FUNCTION,
        delivery_id,
        f"webhook-{delivery_id}-{secrets.token_hex(4)}",
        f"webhook delivery {delivery_id}",
    )


def pending_jobs(queue: Queue) -> set[str]:
    """Ids of the jobs Redis holds as waiting (the queue, rq's intermediate list) or running
    (the started registry, expired entries cleaned up first). Read in that order, so that a job
    moving from one to the next while we look is seen at least once."""
    ids = set(queue.get_job_ids())
    ids |= set(queue.intermediate_queue.get_job_ids())
    ids |= set(queue.started_job_registry.get_job_ids())
    return ids


def upgrade_legacy_jobs(queue: Queue) -> int:
    """Re-enqueue, under their new function names and the same ids, the waiting jobs an older
    release queued (`LEGACY_FUNCTIONS`); returns how many."""
    moved = 0
    for job in Job.fetch_many(queue.get_job_ids(), connection=queue.connection):
        if job is None or job.func_name not in LEGACY_FUNCTIONS:
            continue
        function, args, description = LEGACY_FUNCTIONS[job.func_name], job.args, job.description
        queue.remove(job)
        job.delete()
        queue.enqueue_call(
            function,
            args=args,
            job_id=job.id,
            result_ttl=0,
            failure_ttl=FAILURE_TTL,
            description=description,
        )
        moved += 1
    if moved:
        log.warning("re-enqueued %s job(s) queued under the old job paths", moved)
    return moved
