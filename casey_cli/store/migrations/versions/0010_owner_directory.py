"""owners and owner_aliases: the owner directory (a name, an optional email and
organisation, and the other names an owner is known by), through which owner names given on
writes and loads resolve

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # New tables only: no stored row or event changes, and an upgraded store starts with an
    # empty directory (every owner name is then kept as given, as before).
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("organisation", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "owner_aliases",
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owners.id"]),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_index("ix_owner_aliases_owner_id", "owner_aliases", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_owner_aliases_owner_id", table_name="owner_aliases")
    op.drop_table("owner_aliases")
    op.drop_table("owners")
