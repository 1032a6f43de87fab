"""Typed dependency aliases, so route signatures read like sentences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from grader.api.schemas import NO_NUL
from grader.config import Settings, get_settings
from grader.db.models import Role, User
from grader.db.session import get_sessionmaker
from grader.queue import RedisClient
from grader.security import decode_access_token
from grader.services.submissions import Submitter
from grader.services.users import find_api_key

SettingsDep = Annotated[Settings, Depends(get_settings)]

#: The largest integer both databases take in a query (PostgreSQL INTEGER); past it, a lookup
#: or an OFFSET overflowed into a 500.
MAX_INT = 2**31 - 1
#: A row id in a path; out-of-range ones are refused (422) before they reach the database.
RowId = Annotated[int, Path(ge=1, le=MAX_INT)]
#: A challenge's slug in a path.
Slug = Annotated[str, Path(pattern=NO_NUL)]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with get_sessionmaker(settings.database_url)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_redis(request: Request) -> RedisClient:
    redis: RedisClient = request.app.state.redis
    return redis


RedisDep = Annotated[RedisClient, Depends(get_redis)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (by token) or an API key. Plain data, safe outside the session."""

    user_id: int | None
    username: str | None
    role: Role | None
    api_key_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def submitter(self) -> Submitter:
        # API keys belong to services acting for many candidates: they see everything.
        return Submitter(
            self.user_id, self.api_key_id, sees_all=self.is_admin or self.api_key_id is not None
        )

    @property
    def rate_subject(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"key:{self.api_key_id}"


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    if api_key:
        key = find_api_key(session, api_key)
        if key is None:
            raise _unauthorized("unknown or revoked API key")
        return Principal(None, None, None, key.id)
    if token:
        user_id = decode_access_token(token, settings.secret_key.get_secret_value())
        user = session.get(User, user_id) if user_id is not None else None
        if user is None or not user.is_active:
            raise _unauthorized("invalid or expired token: log in again at /api/v1/auth/token")
        return Principal(user.id, user.username, user.role, None)
    raise _unauthorized("not authenticated: send a bearer token or an X-API-Key header")


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_admin(principal: CurrentPrincipal, session: SessionDep) -> User:
    if not principal.is_admin or principal.user_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


AdminUser = Annotated[User, Depends(get_admin)]


def limit_body(request: Request, settings: SettingsDep) -> None:
    """Refuse oversized bodies before they are parsed (by their declared length)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > settings.max_request_bytes:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request body over {settings.max_request_bytes} bytes",
        )


BodyLimit = Depends(limit_body)
