"""rq job functions: plain functions of ids. Each loads what it needs from the database, calls the
sandbox library, and writes the outcome back once (see `grader.services.grading` for the
guards). Their import paths are in `grader.queue`."""

from __future__ import annotations

import logging
import time

from redis import Redis

from grader.config import get_settings
from grader.db.models import ChallengeVersion, Submission, VersionStatus
from grader.db.session import session_scope
from grader.engine import pooled_sandbox, process_sandbox
from grader.queue import enqueue_webhook, grading_enqueuer, grading_queue
from grader.services import invitations, notifications, webhooks
from grader.services.challenges import spec_of
from grader.services.grading import Recorded, claim, record, release
from grader.services.uploads import finish_validation
from grader.services.validation import validate_challenge
from worker.result import GradeResult, Verdict
from worker.sandbox import SandboxError, internal_error
from worker.sandbox.runtime import daemon_answers, remove_exited_own, wait_for_daemon

log = logging.getLogger(__name__)

#: How long a job waits for a Docker daemon that does not answer (a restart takes seconds)
#: before it hands the job back for another host's worker.
DOCKER_WAIT_SECONDS = 10.0


class DaemonAway(RuntimeError):
    """This worker's Docker daemon does not answer: the job goes back to the queue (rq's
    `Retry`, see `grader.queue.HAND_BACKS`) for a worker whose daemon does, at no attempt's
    cost; meanwhile `grader worker` stops this host's workers until the daemon is back."""


def _wait_for_docker(docker_url: str | None) -> None:
    """Before claiming: wait briefly for a daemon that does not answer (restarting, say), then
    hand the job back rather than burn an attempt on it. If the daemon was away, what died with
    it goes: this process's warm slots and the containers it could not remove meanwhile."""
    if daemon_answers(docker_url):
        return
    if not wait_for_daemon(docker_url, DOCKER_WAIT_SECONDS):
        raise DaemonAway(f"no Docker daemon at {docker_url} for {DOCKER_WAIT_SECONDS:g} s")
    warm = pooled_sandbox()
    if warm is not None:
        sandbox, pool = warm
        pool.drain()
        try:
            remove_exited_own(sandbox.client)
        except Exception:
            log.exception("could not remove the sandbox containers the daemon restart killed")


def _daemon_went_away(docker_url: str | None, result: GradeResult) -> bool:
    """A grading the daemon's shutdown cut short may look like the candidate's failure (the app
    killed: tests fail, "exited before listening") or like ours; if the daemon is gone right
    after, it is neither: the grading is handed back. A full pass cannot be an outage's doing."""
    return result.verdict is not Verdict.PASSED and not daemon_answers(docker_url)


def grade_submission(submission_id: int) -> str:
    """Grade one submission if it is still owed; returns what happened (for rq's logs)."""
    settings = get_settings()
    url = settings.database_url
    _wait_for_docker(settings.docker_url)
    with session_scope(url) as session:
        claimed = claim(session, submission_id)
        if claimed is None:
            return "skipped: not queued (graded already, or another attempt owns it)"
        submission = session.get(Submission, submission_id)
        assert submission is not None
        spec = spec_of(submission.challenge_version)
        files = dict(submission.files)
    queue = grading_queue(Redis.from_url(settings.redis_url), settings.job_timeout_seconds)
    notifications.publish_changed(queue.connection, submission_id)  # queued -> running
    started = time.monotonic()
    try:
        sandbox, _ = process_sandbox(settings)
        result = sandbox.grade(spec, files)
    except Exception as exc:  # any failure here is ours, never the candidate's: retry it
        log.exception("grading submission %s failed", submission_id)
        reason = str(exc) if isinstance(exc, SandboxError) else f"{type(exc).__name__}: {exc}"
        result = internal_error(reason, started)
    if _daemon_went_away(settings.docker_url, result):
        reason = f"the Docker daemon went away during the grading (it read {result.verdict})"
        log.warning("submission %s: %s; handing it back", submission_id, reason)
        with session_scope(url) as session:
            released = release(session, claimed, reason)
        notifications.publish_changed(queue.connection, submission_id)
        if released:
            raise DaemonAway(reason)
        return "stale: another attempt owns the submission"
    with session_scope(url) as session:
        outcome = record(
            session,
            claimed,
            result,
            settings.max_attempts,
            grading_enqueuer(queue),
        )
    notifications.publish_changed(queue.connection, submission_id)
    if outcome in (Recorded.COMPLETED, Recorded.GAVE_UP):
        with session_scope(url) as session:
            invitations.refresh_after_grading(session, submission_id)
            finished = session.get(Submission, submission_id)
            if finished is not None:
                webhooks.deliver_submission(session, finished)
            # This grading's delivery, and an invitation.finished the grading completed.
            leased = webhooks.lease_due(session)
        for delivery_id in leased:
            enqueue_webhook(queue, delivery_id)
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
        sandbox, _ = process_sandbox(settings)
        report = validate_challenge(sandbox, spec)
    except Exception as exc:  # the sandbox is down: leave it pending, rq records the failure
        log.exception("validating challenge version %s failed", version_id)
        raise RuntimeError(f"could not validate challenge version {version_id}: {exc}") from exc
    results = [
        report.reference,
        report.starter,
        *report.mutants.values(),
        *report.alternatives.values(),
        *report.automatic.values(),
    ]
    if any(r.verdict is Verdict.INTERNAL_ERROR for r in results):
        # Not the suite's fault: do not reject it; rq keeps the failure for an admin to see.
        raise RuntimeError(f"validation hit internal errors; version {version_id} left pending")
    with session_scope(settings.database_url) as session:
        finish_validation(session, version_id, report.problems, report.summary())
    return "live" if report.ok else f"rejected: {report.problems}"


def deliver_webhook(delivery_id: int) -> str:
    """One attempt of a webhook delivery; the reaper hands it to a job again when it is due."""
    settings = get_settings()
    if settings.callback_secret is None:
        return "skipped: GRADER_CALLBACK_SECRET is not set"
    with session_scope(settings.database_url) as session:
        status = webhooks.attempt(
            session,
            delivery_id,
            settings.callback_secret.get_secret_value(),
            settings.callback_allow_private,
            settings.callback_attempts,
        )
    return status.value


def deliver_callback(submission_id: int) -> str:
    """A job an older release queued (`worker.jobs.deliver_callback`): the submission's event
    becomes a delivery like any other."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        submission = session.get(Submission, submission_id)
        delivery = webhooks.deliver_submission(session, submission) if submission else None
    if delivery is None:
        return "skipped: no callback"
    return deliver_webhook(delivery.id)
