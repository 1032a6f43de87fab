"""Assessments for staff: create and publish them, invite candidates, read scorecards and
reports, review answers and decide. (Candidates use the invitation routes.)"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from grader.api.deps import (
    MAX_INT,
    ClockDep,
    Inviter,
    ManagerUser,
    Position,
    RedisDep,
    ReviewerUser,
    RowId,
    SessionDep,
    SettingsDep,
    Slug,
    StaffReader,
)
from grader.api.schemas import NO_NUL, SubmissionOut, error_responses
from grader.api.schemas.assessments import (
    AssessmentOut,
    AssessmentPage,
    CopyRequest,
    DecisionIn,
    InvitationCreate,
    InvitationCreated,
    InvitationOut,
    InvitationPage,
    NoteCreate,
    NoteOut,
    ReportOut,
    ReviewIn,
    ScorecardOut,
    integrity_of,
    scorecard_out,
)
from grader.config import Settings
from grader.db.models import AssessmentStatus, InvitationStatus
from grader.queue import enqueue_webhook, grading_enqueuer, grading_queue
from grader.services import activity, assessments, invitations, scorecards, webhooks
from grader.services.assessments import AssessmentFilter, AssessmentSpec
from grader.services.scorecards import InvitationFilter
from grader.web.pages import render_scorecard

router = APIRouter(tags=["assessments"], responses=error_responses(401, 403, 422))

Sort = Literal["score", "time_used", "status", "name", "created"]


@router.get("/assessments")
def list_assessments(
    _: StaffReader,
    session: SessionDep,
    status: AssessmentStatus | None = None,
    include_archived: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AssessmentPage:
    found, total = assessments.list_assessments(
        session, AssessmentFilter(status, include_archived), offset, limit
    )
    items = [AssessmentOut.of(a) for a in found]
    return AssessmentPage(items=items, total=total, offset=offset, limit=limit)


def _check_webhook(spec: AssessmentSpec, settings: Settings) -> None:
    """The assessment's webhook is held to the rules of a submission's callback URL."""
    if spec.webhook_url is None:
        return
    if settings.callback_secret is None:
        raise webhooks.CallbackRefused("webhooks are not enabled on this server")
    try:
        webhooks.check_url(spec.webhook_url, settings.callback_allow_private)
    except webhooks.CallbackRefused as exc:
        raise webhooks.CallbackRefused(str(exc).replace("callback_url", "webhook_url")) from exc


@router.post("/assessments", status_code=status.HTTP_201_CREATED, responses=error_responses(409))
def create_assessment(
    body: AssessmentSpec, author: ManagerUser, session: SessionDep, settings: SettingsDep
) -> AssessmentOut:
    """A new draft: its items are challenges (by slug) and questions (by id), each weighted."""
    _check_webhook(body, settings)
    return AssessmentOut.of(assessments.create_assessment(session, body, author))


@router.get("/assessments/{slug}", responses=error_responses(404))
def read_assessment(slug: Slug, _: StaffReader, session: SessionDep) -> AssessmentOut:
    return AssessmentOut.of(assessments.get_assessment(session, slug))


@router.put("/assessments/{slug}", responses=error_responses(404, 409))
def update_assessment(
    slug: Slug, body: AssessmentSpec, _: ManagerUser, session: SessionDep, settings: SettingsDep
) -> AssessmentOut:
    """Change a draft; a published assessment answers 409 (copy it to change it)."""
    _check_webhook(body, settings)
    return AssessmentOut.of(assessments.update_assessment(session, slug, body))


@router.post("/assessments/{slug}/publish", responses=error_responses(404, 409))
def publish(slug: Slug, _: ManagerUser, session: SessionDep) -> AssessmentOut:
    """Fix the items: challenge versions pinned, questions copied; candidates may be invited."""
    return AssessmentOut.of(assessments.publish(session, slug))


@router.post("/assessments/{slug}/close", responses=error_responses(404, 409))
def close(
    slug: Slug,
    _: ManagerUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> AssessmentOut:
    """No one starts any more; candidates at work are finalised now."""
    now = clock()
    closed = assessments.close(session, slug, now)
    invitations.finalise_due(session, now)
    queue = grading_queue(redis, settings.job_timeout_seconds)
    webhooks.send_due(session, partial(enqueue_webhook, queue))
    return AssessmentOut.of(closed)


@router.post("/assessments/{slug}/archive", responses=error_responses(404, 409))
def archive(slug: Slug, _: ManagerUser, session: SessionDep) -> AssessmentOut:
    return AssessmentOut.of(assessments.archive(session, slug))


@router.post(
    "/assessments/{slug}/copy",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
def copy(slug: Slug, body: CopyRequest, author: ManagerUser, session: SessionDep) -> AssessmentOut:
    """A new draft with the same settings and items (how a published one is changed)."""
    return AssessmentOut.of(assessments.copy(session, slug, body.slug, author))


@router.post(
    "/assessments/{slug}/items/{position}/upgrade",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404, 409),
)
def upgrade_item(
    slug: Slug,
    position: Position,
    manager: ManagerUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> list[SubmissionOut]:
    """Move a coding item to its challenge's current version and regrade its submissions."""
    queue = grading_queue(redis, settings.job_timeout_seconds)
    regraded = assessments.upgrade_item(
        session, slug, position, grading_enqueuer(queue), manager.id
    )
    return [SubmissionOut.of(s, staff=True) for s in regraded]


