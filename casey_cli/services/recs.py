"""`casey rec ...`: show a recommendation (with its actions per borough) and update it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casey_cli import rules
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import Item, ItemDetail
from casey_cli.services.actions import item_changes
from casey_cli.services.progress import rag_change, record_rag, record_update, updates
from casey_cli.store.items import Filters
from casey_cli.store.rows import reschedule
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def show(tx: Tx, run: RunContext, ref: str, *, actions: bool = True) -> ItemDetail:
    """A recommendation, its details and history, and (unless `actions` is False: the
    caller has them) the actions against it."""
    rec = tx.recommendation(ref)
    details = {
        "number": rec["number"],
        "summary": rec["summary"],
        "theme": rec["theme"],
        "addressed_to": rec["addressed_to"],
        "response": rec["response"],
        "citation": rec["citation"],
    }
    against = (
        tx.items(
            Filters(recommendation=rec.ref, recommendations=False),
            today=run.today,
            window=run.window,
        )
        if actions
        else []
    )
    history = tx.events(ref=rec.ref)
    return ItemDetail(
        rec.item(run.today, run.window),
        details,
        history,
        sorted(against, key=lambda i: i.borough or ""),  # stable: contract order per borough
        updates(history),
    )


def update(
    tx: Tx,
    run: RunContext,
    ref: str,
    *,
    title: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    response: str | None = None,
    progress: int | None = None,
    due: date | None = None,
    reason: str | None = None,
    rag: str | None = None,
    note: str | None = None,
    meeting: str | None = None,
    hints: list[str] | None = None,
) -> tuple[Item, bool]:
    """Change the fields given; returns the item and whether anything changed. `reason`
    says why the due date moves and why the officer's RAG (`rag`) is what it is; the owner
    resolves through the owner directory (a near miss's hint is added to `hints`)."""
    from casey_cli.services.owners import resolve

    rec = tx.recommendation(ref)
    owner = resolve(tx, owner, hints) if owner is not None else None
    rag_changes = rag_change(rec, rag, reason) if rag is not None else {}
    changes = item_changes(title=title, owner=owner, status=status)
    if response is not None:
        changes["response"] = rules.normalise_response(response)
    if progress is not None:
        changes["progress"] = rules.check_progress(progress)
    if not changes and due is None and not rag_changes and not clean_text(note):
        raise InvalidInput(
            "nothing to change; give at least one of --title, --owner, --status, "
            "--response, --progress, --due, --rag or --note"
        )
    why = clean_text(reason, "reason") or clean_text(note, "note")  # the history keeps it
    mtg = tx.meeting(meeting) if meeting else None
    changed: list[str] = []
    if changes or (clean_text(note) and (due is None or rag_changes)):
        changed = tx.update(
            rec, changes, by=run.user, today=run.today, note=clean_text(note), meeting=mtg
        )
    if rag_changes:
        changed += record_rag(tx, run, rec, rag_changes, reason, mtg)
    if due is not None:  # a reschedule always changes the date, or refuses
        reschedule(tx, rec, due=due, reason=why, by=run.user, today=run.today, meeting=mtg)
    return rec.item(run.today, run.window), bool(changed) or due is not None


def record_progress(
    tx: Tx,
    run: RunContext,
    ref: str,
    text: str,
    *,
    percent: int | None = None,
    meeting: str | None = None,
) -> tuple[Item, bool]:
    """`casey rec progress`: a dated progress update (services.progress)."""
    rec = tx.recommendation(ref)
    changed = record_update(tx, run, rec, text, percent=percent, meeting=meeting)
    return rec.item(run.today, run.window), changed
