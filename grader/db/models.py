"""SQLAlchemy 2 typed models; portable between SQLite and PostgreSQL (no native enums)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _enum(cls: type[StrEnum], name: str, check: bool = True) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=check,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Role(StrEnum):
    ADMIN = "admin"
    """Everything."""
    RECRUITER = "recruiter"
    """Assessments and invitations, and what a reviewer does; not challenges or users."""
    REVIEWER = "reviewer"
    """Reads assessments, scorecards, code and answers; writes notes, review scores, decisions."""
    CANDIDATE = "candidate"

    @property
    def staff(self) -> bool:
        return self is not Role.CANDIDATE


class ChallengeStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class VersionStatus(StrEnum):
    PENDING = "pending"
    """Uploaded; the worker is proving its suite."""
    LIVE = "live"
    REJECTED = "rejected"
    """The suite failed validation; never shown, never graded against."""


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"

    @property
    def terminal(self) -> bool:
        return self in (SubmissionStatus.COMPLETED, SubmissionStatus.ERROR)


class User(Base):
    __tablename__ = "users"
    # Usernames are unique ignoring case: `Carol` and `carol` are the same person.
    __table_args__ = (Index("uq_users_username_lower", text("lower(username)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A service credential; only the SHA-256 of the key is stored (it has 256 bits of entropy,
    so a slow hash buys nothing and would cost a hash per request)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    rate_limit_per_minute: Mapped[int | None] = mapped_column(
        doc="Submissions this key may post per minute; None: the setting for API keys."
    )

    created_by: Mapped[User] = relationship()


class Challenge(Base):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[ChallengeStatus] = mapped_column(
        _enum(ChallengeStatus, "challenge_status"), default=ChallengeStatus.ACTIVE
    )
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenge_versions.id", use_alter=True, name="fk_challenges_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    current_version: Mapped[ChallengeVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class ChallengeVersion(Base):
    """An immutable snapshot of a challenge (the hidden suite included): a submission is graded
    against the version it was submitted to, whatever the catalog says later."""

    __tablename__ = "challenge_versions"
    __table_args__ = (UniqueConstraint("challenge_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"))
    number: Mapped[int] = mapped_column(doc="1, 2, ... per challenge, in order of appearance.")
    declared_version: Mapped[int] = mapped_column(doc="`version` from challenge.toml.")
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(doc="worker.challenge.ChallengeSpec, as JSON.")
    status: Mapped[VersionStatus] = mapped_column(
        _enum(VersionStatus, "version_status", check=False),
        default=VersionStatus.LIVE,
        server_default="live",
    )
    problems: Mapped[list[str] | None] = mapped_column(
        JSON, doc="Why validation rejected it (grader.services.validation)."
    )
    validation: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="What an upload's validation measured (`ValidationReport.summary`)."
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    challenge: Mapped[Challenge] = relationship(foreign_keys=[challenge_id])


class GradingReason(StrEnum):
    FIRST = "first"
    RETRY = "retry"
    """The previous attempt hit an infrastructure fault."""
    REGRADE = "regrade"
    """An admin asked for it (e.g. after a suite was fixed)."""


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_status_updated", "status", "updated_at"),
        # Covers the choice of each candidate's counted submission (scorecards): a report of a
        # thousand candidates reads no submission row to rank them.
        Index("ix_submissions_counted", "invitation_id", "item_id", "status", "score", "max_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    external_id: Mapped[str | None] = mapped_column(
        String(200), index=True, doc="The caller's own reference (an ATS's application id)."
    )
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    challenge_version_id: Mapped[int] = mapped_column(ForeignKey("challenge_versions.id"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id"), doc="Made in an assessment, by its invited candidate."
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_items.id"))
    files: Mapped[dict[str, Any]]
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.QUEUED
    )
    round: Mapped[int] = mapped_column(
        default=1, server_default="1", doc="1 for the first grading, +1 for each regrade."
    )
    attempts: Mapped[int] = mapped_column(
        default=1,
        doc="The attempt of this round in flight or last made; only its job may write.",
    )
    round_reason: Mapped[GradingReason] = mapped_column(
        _enum(GradingReason, "grading_reason", check=False),
        default=GradingReason.FIRST,
        server_default="first",
    )
    round_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int | None]
    max_score: Mapped[int | None]
    duration_ms: Mapped[int | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(doc="worker.result.GradeResult.")
    error: Mapped[str | None] = mapped_column(Text, doc="Why the service gave up (status error).")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    callback_url: Mapped[str | None] = mapped_column(
        String(2000), doc="Told each final grading, signed (grader.services.webhooks)."
    )

    challenge: Mapped[Challenge] = relationship()
    challenge_version: Mapped[ChallengeVersion] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    api_key: Mapped[ApiKey | None] = relationship()
    item: Mapped[AssessmentItem | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    gradings: Mapped[list[Grading]] = relationship(
        order_by="Grading.id", back_populates="submission"
    )

    @property
    def username(self) -> str | None:
        return self.user.username if self.user else None

    @property
    def completed_result(self) -> dict[str, Any] | None:
        """The result document, once the grading is final and not the service's failure."""
        return self.result if self.status is SubmissionStatus.COMPLETED else None


class GradingStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    """A verdict of the candidate's answer (passed, failed, error, a limit)."""
    INTERNAL_ERROR = "internal_error"
    """The grader failed; the submission was retried or gave up."""
    HANDED_BACK = "handed_back"
    """Its host's Docker daemon went away; another worker took the submission."""
    LOST = "lost"
    """Its job vanished (a worker killed, Redis flushed); the reaper re-enqueued it."""


class Grading(Base):
    """One grading of a submission, kept for ever: a regrade or a retry adds one, never
    overwrites. The submission's own verdict and result are those of its latest final one."""

    __tablename__ = "gradings"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    round: Mapped[int]
    attempt: Mapped[int]
    reason: Mapped[GradingReason] = mapped_column(
        _enum(GradingReason, "grading_reason", check=False)
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    challenge_version_id: Mapped[int] = mapped_column(ForeignKey("challenge_versions.id"))
    status: Mapped[GradingStatus] = mapped_column(
        _enum(GradingStatus, "grading_status", check=False), default=GradingStatus.RUNNING
    )
    verdict: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int | None]
    max_score: Mapped[int | None]
    duration_ms: Mapped[int | None]
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    submission: Mapped[Submission] = relationship(back_populates="gradings")
    challenge_version: Mapped[ChallengeVersion] = relationship()
    requested_by: Mapped[User | None] = relationship()


class IdempotencyKey(Base):
    """`Idempotency-Key` of a POST: the same key and body answer the first submission again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(40), doc="`user:<id>` or `key:<id>`.")
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    GAVE_UP = "gave_up"


class WebhookDelivery(Base):
    """One event sent (or being sent) to a URL, with every attempt in `attempts`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40), doc="`submission.completed`, ...")
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]]
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status", check=False), default=DeliveryStatus.PENDING
    )
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    redelivery_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    attempts: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", back_populates="delivery"
    )


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts")


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    """Items and pinned versions fixed; candidates may be invited."""
    CLOSED = "closed"
    """No one starts any more; results stay."""
    ARCHIVED = "archived"
    """Hidden from lists by default; kept with its results."""


class CountingPolicy(StrEnum):
    BEST = "best"
    LAST = "last"


class Feedback(StrEnum):
    FULL = "full"
    """Per-test outcomes and messages."""
    TESTS = "tests"
    """Test names and pass/fail only."""
    SCORE = "score"
    NONE = "none"
    """Only that the submission was received."""


class ItemKind(StrEnum):
    CODING = "coding"
    QUESTION = "question"


class Assessment(Base):
    """A set of items a candidate is invited to take within a time limit, ending in a report."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="", doc="Markdown.")
    time_limit_minutes: Mapped[int | None]
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    counting: Mapped[CountingPolicy] = mapped_column(
        _enum(CountingPolicy, "counting_policy", check=False), default=CountingPolicy.BEST
    )
    max_submissions_per_item: Mapped[int | None]
    feedback: Mapped[Feedback] = mapped_column(
        _enum(Feedback, "feedback", check=False), default=Feedback.FULL
    )
    webhook_url: Mapped[str | None] = mapped_column(
        String(2000), doc="Told `invitation.finished` (unless the invitation has its own URL)."
    )
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus, "assessment_status", check=False), default=AssessmentStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    items: Mapped[list[AssessmentItem]] = relationship(
        order_by="AssessmentItem.position",
        back_populates="assessment",
        cascade="all, delete-orphan",
    )


class AssessmentItem(Base):
    """A coding challenge (its version pinned at publication) or a concept question (its text
    and rubric copied at publication), with its weight in the total."""

    __tablename__ = "assessment_items"
    __table_args__ = (UniqueConstraint("assessment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    position: Mapped[int] = mapped_column(doc="1, 2, ... in the order candidates see them.")
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind", check=False))
    weight: Mapped[int] = mapped_column(doc="Its share of the assessment's 100 points.")
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id"))
    challenge_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenge_versions.id"), doc="Pinned when the assessment is published."
    )
    question_id: Mapped[str | None] = mapped_column(String(80))
    question: Mapped[dict[str, Any] | None] = mapped_column(
        doc="The question as it was when the assessment was published (grader.questions)."
    )

    assessment: Mapped[Assessment] = relationship(back_populates="items")
    challenge: Mapped[Challenge | None] = relationship()
    challenge_version: Mapped[ChallengeVersion | None] = relationship()


class InvitationStatus(StrEnum):
    INVITED = "invited"
    STARTED = "started"
    FINISHED = "finished"
    """By the candidate, or at the deadline by the service (`finished_how`)."""
    EXPIRED = "expired"
    """Never started before the assessment's window closed."""
    REVOKED = "revoked"


