"""The store: engine factory with SQLite pragmas, transactions, schema create/upgrade checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from casey_cli import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from casey_cli.config import mask_url as mask_url  # re-exported: messages name stores by it
from casey_cli.errors import StoreError
from casey_cli.store_light import BUSY_TIMEOUT_MS
from casey_cli.versions import HEAD as HEAD  # re-exported
from casey_cli.versions import KNOWN_REVISIONS as KNOWN_REVISIONS


def make_engine(url: str) -> sa.Engine:
    try:
        engine = sa.create_engine(url)
    except ModuleNotFoundError as exc:  # e.g. a PostgreSQL URL without psycopg installed
        extra = (" (pip install 'casey-cli[postgres]')"
                 if url.startswith(("postgresql", "postgres:")) else "")
        raise StoreError(f"cannot use store {mask_url(url)}: its driver {exc.name} is not "
                         f"installed; install it{extra}") from None
    except Exception as exc:  # bad URL: a user-fixable problem
        raise StoreError(
            f"cannot use store {mask_url(url)}: {exc}; give --db a file path or a SQLAlchemy URL"
        ) from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


# Every casey writer on a PostgreSQL store takes this transaction-level advisory lock first:
# writers queue one after another, as on SQLite (BEGIN IMMEDIATE), so the history chain tip a
# writer reads is the last event, and no edit is lost to another made at the same moment.
# (The number is arbitrary and fixed: 'casey' in ASCII.)
PG_WRITE_LOCK = 0x6361736579


def _configure_postgresql(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("casey_write", False):
            # A writer stuck behind another gives up after the same wait as on SQLite.
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below) so DDL is transactional and writers can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front, so two clerks queue on busy_timeout
        # instead of failing with "database is locked" when a read lock upgrades.
        write = conn.get_execution_options().get("casey_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(engine: sa.Engine, *, write: bool) -> Iterator[Session]:
    """One transaction: committed if the block ends normally, rolled back on any error."""
    with Session(engine, expire_on_commit=False, autoflush=True) as session:
        with session.begin():
            session.connection(execution_options=connection_options(engine, write=write))
            yield session


def connection_options(engine: sa.Engine, *, write: bool) -> dict[str, Any]:
    """A writer takes the store's write lock when it begins (both backends); a reader on
    PostgreSQL reads one snapshot, so a report's counts and lists agree with each other."""
    if write:
        return {"casey_write": True}
    if engine.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ"}
    return {}


class DryRunRollback(Exception):
    """Raised inside a transaction to undo everything a dry run did."""


def schema_version(conn: sa.Connection) -> str | None:
    """The store's alembic revision, or None for an empty database."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


@dataclass
class OpenResult:
    engine: sa.Engine
    created: bool = False
    version: str | None = None
    upgraded_from: str | None = None
    backup: Path | None = None


def _alembic_config(conn: sa.Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "casey_cli:migrations")
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(conn: sa.Connection, target: str = "head") -> None:
    from alembic import command

    command.upgrade(_alembic_config(conn), target)


def stamp(conn: sa.Connection, target: str = "head") -> None:
    from alembic import command

    command.stamp(_alembic_config(conn), target)


def check_version(version: str, url: str) -> None:
    if version not in KNOWN_REVISIONS:
        raise StoreError(
            f"store {mask_url(url)} has schema {version}, newer than this casey-cli knows "
            f"({HEAD}); upgrade casey-cli (pip install -U casey-cli)"
        )


def _prepare_sqlite_file(url: str, create: bool) -> None:
    """A new SQLite store is readable by its owner only: folder 0700, file 0600."""
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if path.exists() or not create:
        return
    try:
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        for folder in reversed(missing):  # mkdir(parents=True) gives 0700 to the last only
            folder.mkdir(mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # another process created it first: fine
        pass
    except OSError as exc:
        raise StoreError(f"cannot create store {path}: {exc.strerror}; "
                         "check the folder exists and is writable, or give another --db") from None


def open_store(url: str, *, create: bool = True, upgrade_old: bool = True,
               given_by: str = "--db / CASEY_DB") -> OpenResult:
    """Open the store at `url`: create it if missing, upgrade an older schema in place (after
    a backup), refuse a newer one. `given_by`: what to check when it cannot be opened."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        if not create and path is not None and not path.exists():  # connecting creates it
            raise StoreError(f"no casey store at {path}; run `casey init` first")
        _prepare_sqlite_file(url, create)
    try:
        with engine.connect() as conn:
            version = schema_version(conn)
            conn.rollback()
    except sa.exc.DBAPIError as exc:  # not a database, unreachable server, bad credentials
        raise StoreError(
            f"cannot open store {mask_url(url)}: {exc.orig}; check {given_by}"
        ) from None
    if version is None:
        if not create:
            raise StoreError(f"no casey store at {mask_url(url)}; run `casey init` first")
        return OpenResult(engine, created=True)
    check_version(version, url)
    if version != HEAD and upgrade_old:
        done, backup = upgrade_store(engine, version)
        return OpenResult(engine, version=HEAD, upgraded_from=version if done else None,
                          backup=backup)
    return OpenResult(engine, version=version)


def pending_revisions(version: str) -> list[str]:
    return list(KNOWN_REVISIONS[KNOWN_REVISIONS.index(version) + 1:])


def upgrade_store(engine: sa.Engine, version: str) -> tuple[bool, Path | None]:
    """Back a SQLite store up next to itself, then run the pending migrations in one
    transaction (on error the store is left as it was, and the backup too). The write lock
    is taken first, so of two processes opening an old store one upgrades, the other
    finds it done."""
    with engine.connect() as conn:
        conn = conn.execution_options(casey_write=True)
        with conn.begin():
            if schema_version(conn) == HEAD:
                return False, None  # another process upgraded it while we waited
            backup = None
            path = sqlite_path(engine)
            if path is not None:
                backup = path.with_name(f"{path.name}.before-{HEAD}-{utc_stamp()}-{os.getpid()}")
                backup_sqlite(engine, backup)
            upgrade(conn)
    return True, backup


def utc_stamp() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def sqlite_path(engine: sa.Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database) if database and database != ":memory:" else None


def backup_sqlite(engine: sa.Engine, target: Path) -> None:
    """A consistent copy with SQLite's online backup API, even while others write."""
    import sqlite3

    source = sqlite_path(engine)
    if source is None:
        raise StoreError(f"`casey db backup` copies SQLite files only; back up "
                         f"{mask_url(str(engine.url))} with the server's own tool, e.g. "
                         "`pg_dump -Fc -f casey.dump DBNAME`, or keep a portable copy with "
                         "`casey export --format json`")
    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise StoreError(f"folder {target.parent} does not exist; create it first")
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: a snapshot no writer can tear
        finally:
            dst.close()
            src.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def create_schema(session: Session) -> None:
    """Create every table and stamp the head revision, inside the caller's transaction."""
    conn = session.connection()
    SQLModel.metadata.create_all(conn)
    stamp(conn)
