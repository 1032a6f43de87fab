"""The hiring team's pages: assessments (list, create and edit drafts, publish, copy, close),
inviting candidates (one, or a pasted CSV list) and revoking them, the candidates table with
the score distribution and pass rates, and each candidate's scorecard with code, diffs,
answers to review, activity signals, notes and the decision.

Every action calls the same service as its REST route, with the same role rules: managers
(admin, recruiter) change assessments and invitations; reviewers read everything and write
reviews, notes and decisions."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from functools import partial
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from grader.api.deps import (
    MAX_INT,
    ClockDep,
    Position,
    RedisDep,
    RowId,
    SessionDep,
    SettingsDep,
    Slug,
)
from grader.api.schemas.assessments import ReportOut, scorecard_out
from grader.db.models import (
    AssessmentStatus,
    ChallengeStatus,
    Decision,
    InvitationStatus,
    Submission,
)
from grader.errors import GraderError, InvalidInput
from grader.queue import enqueue_webhook, grading_queue
from grader.services import (
    activity,
    assessments,
    invitations,
    question_bank,
    scorecards,
    webhooks,
)
from grader.services.assessments import AssessmentFilter, AssessmentSpec
from grader.services.challenges import list_challenges, spec_of
from grader.services.scorecards import InvitationFilter
from grader.web.deps import CsrfChecked, ManagerPage, Staff, StaffPage, mark_page
from grader.web.diff import FileDiff, diff_files
from grader.web.forms import assessment_spec, invitations_of
from grader.web.pages import render_scorecard, staff_page
from worker.result import printable

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(mark_page)])

PAGE_SIZE = 50
Sort = Literal["score", "time_used", "status", "name", "created"]


def page(request: Request, template: str, staff: Staff, **context: Any) -> Response:
    return staff_page(request, template, staff, "assessments", context)


def printable_diff(diff: FileDiff) -> FileDiff:
    """A diff whose lines print as themselves: a control character (a terminal escape) or a
    bidirectional override in the code becomes U+FFFD, as in results (the code view marks
    them on its own)."""
    lines = [replace(line, text=printable(line.text)) for line in diff.lines]
    return replace(diff, name=printable(diff.name), lines=lines)


def section_titles(folder: FilePath) -> dict[int, str]:
    """The seed sections' titles, from the bank's files (`section = 1`, `title = "..."`); a
    file that cannot be read names no section (the form then shows its number alone)."""
    titles: dict[int, str] = {}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        number, title = data.get("section"), data.get("title")
        if isinstance(number, int) and isinstance(title, str) and title:
            titles[number] = title
    return titles


def _back(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# --- assessments ------------------------------------------------------------------------------


@router.get("")
def assessment_list(
    request: Request,
    staff: StaffPage,
    session: SessionDep,
    status: AssessmentStatus | None = None,
    archived: bool = False,
) -> Response:
    found, total = assessments.list_assessments(session, AssessmentFilter(status, archived), 0, 500)
    counts = assessments.invitation_counts(session, [a.id for a in found])
    return page(
        request,
        "staff/assessments.html",
        staff,
        title="Assessments",
        assessments=found,
        counts=counts,
        total=total,
        status=status,
        archived=archived,
        statuses=list(AssessmentStatus),
    )


def _editor(
    request: Request,
    staff: Staff,
    session: Session,
    spec: AssessmentSpec | None,
    error: str | None = None,
    editing: str | None = None,
    status: int = 200,
) -> Response:
    """The create/edit form: the catalog's challenges (difficulty, tags) and the question bank
    (by seed section), each with a weight field."""
    weights: dict[str, int] = {}
    for item in spec.items if spec else []:
        key = f"challenge:{item.challenge}" if item.challenge else f"question:{item.question}"
        weights[key] = item.weight
    challenges = [
        (c.slug, spec_of(c.current_version).meta)
        for c in list_challenges(session, ChallengeStatus.ACTIVE)
        if c.current_version is not None
    ]
    questions = question_bank.list_questions(session)
    titles = section_titles(request.app.state.settings.questions_dir)
    return staff_page(
        request,
        "staff/assessment_form.html",
        staff,
        "assessments",
        {
            "title": f"Edit {editing}" if editing else "New assessment",
            "spec": spec,
            "weights": weights,
            "challenges": challenges,
            "questions": questions,
            "sections": [(n, titles.get(n, "")) for n in sorted({q.section for q in questions})],
            "error": error,
            "editing": editing,
        },
        status,
    )


@router.get("/assessments/new")
def new_assessment(
    request: Request, staff: ManagerPage, session: SessionDep, copy_of: Slug | None = None
) -> Response:
    spec = None
    if copy_of:
        spec = assessments.spec_of(assessments.get_assessment(session, copy_of))
        spec = spec.model_copy(update={"slug": f"{spec.slug}-copy"})
    return _editor(request, staff, session, spec)


def _check_webhook(spec: AssessmentSpec, request: Request) -> None:
    settings = request.app.state.settings
    if spec.webhook_url is not None:
        if settings.callback_secret is None:
            raise InvalidInput("webhooks are not enabled on this server")
        webhooks.check_url(spec.webhook_url, settings.callback_allow_private)


@router.post("/assessments", dependencies=[CsrfChecked])
async def create_assessment(request: Request, staff: ManagerPage, session: SessionDep) -> Response:
    form = await request.form()
    try:
        spec = assessment_spec(form)
        _check_webhook(spec, request)
        made = assessments.create_assessment(session, spec, staff.user)
    except GraderError as exc:
        session.rollback()
        return _editor(request, staff, session, _partial_spec(form), str(exc), status=422)
    return _back(f"/staff/assessments/{made.slug}")


def _partial_spec(form: Any) -> AssessmentSpec | None:
    """What the author typed, to show again with the error (None if even that fails)."""
    try:
        return assessment_spec(form)
    except GraderError:
        return None


@router.get("/assessments/{slug}/edit")
def edit_assessment(
    slug: Slug, request: Request, staff: ManagerPage, session: SessionDep
) -> Response:
    assessment = assessments.get_assessment(session, slug)
    if assessment.status is not AssessmentStatus.DRAFT:
        return _back(f"/staff/assessments/{slug}")
    return _editor(request, staff, session, assessments.spec_of(assessment), editing=slug)


@router.post("/assessments/{slug}/edit", dependencies=[CsrfChecked])
async def save_assessment(
    slug: Slug, request: Request, staff: ManagerPage, session: SessionDep
) -> Response:
    form = await request.form()
    try:
        spec = assessment_spec(form)
        _check_webhook(spec, request)
        saved = assessments.update_assessment(session, slug, spec)
    except GraderError as exc:
        session.rollback()
        spec_shown = _partial_spec(form)
        return _editor(request, staff, session, spec_shown, str(exc), editing=slug, status=422)
    return _back(f"/staff/assessments/{saved.slug}")


@router.post("/assessments/{slug}/publish", dependencies=[CsrfChecked])
def publish(slug: Slug, staff: ManagerPage, session: SessionDep) -> Response:
    assessments.publish(session, slug)
    return _back(f"/staff/assessments/{slug}")


@router.post("/assessments/{slug}/close", dependencies=[CsrfChecked])
def close(
    slug: Slug, staff: ManagerPage, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> Response:
    assessments.close(session, slug)
    invitations.finalise_due(session)
    queue = grading_queue(redis, settings.job_timeout_seconds)
    webhooks.send_due(session, partial(enqueue_webhook, queue))
    return _back(f"/staff/assessments/{slug}")


@router.post("/assessments/{slug}/archive", dependencies=[CsrfChecked])
def archive(slug: Slug, staff: ManagerPage, session: SessionDep) -> Response:
    assessments.archive(session, slug)
    return _back("/staff")


@router.post("/assessments/{slug}/copy", dependencies=[CsrfChecked])
def copy(slug: Slug, staff: ManagerPage) -> Response:
    """Copy = the editor prefilled; nothing is stored until it is saved."""
    return _back(f"/staff/assessments/new?copy_of={slug}")


@router.get("/assessments/{slug}")
def assessment_page(
    slug: Slug,
    request: Request,
    staff: StaffPage,
    session: SessionDep,
    status: InvitationStatus | None = None,
    review: Annotated[Literal["", "needed", "done"], Query()] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Sort = "created",
    desc: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> Response:
    """The candidates table (sorted, filtered, a page at a time). The statistics (score
    distribution, per-item and per-test pass rates) read every counted submission: they come
    after the table, as a fragment (`assessment_stats`), so paging the table stays fast."""
    assessment = assessments.get_assessment(session, slug)
    needs_review = {"needed": True, "done": False}.get(review)
    filters = InvitationFilter(status, needs_review, q.replace("\x00", "") or None)
    rows, total = scorecards.invitation_page(
        session, assessment, filters, sort, desc, offset, PAGE_SIZE
    )
    return page(
        request,
        "staff/assessment.html",
        staff,
        title=assessment.title,
        assessment=assessment,
        rows=rows,
        total=total,
        filters={"status": status.value if status else "", "review": review, "q": q},
        sort=sort,
        desc=desc,
        offset=offset,
        page_size=PAGE_SIZE,
        statuses=list(InvitationStatus),
        can_manage=staff.user.role.value in ("admin", "recruiter"),
        used=scorecards.time_used,
    )


@router.get("/assessments/{slug}/stats")
def assessment_stats(
    slug: Slug, request: Request, staff: StaffPage, session: SessionDep
) -> Response:
    """The score distribution, per-item and per-test pass rates: a fragment for the assessment
    page (htmx), or a page of its own without JavaScript."""
    assessment = assessments.get_assessment(session, slug)
    report = ReportOut.of(scorecards.report(session, assessment))
    fragment = bool(request.headers.get("HX-Request"))
    return page(
        request,
        "staff/assessment_stats.html",
        staff,
        title=f"{assessment.title}: statistics",
        assessment=assessment,
        report=report,
        fragment=fragment,
    )


@router.get("/assessments/{slug}/report.csv")
def report_csv(slug: Slug, staff: StaffPage, session: SessionDep) -> Response:
    text = scorecards.csv_export(session, assessments.get_assessment(session, slug))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'},
    )


@router.post("/assessments/{slug}/invitations", dependencies=[CsrfChecked])
async def invite(
    slug: Slug,
    request: Request,
    staff: ManagerPage,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Invite one candidate or a pasted list; the links are shown once, on the next page."""
    form = await request.form()
    assessment = assessments.get_assessment(session, slug)
    try:
        rows = invitations_of(form)
    except GraderError as exc:
        return page(
            request,
            "staff/invited.html",
            staff,
            title="Invite candidates",
            assessment=assessment,
            made=[],
            error=str(exc),
        )
    made = []
    for row in rows:
        invitation, token = invitations.invite(
            session, slug, row.who, created_by_id=staff.user.id, now=clock()
        )
        made.append((invitation, invitations.link(settings.public_url, token)))
    return page(
        request,
        "staff/invited.html",
        staff,
        title="Invitations made",
        assessment=assessment,
        made=made,
        error=None,
    )


