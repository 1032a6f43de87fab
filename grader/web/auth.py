"""The browser's side of authentication: the session cookie and CSRF protection.

The cookie (`grader_session`) is HttpOnly, SameSite=Lax, Secure whenever the service is reached
over HTTPS, and holds a random token whose hash names a server-side session
(`grader.services.web_sessions`): logging out or expiring ends it on the server. Every
state-changing request made with the cookie must carry the session's CSRF token (form field
`csrf_token` or header `X-CSRF-Token`) and, when the browser sends one, an `Origin` of this
service."""

from __future__ import annotations

import hmac
from datetime import datetime
from urllib.parse import urlsplit

from fastapi import Request, Response
from sqlalchemy.orm import Session

from grader.config import Settings
from grader.services import web_sessions
from grader.services.web_sessions import Browser

COOKIE = "grader_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """A state-changing request made with the session cookie but without its CSRF token."""


def secure_cookies(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


def set_session_cookie(
    response: Response, request: Request, settings: Settings, token: str, expires: datetime
) -> None:
    response.set_cookie(
        COOKIE,
        token,
        expires=expires,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request, settings)
    )


def browser_of(request: Request, session: Session, now: datetime) -> Browser | None:
    """The live session the request's cookie opens, if any."""
    return web_sessions.load(session, request.cookies.get(COOKIE), now)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not every browser sends it on same-origin requests
        return True
    parts = urlsplit(origin)
    return f"{parts.hostname}:{parts.port or _default_port(parts.scheme)}" == (
        f"{request.url.hostname}:{request.url.port or _default_port(request.url.scheme)}"
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def check_csrf(request: Request, browser: Browser, submitted: str | None = None) -> None:
    """Refuse a state-changing request that lacks the session's CSRF token (from the header,
    or `submitted` from a form) or comes from another origin."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER) or submitted or ""
    if not hmac.compare_digest(given.encode(), browser.csrf_token.encode()):
        raise CsrfRefused("this form has expired or did not come from this site: reload the page")
    if not _same_origin(request):
        raise CsrfRefused("the request came from another site")
