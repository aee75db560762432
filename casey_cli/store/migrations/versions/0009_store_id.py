"""store_info: the store's own id (a random UUID), so what it publishes (its calendar feed's
event UIDs) never collides with another store's

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_info",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Each upgraded store gets an id of its own, as a new one does (store/manage.py).
    from casey_cli.store.manage import add_store_id

    add_store_id(op.get_bind())


def downgrade() -> None:
    op.drop_table("store_info")
