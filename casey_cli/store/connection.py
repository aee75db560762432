"""Connections to the store through its DB-API driver: the standard library's sqlite3 for a
SQLite file, psycopg for PostgreSQL. Nothing here imports SQLAlchemy: every command reads and
writes through these connections; only creating, upgrading and copying a store use the
engine (store.manage)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from casey_cli.errors import StoreDamaged, StoreReadOnly
from casey_cli.store.tx import Tx

BUSY_TIMEOUT_MS = 10_000
# Every casey writer on a PostgreSQL store takes this transaction-level advisory lock first:
# writers queue one after another, as on SQLite (BEGIN IMMEDIATE), so the history chain tip a
# writer reads is the last event, and no edit is lost to another made at the same moment.
# (The number is arbitrary and fixed: 'casey' in ASCII.)
PG_WRITE_LOCK = 0x6361736579
PG_SCHEMES = ("postgresql+psycopg://",)  # the one driver casey installs (the postgres extra)
# Tables every casey store has had since its first schema: with alembic_version, the mark of
# a casey store (another application's alembic_version alone is not).
CASEY_TABLES = frozenset({"boroughs", "history"})


def sqlite_pragmas(conn: Any, *, read_only: bool = False) -> None:
    """The one set of pragmas every SQLite connection gets (the engine's too). A read-only
    connection leaves the journal mode as it finds it: setting it would be a write."""
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if not read_only:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")


def sqlite_read_only(path: Path) -> str | None:
    """Why this user may only read the SQLite store at `path` (as the OS answers for them,
    root included: an immutable file, a read-only mount), or None when they may write it.
    SQLite writes beside the store too (the WAL and its shared-memory index), so a folder
    that cannot be written makes the store read-only even when the file can be."""
    if not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} cannot be written"
    if not os.access(path, os.W_OK):
        return "the file cannot be written"
    return None


def connect_sqlite(path: Path | str, *, read_only: str | None = None, pragmas: bool = True) -> Any:
    """A stdlib connection in autocommit mode: Store begins each transaction itself, so a
    writer can BEGIN IMMEDIATE and DDL stays transactional. `read_only` (sqlite_read_only's
    reason) opens the file with mode=ro, which never writes it. A reader of a WAL store needs
    its shared-memory index beside it: in a folder that cannot be written and holds no WAL
    (so everything committed is in the file), the file is opened as immutable instead, the
    one way SQLite reads it there; a WAL that is there (a writer's) is read with mode=ro."""
    import sqlite3

    target: str | Path = path
    if read_only is not None:
        file = Path(path).absolute()
        wal, shm = Path(f"{file}-wal"), Path(f"{file}-shm")
        immutable = not os.access(file.parent, os.W_OK) and not (wal.exists() and shm.exists())
        target = file.as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    conn = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
        uri=read_only is not None,
    )
    if pragmas:
        sqlite_pragmas(conn, read_only=read_only is not None)
    return conn


# What a driver's error means for the user: SQLite's primary result codes (SQLITE_READONLY,
# SQLITE_CORRUPT, SQLITE_NOTADB) and PostgreSQL's SQLSTATEs (a read-only transaction or
# server, a role without the right, a page or index the server found corrupt).
_SQLITE_FAILURES = {8: "read-only", 11: "damaged", 26: "not a database"}
_PG_FAILURES = {"25006": "read-only", "42501": "read-only", "XX001": "damaged", "XX002": "damaged"}


def failure_kind(exc: BaseException) -> str | None:
    """'read-only', 'damaged' or 'not a database' (a file whose header is not SQLite's: on
    opening, some other file; once open, a damaged store) for a driver's error that means
    so, else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_FAILURES.get(code & 0xFF)
    state = getattr(exc, "sqlstate", None)
    return _PG_FAILURES.get(state) if isinstance(state, str) else None


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def read_only_message(where: str, why: str, dialect: str) -> str:
    fix = (
        "ask the store's owner for write access to the file and its folder"
        if dialect == "sqlite"
        else "ask the database's owner to let you write to it"
    )
    return f"the store at {where} is read-only for you ({why}); nothing was written; {fix}"


def damaged_message(where: str, detail: str) -> str:
    return (
        f"the store at {where} is damaged ({detail}); nothing was written; run "
        "`casey db check`, then restore the store from a backup"
    )


def some_tables(tables: list[str]) -> str:
    return ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")


def foreign_message(where: str, tables: list[str]) -> str:
    return (
        f"{where} is not a casey store: it holds other tables ({some_tables(tables)}), and "
        "casey adds none of its own to them; give a new file or an empty database, and "
        "create the store there with `casey init`"
    )


def not_empty_message(where: str, tables: list[str]) -> str:
    """A copy's target must be empty: casey copies into nothing else."""
    return (
        f"{where} is not empty (it has {some_tables(tables)}); give --to an empty database "
        "or a file that does not exist yet"
    )


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
        self,
        conn: Any,
        dialect: str,
        location: str,
        errors: tuple[type[Exception], ...],
        read_only: str | None = None,
        version: str | None = None,
    ) -> None:
        self.conn, self.dialect, self.location = conn, dialect, location
        self.version = version  # the schema revision it was opened at
        self.errors = errors  # the driver's exceptions
        self.read_only = read_only  # why this user may not write it; None when they may
        self.damaged = False  # a query found a damaged page

    @property
    def where(self) -> str:
        """The store as messages name it: a file's path, a URL with its password masked."""
        from casey_cli.config import mask_url

        if self.dialect == "sqlite" and self.location.startswith("sqlite:///"):
            return self.location[len("sqlite:///") :]
        return mask_url(self.location)

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
        if write and self.read_only is not None:
            raise StoreReadOnly(read_only_message(self.where, self.read_only, self.dialect))
        conn = self.conn
        try:
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            else:
                import psycopg

                # A reader sees one snapshot, so a report's counts and lists agree. A writer
                # takes the server's default, so a database made read-only stays so.
                conn.isolation_level = (
                    psycopg.IsolationLevel.READ_COMMITTED
                    if write
                    else psycopg.IsolationLevel.REPEATABLE_READ
                )
                conn.read_only = None if write else True
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
        except self.errors as exc:
            kind = failure_kind(exc)
            if kind is None:
                raise
            with suppress(*self.errors):
                conn.rollback()
            if kind != "read-only":
                self.damaged = True
                detail = one_line(exc)
                raise StoreDamaged(damaged_message(self.where, detail), detail) from None
            raise StoreReadOnly(
                read_only_message(self.where, one_line(exc), self.dialect)
            ) from None

    def close(self) -> None:
        self.conn.close()


