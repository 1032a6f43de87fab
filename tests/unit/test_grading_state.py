"""A submission's state machine: claims, single writes, retries, the reaper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from grader.db.models import Challenge, Submission, SubmissionStatus, User, utcnow
from grader.errors import ChallengeClosed, InvalidSubmission, NotFound
from grader.queue import grading_job_id
from grader.services import grading, submissions
from grader.services.grading import Enqueue
from grader.services.submissions import (
    NewSubmission,
    SubmissionRules,
    Submitter,
    get_submission,
)
from worker.result import GradeResult, Verdict

RULES = SubmissionRules(max_files=20, max_bytes=256 * 1024)
APP = "from fastapi import FastAPI\napp = FastAPI()\n"
DEADLINE = timedelta(seconds=60)


class Enqueued(list[tuple[int, int]]):
    """The (submission, attempt) pairs enqueued, all of round 1 unless `rounds` says so."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds: list[int] = []

    def __call__(self, submission_id: int, round_: int, attempt: int) -> None:
        self.append((submission_id, attempt))
        self.rounds.append(round_)


def create_submission(
    session: Session,
    who: Submitter,
    challenge: str,
    files: dict[str, str],
    rules: SubmissionRules,
    enqueue: Enqueue,
) -> Submission:
    created, _ = submissions.create_submission(
        session, who, NewSubmission(challenge, files), rules, enqueue
    )
    return created


def result(verdict: Verdict, score: int = 0) -> GradeResult:
    return GradeResult(
        verdict=verdict,
        score=score,
        max_score=100,
        duration_ms=5,
        error="docker went away" if verdict is Verdict.INTERNAL_ERROR else None,
    )


@pytest.fixture
def submission(session: Session, hello: Challenge, candidate: User) -> Submission:
    return create_submission(
        session,
        Submitter(candidate.id, None, False),
        "hello-world",
        {"main.py": APP},
        RULES,
        Enqueued(),
    )


def fresh(session: Session, submission: Submission) -> Submission:
    session.expire_all()
    row = session.get(Submission, submission.id)
    assert row is not None
    return row


def age(session: Session, submission: Submission, seconds: float) -> None:
    row = fresh(session, submission)
    row.updated_at = utcnow() - timedelta(seconds=seconds)
    session.commit()


def test_create_stores_a_queued_row_and_enqueues_attempt_1(
    session: Session, hello: Challenge, candidate: User
) -> None:
    enqueued = Enqueued()
    created = create_submission(
        session,
        Submitter(candidate.id, None, False),
        "hello-world",
        {"main.py": APP},
        RULES,
        enqueued,
    )
    assert enqueued == [(created.id, 1)]
    assert fresh(session, created).status is SubmissionStatus.QUEUED


def test_a_failed_enqueue_still_keeps_the_submission_for_the_reaper(
    session: Session, hello: Challenge, candidate: User
) -> None:
    def broken(submission_id: int, round_: int, attempt: int) -> None:
        raise ConnectionError("redis down")

    created = create_submission(
        session,
        Submitter(candidate.id, None, False),
        "hello-world",
        {"main.py": APP},
        RULES,
        broken,
    )
    assert fresh(session, created).status is SubmissionStatus.QUEUED


def test_invalid_files_store_nothing(session: Session, hello: Challenge, candidate: User) -> None:
    with pytest.raises(InvalidSubmission):
        create_submission(
            session,
            Submitter(candidate.id, None, False),
            "hello-world",
            {"app.py": APP},
            RULES,
            Enqueued(),
        )
    assert session.query(Submission).count() == 0


def test_unknown_and_archived_challenges_are_refused(
    session: Session, hello: Challenge, candidate: User
) -> None:
    who = Submitter(candidate.id, None, False)
    with pytest.raises(NotFound):
        create_submission(session, who, "nope", {"main.py": APP}, RULES, Enqueued())
    hello.status = hello.status.ARCHIVED
    session.commit()
    with pytest.raises(ChallengeClosed):
        create_submission(session, who, "hello-world", {"main.py": APP}, RULES, Enqueued())


def test_another_candidate_cannot_see_the_submission(
    session: Session, submission: Submission, candidate: User
) -> None:
    assert get_submission(session, submission.id, Submitter(candidate.id, None, False))
    with pytest.raises(NotFound):
        get_submission(session, submission.id, Submitter(candidate.id + 1, None, False))
    assert get_submission(session, submission.id, Submitter(None, 7, True))


def test_only_one_copy_of_a_job_claims_an_attempt(session: Session, submission: Submission) -> None:
    first = grading.claim(session, submission.id)
    assert first is not None and (first.submission_id, first.round, first.attempt) == (
        submission.id,
        1,
        1,
    )
    assert grading.claim(session, submission.id) is None
    assert fresh(session, submission).status is SubmissionStatus.RUNNING


def test_a_candidate_verdict_is_final(session: Session, submission: Submission) -> None:
    claimed = grading.claim(session, submission.id)
    assert claimed is not None
    enqueued = Enqueued()
    outcome = grading.record(session, claimed, result(Verdict.FAILED, 60), 3, enqueued)
    row = fresh(session, submission)
    assert outcome is grading.Recorded.COMPLETED
    assert (row.status, row.verdict, row.score) == (SubmissionStatus.COMPLETED, "failed", 60)
    assert row.result is not None and row.result["score"] == 60
    assert enqueued == []


