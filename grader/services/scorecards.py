"""Scorecards and assessment reports: what a reviewer decides on.

An item's points are its weight times the fraction it earned: for a coding item, the counted
submission's score (the best, or the last, as the assessment says); for a concept question, the
reviewed points if a reviewer confirmed or overrode them, else the proposed ones (exact for
multiple choice). The total is out of 100 (the weights add up to 100). An invitation's total is
kept on its row (`refresh`), so a table of a thousand candidates sorts without reading their
submissions.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from grader.db.models import (
    Answer,
    Assessment,
    AssessmentItem,
    CountingPolicy,
    Invitation,
    InvitationStatus,
    ItemKind,
    ReviewNote,
    Submission,
    SubmissionStatus,
    utcnow,
)
from grader.questions import Question, ShortAnswerQuestion
from grader.questions.loader import BANK_DIR

if TYPE_CHECKING:
    from sqlalchemy.engine import Row

    AnyRow = Row[*tuple[Any, ...]]

BANK_FOLDER = BANK_DIR
_QUESTION = TypeAdapter(Question)


def question_of(item: AssessmentItem) -> Question:
    assert item.question is not None
    return _QUESTION.validate_python(item.question)


@dataclass
class CodingResult:
    submissions: int = 0
    counted: Submission | None = None
    first_full_score_at: datetime | None = None
    pending: int = 0


def _counted(submissions: list[Submission], policy: CountingPolicy) -> Submission | None:
    # Every completed grading, an app that did not start (nothing out of 0) included: under
    # `last`, a last submission that crashed counts, as the exports (one query) count it.
    graded = [s for s in submissions if s.status is SubmissionStatus.COMPLETED]
    if not graded:
        return None
    if policy is CountingPolicy.LAST:
        return max(graded, key=lambda s: s.id)
    return max(graded, key=lambda s: (s.score or 0, -s.id))


def coding_results(
    submissions: list[Submission], items: list[AssessmentItem], policy: CountingPolicy
) -> dict[int, CodingResult]:
    """Per coding item id: how many submissions, the counted one, the first full score."""
    results = {item.id: CodingResult() for item in items if item.kind is ItemKind.CODING}
    by_item: dict[int, list[Submission]] = {}
    for submission in submissions:
        if submission.item_id in results:
            by_item.setdefault(submission.item_id, []).append(submission)
    for item_id, made in by_item.items():
        result = results[item_id]
        result.submissions = len(made)
        result.pending = sum(1 for s in made if not s.status.terminal)
        result.counted = _counted(made, policy)
        full = [
            s.finished_at
            for s in made
            if s.status is SubmissionStatus.COMPLETED and s.score and s.score == s.max_score
        ]
        result.first_full_score_at = min((f for f in full if f is not None), default=None)
    return results


def _fraction(earned: float, out_of: float) -> float:
    return earned / out_of if out_of else 0.0


def item_points(
    item: AssessmentItem, coding: dict[int, CodingResult], answers: dict[int, Answer]
) -> float:
    if item.kind is ItemKind.CODING:
        counted = coding[item.id].counted
        earned = _fraction(counted.score or 0, counted.max_score or 0) if counted else 0.0
    else:
        given = answers.get(item.id)
        points = (
            given.reviewed_points
            if given is not None and given.reviewed_points is not None
            else given.points
            if given is not None
            else 0
        )
        earned = _fraction(points, given.max_points) if given is not None else 0.0
    return earned * item.weight


def _needs_review(items: list[AssessmentItem], answers: dict[int, Answer]) -> bool:
    return any(
        item.kind is ItemKind.QUESTION
        and (given := answers.get(item.id)) is not None
        and isinstance(question_of(item), ShortAnswerQuestion)
        and given.reviewed_points is None
        for item in items
    )


def refresh(session: Session, invitation: Invitation) -> None:
    """Recompute the invitation's total and whether a short answer awaits review (the caller
    commits)."""
    items = invitation.assessment.items
    submissions = list(
        session.scalars(select(Submission).where(Submission.invitation_id == invitation.id))
    )
    answers = {
        a.item_id: a
        for a in session.scalars(select(Answer).where(Answer.invitation_id == invitation.id))
    }
    coding = coding_results(submissions, items, invitation.assessment.counting)
    invitation.score = round(sum(item_points(i, coding, answers) for i in items), 2)
    invitation.needs_review = _needs_review(items, answers)


def time_used(invitation: Invitation, now: datetime | None = None) -> float | None:
    """Seconds from start to finish (or to now, while it runs)."""
    if invitation.started_at is None:
        return None
    end = invitation.finished_at or min(
        (now or utcnow(), invitation.deadline_at or (now or utcnow()))
    )
    return max(0.0, (end - invitation.started_at).total_seconds())


@dataclass
class ItemCard:
    position: int
    kind: ItemKind
    weight: int
    points: float
    title: str
    coding: CodingResult | None = None
    answer: Answer | None = None
    question: Question | None = None


@dataclass
class Scorecard:
    invitation: Invitation
    items: list[ItemCard]
    total: float
    needs_review: bool
    pending_gradings: int
    time_used_seconds: float | None
    notes: list[ReviewNote] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """The total may still change: a grading is running, or a short answer awaits review."""
        return self.needs_review or self.pending_gradings > 0


def scorecard(session: Session, invitation: Invitation, now: datetime | None = None) -> Scorecard:
    items = invitation.assessment.items
    submissions = list(
        session.scalars(
            select(Submission)
            .where(Submission.invitation_id == invitation.id)
            .order_by(Submission.id)
        )
    )
    answers = {
        a.item_id: a
        for a in session.scalars(select(Answer).where(Answer.invitation_id == invitation.id))
    }
    coding = coding_results(submissions, items, invitation.assessment.counting)
    cards, earned = [], []
    for item in items:
        question = question_of(item) if item.kind is ItemKind.QUESTION else None
        earned.append(item_points(item, coding, answers))
        cards.append(
            ItemCard(
                position=item.position,
                kind=item.kind,
                weight=item.weight,
                points=round(earned[-1], 2),
                title=item_title(item),
                coding=coding.get(item.id),
                answer=answers.get(item.id),
                question=question,
            )
        )
    notes = list(
        session.scalars(
            select(ReviewNote)
            .where(ReviewNote.invitation_id == invitation.id)
            .order_by(ReviewNote.id)
        )
    )
    return Scorecard(
        invitation=invitation,
        items=cards,
        # Rounded once, as `refresh` rounds the table's score: the two always agree.
        total=round(sum(earned), 2),
        needs_review=_needs_review(items, answers),
        pending_gradings=sum(c.pending for c in coding.values()),
        time_used_seconds=time_used(invitation, now),
        notes=notes,
    )


# --- reports over a whole assessment ------------------------------------------------------------


def _time_used_key(dialect: str) -> ColumnElement[Any]:
    """Orders by the time from start to finish (or to the deadline, while it runs). SQLite
    keeps times as text, and text minus text is 0 there: its times are taken as Julian days."""
    end = func.coalesce(Invitation.finished_at, Invitation.deadline_at)
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(Invitation.started_at)
    return end - Invitation.started_at


SORTS: dict[str, Any] = {
    "score": Invitation.score,
    "time_used": _time_used_key,
    "status": Invitation.status,
    "name": Invitation.candidate_name,
    "created": Invitation.id,
}


@dataclass(frozen=True)
class InvitationFilter:
    status: InvitationStatus | None = None
    needs_review: bool | None = None
    search: str | None = None


def _invitations(assessment: Assessment, filters: InvitationFilter) -> Select[Invitation]:
    query = select(Invitation).where(Invitation.assessment_id == assessment.id)
    if filters.status is not None:
        query = query.where(Invitation.status == filters.status)
    if filters.needs_review is not None:
        query = query.where(Invitation.needs_review == filters.needs_review)
    if filters.search:
        # The words searched for are text: `%` and `_` are no wildcards.
        escaped = filters.search.lower().replace("\\", "\\\\")
        escaped = escaped.replace("%", "\\%").replace("_", "\\_")
        needle = f"%{escaped}%"
        query = query.where(
            func.lower(Invitation.candidate_name).like(needle, escape="\\")
            | func.lower(func.coalesce(Invitation.candidate_email, "")).like(needle, escape="\\")
        )
    return query


def invitation_page(
    session: Session,
    assessment: Assessment,
    filters: InvitationFilter,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Invitation], int]:
    """One page of the assessment's invitations, sorted (`SORTS`), and how many match."""
    query = _invitations(assessment, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = SORTS[sort]
    if callable(key):
        key = key(session.get_bind().dialect.name)
    order = key.desc().nulls_last() if descending else key.asc().nulls_last()
    page = session.scalars(query.order_by(order, Invitation.id).offset(offset).limit(limit))
    return list(page), total


def _counted_submissions(
    session: Session, assessment: Assessment, with_tests: bool = False
) -> Sequence[AnyRow]:
    """The submission that counts for each (invitation, coding item), chosen in the database
    (one query, however many candidates), as rows of `invitation_id`, `item_id`, `score`,
    `max_score`, and with `with_tests` its `finished_at` and its result's `tests`. Never the
    files, the result's log (up to 64 KiB each), nor whole objects: at a thousand candidates,
    decoding them costs more than the query.

    The ranking reads the assessment's submissions through its invitations, from the covering
    index `ix_submissions_counted` alone; only `with_tests` reads the counted rows themselves.
    Whether a submission may count is the ranking's first key, not a filter: SQLite, which has
    no statistics, would otherwise prefer the index on `status` and read every completed
    submission of the database, row by row."""
    counts = Submission.status == SubmissionStatus.COMPLETED
    order = (
        (counts.desc(), Submission.id.desc())
        if assessment.counting is CountingPolicy.LAST
        else (counts.desc(), Submission.score.desc().nulls_last(), Submission.id.asc())
    )
    ranked = (
        select(
            Submission.id,
            Submission.invitation_id,
            Submission.item_id,
            Submission.score,
            Submission.max_score,
            counts.label("counts"),
            func.row_number()
            .over(partition_by=(Submission.invitation_id, Submission.item_id), order_by=order)
            .label("rank"),
        )
        .join(Invitation, Submission.invitation_id == Invitation.id)
        .where(Invitation.assessment_id == assessment.id)
        .subquery()
    )
    columns = [ranked.c.invitation_id, ranked.c.item_id, ranked.c.score, ranked.c.max_score]
    query = select(*columns).where(ranked.c.rank == 1, ranked.c.counts)
    if with_tests:
        query = query.join(Submission, Submission.id == ranked.c.id).add_columns(
            Submission.finished_at, Submission.result["tests"].label("tests")
        )
    return session.execute(query).all()


def _answer_points(session: Session, assessment: Assessment) -> Sequence[AnyRow]:
    """Every answer to the assessment's questions as (`invitation_id`, `item_id`, `points`:
    reviewed, else proposed, `max_points`): one query, no objects."""
    return session.execute(
        select(
            Answer.invitation_id,
            Answer.item_id,
            func.coalesce(Answer.reviewed_points, Answer.points).label("points"),
            Answer.max_points,
        )
        .join(Invitation, Answer.invitation_id == Invitation.id)
        .where(Invitation.assessment_id == assessment.id)
    ).all()


@dataclass
class ItemStats:
    position: int
    kind: ItemKind
    weight: int
    title: str
    attempted: int = 0
    full_marks: int = 0
    median_points: float | None = None
    median_seconds_to_full: float | None = None
    tests: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Test name -> (passed, counted submissions that ran it)."""


@dataclass
class Report:
    invitations: int
    by_status: dict[str, int]
    distribution: list[int]
    """Finished candidates per tenth of the score: [0-10), [10-20), ... [90-100]."""
    median_score: float | None
    median_time_used_seconds: float | None
    items: list[ItemStats]


def report(session: Session, assessment: Assessment) -> Report:
    """The whole assessment at a glance: statuses, the score distribution, per-item and
    per-test pass rates (a test most candidates fail points to a prompt or suite problem),
    median times. A handful of queries, whatever the number of candidates."""
    by_status = dict(
        session.execute(
            select(Invitation.status, func.count())
            .where(Invitation.assessment_id == assessment.id)
            .group_by(Invitation.status)
        ).all()
    )
    finished = session.execute(
        select(Invitation.score, Invitation.started_at, Invitation.finished_at).where(
            Invitation.assessment_id == assessment.id,
            Invitation.status == InvitationStatus.FINISHED,
        )
    ).all()
    distribution = [0] * 10
    for score, _, _ in finished:
        distribution[min(9, int((score or 0) // 10))] += 1
    scores = [row.score or 0 for row in finished]
    durations = [
        (row.finished_at - row.started_at).total_seconds()
        for row in finished
        if row.started_at and row.finished_at
    ]
    stats = {
        item.id: ItemStats(
            item.position,
            item.kind,
            item.weight,
            item_title(item),
        )
        for item in assessment.items
    }
    started = dict(
        session.execute(
            select(Invitation.id, Invitation.started_at).where(
                Invitation.assessment_id == assessment.id, Invitation.started_at.is_not(None)
            )
        ).all()
    )
    earned: dict[int, list[float]] = {item_id: [] for item_id in stats}
    seconds: dict[int, list[float]] = {item_id: [] for item_id in stats}
    for submission in _counted_submissions(session, assessment, with_tests=True):
        item = stats.get(submission.item_id or 0)
        if item is None:
            continue
        item.attempted += 1
        full = bool(submission.max_score) and submission.score == submission.max_score
        item.full_marks += full
        earned[submission.item_id or 0].append(
            _fraction(submission.score or 0, submission.max_score or 0)
        )
        begun = started.get(submission.invitation_id or 0)
        if full and begun and submission.finished_at:
            seconds[submission.item_id or 0].append(
                (submission.finished_at - begun).total_seconds()
            )
        for test in submission.tests or []:
            passed, ran = item.tests.get(test["name"], (0, 0))
            item.tests[test["name"]] = (passed + (test["outcome"] == "passed"), ran + 1)
    for answer in _answer_points(session, assessment):
        item = stats.get(answer.item_id)
        if item is None:
            continue
        item.attempted += 1
        item.full_marks += answer.points == answer.max_points
        earned[answer.item_id].append(_fraction(answer.points, answer.max_points))
    for item_id, item in stats.items():
        if earned[item_id]:
            item.median_points = round(statistics.median(earned[item_id]) * item.weight, 2)
        if seconds[item_id]:
            item.median_seconds_to_full = statistics.median(seconds[item_id])
    return Report(
        invitations=sum(by_status.values()),
        by_status={status.value: count for status, count in by_status.items()},
        distribution=distribution,
        median_score=statistics.median(scores) if scores else None,
        median_time_used_seconds=statistics.median(durations) if durations else None,
        items=sorted(stats.values(), key=lambda s: s.position),
    )


def item_title(item: AssessmentItem) -> str:
    """A question's prompt (its id in a draft, where the question is not copied yet), or the
    title of the challenge's pinned version (its current one in a draft)."""
    if item.kind is ItemKind.QUESTION:
        return question_of(item).prompt if item.question is not None else str(item.question_id)
    version = item.challenge_version or (item.challenge.current_version if item.challenge else None)
    return version.title if version is not None else "?"


CSV_COLUMNS = [
    "invitation",
    "candidate",
    "email",
    "external_id",
    "status",
    "started_at",
    "finished_at",
    "time_used_seconds",
    "score",
    "needs_review",
    "decision",
]


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_export(session: Session, assessment: Assessment) -> str:
    """Every invitation, one row each, with each item's points (`item_<n>`): what a spreadsheet
    needs. Four queries (items, counted submissions, answers, invitations), whatever the number
    of candidates."""
    items = assessment.items
    weights = {item.id: item.weight for item in items}
    points: dict[tuple[int, int], float] = {}
    for submission in _counted_submissions(session, assessment):
        if submission.item_id in weights and submission.invitation_id is not None:
            points[(submission.invitation_id, submission.item_id)] = weights[
                submission.item_id
            ] * _fraction(submission.score or 0, submission.max_score or 0)
    for answer in _answer_points(session, assessment):
        if answer.item_id in weights:
            points[(answer.invitation_id, answer.item_id)] = weights[answer.item_id] * _fraction(
                answer.points, answer.max_points
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + [f"item_{item.position}" for item in items])
    for invitation in session.scalars(
        select(Invitation).where(Invitation.assessment_id == assessment.id).order_by(Invitation.id)
    ):
        used = time_used(invitation)
        row: list[Any] = [
            invitation.id,
            _cell(invitation.candidate_name),
            _cell(invitation.candidate_email or ""),
            _cell(invitation.external_id or ""),
            invitation.status.value,
            invitation.started_at.isoformat() if invitation.started_at else "",
            invitation.finished_at.isoformat() if invitation.finished_at else "",
            round(used) if used is not None else "",
            invitation.score if invitation.score is not None else "",
            invitation.needs_review,
            invitation.decision.value if invitation.decision else "",
        ]
        row += [round(points.get((invitation.id, item.id), 0.0), 2) for item in items]
        writer.writerow(row)
    return out.getvalue()
