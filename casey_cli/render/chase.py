"""`casey chase` for people: a table per owner, most late first."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from casey_cli.render.common import cell, scope_name
from casey_cli.schemas import NO_OWNER, ChaseList, ChaseRow

CHASE_ROWS = 20  # rows of each owner's table a person sees; CSV and JSON have them all
CHASE_OWNERS = 10  # owners' tables a person sees (owners by name, nobody's items last)
CHASE_RATIO = {"title": 4, "reasons": 2, "last note": 3}


def _late(row: ChaseRow, today: str) -> Text:
    if row.days_late:
        return Text(f"{row.days_late} days late", style="bold red")
    if row.due and "due soon" in row.reasons:
        days = (date.fromisoformat(row.due) - date.fromisoformat(today)).days
        return Text("due today" if not days else f"in {days} days", style="dark_orange")
    return Text("")


def chase_view(chase: ChaseList) -> RenderableType:
    """A table per owner (nobody's items last), each most late first. A person sees the first
    CHASE_OWNERS owners and CHASE_ROWS items of each (Rich lays out every table anew, and a
    big register may have hundreds of owners); the lines under the tables count the rest."""
    parts: list[RenderableType] = [
        Text.assemble(
            (f"Chase list · {scope_name(chase.borough)} · {chase.today}", "bold"),
            " · ",
            chase.sentence(),
        )
    ]
    rows_left = 0
    for group in chase.owners[:CHASE_OWNERS]:
        table = Table(
            title=Text(f"{group.owner or NO_OWNER} ({len(group.rows)})", style="bold"),
            title_justify="left",
            expand=True,
        )
        for col in ("ref", "title", "status", "due", "late", "reasons", "updated", "last note"):
            # the last note is cut to one line: the CSV and JSON carry all of it
            table.add_column(
                col,
                overflow="ellipsis" if col == "last note" else "fold",
                ratio=CHASE_RATIO.get(col),
                no_wrap=col not in ("title", "reasons"),
                min_width=len("no due date") if col == "reasons" else None,
            )
        for row in group.rows[:CHASE_ROWS]:
            table.add_row(
                cell(row.ref),
                cell(row.title),
                cell(row.status),
                cell(row.due),
                _late(row, chase.today),
                cell(row.reasons, "yellow"),
                cell(row.last_update),
                cell(row.last_note, "dim"),
            )
        parts += [Text(""), table]
        rows_left += max(0, len(group.rows) - CHASE_ROWS)
    owners_left = chase.owners[CHASE_OWNERS:]
    if owners_left or rows_left:
        rows_left += sum(len(g.rows) for g in owners_left)
        parts.append(
            Text(
                f"and {rows_left} more items ({len(owners_left)} more owners; the "
                f"first {CHASE_ROWS} items of each are shown): casey chase "
                "--format csv lists them all",
                style="dim",
            )
        )
    if not chase.owners:
        parts += [Text(""), Text("Nothing to chase.", style="green")]
    return Group(*parts)
