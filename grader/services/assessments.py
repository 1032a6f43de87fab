"""Assessments: a titled, timed set of coding challenges and concept questions that candidates
are invited to. Lifecycle: draft -> published (its items, their challenge versions and question
texts fixed: copy it to change it) -> closed; archived ones keep their results.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.db.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Challenge,
    ChallengeStatus,
    CountingPolicy,
    Feedback,
    Invitation,
    ItemKind,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from grader.errors import Conflict, InvalidInput, NotFound
from grader.services import scorecards
from grader.services.grading import Enqueue
from grader.services.question_bank import get_question
from grader.services.submissions import regrade

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TOTAL_WEIGHT = 100
#: Items in one assessment; positions run from 1 to this.
MAX_ITEMS = 50


class ItemSpec(BaseModel):
    """One item: a coding challenge (`challenge`: its slug) or a concept question
    (`question`: its id in the bank), and its weight."""

    model_config = ConfigDict(extra="forbid")

    challenge: str | None = Field(default=None, max_length=63)
    question: str | None = Field(default=None, max_length=80)
    weight: int = Field(ge=1, le=100, description="Its share of the assessment's 100 points.")

    @model_validator(mode="after")
    def _one_kind(self) -> ItemSpec:
        if (self.challenge is None) == (self.question is None):
            raise ValueError("an item is either a `challenge` or a `question`")
        return self

    @property
    def kind(self) -> ItemKind:
        return ItemKind.CODING if self.challenge else ItemKind.QUESTION


class AssessmentSpec(BaseModel):
    """An assessment as its author describes it (a request body, or a TOML file)."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG_RE.pattern)
    title: str = Field(min_length=1, max_length=200)
    instructions: str = Field(default="", max_length=20_000, description="Markdown.")
    time_limit_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    counting: CountingPolicy = Field(
        default=CountingPolicy.BEST, description="Which submission of a coding item counts."
    )
    max_submissions_per_item: int | None = Field(default=None, ge=1, le=1000)
    feedback: Feedback = Field(
        default=Feedback.FULL, description="What the candidate sees of each grading."
    )
    webhook_url: str | None = Field(default=None, max_length=2000)
    items: list[ItemSpec] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _window(self) -> AssessmentSpec:
        for moment in (self.opens_at, self.closes_at):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("give `opens_at` and `closes_at` with a time zone")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("`closes_at` must come after `opens_at`")
        return self


def get_assessment(session: Session, slug: str) -> Assessment:
    assessment = session.scalar(select(Assessment).where(Assessment.slug == slug))
    if assessment is None:
        raise NotFound(f"no assessment {slug!r}")
    return assessment


def _items(session: Session, specs: list[ItemSpec]) -> list[AssessmentItem]:
    items = []
    for position, spec in enumerate(specs, start=1):
        item = AssessmentItem(position=position, kind=spec.kind, weight=spec.weight)
        if spec.challenge is not None:
            challenge = session.scalar(select(Challenge).where(Challenge.slug == spec.challenge))
            if challenge is None or challenge.current_version_id is None:
                raise InvalidInput(f"item {position}: no challenge {spec.challenge!r}")
            item.challenge_id = challenge.id
        else:
            assert spec.question is not None
            try:
                get_question(session, spec.question)
            except NotFound as exc:
                raise InvalidInput(f"item {position}: {exc}") from exc
            item.question_id = spec.question
        items.append(item)
    return items


def _apply(assessment: Assessment, spec: AssessmentSpec) -> None:
    for name in (
        "slug",
        "title",
        "instructions",
        "time_limit_minutes",
        "opens_at",
        "closes_at",
        "counting",
        "max_submissions_per_item",
        "feedback",
        "webhook_url",
    ):
        setattr(assessment, name, getattr(spec, name))


def create_assessment(session: Session, spec: AssessmentSpec, author: User | None) -> Assessment:
    """A new draft."""
    if session.scalar(select(Assessment.id).where(Assessment.slug == spec.slug)) is not None:
        raise Conflict(f"the assessment slug {spec.slug!r} is taken")
    assessment = Assessment(
        status=AssessmentStatus.DRAFT, created_by_id=author.id if author else None
    )
    _apply(assessment, spec)
    assessment.items = _items(session, spec.items)
    session.add(assessment)
    session.commit()
    return assessment


def update_assessment(session: Session, slug: str, spec: AssessmentSpec) -> Assessment:
    """Change a draft (a published assessment's items are fixed: copy it to change it)."""
    assessment = get_assessment(session, slug)
    if assessment.status is not AssessmentStatus.DRAFT:
        raise Conflict(
            f"the assessment {slug!r} is {assessment.status.value}: copy it to change it"
        )
    if spec.slug != slug:
        taken = session.scalar(select(Assessment.id).where(Assessment.slug == spec.slug))
        if taken is not None:
            raise Conflict(f"the assessment slug {spec.slug!r} is taken")
    _apply(assessment, spec)
    assessment.items = []
    session.flush()
    assessment.items = _items(session, spec.items)
    session.commit()
    return assessment


