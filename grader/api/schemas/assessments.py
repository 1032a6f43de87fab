"""Bodies of the assessment routes: staff's views (assessments, invitations, scorecards,
reports) and the candidate's (through an invitation's token), which never carry hidden suites,
rubrics, correct options before the end, or another candidate's anything."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.orm import Session, sessionmaker

from grader.api.schemas import NO_NUL, Request
from grader.db.models import (
    Assessment,
    AssessmentStatus,
    CountingPolicy,
    Decision,
    Feedback,
    InvitationStatus,
    ItemKind,
    Submission,
    SubmissionStatus,
)
from grader.questions import MultipleChoiceQuestion, ShortAnswerQuestion
from grader.services import activity, invitations, scorecards
from grader.services.assessments import AssessmentSpec
from grader.services.challenges import spec_of
from worker.result import GradeResult


class ItemOut(BaseModel):
    position: int
    kind: ItemKind
    weight: int
    challenge: str | None = None
    challenge_version: int | None = Field(
        default=None, description="Pinned at publication (null in a draft)."
    )
    question: str | None = None
    title: str


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    title: str
    instructions: str
    status: AssessmentStatus
    time_limit_minutes: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    counting: CountingPolicy
    max_submissions_per_item: int | None
    feedback: Feedback
    webhook_url: str | None
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    items: list[ItemOut] = Field(default_factory=list)

    @classmethod
    def of(cls, assessment: Assessment) -> AssessmentOut:
        # `items` are built below: validating the ORM rows as `ItemOut` fails.
        fields = {name: getattr(assessment, name) for name in cls.model_fields if name != "items"}
        return cls(
            **fields,
            items=[
                ItemOut(
                    position=item.position,
                    kind=item.kind,
                    weight=item.weight,
                    challenge=item.challenge.slug if item.challenge else None,
                    challenge_version=item.challenge_version.number
                    if item.challenge_version
                    else None,
                    question=item.question_id,
                    title=scorecards.item_title(item),
                )
                for item in assessment.items
            ],
        )


class AssessmentPage(BaseModel):
    items: list[AssessmentOut]
    total: int
    offset: int
    limit: int


class CopyRequest(Request):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="The copy's slug.")


class InvitationCreate(Request):
    candidate_name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    candidate_email: str | None = Field(
        default=None, max_length=320, pattern=NO_NUL, description="A label: no mail is sent."
    )
    external_id: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    callback_url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_NUL,
        description="Told `invitation.finished` (else the assessment's `webhook_url`).",
    )


class InvitationOut(BaseModel):
    # By name too: `InvitationCreated` is made from an `InvitationOut`'s fields.
    model_config = ConfigDict(from_attributes=True, validate_by_name=True)

    id: int
    # The row's assessment's slug, or the slug itself (InvitationCreated is made from a dump).
    assessment: str = Field(
        validation_alias=AliasChoices(AliasPath("assessment", "slug"), "assessment")
    )
    candidate_name: str
    candidate_email: str | None
    external_id: str | None
    status: InvitationStatus
    created_at: datetime
    opened_at: datetime | None
    started_at: datetime | None
    deadline_at: datetime | None
    finished_at: datetime | None
    finished_how: str | None
    score: float | None = Field(description="Out of 100; provisional while `needs_review`.")
    needs_review: bool
    decision: Decision | None
    decided_at: datetime | None
    token_prefix: str = Field(description="The start of the link's token, to tell links apart.")


class InvitationCreated(InvitationOut):
    token: str = Field(description="Shown this once: only its hash is kept.")
    link: str = Field(description="What to hand the candidate.")


class InvitationPage(BaseModel):
    items: list[InvitationOut]
    total: int
    offset: int
    limit: int


class NoteCreate(Request):
    body: str = Field(min_length=1, max_length=10_000, pattern=NO_NUL)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author: str = Field(validation_alias=AliasPath("author", "username"))
    body: str
    created_at: datetime


class DecisionIn(Request):
    decision: Decision
    comment: str | None = Field(default=None, max_length=10_000, pattern=NO_NUL)


class ReviewIn(Request):
    points: int = Field(ge=0, description="The points the answer earns, confirmed or overridden.")
    comment: str | None = Field(default=None, max_length=10_000, pattern=NO_NUL)


class TestOutcome(BaseModel):
    __test__ = False  # not a pytest class

    name: str
    outcome: str
    points: int
    max_points: int
    message: str = ""


class SubmissionBrief(BaseModel):
    id: int
    status: SubmissionStatus
    verdict: str | None
    score: int | None
    max_score: int | None
    created_at: datetime
    finished_at: datetime | None


class CodingCard(BaseModel):
    submissions: int
    pending: int
    counted: SubmissionBrief | None
    tests: list[TestOutcome] = Field(description="The counted submission's tests.")
    first_full_score_at: datetime | None
    history: list[SubmissionBrief]


class AnswerCard(BaseModel):
    answer: dict[str, Any]
    answered_at: datetime
    proposed_points: int = Field(description="Exact for multiple choice; from the rubric else.")
    max_points: int
    matched: list[Any] | None = Field(description="The rubric points the answer showed.")
    reviewed_points: int | None
    review_comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None


class ItemScore(BaseModel):
    position: int
    kind: ItemKind
    weight: int
    title: str
    points: float = Field(description="Out of the item's weight.")
    coding: CodingCard | None = None
    answer: AnswerCard | None = None
    question: dict[str, Any] | None = Field(
        default=None, description="The question as published, rubric and key included."
    )


class ScorecardOut(BaseModel):
    """A candidate's scorecard (the JSON export; its schema is this model's)."""

    invitation: InvitationOut
    total: float = Field(description="Out of 100.")
    provisional: bool = Field(
        description="A grading still runs or a short answer awaits review: the total may move."
    )
    needs_review: bool
    time_used_seconds: float | None
    items: list[ItemScore]
    notes: list[NoteOut]
    decision_comment: str | None
    decided_by: str | None
    integrity: dict[str, Any] = Field(
        default_factory=dict, description="Signals of the candidate's activity, where recorded."
    )


def _brief(submission: Submission) -> SubmissionBrief:
    return SubmissionBrief(
        id=submission.id,
        status=submission.status,
        verdict=submission.verdict,
        score=submission.score,
        max_score=submission.max_score,
        created_at=submission.created_at,
        finished_at=submission.finished_at,
    )


def integrity_of(summary: activity.Summary) -> dict[str, Any]:
    """The activity signals as the scorecard's `integrity` (signals, never a verdict)."""
    return {
        "recorded": summary.recorded,
        "focus_lost": summary.focus_lost,
        "seconds_active": {str(k): v for k, v in sorted(summary.seconds_active.items())},
        "large_pastes": [
            {"item": item, "characters": size, "at": at.isoformat()}
            for item, size, at in summary.pastes
        ],
    }


