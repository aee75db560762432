"""history hash chain: prev_hash and hash on every event, backfilled in id order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from casey_cli.chain import event_hash

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(), nullable=True))
    # Chain the events the store already has, oldest first, so `casey db check` covers them.
    from sqlmodel.sql.sqltypes import UTCDateTime

    history = sa.table(
        "history",
        sa.column("id", sa.Integer),
        sa.column("at", UTCDateTime()),
        sa.column("by", sa.String),
        sa.column("kind", sa.String),
        sa.column("ref", sa.String),
        sa.column("borough", sa.String),
        sa.column("field", sa.String),
        sa.column("old", sa.String),
        sa.column("new", sa.String),
        sa.column("note", sa.String),
        sa.column("meeting_id", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    bind = op.get_bind()
    prev = None
    updates = []
    for row in bind.execute(sa.select(history).order_by(history.c.id)).mappings():
        digest = event_hash(
            prev,
            row["at"],
            row["by"],
            row["kind"],
            row["ref"],
            row["borough"],
            row["field"],
            row["old"],
            row["new"],
            row["note"],
            row["meeting_id"],
        )
        updates.append({"key": row["id"], "p": prev, "h": digest})
        prev = digest
    if updates:
        bind.execute(
            history.update()
            .where(history.c.id == sa.bindparam("key"))
            .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
