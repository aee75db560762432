"""The history chain's one writer, the one clock of changes, and the columns new rows are
inserted with."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from casey_cli.chain import event_hash
from casey_cli.dates import stamp_text, to_iso

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def now() -> datetime:
    """Real clock time of a change (UTC, to the second): `--today` never moves the trail."""
    return datetime.now(UTC).replace(microsecond=0)


def _text(value: Any) -> str | None:
    """How a field value is written into history."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return to_iso(value)
    return str(value)


ACTION_COLUMNS = (
    "id",
    "borough",
    "recommendation",
    "title",
    "owner",
    "status",
    "due",
    "original_due",
    "slips",
    "progress",
    "evidence",
    "citation",
    "created",
    "updated",
    "completed",
    "assurance",
)


EVENT_COLUMNS = (
    "at",
    '"by"',
    "kind",
    "ref",
    "borough",
    "field",
    "old",
    "new",
    "note",
    "meeting_id",
    "prev_hash",
    "hash",
    "account",
)


def append_events(tx: Tx, events: list[dict[str, Any]]) -> None:
    """Append events (by, kind, ref, borough, field, old, new, note, meeting_id) in order, each
    chained to the one before and recorded under the transaction's account. Writers hold the
    store's write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so the
    tip read here really is the last event."""
    if not events:
        return
    if not tx.chain_tip_known:
        tx.chain_tip = tx.scalar("SELECT hash FROM history ORDER BY id DESC LIMIT 1")
        tx.chain_tip_known = True
    tip = tx.chain_tip
    account = tx.account
    at = now()
    stamp, hashed_at = tx.stamp(at), stamp_text(at)
    rows_out: list[tuple[Any, ...]] = []
    for e in events:
        fields = (
            e["by"],
            e["kind"],
            e["ref"],
            e.get("borough"),
            e["field"],
            _text(e.get("old")),
            _text(e.get("new")),
            e.get("note"),
            e.get("meeting_id"),
        )
        digest = event_hash(tip, hashed_at, *fields, account)
        rows_out.append((stamp, *fields, tip, digest, account))
        tip = digest
    tx.insert_rows("history", EVENT_COLUMNS, rows_out)
    tx.chain_tip = tip
