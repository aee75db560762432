"""Lists of items: the table of `action list` and `rec list`, and each list of the status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from casey_cli.render.common import COLUMN_RATIO, NO_WRAP, FitTable, cell, rag_cell, title_cell
from casey_cli.schemas import Item

ITEM_TABLE_COLUMNS = ("ref", "title", "borough", "owner", "status", "due", "rag")
# Least widths in a list of items: a title of a few words a line; a ref whole up to
# "islington-plan-1" (a longer one folds rather than squeezing the title).
ITEM_MIN = {"title": 16, "ref": 16}


def items_table(
    items: Sequence[Item],
    title: str,
    *,
    extra: str | None = None,
    columns: Sequence[str] = ITEM_TABLE_COLUMNS,
) -> FitTable:
    if "borough" in columns and len({item.borough for item in items}) == 1:
        # one borough's list: the column would repeat what the title or filter says
        columns = [col for col in columns if col != "borough"]
    # At 80 columns a list of recommendations (refs up to 21 characters) has room for a
    # readable title only without the borough and owner; the machine formats keep them.
    table = FitTable(title=title, expand=True, droppable=("borough", "owner"))
    for col in columns:
        table.add_column(
            col.replace("_", " "),
            overflow="fold",
            ratio=COLUMN_RATIO.get(col),
            no_wrap=col in NO_WRAP and col not in ITEM_MIN,
            min_width=ITEM_MIN.get(col),
        )
    if extra:
        table.add_column(extra.replace("_", " "), justify="right")
    for item in items:
        data = item.to_dict()
        cells: list[Text] = [
            rag_cell(item.rag, item.reported_rag)
            if c == "rag"
            else title_cell(item.title, item.latest_update, item.latest_update_on)
            if c == "title"
            else cell(item.due_text, "dim")  # the tracker's words where it gave no date
            if c == "due" and not item.due and item.due_text
            else cell(data.get(c))
            for c in columns
        ]
        if extra:
            cells.append(cell(data.get(extra)))
        table.add_row(*cells)
    return table


def section(
    items: Sequence[Item],
    title: str,
    empty: str,
    *,
    total: int | None = None,
    more: str | None = None,
    **kwargs: Any,
) -> RenderableType:
    """A table of items; when `total` says there are more than shown, a line says how to
    list them all."""
    total = len(items) if total is None else total
    if not total:
        return Text(empty, style="green")
    table = items_table(items, f"{title} ({total})", **kwargs)
    if total > len(items) and more:
        return Group(table, Text(f"and {total - len(items)} more: {more}", style="dim"))
    return table
