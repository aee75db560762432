"""AppContext on ctx.obj: resolved settings and a lazily opened store."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # heavy imports stay out of --help
    import sqlalchemy as sa
    from sqlmodel import Session

    from casey_cli.config import Config, Ctx
    from casey_cli.queries import Reader
    from casey_cli.writes import Writer


@dataclass
class AppContext:
    db: str
    today: date
    config: Config = field(repr=False)  # the settings resolver; reads the file on first need
    db_flag: str | None = None  # --db as given, for `casey config show --origin`
    _engine: Any = field(default=None, repr=False)
    created: bool = False
    version: str | None = None

    def setting(self, name: str, flag: Any = None) -> Any:
        """THE way a command reads borough, user, window or stale_days: its option's value
        (None when not given) > environment > config file > default. New commands (chase,
        trend) call `app.setting("borough", borough)` the same way."""
        return self.config.value(name, flag)

    def engine(self, *, seed: bool = True, upgrade: bool = True,
               create: bool = True) -> sa.Engine:
        """The store's engine; a missing store is created (and seeded) on first use, an
        older one upgraded (after a backup) unless `upgrade` is False."""
        if self._engine is None:
            from casey_cli import store

            opened = store.open_store(self.db_url, upgrade_old=upgrade, create=create)
            self.created, self.version = opened.created, opened.version
            if opened.created:
                self._create(opened.engine, seed=seed)
                self.version = store.HEAD
            elif opened.upgraded_from:
                kept = f" (backup: {opened.backup})" if opened.backup else ""
                sys.stderr.write(f"Upgraded the store from schema {opened.upgraded_from} to "
                                 f"{store.HEAD}{kept}.\n")
            self._engine = opened.engine
        engine: sa.Engine = self._engine
        return engine

    def close(self) -> None:
        """Release the store's connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def db_url(self) -> str:
        from casey_cli.config import db_url

        return db_url(self.db)

    def _create(self, engine: sa.Engine, *, seed: bool) -> None:
        """Create, stamp and seed a new store in one transaction, then say so on stderr."""
        from casey_cli import store
        from casey_cli.services import register

        with store.transaction(engine, write=True) as session:
            if store.schema_version(session.connection()) is not None:
                return  # another process created it while we waited for the lock
            store.create_schema(session)
            result = register.seed(session, self.service_ctx("casey-cli"), boroughs_only=not seed)
        counts = result.created_by_kind()
        what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
        origin = "the bundled register" if seed else "the bundled borough list only"
        sys.stderr.write(f"Created a new casey store at {store.mask_url(self.db_location)} "
                         f"from {origin} ({what}).\n")

    @property
    def db_location(self) -> str:
        return self.db if "://" in self.db else os.path.abspath(os.path.expanduser(self.db))

    def service_ctx(self, by: str | None = None, window: int | None = None,
                    stale_days: int | None = None) -> Ctx:
        """Today, who (--by), the due-soon window (--days) and stale days (--stale-days),
        each resolved through the settings when the option was not given."""
        from casey_cli.config import Ctx

        return Ctx(today=self.today, user=self.setting("user", by),
                   window=self.setting("window", window),
                   stale_days=self.setting("stale_days", stale_days))

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """A read-only snapshot for the read paths (status, lists, exports). A current SQLite
        store is read with the stdlib driver: no SQLAlchemy import, one cheap version query.
        Anything else (a new, old or non-SQLite store) goes through the engine first."""
        from casey_cli.queries import SQLAlchemyReader, SqliteReader

        path = self.sqlite_file
        conn = _open_current_sqlite(path) if path is not None and self._engine is None else None
        if conn is None:
            engine = self.engine()
            if path is not None:
                conn = _open_current_sqlite(path)
        if conn is not None:
            try:
                yield SqliteReader(conn)
            finally:
                conn.rollback()
                conn.close()
            return
        from casey_cli.store import connection_options

        with engine.connect() as sa_conn:
            sa_conn.execution_options(**connection_options(engine, write=False))
            with sa_conn.begin():
                yield SQLAlchemyReader(sa_conn)

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """One write transaction for the plain-SQL write path: on a current SQLite store the
        stdlib driver with the write lock taken up front; elsewhere the engine."""
        from casey_cli.writes import SQLAlchemyWriter, SqliteWriter

        path = self.sqlite_file
        conn = (_open_current_sqlite(path, write=True)
                if path is not None and self._engine is None else None)
        if conn is None:
            engine = self.engine()
            if path is not None:
                conn = _open_current_sqlite(path, write=True)
        if conn is None:
            from casey_cli.store import connection_options

            with engine.connect() as sa_conn:
                sa_conn.execution_options(**connection_options(engine, write=True))
                with sa_conn.begin():
                    yield SQLAlchemyWriter(sa_conn)
            return
        try:
            yield SqliteWriter(conn)
            conn.commit()
        finally:
            if conn.in_transaction:
                conn.rollback()
            conn.close()

    @property
    def sqlite_file(self) -> Path | None:
        from casey_cli.config import sqlite_file

        return sqlite_file(self.db)

    @contextmanager
    def session(self, *, write: bool = False, upgrade: bool = True,
                create: bool = True) -> Iterator[Session]:
        from casey_cli import store

        engine = self.engine(upgrade=upgrade, create=create)
        with store.transaction(engine, write=write) as session:
            yield session


def _open_current_sqlite(path: Path, *, write: bool = False) -> Any:
    """A sqlite3 connection in a transaction (a read snapshot, or the write lock), or None if
    the store is missing or not at this code's schema (the engine then creates, upgrades or
    refuses it). The same pragmas as the engine's connections."""
    import sqlite3

    from casey_cli.store_light import BUSY_TIMEOUT_MS
    from casey_cli.versions import HEAD

    if not path.is_file():
        return None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        return None
    if version is None or version[0] != HEAD:
        conn.close()
        return None
    return conn


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the root callback sets ctx.obj"
    return obj
