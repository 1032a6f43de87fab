"""gradings kept for ever, idempotency keys, webhook deliveries, user and API key fields

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:21:38
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


REASON = ("first", "retry", "regrade")
GRADING_STATUS = ("running", "completed", "internal_error", "handed_back", "lost")


def upgrade() -> None:
    op.create_table(
        "gradings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("reason", _enum("grading_reason", *REASON), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column(
            "challenge_version_id",
            sa.Integer(),
            sa.ForeignKey("challenge_versions.id"),
            nullable=False,
        ),
        sa.Column(
            "status",
            _enum(
                "grading_status", "running", "completed", "internal_error", "handed_back", "lost"
            ),
            nullable=False,
        ),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gradings_submission_id", "gradings", ["submission_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("caller", "key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status", _enum("delivery_status", "pending", "delivered", "gave_up"), nullable=False
        ),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column(
            "redelivery_of_id", sa.Integer(), sa.ForeignKey("webhook_deliveries.id"), nullable=True
        ),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index("ix_webhook_deliveries_submission_id", "webhook_deliveries", ["submission_id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "delivery_id", sa.Integer(), sa.ForeignKey("webhook_deliveries.id"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "number"),
    )
    op.create_index("ix_webhook_attempts_delivery_id", "webhook_attempts", ["delivery_id"])
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column(
                "round_reason",
                _enum("grading_reason", *REASON),
                server_default="first",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("round_requested_by_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_submissions_external_id", ["external_id"])
        batch_op.create_foreign_key(
            "fk_submissions_round_requested_by", "users", ["round_requested_by_id"], ["id"]
        )
        batch_op.drop_column("callback_delivered_at")
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)
    # Each finished submission's grading so far becomes the first of its history.
    op.execute(
        """
        INSERT INTO gradings (submission_id, round, attempt, reason, challenge_version_id, status,
                              verdict, score, max_score, duration_ms, result, error,
                              started_at, finished_at)
        SELECT id, 1, attempts, 'first', challenge_version_id,
               CASE WHEN status = 'completed' THEN 'completed' ELSE 'internal_error' END,
               verdict, score, max_score, duration_ms, result, error,
               COALESCE(started_at, created_at), finished_at
        FROM submissions WHERE status IN ('completed', 'error')
        """
    )


def downgrade() -> None:
    op.drop_index("uq_users_username_lower", table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("display_name")
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.add_column(sa.Column("callback_delivered_at", TIMESTAMP, nullable=True))
        batch_op.drop_constraint("fk_submissions_round_requested_by", type_="foreignkey")
        batch_op.drop_index("ix_submissions_external_id")
        batch_op.drop_column("round_requested_by_id")
        batch_op.drop_column("round_reason")
        batch_op.drop_column("round")
        batch_op.drop_column("external_id")
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_column("rate_limit_per_minute")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("idempotency_keys")
    op.drop_table("gradings")
