"""Submit an answer, then read it back (optionally long-polling until it is graded)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from grader.api.deps import (
    MAX_INT,
    AdminUser,
    BodyLimit,
    ChangesDep,
    CurrentPrincipal,
    LimiterDep,
    Principal,
    RedisDep,
    RowId,
    SessionDep,
    SessionsDep,
    SettingsDep,
    WaitsDep,
)
from grader.api.schemas import (
    NO_NUL,
    SubmissionCreate,
    SubmissionDetail,
    SubmissionOut,
    SubmissionPage,
    error_responses,
)
from grader.config import Settings
from grader.db.models import SubmissionStatus
from grader.errors import InvalidSubmission
from grader.queue import RedisClient, enqueue_grading, grading_queue
from grader.services import callbacks
from grader.services import submissions as service
from grader.services.ratelimit import SubmissionLimiter
from grader.services.submissions import SubmissionFilter, SubmissionRules, Submitter

router = APIRouter(prefix="/submissions", tags=["submissions"], responses=error_responses(401))

#: What accepting a submission can answer besides 202 (see `_accept`).
ACCEPT_ERRORS = error_responses(400, 404, 413, 422, 429, 503)
LOCATION = {
    "Location": {"description": "Where to read the submission.", "schema": {"type": "string"}}
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[BodyLimit],
    responses={**ACCEPT_ERRORS, 202: {"headers": LOCATION}},
)
def create_submission(
    body: SubmissionCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    redis: RedisDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    response: Response,
) -> SubmissionOut:
    return _accept(body, principal, session, redis, limiter, settings, response, dict(body.files))


@router.post(
    "/upload",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[BodyLimit],
    responses={**ACCEPT_ERRORS, 202: {"headers": LOCATION}},
)
def upload_submission(
    challenge: Annotated[
        str, Form(max_length=100, pattern=NO_NUL, description="The challenge's slug.")
    ],
    files: Annotated[
        list[UploadFile],
        File(description="The answer's files; each one's filename is its path (main.py...)."),
    ],
    principal: CurrentPrincipal,
    session: SessionDep,
    redis: RedisDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    response: Response,
    callback_url: Annotated[str | None, Form(pattern=NO_NUL)] = None,
) -> SubmissionOut:
    """The same as `POST /submissions`, with the files as a multipart upload."""
    texts: dict[str, str] = {}
    for upload in files:
        name = upload.filename or ""
        data = upload.file.read(settings.max_submission_bytes + 1)
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidSubmission(f"{name}: the content is not UTF-8 text") from exc
    body = SubmissionCreate(challenge=challenge, files=texts, callback_url=callback_url)
    return _accept(body, principal, session, redis, limiter, settings, response, texts)


def _accept(
    body: SubmissionCreate,
    principal: Principal,
    session: Session,
    redis: RedisClient,
    limiter: SubmissionLimiter,
    settings: Settings,
    response: Response,
    files: dict[str, str],
) -> SubmissionOut:
    limiter.hit(principal.rate_subject, settings.rate_limit_per_minute)
    callback_url = None
    if body.callback_url is not None:
        if settings.callback_secret is None:
            raise callbacks.CallbackRefused("callbacks are not enabled on this server")
        callback_url = callbacks.check_url(body.callback_url, settings.callback_allow_private)
    queue = grading_queue(redis, settings.job_timeout_seconds)
    submission = service.create_submission(
        session,
        principal.submitter,
        body.challenge,
        files,
        SubmissionRules(settings.max_files, settings.max_submission_bytes),
        lambda submission_id, attempt: enqueue_grading(queue, submission_id, attempt),
        callback_url,
    )
    response.headers["Location"] = f"/api/v1/submissions/{submission.id}"
    return SubmissionOut.of(submission, principal.submitter.sees_all)


@router.get("")
def list_submissions(
    principal: CurrentPrincipal,
    session: SessionDep,
    challenge: Annotated[str | None, Query(pattern=NO_NUL)] = None,
    user: Annotated[
        str | None, Query(pattern=NO_NUL, description="Username (admins and API keys).")
    ] = None,
    status: SubmissionStatus | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SubmissionPage:
    items, total = service.list_submissions(
        session, principal.submitter, SubmissionFilter(challenge, user, status), offset, limit
    )
    return SubmissionPage(
        items=[SubmissionOut.of(s, principal.submitter.sees_all) for s in items],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get("/{submission_id}", responses=error_responses(404, 422, 429))
async def read_submission(
    submission_id: RowId,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    settings: SettingsDep,
    changes: ChangesDep,
    waits: WaitsDep,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for a final status.")] = 0,
) -> SubmissionDetail:
    """With `wait`, hold the request until the grading ends or `wait` seconds pass (capped).
    A caller holds at most `GRADER_MAX_WAITS_PER_CALLER` such waits at once (429 past it)."""
    seconds = min(wait, settings.max_wait_seconds)
    if seconds <= 0:
        return await run_in_threadpool(_load, sessions, submission_id, principal.submitter)
    deadline = time.monotonic() + seconds
    # Watched before the first read: a change between the two cannot be missed.
    with waits.hold(principal.rate_subject):
        async with changes.watch(submission_id) as changed:
            while True:
                detail = await run_in_threadpool(
                    _load, sessions, submission_id, principal.submitter
                )
                if detail.status.terminal or time.monotonic() >= deadline:
                    return detail
                await changed(deadline - time.monotonic())


def _load(
    sessions: sessionmaker[Session], submission_id: int, reader: Submitter
) -> SubmissionDetail:
    """One short session per read: a long-poll holds no connection while it waits."""
    with sessions() as session:
        submission = service.get_submission(session, submission_id, reader)
        return SubmissionDetail.of(submission, reader.sees_all)


@router.post(
    "/{submission_id}/regrade",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(403, 404, 409),
)
def regrade_submission(
    submission_id: RowId, _: AdminUser, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> SubmissionOut:
    queue = grading_queue(redis, settings.job_timeout_seconds)
    submission = service.regrade(
        session, submission_id, lambda sid, attempt: enqueue_grading(queue, sid, attempt)
    )
    return SubmissionOut.of(submission, staff=True)
