"""The audit trail (`casey history`, and under an item's detail)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from casey_cli.render.common import COLUMN_RATIO, cell
from casey_cli.schemas import Event


def history_table(events: Sequence[Event], title: str = "History") -> Table:
    """The audit trail; the ref column only when events of several items are shown."""
    several = len({e.ref for e in events}) > 1
    columns = (
        ("at", "by", "ref", "field", "old", "new", "note", "meeting")
        if several
        else ("at", "by", "field", "old", "new", "note", "meeting")
    )
    table = Table(title=title, title_justify="left", expand=True)
    for col in columns:
        table.add_column(
            col,
            overflow="fold",
            ratio=COLUMN_RATIO.get(col),
            no_wrap=col in ("at", "ref", "field", "meeting"),
        )
    for e in events:
        values = {
            **e.to_dict(),
            "at": e.at.replace("T", " ")[:16],
            "meeting": e.meeting.split(" ", 1)[0] if e.meeting else None,
        }
        table.add_row(*[cell(values[c]) for c in columns])
    return table