@router.post("/invitations/{invitation_id}/revoke", dependencies=[CsrfChecked])
def revoke(invitation_id: RowId, staff: ManagerPage, session: SessionDep) -> Response:
    invitation = invitations.revoke(session, invitation_id)
    return _back(f"/staff/invitations/{invitation.id}")


# --- one candidate ----------------------------------------------------------------------------


def _of_item(history: list[Submission], position: int) -> list[Submission]:
    return [s for s in history if s.item is not None and s.item.position == position]


@router.get("/invitations/{invitation_id}")
def scorecard_page(
    invitation_id: RowId,
    request: Request,
    staff: StaffPage,
    session: SessionDep,
    clock: ClockDep,
    show: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    a: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    b: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    """The scorecard: per item the counted submission (its tests, log and code; `show` opens
    another; `a` and `b` diff two), each concept answer with its rubric and the review form,
    activity signals, notes and the decision."""
    invitation = invitations.get_invitation(session, invitation_id)
    card = scorecards.scorecard(session, invitation, clock())
    history = invitations.submissions_of(session, invitation)
    out = scorecard_out(card, history)
    by_id = {s.id: s for s in history}
    coding: dict[int, dict[str, Any]] = {}
    for entry in card.items:
        if entry.coding is None:
            continue
        made = _of_item(history, entry.position)
        chosen = by_id.get(show) if show in by_id and by_id[show] in made else None
        chosen = chosen or entry.coding.counted or (made[-1] if made else None)
        diff = None
        if a in by_id and b in by_id and by_id[a] in made and by_id[b] in made:
            files = [printable_diff(f) for f in diff_files(by_id[a].files, by_id[b].files)]
            diff = {"a": a, "b": b, "files": files}
        coding[entry.position] = {"made": made, "shown": chosen, "diff": diff}
    return page(
        request,
        "staff/scorecard.html",
        staff,
        title=f"{invitation.candidate_name}: scorecard",
        invitation=invitation,
        card=out,
        coding=coding,
        activity=activity.summary(session, invitation),
        decisions=list(Decision),
        can_manage=staff.user.role.value in ("admin", "recruiter"),
    )


@router.get("/invitations/{invitation_id}/print")
def print_scorecard(
    invitation_id: RowId, request: Request, staff: StaffPage, session: SessionDep, clock: ClockDep
) -> Response:
    invitation = invitations.get_invitation(session, invitation_id)
    card = scorecards.scorecard(session, invitation, clock())
    return render_scorecard(
        request, scorecard_out(card, invitations.submissions_of(session, invitation))
    )


@router.post("/invitations/{invitation_id}/answers/{position}/review", dependencies=[CsrfChecked])
async def review_answer(
    invitation_id: RowId,
    position: Position,
    request: Request,
    staff: StaffPage,
    session: SessionDep,
) -> Response:
    form = await request.form()
    try:
        points = int(str(form.get("points", "")))
    except ValueError as exc:
        raise InvalidInput("points must be a whole number") from exc
    comment = str(form.get("comment") or "").strip() or None
    invitations.review_answer(session, invitation_id, position, points, comment, staff.user)
    return _back(f"/staff/invitations/{invitation_id}#item-{position}")


@router.post("/invitations/{invitation_id}/notes", dependencies=[CsrfChecked])
async def add_note(
    invitation_id: RowId, request: Request, staff: StaffPage, session: SessionDep
) -> Response:
    form = await request.form()
    body = str(form.get("body") or "").strip()
    if not body or len(body) > 10_000:
        raise InvalidInput("a note has 1 to 10,000 characters")
    invitations.add_note(session, invitation_id, staff.user, body.replace("\x00", ""))
    return _back(f"/staff/invitations/{invitation_id}#notes")


@router.post("/invitations/{invitation_id}/decision", dependencies=[CsrfChecked])
async def decide(
    invitation_id: RowId, request: Request, staff: StaffPage, session: SessionDep
) -> Response:
    form = await request.form()
    try:
        decision = Decision(str(form.get("decision")))
    except ValueError as exc:
        raise InvalidInput("choose advance, hold or reject") from exc
    comment = str(form.get("comment") or "").strip()[:10_000] or None
    invitations.decide(session, invitation_id, decision, comment, staff.user)
    return _back(f"/staff/invitations/{invitation_id}#decision")
