"""`casey action ...`: add, update, done, verify, reschedule and show an action."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.dates import to_iso
from casey_cli.enums import Status
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import Item, ItemDetail
from casey_cli.services.progress import rag_change, record_rag, record_update, updates
from casey_cli.store import lookup
from casey_cli.store.items import make_item
from casey_cli.store.rows import reschedule as move_due
from casey_cli.store.writes import ACTION_COLUMNS, action_state
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def add(
    tx: Tx,
    run: RunContext,
    *,
    borough: str,
    title: str,
    owner: str | None = None,
    due: date | None = None,
    recommendation: str | None = None,
    status: str | None = None,
    progress: int | None = None,
    evidence: str | None = None,
    note: str | None = None,
    meeting: str | None = None,
    citation: str | None = None,
    hints: list[str] | None = None,
) -> Item:
    """Add an action and its 'created' event. The owner resolves through the owner
    directory; a near miss's hint is added to `hints`."""
    from casey_cli.services.owners import resolve

    slug = tx.borough_slug(borough)
    clean_title = clean_text(title, "title")
    if not clean_title:
        raise InvalidInput("the title is empty; give --title TEXT", field="title")
    rec_ref, source = lookup.recommendation(tx, recommendation) if recommendation else (None, None)
    status_value = rules.normalise_status(status) if status else Status.NOT_STARTED.value
    rules.check_progress(progress)
    meeting_id = tx.meeting(meeting).id if meeting else None
    at = tx.now()
    completed = run.today if status_value == Status.COMPLETE.value else None
    clean_owner = resolve(tx, owner, hints)
    number = tx.next_id("actions")
    row = (
        number,
        slug,
        rec_ref,
        clean_title,
        clean_owner,
        status_value,
        tx.day(due),
        tx.day(due),
        0,
        progress,
        clean_text(evidence, "evidence"),
        clean_text(citation, "citation"),
        tx.stamp(at),
        tx.stamp(at),
        tx.day(completed),
        "unverified",
        None,
        None,
    )
    tx.insert_rows("actions", ACTION_COLUMNS, [row])
    ref = f"A{number}"
    tx.append_events(
        [
            {
                "by": run.user,
                "kind": "action",
                "ref": ref,
                "borough": slug,
                "field": "created",
                "new": clean_title,
                "note": clean_text(note, "note"),
                "meeting_id": meeting_id,
                "state": action_state(row),
            }
        ]
    )
    return make_item(
        ref=ref,
        kind="action",
        borough=slug,
        source=source,
        recommendation=rec_ref,
        title=clean_title,
        owner=clean_owner,
        status=status_value,
        due=due,
        original_due=due,
        progress=progress,
        slips=0,
        assurance="unverified",
        created=at,
        updated=at,
        completed=completed,
        today=run.today,
        window=run.window,
    )


def item_changes(*, title: str | None, owner: str | None, status: str | None) -> dict[str, Any]:
    """The changes an update gives to the fields every item has (None: not given), checked:
    a title cannot be emptied, a status must be one of the contract's."""
    changes: dict[str, Any] = {}
    if title is not None:
        if clean_text(title) is None:
            raise InvalidInput("the title is empty; give --title TEXT", field="title")
        changes["title"] = clean_text(title)
    if owner is not None:
        changes["owner"] = clean_text(owner)
    if status is not None:
        changes["status"] = rules.normalise_status(status)
    return changes


def _append(old: str | None, extra: str | None) -> str | None:
    """Evidence accumulates: a new piece is added on its own line, never replaces the old."""
    extra = clean_text(extra)
    if extra is None:
        return old
    return f"{old}\n{extra}" if old else extra


def update(
    tx: Tx,
    run: RunContext,
    ref: str,
    *,
    title: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    progress: int | None = None,
    evidence: str | None = None,
    recommendation: str | None = None,
    rag: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    meeting: str | None = None,
    hints: list[str] | None = None,
) -> tuple[Item, bool]:
    """Change the fields given; returns the item and whether anything changed. The
    officer's RAG (`rag`) is recorded with its `reason` as the event's note; the owner
    resolves through the owner directory (a near miss's hint is added to `hints`)."""
    from casey_cli.services.owners import resolve

    action = tx.action(ref)
    owner = resolve(tx, owner, hints) if owner is not None else None
    if reason is not None and rag is None:
        raise InvalidInput(
            "--reason says why the officer's RAG is what it is; give it with --rag "
            "(for anything else, use --note)"
        )
    rag_changes = rag_change(action, rag, reason) if rag is not None else {}
    changes = item_changes(title=title, owner=owner, status=status)
    if progress is not None:
        changes["progress"] = rules.check_progress(progress)
    if evidence is not None:
        changes["evidence"] = _append(action["evidence"], evidence)
    if recommendation is not None:
        rec_ref, source = (
            lookup.recommendation(tx, recommendation) if recommendation.strip() else (None, None)
        )
        changes["recommendation"] = rec_ref
        action.source = source
    if not changes and not rag_changes and not clean_text(note):
        raise InvalidInput(
            "nothing to change; give at least one of --title, --owner, --status, "
            "--progress, --evidence, --recommendation, --rag or --note"
        )
    mtg = tx.meeting(meeting) if meeting else None
    changed: list[str] = []
    if changes or not rag_changes or clean_text(note):
        changed = tx.update(
            action, changes, by=run.user, today=run.today, note=clean_text(note), meeting=mtg
        )
    if rag_changes:
        changed += record_rag(tx, run, action, rag_changes, reason, mtg)
    return action.item(run.today, run.window), bool(changed)


