"""Browser sessions for the web pages. The cookie holds a random token; the database holds its
hash, who it is for (a staff user, or a candidate's invitation), the CSRF token every
state-changing request must send back, and the expiry, which the server alone decides."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.db.models import Invitation, User, WebSession, utcnow
from grader.services.users import get_active_user

#: A candidate's session outlives their deadline a little (to read the results), never more.
CANDIDATE_GRACE = timedelta(hours=2)
CANDIDATE_SESSION = timedelta(hours=24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Browser:
    """Who a live session is for (plain data, safe outside the database session)."""

    session_id: int
    csrf_token: str
    user_id: int | None
    invitation_id: int | None


def _open(
    session: Session, user: User | None, invitation: Invitation | None, expires: datetime
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_hash(token),
            csrf_token=secrets.token_urlsafe(32),
            user_id=user.id if user else None,
            invitation_id=invitation.id if invitation else None,
            expires_at=expires,
        )
    )
    session.commit()
    return token


def for_user(session: Session, user: User, lifetime: timedelta, now: datetime | None = None) -> str:
    """A staff member's session after logging in; the cookie's token."""
    return _open(session, user, None, (now or utcnow()) + lifetime)


def for_invitation(session: Session, invitation: Invitation, now: datetime | None = None) -> str:
    """A candidate's session made from their invitation link: it opens that invitation only."""
    now = now or utcnow()
    expires = now + CANDIDATE_SESSION
    if invitation.deadline_at is not None:
        expires = min(expires, max(now, invitation.deadline_at) + CANDIDATE_GRACE)
    return _open(session, None, invitation, expires)


def load(session: Session, token: str | None, now: datetime | None = None) -> Browser | None:
    """The live session a cookie's token opens: None when unknown, expired, or its user was
    deactivated since (an expired one is deleted)."""
    if not token:
        return None
    found = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if found is None:
        return None
    if found.expires_at <= (now or utcnow()):
        session.delete(found)
        session.commit()
        return None
    if found.user_id is not None and get_active_user(session, found.user_id) is None:
        return None
    return Browser(found.id, found.csrf_token, found.user_id, found.invitation_id)


def end(session: Session, token: str | None) -> None:
    """Log out: the session is gone server-side, whatever the browser keeps."""
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))
        session.commit()


def sweep(session: Session, now: datetime | None = None) -> int:
    """Delete expired sessions (the reaper's pass); how many."""
    done = session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))
    session.commit()
    return int(getattr(done, "rowcount", 0) or 0)
