"""Connections to the store through its DB-API driver: the standard library's sqlite3 for a
SQLite file, psycopg for PostgreSQL. Nothing here imports SQLAlchemy: every command reads and
writes through these connections; only creating, upgrading and copying a store use the
engine (store.manage)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from casey_cli.store.tx import Tx

BUSY_TIMEOUT_MS = 10_000
# Every casey writer on a PostgreSQL store takes this transaction-level advisory lock first:
# writers queue one after another, as on SQLite (BEGIN IMMEDIATE), so the history chain tip a
# writer reads is the last event, and no edit is lost to another made at the same moment.
# (The number is arbitrary and fixed: 'casey' in ASCII.)
PG_WRITE_LOCK = 0x6361736579
PG_SCHEMES = ("postgresql+psycopg://",)  # the one driver casey installs (the postgres extra)


def sqlite_pragmas(conn: Any) -> None:
    """The one set of pragmas every SQLite connection gets (the engine's too)."""
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")


def connect_sqlite(path: Path | str) -> Any:
    """A stdlib connection in autocommit mode: Store begins each transaction itself, so a
    writer can BEGIN IMMEDIATE and DDL stays transactional."""
    import sqlite3

    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    sqlite_pragmas(conn)
    return conn


# SQLAlchemy's reading of a URL (sqlalchemy.engine.url._parse_url), so a URL means the same
# store whether the engine or psycopg opens it: the user name runs to the first ':' or '/',
# the password from there to the '@' after it.
_URL = re.compile(
    r"""
    (?P<name>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.X,
)


def pg_params(url: str) -> dict[str, Any]:
    """psycopg.connect keywords for a postgresql URL."""
    match = _URL.match(url)
    if match is None:
        raise ValueError("not a database URL")
    parts = match.groupdict()
    params: dict[str, Any] = {}
    if parts["username"]:
        params["user"] = unquote(parts["username"])
    if parts["password"] is not None:
        params["password"] = unquote(parts["password"])
    host = parts["ipv6host"] or parts["ipv4host"]
    if host:
        params["host"] = unquote(host)
    if parts["port"]:
        params["port"] = int(parts["port"])
    if parts["database"]:
        params["dbname"] = unquote(parts["database"])
    params.update(parse_qsl(parts["query"] or ""))
    return params


def connect_postgresql(url: str, **extra: Any) -> Any:
    import psycopg

    return psycopg.connect(**pg_params(url), **extra)


class Store:
    """One store, reached through one DB-API connection: `with store.read() as tx` for a
    consistent snapshot, `with store.write() as tx` for the write lock; a block that ends
    normally commits, an error rolls everything back."""

    def __init__(
        self, conn: Any, dialect: str, location: str, errors: tuple[type[Exception], ...]
    ) -> None:
        self.conn, self.dialect, self.location = conn, dialect, location
        self.errors = errors  # the driver's exceptions

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._transaction(write=False) as tx:
            yield tx

    @contextmanager
    def write(self, *, dry_run: bool = False) -> Iterator[Tx]:
        """The write lock for one transaction; `dry_run` does everything, then rolls back."""
        with self._transaction(write=True, keep=not dry_run) as tx:
            yield tx

    @contextmanager
    def _transaction(self, *, write: bool, keep: bool = True) -> Iterator[Tx]:
        conn = self.conn
        if self.dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        else:
            import psycopg

            # A reader sees one snapshot, so a report's counts and lists agree.
            conn.isolation_level = (
                psycopg.IsolationLevel.READ_COMMITTED
                if write
                else psycopg.IsolationLevel.REPEATABLE_READ
            )
            conn.read_only = not write
            if write:
                # A writer stuck behind another gives up after the same wait as on SQLite.
                conn.execute(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        try:
            yield Tx(conn, self.dialect, write=write)
        except BaseException:
            conn.rollback()
            raise
        if write and keep:
            conn.commit()
        else:
            conn.rollback()

    def close(self) -> None:
        self.conn.close()


def schema_version(conn: Any, dialect: str) -> str | None:
    """The store's schema revision; None for a database casey has not created."""
    if dialect == "sqlite":
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    else:
        found = conn.execute("SELECT to_regclass('alembic_version')").fetchone()
        found = found if found and found[0] else None
    if not found:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def open_current(url: str, *, older: bool = False, **pg_options: Any) -> Store | None:
    """The store at `url` if it exists at this code's schema (`older`: or at any older one
    this code knows, to read as it is); None when it is missing, older or newer, or of a
    kind only the engine opens (store.manage then creates, upgrades or refuses it, with its
    messages)."""
    from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        import sqlite3

        path = Path(url[len("sqlite:///") :])
        if not path.is_file():
            return None
        try:
            conn = connect_sqlite(path)
        except sqlite3.Error:
            return None
        dialect = "sqlite"
        errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    elif url.startswith(PG_SCHEMES):
        try:
            import psycopg
        except ImportError:
            return None
        try:
            conn = connect_postgresql(url, **pg_options)
        except (psycopg.Error, ValueError):
            return None  # the engine says why, in its words
        dialect = "postgresql"
        errors = (psycopg.Error,)
    else:
        return None
    try:
        version = schema_version(conn, dialect)
        conn.rollback()
    except errors:
        conn.close()
        return None
    if version != HEAD and not (older and version in KNOWN_REVISIONS):
        conn.close()
        return None
    return Store(conn, dialect, url, errors)


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store with SQLite's online backup API, even while
    others write."""
    import os
    import sqlite3

    from casey_cli.errors import StoreError

    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise StoreError(f"folder {target.parent} does not exist; create it first")
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # made since the check above
        raise StoreError(f"{target} already exists; choose a new file name") from None
    except OSError as exc:  # a folder this user cannot write in (or /proc): no traceback
        raise StoreError(
            f"cannot create {target} ({exc.strerror}); choose a folder you can write in"
        ) from None
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
