"""Reference data and settings: a plain table of rows (sources, boroughs, meetings, config)."""

from __future__ import annotations

from collections.abc import Sequence

from casey_cli.render.common import FitTable, cell
from casey_cli.schemas import Row

KEY_COLUMNS = ("slug", "code", "ref")
DATE_COLUMNS = ("date", "published")
# Long prose gets the room: a source's title is a sentence, its publisher a name.
TEXT_RATIO = {"title": 4, "name": 3, "citation": 4, "notes": 3, "publisher": 2}


def rows_table(rows: Sequence[Row], title: str) -> FitTable:
    columns = rows[0].columns if rows else ()
    # At 80 columns a source's title needs room more than its publisher, place and count.
    table = FitTable(title=title, droppable=("publisher", "borough", "recommendations"))
    for col in columns:
        # A key is copied into commands (--borough barking-and-dagenham): never split it.
        whole = col in KEY_COLUMNS or col in DATE_COLUMNS  # never split, so never shared
        table.add_column(
            col.replace("_", " "),
            overflow="fold",
            no_wrap=whole,
            ratio=None if whole else TEXT_RATIO.get(col, 1),
        )
    for row in rows:
        table.add_row(*[cell(row.values.get(c)) for c in columns])
    return table
