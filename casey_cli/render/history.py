"""The audit trail (`casey history`, and under an item's detail)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from casey_cli.render.common import FitTable, cell
from casey_cli.schemas import Event

# The least width of each column at 80 columns, so none shrinks to nothing: a day and time
# ("2026-11-23 09:00"; a long name wraps under it), a field name ("original_due") or a ref,
# a change of status ("not-started →"), and a few words of note. Together with borders
# they take 69 of 80 columns; the rest goes to the change and the note.
HISTORY_MIN = {"at": len("2026-11-23 09:00"), "field": 12, "change": 16, "note": 12}


def history_table(events: Sequence[Event], title: str = "History") -> FitTable:
    """The audit trail, two facts to a cell (when and who; which item and field) so that it
    reads at 80 columns; the ref only when events of several items are shown, and the note
    column only when some event has a note or a meeting. Who is `by`, with the account that
    made the change beside it when the two differ. Long values wrap; no column gets less
    than HISTORY_MIN."""
    several = len({e.ref for e in events}) > 1
    with_notes = any(e.note or e.meeting for e in events)
    table = FitTable(title=title, expand=True)
    table.add_column("at / by", overflow="fold", min_width=HISTORY_MIN["at"])
    table.add_column(
        "ref / field" if several else "field", overflow="fold", min_width=HISTORY_MIN["field"]
    )
    table.add_column("change", overflow="fold", ratio=3, min_width=HISTORY_MIN["change"])
    if with_notes:
        table.add_column("note", overflow="fold", ratio=2, min_width=HISTORY_MIN["note"])
    for e in events:
        when = Text(e.at.replace("T", " ")[:16])
        when.append(f"\n{e.who}", style="dim")
        what = Text(f"{e.ref}\n{e.field}" if several else e.field)
        row = [when, what, _change(e)]
        if with_notes:
            note = Text(e.note or "")
            if e.meeting:
                note.append(("\n" if e.note else "") + e.meeting.split(" ", 1)[0], style="dim")
            row.append(note)
        table.add_row(*row)
    return table


def _change(e: Event) -> Text:
    """`old → new`; a created item's title, or a note event's nothing (its note says it)."""
    if e.field == "note":
        return Text("")
    if e.old is None:
        return cell(e.new)
    return Text(f"{e.old} → {e.new if e.new is not None else '(empty)'}")
