"""Rendering pages with Jinja2: autoescaping always on, so candidate text is always text;
Markdown only through `markdown` (sanitised); times in UTC, shown the same on every page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from grader.db.models import Submission
from grader.web import TEMPLATES_DIR
from grader.web.deps import Staff
from grader.web.markdown import inline, render_markdown
from worker.result import GradeResult

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.autoescape = True


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def stored_result(submission: Submission | None) -> dict[str, Any]:
    """A submission's stored result as a page shows it: read back through the result model,
    which makes the candidate's text printable (no terminal escapes or bidirectional
    overrides, even in a row written before that rule)."""
    if submission is None or not submission.result:
        return {}
    try:
        return GradeResult.model_validate(submission.result).model_dump(mode="json")
    except ValidationError:
        return {"error": "this stored result cannot be read"}


templates.env.filters["markdown"] = render_markdown
templates.env.filters["when"] = _when
templates.env.filters["duration"] = _duration
templates.env.globals["inline"] = inline
templates.env.globals["result_of"] = stored_result


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def staff_page(
    request: Request,
    template: str,
    staff: Staff,
    section: str,
    context: dict[str, Any],
    status: int = 200,
) -> HTMLResponse:
    """A staff page: who is signed in (and their CSRF token), and the menu's section."""
    return render(
        request,
        template,
        {"staff": staff, "browser": staff.browser, "section": section, **context},
        status,
    )


def render_scorecard(request: Request, card: Any) -> HTMLResponse:
    """The printable scorecard (`scorecard_print.html`)."""
    return render(request, "scorecard_print.html", {"card": card})
