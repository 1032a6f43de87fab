"""The candidate's side of an assessment, reached with the invitation's token only (header
`X-Invitation-Token`): it opens that assessment, and only that candidate's own submissions and
answers. The server's clock decides; after the deadline every change is a 409."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from grader.api.deps import (
    BodyLimit,
    ChangesDep,
    ClockDep,
    CurrentInvitation,
    LimiterDep,
    Position,
    RedisDep,
    RowId,
    SessionDep,
    SessionsDep,
    SettingsDep,
    WaitsDep,
)
from grader.api.longpoll import hold_until
from grader.api.schemas import error_responses
from grader.api.schemas.assessments import (
    AnswerIn,
    AnswerSaved,
    CandidateSubmission,
    CandidateView,
    CodingSubmissionIn,
    candidate_submission,
    candidate_view,
    load_candidate_submission,
)
from grader.queue import enqueue_webhook, grading_enqueuer, grading_queue
from grader.services import invitations, webhooks
from grader.services.submissions import SubmissionRules

router = APIRouter(
    prefix="/invitation", tags=["candidate"], responses=error_responses(401, 403, 404, 422)
)


@router.get("")
def read_invitation(
    invitation_id: CurrentInvitation, session: SessionDep, clock: ClockDep
) -> CandidateView:
    """The assessment: instructions, time limit, items, your progress, the server's clock."""
    now = clock()
    invitations.opened(session, invitations.get_invitation(session, invitation_id), now)
    return candidate_view(session, invitation_id, now)


@router.post("/start", responses=error_responses(409))
def start(invitation_id: CurrentInvitation, session: SessionDep, clock: ClockDep) -> CandidateView:
    """Start your clock (it cannot be paused). Starting again changes nothing."""
    now = clock()
    invitations.start(session, invitations.get_invitation(session, invitation_id), now)
    return candidate_view(session, invitation_id, now)


@router.post("/finish", responses=error_responses(409))
def finish(
    invitation_id: CurrentInvitation,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> CandidateView:
    """Hand in before the deadline (nothing more is taken after)."""
    now = clock()
    invitations.finish(session, invitations.get_invitation(session, invitation_id), now=now)
    queue = grading_queue(redis, settings.job_timeout_seconds)
    webhooks.send_due(session, partial(enqueue_webhook, queue))
    return candidate_view(session, invitation_id, now)


@router.post(
    "/items/{position}/submissions",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[BodyLimit],
    responses=error_responses(409, 413, 429, 503),
)
def submit(
    position: Position,
    body: CodingSubmissionIn,
    invitation_id: CurrentInvitation,
    session: SessionDep,
    redis: RedisDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    clock: ClockDep,
    response: Response,
) -> CandidateSubmission:
    """Submit your answer to a coding item; it is graded even if its grading ends after the
    deadline. What you see of the result depends on the assessment."""
    limiter.hit(f"invitation:{invitation_id}", settings.rate_limit_per_minute)
    invitation = invitations.get_invitation(session, invitation_id)
    submission = invitations.submit(
        session,
        invitation,
        position,
        dict(body.files),
        SubmissionRules(settings.max_files, settings.max_submission_bytes),
        grading_enqueuer(grading_queue(redis, settings.job_timeout_seconds)),
        clock(),
    )
    response.headers["Location"] = f"/api/v1/invitation/submissions/{submission.id}"
    return candidate_submission(submission, invitation.assessment.feedback)


@router.get("/items/{position}/submissions")
def list_submissions(
    position: Position, invitation_id: CurrentInvitation, session: SessionDep
) -> list[CandidateSubmission]:
    """Your submissions to this item, oldest first."""
    invitation = invitations.get_invitation(session, invitation_id)
    feedback = invitation.assessment.feedback
    return [
        candidate_submission(s, feedback)
        for s in invitations.submissions_of(session, invitation, position)
    ]


@router.get("/submissions/{submission_id}", responses=error_responses(429))
async def read_submission(
    submission_id: RowId,
    invitation_id: CurrentInvitation,
    sessions: SessionsDep,
    settings: SettingsDep,
    changes: ChangesDep,
    waits: WaitsDep,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for a final status.")] = 0,
) -> CandidateSubmission:
    """One of your submissions, with its files; with `wait`, held until it is graded."""
    return await hold_until(
        partial(load_candidate_submission, sessions, invitation_id, submission_id),
        lambda seen: seen.status.terminal,
        submission_id,
        min(wait, settings.max_wait_seconds),
        changes,
        waits,
        f"invitation:{invitation_id}",
    )


@router.put(
    "/items/{position}/answer", dependencies=[BodyLimit], responses=error_responses(409, 413)
)
def save_answer(
    position: Position,
    body: AnswerIn,
    invitation_id: CurrentInvitation,
    session: SessionDep,
    clock: ClockDep,
) -> AnswerSaved:
    """Save your answer to a concept question (again to change it, until the deadline):
    `{"choice": 2}` or `{"choice": [0, 3]}` for multiple choice, `{"text": "..."}` else."""
    given = body.model_dump(exclude_none=True)
    saved = invitations.answer(
        session, invitations.get_invitation(session, invitation_id), position, given, clock()
    )
    return AnswerSaved(item=position, answered_at=saved.answered_at, answer=saved.answer)
