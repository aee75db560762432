"""history.account: the account that made each event (the database role on PostgreSQL, the
OS user on SQLite); events recorded before this revision keep NULL (not known)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 10:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column with no default: an ADD COLUMN on both backends (no table rebuild),
    # and no event's hash changes (casey_cli.chain hashes the account only when there is one).
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("account")