@dataclass
class Found:
    """What a store's URL leads to, as its driver sees it: `none` (no file, an empty file,
    an empty database), `casey` (a casey store at `version`, open in `store`), `foreign`
    (another application's tables, in `tables`), `damaged` or `broken` (the driver's error in
    `detail`), or `unsupported` (a URL only the engine opens; store.manage explains it)."""

    kind: str
    detail: str = ""
    version: str | None = None
    tables: list[str] = field(default_factory=list)
    store: Store | None = None

    @property
    def read_only(self) -> str | None:
        return self.store.read_only if self.store is not None else None


def _catalogue(conn: Any, dialect: str) -> tuple[str | None, list[str] | None, str | None]:
    """The store's schema revision, the other tables when that is not casey's (None when not
    needed), and why a server lets this session only read (None when it may write)."""
    from casey_cli.store.versions import KNOWN_REVISIONS

    read_only = None
    if dialect == "sqlite":
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        tables_sql = (
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"
        )
    else:
        found, setting = conn.execute(
            "SELECT to_regclass('alembic_version') IS NOT NULL, "
            "current_setting('transaction_read_only')"
        ).fetchone()
        if setting == "on":
            read_only = "the server takes no writes: transaction_read_only is on"
        tables_sql = (
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "ORDER BY c.relname"
        )
    version = None
    if found:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        version = str(row[0]) if row else None
    if version in KNOWN_REVISIONS:
        return version, None, read_only
    return version, [str(r[0]) for r in conn.execute(tables_sql).fetchall()], read_only


def find_store(url: str, **pg_options: Any) -> Found:
    """What is at `url`, without creating or changing anything: a missing file stays missing,
    and nothing is set on another application's database (not even SQLite's journal mode)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        import sqlite3

        path = Path(url[len("sqlite:///") :])
        try:
            if path.is_dir():
                return Found("broken", "it is a folder")
            if not path.exists():
                return Found("none")
            if path.stat().st_size == 0:
                return Found("none", "the file is empty")
        except OSError as exc:
            return Found("broken", exc.strerror or str(exc))
        read_only = sqlite_read_only(path)
        try:
            conn = connect_sqlite(path, read_only=read_only, pragmas=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            return Found("broken", one_line(exc))
        dialect = "sqlite"
        errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    elif url.startswith(PG_SCHEMES):
        try:
            import psycopg
        except ImportError:
            return Found("unsupported")
        try:
            conn = connect_postgresql(url, **pg_options)
        except ValueError:
            return Found("unsupported")  # a URL psycopg cannot read: the engine says why
        except psycopg.Error as exc:
            return Found("broken", one_line(exc))
        dialect = "postgresql"
        errors = (psycopg.Error,)
        read_only = None
    else:
        return Found("unsupported")
    try:
        version, tables, server_read_only = _catalogue(conn, dialect)
        conn.rollback()
        if version is not None and tables is None:
            if dialect == "sqlite":
                sqlite_pragmas(conn, read_only=read_only is not None)
            store = Store(conn, dialect, url, errors, read_only or server_read_only, version)
            return Found("casey", version=version, store=store)
    except errors as exc:
        conn.close()
        return Found("damaged" if failure_kind(exc) == "damaged" else "broken", one_line(exc))
    conn.close()
    tables = tables or []
    if version is not None and CASEY_TABLES <= set(tables):  # a casey store of a newer schema
        return Found("casey", version=version)
    if tables:
        return Found("foreign", tables=tables)
    return Found("none")


def open_current(url: str, *, older: bool = False, **pg_options: Any) -> Store | None:
    """The store at `url` if it exists at this code's schema (`older`: or at any older one
    this code knows, to read as it is); None when it is missing, older or newer, foreign,
    unreadable, or of a kind only the engine opens (store.manage then creates, upgrades or
    refuses it, with its messages)."""
    from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

    found = find_store(url, **pg_options)
    store = found.store
    if store is None:
        return None
    if found.version != HEAD and not (older and found.version in KNOWN_REVISIONS):
        store.close()
        return None
    return store


def quick_check(store: Store) -> list[str]:
    """SQLite's quick_check of every page of the store: [] when sound, else its findings."""
    try:
        rows = [str(r[0]) for r in store.conn.execute("PRAGMA quick_check").fetchall()]
    except store.errors as exc:
        if failure_kind(exc) != "damaged":
            raise
        return [one_line(exc)]
    found = [line for row in rows for line in row.splitlines() if line and line[0] != "*"]
    return [] if rows == ["ok"] else found or rows


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store with SQLite's online backup API, even while
    others write (or from a store this user may only read)."""
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
        src = connect_sqlite(source, read_only=sqlite_read_only(source))
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: a snapshot no writer can tear
        finally:
            dst.close()
            src.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
