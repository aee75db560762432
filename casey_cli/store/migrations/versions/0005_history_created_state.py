"""history.state: a 'created' event records the item's first values, so `casey db check` can
replay the history and compare it with every row

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Events already written keep no state (and the hashes they were written with): their
    # items are checked on the fields changed since (docs/data-safety.md).
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("state")
