"""Typed dependency aliases, so route signatures read like sentences.

Everything a route needs comes from the app it runs in (`create_app(settings)` stores the
settings, the Redis client and the rate limiter on `app.state`): an app built with a test's
settings never reaches the environment's database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from grader.api.schemas import NO_NUL
from grader.config import Settings
from grader.db.models import Role, User
from grader.db.session import get_sessionmaker
from grader.errors import NotFound
from grader.queue import RedisClient
from grader.security import decode_access_token
from grader.services import invitations
from grader.services.assessments import MAX_ITEMS
from grader.services.notifications import ChangeHub
from grader.services.ratelimit import SubmissionLimiter, WaitSlots
from grader.services.submissions import Submitter
from grader.services.users import find_api_key, get_active_user
from grader.web.auth import CsrfRefused, browser_of, check_csrf


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

#: The largest integer both databases take in a query (PostgreSQL INTEGER): larger ids and
#: offsets are refused (422) before they reach the database.
MAX_INT = 2**31 - 1
#: A row id in a path.
RowId = Annotated[int, Path(ge=1, le=MAX_INT)]
#: A challenge's slug in a path.
Slug = Annotated[str, Path(pattern=NO_NUL)]
#: An assessment item's position in a path.
Position = Annotated[int, Path(ge=1, le=MAX_ITEMS, description="The item's position, from 1.")]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_sessions(settings: SettingsDep) -> sessionmaker[Session]:
    """For routes that must not hold a connection for their whole duration (long-polls)."""
    return get_sessionmaker(settings.database_url)


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]


def get_session(sessions: SessionsDep) -> Iterator[Session]:
    with sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_redis(request: Request) -> RedisClient:
    redis: RedisClient = request.app.state.redis
    return redis


RedisDep = Annotated[RedisClient, Depends(get_redis)]


def get_limiter(request: Request) -> SubmissionLimiter:
    limiter: SubmissionLimiter = request.app.state.limiter
    return limiter


LimiterDep = Annotated[SubmissionLimiter, Depends(get_limiter)]


def get_waits(request: Request) -> WaitSlots:
    waits: WaitSlots = request.app.state.waits
    return waits


WaitsDep = Annotated[WaitSlots, Depends(get_waits)]


def get_changes(request: Request) -> ChangeHub:
    changes: ChangeHub = request.app.state.changes
    return changes


ChangesDep = Annotated[ChangeHub, Depends(get_changes)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (by token) or an API key. Plain data, safe outside the session."""

    user_id: int | None
    username: str | None
    role: Role | None
    api_key_id: int | None
    rate_limit: int | None = None
    """An API key's own limit of submissions per minute, if an admin set one."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def submitter(self) -> Submitter:
        # API keys belong to services acting for many candidates, and staff (reviewers
        # included) read candidates' code: they see every submission.
        staff = self.role is not None and self.role.staff
        return Submitter(
            self.user_id, self.api_key_id, sees_all=staff or self.api_key_id is not None
        )

    @property
    def rate_subject(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"key:{self.api_key_id}"


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def get_principal(
    sessions: SessionsDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Who is calling, looked up in a session of its own that is closed at once: a route that
    waits (a long-poll) holds no database connection for it."""
    with sessions() as session:
        if api_key:
            key = find_api_key(session, api_key)
            if key is None:
                raise _unauthorized("unknown or revoked API key")
            return Principal(None, None, None, key.id, key.rate_limit_per_minute)
        if token:
            user_id = decode_access_token(token, settings.secret_key.get_secret_value())
            user = get_active_user(session, user_id) if user_id is not None else None
            if user is None:
                raise _unauthorized("invalid or expired token: log in again at /api/v1/auth/token")
            return Principal(user.id, user.username, user.role, None)
    raise _unauthorized("not authenticated: send a bearer token or an X-API-Key header")


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_admin(principal: CurrentPrincipal, session: SessionDep) -> User:
    user = get_active_user(session, principal.user_id) if principal.is_admin else None
    if user is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


def _user_with(principal: Principal, session: Session, roles: tuple[Role, ...]) -> User:
    user = get_active_user(session, principal.user_id) if principal.role in roles else None
    if user is None:
        allowed = ", ".join(role.value for role in roles)
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"only for: {allowed}")
    return user


def get_manager(principal: CurrentPrincipal, session: SessionDep) -> User:
    """Admins and recruiters: they create, publish and close assessments."""
    return _user_with(principal, session, (Role.ADMIN, Role.RECRUITER))


ManagerUser = Annotated[User, Depends(get_manager)]


def get_reviewer(principal: CurrentPrincipal, session: SessionDep) -> User:
    """Staff who review: notes, review scores, decisions."""
    return _user_with(principal, session, (Role.ADMIN, Role.RECRUITER, Role.REVIEWER))


ReviewerUser = Annotated[User, Depends(get_reviewer)]


def get_staff_reader(principal: CurrentPrincipal) -> Principal:
    """Who may read assessments, invitations and scorecards: staff, and API keys (an
    applicant tracking system pulls scorecards)."""
    if principal.api_key_id is None and not (principal.role and principal.role.staff):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "staff only")
    return principal


StaffReader = Annotated[Principal, Depends(get_staff_reader)]


def get_inviter(principal: CurrentPrincipal) -> Principal:
    """Who may invite and revoke: admins, recruiters and API keys."""
    if principal.api_key_id is None and principal.role not in (Role.ADMIN, Role.RECRUITER):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only for: admin, recruiter, API keys")
    return principal


Inviter = Annotated[Principal, Depends(get_inviter)]


def get_clock(request: Request) -> Callable[[], datetime]:
    """The server's clock (`app.state.clock`: tests move it; nothing else does)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]

_invitation_token = APIKeyHeader(
    name="X-Invitation-Token",
    auto_error=False,
    description="The token of the candidate's invitation link (`inv_...`).",
)


def get_invitation(
    request: Request,
    sessions: SessionsDep,
    clock: ClockDep,
    token: Annotated[str | None, Depends(_invitation_token)],
) -> int:
    """The id of the invitation the candidate's token opens, or the candidate's browser session
    made from it (the cookie; then state-changing requests need its CSRF token). Its own
    session, closed at once: a long-poll holds no connection. A revoked or expired invitation
    is a 403 saying so."""
    now = clock()
    with sessions() as session:
        if token:
            try:
                return invitations.by_token(session, token, now).id
            except NotFound as exc:
                raise _unauthorized("unknown invitation link") from exc
        browser = browser_of(request, session, now)
        if browser is None or browser.invitation_id is None:
            raise _unauthorized("send the invitation's token as X-Invitation-Token")
        try:
            check_csrf(request, browser)
        except CsrfRefused as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
        invitation = invitations.get_invitation(session, browser.invitation_id)
        invitations.check_usable(session, invitation, now)
        return invitation.id


CurrentInvitation = Annotated[int, Depends(get_invitation)]


def limit_body(request: Request, settings: SettingsDep) -> None:
    """Refuse oversized bodies by their declared length, before the submission is checked (the
    app's `max_body_size` stops bodies that lie about it while they stream in)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > settings.max_request_bytes:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request body over {settings.max_request_bytes} bytes",
        )


BodyLimit = Depends(limit_body)
