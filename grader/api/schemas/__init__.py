"""Request and response bodies. Hidden suites, solutions and mutants have no field here, so no
response can carry them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasPath, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from grader.db.models import (
    Challenge,
    DeliveryStatus,
    GradingReason,
    GradingStatus,
    Role,
    Submission,
    SubmissionStatus,
    VersionStatus,
)
from grader.services.challenges import spec_of
from worker.result import GradeResult

#: Text the databases can store and compare: PostgreSQL refuses NUL characters.
NO_NUL = r"^[^\x00]*$"


class FieldError(BaseModel):
    """One field the request got wrong."""

    loc: list[str | int] = Field(description="Where: body, query, path, header... then names.")
    msg: str
    type: str


class Error(BaseModel):
    """The body of every error response, whatever raised it."""

    detail: str = Field(description="What went wrong, for a person to read.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each field the request got wrong, when that is the reason."
    )


class Request(BaseModel):
    """A request body: a field it does not know is refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid")


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
_ERRORS: dict[int, tuple[str, type[BaseModel], dict[str, Any]]] = {
    400: ("The body could not be parsed (malformed JSON or form data).", Error, {}),
    401: (
        "Not authenticated: no, an unknown or an expired bearer token or API key.",
        Error,
        {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}},
    ),
    403: (
        "The caller's role may not do this, or the invitation was revoked or has expired.",
        Error,
        {},
    ),
    404: ("No such thing, or not one the caller may see.", Error, {}),
    409: ("The request clashes with the current state.", Error, {}),
    413: ("The request body, or the submission's files, are over the size limit.", Error, {}),
    422: ("The request breaks a rule; nothing was changed.", Error, {}),
    429: (
        "Too many submissions in a minute, or long-polls held at once; retry after "
        "`Retry-After` seconds.",
        Error,
        _RETRY_AFTER,
    ),
    503: (
        "The queue (Redis) is unavailable; nothing was stored, retry after `Retry-After` seconds.",
        Error,
        _RETRY_AFTER,
    ),
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error codes a route can answer, each with its JSON body."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description, model, headers = _ERRORS[code]
        responses[code] = {"description": description, "model": model}
        if headers:
            responses[code]["headers"] = headers
    return responses


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class UserCreate(Request):
    username: str = Field(max_length=64, pattern=NO_NUL)
    password: str | None = Field(default=None, description="None: the user cannot log in yet.")
    role: Role = Role.CANDIDATE
    display_name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)


class UserUpdate(Request):
    display_name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    role: Role | None = None


class PasswordReset(BaseModel):
    username: str
    password: str = Field(description="The new password, shown this once.")


class PasswordChange(Request):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    role: Role
    is_active: bool
    created_at: datetime


class ApiKeyCreate(Request):
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=100_000, description="Null: the setting for API keys."
    )


class ApiKeyUpdate(Request):
    rate_limit_per_minute: int | None = Field(ge=1, le=100_000)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, validate_by_name=True)

    id: int
    name: str
    prefix: str
    owner: str = Field(validation_alias=AliasPath("created_by", "username"))
    rate_limit_per_minute: int | None = Field(description="Null: the setting for API keys.")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret, shown this once; send it as X-API-Key.")


class ChallengeLimits(BaseModel):
    time_seconds: float
    memory_mb: int


class ChallengeSummary(BaseModel):
    slug: str
    title: str
    summary: str
    difficulty: str
    tags: list[str]
    version: int = Field(description="The catalog's revision of this challenge (1, 2, ...).")
    status: str
    limits: ChallengeLimits

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeSummary:
        return cls(**_summary_fields(challenge))


class ChallengeDetail(ChallengeSummary):
    prompt: str = Field(description="The task, in Markdown.")
    starter: dict[str, str] = Field(description="Files to start from.")

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeDetail:
        assert challenge.current_version is not None
        spec = spec_of(challenge.current_version)
        return cls(**_summary_fields(challenge), prompt=spec.prompt, starter=spec.starter)


def _summary_fields(challenge: Challenge) -> dict[str, object]:
    version = challenge.current_version
    assert version is not None
    spec = spec_of(version)
    limits = spec.limits()
    return dict(
        slug=challenge.slug,
        title=spec.meta.title,
        summary=spec.meta.summary,
        difficulty=spec.meta.difficulty,
        tags=spec.meta.tags,
        version=version.number,
        status=challenge.status.value,
        limits=ChallengeLimits(time_seconds=limits.time_seconds, memory_mb=limits.memory_mb),
    )


class ChallengeVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(validation_alias=AliasPath("challenge", "slug"))
    version: int = Field(validation_alias="number")
    title: str
    status: VersionStatus
    problems: list[str] | None = Field(description="Why validation rejected it.")
    created_at: datetime


class SubmissionCreate(Request):
    challenge: str = Field(description="The challenge's slug.", max_length=100, pattern=NO_NUL)
    files: dict[str, str] = Field(description="Relative path -> UTF-8 text; main.py required.")
    callback_url: str | None = Field(
        default=None,
        pattern=NO_NUL,
        description="Sent a signed `submission.completed` event after each final grading "
        "(docs/service.md, Webhooks).",
    )
    external_id: str | None = Field(
        default=None,
        max_length=200,
        pattern=NO_NUL,
        description="Your own reference (an applicant tracking system's application id): "
        "stored, returned, and a filter of `GET /submissions`.",
    )


#: What a candidate sees instead of an infrastructure error, whose text may quote the hidden
#: suite (e.g. pytest's collection errors).
CANDIDATE_INTERNAL_ERROR = "grading failed on our side, not because of your answer; we are on it"


def _hide_internal_error(error: str | None, info: ValidationInfo) -> str | None:
    """Staff see the service's own error texts (they may quote the hidden suite); candidates
    a neutral sentence."""
    staff = bool(info.context and info.context.get("staff"))
    return CANDIDATE_INTERNAL_ERROR if error is not None and not staff else error


class ApiKeyRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    owner: str = Field(validation_alias=AliasPath("created_by", "username"))


class GradingOut(BaseModel):
    """One grading of a submission: the first, a retry after an infrastructure fault, or a
    regrade (by whom)."""

    model_config = ConfigDict(from_attributes=True)

    round: int
    attempt: int
    reason: GradingReason
    requested_by: str | None = Field(
        default=None, validation_alias=AliasPath("requested_by", "username")
    )
    challenge_version: int = Field(validation_alias=AliasPath("challenge_version", "number"))
    status: GradingStatus
    verdict: str | None
    score: int | None
    max_score: int | None
    duration_ms: int | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None

    _error = field_validator("error")(_hide_internal_error)


class SubmissionOut(BaseModel):
    """Validate from a `Submission` row with `context={"staff": bool}`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    challenge: str = Field(validation_alias=AliasPath("challenge", "slug"))
    challenge_version: int = Field(validation_alias=AliasPath("challenge_version", "number"))
    status: SubmissionStatus
    round: int = Field(description="1, then +1 for each regrade.")
    attempts: int = Field(description="Attempts of this round (a retry after a grader fault).")
    user: str | None = Field(validation_alias="username")
    api_key: ApiKeyRef | None = Field(description="The API key that made it, and its owner.")
    verdict: str | None
    score: int | None
    max_score: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: GradeResult | None = Field(
        validation_alias="completed_result", description="Set once the status is completed."
    )

    _error = field_validator("error")(_hide_internal_error)

    @classmethod
    def of(cls, submission: Submission, staff: bool) -> SubmissionOut:
        return cls.model_validate(submission, context={"staff": staff})


class SubmissionDetail(SubmissionOut):
    files: dict[str, str]
    gradings: list[GradingOut] = Field(
        description="Every grading, oldest first; the submission shows the latest final one."
    )

    @classmethod
    def of(cls, submission: Submission, staff: bool) -> SubmissionDetail:
        return cls.model_validate(submission, context={"staff": staff})


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    total: int
    offset: int
    limit: int


class WebhookAttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    at: datetime
    status_code: int | None = Field(description="The receiver's answer, if it answered.")
    error: str | None
    duration_ms: int


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    submission_id: int | None
    url: str
    status: DeliveryStatus
    next_attempt_at: datetime | None = Field(description="When the next attempt is due.")
    redelivery_of: int | None = Field(validation_alias="redelivery_of_id")
    created_at: datetime
    delivered_at: datetime | None
    attempts: list[WebhookAttemptOut]
