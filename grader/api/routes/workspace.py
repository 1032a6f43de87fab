"""The candidate's workspace, beside the invitation routes: drafts saved as they type, and the
activity signals the landing page tells them about. Same token or browser session, same
clock: after the deadline nothing changes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from grader.api.deps import (
    BodyLimit,
    ClockDep,
    CurrentInvitation,
    LimiterDep,
    Position,
    SessionDep,
    SettingsDep,
)
from grader.api.schemas import Request, error_responses
from grader.db.models import ActivityKind
from grader.services import activity, drafts, invitations
from grader.services.assessments import MAX_ITEMS
from grader.services.submissions import SubmissionRules

router = APIRouter(
    prefix="/invitation", tags=["candidate"], responses=error_responses(401, 403, 404, 422)
)

#: The editor saves after a pause in typing (0.8 s): a person stays far below these.
DRAFT_SAVES_PER_MINUTE = 120
ACTIVITY_CALLS_PER_MINUTE = 30


class DraftIn(Request):
    files: dict[str, str] = Field(description="Relative path -> UTF-8 text (main.py optional).")
    base_revision: int | None = Field(
        default=None, ge=1, description="The revision this copy was made from: an older one is 409."
    )


class DraftOut(BaseModel):
    item: int
    files: dict[str, str] | None = Field(description="null: nothing saved yet (use the starter).")
    revision: int | None
    updated_at: datetime | None


@router.get("/items/{position}/draft")
def read_draft(
    position: Position, invitation_id: CurrentInvitation, session: SessionDep
) -> DraftOut:
    """The files last saved for this coding item (from any browser)."""
    draft = drafts.get_draft(session, invitations.get_invitation(session, invitation_id), position)
    if draft is None:
        return DraftOut(item=position, files=None, revision=None, updated_at=None)
    return DraftOut(
        item=position, files=draft.files, revision=draft.revision, updated_at=draft.updated_at
    )


@router.put(
    "/items/{position}/draft",
    dependencies=[BodyLimit],
    responses=error_responses(409, 413, 429, 503),
)
def save_draft(
    position: Position,
    body: DraftIn,
    invitation_id: CurrentInvitation,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    clock: ClockDep,
) -> DraftOut:
    """Save the files being edited (not graded). Within the submission limits; until the
    deadline; at most `DRAFT_SAVES_PER_MINUTE` saves a minute (the editor saves once a pause
    in typing)."""
    limiter.hit(f"draft:{invitation_id}", DRAFT_SAVES_PER_MINUTE, "draft saves")
    draft = drafts.save_draft(
        session,
        invitations.get_invitation(session, invitation_id),
        position,
        dict(body.files),
        SubmissionRules(settings.max_files, settings.max_submission_bytes),
        body.base_revision,
        clock(),
    )
    return DraftOut(
        item=position, files=draft.files, revision=draft.revision, updated_at=draft.updated_at
    )


class SignalIn(BaseModel):
    kind: Literal["paste", "blur", "focus", "active"]
    at: AwareDatetime
    item: int | None = Field(default=None, ge=1, le=MAX_ITEMS)
    size: int | None = Field(default=None, ge=0, le=10_000_000)
    seconds: int | None = Field(default=None, ge=0, le=3600)


class ActivityIn(Request):
    events: list[SignalIn] = Field(max_length=activity.MAX_EVENTS_PER_CALL)


class ActivitySaved(BaseModel):
    kept: int = Field(description="Events stored (pastes under 200 characters are not).")


@router.post(
    "/activity",
    status_code=status.HTTP_201_CREATED,
    dependencies=[BodyLimit],
    responses=error_responses(409, 413, 429, 503),
)
def record_activity(
    body: ActivityIn,
    invitation_id: CurrentInvitation,
    session: SessionDep,
    limiter: LimiterDep,
    clock: ClockDep,
) -> ActivitySaved:
    """Coarse signals from the workspace: large pastes, focus lost or regained, seconds active
    per item (at most `ACTIVITY_CALLS_PER_MINUTE` calls a minute)."""
    limiter.hit(f"activity:{invitation_id}", ACTIVITY_CALLS_PER_MINUTE, "activity reports")
    signals = [
        activity.Signal(ActivityKind(e.kind), e.at, e.item, e.size, e.seconds) for e in body.events
    ]
    kept = activity.record(
        session, invitations.get_invitation(session, invitation_id), signals, clock()
    )
    return ActivitySaved(kept=kept)