def record_progress(
    tx: Tx,
    run: RunContext,
    ref: str,
    text: str,
    *,
    percent: int | None = None,
    meeting: str | None = None,
) -> tuple[Item, bool]:
    """`casey action progress`: a dated progress update (services.progress)."""
    action = tx.action(ref)
    changed = record_update(tx, run, action, text, percent=percent, meeting=meeting)
    return action.item(run.today, run.window), changed


def done(
    tx: Tx,
    run: RunContext,
    ref: str,
    *,
    evidence: str | None = None,
    note: str | None = None,
    meeting: str | None = None,
) -> Item:
    action = tx.action(ref)
    if action["status"] == Status.COMPLETE.value:
        when = f" (on {to_iso(action['completed'])})" if action["completed"] else ""
        raise InvalidInput(
            f"{action.ref} is already complete{when}; see `casey action show {action.ref}`"
        )
    mtg = tx.meeting(meeting) if meeting else None
    tx.update(
        action,
        {
            "status": Status.COMPLETE.value,
            "completed": run.today,
            "evidence": _append(action["evidence"], evidence),
        },
        by=run.user,
        today=run.today,
        note=clean_text(note),
        meeting=mtg,
    )
    return action.item(run.today, run.window)


def verify(
    tx: Tx,
    run: RunContext,
    ref: str,
    *,
    evidence: str | None = None,
    note: str | None = None,
    meeting: str | None = None,
) -> Item:
    action = tx.action(ref)
    if action["status"] != Status.COMPLETE.value:
        raise InvalidInput(
            f"{action.ref} is {action['status']}, not complete; only a completed "
            f"action can be verified (`casey action done {action.ref}` first)"
        )
    if action["assurance"] == "verified":
        raise InvalidInput(
            f"{action.ref} was already verified by {action['verified_by']} on "
            f"{to_iso(action['verified_on'])}"
        )
    owner = action["owner"]
    if owner and owner.strip().lower() == run.user.strip().lower():
        raise InvalidInput(
            f"{run.user} owns {action.ref}; verification must come from someone "
            "else: give --by with the verifier's name"
        )
    # Who completed it, as the store saw it, against who verifies now. A server knows its
    # roles, so there the same role is refused; a SQLite file is often one desktop account,
    # so there the verification is kept and marked (docs/design.md).
    completer, account = tx.completion_account(action.ref), tx.account
    same = completer is not None and completer == account
    if same and tx.dialect == "postgresql":
        raise InvalidInput(
            f"{action.ref} was completed by the database role {account}, which you are "
            "connected as; verification must come from another database role: connect as "
            "the verifier's own role (the user in --db or CASEY_DB)"
        )
    mtg = tx.meeting(meeting) if meeting else None
    tx.update(
        action,
        {
            "assurance": "verified",
            "verified_by": run.user,
            "verified_on": run.today,
            "verification_evidence": clean_text(evidence),
        },
        by=run.user,
        today=run.today,
        note=clean_text(note),
        meeting=mtg,
    )
    action.verification = None if completer is None else "same-account" if same else "other-account"
    return action.item(run.today, run.window)


def reschedule(
    tx: Tx, run: RunContext, ref: str, *, due: date, reason: str | None, meeting: str | None = None
) -> Item:
    action = tx.action(ref)
    why = clean_text(reason, "reason")  # kept in the history, as a note is
    mtg = tx.meeting(meeting) if meeting else None
    move_due(tx, action, due=due, reason=why, by=run.user, today=run.today, meeting=mtg)
    return action.item(run.today, run.window)


def show(tx: Tx, run: RunContext, ref: str) -> ItemDetail:
    action = tx.action(ref)
    rec_title = (
        tx.scalar(
            "SELECT title FROM recommendations WHERE ref = :ref", {"ref": action["recommendation"]}
        )
        if action["recommendation"]
        else None
    )
    details = {
        "recommendation_title": rec_title,
        "evidence": action["evidence"],
        "citation": action["citation"],
        "verified_by": action["verified_by"],
        "verified_on": to_iso(action["verified_on"]),
        "verification_evidence": action["verification_evidence"],
    }
    history = tx.events(ref=action.ref)
    return ItemDetail(
        action.item(run.today, run.window), details, history, updates=updates(history)
    )