def scorecard_out(
    card: scorecards.Scorecard,
    history: list[Submission],
    integrity: dict[str, Any] | None = None,
) -> ScorecardOut:
    items = []
    for entry in card.items:
        coding = None
        if entry.coding is not None:
            counted = entry.coding.counted
            result = (
                GradeResult.model_validate(counted.result) if counted and counted.result else None
            )
            coding = CodingCard(
                submissions=entry.coding.submissions,
                pending=entry.coding.pending,
                counted=_brief(counted) if counted else None,
                tests=[TestOutcome.model_validate(t.model_dump()) for t in result.tests]
                if result
                else [],
                first_full_score_at=entry.coding.first_full_score_at,
                history=[
                    _brief(s)
                    for s in history
                    if s.item is not None and s.item.position == entry.position
                ],
            )
        answer = None
        if entry.answer is not None:
            given = entry.answer
            answer = AnswerCard(
                answer=given.answer,
                answered_at=given.answered_at,
                proposed_points=given.points,
                max_points=given.max_points,
                matched=given.matched,
                reviewed_points=given.reviewed_points,
                review_comment=given.review_comment,
                reviewed_by=given.reviewed_by.username if given.reviewed_by else None,
                reviewed_at=given.reviewed_at,
            )
        items.append(
            ItemScore(
                position=entry.position,
                kind=entry.kind,
                weight=entry.weight,
                title=entry.title,
                points=entry.points,
                coding=coding,
                answer=answer,
                question=entry.question.model_dump(mode="json") if entry.question else None,
            )
        )
    invitation = card.invitation
    return ScorecardOut(
        invitation=InvitationOut.model_validate(invitation),
        total=card.total,
        provisional=card.provisional,
        needs_review=card.needs_review,
        time_used_seconds=card.time_used_seconds,
        items=items,
        notes=[NoteOut.model_validate(n) for n in card.notes],
        decision_comment=invitation.decision_comment,
        decided_by=invitation.decided_by.username if invitation.decided_by else None,
        integrity=integrity or {},
    )


