"""Submit an answer, then read it back (optionally long-polling until it is graded)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile, status
from sqlalchemy.orm import Session, sessionmaker

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
from grader.api.longpoll import hold_until
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
from grader.errors import InvalidSubmission, SubmissionTooLarge
from grader.queue import RedisClient, grading_enqueuer, grading_queue
from grader.services import invitations, webhooks
from grader.services import submissions as service
from grader.services.ratelimit import SubmissionLimiter
from grader.services.submissions import (
    Idempotency,
    NewSubmission,
    SubmissionFilter,
    SubmissionRules,
    Submitter,
)

router = APIRouter(prefix="/submissions", tags=["submissions"], responses=error_responses(401, 422))

#: What accepting a submission can answer besides 202 (see `_accept`).
ACCEPT_ERRORS = error_responses(400, 404, 409, 413, 422, 429, 503)
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string of yours (printable ASCII, up to 200): a retry with the "
        "same key and body returns the first submission; another body with it is a 409.",
    ),
]
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
    idempotency_key: IdempotencyKeyHeader = None,
) -> SubmissionOut:
    """Queue an answer for grading. With an `Idempotency-Key`, a retry of the same request
    (within `GRADER_IDEMPOTENCY_HOURS`) answers the first submission again; the same key with
    another request is a 409."""
    return _accept(body, principal, session, redis, limiter, settings, response, idempotency_key)


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
    external_id: Annotated[str | None, Form(max_length=200, pattern=NO_NUL)] = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> SubmissionOut:
    """The same as `POST /submissions`, with the files as a multipart upload."""
    total = sum(upload.size or 0 for upload in files)
    if total > settings.max_submission_bytes:
        raise SubmissionTooLarge(
            f"the files hold {total} bytes; a submission holds at most "
            f"{settings.max_submission_bytes}"
        )
    texts: dict[str, str] = {}
    for upload in files:
        name = upload.filename or ""
        if name in texts:
            raise InvalidSubmission(f"{name!a} is uploaded twice; send each file once")
        try:
            texts[name] = upload.file.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidSubmission(f"{name!a}: the content is not UTF-8 text") from exc
    body = SubmissionCreate(
        challenge=challenge, files=texts, callback_url=callback_url, external_id=external_id
    )
    return _accept(body, principal, session, redis, limiter, settings, response, idempotency_key)


def _accept(
    body: SubmissionCreate,
    principal: Principal,
    session: Session,
    redis: RedisClient,
    limiter: SubmissionLimiter,
    settings: Settings,
    response: Response,
    idempotency_key: str | None,
) -> SubmissionOut:
    request = NewSubmission(body.challenge, dict(body.files), body.callback_url, body.external_id)
    idempotency = (
        Idempotency(
            principal.rate_subject,
            idempotency_key,
            timedelta(hours=settings.idempotency_hours),
        )
        if idempotency_key
        else None
    )
    earlier = service.replay(session, idempotency, request) if idempotency else None
    if earlier is None:  # a retry of an accepted request is neither counted nor checked again
        per_minute = principal.rate_limit or (
            settings.api_key_rate_limit_per_minute
            if principal.api_key_id is not None
            else settings.rate_limit_per_minute
        )
        limiter.hit(principal.rate_subject, per_minute)
        if body.callback_url is not None:
            if settings.callback_secret is None:
                raise webhooks.CallbackRefused("callbacks are not enabled on this server")
            webhooks.check_url(body.callback_url, settings.callback_allow_private)
        queue = grading_queue(redis, settings.job_timeout_seconds)
        earlier, _ = service.create_submission(
            session,
            principal.submitter,
            request,
            SubmissionRules(settings.max_files, settings.max_submission_bytes),
            grading_enqueuer(queue),
            idempotency,
        )
    response.headers["Location"] = f"/api/v1/submissions/{earlier.id}"
    return SubmissionOut.of(earlier, principal.submitter.sees_all)


@router.get("")
def list_submissions(
    principal: CurrentPrincipal,
    session: SessionDep,
    challenge: Annotated[str | None, Query(pattern=NO_NUL)] = None,
    user: Annotated[
        str | None, Query(pattern=NO_NUL, description="Username (admins and API keys).")
    ] = None,
    status: SubmissionStatus | None = None,
    external_id: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="Your own reference.")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SubmissionPage:
    items, total = service.list_submissions(
        session,
        principal.submitter,
        SubmissionFilter(challenge, user, status, external_id),
        offset,
        limit,
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
    return await hold_until(
        partial(_load, sessions, submission_id, principal.submitter),
        lambda seen: seen.status.terminal,
        submission_id,
        min(wait, settings.max_wait_seconds),
        changes,
        waits,
        principal.rate_subject,
    )


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
    submission_id: RowId,
    admin: AdminUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> SubmissionOut:
    """Grade a finished submission again (a new round, with retries of its own); its earlier
    gradings stay in `gradings`, and its callback URL, if any, gets a new delivery."""
    queue = grading_queue(redis, settings.job_timeout_seconds)
    submission = service.regrade(session, submission_id, grading_enqueuer(queue), admin.id)
    invitations.refresh_after_grading(session, submission.id)  # its candidate's total
    return SubmissionOut.of(submission, staff=True)
