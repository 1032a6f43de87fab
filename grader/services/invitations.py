"""Invitations and the candidate's clock.

An invitation's link carries a long random token (`inv_...`), shown once; only its SHA-256 is
kept. Opening the link shows the instructions; starting begins the clock: the deadline is the
earlier of start + time limit and the window's close. The server is the only clock: after the
deadline, submissions and answers are refused (409); a submission accepted before it is always
graded, even if its grading ends after. `finalise_due` (the reaper's pass) finishes the
invitations whose deadline passed and expires those never started before the window closed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.db.models import (
    Answer,
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Decision,
    Invitation,
    InvitationStatus,
    ItemKind,
    ReviewNote,
    Submission,
    SubmissionStatus,
    User,
    WebhookDelivery,
    utcnow,
)
from grader.errors import Conflict, Forbidden, InvalidInput, NotFound
from grader.questions import (
    MultipleChoiceQuestion,
    ShortAnswerQuestion,
    grade_choice,
    propose_score,
)
from grader.services import scorecards, webhooks
from grader.services.assessments import get_assessment, item_at
from grader.services.grading import Enqueue
from grader.services.question_bank import synonyms
from grader.services.submissions import (
    NewSubmission,
    Placement,
    SubmissionRules,
    Submitter,
    create_submission,
)

TOKEN_PREFIX = "inv_"
INVITATION_FINISHED = "invitation.finished"

Clock = Callable[[], datetime]


def link(public_url: str, token: str) -> str:
    """The link a candidate opens (the web app's page for the token)."""
    return f"{public_url.rstrip('/')}/take/{token}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    candidate_name: str
    candidate_email: str | None = None
    external_id: str | None = None
    callback_url: str | None = None


def invite(
    session: Session,
    slug: str,
    who: NewInvitation,
    created_by_id: int | None = None,
    api_key_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite a candidate to a published assessment; the invitation and its token (shown once)."""
    assessment = get_assessment(session, slug)
    if assessment.status is not AssessmentStatus.PUBLISHED:
        raise Conflict(f"the assessment {slug!r} is {assessment.status.value}: publish it first")
    if assessment.closes_at is not None and (now or utcnow()) >= assessment.closes_at:
        raise Conflict(f"the assessment {slug!r} closed at {assessment.closes_at.isoformat()}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation(
        assessment_id=assessment.id,
        candidate_name=who.candidate_name,
        candidate_email=who.candidate_email,
        external_id=who.external_id,
        callback_url=who.callback_url,
        token_hash=hash_token(token),
        token_prefix=token[: len(TOKEN_PREFIX) + 6],
        status=InvitationStatus.INVITED,
        created_by_id=created_by_id,
        api_key_id=api_key_id,
        created_at=now or utcnow(),
    )
    session.add(invitation)
    session.commit()
    return invitation, token


def by_token(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The invitation a link's token opens. Unknown tokens are `NotFound`; revoked ones and
    those whose window closed are `Forbidden`, saying so."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise NotFound("no invitation has this link")
    check_usable(session, invitation, now or utcnow())
    return invitation


def check_usable(session: Session, invitation: Invitation, now: datetime) -> None:
    """`Forbidden` (saying why) for a revoked invitation or one whose window closed unstarted:
    its link and the browser sessions made from it stop working."""
    if invitation.status is InvitationStatus.REVOKED:
        raise Forbidden("this invitation was revoked")
    _expire_if_closed(session, invitation, now)
    if invitation.status is InvitationStatus.EXPIRED:
        raise Forbidden("this invitation expired: the assessment's window closed")


def _expire_if_closed(session: Session, invitation: Invitation, now: datetime) -> None:
    assessment = invitation.assessment
    closed = assessment.status in (AssessmentStatus.CLOSED, AssessmentStatus.ARCHIVED) or (
        assessment.closes_at is not None and now >= assessment.closes_at
    )
    if invitation.status is InvitationStatus.INVITED and closed:
        invitation.status = InvitationStatus.EXPIRED
        session.commit()


def get_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(f"no invitation {invitation_id}")
    return invitation


def opened(session: Session, invitation: Invitation, now: datetime | None = None) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = now or utcnow()
        session.commit()


def start(session: Session, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """Start the candidate's clock (once: starting again changes nothing)."""
    now = now or utcnow()
    if invitation.status is InvitationStatus.STARTED:
        return invitation
    if invitation.status is not InvitationStatus.INVITED:
        raise Conflict(f"this invitation is {invitation.status.value}: it cannot start again")
    assessment = invitation.assessment
    if assessment.opens_at is not None and now < assessment.opens_at:
        raise Conflict(f"the assessment opens at {assessment.opens_at.isoformat()}")
    ends = [
        now + timedelta(minutes=assessment.time_limit_minutes)
        if assessment.time_limit_minutes
        else None,
        assessment.closes_at,
    ]
    invitation.status = InvitationStatus.STARTED
    invitation.started_at = now
    invitation.deadline_at = min((end for end in ends if end is not None), default=None)
    opened(session, invitation, now)
    session.commit()
    return invitation


def ensure_working(invitation: Invitation, now: datetime) -> None:
    """The candidate may still submit and answer: started, before the deadline."""
    if invitation.status is InvitationStatus.INVITED:
        raise Conflict("start the assessment first")
    if invitation.status is not InvitationStatus.STARTED:
        raise Conflict(f"this assessment is {invitation.status.value}: nothing more is taken")
    if invitation.deadline_at is not None and now >= invitation.deadline_at:
        raise Conflict(
            f"the time is over: the deadline was {invitation.deadline_at.isoformat()}; "
            "nothing sent after it is taken"
        )


def submit(
    session: Session,
    invitation: Invitation,
    position: int,
    files: dict[str, Any],
    rules: SubmissionRules,
    enqueue: Enqueue,
    now: datetime | None = None,
) -> Submission:
    """A coding item's submission, graded against the version the item pins."""
    ensure_working(invitation, now or utcnow())
    item = item_at(invitation.assessment, position)
    if item.kind is not ItemKind.CODING or item.challenge_version_id is None:
        raise InvalidInput(f"item {position} is not a coding item")
    cap = invitation.assessment.max_submissions_per_item
    if cap is not None and submissions_made(session, invitation, item) >= cap:
        raise Conflict(f"item {position} takes at most {cap} submissions; you have made them all")
    assert item.challenge is not None and item.challenge_id is not None
    submission, _ = create_submission(
        session,
        Submitter(None, None, sees_all=False),
        NewSubmission(item.challenge.slug, files),
        rules,
        enqueue,
        placement=Placement(invitation.id, item.id, item.challenge_id, item.challenge_version_id),
    )
    return submission


def submissions_made(session: Session, invitation: Invitation, item: AssessmentItem) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Submission.invitation_id == invitation.id, Submission.item_id == item.id
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Progress:
    """What a candidate has done so far: submissions made and the answer saved, per item id."""

    submissions: dict[int, int]
    answers: dict[int, Any]


def progress(session: Session, invitation: Invitation) -> Progress:
    """Two aggregate reads, whatever the number and size of the submissions."""
    made = session.execute(
        select(Submission.item_id, func.count())
        .where(Submission.invitation_id == invitation.id)
        .group_by(Submission.item_id)
    )
    answers = session.execute(
        select(Answer.item_id, Answer.answer).where(Answer.invitation_id == invitation.id)
    )
    return Progress(
        submissions={item_id: count for item_id, count in made if item_id is not None},
        answers={item_id: answer for item_id, answer in answers},
    )


def submissions_of(
    session: Session, invitation: Invitation, position: int | None = None
) -> list[Submission]:
    query = select(Submission).where(Submission.invitation_id == invitation.id)
    if position is not None:
        query = query.where(Submission.item_id == item_at(invitation.assessment, position).id)
    return list(session.scalars(query.order_by(Submission.id)))


def submission_of(session: Session, invitation: Invitation, submission_id: int) -> Submission:
    """One of the candidate's own submissions; anyone else's looks missing."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.invitation_id != invitation.id:
        raise NotFound(f"no submission {submission_id}")
    return submission


def answer(
    session: Session,
    invitation: Invitation,
    position: int,
    given: dict[str, Any],
    now: datetime | None = None,
) -> Answer:
    """Save (or replace, until the deadline) the answer to a concept question, with its points:
    exact for multiple choice, proposed from the rubric for a short answer (a reviewer
    confirms it)."""
    now = now or utcnow()
    ensure_working(invitation, now)
    item = item_at(invitation.assessment, position)
    if item.kind is not ItemKind.QUESTION or item.question is None:
        raise InvalidInput(f"item {position} is not a concept question")
    question = scorecards.question_of(item)
    if isinstance(question, MultipleChoiceQuestion):
        choice = given.get("choice")
        chosen = [choice] if isinstance(choice, int) and not isinstance(choice, bool) else choice
        if not isinstance(chosen, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in chosen
        ):
            raise InvalidInput('a multiple-choice answer is {"choice": <index or list of them>}')
        try:
            grade = grade_choice(question, chosen)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        content: dict[str, Any] = {"choice": sorted(set(chosen))}
        points, matched = grade.points, None
    else:
        assert isinstance(question, ShortAnswerQuestion)
        text = given.get("text")
        if not isinstance(text, str) or len(text) > 10_000:
            raise InvalidInput('a short answer is {"text": "..."} of at most 10,000 characters')
        proposal = propose_score(question, text, synonyms(scorecards.BANK_FOLDER))
        content = {"text": text}
        points = proposal.points
        matched = [m.model_dump(mode="json") for m in proposal.matches]
    record = session.scalar(
        select(Answer).where(Answer.invitation_id == invitation.id, Answer.item_id == item.id)
    )
    if record is None:
        record = Answer(invitation_id=invitation.id, item_id=item.id)
        session.add(record)
    record.answer, record.answered_at = content, now
    record.points, record.max_points, record.matched = points, question.points, matched
    record.reviewed_points = record.reviewed_by_id = record.reviewed_at = None
    record.review_comment = None
    session.flush()
    scorecards.refresh(session, invitation)
    session.commit()
    return record


def finish(
    session: Session, invitation: Invitation, how: str = "candidate", now: datetime | None = None
) -> Invitation:
    """End the candidate's work (the candidate, the deadline, or the assessment's closing), and
    tell the assessment's webhook."""
    if invitation.status is InvitationStatus.FINISHED:
        return invitation
    if invitation.status is not InvitationStatus.STARTED:
        raise Conflict(f"this invitation is {invitation.status.value}: it cannot finish")
    now = now or utcnow()
    if invitation.deadline_at is not None and now >= invitation.deadline_at:
        # Past the deadline (the reaper passes a little after it): the time ended there.
        now, how = invitation.deadline_at, "deadline"
    invitation.status = InvitationStatus.FINISHED
    invitation.finished_at = now
    invitation.finished_how = how
    scorecards.refresh(session, invitation)
    notify_finished(session, invitation)
    session.commit()
    return invitation


def notify_finished(session: Session, invitation: Invitation) -> WebhookDelivery | None:
    """Tell the assessment's webhook (or the invitation's own) that the candidate is done, once
    the total is final: when the invitation finished and none of its submissions is still being
    graded. Sent once; the caller commits."""
    url = invitation.callback_url or invitation.assessment.webhook_url
    if not url or invitation.status is not InvitationStatus.FINISHED:
        return None
    grading = session.scalar(
        select(func.count()).where(
            Submission.invitation_id == invitation.id,
            Submission.status.not_in([SubmissionStatus.COMPLETED, SubmissionStatus.ERROR]),
        )
    )
    sent = session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.invitation_id == invitation.id,
            WebhookDelivery.event == INVITATION_FINISHED,
        )
    )
    if grading or sent is not None:
        return None
    return webhooks.new_delivery(
        session, finished_event(invitation), url, invitation_id=invitation.id
    )


