"""The London view of `casey status`: one row per borough or BCU, with RAG bars."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from casey_cli.render.common import RAG_STYLE, cell, headline
from casey_cli.schemas import LONDON_COUNTS, LondonReport, LondonRow
from casey_cli.text import counted, scope_name

# Each RAG has its own glyph as well as its colour, so a bar still reads without colour.
RAG_GLYPH = {"red": "█", "amber": "▓", "green": "▒", "blue": "░", "grey": "·"}
BAR_WIDTH = 12


def rag_bar(by_rag: dict[str, int], width: int = BAR_WIDTH) -> Text:
    """The share of each RAG in `width` cells (largest remainders get the spare cells)."""
    total = sum(by_rag.values())
    if not total:
        return Text("no items", style="dim")
    shares = {rag: n * width / total for rag, n in by_rag.items()}
    cells = {rag: int(share) for rag, share in shares.items()}
    spare = width - sum(cells.values())
    for rag in sorted(shares, key=lambda r: cells[r] - shares[r])[:spare]:
        cells[rag] += 1
    return Text.assemble(*[(RAG_GLYPH[rag] * n, RAG_STYLE[rag]) for rag, n in cells.items() if n])


def london_view(report: LondonReport, when: str = "") -> RenderableType:
    """One row per borough (or BCU), worst first, then the force-wide items; a headline over
    everything and a key to the RAG bars."""
    s = report.summary
    top = headline(
        scope_name(None) + when,
        report.today,
        s.total,
        s.by_rag,
        f"{s.overdue} overdue, {s.due_soon} due in {counted(report.window_days, 'day')}, "
        f"{counted(s.gaps, 'gap')}, {s.slipped} slipped",
    )
    by_bcu = report.by == "bcu"
    # No vertical rules, one space between columns, BCU members under the BCU's name:
    # the table fits 80 columns.
    table = Table(
        title=f"By {'BCU' if by_bcu else 'borough'}, worst first (most overdue, then most gaps)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column(
        "BCU (boroughs)" if by_bcu else "borough",
        min_width=23,
        max_width=23,
        no_wrap=not by_bcu,
        overflow="fold",
    )
    for col in LONDON_COUNTS:
        table.add_column(col.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("RAG", no_wrap=True)

    def add(row: LondonRow, *, last: bool = False) -> None:
        c = row.counts
        label = Text(row.label)
        if by_bcu and row.keys.get("boroughs"):
            label.append("\n" + ", ".join(row.keys["boroughs"]), style="dim")
        table.add_row(
            label,
            *[
                cell(getattr(c, col), "bold red" if col == "overdue" and c.overdue else "")
                for col in LONDON_COUNTS
            ],
            rag_bar(c.by_rag),
            end_section=last,
        )

    for n, row in enumerate(report.rows, start=1):
        add(row, last=n == len(report.rows))
    add(report.force_wide)
    key = Text.assemble(
        "RAG bars, each row's items: ",
        *[
            part
            for rag, glyph in RAG_GLYPH.items()
            for part in ((f"{glyph} {rag}", RAG_STYLE[rag]), ("  ", ""))
        ],
    )
    return Group(
        top,
        Text(""),
        table,
        key,
        Text("One borough's lists: casey status --borough SLUG", style="dim"),
    )
