"""Rendering pages with Jinja2: autoescaping always on, so candidate text is always text."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from grader.web import TEMPLATES_DIR

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.autoescape = True


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_scorecard(request: Request, card: Any) -> HTMLResponse:
    """The printable scorecard (`scorecard_print.html`)."""
    return render(request, "scorecard_print.html", {"card": card})
