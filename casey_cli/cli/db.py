"""`casey db ...`: back up, check and upgrade the store."""

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import file_path

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("backup")
@errors_as_one_line
def backup(
    ctx: typer.Context,
    target: Annotated[
        Path,
        typer.Argument(help="The new backup file.", show_default=False, parser=file_path),
    ],
) -> None:
    """Copy the store to FILE with SQLite's online backup API, consistent even while others
    write.

    Example: casey db backup casey-2026-11-23.db
    """
    from casey_cli.config import mask_url, sqlite_file
    from casey_cli.errors import StoreError
    from casey_cli.store.connection import backup_sqlite, open_current

    app = app_context(ctx)
    source = sqlite_file(app.db)
    if source is None:
        raise StoreError(
            f"`casey db backup` copies SQLite files only; back up "
            f"{mask_url(app.db_url)} with the server's own tool, e.g. "
            "`pg_dump -Fc -f casey.dump DBNAME`, or keep a portable copy with "
            "`casey export --format json`"
        )
    current = open_current(app.db_url)
    if current is None:  # missing or foreign: refused; older: backed up as it is
        from casey_cli.store import manage

        manage.open_store(app.db_url, create=False, upgrade_old=False).engine.dispose()
    else:
        current.close()
    backup_sqlite(source, target)
    output.write(f"{target}\n")
    output.info(f"Backed up the store to {output.printable(target)}.")


@app.command("check")
@errors_as_one_line
def check(ctx: typer.Context) -> None:
    """Verify the store: SQLite integrity, foreign keys, and the history hash chain; exit 1
    naming the first broken event.

    Example: casey db check
    """
    from casey_cli.services import db

    app = app_context(ctx)
    with app.store(existing=True).read() as tx:
        report = db.check(tx)
    output.write("".join(line + "\n" for line in report.lines()))


@app.command("copy")
@errors_as_one_line
def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            show_default=False,
            help="The new store: a PostgreSQL URL (postgresql+psycopg://user@host/db) of an empty "
            "database, or a SQLite file path that does not exist yet.",
        ),
    ],
) -> None:
    """Copy the whole store (history chain included) into a new, empty store, then verify it
    there: how a register moves from a laptop to a team's PostgreSQL server.

    Example: casey db copy --to postgresql+psycopg://casey@dbhost/casey
    """
    from casey_cli.config import checked_db, db_url, mask_url, sqlite_file
    from casey_cli.services import db
    from casey_cli.store import manage as store

    to = checked_db(to, "--to")
    app = app_context(ctx)
    app.store(existing=True)  # refuses a missing or older store
    target_url = db_url(to)
    where = mask_url(to)  # as the user gave it
    new_file = sqlite_file(target_url)
    new_file = new_file if new_file is not None and not new_file.exists() else None
    new_folders = [p for p in new_file.parents if not p.exists()] if new_file else []
    opened = store.open_store(target_url, create=True, upgrade_old=False, given_by="--to")
    try:
        try:
            source = store.make_engine(app.db_url)
            try:
                counts, report = store.copy_store(source, opened.engine, where, db.check)
            finally:
                source.dispose()
        finally:
            opened.engine.dispose()  # before any clean-up: an open connection keeps its WAL
    except BaseException:
        if new_file is not None:  # a file made for this copy goes with it, as do its folders
            for path in (new_file, *(Path(f"{new_file}{s}") for s in ("-wal", "-shm", "-journal"))):
                path.unlink(missing_ok=True)
            for folder in new_folders:  # innermost first; each was empty before the copy
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    what = ", ".join(
        f"{n} {'history events' if table == 'history' else table}" for table, n in counts.items()
    )
    output.write(
        f"Copied the store to {where}: {what}.\n" + "".join(line + "\n" for line in report.lines())
    )


@app.command("upgrade")
@errors_as_one_line
def upgrade(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say which migrations would run; change nothing.")
    ] = False,
) -> None:
    """Upgrade the store's schema to this casey-cli's, after backing it up.

    Example: casey db upgrade --dry-run
    """
    from casey_cli.store import manage as store
    from casey_cli.store.versions import HEAD

    app = app_context(ctx)
    opened = store.open_store(app.db_url, create=False, upgrade_old=False)
    version = opened.version or HEAD
    pending = store.pending_revisions(version)
    try:
        if not pending:
            output.write(f"The store is at schema {version}, the newest; nothing to do.\n")
            return
        if dry_run:
            output.write(
                f"Would back up the store and upgrade it from schema {version} to "
                f"{HEAD} (migrations {', '.join(pending)}).\n"
            )
            return
        _, kept = store.upgrade_store(opened.engine, version)
    finally:
        opened.engine.dispose()
    output.write(
        f"Upgraded the store from schema {version} to {HEAD}"
        f"{f' (backup: {kept})' if kept else ''}.\n"
    )
