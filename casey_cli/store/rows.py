"""One item's stored row (an action or a recommendation), its field changes with one history
event each, and the history read back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.enums import FORCE_WIDE, Status
from casey_cli.errors import InvalidInput, NotFound
from casey_cli.refs import parse_action_id
from casey_cli.schemas import Event, Item
from casey_cli.store.items import as_date, as_stamp, make_item, verification_sql
from casey_cli.store.writes import (
    ACTION_COLUMNS,
    REC_STATE,
    UPDATE_COLUMNS,
    VERIFICATION_COLUMNS,
)

if TYPE_CHECKING:
    from casey_cli.store.lookup import MeetingRef
    from casey_cli.store.tx import Tx

# Every stored column: those a new action is inserted with, its verification, its update.
ACTION_FIELDS = (*ACTION_COLUMNS, *VERIFICATION_COLUMNS, *UPDATE_COLUMNS, "as_of")
REC_FIELDS = ("ref", "source", "number", *REC_STATE, "created", "updated", "as_of")
DATE_FIELDS = frozenset(
    {"due", "original_due", "completed", "verified_on", "latest_update_on", "as_of"}
)
_ACTION_REF = "'A' || a.id"  # an action's ref in SQL over `actions a`


@dataclass
class Tracked:
    """An item's stored fields (dates as dates), with where it belongs: its borough (a
    recommendation's is its source's, or `london`) and its source."""

    kind: str  # action or recommendation
    ref: str
    borough: str
    source: str | None
    fields: dict[str, Any]
    # A verified action's `verification` (items.verification_sql), as read or as just made.
    verification: str | None = None

    @property
    def table(self) -> str:
        return "actions" if self.kind == "action" else "recommendations"

    @property
    def key(self) -> tuple[str, Any]:
        return ("id", self.fields["id"]) if self.kind == "action" else ("ref", self.ref)

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def item(self, today: date, window: int) -> Item:
        """The item object of this row."""
        f = self.fields
        return make_item(
            ref=self.ref,
            kind=self.kind,
            borough=self.borough,
            source=self.source,
            recommendation=f.get("recommendation"),
            title=f["title"],
            owner=f["owner"],
            status=f["status"],
            due=f["due"],
            original_due=f["original_due"],
            progress=f["progress"],
            slips=f["slips"],
            assurance=f.get("assurance"),
            created=f["created"],
            updated=f["updated"],
            completed=f["completed"],
            today=today,
            window=window,
            verification=self.verification if f.get("assurance") == "verified" else None,
            latest_update=f["latest_update"],
            latest_update_on=f["latest_update_on"],
            reported_rag=f["reported_rag"],
            tracker_ref=f["tracker_ref"],
            due_text=f["due_text"],
            as_of=f.get("as_of"),
        )


def _fields(names: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    return {
        name: as_date(value) if name in DATE_FIELDS else value
        for name, value in zip(names, row, strict=True)
    }


def action(tx: Tx, ref: str) -> Tracked:
    number = parse_action_id(ref)
    columns = ", ".join(f"a.{c}" for c in ACTION_FIELDS)
    row = tx.one(
        f"SELECT {columns}, r.source, {verification_sql(_ACTION_REF)} FROM actions a "
        "LEFT JOIN recommendations r ON r.ref = a.recommendation WHERE a.id = :id",
        {"id": number},
    )
    if row is None:
        raise NotFound(f"no action A{number}; see `casey action list`")
    fields = _fields(ACTION_FIELDS, row[:-2])
    return Tracked("action", f"A{number}", fields["borough"], row[-2], fields, row[-1])


def completion_account(tx: Tx, ref: str) -> str | None:
    """The account that made `ref` complete: of its latest change of status to complete, else
    of its creation (an action created complete); None when that event is older than the
    accounts (schema 0006)."""
    account: str | None = tx.scalar(
        "SELECT account FROM history WHERE ref = :ref AND (field = 'created' OR "
        "field = 'status' AND new = 'complete') ORDER BY id DESC LIMIT 1",
        {"ref": ref},
    )
    return account


def recommendation(tx: Tx, ref: str) -> Tracked:
    from casey_cli.store import lookup

    key, _ = lookup.recommendation(tx, ref)
    columns = ", ".join(f"r.{c}" for c in REC_FIELDS)
    row = tx.one(
        f"SELECT {columns}, s.borough FROM recommendations r JOIN sources s "
        "ON s.code = r.source WHERE r.ref = :ref",
        {"ref": key},
    )
    assert row is not None  # the look-up just found it in this transaction
    fields = _fields(REC_FIELDS, row[:-1])
    return Tracked("recommendation", key, row[-1] or FORCE_WIDE, fields["source"], fields)


def _status_side_effects(t: Tracked, new_status: str, today: date) -> dict[str, Any]:
    """Fields that follow a status change: completion date, and assurance on reopening."""
    extra: dict[str, Any] = {}
    completed = t.fields["completed"]
    if new_status == Status.COMPLETE.value and completed is None:
        extra["completed"] = today
    elif new_status != Status.COMPLETE.value and completed is not None:
        extra["completed"] = None
        if t.kind == "action" and t.fields["assurance"] != "unverified":
            extra.update(
                assurance="unverified",
                verified_by=None,
                verified_on=None,
                verification_evidence=None,
            )
    return extra


def update(
    tx: Tx,
    t: Tracked,
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
    """Set the fields that differ, record each in history; return the changed field names.
    A change clears the register's `as_of` (it is newer information) unless `keep_as_of`
    (a change of bookkeeping, such as an owner merged into another).
    Fields in `always` are recorded even when unchanged (a progress update repeated on
    another day). With nothing changed, the note is recorded on its own unless `note_alone`
    is False."""
    if "status" in changes and changes["status"] != t.fields["status"]:
        changes = {
            **changes,
            **{
                k: v
                for k, v in _status_side_effects(t, changes["status"], today).items()
                if k not in changes
            },
        }
    meeting_id = meeting.id if meeting else None
    changed: list[str] = []
    events: list[dict[str, Any]] = []
    for name, new in changes.items():
        old = t.fields[name]
        if old == new and name not in always:
            continue
        t.fields[name] = new
        events.append(
            {
                "by": by,
                "kind": t.kind,
                "ref": t.ref,
                "borough": t.borough,
                "field": name,
                "old": old,
                "new": new,
                "note": note,
                "meeting_id": meeting_id,
            }
        )
        changed.append(name)
    if not changed and note and note_alone:
        events.append(
            {
                "by": by,
                "kind": t.kind,
                "ref": t.ref,
                "borough": t.borough,
                "field": "note",
                "new": note,
                "note": note,
                "meeting_id": meeting_id,
            }
        )
        changed.append("note")
    if not changed:
        return changed
    if t.fields.get("as_of") is not None and "as_of" not in changes and not keep_as_of:
        # Newer information than the register's date: from now on the item's own history
        # says when it was last known about.
        events.append({**events[-1], "field": "as_of", "old": t.fields["as_of"], "new": None})
        t.fields["as_of"] = None
        changed.append("as_of")
    t.fields["updated"] = tx.now()
    columns = [name for name in changed if name != "note"] + ["updated"]
    values = {f"v_{name}": _stored(tx, name, t.fields[name]) for name in columns}
    key, value = t.key
    sets = ", ".join(f'"{name}" = :v_{name}' for name in columns)
    tx.execute(f"UPDATE {t.table} SET {sets} WHERE {key} = :key", {**values, "key": value})
    tx.append_events(events)
    return changed


def _stored(tx: Tx, name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return tx.stamp(value)
    if isinstance(value, date):
        return tx.day(value)
    return value


def reschedule(
    tx: Tx,
    t: Tracked,
    *,
    due: date,
    reason: str | None,
    by: str,
    today: date,
    meeting: MeetingRef | None = None,
) -> None:
    """Move the due date; the first date ever set is kept as original_due; later = a slip."""
    status, old_due = t.fields["status"], t.fields["due"]
    if status in (Status.COMPLETE.value, Status.DROPPED.value):
        raise InvalidInput(
            f"{t.ref} is {status}; reopen it first with "
            f"`casey {'action' if t.kind == 'action' else 'rec'} update {t.ref} "
            "--status in-progress`"
        )
    if old_due == due:
        raise InvalidInput(f"{t.ref} is already due on {due.isoformat()}; give another --due")
    if old_due is not None and not (reason or "").strip():
        raise InvalidInput(f"moving {t.ref}'s due date needs a reason; add --reason TEXT")
    update(
        tx,
        t,
        due_changes(t, due),
        by=by,
        today=today,
        note=(reason or "").strip() or None,
        meeting=meeting,
    )


def due_changes(t: Tracked, due: date) -> dict[str, Any]:
    """The fields a move of the due date sets: the date, the first date ever set as
    original_due, and one more slip when the date is later (a load moves dates so too)."""
    changes: dict[str, Any] = {"due": due}
    if t.fields["original_due"] is None:
        changes["original_due"] = due
    slips = rules.slips_after(t.fields["due"], due, t.fields["slips"])
    if slips != t.fields["slips"]:
        changes["slips"] = slips
    return changes


def _events_where(
    tx: Tx,
    *,
    ref: str | None,
    borough: str | None,
    since: date | None,
    refs: Sequence[str],
    fields: Sequence[str],
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (and its parameters) of a history query filtered as given."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if ref is not None:
        clauses.append("h.ref = :ref")
        params["ref"] = ref
    if refs:
        names = [f":ref{n}" for n in range(len(refs))]
        clauses.append(f"h.ref IN ({', '.join(names)})")
        params.update({f"ref{n}": r for n, r in enumerate(refs)})
    if fields:
        names = [f":field{n}" for n in range(len(fields))]
        clauses.append(f"h.field IN ({', '.join(names)})")
        params.update({f"field{n}": f for n, f in enumerate(fields)})
    if borough is not None:
        clauses.append("h.borough = :borough")
        params["borough"] = borough
    if since is not None:
        clauses.append("h.at >= :since")
        params["since"] = tx.stamp(datetime.combine(since, time(), tzinfo=UTC))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def count_events(
    tx: Tx, *, ref: str | None = None, borough: str | None = None, since: date | None = None
) -> int:
    """How many history events match, counted by the store."""
    where, params = _events_where(tx, ref=ref, borough=borough, since=since, refs=(), fields=())
    return int(next(iter(tx.rows(f"SELECT COUNT(*) FROM history h{where}", params)))[0])


def events(
    tx: Tx,
    *,
    ref: str | None = None,
    borough: str | None = None,
    since: date | None = None,
    refs: Sequence[str] = (),
    fields: Sequence[str] = (),
    last: int | None = None,
) -> list[Event]:
    """History events oldest first, each with its meeting ('M3 NAME (DATE)'); with `last`,
    only the latest that many (still oldest first)."""
    where, params = _events_where(
        tx, ref=ref, borough=borough, since=since, refs=refs, fields=fields
    )
    sql = (
        'SELECT h.id, h.at, h."by", h.kind, h.ref, h.field, h.old, h.new, h.note, m.id, '
        "m.name, m.date, h.account FROM history h LEFT JOIN meetings m ON m.id = h.meeting_id"
        f"{where} ORDER BY h.id"
    )
    if last is not None:
        params["last"] = last
        sql = f"SELECT * FROM ({sql} DESC LIMIT :last) latest ORDER BY 1"
    return [
        Event(
            id=r[0],
            at=as_stamp(r[1]) or "",
            by=r[2],
            kind=r[3],
            ref=r[4],
            field=r[5],
            old=r[6],
            new=r[7],
            note=r[8],
            meeting=f"M{r[9]} {r[10]} ({str(r[11])[:10]})" if r[9] is not None else None,
            account=r[12],
        )
        for r in tx.rows(sql, params)
    ]
