"""The register as it stood at the end of a past day, rebuilt from the history.

Every change to an item is a history event with the field's old value, so undoing the events
recorded after a moment, newest first, gives every field exactly as it was then ('created'
undone = the item did not exist yet). A day ends at midnight London time (Europe/London: GMT
in winter, BST in summer), which is what a committee means by "as at 31 March"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from casey_cli.config import Ctx
from casey_cli.errors import InvalidInput
from casey_cli.queries import Reader, SqliteReader, as_stamp

if TYPE_CHECKING:  # the ORM is for the report's copy only; status reads without it
    from sqlmodel import Session

ZONE = "Europe/London"
# Item columns an event can set; 'note' and anything else is not a column of the row.
ITEM_FIELDS = frozenset({
    "borough", "recommendation", "title", "summary", "theme", "addressed_to", "response",
    "owner", "status", "due", "original_due", "slips", "progress", "evidence", "citation",
    "completed", "assurance", "verified_by", "verified_on", "verification_evidence",
})


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in London, in UTC (history times are UTC)."""
    from zoneinfo import ZoneInfo

    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(ZONE))
    return midnight.astimezone(timezone.utc)


def check_day(day: date, today: date, option: str = "--as-at") -> date:
    if day > today:
        raise InvalidInput(f"{option} {day.isoformat()} is after today ({today.isoformat()}); "
                           "the history only tells the past: give an earlier date")
    return day


def _param(reader: Reader, moment: datetime) -> Any:
    """A UTC moment as the store compares it: SQLite keeps text, servers a timestamp."""
    from casey_cli.writes import sqlite_stamp

    return sqlite_stamp(moment) if reader.dialect == "sqlite" else moment


@dataclass(frozen=True)
class Event:
    """An event to undo: set `field` of the item back to `old` (or remove a created item)."""

    at: str  # ISO UTC to the second, as as_stamp() gives: compares as text
    kind: str
    ref: str
    field: str
    old: str | None


def events_after(reader: Reader, moment: datetime) -> list[Event]:
    """Events recorded after `moment`, newest first (the order to undo them in)."""
    sql = ("SELECT at, kind, ref, field, old FROM history WHERE at >= :cutoff "
           "ORDER BY id DESC")
    return [Event(as_stamp(r[0]) or "", r[1], r[2], r[3], r[4])
            for r in reader.rows(sql, {"cutoff": _param(reader, moment)})]


def first_event(reader: Reader) -> str | None:
    """When the history starts (ISO UTC), or None for an empty history."""
    rows = list(reader.rows("SELECT min(at) FROM history", {}))
    return as_stamp(rows[0][0]) if rows and rows[0][0] is not None else None


