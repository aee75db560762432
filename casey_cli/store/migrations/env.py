"""Alembic environment: runs on the connection casey-cli hands it (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from casey_cli.store import schema as models  # noqa: F401  (fills SQLModel.metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - casey always passes its own connection
    raise RuntimeError("casey-cli migrations run through `casey db upgrade`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
