"""The reaper: re-enqueues gradings whose job was lost. The database, not Redis, decides which
gradings are owed (`grading.requeue_stale`). Not to be confused with sweeping sandbox
containers, which `worker.sandbox.runtime.sweep` does."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from grader.config import Settings
from grader.db.models import Submission
from grader.db.session import session_scope
from grader.queue import (
    RedisClient,
    enqueue_callback,
    enqueue_grading,
    grading_queue,
    pending_jobs,
)
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
            lambda submission_id, attempt: enqueue_grading(queue, submission_id, attempt),
            pending,
        )
    if report.gave_up:
        with session_scope(settings.database_url) as session:
            for submission_id in report.gave_up:
                submission = session.get(Submission, submission_id)
                if submission is not None and submission.callback_url:
                    enqueue_callback(queue, submission_id)
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
