"""Users and credentials: accounts, roles, passwords, API keys.

Usernames are unique ignoring case (`Carol` is `carol`) and logging in ignores case too. A
deactivated user's tokens and API keys stop working at once (every request looks the user up).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader import security
from grader.db.models import ApiKey, Role, User, WebSession, utcnow
from grader.errors import Conflict, InvalidInput, NotFound

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}")
MIN_PASSWORD = 8


def _by_name(username: str) -> ColumnElement[bool]:
    return func.lower(User.username) == username.lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")


def create_user(
    session: Session,
    username: str,
    password: str | None,
    role: Role,
    display_name: str | None = None,
) -> User:
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "a username is 2-64 characters: letters, digits and _ . @ -, starting with a letter "
            "or digit"
        )
    if password is not None:
        _check_password(password)
    if session.scalar(select(User.id).where(_by_name(username))) is not None:
        raise Conflict(f"the username {username!r} is taken (names are compared ignoring case)")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=security.hash_password(password) if password is not None else None,
        role=role,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent request took the name first
        session.rollback()
        raise Conflict(f"the username {username!r} is taken") from exc
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


@dataclass(frozen=True)
class UserChanges:
    display_name: str | None = None
    role: Role | None = None


def edit_user(session: Session, user_id: int, changes: UserChanges) -> User:
    user = get_user(session, user_id)
    if changes.display_name is not None:
        user.display_name = changes.display_name
    if changes.role is not None:
        user.role = changes.role
    session.commit()
    return user


def set_active(session: Session, user_id: int, active: bool, acting: User) -> User:
    """Deactivate (their tokens and API keys stop working at once) or reactivate a user."""
    user = get_user(session, user_id)
    if user.id == acting.id and not active:
        raise InvalidInput("you cannot deactivate yourself")
    user.is_active = active
    if not active:
        _log_out_everywhere(session, user)
    session.commit()
    return user


def _log_out_everywhere(session: Session, user: User) -> None:
    """Their browser sessions end too (tokens and keys are refused by the activity check)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def reset_password(session: Session, user_id: int) -> tuple[User, str]:
    """Give a user a new generated password, returned once (it is stored hashed only)."""
    user = get_user(session, user_id)
    password = secrets.token_urlsafe(12)
    user.password_hash = security.hash_password(password)
    _log_out_everywhere(session, user)
    session.commit()
    return user, password


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    """A user's own change: the current password first."""
    user = get_user(session, user_id)
    if not security.verify_password(current, user.password_hash):
        raise InvalidInput("the current password is wrong")
    _check_password(new)
    user.password_hash = security.hash_password(new)
    session.commit()


def get_active_user(session: Session, user_id: int | None) -> User | None:
    """The user with this id if it exists and is active."""
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.is_active else None


def list_users(
    session: Session, role: Role | None = None, active: bool | None = None
) -> list[User]:
    query = select(User).order_by(User.id)
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.is_active == active)
    return list(session.scalars(query))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, else None (in the same time either way)."""
    # No username holds a NUL, and PostgreSQL cannot even compare one.
    user = None if "\x00" in username else session.scalar(select(User).where(_by_name(username)))
    ok = security.verify_password(password, user.password_hash if user else None)
    return user if ok and user is not None and user.is_active else None


def create_api_key(session: Session, name: str, created_by: User) -> tuple[ApiKey, str]:
    """The stored key and its secret, which is shown once and never stored."""
    new = security.generate_api_key()
    key = ApiKey(name=name, prefix=new.prefix, key_hash=new.key_hash, created_by_id=created_by.id)
    session.add(key)
    session.commit()
    return key, new.key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The live key `secret` belongs to, if any: not revoked, its owner active."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == security.hash_api_key(secret)))
    if key is None or key.revoked_at is not None or not key.created_by.is_active:
        return None
    return key


def set_api_key_limit(session: Session, key_id: int, per_minute: int | None) -> ApiKey:
    """A key's own submissions per minute (None: the setting for API keys)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    key.rate_limit_per_minute = per_minute
    session.commit()
    return key
