"""Creating, upgrading, copying and backing up a store: the one place that uses SQLAlchemy,
SQLModel and alembic (the schema is the SQLModel tables in store.schema)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import SQLModel

from casey_cli.config import mask_url
from casey_cli.errors import StoreError
from casey_cli.store import schema  # noqa: F401  (registers the tables on SQLModel.metadata)
from casey_cli.store.connection import (
    BUSY_TIMEOUT_MS,
    PG_WRITE_LOCK,
    backup_sqlite,
    connect_sqlite,
    find_store,
    foreign_message,
    sqlite_pragmas,
)
from casey_cli.store.tx import Tx
from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

T = TypeVar("T")


def make_engine(url: str, *, read_only: str | None = None) -> sa.Engine:
    """The engine on the store at `url`; `read_only` (a SQLite store this user may only
    read, as connection.sqlite_read_only says why) opens it as every command does, so a
    store in a read-only folder can still be copied."""
    if read_only is not None and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        engine = sa.create_engine(
            "sqlite://",
            creator=lambda: connect_sqlite(path, read_only=read_only, pragmas=False),
            poolclass=sa.pool.NullPool,
        )
        _configure_sqlite(engine, read_only=True)
        return engine
    try:
        engine = sa.create_engine(url)
    except ModuleNotFoundError as exc:  # e.g. a PostgreSQL URL without psycopg installed
        extra = (
            " (pip install 'casey-cli[postgres]')"
            if url.startswith(("postgresql", "postgres:"))
            else ""
        )
        raise StoreError(
            f"cannot use store {mask_url(url)}: its driver {exc.name} is not "
            f"installed; install it{extra}"
        ) from None
    except Exception as exc:  # bad URL: a user-fixable problem
        raise StoreError(
            f"cannot use store {mask_url(url)}: {exc}; give --db a file path or a SQLAlchemy URL"
        ) from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("casey_write", False):
            # A writer stuck behind another gives up after the same wait as on SQLite.
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def _configure_sqlite(engine: sa.Engine, *, read_only: bool = False) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below) so DDL is transactional and writers can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        sqlite_pragmas(dbapi_conn, read_only=read_only)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front, so two clerks queue on busy_timeout
        # instead of failing with "database is locked" when a read lock upgrades.
        write = conn.get_execution_options().get("casey_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def connection_options(engine: sa.Engine, *, write: bool) -> dict[str, Any]:
    """A writer takes the store's write lock when it begins (both backends); a reader on
    PostgreSQL reads one snapshot, so a report's counts and lists agree with each other."""
    if write:
        return {"casey_write": True}
    if engine.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ"}
    return {}


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
    cfg.set_main_option("script_location", "casey_cli.store:migrations")
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
    """A new SQLite store is readable by its owner only: folder 0700, file 0600 (an empty
    file it is made in too)."""
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if not create:
        return
    try:
        if path.is_file() and path.stat().st_size == 0:
            path.chmod(0o600)
            return
        if path.exists():
            return
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        for folder in reversed(missing):  # mkdir(parents=True) gives 0700 to the last only
            folder.mkdir(mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # another process created it first: fine
        pass
    except OSError as exc:
        raise StoreError(
            f"cannot create store {path}: {exc.strerror}; "
            "check the folder exists and is writable, or give another --db"
        ) from None


def shown_as(engine: sa.Engine) -> str:
    """The store as messages name it: a file's path, a URL with its password masked."""
    path = sqlite_path(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def open_store(
    url: str, *, create: bool = True, upgrade_old: bool = True, given_by: str = "--db / CASEY_DB"
) -> OpenResult:
    """Open the store at `url`: create it if missing, upgrade an older schema in place (after
    a backup), refuse a newer one, and another application's database (casey adds nothing to
    it). `given_by`: what to check when it cannot be opened."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        if path is not None and path.exists():
            # Before the engine connects: its pragmas would set another file's journal mode.
            found = find_store(f"sqlite:///{path}")
            if found.kind == "foreign":
                raise StoreError(foreign_message(str(path), found.tables))
        if not create and path is not None and not path.exists():  # connecting creates it
            raise StoreError(f"no casey store at {path}; run `casey init` first")
        _prepare_sqlite_file(url, create)
    try:
        with engine.connect() as conn:
            version = schema_version(conn)
            tables = sa.inspect(conn).get_table_names() if version is None else []
            conn.rollback()
    except sa.exc.DBAPIError as exc:  # not a database, unreachable server, bad credentials
        raise StoreError(
            f"cannot open store {mask_url(url)}: {exc.orig}; check {given_by}"
        ) from None
    if version is None:
        if tables:
            raise StoreError(foreign_message(shown_as(engine), tables))
        if not create:
            raise StoreError(f"no casey store at {mask_url(url)}; run `casey init` first")
        return OpenResult(engine, created=True)
    check_version(version, url)
    if version != HEAD and upgrade_old:
        done, backup = upgrade_store(engine, version)
        return OpenResult(
            engine, version=HEAD, upgraded_from=version if done else None, backup=backup
        )
    return OpenResult(engine, version=version)


def pending_revisions(version: str) -> list[str]:
    return list(KNOWN_REVISIONS[KNOWN_REVISIONS.index(version) + 1 :])


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
                backup_sqlite(path, backup)
            upgrade(conn)
    return True, backup


def utc_stamp() -> str:
    from casey_cli.store.writes import now

    return now().strftime("%Y%m%dT%H%M%SZ")


def sqlite_path(engine: sa.Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database) if database and database != ":memory:" else None


def create_schema(conn: sa.Connection) -> None:
    """Create every table and stamp the head revision, inside the caller's transaction."""
    SQLModel.metadata.create_all(conn)
    add_store_id(conn)
    stamp(conn)


def add_store_id(conn: sa.Connection) -> None:
    """Give a new (or newly upgraded) store its id: a random UUID that makes what it
    publishes (calendar event UIDs) its own."""
    import uuid

    conn.execute(
        sa.text("INSERT INTO store_info (name, value) VALUES ('store_id', :id)"),
        {"id": uuid.uuid4().hex},
    )


def driver_tx(conn: sa.Connection) -> Tx:
    """The store interface on the engine's connection, inside its transaction: a new store
    is seeded, and a copy checked, by the same code every command uses."""
    driver = conn.connection.driver_connection
    return Tx(driver, conn.dialect.name, write=True)


def create_store(engine: sa.Engine, fill: Callable[[Tx], T]) -> T | None:
    """Create and stamp a new store and `fill` it (the bundled register), in one transaction
    under the write lock; None when another process created it while this one waited."""
    with engine.connect() as conn:
        conn = conn.execution_options(casey_write=True)
        with conn.begin():
            if schema_version(conn) is not None:
                return None
            tables = sa.inspect(conn).get_table_names()
            if tables:  # checked under the write lock: nothing else can add any meanwhile
                raise StoreError(foreign_message(shown_as(engine), tables))
            create_schema(conn)
            return fill(driver_tx(conn))


COPY_BATCH = 1000


def copy_rows(source: sa.Connection, target: sa.Connection) -> dict[str, int]:
    """Copy every row of every table, keys included, from `source` into the empty store of
    `target` (same schema), in key order so the history chain keeps its order; return the
    row count of each table."""
    counts: dict[str, int] = {}
    # The copy is the same register moved (to PostgreSQL, say): it keeps the store's id, so
    # calendars subscribed to its feed keep their events.
    store_id = source.execute(
        sa.text("SELECT value FROM store_info WHERE name = 'store_id'")
    ).scalar_one()
    target.execute(
        sa.text("UPDATE store_info SET value = :id WHERE name = 'store_id'"), {"id": store_id}
    )
    for table in SQLModel.metadata.sorted_tables:  # parents before the rows that refer to them
        if table.name == "store_info":
            continue  # the target has its row; its id was set above
        stmt = sa.select(table).order_by(*table.primary_key.columns)
        counts[table.name] = 0
        batch: list[dict[str, object]] = []
        for row in source.execute(stmt, execution_options={"yield_per": COPY_BATCH}).mappings():
            batch.append(dict(row))
            if len(batch) == COPY_BATCH:
                target.execute(table.insert(), batch)
                counts[table.name] += len(batch)
                batch = []
        if batch:
            target.execute(table.insert(), batch)
            counts[table.name] += len(batch)
    reset_sequences(target)
    return counts


def reset_sequences(target: sa.Connection) -> None:
    """Rows came with their ids: move each id sequence past them (PostgreSQL). Only history
    takes its ids from its sequence; actions and meetings are numbered by Tx.next_id
    (max + 1), so theirs only stay truthful."""
    if target.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c:
            target.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
            )


def _create_in_empty(target: sa.Connection, where: str, hint: str) -> None:
    """Create the schema in an empty store; refuse one that holds anything. Checked under the
    write lock: nothing else can fill it meanwhile."""
    tables = sorted(sa.inspect(target).get_table_names())
    if tables:
        raise StoreError(
            f"{where} is not empty (it has {', '.join(tables[:3])}"
            f"{', ...' if len(tables) > 3 else ''}); {hint}"
        )
    try:
        create_schema(target)
    except sa.exc.DBAPIError as exc:  # e.g. a role that may not create tables there
        raise StoreError(
            f"cannot create the store's tables in {where} ({str(exc.orig).splitlines()[0]}); "
            "the database's owner must run this"
        ) from None


def copy_store(
    source_engine: sa.Engine, target_engine: sa.Engine, where: str, verify: Callable[[Tx], T]
) -> tuple[dict[str, int], T]:
    """Copy the whole store into the empty store `target_engine` opens, in one transaction on
    each side, and verify the copy there before it commits; `where` names the target in
    messages. The row count of each table, and the check of the copy."""
    with source_engine.connect() as source, target_engine.connect() as target:
        source.execution_options(**connection_options(source_engine, write=False))
        target = target.execution_options(casey_write=True)
        with source.begin(), target.begin():
            _create_in_empty(
                target, where, "give --to an empty database or a file that does not exist yet"
            )
            counts = copy_rows(source, target)
            return counts, verify(driver_tx(target))  # in the transaction: a bad copy is undone


U = TypeVar("U")


def fill_store(
    target_engine: sa.Engine,
    where: str,
    hint: str,
    fill: Callable[[Tx], T],
    verify: Callable[[Tx], U],
) -> tuple[T, U]:
    """Create a store in the empty database (or new file) `target_engine` opens and `fill` it
    through the store interface, then `verify` it, all in one transaction: what fails
    verification is undone. `hint` says what to give instead of a store that is not empty."""
    with target_engine.connect() as target:
        target = target.execution_options(casey_write=True)
        with target.begin():
            _create_in_empty(target, where, hint)
            filled = fill(driver_tx(target))
            reset_sequences(target)
            return filled, verify(driver_tx(target))
