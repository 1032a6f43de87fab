"""Errors on page routes are pages: the same sentence the API would give, in the layout, with
the status code; a missing staff session is a redirect to the login form."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from grader.web.deps import LoginRequired
from grader.web.pages import render


def is_page(request: Request) -> bool:
    return bool(getattr(request.state, "page", False))


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {401: "Not signed in", 403: "Not allowed", 404: "Not found", 409: "Not now"}
    return render(
        request,
        "error.html",
        {"title": titles.get(status, "Something went wrong"), "message": message},
        status=status,
    )


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(exc.location, status_code=303)
