"""AppContext on ctx.obj: resolved settings and the store, opened on first use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # heavy imports stay out of --help
    from casey_cli.config import Config
    from casey_cli.run_context import RunContext
    from casey_cli.store.connection import Store


@dataclass
class AppContext:
    db: str
    today: date
    config: Config = field(repr=False)  # the settings resolver; reads the file on first need
    db_flag: str | None = None  # --db as given, for `casey config show --origin`
    db_origin: str = "flag"  # where db came from: flag, env, config or default
    db_source: str | None = None  # the variable or the config file that gave it
    _store: Any = field(default=None, repr=False)
    _stamps: Any = field(default=None, repr=False)  # store.health.Stamps once pages passed
    created: bool = False

    def setting(self, name: str, flag: Any = None) -> Any:
        """THE way a command reads borough, user, window or stale_days: its option's value
        (None when not given) > environment > config file > default."""
        return self.config.value(name, flag)

    def store(
        self,
        *,
        create: bool = False,
        seed: bool = True,
        existing: bool = False,
        as_is: bool = False,
        check: bool = True,
    ) -> Store:
        """The store, the one way every command reaches it. A store is created only where
        one is meant: by `casey init` (`create`; seeded with the bundled register unless
        `seed` is False), or the default store on first use; never where --db, CASEY_DB or
        the config file point, and never in another application's database. An older store
        is upgraded (after a backup) by store.manage; `existing` refuses it instead, and
        `as_is` opens it as it is (to back it up or upgrade it); neither creates one. A
        current store is opened with no more than its driver, and a SQLite file's pages are
        checked (`check`) when it changed since they last passed (store.health)."""
        if self._store is None:
            from casey_cli.store.connection import find_store, open_current
            from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

            found = find_store(self.db_url)
            usable = found.version == HEAD or (as_is and found.version in KNOWN_REVISIONS)
            store = found.store if usable else None
            if store is None:
                if found.store is not None:
                    found.store.close()
                self._refuse(found, create=create, existing=existing, as_is=as_is)
                # A URL only the engine opens may name an empty database: `init` creates there.
                new = found.kind == "none" or (create and found.kind == "unsupported")
                self._prepare(seed=seed, create=new, upgrade=not existing)
                store = open_current(self.db_url)
            if store is None:
                from casey_cli.config import mask_url
                from casey_cli.errors import StoreError

                raise StoreError(
                    f"cannot open store {mask_url(self.db_url)}; check {self._given_by}"
                )
            if check:
                self._check(store)
            self._store = store
        opened: Store = self._store
        return opened

    def writable_store(self) -> Store:
        """The store, refused up front when this user may only read it (a write would be
        refused anyway, but not before an interactive add asked every question)."""
        store = self.store()
        if store.read_only is not None:
            from casey_cli.errors import StoreReadOnly
            from casey_cli.store.connection import read_only_message

            raise StoreReadOnly(read_only_message(store.where, store.read_only, store.dialect))
        return store

    @property
    def _given_by(self) -> str:
        """What to correct when the store named is not the one meant."""
        if self.db_origin == "env":
            return "CASEY_DB"
        if self.db_origin == "config":
            return f"db in {self.db_source}"
        return "--db"

    def _refuse(self, found: Any, *, create: bool, existing: bool, as_is: bool) -> None:
        """Why the store found cannot be used or made here, as one error; return when
        store.manage may go on (create it, upgrade it, or say why it cannot)."""
        from casey_cli.config import mask_url
        from casey_cli.errors import StoreDamaged, StoreError
        from casey_cli.store.connection import damaged_message, foreign_message
        from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

        where = mask_url(self.db_location)
        first_use = self.db_origin == "default" and not (existing or as_is)
        if found.kind == "none" and not (create or first_use):
            raise StoreError(self._no_store(where, found.detail))
        if found.kind == "foreign":
            raise StoreError(foreign_message(where, found.tables))
        if found.kind == "damaged":
            raise StoreDamaged(damaged_message(where, found.detail), found.detail)
        if found.kind == "broken":
            raise StoreError(f"cannot open store {where}: {found.detail}; check {self._given_by}")
        if found.kind == "casey" and found.version in KNOWN_REVISIONS:  # older than HEAD
            if existing:
                raise StoreError(
                    f"the store is at schema {found.version}, older than {HEAD}; run "
                    "`casey db upgrade` first (it backs the store up)"
                )
            if found.read_only is not None:
                raise StoreError(
                    f"the store at {where} is at schema {found.version}, older than {HEAD}, "
                    f"and read-only for you ({found.read_only}), so casey cannot upgrade it; "
                    "ask its owner to run `casey db upgrade`"
                )

    def _no_store(self, where: str, why: str) -> str:
        """No store where --db, CASEY_DB or the config file point: a typo, most likely, so
        nothing is created; the line says how to create one there if it was meant."""
        import shlex

        from casey_cli.config import mask_url

        notes = [why] if why else []
        if self.db_origin == "env":
            notes.append("from CASEY_DB")
            fix = "create it with `casey init`, or correct CASEY_DB"
        elif self.db_origin == "config":
            notes.append(f"from db in {self.db_source}")
            fix = "create it with `casey init`, or change it with `casey config set db PATH`"
        elif self.db_origin == "default":
            fix = "create it with `casey init`"
        else:
            fix = f"create it with `casey --db {shlex.quote(mask_url(self.db))} init`"
        noted = f" ({'; '.join(notes)})" if notes else ""
        return f"no casey store at {where}{noted}; {fix}"

    def _prepare(self, *, seed: bool, create: bool, upgrade: bool) -> None:
        """Create (and seed) a missing store or upgrade an older one, saying so on stderr;
        refuse a newer or foreign one with store.manage's one-line errors."""
        from casey_cli.cli import output
        from casey_cli.config import mask_url
        from casey_cli.run_context import SEED_USER
        from casey_cli.services import load
        from casey_cli.store import manage
        from casey_cli.store.versions import HEAD
        from casey_cli.text import counted

        opened = manage.open_store(
            self.db_url, create=create, upgrade_old=upgrade, given_by=self._given_by
        )
        run = self.run_context(SEED_USER)
        try:
            if opened.created:
                result = manage.create_store(
                    opened.engine, lambda tx: load.seed(tx, run, boroughs_only=not seed)
                )
                if result is None:
                    return  # another process created it while we waited for the lock
                self.created = True
                counts = result.created_by_kind()
                what = ", ".join(counted(n, kind) for kind, n in counts.items())
                origin = "the bundled register" if seed else "the bundled borough list only"
                where = output.printable(mask_url(self.db_location))
                output.info(f"Created a new casey store at {where} from {origin} ({what}).")
            elif opened.upgraded_from:
                kept = f" (backup: {opened.backup})" if opened.backup else ""
                output.info(
                    f"Upgraded the store from schema {opened.upgraded_from} to {HEAD}{kept}."
                )
        finally:
            opened.engine.dispose()

    def _check(self, store: Store) -> None:
        """Stop before reading a SQLite store whose pages are damaged (store.health)."""
        path = self.sqlite_file
        if path is None or store.dialect != "sqlite":
            return
        from casey_cli.config import stamps_path
        from casey_cli.errors import StoreDamaged
        from casey_cli.store.connection import damaged_message, quick_check
        from casey_cli.store.health import Stamps

        stamps = Stamps(stamps_path())
        if not stamps.passed(path):
            problems = quick_check(store)
            if problems:
                stamps.forget(path)
                store.close()
                more = len(problems) - 1
                detail = problems[0] + (f", and {more} more" if more else "")
                raise StoreDamaged(damaged_message(str(path), detail), detail)
            stamps.record(path)
        self._stamps = stamps

    def close(self) -> None:
        """Release the store's connection when the command ends; a SQLite store whose pages
        passed is stamped as casey leaves it, so its own writes cost no check next time."""
        if self._store is not None:
            store, self._store = self._store, None
            store.close()
            path = self.sqlite_file
            if self._stamps is not None and path is not None:
                if store.damaged:
                    self._stamps.forget(path)
                else:
                    self._stamps.record(path)

    @property
    def db_url(self) -> str:
        from casey_cli.config import db_url

        return db_url(self.db)

    @property
    def db_location(self) -> str:
        return self.db if "://" in self.db else os.path.abspath(os.path.expanduser(self.db))

    def run_context(
        self, by: str | None = None, window: int | None = None, stale_days: int | None = None
    ) -> RunContext:
        """Today, who (--by), the due-soon window (--days) and stale days (--stale-days),
        each resolved through the settings when the option was not given."""
        from casey_cli.run_context import RunContext

        return RunContext(
            today=self.today,
            user=self.setting("user", by),
            window=self.setting("window", window),
            stale_days=self.setting("stale_days", stale_days),
        )

    @property
    def sqlite_file(self) -> Path | None:
        from casey_cli.config import sqlite_file

        return sqlite_file(self.db)


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the root callback sets ctx.obj"
    return obj
