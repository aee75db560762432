"""Writes as plain SQL on any backend (the stdlib sqlite3 driver on a SQLite store): the
history chain's one writer, and `action add`, the write a clerk types many times a day."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from casey_cli import lookup, rules
from casey_cli.chain import canonical_at, event_hash
from casey_cli.config import Ctx
from casey_cli.dates import to_iso
from casey_cli.enums import Status
from casey_cli.errors import InvalidInput
from casey_cli.queries import SQLAlchemyReader, SqliteReader, make_item
from casey_cli.schemas import Item
from casey_cli.text import clean_text

CHAIN_TIP = "casey_chain_tip"


def sqlite_stamp(moment: datetime) -> str:
    """A UTC timestamp as SQLAlchemy keeps it in SQLite, so both paths read each other."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteWriter(SqliteReader):
    def run(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def stamp(self, moment: datetime) -> Any:
        return sqlite_stamp(moment)

    def insert_rows(self, table: str, columns: tuple[str, ...],
                    rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(_insert_sql(table, columns), rows)

    def day(self, value: date | None) -> Any:
        return value.isoformat() if value else None


class SQLAlchemyWriter(SQLAlchemyReader):
    def run(self, sql: str, params: dict[str, Any]) -> list[Any]:
        import sqlalchemy as sa

        result = self.conn.execute(sa.text(sql), params)
        return list(result.fetchall()) if result.returns_rows else []

    def stamp(self, moment: datetime) -> Any:
        return sqlite_stamp(moment) if self.dialect == "sqlite" else moment

    def insert_rows(self, table: str, columns: tuple[str, ...],
                    rows: list[tuple[Any, ...]]) -> None:
        # Straight to the driver, in its own placeholder style: no per-row work by SQLAlchemy.
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        self.conn.exec_driver_sql(_insert_sql(table, columns, mark), rows)

    def day(self, value: date | None) -> Any:
        return value.isoformat() if value and self.dialect == "sqlite" else value


Writer = SqliteWriter | SQLAlchemyWriter


def now() -> datetime:
    """Real clock time of a change (UTC, to the second): `--today` never moves the trail."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def _text(value: Any) -> str | None:
    """How a field value is written into history."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return to_iso(value)
    return str(value)


def _insert_sql(table: str, columns: tuple[str, ...], mark: str = "?") -> str:
    """A positional INSERT for the driver's executemany: a tuple binds about a third faster
    than a dict of :names (SQLite, measured on 100,000 actions)."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


ACTION_COLUMNS = ("id", "borough", "recommendation", "title", "owner", "status", "due",
                  "original_due", "slips", "progress", "evidence", "citation", "created",
                  "updated", "completed", "assurance")


_EVENT_COLUMNS = ("at", '"by"', "kind", "ref", "borough", "field", "old", "new", "note",
                  "meeting_id", "prev_hash", "hash")


def append_events(w: Writer, cache: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Append events (by, kind, ref, borough, field, old, new, note, meeting_id) in order, each
    chained to the one before. Writers hold the store's write lock (BEGIN IMMEDIATE on
    SQLite), so the tip read here really is the last event."""
    if not events:
        return
    if CHAIN_TIP in cache:
        tip = cache[CHAIN_TIP]
    else:
        rows = w.run("SELECT hash FROM history ORDER BY id DESC LIMIT 1", {})
        tip = rows[0][0] if rows else None
    at = now()
    stamp, hashed_at = w.stamp(at), canonical_at(at)
    rows_out: list[tuple[Any, ...]] = []
    for e in events:
        old_text, new_text = _text(e.get("old")), _text(e.get("new"))
        digest = event_hash(tip, hashed_at, e["by"], e["kind"], e["ref"], e.get("borough"),
                            e["field"], old_text, new_text, e.get("note"), e.get("meeting_id"))
        rows_out.append((stamp, e["by"], e["kind"], e["ref"], e.get("borough"), e["field"],
                         old_text, new_text, e.get("note"), e.get("meeting_id"), tip, digest))
        tip = digest
    w.insert_rows("history", _EVENT_COLUMNS, rows_out)
    cache[CHAIN_TIP] = tip


def next_id(w: Writer, table: str) -> int:
    """The next ref number of `table`, on every backend. Not a sequence: a PostgreSQL sequence
    moves on even when its transaction rolls back, so a dry run or a refused write would
    skip a ref (a dry run's 'would create A19' would become A20). Writers hold the store's
    write lock, so max + 1 is free; rows are never deleted, so a ref is never reused. (Rows
    get explicit ids, so a table's own sequence is never used and never consulted.)"""
    [(number,)] = w.run(f"SELECT coalesce(max(id), 0) + 1 FROM {table}", {})
    return int(number)


def append_event(w: Writer, cache: dict[str, Any], **event: Any) -> None:
    append_events(w, cache, [event])


def add_action(w: Writer, ctx: Ctx, *, borough: str, title: str, owner: str | None = None,
               due: date | None = None, recommendation: str | None = None,
               status: str | None = None, progress: int | None = None,
               evidence: str | None = None, note: str | None = None,
               meeting: str | None = None, citation: str | None = None) -> Item:
    """Add an action and its 'created' event in the caller's transaction."""
    slug = lookup.borough_slug(w, borough)
    clean_title = clean_text(title, "title")
    if not clean_title:
        raise InvalidInput("the title is empty; give --title TEXT", field="title")
    rec_ref, source = (lookup.recommendation(w, recommendation) if recommendation
                       else (None, None))
    status_value = rules.normalise_status(status) if status else Status.NOT_STARTED.value
    rules.check_progress(progress)
    meeting_id = lookup.meeting(w, meeting).id if meeting else None
    at = now()
    completed = ctx.today if status_value == Status.COMPLETE.value else None
    clean_owner = clean_text(owner, "owner")
    number = next_id(w, "actions")
    w.insert_rows("actions", ACTION_COLUMNS, [(
        number, slug, rec_ref, clean_title, clean_owner, status_value, w.day(due), w.day(due),
        0, progress, clean_text(evidence, "evidence"), clean_text(citation, "citation"),
        w.stamp(at), w.stamp(at), w.day(completed), "unverified")])
    ref = f"A{number}"
    append_event(w, {}, by=ctx.user, kind="action", ref=ref, borough=slug, field="created",
                 new=clean_title, note=clean_text(note, "note"), meeting_id=meeting_id)
    return make_item(ref=ref, kind="action", borough=slug, source=source,
                     recommendation=rec_ref, title=clean_title, owner=clean_owner,
                     status=status_value, due=due, original_due=due, progress=progress, slips=0,
                     assurance="unverified", created=at, updated=at, completed=completed,
                     today=ctx.today, window=ctx.window)