class ItemStatsOut(BaseModel):
    position: int
    kind: ItemKind
    weight: int
    title: str
    attempted: int
    full_marks: int
    median_points: float | None
    median_seconds_to_full: float | None
    tests: list[dict[str, Any]] = Field(
        description="Per test: name, passed, ran, pass rate (lowest first)."
    )


class ReportOut(BaseModel):
    invitations: int
    by_status: dict[str, int]
    distribution: list[int] = Field(description="Finished candidates per tenth of the score.")
    median_score: float | None
    median_time_used_seconds: float | None
    items: list[ItemStatsOut]

    @classmethod
    def of(cls, report: scorecards.Report) -> ReportOut:
        return cls(
            invitations=report.invitations,
            by_status=report.by_status,
            distribution=report.distribution,
            median_score=report.median_score,
            median_time_used_seconds=report.median_time_used_seconds,
            items=[
                ItemStatsOut(
                    position=i.position,
                    kind=i.kind,
                    weight=i.weight,
                    title=i.title,
                    attempted=i.attempted,
                    full_marks=i.full_marks,
                    median_points=i.median_points,
                    median_seconds_to_full=i.median_seconds_to_full,
                    tests=sorted(
                        (
                            {"name": n, "passed": p, "ran": r, "pass_rate": round(p / r, 3)}
                            for n, (p, r) in i.tests.items()
                        ),
                        key=lambda t: (t["pass_rate"], t["name"]),
                    ),
                )
                for i in report.items
            ],
        )


# --- what the candidate sees --------------------------------------------------------------------


class CandidateItem(BaseModel):
    position: int
    kind: ItemKind
    weight: int
    title: str
    prompt: str = Field(description="Markdown.")
    starter: dict[str, str] | None = Field(default=None, description="Coding items' files.")
    question_kind: Literal["multiple_choice", "short_answer"] | None = None
    options: list[str] | None = None
    multiple: bool | None = Field(default=None, description="More than one option is right.")
    points: int | None = Field(default=None, description="A question's points.")
    submissions_made: int = 0
    submissions_left: int | None = None
    answer: dict[str, Any] | None = Field(default=None, description="The saved answer.")
    explanation: str | None = Field(default=None, description="Shown once the assessment ends.")
    correct: list[int] | None = Field(default=None, description="Shown once it ends.")


class CandidateView(BaseModel):
    """The invitation as its candidate sees it: what to do, the clock, their own progress."""

    assessment: str
    title: str
    instructions: str
    candidate_name: str
    status: InvitationStatus
    time_limit_minutes: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    started_at: datetime | None
    deadline_at: datetime | None
    server_time: datetime = Field(description="Count down from this, not the browser's clock.")
    feedback: Feedback
    items: list[CandidateItem]


def candidate_item(
    item: Any, made: int, cap: int | None, answer: dict[str, Any] | None, ended: bool
) -> CandidateItem:
    if item.kind is ItemKind.CODING:
        assert item.challenge_version is not None
        spec = spec_of(item.challenge_version)
        return CandidateItem(
            position=item.position,
            kind=item.kind,
            weight=item.weight,
            title=spec.meta.title,
            prompt=spec.prompt,
            starter=spec.starter,
            submissions_made=made,
            submissions_left=None if cap is None else max(0, cap - made),
        )
    question = scorecards.question_of(item)
    view = CandidateItem(
        position=item.position,
        kind=item.kind,
        weight=item.weight,
        title=question.prompt,
        prompt=question.prompt,
        question_kind=question.kind,
        points=question.points,
        answer=answer,
    )
    if isinstance(question, MultipleChoiceQuestion):
        view.options = question.options
        view.multiple = len(question.correct) > 1
        if ended:
            view.explanation, view.correct = question.explanation, question.correct
    elif isinstance(question, ShortAnswerQuestion) and ended:
        view.explanation = question.reference
    return view


