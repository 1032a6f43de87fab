"""the index that ranks an assessment's submissions covers what the ranking reads

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:10:00.000000

`ix_submissions_invitation_item` (invitation_id, item_id) becomes `ix_submissions_counted`
(invitation_id, item_id, status, score, max_score): what its queries used it for, plus what the
choice of each candidate's counted submission reads, so that a report or a CSV export of a
thousand candidates ranks them from the index alone (bench/bench_assessments.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["invitation_id", "item_id", "status", "score", "max_score"]


def upgrade() -> None:
    op.create_index("ix_submissions_counted", "submissions", COLUMNS, unique=False)
    op.drop_index("ix_submissions_invitation_item", table_name="submissions")


def downgrade() -> None:
    op.create_index(
        "ix_submissions_invitation_item", "submissions", ["invitation_id", "item_id"], unique=False
    )
    op.drop_index("ix_submissions_counted", table_name="submissions")
