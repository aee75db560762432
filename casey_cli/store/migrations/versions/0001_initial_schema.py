"""initial schema: the first released store (sources, recommendations, boroughs, actions,
meetings, history)

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:58:18.127375

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "boroughs",
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("gss", sa.String(), nullable=True),
        sa.Column("bcu", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("slug"),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("borough", sa.String(), nullable=True),
        sa.Column("citation", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borough"],
            ["boroughs.slug"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "date"),
    )
    op.create_table(
        "sources",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("publisher", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("borough", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("citation", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borough"],
            ["boroughs.slug"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("borough", sa.String(), nullable=True),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_history_borough"), ["borough"], unique=False)
        batch_op.create_index("ix_history_ref_id", ["ref", "id"], unique=False)

    op.create_table(
        "recommendations",
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=True),
        sa.Column("theme", sa.String(), nullable=True),
        sa.Column("addressed_to", sa.String(), nullable=True),
        sa.Column("response", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("original_due", sa.Date(), nullable=True),
        sa.Column("slips", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("completed", sa.Date(), nullable=True),
        sa.Column("citation", sa.String(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "response IN ('accepted','accepted-in-principle','rejected','pending')",
            name="ck_recommendations_response",
        ),
        sa.CheckConstraint(
            "status IN ('not-started','in-progress','blocked','complete','dropped')",
            name="ck_recommendations_status",
        ),
        sa.ForeignKeyConstraint(
            ["source"],
            ["sources.code"],
        ),
        sa.PrimaryKeyConstraint("ref"),
        sa.UniqueConstraint("source", "number"),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_source"), ["source"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borough", sa.String(), nullable=False),
        sa.Column("recommendation", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("original_due", sa.Date(), nullable=True),
        sa.Column("slips", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("citation", sa.String(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.Column("completed", sa.Date(), nullable=True),
        sa.Column("assurance", sa.String(), nullable=False),
        sa.Column("verified_by", sa.String(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verification_evidence", sa.String(), nullable=True),
        sa.CheckConstraint("assurance IN ('unverified','verified')", name="ck_actions_assurance"),
        sa.CheckConstraint(
            "status IN ('not-started','in-progress','blocked','complete','dropped')",
            name="ck_actions_status",
        ),
        sa.CheckConstraint(
            "progress IS NULL OR progress BETWEEN 0 AND 100", name="ck_actions_progress"
        ),
        sa.ForeignKeyConstraint(
            ["borough"],
            ["boroughs.slug"],
        ),
        sa.ForeignKeyConstraint(
            ["recommendation"],
            ["recommendations.ref"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actions_borough_status_due", ["borough", "status", "due"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_recommendation"), ["recommendation"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_recommendation"))
        batch_op.drop_index(batch_op.f("ix_actions_owner"))
        batch_op.drop_index(batch_op.f("ix_actions_due"))
        batch_op.drop_index("ix_actions_borough_status_due")

    op.drop_table("actions")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_source"))

    op.drop_table("recommendations")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_ref_id")
        batch_op.drop_index(batch_op.f("ix_history_borough"))
        batch_op.drop_index(batch_op.f("ix_history_at"))

    op.drop_table("history")
    op.drop_table("sources")
    op.drop_table("meetings")
    op.drop_table("boroughs")