@router.post(
    "/assessments/{slug}/invitations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
def invite(
    slug: Slug,
    body: InvitationCreate,
    principal: Inviter,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> InvitationCreated:
    """Invite a candidate (no mail is sent: hand them the link). The token is shown once."""
    if body.callback_url is not None:
        if settings.callback_secret is None:
            raise webhooks.CallbackRefused("callbacks are not enabled on this server")
        webhooks.check_url(body.callback_url, settings.callback_allow_private)
    invitation, token = invitations.invite(
        session,
        slug,
        invitations.NewInvitation(
            body.candidate_name, body.candidate_email, body.external_id, body.callback_url
        ),
        api_key_id=principal.api_key_id,
        created_by_id=principal.user_id,
        now=clock(),
    )
    return InvitationCreated(
        **InvitationOut.model_validate(invitation).model_dump(),
        token=token,
        link=invitations.link(settings.public_url, token),
    )


@router.get("/assessments/{slug}/invitations", responses=error_responses(404))
def list_invitations(
    slug: Slug,
    _: StaffReader,
    session: SessionDep,
    status: InvitationStatus | None = None,
    needs_review: bool | None = None,
    search: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    sort: Sort = "created",
    descending: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InvitationPage:
    """The assessment's candidates, a page at a time, filtered and sorted (score, time used,
    status, name, created)."""
    assessment = assessments.get_assessment(session, slug)
    page, total = scorecards.invitation_page(
        session,
        assessment,
        InvitationFilter(status, needs_review, search),
        sort,
        descending,
        offset,
        limit,
    )
    items = [InvitationOut.model_validate(i) for i in page]
    return InvitationPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/assessments/{slug}/report", responses=error_responses(404))
def report(slug: Slug, _: StaffReader, session: SessionDep) -> ReportOut:
    """Statuses, the score distribution, per-item and per-test pass rates, median times."""
    return ReportOut.of(scorecards.report(session, assessments.get_assessment(session, slug)))


@router.get(
    "/assessments/{slug}/report.csv",
    responses={
        **error_responses(404),
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    },
)
def report_csv(slug: Slug, _: StaffReader, session: SessionDep) -> Response:
    """Every invitation, one row each, with each item's points."""
    text = scorecards.csv_export(session, assessments.get_assessment(session, slug))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'},
    )


@router.get("/invitations/{invitation_id}", responses=error_responses(404))
def read_invitation(invitation_id: RowId, _: StaffReader, session: SessionDep) -> InvitationOut:
    return InvitationOut.model_validate(invitations.get_invitation(session, invitation_id))


@router.get("/invitations/{invitation_id}/scorecard", responses=error_responses(404))
def read_scorecard(invitation_id: RowId, _: StaffReader, session: SessionDep) -> ScorecardOut:
    """The candidate's scorecard (the JSON export)."""
    invitation = invitations.get_invitation(session, invitation_id)
    card = scorecards.scorecard(session, invitation)
    return scorecard_out(
        card,
        invitations.submissions_of(session, invitation),
        integrity_of(activity.summary(session, invitation)),
    )


@router.get(
    "/invitations/{invitation_id}/scorecard.html",
    responses={
        **error_responses(404),
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
    },
)
def printable_scorecard(
    invitation_id: RowId, _: StaffReader, session: SessionDep, request: Request
) -> HTMLResponse:
    """The scorecard as a printable page."""
    invitation = invitations.get_invitation(session, invitation_id)
    card = scorecards.scorecard(session, invitation)
    history = invitations.submissions_of(session, invitation)
    return render_scorecard(request, scorecard_out(card, history))


@router.post("/invitations/{invitation_id}/revoke", responses=error_responses(404, 409))
def revoke(invitation_id: RowId, _: Inviter, session: SessionDep) -> InvitationOut:
    """The link stops working at once; what the candidate sent stays."""
    return InvitationOut.model_validate(invitations.revoke(session, invitation_id))


@router.post(
    "/invitations/{invitation_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404),
)
def add_note(
    invitation_id: RowId, body: NoteCreate, reviewer: ReviewerUser, session: SessionDep
) -> NoteOut:
    return NoteOut.model_validate(invitations.add_note(session, invitation_id, reviewer, body.body))


@router.put("/invitations/{invitation_id}/decision", responses=error_responses(404))
def decide(
    invitation_id: RowId, body: DecisionIn, reviewer: ReviewerUser, session: SessionDep
) -> InvitationOut:
    """advance, hold or reject, with a comment; who and when are recorded."""
    decided = invitations.decide(session, invitation_id, body.decision, body.comment, reviewer)
    return InvitationOut.model_validate(decided)


@router.put(
    "/invitations/{invitation_id}/answers/{position}/review", responses=error_responses(404)
)
def review_answer(
    invitation_id: RowId,
    position: Position,
    body: ReviewIn,
    reviewer: ReviewerUser,
    session: SessionDep,
) -> ScorecardOut:
    """Confirm (give the proposed points) or override a concept answer's points."""
    invitations.review_answer(session, invitation_id, position, body.points, body.comment, reviewer)
    invitation = invitations.get_invitation(session, invitation_id)
    card = scorecards.scorecard(session, invitation)
    return scorecard_out(
        card,
        invitations.submissions_of(session, invitation),
        integrity_of(activity.summary(session, invitation)),
    )