def candidate_view(session: Session, invitation_id: int, now: datetime) -> CandidateView:
    """The assessment as its candidate sees it at `now` (the REST view and every page)."""
    invitation = invitations.get_invitation(session, invitation_id)
    assessment = invitation.assessment
    done = invitations.progress(session, invitation)
    # Keys and explanations once the assessment is closed for everyone: a candidate who
    # finished early must not hand them to one still working.
    ended = assessment.status in (AssessmentStatus.CLOSED, AssessmentStatus.ARCHIVED)
    return CandidateView(
        assessment=assessment.slug,
        title=assessment.title,
        instructions=assessment.instructions,
        candidate_name=invitation.candidate_name,
        status=invitation.status,
        time_limit_minutes=assessment.time_limit_minutes,
        opens_at=assessment.opens_at,
        closes_at=assessment.closes_at,
        started_at=invitation.started_at,
        deadline_at=invitation.deadline_at,
        server_time=now,
        feedback=assessment.feedback,
        items=[
            candidate_item(
                item,
                done.submissions.get(item.id, 0),
                assessment.max_submissions_per_item,
                done.answers.get(item.id),
                ended,
            )
            for item in assessment.items
        ],
    )


class CandidateSubmission(BaseModel):
    """A grading as the assessment's feedback policy lets the candidate see it: `full` (tests
    with messages), `tests` (names and pass/fail), `score`, or `none` (received)."""

    id: int
    item: int
    status: SubmissionStatus
    created_at: datetime
    verdict: str | None = None
    score: int | None = None
    max_score: int | None = None
    tests: list[TestOutcome] | None = None
    error: str | None = None
    log: str | None = None
    files: dict[str, str] | None = None


def candidate_submission(
    submission: Submission, feedback: Feedback, with_files: bool = False
) -> CandidateSubmission:
    assert submission.item is not None
    view = CandidateSubmission(
        id=submission.id,
        item=submission.item.position,
        status=submission.status,
        created_at=submission.created_at,
        files=submission.files if with_files else None,
    )
    done = submission.status is SubmissionStatus.COMPLETED and submission.result is not None
    if not done or feedback is Feedback.NONE:
        return view
    result = GradeResult.model_validate(submission.result)
    view.verdict = result.verdict.value
    view.score, view.max_score = result.score, result.max_score
    if feedback is Feedback.SCORE:
        return view
    view.tests = [
        TestOutcome(
            name=t.name,
            outcome=t.outcome.value,
            points=t.points,
            max_points=t.max_points,
            message=t.message if feedback is Feedback.FULL else "",
        )
        for t in result.tests
    ]
    if feedback is Feedback.FULL:
        view.error, view.log = result.error, result.log
    return view


def load_candidate_submission(
    sessions: sessionmaker[Session], invitation_id: int, submission_id: int
) -> CandidateSubmission:
    """One of the candidate's submissions, in a session of its own (a long-poll re-reads it)."""
    with sessions() as session:
        invitation = invitations.get_invitation(session, invitation_id)
        submission = invitations.submission_of(session, invitation, submission_id)
        return candidate_submission(submission, invitation.assessment.feedback, with_files=True)


class CodingSubmissionIn(Request):
    files: dict[str, str] = Field(description="Relative path -> UTF-8 text; main.py required.")


class AnswerIn(Request):
    # Strict: `true` is no option index (lax validation would read it as 1).
    choice: StrictInt | list[StrictInt] | None = Field(default=None, description="Multiple choice.")
    text: str | None = Field(default=None, max_length=10_000, description="A short answer.")


class AnswerSaved(BaseModel):
    item: int
    answered_at: datetime
    answer: dict[str, Any]


__all__ = ["AssessmentSpec"]
