"""The register as it stood at the end of a past day, rebuilt from the history.

Every change to an item is a history event with the field's old value, so undoing the events
recorded after a moment, newest first, gives every field exactly as it was then ('created'
undone = the item did not exist yet). A day ends at midnight London time (Europe/London: GMT
in winter, BST in summer), which is what a committee means by "as at 31 March"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from casey_cli.errors import InvalidInput
from casey_cli.store.items import as_stamp
from casey_cli.store.tx import Tx, sqlite_stamp
from casey_cli.store.writes import ACTION_STATE, REC_STATE

ZONE = "Europe/London"
# Item columns an event can set; 'note' and anything else is not a column of the row.
ITEM_FIELDS = frozenset({*ACTION_STATE, *REC_STATE, "as_of"})


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in London, in UTC (history times are UTC)."""
    from zoneinfo import ZoneInfo

    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(ZONE))
    return midnight.astimezone(UTC)


def check_day(day: date, today: date, option: str = "--as-at") -> date:
    if day > today:
        raise InvalidInput(
            f"{option} {day.isoformat()} is after today ({today.isoformat()}); "
            "the history only tells the past: give an earlier date"
        )
    return day


@dataclass(frozen=True)
class Undo:
    """An event to undo: set `field` of the item back to `old` (or remove a created item)."""

    at: str  # ISO UTC to the second, as as_stamp() gives: compares as text
    kind: str
    ref: str
    field: str
    old: str | None


def events_after(tx: Tx, moment: datetime) -> list[Undo]:
    """Events recorded after `moment`, newest first (the order to undo them in)."""
    sql = "SELECT at, kind, ref, field, old FROM history WHERE at >= :cutoff ORDER BY id DESC"
    return [
        Undo(as_stamp(r[0]) or "", r[1], r[2], r[3], r[4])
        for r in tx.rows(sql, {"cutoff": tx.stamp(moment)})
    ]


def first_event(tx: Tx) -> str | None:
    """When the history starts (ISO UTC), or None for an empty history."""
    rows = tx.all("SELECT min(at) FROM history")
    return as_stamp(rows[0][0]) if rows and rows[0][0] is not None else None


