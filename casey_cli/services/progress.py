"""A progress update and the reporting officer's RAG, on an action or a recommendation alike:
`casey action|rec progress` and `--rag` on `casey action|rec update`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.enums import RAG_ORDER
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import Event, ProgressUpdate
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.store.lookup import MeetingRef
    from casey_cli.store.rows import Tracked
    from casey_cli.store.tx import Tx

RAG_WORDS = (*RAG_ORDER, "none")


def record_update(
    tx: Tx,
    run: RunContext,
    item: Tracked,
    text: str,
    *,
    percent: int | None = None,
    meeting: str | None = None,
    on: date | None = None,
) -> bool:
    """Record a dated progress update (with `percent`, the progress too, in the same change);
    whether anything was recorded. It is dated the meeting's day when one is cited (the
    update was given there), else today; never before the item's latest update, which it
    replaces. The same text on the same day again records only a new percent. `on`: the
    day it was given, as a register dates it.

    The events: `latest_update` (the text) and `latest_update_on` (the date), both written
    even when unchanged, then `progress` with the text as its note: so `update_events`
    pairs them without relying on times."""
    update = clean_text(text, "update")
    if not update:
        raise InvalidInput("the update is empty; give the text of what was done", field="update")
    progress = rules.check_progress(percent) if percent is not None else None
    mtg = tx.meeting(meeting) if meeting else None
    day = on or (date.fromisoformat(mtg.date) if mtg else run.today)
    if day > run.today:
        raise InvalidInput(
            f"{mtg.ref if mtg else 'the meeting'} is on {day.isoformat()}, after today; an "
            "update is recorded once it has been given"
        )
    latest = item["latest_update_on"]
    if latest is not None and day < latest:
        raise InvalidInput(
            f"{item.ref}'s latest update is dated {latest.isoformat()}, after "
            f"{day.isoformat()}; keep an older update in the history with `casey "
            f"{'action' if item.kind == 'action' else 'rec'} update {item.ref} --note TEXT"
            f"{' --meeting ' + mtg.ref if mtg else ''}`"
        )
    if item["latest_update"] != update or latest != day:
        tx.update(
            item,
            {"latest_update": update, "latest_update_on": day},
            by=run.user,
            today=run.today,
            meeting=mtg,
            always=("latest_update", "latest_update_on"),
        )
    elif progress is None or progress == item["progress"]:
        return False
    if progress is not None:
        tx.update(
            item,
            {"progress": progress},
            by=run.user,
            today=run.today,
            meeting=mtg,
            note=update,
            note_alone=False,
        )
    return True


def record_rag(
    tx: Tx,
    run: RunContext,
    item: Tracked,
    change: dict[str, Any],
    reason: str | None,
    meeting: MeetingRef | None,
) -> list[str]:
    """Set the officer's RAG (`rag_change`, checked before anything was written), with the
    reason as its event's note; the fields changed."""
    return tx.update(
        item,
        change,
        by=run.user,
        today=run.today,
        note=clean_text(reason),
        meeting=meeting,
        note_alone=False,
    )


def update_events(history: Sequence[Event]) -> list[tuple[Event, str, str | None]]:
    """Each progress update in `history` (events oldest first, any items) with its date and
    the progress it set: the `latest_update_on` event its command wrote right after it, and
    the `progress` event after that one whose note is its text (same item, same moment)."""
    by_ref: dict[str, list[Event]] = {}
    for event in history:
        by_ref.setdefault(event.ref, []).append(event)
    found: list[tuple[Event, str, str | None]] = []
    for events in by_ref.values():
        on: str | None = None  # the date the item had, for events from before the date was
        for n, event in enumerate(events):  # always written with the text
            if event.field == "latest_update_on":
                on = event.new
            if event.field != "latest_update" or not event.new:
                continue
            after = events[n + 1 : n + 3]
            day = next(
                (a.new for a in after[:1] if a.field == "latest_update_on" and a.at == event.at),
                on,
            )
            percent = next(
                (
                    a.new
                    for a in after
                    if a.field == "progress" and a.at == event.at and a.note == event.new
                ),
                None,
            )
            found.append((event, day or event.at[:10], percent))
    found.sort(key=lambda found_one: found_one[0].id)
    return found


def rag_change(item: Tracked, rag: str, reason: str | None) -> dict[str, Any]:
    """The change `--rag` gives: the officer's RAG (or none), checked, with its reason."""
    word = rag.strip().lower()
    if word not in RAG_WORDS:
        raise InvalidInput(
            f"'{rag}' is not a RAG rating; use one of {', '.join(RAG_WORDS)}", field="--rag"
        )
    if not clean_text(reason, "reason"):
        raise InvalidInput(
            f"the officer's RAG for {item.ref} needs a reason; add --reason TEXT", field="--rag"
        )
    return {"reported_rag": None if word == "none" else word}


def updates(history: Sequence[Event]) -> list[ProgressUpdate]:
    """An item's progress updates from its history (oldest first), newest first."""
    return [
        ProgressUpdate(day, event.new or "", event.by, event.meeting)
        for event, day, _ in reversed(update_events(history))
    ]
