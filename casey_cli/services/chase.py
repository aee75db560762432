"""`casey chase`: per owner, the open items somebody has to chase (overdue, due soon, stale, or
a gap), each with its latest history event. Read path: one plain-SQL query, then grouping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.enums import CLOSED_STATUSES, Status
from casey_cli.run_context import RunContext
from casey_cli.schemas import CHASE_CHECKS, ChaseList, ChaseRow, OwnerChase
from casey_cli.store.items import Filters, as_date, last_known, stored_items

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

OPEN_STATUSES = tuple(s.value for s in Status if s.value not in CLOSED_STATUSES)
# Counted per owner and in the summary, in this order; a row's reasons name the same things.
KINDS = ("overdue", "due_soon", "stale", "gaps")


def build(tx: Tx, run: RunContext, f: Filters) -> ChaseList:
    """Every open item in scope that is overdue, due within the window, stale, or has no owner
    or no due date; grouped by owner as the owner directory names it (case and spacing
    ignored; no owner last), each owner's items most late first (rows come in due-date
    order, undated last)."""
    from casey_cli.store.lookup import owner_directory

    today, window = run.today, run.window
    name_of = owner_directory(tx).name_of
    groups: dict[str, OwnerChase] = {}
    for row in stored_items(tx, replace(f, statuses=OPEN_STATUSES), today, last_event=True):
        status, owner, due = row[7], (name_of(row[6]) or "").strip() or None, as_date(row[8])
        hits = {
            "overdue": rules.is_overdue(status, due, today),
            "due_soon": rules.is_due_soon(status, due, today, window),
            "stale": rules.is_stale(status, last_known(row[22], row[14]), today, run.stale_days),
            "gaps": rules.is_gap(status, owner, due),
        }
        if not any(hits.values()):
            continue
        key = " ".join(owner.split()).casefold() if owner else ""
        group = groups.setdefault(key, OwnerChase(owner, [], dict.fromkeys(KINDS, 0)))
        for kind, hit in hits.items():
            group.counts[kind] += hit
        group.rows.append(_row(row, group.owner, due, hits, today))
    owners = sorted(groups.values(), key=lambda g: (g.owner is None, (g.owner or "").casefold()))
    summary: Counter[str] = Counter()
    for group in owners:
        summary.update(group.counts)
    return ChaseList(
        today=today.isoformat(),
        borough=f.borough,
        window_days=window,
        stale_days=run.stale_days,
        summary={
            "owners": sum(1 for g in owners if g.owner),
            "items": sum(len(g.rows) for g in owners),
            **{k: summary.get(k, 0) for k in KINDS},
        },
        owners=owners,
    )


def _row(
    row: Sequence[Any], owner: str | None, due: Any, hits: dict[str, bool], today: Any
) -> ChaseRow:
    reasons = [
        name
        for name, hit in (
            ("overdue", hits["overdue"]),
            ("due soon", hits["due_soon"]),
            ("stale", hits["stale"]),
            ("no owner", not owner),
            ("no due date", due is None),
        )
        if hit
    ]
    at, by, note, field, new = row[26:31]
    return ChaseRow(
        owner=owner,
        ref=row[0],
        kind=row[1],
        borough=row[2],
        title=row[5],
        status=row[7],
        due=due.isoformat() if due else None,
        days_late=rules.days_overdue(row[7], due, today),
        reasons=", ".join(reasons),
        # A register's item was last known about on its as_of day, not the day it was loaded.
        last_update=d.isoformat() if (d := last_known(row[22], at)) else None,
        last_by=by,
        last_note=note or _change(field, new),
        latest_update=row[17],
        latest_update_on=d.isoformat() if (d := as_date(row[18])) else None,
    )


def _change(field: str | None, new: str | None) -> str | None:
    """What the latest event did, for an event recorded without a note."""
    if field is None:
        return None
    if field in ("latest_update", "latest_update_on"):
        return "progress update"
    if field == "as_of":  # the register's date, set by a load or cleared by a change
        return f"information as at {new}" if new else "changed"
    return "created" if field == "created" else f"{field} set to {new or '(empty)'}"


def check(result: ChaseList, checks: Sequence[str]) -> None:
    """`--fail-on`: raise for the first kind asked for and found, in the order overdue (exit 3),
    stale (4), gaps (5); the message counts every kind asked for that was found."""
    from casey_cli.errors import GapsFound, OverdueFound, StaleFound

    found = [
        (name, result.summary[name])
        for name in CHASE_CHECKS
        if name in checks and result.summary[name]
    ]
    if found:
        error = {"overdue": OverdueFound, "stale": StaleFound, "gaps": GapsFound}[found[0][0]]
        labels = {"overdue": "overdue", "stale": "stale", "gaps": "with no owner or no due date"}
        raise error(
            "to chase: " + ", ".join(f"{n} {labels[name]}" for name, n in found) + " (--fail-on)"
        )


# --- chase messages: who can be written to, and who was chased -----------------------------

CHASED = "chased"  # the history field of an owner's chase event (kind 'owner', ref its name)


def addresses(tx: Tx) -> dict[str, str]:
    """Each directory owner's email address, by the owner's name."""
    return {
        str(name): str(email)
        for name, email in tx.all("SELECT name, email FROM owners WHERE email IS NOT NULL")
    }


def chased_today(tx: Tx, borough: str | None) -> set[str]:
    """The owners already sent this scope's chase today (London's day, by the clock)."""
    from datetime import timedelta

    from casey_cli.store.as_at import end_of_day, london_day
    from casey_cli.store.items import as_stamp

    today = london_day(as_stamp(tx.now()) or "")
    since = tx.stamp(end_of_day(today - timedelta(days=1)))
    return {
        str(owner)
        for owner, scope in tx.all(
            "SELECT ref, borough FROM history WHERE kind = 'owner' AND field = :field "
            "AND at >= :since",
            {"field": CHASED, "since": since},
        )
        if scope == borough
    }


def record_chased(
    tx: Tx, run: RunContext, owner: str, address: str, refs: Sequence[str], borough: str | None
) -> None:
    """The history event of one owner chased: who sent it, when, to what address, which
    items (the event's `new`)."""
    tx.append_events(
        [
            {
                "by": run.user,
                "kind": "owner",
                "ref": owner,
                "borough": borough,
                "field": CHASED,
                "new": ", ".join(refs),
                "note": f"chase sent by email to {address}",
            }
        ]
    )
