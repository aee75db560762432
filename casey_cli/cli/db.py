"""`casey db ...`: back up, check and upgrade the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("backup")
@handled
def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The new backup file.", show_default=False,
                                           dir_okay=False)],
) -> None:
    """Copy the store to FILE with SQLite's online backup API, consistent even while others
    write.

    Example: casey db backup ~/backups/casey-2026-11-23.db
    """
    from casey_cli import store

    app = app_context(ctx)
    store.backup_sqlite(app.engine(upgrade=False, create=False), target)
    output.write(f"{target}\n")
    output.info(f"Backed up the store to {target}.")


@app.command("check")
@handled
def check(ctx: typer.Context) -> None:
    """Verify the store: SQLite integrity, foreign keys, and the history hash chain; exit 1
    naming the first broken event.

    Example: casey db check
    """
    from casey_cli import store
    from casey_cli.errors import StoreError
    from casey_cli.services import db

    app = app_context(ctx)
    app.engine(upgrade=False, create=False)
    if app.version != store.HEAD:
        raise StoreError(f"the store is at schema {app.version}, older than {store.HEAD}; run "
                         "`casey db upgrade` first (it backs the store up)")
    with app.session(upgrade=False, create=False) as session:
        report = db.check(session)
    output.write("".join(line + "\n" for line in report.lines()))


@app.command("upgrade")
@handled
def upgrade(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say which migrations would run; change nothing.")] = False,
) -> None:
    """Upgrade the store's schema to this casey-cli's, after backing it up.

    Example: casey db upgrade --dry-run
    """
    from casey_cli import store

    app = app_context(ctx)
    engine = app.engine(upgrade=False, create=False)
    version = app.version or store.HEAD
    pending = store.pending_revisions(version)
    if not pending:
        output.write(f"The store is at schema {version}, the newest; nothing to do.\n")
        return
    if dry_run:
        output.write(f"Would back up the store and upgrade it from schema {version} to "
                     f"{store.HEAD} (migrations {', '.join(pending)}).\n")
        return
    _, kept = store.upgrade_store(engine, version)
    output.write(f"Upgraded the store from schema {version} to {store.HEAD}"
                 f"{f' (backup: {kept})' if kept else ''}.\n")
