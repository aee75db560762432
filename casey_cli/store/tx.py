"""One transaction on the store: plain SQL through the DB-API driver, and the typed
operations the services use (items, counts, one item, changes with their history, events,
meetings, boroughs, sources). Every service takes a Tx; none reaches the store another way."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casey_cli.schemas import Counts, Event, Item
    from casey_cli.store.items import Filters
    from casey_cli.store.lookup import MeetingRef
    from casey_cli.store.rows import Tracked

FETCH = 2000  # rows a stream reads at a time: exports never hold the whole register
_cursor_names = itertools.count()


def sqlite_stamp(moment: datetime) -> str:
    """The one stored form of a timestamp on SQLite: UTC text, as SQLAlchemy writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _storable(params: dict[str, Any] | None) -> dict[str, Any]:
    """A query's parameters, refused when a text cannot be sent to the store: a NUL
    character (PostgreSQL cannot take one; no stored text has one, writes refuse control
    characters) or text that is not UTF-8 (a byte of another encoding given on the command
    line arrives as a lone surrogate, and the drivers raise UnicodeEncodeError). On either
    backend: one error naming the fix, not a traceback."""
    for value in (params or {}).values():
        if not isinstance(value, str) or (value.isascii() and "\x00" not in value):
            continue
        from casey_cli.errors import InvalidInput

        shown = repr(value[:40]) + ("..." if len(value) > 40 else "")
        if "\x00" in value:
            raise InvalidInput(
                f"{shown} contains a NUL character (\\x00), which no stored text has; give "
                "the value without it"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                f"{shown} is not UTF-8 text (a byte of another encoding, or a lone "
                "surrogate); give the value in UTF-8"
            ) from None
    return params or {}


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """A query written with :name parameters, in psycopg's %(name)s style."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


class Tx:
    """A transaction the Store opened (and will commit or roll back); `write` says whether
    it holds the store's write lock."""

    def __init__(self, conn: Any, dialect: str, *, write: bool) -> None:
        self.conn, self.dialect, self.write = conn, dialect, write
        self.chain_tip: str | None = None
        self.chain_tip_known = False  # the tip is read once, then kept as events are added
        self._account: str | None = None
        self._now: datetime | None = None

    @property
    def account(self) -> str:
        """The account this transaction's events are recorded under, resolved once: the
        database role that logged in (session_user, which SET ROLE does not change) on
        PostgreSQL, the OS user on SQLite."""
        if self._account is None:
            if self.dialect == "postgresql":
                self._account = str(self.scalar("SELECT session_user"))
            else:
                from casey_cli.config import os_account

                self._account = os_account()
        return self._account

    def now(self) -> datetime:
        """The time of this transaction's changes (UTC, to the second, the real clock): read
        once, so every row and event one command writes has the same time, and an item's
        `created` and `updated` are the times of its first and latest events."""
        if self._now is None:
            self._now = datetime.now(UTC).replace(microsecond=0)
        return self._now

    @property
    def integrity_errors(self) -> tuple[type[Exception], ...]:
        """The driver's errors for a row the store's rules refuse (a key, a check, a type)."""
        if self.dialect == "sqlite":
            import sqlite3

            return (sqlite3.IntegrityError,)
        import psycopg

        return (psycopg.IntegrityError, psycopg.DataError)

    # --- plain SQL: named :parameters on every backend ------------------------------------

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else _pyformat(sql)

    def cursor(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        """The driver's cursor over a query (rows as tuples)."""
        return self.conn.execute(self._sql(sql), _storable(params))

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """A query's rows, streamed (a server-side cursor on PostgreSQL)."""
        params = _storable(params)
        if self.dialect == "sqlite":
            cursor = self.conn.execute(sql, params)
        else:
            cursor = self.conn.cursor(name=f"casey_rows_{next(_cursor_names)}")
            cursor.itersize = FETCH
            cursor.execute(_pyformat(sql), params)
        try:
            while batch := cursor.fetchmany(FETCH):
                yield from batch
        finally:
            cursor.close()

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return list(self.cursor(sql, params).fetchall())

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.cursor(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.cursor(sql, params).close()

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """A positional INSERT for the driver's executemany: a tuple binds about a third
        faster than a dict of :names."""
        mark = "?" if self.dialect == "sqlite" else "%s"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))})"
        )
        if self.dialect == "sqlite":
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, list(rows))

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as this backend stores it."""
        return sqlite_stamp(moment) if self.dialect == "sqlite" else moment

    def day(self, value: date | None) -> Any:
        """A date as this backend stores it."""
        if value is None:
            return None
        return value.isoformat() if self.dialect == "sqlite" else value

    # --- the register's items --------------------------------------------------------------

    def items(
        self, f: Filters, *, today: date, window: int, limit: int | None = None
    ) -> Iterator[Item]:
        """Items matching `f`, streamed in the contract's order: due date (undated last),
        then ref."""
        from casey_cli.store import items

        return items.items(self, f, today=today, window=window, limit=limit)

    def count_items(self, f: Filters, *, today: date, window: int) -> Counts:
        from casey_cli.store import items

        return items.count_items(self, f, today=today, window=window)

    def count_by_borough(self, f: Filters, *, today: date, window: int) -> dict[str, Counts]:
        from casey_cli.store import items

        return items.count_by_borough(self, f, today=today, window=window)

    def item_values(
        self, f: Filters, *, today: date, window: int, guard: tuple[str, ...] = ()
    ) -> Iterable[Sequence[Any]]:
        """Item objects as value tuples in ITEM_COLUMNS order, for exports."""
        from casey_cli.store import items

        return items.item_values(self, f, today=today, window=window, guard=guard)

    def action(self, ref: str) -> Tracked:
        """One action's stored row, or NotFound."""
        from casey_cli.store import rows

        return rows.action(self, ref)

    def completion_account(self, ref: str) -> str | None:
        """The account that made the action `ref` complete (None: not recorded)."""
        from casey_cli.store import rows

        return rows.completion_account(self, ref)

    def recommendation(self, ref: str) -> Tracked:
        """One recommendation's stored row, or NotFound with a did-you-mean."""
        from casey_cli.store import rows

        return rows.recommendation(self, ref)

    def update(
        self,
        tracked: Tracked,
        changes: dict[str, Any],
        *,
        by: str,
        today: date,
        note: str | None = None,
        meeting: MeetingRef | None = None,
        note_alone: bool = True,
        always: Sequence[str] = (),
        keep_as_of: bool = False,
    ) -> list[str]:
        """Set the fields that differ, one history event each; the changed field names."""
        from casey_cli.store import rows

        return rows.update(
            self,
            tracked,
            changes,
            by=by,
            today=today,
            note=note,
            meeting=meeting,
            note_alone=note_alone,
            always=always,
            keep_as_of=keep_as_of,
        )

    # --- history ---------------------------------------------------------------------------

    def append_events(self, events: list[dict[str, Any]]) -> None:
        """Append events in order, each chained to the one before (writers only)."""
        from casey_cli.store import writes

        writes.append_events(self, events)

    def events(
        self,
        *,
        ref: str | None = None,
        borough: str | None = None,
        since: date | None = None,
        refs: Sequence[str] = (),
        fields: Sequence[str] = (),
        last: int | None = None,
    ) -> list[Event]:
        """History events oldest first, with their meeting, filtered as given; with `last`,
        only the latest that many."""
        from casey_cli.store import rows

        return rows.events(
            self, ref=ref, borough=borough, since=since, refs=refs, fields=fields, last=last
        )

    def count_events(
        self, *, ref: str | None = None, borough: str | None = None, since: date | None = None
    ) -> int:
        """How many history events `events` would give with these filters."""
        from casey_cli.store import rows

        return rows.count_events(self, ref=ref, borough=borough, since=since)

    # --- reference data --------------------------------------------------------------------

    def boroughs(self) -> list[tuple[str, str, str | None]]:
        """Every borough as (slug, name, Met BCU), by slug."""
        from casey_cli.store import items

        return items.boroughs(self)

    def store_id(self) -> str:
        """This store's own id (store_info; schema 0009), unique to it and not to its copies."""
        return str(self.scalar("SELECT value FROM store_info WHERE name = 'store_id'"))

    def meetings(self, borough: str | None = None) -> list[dict[str, Any]]:
        from casey_cli.store import items

        return items.meetings(self, borough)

    def meeting(self, text: str) -> MeetingRef:
        """A meeting by ref (M3), by 'NAME (YYYY-MM-DD)', or by a name only one has."""
        from casey_cli.store import lookup

        return lookup.meeting(self, text)

    def borough_slug(self, value: str) -> str:
        """A borough slug the store knows (any case), or NotFound with a did-you-mean."""
        from casey_cli.store import lookup

        return lookup.borough_slug(self, value)

    def next_id(self, table: str) -> int:
        """The next ref number of `table` (max + 1 under the write lock)."""
        [(number,)] = self.all(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return int(number)
