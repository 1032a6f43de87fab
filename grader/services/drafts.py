"""The candidate's drafts: the files of a coding item as they are being edited, saved on the
server as the candidate types so that nothing is lost with a closed tab or another browser.
A draft obeys the submission limits (file count, size, names) and the candidate's deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.db.models import Draft, Invitation, ItemKind, utcnow
from grader.errors import Conflict, InvalidInput
from grader.services.assessments import item_at
from grader.services.invitations import ensure_working
from grader.services.submissions import SubmissionRules, validate_files


def get_draft(session: Session, invitation: Invitation, position: int) -> Draft | None:
    item = item_at(invitation.assessment, position)
    return session.scalar(
        select(Draft).where(Draft.invitation_id == invitation.id, Draft.item_id == item.id)
    )


def save_draft(
    session: Session,
    invitation: Invitation,
    position: int,
    files: dict[str, Any],
    rules: SubmissionRules,
    base_revision: int | None = None,
    now: datetime | None = None,
) -> Draft:
    """Store the item's files (until the deadline). With `base_revision`, a save made from an
    older copy (another tab) is refused (409) instead of overwriting newer work."""
    now = now or utcnow()
    ensure_working(invitation, now)
    item = item_at(invitation.assessment, position)
    if item.kind is not ItemKind.CODING:
        raise InvalidInput(f"item {position} is not a coding item")
    clean = validate_files(files, rules, require_main=False)
    draft = get_draft(session, invitation, position)
    if draft is None:
        draft = Draft(invitation_id=invitation.id, item_id=item.id, files=clean, revision=1)
        session.add(draft)
    else:
        if base_revision is not None and base_revision != draft.revision:
            raise Conflict(
                f"this draft was saved elsewhere since (revision {draft.revision}); "
                "reload to get the latest"
            )
        draft.files, draft.revision = clean, draft.revision + 1
    draft.updated_at = now
    session.commit()
    return draft
