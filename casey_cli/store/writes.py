"""The history chain's one writer, the one clock of changes, the columns new rows are
inserted with, and the first values ('state') a 'created' event records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from casey_cli.chain import event_hash, json_value
from casey_cli.dates import stamp_text, to_iso

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def now() -> datetime:
    """Real clock time of a change (UTC, to the second): `--today` never moves the trail."""
    return datetime.now(UTC).replace(microsecond=0)


def as_text(value: Any) -> str | None:
    """How a field value is written into history (and compared with it)."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return to_iso(value)
    return str(value)


# An item's reference in the tracker it was loaded from, and its words for an unknown date.
TRACKER_COLUMNS = ("tracker_ref", "due_text")
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
    *TRACKER_COLUMNS,
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
    "state",
    "account",
)

# The stored fields of an item that its history covers: a 'created' event records each as
# the item began (its state), and every later change to one is an event with the old and
# new value. Keys (an action's id, a recommendation's ref, source and number) are the ref;
# 'created' and 'updated' are the times of the item's first and latest events.
VERIFICATION_COLUMNS = ("verified_by", "verified_on", "verification_evidence")
# The latest progress update and the reporting officer's RAG (`action progress`, `--rag`).
UPDATE_COLUMNS = ("latest_update", "latest_update_on", "reported_rag")
ACTION_STATE = tuple(
    c
    for c in (*ACTION_COLUMNS, *VERIFICATION_COLUMNS, *UPDATE_COLUMNS)
    if c not in ("id", "created", "updated")
)
REC_STATE = (
    "title",
    "summary",
    "theme",
    "addressed_to",
    "response",
    "owner",
    "status",
    "due",
    "original_due",
    "slips",
    "progress",
    "completed",
    "citation",
    *UPDATE_COLUMNS,
    *TRACKER_COLUMNS,
)
STATE_FIELDS = {"action": ACTION_STATE, "recommendation": REC_STATE}
_KEYS = {name: json_value(name) + ":" for name in {*ACTION_STATE, *REC_STATE}}


def state_text(names: Sequence[str], values: Sequence[Any]) -> str:
    """An item's state: a compact JSON object of each field's text (as_text), in `names`'
    order; built by hand, as the chain's canonical form is (a bulk load makes one a row)."""
    keys = _KEYS
    return (
        "{"
        + ",".join([keys[n] + json_value(as_text(v)) for n, v in zip(names, values, strict=True)])
        + "}"
    )


_STR: Any = json.encoder.encode_basestring


def _value(value: Any) -> str:
    """json_value(as_text(value)), with text, the usual case, first."""
    if type(value) is str:
        text: str = _STR(value)
        return text
    return "null" if value is None else json_value(as_text(value))


def action_state(row: Sequence[Any]) -> str:
    """The state of a new action from its row as inserted (ACTION_COLUMNS order): the text
    state_text gives for ACTION_STATE, unrolled (a load makes one a row; a third of the
    time of the loop; tests/test_load.py holds the two equal)."""
    v = _value
    return (
        f'{{"borough":{v(row[1])},"recommendation":{v(row[2])},"title":{v(row[3])},'
        f'"owner":{v(row[4])},"status":{v(row[5])},"due":{v(row[6])},'
        f'"original_due":{v(row[7])},"slips":{v(row[8])},"progress":{v(row[9])},'
        f'"evidence":{v(row[10])},"citation":{v(row[11])},"completed":{v(row[14])},'
        f'"assurance":{v(row[15])},"tracker_ref":{v(row[16])},"due_text":{v(row[17])},'
        '"verified_by":null,"verified_on":null,'
        '"verification_evidence":null,"latest_update":null,"latest_update_on":null,'
        '"reported_rag":null}'
    )


def append_events(tx: Tx, events: list[dict[str, Any]]) -> None:
    """Append events (by, kind, ref, borough, field, old, new, note, meeting_id, and for a
    'created' event its state) in order, each chained to the one before and recorded under
    the transaction's account. Writers hold the store's write lock (BEGIN IMMEDIATE on
    SQLite, an advisory lock on PostgreSQL), so the tip read here really is the last event."""
    if not events:
        return
    if not tx.chain_tip_known:
        tx.chain_tip = tx.scalar("SELECT hash FROM history ORDER BY id DESC LIMIT 1")
        tx.chain_tip_known = True
    tip = tx.chain_tip
    account = tx.account
    at = tx.now()
    stamp, hashed_at = tx.stamp(at), stamp_text(at)
    rows_out: list[tuple[Any, ...]] = []
    for e in events:
        fields = (
            e["by"],
            e["kind"],
            e["ref"],
            e.get("borough"),
            e["field"],
            as_text(e.get("old")),
            as_text(e.get("new")),
            e.get("note"),
            e.get("meeting_id"),
        )
        state = e.get("state")
        digest = event_hash(tip, hashed_at, *fields, state, account)
        rows_out.append((stamp, *fields, tip, digest, state, account))
        tip = digest
    tx.insert_rows("history", EVENT_COLUMNS, rows_out)
    tx.chain_tip = tip
