"""The reaper: re-enqueues gradings whose job was lost, and webhook deliveries that are due.
The database, not Redis, decides what is owed (`grading.requeue_stale`). Not to be confused
with sweeping sandbox containers, which `worker.sandbox.runtime.sweep` does."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from grader.config import Settings
from grader.db.models import Submission
from grader.db.session import session_scope
from grader.queue import (
    RedisClient,
    enqueue_webhook,
    grading_enqueuer,
    grading_queue,
    pending_jobs,
)
from grader.services import invitations, webhooks
from grader.services.grading import ReapReport, requeue_stale

log = logging.getLogger(__name__)


def reap_once(settings: Settings, redis: RedisClient) -> ReapReport:
    queue = grading_queue(redis, settings.job_timeout_seconds)
    pending = pending_jobs(queue)  # first: see grading.requeue_stale
    with session_scope(settings.database_url) as session:
        report = requeue_stale(
            session,
            timedelta(seconds=settings.reaper_deadline_seconds),
            settings.max_attempts,
            grading_enqueuer(queue),
            pending,
        )
    with session_scope(settings.database_url) as session:
        finished = invitations.finalise_due(session)
        if finished:
            log.warning("finalised %s invitation(s) at their deadline", len(finished))
        for submission_id in report.gave_up:
            submission = session.get(Submission, submission_id)
            if submission is not None:
                webhooks.deliver_submission(session, submission)
                invitations.refresh_after_grading(session, submission_id)
        # Webhook deliveries that are due: new ones, retries after their backoff, lost jobs.
        for delivery_id in webhooks.lease_due(session):
            enqueue_webhook(queue, delivery_id)
    if report.requeued or report.gave_up:
        log.warning("reaper: re-enqueued %s, gave up on %s", report.requeued, report.gave_up)
    return report


def run_reaper(settings: Settings, redis: RedisClient, stop: threading.Event) -> None:
    """Reap every `reaper_interval_seconds` until `stop` is set; errors are logged, not fatal."""
    while not stop.wait(settings.reaper_interval_seconds):
        try:
            reap_once(settings, redis)
        except Exception:
            log.exception("reaper pass failed; next pass in %s s", settings.reaper_interval_seconds)
