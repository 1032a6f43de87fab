"""Who may see a page: dependencies for the page routes, with the API's role matrix.

A page with no session sends the browser to the login form (staff) or says to open the
invitation link again (candidates); a session of the wrong kind or role gets a 403 page. Every
POST is checked against the session's CSRF token before anything happens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from grader.api.deps import ClockDep, SessionDep
from grader.db.models import Invitation, Role, User
from grader.errors import GraderError
from grader.services import invitations
from grader.services.users import get_active_user
from grader.services.web_sessions import Browser
from grader.web.auth import CSRF_FIELD, browser_of, check_csrf

STAFF = (Role.ADMIN, Role.RECRUITER, Role.REVIEWER)
MANAGERS = (Role.ADMIN, Role.RECRUITER)
ADMINS = (Role.ADMIN,)


class LoginRequired(Exception):
    """No staff session: to the login form, then back to `next`."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url

    @property
    def location(self) -> str:
        return f"/login?next={quote(self.next_url, safe='/')}"


class PageError(GraderError):
    """A page that cannot be shown to this browser, with the status and a sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def mark_page(request: Request) -> None:
    """Errors on this route are pages, not JSON (see `grader.web.errors`)."""
    request.state.page = True


def get_browser(request: Request, session: SessionDep, clock: ClockDep) -> Browser | None:
    return browser_of(request, session, clock())


BrowserDep = Annotated[Browser | None, Depends(get_browser)]


@dataclass(frozen=True)
class Staff:
    user: User
    browser: Browser

    def can(self, roles: tuple[Role, ...]) -> bool:
        return self.user.role in roles


def _staff(request: Request, session: Session, browser: Browser | None) -> Staff:
    user = get_active_user(session, browser.user_id) if browser else None
    if browser is None or user is None:
        raise LoginRequired(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    if user.role not in STAFF:
        raise PageError(403, "this page is for the hiring team")
    return Staff(user, browser)


def _requiring(roles: tuple[Role, ...]) -> Callable[..., Staff]:
    def dependency(request: Request, session: SessionDep, browser: BrowserDep) -> Staff:
        staff = _staff(request, session, browser)
        if not staff.can(roles):
            allowed = ", ".join(role.value for role in roles)
            raise PageError(403, f"this page is only for: {allowed}")
        return staff

    return dependency


StaffPage = Annotated[Staff, Depends(_requiring(STAFF))]
ManagerPage = Annotated[Staff, Depends(_requiring(MANAGERS))]
AdminPage = Annotated[Staff, Depends(_requiring(ADMINS))]


@dataclass(frozen=True)
class Candidate:
    invitation: Invitation
    browser: Browser


def get_candidate(session: SessionDep, browser: BrowserDep, clock: ClockDep) -> Candidate:
    """The candidate's own invitation, through the session their link made."""
    if browser is None or browser.invitation_id is None:
        raise PageError(401, "open your invitation link again to continue")
    invitation = invitations.get_invitation(session, browser.invitation_id)
    invitations.check_usable(session, invitation, clock())
    return Candidate(invitation, browser)


CandidatePage = Annotated[Candidate, Depends(get_candidate)]


async def csrf_form(request: Request, browser: BrowserDep) -> None:
    """A POSTed form must carry the session's CSRF token."""
    if browser is None:
        raise PageError(401, "your session has ended: log in or open your link again")
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(request, browser, token if isinstance(token, str) else None)


CsrfChecked = Depends(csrf_form)
