"""Store maintenance: integrity, foreign keys and the history hash chain."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from casey_cli import store
from casey_cli.chain import event_hash
from casey_cli.errors import CaseyError, StoreError
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
    counts: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:  # parents before the rows that refer to them
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
        if target.dialect.name == "postgresql" and "id" in table.c:
            # Rows came with their ids: move each id sequence past them. Only history takes
            # its ids from its sequence; actions and meetings are numbered by writes.next_id
            # (max + 1), so theirs only stay truthful.
            target.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}")
    return counts


def copy_store(source_engine: sa.Engine, target_engine: sa.Engine,
               where: str) -> tuple[dict[str, int], CheckReport]:
    """Copy the whole store into the empty store `target_engine` opens, in one transaction on
    each side, and verify the copy there before it commits; `where` names the target in
    messages. The row count of each table, and the check of the copy."""
    with source_engine.connect() as source:
        source.execution_options(**store.connection_options(source_engine, write=False))
        with source.begin(), store.transaction(target_engine, write=True) as target:
            # Checked under the write lock: nothing else can fill it meanwhile.
            tables = sa.inspect(target.connection()).get_table_names()
            if tables:
                raise StoreError(f"{where} is not empty (it has {', '.join(tables[:3])}"
                                 f"{', ...' if len(tables) > 3 else ''}); give --to an "
                                 "empty database or a file that does not exist yet")
            store.create_schema(target)
            counts = copy_rows(source, target.connection())
            return counts, check(target)  # inside the transaction: a bad copy is not kept
