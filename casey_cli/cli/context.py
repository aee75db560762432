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
    _store: Any = field(default=None, repr=False)
    created: bool = False

    def setting(self, name: str, flag: Any = None) -> Any:
        """THE way a command reads borough, user, window or stale_days: its option's value
        (None when not given) > environment > config file > default."""
        return self.config.value(name, flag)

    def store(self, *, seed: bool = True, existing: bool = False) -> Store:
        """The store, the one way every command reaches it. A missing store is created (and
        seeded with the bundled register unless `seed` is False) and an older one upgraded
        (after a backup), both by store.manage; a current one is opened with no more than
        its driver. `existing`: never create or upgrade; refuse a missing or older store."""
        if self._store is None:
            from casey_cli.store.connection import open_current

            store = open_current(self.db_url)
            if store is None and existing:
                self._refuse()
            if store is None:
                self._prepare(seed=seed)
                store = open_current(self.db_url)
            if store is None:
                from casey_cli.config import mask_url
                from casey_cli.errors import StoreError

                raise StoreError(f"cannot open store {mask_url(self.db_url)}; check --db")
            self._store = store
        opened: Store = self._store
        return opened

    def _refuse(self) -> None:
        """Why a store cannot be used as it is (missing, foreign, newer or older), in
        store.manage's words."""
        from casey_cli.errors import StoreError
        from casey_cli.store import manage
        from casey_cli.store.versions import HEAD

        opened = manage.open_store(self.db_url, create=False, upgrade_old=False)
        opened.engine.dispose()
        if opened.version != HEAD:
            raise StoreError(
                f"the store is at schema {opened.version}, older than "
                f"{HEAD}; run `casey db upgrade` first (it backs the "
                "store up)"
            )

    def _prepare(self, *, seed: bool) -> None:
        """Create (and seed) a missing store or upgrade an older one, saying so on stderr;
        refuse a newer or foreign one with store.manage's one-line errors."""
        from casey_cli.cli import output
        from casey_cli.config import mask_url
        from casey_cli.services import load
        from casey_cli.store import manage
        from casey_cli.store.versions import HEAD

        opened = manage.open_store(self.db_url)
        run = self.run_context("casey-cli")
        try:
            if opened.created:
                result = manage.create_store(
                    opened.engine, lambda tx: load.seed(tx, run, boroughs_only=not seed)
                )
                if result is None:
                    return  # another process created it while we waited for the lock
                self.created = True
                counts = result.created_by_kind()
                what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
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

    def close(self) -> None:
        """Release the store's connection when the command ends."""
        if self._store is not None:
            self._store.close()
            self._store = None

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
