"""submission callbacks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:38:53.273689
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_url", sa.String(length=2000), nullable=True))
        batch_op.add_column(
            sa.Column("callback_delivered_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("callback_delivered_at")
        batch_op.drop_column("callback_url")
