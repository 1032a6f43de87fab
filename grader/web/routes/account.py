"""Log in and out of the staff pages; the home page sends each browser where it belongs."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from grader.api.deps import ClockDep, LimiterDep, SessionDep, SettingsDep
from grader.api.routes.auth import login_subject
from grader.errors import RateLimited
from grader.services import web_sessions
from grader.services.users import authenticate
from grader.web.auth import COOKIE as SESSION_COOKIE
from grader.web.auth import (
    CSRF_FIELD,
    clear_session_cookie,
    secure_cookies,
    set_session_cookie,
)
from grader.web.deps import STAFF, BrowserDep, CsrfChecked, mark_page
from grader.web.pages import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

#: Before there is a session, the login form is protected by a double-submit cookie.
LOGIN_COOKIE = "grader_login"


def _safe_next(next_url: str | None) -> str:
    """Only a path of this site (no `//host`, no scheme): no open redirect."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/staff"


@router.get("/")
def home(browser: BrowserDep) -> Response:
    if browser is not None and browser.invitation_id is not None:
        return RedirectResponse("/take", status_code=303)
    return RedirectResponse("/staff" if browser else "/login", status_code=303)


def _login_form(
    request: Request,
    settings: SettingsDep,
    next_url: str,
    error: str | None = None,
    username: str | None = None,
    status: int = 200,
) -> Response:
    token = secrets.token_urlsafe(24)
    context = {
        "title": "Sign in",
        "login_csrf": token,
        "next_url": _safe_next(next_url),
        "error": error,
        "username": username,
    }
    response = render(request, "login.html", context, status=status)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, settings),
        path="/login",
    )
    return response


@router.get("/login")
def login_page(
    request: Request,
    settings: SettingsDep,
    next: str | None = None,
) -> Response:
    return _login_form(request, settings, next or "/staff")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = "/staff",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_form(
            request, settings, next_url, "The form expired: please sign in again.", username, 403
        )
    try:
        limiter.hit(login_subject(username), settings.login_attempts_per_minute, "log-in attempts")
    except RateLimited as exc:
        return _login_form(request, settings, next_url, str(exc).capitalize(), username, 429)
    user = authenticate(session, username, password)
    if user is None or user.role not in STAFF:
        return _login_form(
            request, settings, next_url, "Wrong username or password.", username, 401
        )
    now = clock()
    lifetime = timedelta(hours=settings.web_session_hours)
    token = web_sessions.for_user(session, user, lifetime, now)
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    set_session_cookie(response, request, settings, token, now + lifetime)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    web_sessions.end(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request, settings)
    return response
