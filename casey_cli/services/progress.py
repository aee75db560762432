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
) -> None:
    """Record a dated progress update (with `percent`, the progress too, in the same change).
    It is dated the meeting's day when one is cited (the update was given there), else
    today; never before the item's latest update, which it replaces. The same text on the
    same day again records nothing and says so."""
    update = clean_text(text, "update")
    if not update:
        raise InvalidInput("the update is empty; give the text of what was done", field="update")
    mtg = tx.meeting(meeting) if meeting else None
    day = date.fromisoformat(mtg.date) if mtg else run.today
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
    if item["latest_update"] == update and latest == day:
        raise InvalidInput(
            f"{item.ref}'s latest update already says that, on {day.isoformat()}; nothing recorded"
        )
    changes: dict[str, Any] = {"latest_update": update, "latest_update_on": day}
    if percent is not None:
        changes["progress"] = rules.check_progress(percent)
    # The text is recorded even when it repeats the last one (on another day): every update
    # is an event of its own, which `show` lists.
    tx.update(item, changes, by=run.user, today=run.today, meeting=mtg, always=("latest_update",))


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
    """An item's progress updates from its history (oldest first), newest first: each
    `latest_update` event, dated by the `latest_update_on` event its command wrote right
    after it, or by the date then current when the date did not change."""
    found: list[ProgressUpdate] = []
    on: str | None = None
    for n, event in enumerate(history):
        if event.field == "latest_update_on":
            on = event.new
        elif event.field == "latest_update" and event.new:
            after = history[n + 1] if n + 1 < len(history) else None
            day = after.new if after and after.field == "latest_update_on" else on
            found.append(ProgressUpdate(day or event.at[:10], event.new, event.by, event.meeting))
    return found[::-1]