def finished_event(invitation: Invitation) -> dict[str, Any]:
    return {
        "event": INVITATION_FINISHED,
        "invitation": {
            "id": invitation.id,
            "assessment": invitation.assessment.slug,
            "external_id": invitation.external_id,
            "status": invitation.status.value,
            "finished_how": invitation.finished_how,
            "score": invitation.score,
            "needs_review": invitation.needs_review,
            "scorecard": f"/api/v1/invitations/{invitation.id}/scorecard",
        },
    }


def finalise_due(session: Session, now: datetime | None = None) -> list[int]:
    """Finish every started invitation whose deadline passed or whose assessment closed, and
    expire those never started once the window closed; the ids finished."""
    now = now or utcnow()
    finished = []
    due = session.scalars(
        select(Invitation)
        .join(Assessment, Invitation.assessment_id == Assessment.id)
        .where(
            Invitation.status == InvitationStatus.STARTED,
            (Invitation.deadline_at <= now)
            | Assessment.status.in_([AssessmentStatus.CLOSED, AssessmentStatus.ARCHIVED]),
        )
    ).all()
    for invitation in due:
        closed = invitation.deadline_at is None or invitation.deadline_at > now
        finish(session, invitation, "closed" if closed else "deadline", now)
        finished.append(invitation.id)
    for invitation in session.scalars(
        select(Invitation)
        .where(Invitation.status == InvitationStatus.INVITED)
        .join(Assessment, Invitation.assessment_id == Assessment.id)
        .where(
            (Assessment.closes_at <= now)
            | Assessment.status.in_([AssessmentStatus.CLOSED, AssessmentStatus.ARCHIVED])
        )
    ).all():
        invitation.status = InvitationStatus.EXPIRED
    session.commit()
    return finished