def publish(session: Session, slug: str) -> Assessment:
    """Fix the items: each coding item's challenge version is pinned (a later upload does not
    change a running interview), each question's text and rubric copied."""
    assessment = get_assessment(session, slug)
    if assessment.status is not AssessmentStatus.DRAFT:
        raise Conflict(f"the assessment {slug!r} is {assessment.status.value}, not a draft")
    if not assessment.items:
        raise InvalidInput("an assessment needs at least one item")
    total = sum(item.weight for item in assessment.items)
    if total != TOTAL_WEIGHT:
        raise InvalidInput(f"the items' weights add up to {total}, not {TOTAL_WEIGHT}")
    for item in assessment.items:
        if item.kind is ItemKind.CODING:
            assert item.challenge is not None
            if item.challenge.status is not ChallengeStatus.ACTIVE:
                raise InvalidInput(f"item {item.position}: {item.challenge.slug!r} is archived")
            item.challenge_version_id = item.challenge.current_version_id
        else:
            assert item.question_id is not None
            item.question = get_question(session, item.question_id).model_dump(mode="json")
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = utcnow()
    session.commit()
    return assessment


def close(session: Session, slug: str, now: datetime | None = None) -> Assessment:
    """No one starts any more; candidates at work are finalised now (`invitations.finalise`
    runs at the next reaper pass, or here through the caller)."""
    assessment = get_assessment(session, slug)
    if assessment.status is not AssessmentStatus.PUBLISHED:
        raise Conflict(f"the assessment {slug!r} is {assessment.status.value}, not published")
    assessment.status = AssessmentStatus.CLOSED
    assessment.closed_at = now or utcnow()
    session.commit()
    return assessment


def archive(session: Session, slug: str) -> Assessment:
    assessment = get_assessment(session, slug)
    if assessment.status is AssessmentStatus.PUBLISHED:
        raise Conflict(f"close the assessment {slug!r} before archiving it")
    assessment.status = AssessmentStatus.ARCHIVED
    session.commit()
    return assessment


def copy(session: Session, slug: str, new_slug: str, author: User | None) -> Assessment:
    """A new draft with the same settings and items (to change a published assessment)."""
    original = get_assessment(session, slug)
    spec = spec_of(original).model_copy(update={"slug": new_slug})
    duplicate = create_assessment(session, spec, author)
    duplicate.copied_from_id = original.id
    session.commit()
    return duplicate


def spec_of(assessment: Assessment) -> AssessmentSpec:
    return AssessmentSpec(
        slug=assessment.slug,
        title=assessment.title,
        instructions=assessment.instructions,
        time_limit_minutes=assessment.time_limit_minutes,
        opens_at=assessment.opens_at,
        closes_at=assessment.closes_at,
        counting=assessment.counting,
        max_submissions_per_item=assessment.max_submissions_per_item,
        feedback=assessment.feedback,
        webhook_url=assessment.webhook_url,
        items=[
            ItemSpec(
                challenge=item.challenge.slug if item.challenge else None,
                question=item.question_id,
                weight=item.weight,
            )
            for item in assessment.items
        ],
    )


def item_at(assessment: Assessment, position: int) -> AssessmentItem:
    for item in assessment.items:
        if item.position == position:
            return item
    raise NotFound(f"the assessment {assessment.slug!r} has no item {position}")


def upgrade_item(
    session: Session, slug: str, position: int, enqueue: Enqueue, requested_by: int | None
) -> list[Submission]:
    """Move a coding item of a published assessment to its challenge's current version, and
    regrade every finished submission made to it (an explicit act: it changes scores)."""
    assessment = get_assessment(session, slug)
    item = item_at(assessment, position)
    if item.kind is not ItemKind.CODING or item.challenge is None:
        raise InvalidInput(f"item {position} is not a coding item")
    if item.challenge.current_version_id == item.challenge_version_id:
        raise Conflict(f"item {position} is on its challenge's current version already")
    item.challenge_version_id = item.challenge.current_version_id
    session.commit()
    finished = session.scalars(
        select(Submission).where(
            Submission.item_id == item.id,
            Submission.status.in_([SubmissionStatus.COMPLETED, SubmissionStatus.ERROR]),
        )
    ).all()
    regraded = [regrade(session, s.id, enqueue, requested_by) for s in finished]
    # Their candidates' totals lose these scores until the new gradings come in.
    for invitation in {s.invitation for s in regraded if s.invitation is not None}:
        scorecards.refresh(session, invitation)
    session.commit()
    return regraded


@dataclass(frozen=True)
class AssessmentFilter:
    status: AssessmentStatus | None = None
    include_archived: bool = False


def list_assessments(
    session: Session, filters: AssessmentFilter, offset: int, limit: int
) -> tuple[list[Assessment], int]:
    query = select(Assessment)
    if filters.status is not None:
        query = query.where(Assessment.status == filters.status)
    elif not filters.include_archived:
        query = query.where(Assessment.status != AssessmentStatus.ARCHIVED)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Assessment.id.desc()).offset(offset).limit(limit))
    return list(page), total


def load_spec(path: Path) -> AssessmentSpec:
    """An assessment described in a TOML file (`grader assessments create FILE`)."""
    try:
        return AssessmentSpec.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise InvalidInput(f"{path}: {exc}") from exc


def invitation_counts(session: Session, assessment_ids: list[int]) -> dict[int, dict[str, int]]:
    """Invitations per status of each assessment (one query for a whole list)."""
    counts: dict[int, dict[str, int]] = {}
    for assessment_id, state, count in session.execute(
        select(Invitation.assessment_id, Invitation.status, func.count())
        .where(Invitation.assessment_id.in_(assessment_ids))
        .group_by(Invitation.assessment_id, Invitation.status)
    ):
        counts.setdefault(assessment_id, {})[state.value] = count
    return counts
