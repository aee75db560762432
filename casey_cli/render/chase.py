"""`casey chase` for people: a table per owner, most late first."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.text import Text

from casey_cli.render.common import FitTable, cell
from casey_cli.schemas import NO_OWNER, ChaseList, ChaseRow
from casey_cli.text import counted, scope_name

CHASE_ROWS = 20  # rows of each owner's table a person sees; CSV and JSON have them all
CHASE_OWNERS = 10  # owners' tables a person sees (owners by name, nobody's items last)
CHASE_RATIO = {"title": 3, "last update": 2}


def _due(row: ChaseRow, today: str) -> Text:
    """The due date, and under it how late it is or how soon it falls."""
    if not row.due:
        return Text("")
    text = Text(row.due)
    if row.days_late:
        text.append(f"\n{counted(row.days_late, 'day')} late", style="bold red")
    elif "due soon" in row.reasons:
        days = (date.fromisoformat(row.due) - date.fromisoformat(today)).days
        text.append("\ndue today" if not days else f"\nin {counted(days, 'day')}", "dark_orange")
    return text


def _title(row: ChaseRow) -> Text:
    """The title, and under it the status when that is worth a word (blocked, in progress)."""
    text = Text(row.title)
    if row.status != "not-started":
        text.append(f"\n{row.status}", style="dim")
    return text


def _last_update(row: ChaseRow) -> Text:
    """The item's latest progress update (its date, then the start of its text), else when
    it last changed and how (CSV and JSON have it all)."""
    if row.latest_update:
        text = Text(row.latest_update_on or "")
        text.append("\n" + row.latest_update, style="dim")
        return text
    text = Text(row.last_update or "")
    if row.last_note:
        text.append("\n" + row.last_note, style="dim")
    return text


def chase_view(chase: ChaseList) -> RenderableType:
    """A table per owner (nobody's items last), each most late first. A person sees the first
    CHASE_OWNERS owners and CHASE_ROWS items of each (Rich lays out every table anew, and a
    big register may have hundreds of owners); the lines under the tables count the rest."""
    parts: list[RenderableType] = [
        Text.assemble(
            (f"Chase list · {scope_name(chase.borough)} · {chase.today}", "bold"),
            "\n",
            chase.sentence(),
        )
    ]
    rows_left = 0
    for group in chase.owners[:CHASE_OWNERS]:
        table = FitTable(
            title=Text(f"{group.owner or NO_OWNER} ({len(group.rows)})", style="bold"),
            expand=True,
        )
        for col in ("ref", "title", "due", "why", "last update"):
            table.add_column(
                col,
                ratio=CHASE_RATIO.get(col),
                no_wrap=col in ("ref", "due", "last update"),
                min_width=len("no due date") if col == "why" else None,
                # one line of the last note: the CSV and JSON carry all of it
                overflow="ellipsis" if col == "last update" else "fold",
            )
        for row in group.rows[:CHASE_ROWS]:
            table.add_row(
                cell(row.ref),
                _title(row),
                _due(row, chase.today),
                cell(row.reasons.replace(", ", ",\n"), "yellow"),
                _last_update(row),
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