def revoke(session: Session, invitation_id: int, now: datetime | None = None) -> Invitation:
    """The link stops working at once; what the candidate sent stays."""
    invitation = get_invitation(session, invitation_id)
    if invitation.status in (InvitationStatus.FINISHED, InvitationStatus.REVOKED):
        raise Conflict(f"the invitation is {invitation.status.value}")
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = now or utcnow()
    session.commit()
    return invitation


def add_note(session: Session, invitation_id: int, author: User, body: str) -> ReviewNote:
    get_invitation(session, invitation_id)
    note = ReviewNote(invitation_id=invitation_id, author_id=author.id, body=body)
    session.add(note)
    session.commit()
    return note


def review_answer(
    session: Session,
    invitation_id: int,
    position: int,
    points: int,
    comment: str | None,
    reviewer: User,
) -> Answer:
    """A reviewer confirms (the proposed points) or overrides a concept answer's points."""
    invitation = get_invitation(session, invitation_id)
    item = item_at(invitation.assessment, position)
    given = session.scalar(
        select(Answer).where(Answer.invitation_id == invitation.id, Answer.item_id == item.id)
    )
    if given is None:
        raise NotFound(f"the candidate did not answer item {position}")
    if not 0 <= points <= given.max_points:
        raise InvalidInput(f"points must be between 0 and {given.max_points}")
    given.reviewed_points, given.review_comment = points, comment
    given.reviewed_by_id, given.reviewed_at = reviewer.id, utcnow()
    scorecards.refresh(session, invitation)
    session.commit()
    return given


def decide(
    session: Session, invitation_id: int, decision: Decision, comment: str | None, reviewer: User
) -> Invitation:
    """Record the hiring team's decision on a candidate (it may be changed later)."""
    invitation = get_invitation(session, invitation_id)
    invitation.decision, invitation.decision_comment = decision, comment
    invitation.decided_by_id, invitation.decided_at = reviewer.id, utcnow()
    session.commit()
    return invitation


def refresh_after_grading(session: Session, submission_id: int) -> None:
    """A grading of an assessment's submission ended: its candidate's total changes."""
    submission = session.get(Submission, submission_id)
    if submission is not None and submission.invitation is not None:
        scorecards.refresh(session, submission.invitation)
        notify_finished(session, submission.invitation)
        session.commit()
