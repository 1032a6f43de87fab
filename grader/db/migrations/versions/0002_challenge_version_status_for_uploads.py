"""challenge version status for uploads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:20:33.980903
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("challenge_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.String(length=20),
                server_default="live",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("problems", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("challenge_versions", schema=None) as batch_op:
        batch_op.drop_column("problems")
        batch_op.drop_column("status")