def london_day(stamp: str) -> date:
    """The London date of an ISO UTC time ('2027-06-01T23:30:00Z' is 2 June in summer)."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(ZONE)).date()


# --- a whole store as at a day: an in-memory SQLite copy, then the undo as SQL -------------

_TABLES = ("boroughs", "sources", "recommendations", "meetings", "actions", "history")


def _key(event: Event) -> tuple[str, str, Any]:
    if event.kind == "action":
        return "actions", "id", int(event.ref[1:])
    return "recommendations", "ref", event.ref


def _undo(mem: sqlite3.Connection, events: list[Event], cutoff: datetime) -> None:
    """Undo `events` (newest first) on the copy, drop them from its history, and give each
    touched item the `updated` time of its last change before the cut-off. Only the oldest
    event of each field counts (its `old` is the value at the cut-off), so each field of
    each item is written once, in batches."""
    from casey_cli.writes import sqlite_stamp

    columns = {t: {r[1] for r in mem.execute(f"PRAGMA table_info({t})")}
               for t in ("actions", "recommendations")}
    values: dict[tuple[str, str, str], dict[Any, str | None]] = {}
    removed: dict[tuple[str, str], set[Any]] = {}
    touched: dict[tuple[str, str], dict[Any, str]] = {}
    for event in events:
        if event.kind not in ("action", "recommendation"):
            continue  # no item row to rebuild
        table, key, value = _key(event)
        if event.field == "created":
            removed.setdefault((table, key), set()).add(value)
        elif event.field in ITEM_FIELDS and event.field in columns[table]:
            values.setdefault((table, key, event.field), {})[value] = event.old
        touched.setdefault((table, key), {})[value] = event.ref
    for (table, key, name), olds in values.items():
        # Column affinity turns '3' back into 3 for the integer columns.
        mem.executemany(f'UPDATE {table} SET "{name}" = ? WHERE {key} = ?',
                        [(old, value) for value, old in olds.items()])
    for (table, key), gone in removed.items():
        mem.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(v,) for v in gone])
    mem.execute("DELETE FROM history WHERE at >= ?", (sqlite_stamp(cutoff),))
    for (table, key), refs in touched.items():
        gone = removed.get((table, key), set())
        mem.executemany(f"UPDATE {table} SET updated = COALESCE((SELECT max(at) FROM history "
                        f"WHERE ref = ?), created) WHERE {key} = ?",
                        [(ref, value) for value, ref in refs.items() if value not in gone])


def _copy(reader: Reader, mem: sqlite3.Connection) -> None:
    """Copy a store read through SQLAlchemy (any backend) into an empty in-memory SQLite
    store with the same schema, table by table."""
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool
    from sqlmodel import SQLModel

    import casey_cli.models  # noqa: F401  (registers the tables)
    from casey_cli.writes import sqlite_stamp

    engine = sa.create_engine("sqlite://", creator=lambda: mem, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)

    def cell(value: Any) -> Any:
        if isinstance(value, datetime):
            return sqlite_stamp(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
        if isinstance(value, date):
            return value.isoformat()
        return value

    for table in _TABLES:
        names = [r[1] for r in mem.execute(f"PRAGMA table_info({table})")]
        quoted = ", ".join(f'"{n}"' for n in names)
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(names))})"
        batch: list[tuple[Any, ...]] = []
        for row in reader.rows(f"SELECT {quoted} FROM {table}", {}):
            batch.append(tuple(cell(v) for v in row))
            if len(batch) >= 2000:
                mem.executemany(insert, batch)
                batch.clear()
        mem.executemany(insert, batch)


def _sqlite_connection(reader: Reader) -> sqlite3.Connection | None:
    """The stdlib connection under a reader of a SQLite store, if there is one."""
    if isinstance(reader, SqliteReader):
        return reader.conn  # type: ignore[no-any-return]
    if reader.dialect == "sqlite":
        driver = reader.conn.connection.driver_connection  # type: ignore[attr-defined]
        return driver if isinstance(driver, sqlite3.Connection) else None
    return None


def snapshot(reader: Reader, day: date, *, portable: bool = False) -> sqlite3.Connection:
    """An in-memory SQLite store holding the register as it stood at the end of `day`. A
    SQLite store is copied page by page by SQLite's backup (fast: 0.3 s for 100,000
    actions); any other store (or with `portable`) table by table through SQLAlchemy.
    Nothing is written to the real store."""
    cutoff = end_of_day(day)
    mem = sqlite3.connect(":memory:", check_same_thread=False)
    source = None if portable else _sqlite_connection(reader)
    if source is not None:
        source.backup(mem)
    else:
        _copy(reader, mem)
    _undo(mem, events_after(reader, cutoff), cutoff)
    mem.commit()
    return mem


@contextmanager
def reader_at(reader: Reader, day: date | None) -> Iterator[Reader]:
    """The store itself when `day` is None, else a read-only copy as at the end of `day`."""
    if day is None:
        yield reader
        return
    mem = snapshot(reader, day)
    try:
        mem.execute("BEGIN")
        yield SqliteReader(mem)
    finally:
        mem.close()


@contextmanager
def session_at(session: Session, day: date) -> Iterator[Session]:
    """reader_at for code that works through the ORM (the committee report): a session on
    the in-memory copy as at the end of `day`."""
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool
    from sqlmodel import Session

    from casey_cli.queries import SQLAlchemyReader

    mem = snapshot(SQLAlchemyReader(session.connection()), day)
    engine = sa.create_engine("sqlite://", creator=lambda: mem, poolclass=StaticPool)
    try:
        with Session(engine) as copy:
            yield copy
    finally:
        engine.dispose()
        mem.close()


def empty_note(reader: Reader, day: date) -> str | None:
    """A line for stderr when the history starts after `day`: the register was empty then."""
    start = first_event(reader)
    if start is not None and start < (as_stamp(end_of_day(day)) or ""):
        return None
    since = f"starts on {london_day(start)}" if start else "is empty"
    return (f"Note: the store's history {since}; nothing was recorded by the end of "
            f"{day.isoformat()}, so the register shows as empty then.")


def parse_day(text: str | None, today: date, option: str = "--as-at") -> date | None:
    """An --as-at style option: None, or a past (or today's) date."""
    if not text:
        return None
    from casey_cli.dates import parse_date

    return check_day(parse_date(text, today, field=option), today, option)


def ctx_at(ctx: Ctx, day: date | None) -> Ctx:
    """The service context as at `day`: every rule is computed for that date."""
    return ctx if day is None else replace(ctx, today=day)
