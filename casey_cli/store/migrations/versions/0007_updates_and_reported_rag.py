"""actions and recommendations: latest_update, latest_update_on and reported_rag (the
latest progress update and the reporting officer's own RAG); existing items have none

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("actions", "recommendations")


def upgrade() -> None:
    # Nullable columns with no default: ADD COLUMN on both backends (no table rebuild), and
    # no event's hash or state changes (a state without these fields reads them as null).
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("latest_update", sa.String(), nullable=True))
            batch_op.add_column(sa.Column("latest_update_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("reported_rag", sa.String(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("reported_rag")
            batch_op.drop_column("latest_update_on")
            batch_op.drop_column("latest_update")
