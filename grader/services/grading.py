"""A submission's life after it is queued: claim, record, retry, give up, hand back, regrade.

Every transition of the submission is one guarded UPDATE keyed by (id, round, attempts,
status), so of two copies of a job (an rq duplicate, or a job the reaper presumed lost) only one
claims an attempt, and a late one can never write a second result. Each claim opens a `Grading`
row and each outcome closes it: the history of a submission is never overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from grader.db.models import (
    Grading,
    GradingReason,
    GradingStatus,
    Submission,
    SubmissionStatus,
    utcnow,
)
from grader.queue import grading_job_id
from worker.result import GradeResult, Verdict

log = logging.getLogger(__name__)

Enqueue = Callable[[int, int, int], None]
"""enqueue(submission_id, round, attempt)"""


@dataclass(frozen=True)
class Claim:
    submission_id: int
    round: int
    attempt: int
    grading_id: int


Guard = tuple[ColumnElement[bool], ...]


def _guard(submission_id: int, round_: int, attempt: int, status: SubmissionStatus) -> Guard:
    return (
        Submission.id == submission_id,
        Submission.round == round_,
        Submission.attempts == attempt,
        Submission.status == status,
    )


def _update(session: Session, guard: Guard, **values: object) -> bool:
    """One guarded UPDATE of a submission; True if it matched (the caller commits)."""
    matched = session.execute(
        update(Submission)
        .where(*guard)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(matched == 1)


def claim(session: Session, submission_id: int) -> Claim | None:
    """Mark the queued submission running and open its grading; None if it is not queued
    (another copy of the job has it)."""
    row = session.execute(
        select(
            Submission.status,
            Submission.round,
            Submission.attempts,
            Submission.round_reason,
            Submission.round_requested_by_id,
            Submission.challenge_version_id,
        ).where(Submission.id == submission_id)
    ).one_or_none()
    if row is None or row.status is not SubmissionStatus.QUEUED:
        return None
    now = utcnow()
    guard = _guard(submission_id, row.round, row.attempts, SubmissionStatus.QUEUED)
    if not _update(session, guard, status=SubmissionStatus.RUNNING, started_at=now, updated_at=now):
        session.rollback()
        return None
    first = row.attempts == 1
    grading = Grading(
        submission_id=submission_id,
        round=row.round,
        attempt=row.attempts,
        reason=row.round_reason if first else GradingReason.RETRY,
        requested_by_id=row.round_requested_by_id if first else None,
        challenge_version_id=row.challenge_version_id,
        status=GradingStatus.RUNNING,
        started_at=now,
    )
    session.add(grading)
    session.commit()
    return Claim(submission_id, row.round, row.attempts, grading.id)


class Recorded(StrEnum):
    COMPLETED = "completed"
    RETRYING = "retrying"
    GAVE_UP = "gave_up"
    STALE = "stale"
    """Another attempt owns the submission now; nothing was written."""


def _close_grading(session: Session, grading_id: int, **values: object) -> None:
    session.execute(
        update(Grading)
        .where(Grading.id == grading_id)
        .values(finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )


def record(
    session: Session, claimed: Claim, result: GradeResult, max_attempts: int, enqueue: Enqueue
) -> Recorded:
    """Write the attempt's outcome once. A candidate-caused verdict is final; an internal error
    is retried while the round has attempts left, then the submission ends as `error`."""
    now = utcnow()
    guard = _guard(claimed.submission_id, claimed.round, claimed.attempt, SubmissionStatus.RUNNING)
    document = result.model_dump(mode="json")
    if result.verdict is not Verdict.INTERNAL_ERROR:
        values: dict[str, object] = dict(
            status=SubmissionStatus.COMPLETED,
            verdict=result.verdict.value,
            score=result.score,
            max_score=result.max_score,
            duration_ms=result.duration_ms,
            result=document,
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
            result=document,
            duration_ms=result.duration_ms,
            error=f"grading failed {claimed.attempt} times; last: {result.error}",
            finished_at=now,
            updated_at=now,
        )
        outcome = Recorded.GAVE_UP
    if not _update(session, guard, **values):
        session.rollback()
        log.warning(
            "submission %s round %s attempt %s: superseded, result dropped",
            claimed.submission_id,
            claimed.round,
            claimed.attempt,
        )
        return Recorded.STALE
    _close_grading(
        session,
        claimed.grading_id,
        status=GradingStatus.COMPLETED
        if outcome is Recorded.COMPLETED
        else GradingStatus.INTERNAL_ERROR,
        verdict=result.verdict.value,
        score=result.score,
        max_score=result.max_score,
        duration_ms=result.duration_ms,
        result=document,
        error=result.error,
    )
    session.commit()
    if outcome is Recorded.RETRYING:
        _enqueue_quietly(enqueue, claimed.submission_id, claimed.round, claimed.attempt + 1)
    return outcome


def release(session: Session, claimed: Claim, reason: str) -> bool:
    """Hand a claimed submission back, unjudged and at no cost: `running` -> `queued` with the
    same attempt, for another worker (its host's Docker daemon is gone). False if another
    attempt owns it now."""
    guard = _guard(claimed.submission_id, claimed.round, claimed.attempt, SubmissionStatus.RUNNING)
    released = _update(
        session,
        guard,
        status=SubmissionStatus.QUEUED,
        started_at=None,
        error=reason,
        updated_at=utcnow(),
    )
    if released:
        _close_grading(session, claimed.grading_id, status=GradingStatus.HANDED_BACK, error=reason)
    session.commit()
    return released


def regrade_round(
    session: Session, submission: Submission, version_id: int, requested_by: int | None
) -> bool:
    """Queue a finished submission for a new round of grading against `version_id`, at no cost
    to its retries; False if it changed meanwhile. The previous gradings stay as they are."""
    guard = _guard(submission.id, submission.round, submission.attempts, submission.status)
    moved = _update(
        session,
        guard,
        status=SubmissionStatus.QUEUED,
        round=submission.round + 1,
        attempts=1,
        round_reason=GradingReason.REGRADE,
        round_requested_by_id=requested_by,
        challenge_version_id=version_id,
        verdict=None,
        score=None,
        max_score=None,
        duration_ms=None,
        result=None,
        error=None,
        started_at=None,
        finished_at=None,
        updated_at=utcnow(),
    )
    session.commit()
    return moved


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
    job_id: Callable[[int, int, int], str] = grading_job_id,
) -> ReapReport:
    """Re-enqueue submissions queued or running for longer than `deadline` (their job was lost:
    Redis flushed, worker killed, enqueue failed), or mark them `error` once out of attempts.

    A queued submission whose job (`job_id(id, round, attempts)`) is among the `pending` jobs
    Redis still holds is only waiting its turn behind a backlog (or for Docker): it is left
    alone, however long it waits. Read `pending` before calling this, never after.
    """
    now = utcnow()
    stale = session.execute(
        select(Submission.id, Submission.status, Submission.round, Submission.attempts)
        .where(
            Submission.status.in_([SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]),
            Submission.updated_at < now - deadline,
        )
        .order_by(Submission.id)
    ).all()
    report = ReapReport([], [])
    for row in stale:
        if (
            row.status is SubmissionStatus.QUEUED
            and job_id(row.id, row.round, row.attempts) in pending
        ):
            continue
        guard = _guard(row.id, row.round, row.attempts, row.status)
        out_of_attempts = row.attempts >= max_attempts
        if out_of_attempts:
            values: dict[str, object] = dict(
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
        if not _update(session, guard, **values):
            session.rollback()
            continue  # it moved on while we looked
        session.execute(
            update(Grading)
            .where(
                Grading.submission_id == row.id,
                Grading.round == row.round,
                Grading.attempt == row.attempts,
                Grading.status == GradingStatus.RUNNING,
            )
            .values(status=GradingStatus.LOST, finished_at=now, error="its job was lost")
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if out_of_attempts:
            report.gave_up.append(row.id)
        else:
            report.requeued.append(row.id)
            _enqueue_quietly(enqueue, row.id, row.round, row.attempts + 1)
    return report


def _enqueue_quietly(enqueue: Enqueue, submission_id: int, round_: int, attempt: int) -> None:
    try:
        enqueue(submission_id, round_, attempt)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission_id)