def test_a_result_is_written_once(session: Session, submission: Submission) -> None:
    claimed = grading.claim(session, submission.id)
    assert claimed is not None
    grading.record(session, claimed, result(Verdict.PASSED, 100), 3, Enqueued())
    late = grading.record(session, claimed, result(Verdict.FAILED, 0), 3, Enqueued())
    assert late is grading.Recorded.STALE
    assert fresh(session, submission).score == 100


def test_internal_errors_are_retried_then_given_up(
    session: Session, submission: Submission
) -> None:
    enqueued = Enqueued()
    for attempt in (1, 2):
        claimed = grading.claim(session, submission.id)
        assert claimed is not None and (claimed.round, claimed.attempt) == (1, attempt)
        outcome = grading.record(session, claimed, result(Verdict.INTERNAL_ERROR), 3, enqueued)
        assert outcome is grading.Recorded.RETRYING
    assert enqueued == [(submission.id, 2), (submission.id, 3)]
    claimed = grading.claim(session, submission.id)
    assert claimed is not None
    assert grading.record(session, claimed, result(Verdict.INTERNAL_ERROR), 3, enqueued) is (
        grading.Recorded.GAVE_UP
    )
    row = fresh(session, submission)
    assert row.status is SubmissionStatus.ERROR
    assert row.error is not None and "3 times" in row.error and "docker went away" in row.error


def test_the_reaper_leaves_fresh_submissions_alone(
    session: Session, submission: Submission
) -> None:
    report = grading.requeue_stale(session, DEADLINE, 3, Enqueued())
    assert report.requeued == [] and report.gave_up == []


def test_the_reaper_requeues_a_lost_job_and_the_old_one_cannot_write(
    session: Session, submission: Submission
) -> None:
    stuck = grading.claim(session, submission.id)
    assert stuck is not None
    age(session, submission, 120)
    enqueued = Enqueued()
    report = grading.requeue_stale(session, DEADLINE, 3, enqueued)
    assert report.requeued == [submission.id]
    assert enqueued == [(submission.id, 2)]
    row = fresh(session, submission)
    assert (row.status, row.attempts) == (SubmissionStatus.QUEUED, 2)
    # The new attempt starts; then the presumed-lost job turns up late while it runs: the late
    # write is refused (attempt 1 no longer owns the row) and the new attempt's result counts.
    claimed = grading.claim(session, submission.id)
    assert claimed is not None and claimed.attempt == 2
    late = grading.record(session, stuck, result(Verdict.PASSED, 100), 3, Enqueued())
    assert late is grading.Recorded.STALE
    grading.record(session, claimed, result(Verdict.FAILED, 40), 3, Enqueued())
    assert fresh(session, submission).score == 40


def test_the_reaper_gives_up_after_max_attempts(session: Session, submission: Submission) -> None:
    row = fresh(session, submission)
    row.attempts = 3
    session.commit()
    age(session, submission, 120)
    enqueued = Enqueued()
    report = grading.requeue_stale(session, DEADLINE, 3, enqueued)
    assert report.gave_up == [submission.id] and enqueued == []
    row = fresh(session, submission)
    assert row.status is SubmissionStatus.ERROR
    assert row.error is not None and "gave up after 3 attempts" in row.error


def test_the_reaper_leaves_a_queued_submission_alone_while_redis_holds_its_job(
    session: Session, submission: Submission
) -> None:
    """A long backlog (or a job waiting for Docker) is not a lost job: no attempt is spent."""
    age(session, submission, 120)
    enqueued = Enqueued()
    pending = {grading_job_id(submission.id, 1, 1)}
    report = grading.requeue_stale(session, DEADLINE, 3, enqueued, pending)
    assert report.requeued == [] and enqueued == []
    assert fresh(session, submission).attempts == 1
    # Another attempt's job, or none at all, does not count: the job is lost.
    report = grading.requeue_stale(
        session, DEADLINE, 3, enqueued, {grading_job_id(submission.id, 1, 2)}
    )
    assert report.requeued == [submission.id] and enqueued == [(submission.id, 2)]


def test_a_running_submission_past_the_deadline_is_reaped_even_if_its_job_is_known(
    session: Session, submission: Submission
) -> None:
    """Running past the deadline means its worker died (rq keeps such jobs as started)."""
    assert grading.claim(session, submission.id) is not None
    age(session, submission, 120)
    enqueued = Enqueued()
    report = grading.requeue_stale(
        session, DEADLINE, 3, enqueued, {grading_job_id(submission.id, 1, 1)}
    )
    assert report.requeued == [submission.id] and enqueued == [(submission.id, 2)]


def test_a_released_claim_goes_back_to_the_queue_at_no_attempts_cost(
    session: Session, submission: Submission
) -> None:
    claimed = grading.claim(session, submission.id)
    assert claimed is not None
    assert grading.release(session, claimed, "the Docker daemon went away")
    row = fresh(session, submission)
    assert (row.status, row.attempts, row.started_at) == (SubmissionStatus.QUEUED, 1, None)
    # The same attempt claims it again (rq's retry of the same job), and only once.
    again = grading.claim(session, submission.id)
    assert again is not None and again.attempt == 1
    stale = grading.Claim(submission.id, 1, 2, claimed.grading_id)
    assert not grading.release(session, stale, "stale")
    assert grading.record(session, again, result(Verdict.PASSED, 100), 3, Enqueued())
    assert fresh(session, submission).status is SubmissionStatus.COMPLETED
