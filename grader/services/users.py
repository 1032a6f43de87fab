"""Users and credentials."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import security
from grader.db.models import ApiKey, Role, User, utcnow
from grader.errors import Conflict, InvalidInput, NotFound

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}")
MIN_PASSWORD = 8


def create_user(session: Session, username: str, password: str | None, role: Role) -> User:
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "a username is 2-64 characters: letters, digits and _ . @ -, starting with a letter "
            "or digit"
        )
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"the username {username!r} is taken")
    user = User(
        username=username,
        password_hash=security.hash_password(password) if password is not None else None,
        role=role,
    )
    session.add(user)
    session.commit()
    return user


def get_active_user(session: Session, user_id: int | None) -> User | None:
    """The user with this id if it exists and is active."""
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.is_active else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, else None (in the same time either way)."""
    # No username holds a NUL, and PostgreSQL cannot even compare one.
    user = (
        None
        if "\x00" in username
        else session.scalar(select(User).where(User.username == username))
    )
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
    """The live key `secret` belongs to, if any."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == security.hash_api_key(secret)))
    return key if key is not None and key.revoked_at is None else None
