"""One action or recommendation (`action show`, `rec show`): its fields, actions and history."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from casey_cli.render.common import cell, rag_text
from casey_cli.render.history import history_table
from casey_cli.render.items import items_table
from casey_cli.schemas import ItemDetail

# What a verified action's `verification` means, under it (the words are the contract's).
VERIFICATION_SAYS = {
    "same-account": "recorded by the account that completed it",
    "other-account": "recorded by another account than the one that completed it",
}


def detail_view(detail: ItemDetail) -> RenderableType:
    item = detail.item
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    fields: dict[str, Any] = {**item.to_dict(), **detail.details}
    for key, value in fields.items():
        if key in ("ref", "title") or value is None:
            continue
        shown = rag_text(value) if key == "rag" else cell(value)
        if key == "verification":
            shown.append(f"\n{VERIFICATION_SAYS.get(value, '')}".rstrip(), style="dim")
        grid.add_row(key.replace("_", " "), shown)
    parts: list[RenderableType] = [
        Panel(grid, title=Text(f"{item.ref}  {item.title}"), title_align="left")
    ]
    if detail.actions:
        parts.append(items_table(detail.actions, f"Actions ({len(detail.actions)})"))
    if detail.updates:
        parts.append(updates_table(detail))
    parts.append(
        history_table(detail.history)
        if detail.history
        else Text("No history recorded.", style="dim")
    )
    return Group(*parts)


def updates_table(detail: ItemDetail) -> Table:
    """Every progress update, newest first."""
    table = Table(
        title=f"Progress updates ({len(detail.updates)}), newest first",
        title_justify="left",
        expand=True,
    )
    table.add_column("on", no_wrap=True)
    table.add_column("update", ratio=4, overflow="fold")
    table.add_column("by", ratio=1, overflow="fold")
    for update in detail.updates:
        text = cell(update.text)
        if update.meeting:
            text.append(f"\nat {update.meeting}", style="dim")
        table.add_row(cell(update.on), text, cell(update.by))
    return table
