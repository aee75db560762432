"""Store maintenance: integrity, foreign keys and the history hash chain."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from casey_cli.chain import event_hash
from casey_cli.errors import CaseyError
from casey_cli.models import HistoryEvent


class CheckFailed(CaseyError):
    """`casey db check` found damage; the message names the first place."""


@dataclass
class CheckReport:
    integrity: str
    foreign_keys: str
    events: int
    tip: str | None

    def lines(self) -> list[str]:
        return [f"integrity: {self.integrity}", f"foreign keys: {self.foreign_keys}",
                f"history: {self.events} events, hash chain intact",
                f"chain tip: {self.tip or '(no events)'}"]


def check(session: Session) -> CheckReport:
    """Verify the store; raise CheckFailed naming the first problem found."""
    conn = session.connection()
    integrity, foreign_keys = "n/a (not SQLite)", "n/a (not SQLite)"
    if conn.dialect.name == "postgresql":  # the server enforces both at every write
        integrity, foreign_keys = "kept by PostgreSQL", "enforced by PostgreSQL"
    if conn.dialect.name == "sqlite":
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        if rows != ["ok"]:
            raise CheckFailed(f"integrity check failed: {rows[0]}; restore from a backup "
                              "(`casey db backup` makes one)")
        integrity = "ok"
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        if bad is not None:
            raise CheckFailed(f"table {bad[0]} row {bad[1]} refers to a missing {bad[2]} row; "
                              "it was edited outside casey")
        foreign_keys = "ok"
    prev: str | None = None
    count = 0
    stmt = select(HistoryEvent).order_by(col(HistoryEvent.id)).execution_options(yield_per=5000)
    for event in session.exec(stmt):
        if event.prev_hash != prev:
            raise CheckFailed(f"history event {event.id} does not follow the event before it: "
                              "an earlier event was deleted or changed outside casey")
        expected = event_hash(prev, event.at, event.by, event.kind, event.ref, event.borough,
                              event.field, event.old, event.new, event.note, event.meeting_id)
        if event.hash != expected:
            raise CheckFailed(f"history event {event.id} ({event.ref} {event.field}) does not "
                              "match its hash: it was changed outside casey")
        prev = event.hash
        count += 1
        session.expunge(event)  # keep memory flat on a large history
    return CheckReport(integrity, foreign_keys, count, prev)


COPY_BATCH = 1000


def copy_rows(source: sa.Connection, target: sa.Connection) -> dict[str, int]:
    """Copy every row of every table, keys included, from `source` into the empty store of
    `target` (same schema), in key order so the history chain keeps its order; return the
    row count of each table."""
    conn = target
    counts: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:  # parents before the rows that refer to them
        stmt = sa.select(table).order_by(*table.primary_key.columns)
        counts[table.name] = 0
        batch: list[dict[str, object]] = []
        for row in source.execute(stmt, execution_options={"yield_per": COPY_BATCH}).mappings():
            batch.append(dict(row))
            if len(batch) == COPY_BATCH:
                conn.execute(table.insert(), batch)
                counts[table.name] += len(batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
            counts[table.name] += len(batch)
        if conn.dialect.name == "postgresql" and "id" in table.c:
            # Rows came with their ids: move the id sequence past them (A14 stays A14, and
            # the next action added gets a new number).
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}")
    return counts
