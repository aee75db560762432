"""widen the (borough, status, due) index of actions with owner and slips, so the counts of
`casey status` and the London view are read from the index alone

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 17:45:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_actions_borough_status_due", table_name="actions")
    op.create_index(
        "ix_actions_borough_status_due_owner_slips",
        "actions",
        ["borough", "status", "due", "owner", "slips"],
    )


def downgrade() -> None:
    op.drop_index("ix_actions_borough_status_due_owner_slips", table_name="actions")
    op.create_index("ix_actions_borough_status_due", "actions", ["borough", "status", "due"])
