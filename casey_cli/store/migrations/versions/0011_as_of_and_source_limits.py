"""actions and recommendations: as_of (the day of the latest information about the item, as
a register gives it); sources: limits (what is not known about the source)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 05:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("actions", "recommendations")


def upgrade() -> None:
    # Nullable columns with no default: ADD COLUMN on both backends, no table rebuild.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("as_of", sa.Date(), nullable=True))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limits", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("limits")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("as_of")