class Decision(StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    REJECT = "reject"


class Invitation(Base):
    """A candidate invited to an assessment. The link's token is shown once; only its hash is
    kept. The server's clock alone decides the deadline."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_assessment_status", "assessment_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    candidate_name: Mapped[str] = mapped_column(String(200))
    candidate_email: Mapped[str | None] = mapped_column(
        String(320), doc="A label: no mail is sent."
    )
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    status: Mapped[InvitationStatus] = mapped_column(
        _enum(InvitationStatus, "invitation_status", check=False), default=InvitationStatus.INVITED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None] = mapped_column(
        index=True, doc="The earlier of start + time limit and the window's close."
    )
    finished_at: Mapped[datetime | None]
    finished_how: Mapped[str | None] = mapped_column(
        String(20), doc="`candidate`, `deadline` or `closed`."
    )
    revoked_at: Mapped[datetime | None]
    score: Mapped[float | None] = mapped_column(
        doc="The total out of 100, kept up to date as gradings and reviews come in."
    )
    needs_review: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[Decision | None] = mapped_column(_enum(Decision, "decision", check=False))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Answer(Base):
    """A candidate's answer to a concept question: graded exactly (multiple choice) or given a
    proposed score that a reviewer confirms or overrides (short answer)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("invitation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("assessment_items.id"))
    answer: Mapped[dict[str, Any]] = mapped_column(doc='{"choice": [1]} or {"text": "..."}.')
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    points: Mapped[int] = mapped_column(doc="Exact (multiple choice) or proposed (short answer).")
    max_points: Mapped[int]
    matched: Mapped[list[Any] | None] = mapped_column(JSON, doc="Rubric points matched.")
    reviewed_points: Mapped[int | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    reviewed_by: Mapped[User | None] = relationship()


class ReviewNote(Base):
    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class QuestionRecord(Base):
    """A concept question of the bank: the repository's `questions/` folder is synced in, and
    admins upload more (validated like the catalog's)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True, doc="The question's own id.")
    section: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(doc="grader.questions.Question, as JSON.")
    source: Mapped[str] = mapped_column(String(20), doc="`bank` or `upload`.")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A browser's session (the web pages): a staff member's after logging in, or a candidate's
    made from an invitation link. The cookie carries a random token; only its hash is kept, with
    the CSRF token forms and scripts must send back. Expiry is decided here, not by the cookie."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped[User | None] = relationship()


class Draft(Base):
    """The files a candidate is editing for a coding item, saved as they type (the workspace
    restores them on reload or in another browser). Not a submission: never graded."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("invitation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("assessment_items.id"))
    files: Mapped[dict[str, Any]]
    revision: Mapped[int] = mapped_column(default=1, doc="Raised by every save.")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityKind(StrEnum):
    PASTE = "paste"
    BLUR = "blur"
    FOCUS = "focus"
    ACTIVE = "active"


class ActivityEvent(Base):
    """A coarse activity signal from the candidate's workspace, for reviewers: a large paste
    (its size), focus lost or regained, seconds active on an item. The landing page says so."""

    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_invitation", "invitation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_items.id"))
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind, "activity_kind", check=False))
    at: Mapped[datetime] = mapped_column(doc="When the browser saw it (clamped to the server's).")
    size: Mapped[int | None] = mapped_column(doc="Characters pasted.")
    seconds: Mapped[int | None] = mapped_column(doc="Seconds active, for `active`.")
