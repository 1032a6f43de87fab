"""Operations, for admins: the queue's depth, gradings running, rq workers and their
heartbeats, and the recent internal errors (an infrastructure fault, never a candidate's)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from rq import Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import select

from grader.api.deps import RedisDep, SessionDep, SettingsDep
from grader.db.models import Grading
from grader.queue import grading_queue
from grader.services.submissions import count_by_status
from grader.web.deps import AdminPage, mark_page
from grader.web.pages import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(mark_page)])

INTERNAL_ERROR = "internal_error"


@router.get("/operations")
def operations(
    request: Request, staff: AdminPage, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> Response:
    queue = grading_queue(redis, settings.job_timeout_seconds)
    try:
        depth = len(queue)
        running_jobs = len(StartedJobRegistry(queue=queue))
        failed_jobs = len(FailedJobRegistry(queue=queue))
        workers = sorted(Worker.all(queue=queue), key=lambda w: w.name)
        redis_error = None
    except Exception as exc:  # Redis away: the page still shows what the database knows
        depth = running_jobs = failed_jobs = 0
        workers = []
        redis_error = f"{type(exc).__name__}: {exc}"
    by_status = count_by_status(session)
    errors = session.scalars(
        select(Grading)
        .where(Grading.verdict == INTERNAL_ERROR)
        .order_by(Grading.id.desc())
        .limit(20)
    ).all()
    return staff_page(
        request,
        "staff/operations.html",
        staff,
        "operations",
        {
            "title": "Operations",
            "depth": depth,
            "running_jobs": running_jobs,
            "failed_jobs": failed_jobs,
            "workers": workers,
            "redis_error": redis_error,
            "by_status": {s.value: count for s, count in by_status.items()},
            "errors": errors,
        },
    )
