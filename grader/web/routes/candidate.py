"""The candidate's pages, reached from the invitation link: the landing page (instructions,
time limit, items, what is recorded, Start), a workspace per item (prompt and editor, or the
question's form), live results and the history of each item's submissions.

The link's token is exchanged at once for a browser session (cookie) and the browser is sent
to `/take`, so the token does not stay in the address bar or the history. Everything the pages
change goes through the same services as the REST API; the editor's scripts call the REST
routes themselves (`/api/v1/invitation/...`) with the session and its CSRF token."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from grader.api.deps import (
    ChangesDep,
    ClockDep,
    Position,
    RedisDep,
    RowId,
    SessionDep,
    SessionsDep,
    SettingsDep,
    WaitsDep,
)
from grader.api.longpoll import hold_until
from grader.api.schemas.assessments import (
    CandidateView,
    candidate_submission,
    candidate_view,
    load_candidate_submission,
)
from grader.db.models import InvitationStatus, ItemKind, SubmissionStatus
from grader.queue import enqueue_webhook, grading_queue
from grader.services import drafts, invitations, web_sessions, webhooks
from grader.web.auth import set_session_cookie
from grader.web.deps import Candidate, CandidatePage, CsrfChecked, PageError, mark_page
from grader.web.markdown import inline, render_markdown
from grader.web.pages import render

router = APIRouter(prefix="/take", include_in_schema=False, dependencies=[Depends(mark_page)])

#: How long one long-poll of a result fragment is held (the page asks again after).
RESULT_WAIT_SECONDS = 20


_HEADING = re.compile(r"<(/?)h([1-6])>")


def prompt_html(text: str | None, title: str) -> Markup:
    """An item's prompt (Markdown, sanitised) under the page's own heading: its headings one
    level down (the page has one <h1>, the item's title), and a first heading that only
    repeats the title left out (a challenge's README starts with `# Title`)."""
    html = str(render_markdown(text))
    first = re.match(r"\s*<h1>(.*?)</h1>\s*", html, re.S)
    if first and first.group(1).strip() == str(escape(title)):
        html = html[first.end() :]
    demoted = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", html)
    return Markup(demoted)  # rendered and sanitised by render_markdown; only tags renamed


def item_heading(item: Any) -> str:
    """What an item page is called: a challenge's title; a question's kind (its text, often
    long, is the form's label just below)."""
    if item.kind is ItemKind.CODING:
        return str(item.title)
    kind = "Multiple-choice" if item.question_kind == "multiple_choice" else "Short-answer"
    return f"{kind} question"


def _open(view_: CandidateView, now: datetime) -> bool:
    """The candidate may still change things (the server decides again on every request)."""
    return view_.status is InvitationStatus.STARTED and (
        view_.deadline_at is None or now < view_.deadline_at
    )


def render_page(
    request: Request,
    template: str,
    candidate: Candidate,
    seen: CandidateView,
    now: datetime,
    **context: Any,
) -> Response:
    """A candidate page: the invitation as the candidate sees it, the session's CSRF token,
    and whether it is still open to changes."""
    return render(
        request,
        template,
        {
            "title": seen.title,
            "view": seen,
            "browser": candidate.browser,
            "editable": _open(seen, now),
            "now": now,
            "inline": inline,
            **context,
        },
    )


@router.get("")
def landing(
    request: Request, candidate: CandidatePage, session: SessionDep, clock: ClockDep
) -> Response:
    now = clock()
    seen = candidate_view(session, candidate.invitation.id, now)
    return render_page(request, "candidate/landing.html", candidate, seen, now)


@router.get("/{token}")
def open_link(
    token: Annotated[str, Path(max_length=200)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Exchange the link's token for a browser session, then show the landing page."""
    now = clock()
    invitation = invitations.by_token(session, token, now)  # 404 / 403 pages, saying why
    invitations.opened(session, invitation, now)
    cookie = web_sessions.for_invitation(session, invitation, now)
    response = RedirectResponse("/take", status_code=303)
    set_session_cookie(response, request, settings, cookie, now + web_sessions.CANDIDATE_SESSION)
    return response


@router.post("/start", dependencies=[CsrfChecked])
def start(candidate: CandidatePage, session: SessionDep, clock: ClockDep) -> Response:
    invitations.start(session, candidate.invitation, clock())
    return RedirectResponse("/take/items/1", status_code=303)


@router.post("/finish", dependencies=[CsrfChecked])
def finish(
    candidate: CandidatePage,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    invitations.finish(session, candidate.invitation, now=clock())
    queue = grading_queue(redis, settings.job_timeout_seconds)
    webhooks.send_due(session, partial(enqueue_webhook, queue))
    return RedirectResponse("/take", status_code=303)


@router.get("/items/{position}")
def item_page(
    position: Position,
    request: Request,
    candidate: CandidatePage,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    now = clock()
    seen = candidate_view(session, candidate.invitation.id, now)
    if candidate.invitation.status is InvitationStatus.INVITED:
        return RedirectResponse("/take", status_code=303)
    item = next((i for i in seen.items if i.position == position), None)
    if item is None:
        raise PageError(404, f"this assessment has no item {position}")
    context: dict[str, Any] = {
        "item": item,
        "heading": item_heading(item),
        "prompt": prompt_html(item.prompt, item.title),
    }
    if item.kind is ItemKind.CODING:
        draft = drafts.get_draft(session, candidate.invitation, position)
        feedback = candidate.invitation.assessment.feedback
        made = invitations.submissions_of(session, candidate.invitation, position)
        context |= {
            "feedback": feedback,  # result.html, for each earlier submission
            "history": [candidate_submission(s, feedback) for s in reversed(made)],
            "workspace": {
                "invitation": candidate.invitation.id,  # names the tab's unsaved copy
                "position": position,
                "files": draft.files if draft else item.starter or {"main.py": ""},
                "revision": draft.revision if draft else None,
                "saved_at": draft.updated_at.isoformat() if draft else None,
                "max_files": settings.max_files,
                "max_bytes": settings.max_submission_bytes,
            },
        }
    return render_page(request, "candidate/item.html", candidate, seen, now, **context)


@router.post("/items/{position}/answer", dependencies=[CsrfChecked])
async def save_answer(
    position: Position,
    request: Request,
    candidate: CandidatePage,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """A concept question's form: the options ticked (`choice`, repeated) or the text."""
    form = await request.form()
    choices = [int(c) for c in form.getlist("choice") if isinstance(c, str) and c.isdigit()]
    text = form.get("text")
    given: dict[str, Any] = (
        {"text": text}
        if isinstance(text, str)
        else {"choice": choices[0] if len(choices) == 1 else choices}
    )
    saved = await run_in_threadpool(
        invitations.answer, session, candidate.invitation, position, given, clock()
    )
    if request.headers.get("HX-Request"):
        return render(
            request,
            "candidate/answer_saved.html",
            {"answered_at": saved.answered_at},
        )
    return RedirectResponse(f"/take/items/{position}?saved=1", status_code=303)


@router.get("/submissions/{submission_id}/result")
async def result_fragment(
    submission_id: RowId,
    request: Request,
    candidate: CandidatePage,
    sessions: SessionsDep,
    settings: SettingsDep,
    changes: ChangesDep,
    waits: WaitsDep,
    wait: Annotated[float, Query(ge=0, le=60)] = 0,
    shown: Annotated[SubmissionStatus | None, Query(alias="seen")] = None,
) -> Response:
    """One submission's status and result as the feedback policy allows: a fragment the page
    swaps in. While it is not graded the fragment asks again (a long-poll), so results appear
    without a reload. The wait ends when the status differs from `seen` (the one the page
    shows), so the page shows queued, then running, then the result."""
    invitation_id = candidate.invitation.id
    load = partial(load_candidate_submission, sessions, invitation_id, submission_id)
    if shown is None:
        shown = (await run_in_threadpool(load)).status
    seen = await hold_until(
        load,
        lambda seen: seen.status.terminal or seen.status != shown,
        submission_id,
        min(wait, settings.max_wait_seconds, RESULT_WAIT_SECONDS),
        changes,
        waits,
        f"invitation:{invitation_id}",
    )
    return render(
        request,
        "candidate/result.html",
        {"submission": seen, "feedback": candidate.invitation.assessment.feedback},
    )


@router.get("/submissions/{submission_id}")
def submission_page(
    submission_id: RowId,
    request: Request,
    candidate: CandidatePage,
    session: SessionDep,
    sessions: SessionsDep,
    clock: ClockDep,
) -> Response:
    """An earlier submission: its files and its result."""
    now = clock()
    seen = candidate_view(session, candidate.invitation.id, now)
    submission = load_candidate_submission(sessions, candidate.invitation.id, submission_id)
    return render_page(
        request,
        "candidate/submission.html",
        candidate,
        seen,
        now,
        submission=submission,
        feedback=candidate.invitation.assessment.feedback,
    )
