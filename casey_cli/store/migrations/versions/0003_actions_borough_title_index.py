"""index actions on (borough, title), the natural key loads match on

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:25:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_actions_borough_title", "actions", ["borough", "title"])


def downgrade() -> None:
    op.drop_index("ix_actions_borough_title", table_name="actions")
