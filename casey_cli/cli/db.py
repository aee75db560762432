"""`casey db ...`: back up, check, upgrade, copy, dump and restore the store."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import file_path

if TYPE_CHECKING:
    from casey_cli.cli.context import AppContext
    from casey_cli.services.dump import Counts

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
    """Back the store up to FILE: a SQLite store as a SQLite file (its online backup API,
    consistent even while others write); a PostgreSQL store as a dump (`casey db dump`),
    which `casey db restore` reads into a new store. Never overwrites a file.

    Example: casey db backup casey-2026-11-23.db
    """
    from casey_cli.config import sqlite_file
    from casey_cli.store.connection import backup_sqlite

    app = app_context(ctx)
    source = sqlite_file(app.db)
    if source is None:
        counts = _dump(app, target)
        output.write(f"{target}\n")
        output.info(
            f"Backed up the store to {target} as a dump ({counts.summary()}); restore it "
            f"into a new store with `casey --db NEW db restore {target}`."
        )
        return
    app.store(as_is=True)  # refuses a missing, foreign or damaged store; an older one as it is
    backup_sqlite(source, target)
    output.write(f"{target}\n")
    output.info(f"Backed up the store to {output.printable(target)}.")


@app.command("check")
@errors_as_one_line
def check(ctx: typer.Context) -> None:
    """Verify the store: SQLite integrity, foreign keys, the history hash chain, and every
    action and recommendation row against what the history says; exit 1 naming the first
    broken event, or each row changed outside casey (ref, field, stored value, the history's).

    Example: casey db check
    """
    from casey_cli.errors import StoreDamaged
    from casey_cli.services import db

    app = app_context(ctx)
    try:  # the full check below reads every page itself
        with app.store(existing=True, check=False).read() as tx:
            report = db.check(tx)
    except StoreDamaged as exc:  # a page too damaged to read: the check's answer, in its words
        raise db.CheckFailed(db.damaged(exc.detail)) from None
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
    from casey_cli.config import checked_db, db_url, mask_url
    from casey_cli.errors import StoreError
    from casey_cli.services import db
    from casey_cli.store import manage as store
    from casey_cli.store.connection import find_store, not_empty_message

    to = checked_db(to, "--to")
    app = app_context(ctx)
    read_only = app.store(existing=True).read_only  # refuses a missing or older store
    target_url = db_url(to)
    where = mask_url(to)  # as the user gave it
    found = find_store(target_url)
    if found.store is not None:
        found.store.close()
    if found.kind == "foreign":  # refused before the engine sets anything on it
        raise StoreError(not_empty_message(where, found.tables))
    with _removed_on_failure(target_url):
        opened = store.open_store(target_url, create=True, upgrade_old=False, given_by="--to")
        try:
            source = store.make_engine(app.db_url, read_only=read_only)
            try:
                counts, report = store.copy_store(source, opened.engine, where, db.check)
            finally:
                source.dispose()
        finally:
            opened.engine.dispose()  # before any clean-up: an open connection keeps its WAL
    from casey_cli.services.dump import Counts

    what = Counts(rows=dict(counts)).summary()
    output.write(
        f"Copied the store to {where}: {what}.\n" + "".join(line + "\n" for line in report.lines())
    )


@contextlib.contextmanager
def _removed_on_failure(url: str) -> Iterator[None]:
    """A copy or restore that fails leaves nothing behind: the new SQLite file made for it
    goes, with its WAL and the folders made for it, so a retry finds the path as it was."""
    from casey_cli.config import sqlite_file

    new_file = sqlite_file(url)
    new_file = new_file if new_file is not None and not new_file.exists() else None
    new_folders = [p for p in new_file.parents if not p.exists()] if new_file else []
    try:
        yield
    except BaseException:
        if new_file is not None:
            for path in (new_file, *(Path(f"{new_file}{s}") for s in ("-wal", "-shm", "-journal"))):
                path.unlink(missing_ok=True)
            for folder in new_folders:  # innermost first; each was empty before
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise


def _dump(app: "AppContext", target: Path) -> "Counts":
    """Dump the store to the new file `target`, atomically (readable by its owner only)."""
    from casey_cli.atomic import write_atomic
    from casey_cli.errors import StoreError
    from casey_cli.services import dump

    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file name")
    if not (target.parent if str(target.parent) else Path(".")).is_dir():
        raise StoreError(f"folder {target.parent} does not exist; create it first")
    counts = dump.Counts()
    with app.store(existing=True).read() as tx:
        try:
            write_atomic(target, dump.dump(tx, counts), mode=0o600, replace=False)
        except FileExistsError:
            raise StoreError(f"{target} already exists; choose a new file name") from None
        except OSError as exc:
            raise StoreError(f"cannot write {target}: {exc.strerror}") from None
    return counts


@app.command("dump")
@errors_as_one_line
def dump(
    ctx: typer.Context,
    target: Annotated[
        Path, typer.Argument(help="The new dump file.", show_default=False, parser=file_path)
    ],
) -> None:
    """Write the whole register to FILE as one JSON document (docs/formats.md, "Dump"):
    boroughs, sources, recommendations, meetings, actions with their evidence and
    verification, and the full history with its hashes. `casey db restore` reads it into a
    new store on either backend. Never overwrites a file.

    Example: casey db dump casey-2026-11-23.json
    """
    app = app_context(ctx)
    counts = _dump(app, target)
    output.write(f"{target}\n")
    output.info(f"Dumped the store to {target}: {counts.summary()}.")


@app.command("restore")
@errors_as_one_line
def restore(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Argument(
            help="A dump written by `casey db dump` (or `db backup` on PostgreSQL).",
            show_default=False,
            parser=file_path,
        ),
    ],
) -> None:
    """Fill a new, empty store (--db: a SQLite file that does not exist yet, or an empty
    PostgreSQL database) from a dump in one transaction, checking the history chain event by
    event, then the whole store as `db check` does; a dump that does not verify, or a store
    that holds anything, is refused and nothing is written.

    Example: casey --db restored.db db restore casey-2026-11-23.json
    """
    from casey_cli.config import mask_url
    from casey_cli.errors import InvalidInput
    from casey_cli.io.dump import Reader
    from casey_cli.services import db
    from casey_cli.services import dump as dumps
    from casey_cli.store import manage as store
    from casey_cli.store.tx import Tx

    app = app_context(ctx)
    where = mask_url(app.db)

    def verified(tx: Tx) -> db.CheckReport:
        try:
            return db.check(tx)
        except db.CheckFailed as exc:
            raise InvalidInput(
                f"the store it gives fails `casey db check` ({exc}); nothing was restored",
                file=str(source),
            ) from None

    try:
        handle = source.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror}") from None
    with handle:
        reader = Reader(handle, str(source))  # not a dump, or a newer one: refused first
        with _removed_on_failure(app.db_url):
            opened = store.open_store(app.db_url, create=True, upgrade_old=False)
            try:
                counts, report = store.fill_store(
                    opened.engine,
                    where,
                    "restore into an empty database or a file that does not exist yet (--db)",
                    lambda tx: dumps.restore(tx, reader),
                    verified,
                )
            finally:
                opened.engine.dispose()  # before any clean-up: an open connection keeps its WAL
    output.write(
        f"Restored {source} into {where}: {counts.summary()}.\n"
        + "".join(line + "\n" for line in report.lines())
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
    from casey_cli.errors import StoreReadOnly
    from casey_cli.store import manage as store
    from casey_cli.store.connection import read_only_message
    from casey_cli.store.versions import HEAD

    app = app_context(ctx)
    current = app.store(as_is=True)  # refuses a missing, foreign, newer or damaged store
    version = current.version or HEAD
    pending = store.pending_revisions(version)
    if not pending:
        output.write(f"The store is at schema {version}, the newest; nothing to do.\n")
        return
    if dry_run:
        output.write(
            f"Would back up the store and upgrade it from schema {version} to "
            f"{HEAD} (migrations {', '.join(pending)}).\n"
        )
        return
    if current.read_only is not None:
        message = read_only_message(current.where, current.read_only, current.dialect)
        raise StoreReadOnly(message)
    app.close()  # the engine upgrades it, under the write lock
    opened = store.open_store(app.db_url, create=False, upgrade_old=False)
    try:
        version = opened.version or HEAD  # as found under the lock: another may have begun
        _, kept = store.upgrade_store(opened.engine, version)
    finally:
        opened.engine.dispose()
    output.write(
        f"Upgraded the store from schema {version} to {HEAD}"
        f"{f' (backup: {kept})' if kept else ''}.\n"
    )
