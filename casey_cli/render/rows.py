"""Reference data and settings: a plain table of rows (sources, boroughs, meetings, config)."""

from __future__ import annotations

from collections.abc import Sequence

from casey_cli.render.common import FitTable, cell
from casey_cli.schemas import Row


def rows_table(rows: Sequence[Row], title: str) -> FitTable:
    columns = rows[0].columns if rows else ()
    table = FitTable(title=title)
    for col in columns:
        table.add_column(col.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*[cell(row.values.get(c)) for c in columns])
    return table
