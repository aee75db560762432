"""Store maintenance: integrity, foreign keys and the history hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

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
