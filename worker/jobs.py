"""rq job functions. They take ids, load everything from the database, and write results back
there once (see grader.services.grading for the guards)."""

from __future__ import annotations

import logging
import time

from redis import Redis

from grader.config import get_settings
from grader.db.models import ChallengeVersion, Submission, VersionStatus
from grader.db.session import session_scope
from grader.queue import enqueue_grading, grading_queue
from grader.services.challenges import spec_of
from grader.services.grading import Recorded, claim, record
from grader.services.uploads import finish_validation
from grader.services.validation import validate_challenge
from worker.result import GradeResult, Verdict
from worker.sandbox import Sandbox, SandboxError, connect, image_tag

log = logging.getLogger(__name__)


def grade_submission(submission_id: int) -> str:
    """Grade one submission if it is still owed; returns what happened (for rq's logs)."""
    settings = get_settings()
    url = settings.database_url
    with session_scope(url) as session:
        claimed = claim(session, submission_id)
        if claimed is None:
            return "skipped: not queued (graded already, or another attempt owns it)"
        submission = session.get(Submission, submission_id)
        assert submission is not None
        spec = spec_of(submission.challenge_version)
        files = dict(submission.files)
    started = time.monotonic()
    try:
        sandbox = Sandbox(
            connect(settings.docker_url),
            settings.sandbox_image or image_tag(),
            settings.sandbox_limits,
        )
        result = sandbox.grade(spec, files)
    except Exception as exc:  # any failure here is ours, never the candidate's: retry it
        log.exception("grading submission %s failed", submission_id)
        reason = str(exc) if isinstance(exc, SandboxError) else f"{type(exc).__name__}: {exc}"
        result = GradeResult(
            verdict=Verdict.INTERNAL_ERROR,
            score=0,
            max_score=0,
            duration_ms=int((time.monotonic() - started) * 1000),
            error=reason,
        )
    queue = grading_queue(Redis.from_url(settings.redis_url), settings.job_timeout_seconds)
    with session_scope(url) as session:
        outcome = record(
            session,
            claimed,
            result,
            settings.max_attempts,
            lambda sid, attempt: enqueue_grading(queue, sid, attempt),
        )
    if outcome is not Recorded.COMPLETED:
        log.warning(
            "submission %s attempt %s: %s (%s)",
            submission_id,
            claimed.attempt,
            outcome.value,
            result.error,
        )
    return f"{outcome.value}: {result.verdict.value} {result.score}/{result.max_score}"


def validate_challenge_version(version_id: int) -> str:
    """Grade an uploaded version's reference, starter, mutants and alternatives; make it live
    only if its suite is proven (grader.services.validation)."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        version = session.get(ChallengeVersion, version_id)
        if version is None or version.status is not VersionStatus.PENDING:
            return "skipped: not pending"
        spec = spec_of(version)
    try:
        sandbox = Sandbox(
            connect(settings.docker_url),
            settings.sandbox_image or image_tag(),
            settings.sandbox_limits,
        )
        report = validate_challenge(sandbox, spec)
    except Exception as exc:  # the sandbox is down: leave it pending, rq records the failure
        log.exception("validating challenge version %s failed", version_id)
        raise RuntimeError(f"could not validate challenge version {version_id}: {exc}") from exc
    results = [
        report.reference,
        report.starter,
        *report.mutants.values(),
        *report.alternatives.values(),
    ]
    if any(r.verdict is Verdict.INTERNAL_ERROR for r in results):
        # Not the suite's fault: do not reject it; rq keeps the failure for an admin to see.
        raise RuntimeError(f"validation hit internal errors; version {version_id} left pending")
    with session_scope(settings.database_url) as session:
        finish_validation(session, version_id, report.problems)
    return "live" if report.ok else f"rejected: {report.problems}"