def london_day(stamp: str) -> date:
    """The London date of an ISO UTC time ('2027-06-01T23:30:00Z' is 2 June in summer)."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(ZONE)).date()


# --- a whole store as at a day: an in-memory SQLite copy, then the undo as SQL -------------

_TABLES = (
    "boroughs",
    "sources",
    "recommendations",
    "meetings",
    "actions",
    "history",
    "owners",
    "owner_aliases",
)


def _key(event: Undo) -> tuple[str, str, Any]:
    if event.kind == "action":
        return "actions", "id", int(event.ref[1:])
    return "recommendations", "ref", event.ref


def _undo(mem: sqlite3.Connection, events: list[Undo], cutoff: datetime) -> None:
    """Undo `events` (newest first) on the copy, drop them from its history, and give each
    touched item the `updated` time of its last change before the cut-off. Only the oldest
    event of each field counts (its `old` is the value at the cut-off), so each field of
    each item is written once, in batches."""
    columns = {
        t: {r[1] for r in mem.execute(f"PRAGMA table_info({t})")}
        for t in ("actions", "recommendations")
    }
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
        mem.executemany(
            f'UPDATE {table} SET "{name}" = ? WHERE {key} = ?',
            [(old, value) for value, old in olds.items()],
        )
    for (table, key), gone in removed.items():
        mem.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(v,) for v in gone])
    mem.execute("DELETE FROM history WHERE at >= ?", (sqlite_stamp(cutoff),))
    for (table, key), refs in touched.items():
        gone = removed.get((table, key), set())
        mem.executemany(
            f"UPDATE {table} SET updated = COALESCE((SELECT max(at) FROM history "
            f"WHERE ref = ?), created) WHERE {key} = ?",
            [(ref, value) for value, ref in refs.items() if value not in gone],
        )


_INTEGER_TYPES = frozenset({20, 21, 23})  # PostgreSQL's int8, int2 and int4


def _copy(tx: Tx, mem: sqlite3.Connection) -> None:
    """Copy a store of another backend into an empty in-memory SQLite database, table by
    table: each column typed INTEGER where the source's is (so an undone '3' is 3 again),
    the rest kept as text, dates in ISO form as SQLite keeps them."""

    def cell(value: Any) -> Any:
        if isinstance(value, datetime):
            return sqlite_stamp(value if value.tzinfo else value.replace(tzinfo=UTC))
        if isinstance(value, date):
            return value.isoformat()
        return value

    for table in _TABLES:
        cursor = tx.cursor(f"SELECT * FROM {table} LIMIT 0")
        names = [column[0] for column in cursor.description]
        if tx.dialect == "sqlite":  # sqlite3 gives no column types: the declared ones
            declared = {r[1]: r[2] for r in tx.all(f"PRAGMA table_info({table})")}
            integer = {n for n in names if declared.get(n, "").upper() == "INTEGER"}
        else:
            integer = {c[0] for c in cursor.description if c[1] in _INTEGER_TYPES}
        kinds = ["INTEGER" if n in integer else "" for n in names]
        cursor.close()
        quoted = ", ".join(f'"{n}"' for n in names)
        columns = ", ".join(f'"{n}" {k}'.rstrip() for n, k in zip(names, kinds, strict=True))
        mem.execute(f"CREATE TABLE {table} ({columns})")
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(names))})"
        batch: list[tuple[Any, ...]] = []
        for row in tx.rows(f"SELECT {quoted} FROM {table}"):
            batch.append(tuple(cell(v) for v in row))
            if len(batch) >= 2000:
                mem.executemany(insert, batch)
                batch.clear()
        mem.executemany(insert, batch)
    # The look-ups the item query makes per row (its latest event, its recommendation).
    mem.execute("CREATE INDEX ix_history_ref_id ON history (ref, id)")
    mem.execute("CREATE UNIQUE INDEX ix_recommendations_ref ON recommendations (ref)")
    mem.execute("CREATE UNIQUE INDEX ix_sources_code ON sources (code)")


def snapshot(tx: Tx, day: date, *, portable: bool = False) -> sqlite3.Connection:
    """An in-memory SQLite store holding the register as it stood at the end of `day`. A
    SQLite store is copied page by page by SQLite's backup; any other store (or with
    `portable`) table by table.
    Nothing is written to the real store."""
    cutoff = end_of_day(day)
    mem = sqlite3.connect(":memory:", check_same_thread=False)
    if tx.dialect == "sqlite" and not portable:
        tx.conn.backup(mem)
    else:
        _copy(tx, mem)
    _undo(mem, events_after(tx, cutoff), cutoff)
    mem.commit()
    return mem


@contextmanager
def at_day(tx: Tx, day: date | None) -> Iterator[Tx]:
    """The store itself when `day` is None, else a read-only copy as at the end of `day`:
    another store, on :memory:, read through the same interface."""
    if day is None:
        yield tx
        return
    mem = snapshot(tx, day)
    try:
        mem.isolation_level = None
        mem.execute("BEGIN")
        yield Tx(mem, "sqlite", write=False)
    finally:
        mem.close()


def empty_note(tx: Tx, day: date) -> str | None:
    """A line for stderr when the history starts after `day`: the register was empty then."""
    start = first_event(tx)
    if start is not None and start < (as_stamp(end_of_day(day)) or ""):
        return None
    since = f"starts on {london_day(start)}" if start else "is empty"
    return (
        f"Note: the store's history {since}; nothing was recorded by the end of "
        f"{day.isoformat()}, so the register shows as empty then."
    )


def parse_day(text: str | None, today: date, option: str = "--as-at") -> date | None:
    """An --as-at style option: None, or a past (or today's) date."""
    if not text:
        return None
    from casey_cli.dates import parse_date

    return check_day(parse_date(text, today, field=option), today, option)
