"""Coarse activity signals from the candidate's workspace, for reviewers: large pastes (size
and time), focus lost and regained, seconds active per item. They are stated plainly to the
candidate on the landing page, and they are signals, never a verdict: a reviewer reads them
beside the code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.db.models import ActivityEvent, ActivityKind, Invitation, InvitationStatus, utcnow
from grader.errors import Conflict, InvalidInput
from grader.services.assessments import item_at

#: Pastes shorter than this are ordinary editing (a name, a line) and not recorded.
LARGE_PASTE = 200
MAX_EVENTS_PER_CALL = 200
#: Events are stamped by the browser; one claiming to be from far away in time is clamped.
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class Signal:
    kind: ActivityKind
    at: datetime
    item: int | None = None
    size: int | None = None
    seconds: int | None = None


def record(
    session: Session, invitation: Invitation, signals: list[Signal], now: datetime | None = None
) -> int:
    """Store the signals of a started invitation (a short grace after its end, for the last
    batch a closing tab sends); how many were kept (small pastes are dropped)."""
    now = now or utcnow()
    if invitation.status not in (InvitationStatus.STARTED, InvitationStatus.FINISHED):
        raise Conflict("activity is recorded only once the assessment is started")
    if invitation.finished_at is not None and now > invitation.finished_at + CLOCK_SLACK:
        raise Conflict("this assessment ended")
    if len(signals) > MAX_EVENTS_PER_CALL:
        raise InvalidInput(f"at most {MAX_EVENTS_PER_CALL} events at a time")
    kept = 0
    for signal in signals:
        if signal.kind is ActivityKind.PASTE and (signal.size or 0) < LARGE_PASTE:
            continue
        item_id = item_at(invitation.assessment, signal.item).id if signal.item else None
        started = invitation.started_at or now
        at = min(max(signal.at, started), now) if abs(signal.at - now) > CLOCK_SLACK else signal.at
        session.add(
            ActivityEvent(
                invitation_id=invitation.id,
                item_id=item_id,
                kind=signal.kind,
                at=at,
                size=signal.size if signal.kind is ActivityKind.PASTE else None,
                seconds=signal.seconds if signal.kind is ActivityKind.ACTIVE else None,
            )
        )
        kept += 1
    session.commit()
    return kept


@dataclass
class Summary:
    """What a reviewer sees: pastes (position, size, time), times focus was lost, seconds
    active per item position."""

    pastes: list[tuple[int | None, int, datetime]] = field(default_factory=list)
    focus_lost: int = 0
    seconds_active: dict[int, int] = field(default_factory=dict)

    @property
    def recorded(self) -> bool:
        return bool(self.pastes or self.focus_lost or self.seconds_active)


def summary(session: Session, invitation: Invitation) -> Summary:
    """Three small queries, however long the candidate worked."""
    positions = {item.id: item.position for item in invitation.assessment.items}
    result = Summary()
    for event in session.scalars(
        select(ActivityEvent)
        .where(
            ActivityEvent.invitation_id == invitation.id,
            ActivityEvent.kind == ActivityKind.PASTE,
        )
        .order_by(ActivityEvent.at)
        .limit(500)
    ):
        result.pastes.append((positions.get(event.item_id or 0), event.size or 0, event.at))
    result.focus_lost = int(
        session.scalar(
            select(func.count()).where(
                ActivityEvent.invitation_id == invitation.id,
                ActivityEvent.kind == ActivityKind.BLUR,
            )
        )
        or 0
    )
    for item_id, seconds in session.execute(
        select(ActivityEvent.item_id, func.sum(ActivityEvent.seconds))
        .where(
            ActivityEvent.invitation_id == invitation.id,
            ActivityEvent.kind == ActivityKind.ACTIVE,
        )
        .group_by(ActivityEvent.item_id)
    ):
        if item_id in positions:
            result.seconds_active[positions[item_id]] = int(seconds or 0)
    return result
