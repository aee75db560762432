"""actions and recommendations: tracker_ref and due_text (the item's reference in the
tracker it was loaded from, and that tracker's words for a due date it did not give)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("actions", "recommendations")


def upgrade() -> None:
    # Nullable columns with no default: ADD COLUMN on both backends (no table rebuild), and
    # no event's hash or state changes (a state without these fields reads them as null).
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("tracker_ref", sa.String(), nullable=True))
            batch_op.add_column(sa.Column("due_text", sa.String(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("due_text")
            batch_op.drop_column("tracker_ref")
