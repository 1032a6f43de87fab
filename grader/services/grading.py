"""A submission's life after it is queued: claim, record, retry, give up.

Every transition is one guarded UPDATE keyed by (id, attempts, status), so of two copies of a
job (an rq duplicate, or a job the reaper presumed lost) only one claims an attempt, and a late
one can never write a second result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grader.db.models import Submission, SubmissionStatus, utcnow
from grader.queue import grading_job_id
from worker.result import GradeResult, Verdict

log = logging.getLogger(__name__)

Enqueue = Callable[[int, int], None]


@dataclass(frozen=True)
class Claim:
    submission_id: int
    attempt: int


def claim(session: Session, submission_id: int) -> Claim | None:
    """Mark the queued submission running; None if it is not queued (another copy has it)."""
    row = session.execute(
        select(Submission.status, Submission.attempts).where(Submission.id == submission_id)
    ).one_or_none()
    if row is None or row.status is not SubmissionStatus.QUEUED:
        return None
    now = utcnow()
    updated = session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.attempts == row.attempts,
            Submission.status == SubmissionStatus.QUEUED,
        )
        .values(status=SubmissionStatus.RUNNING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return Claim(submission_id, row.attempts) if updated == 1 else None


class Recorded(StrEnum):
    COMPLETED = "completed"
    RETRYING = "retrying"
    GAVE_UP = "gave_up"
    STALE = "stale"
    """Another attempt owns the submission now; nothing was written."""


def record(
    session: Session, claimed: Claim, result: GradeResult, max_attempts: int, enqueue: Enqueue
) -> Recorded:
    """Write the attempt's outcome once. A candidate-caused verdict is final; an internal error
    is retried while attempts remain, then the submission ends as `error`."""
    now = utcnow()
    guard = (
        Submission.id == claimed.submission_id,
        Submission.attempts == claimed.attempt,
        Submission.status == SubmissionStatus.RUNNING,
    )
    if result.verdict is not Verdict.INTERNAL_ERROR:
        values = dict(
            status=SubmissionStatus.COMPLETED,
            verdict=result.verdict.value,
            score=result.score,
            max_score=result.max_score,
            duration_ms=result.duration_ms,
            result=result.model_dump(mode="json"),
            error=None,
            finished_at=now,
            updated_at=now,
        )
        outcome = Recorded.COMPLETED
    elif claimed.attempt < max_attempts:
        values = dict(
            status=SubmissionStatus.QUEUED,
            attempts=claimed.attempt + 1,
            error=result.error,
            updated_at=now,
        )
        outcome = Recorded.RETRYING
    else:
        values = dict(
            status=SubmissionStatus.ERROR,
            verdict=result.verdict.value,
            result=result.model_dump(mode="json"),
            duration_ms=result.duration_ms,
            error=f"grading failed {claimed.attempt} times; last: {result.error}",
            finished_at=now,
            updated_at=now,
        )
        outcome = Recorded.GAVE_UP
    updated = session.execute(
        update(Submission)
        .where(*guard)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if updated != 1:
        log.warning(
            "submission %s attempt %s: superseded, result dropped",
            claimed.submission_id,
            claimed.attempt,
        )
        return Recorded.STALE
    if outcome is Recorded.RETRYING:
        _enqueue_quietly(enqueue, claimed.submission_id, claimed.attempt + 1)
    return outcome


def release(session: Session, claimed: Claim, reason: str) -> bool:
    """Hand a claimed submission back, unjudged and at no cost: `running` -> `queued` with the
    same attempt, for another worker (its host's Docker daemon is gone). False if another
    attempt owns it now."""
    now = utcnow()
    updated = session.execute(
        update(Submission)
        .where(
            Submission.id == claimed.submission_id,
            Submission.attempts == claimed.attempt,
            Submission.status == SubmissionStatus.RUNNING,
        )
        .values(status=SubmissionStatus.QUEUED, started_at=None, error=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(updated == 1)


@dataclass
class ReapReport:
    requeued: list[int]
    gave_up: list[int]


def requeue_stale(
    session: Session,
    deadline: timedelta,
    max_attempts: int,
    enqueue: Enqueue,
    pending: Collection[str] = (),
    job_id: Callable[[int, int], str] = grading_job_id,
) -> ReapReport:
    """Re-enqueue submissions queued or running for longer than `deadline` (their job was lost:
    Redis flushed, worker killed, enqueue failed), or mark them `error` once out of attempts.

    A queued submission whose job (`job_id(id, attempts)`) is among the `pending` jobs Redis
    still holds is only waiting its turn behind a backlog (or for Docker): it is left alone,
    however long it waits. Read `pending` before calling this, never after.
    """
    now = utcnow()
    stale = session.execute(
        select(Submission.id, Submission.status, Submission.attempts)
        .where(
            Submission.status.in_([SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]),
            Submission.updated_at < now - deadline,
        )
        .order_by(Submission.id)
    ).all()
    report = ReapReport([], [])
    for row in stale:
        if row.status is SubmissionStatus.QUEUED and job_id(row.id, row.attempts) in pending:
            continue
        guard = (
            Submission.id == row.id,
            Submission.attempts == row.attempts,
            Submission.status == row.status,
        )
        if row.attempts >= max_attempts:
            values = dict(
                status=SubmissionStatus.ERROR,
                finished_at=now,
                updated_at=now,
                error=f"gave up after {row.attempts} attempts: the last one was {row.status.value}"
                f" for over {deadline.total_seconds():g} s",
            )
        else:
            values = dict(
                status=SubmissionStatus.QUEUED,
                attempts=row.attempts + 1,
                started_at=None,
                updated_at=now,
            )
        updated = session.execute(
            update(Submission)
            .where(*guard)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
        if updated != 1:
            continue  # it moved on while we looked
        if row.attempts >= max_attempts:
            report.gave_up.append(row.id)
        else:
            report.requeued.append(row.id)
            _enqueue_quietly(enqueue, row.id, row.attempts + 1)
    return report


def _enqueue_quietly(enqueue: Enqueue, submission_id: int, attempt: int) -> None:
    try:
        enqueue(submission_id, attempt)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission_id)
