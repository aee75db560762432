"""The audit trail (`casey history`, and under an item's detail)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from casey_cli.render.common import cell
from casey_cli.schemas import Event


def history_table(events: Sequence[Event], title: str = "History") -> Table:
    """The audit trail, two facts to a cell (when and who; which item and field) so that it
    reads at 80 columns; the ref only when events of several items are shown, and the note
    column only when some event has a note or a meeting. Who is `by`, with the account that
    made the change beside it when the two differ."""
    several = len({e.ref for e in events}) > 1
    with_notes = any(e.note or e.meeting for e in events)
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("at / by", no_wrap=True)
    table.add_column("ref / field" if several else "field", no_wrap=True)
    table.add_column("change", overflow="fold", ratio=3)
    if with_notes:
        table.add_column("note", overflow="fold", ratio=2)
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
