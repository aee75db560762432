"""What every view shares: cells as Text (user text never reaches markup), RAG colours, column
widths, the scope's name and the headline."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from math import ceil
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from casey_cli.text import counted

RAG_STYLE = {
    "red": "bold red",
    "amber": "bold dark_orange",
    "green": "green",
    "blue": "blue",
    "grey": "dim",
}


def cell(value: Any, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def rag_text(rag: str) -> Text:
    return Text(rag.upper(), style=RAG_STYLE.get(rag, ""))


def rag_cell(rag: str, reported: str | None) -> Text:
    """The rule's RAG, and under it the reporting officer's when they differ."""
    text = rag_text(rag)
    if reported and reported != rag:
        text.append(f"\nsaid {reported}", style="dim")
    return text


def title_cell(title: str, update: str | None, on: str | None) -> Text:
    """A title, and under it the latest progress update with its date."""
    text = Text(title)
    if update:
        text.append(f"\n{on}: {update}" if on else f"\n{update}", style="dim")
    return text


COLUMN_RATIO = {"title": 4, "owner": 2, "note": 3, "old": 2, "new": 3, "by": 2}
NO_WRAP = ("ref", "due", "rag", "status", "days_overdue", "at")


def headline(scope: str, today: str, total: int, by_rag: dict[str, int], tail: str) -> Text:
    """`Scope · date · N items · n red  n amber ...` and the tail on a line of its own (so
    neither wraps at 80 columns), RAG counts in their colours; with no items there are no
    RAG counts, and no empty part between two dots. A scope that already names its day
    ("Islington as at the end of 2026-09-30") is not followed by it again."""
    parts: list[str | tuple[str, str]] = []
    for rag, n in by_rag.items():
        if n:
            parts += ["  "] if parts else []
            parts.append((f"{n} {rag}", RAG_STYLE[rag]))
    return Text.assemble(
        (scope, "bold"),
        f" · {today}" if today not in scope else "",
        f" · {counted(total, 'item')}",
        " · " if parts else "",
        *parts,
        "\n",
        tail,
    )


def showing(
    table: RenderableType,
    shown: int,
    total: int | None,
    noun: str,
    rest: str | None,
    *,
    latest: bool = False,
) -> RenderableType:
    """A long list cut to its first (or `latest`) screenfuls, and under it a line saying so
    and what to type for the rest: `Showing the first 50 of 30,000 actions; casey action
    list --all lists every one, --format csv all of them for a spreadsheet`."""
    if total is None or total <= shown:
        return table
    which = "latest" if latest else "first"
    return Group(
        table,
        Text(
            f"Showing the {which} {shown:,} of {total:,} {noun}; {rest or '--all'} lists "
            "every one, --format csv all of them for a spreadsheet",
            style="dim",
        ),
    )


class FitTable(Table):
    """A Rich table for people whose columns fit the width it is given without splitting a
    header word (`missin/g`): each column is at least as wide as its header's longest word,
    or its `min_width` when that is wider and its cells need it. The widths are worked out
    here and fixed on the columns before Rich draws them, because Rich shares the width of
    `ratio` columns without regard to their minimum widths.

    Columns keep the width their longest cell wants when all fit; else wrapping columns
    give way in proportion to their `ratio` (1 when none) down to their floors; `no_wrap`
    columns keep their width (with a ratio, they give way and are cut). Only a width too
    narrow for every floor splits headers, evenly. With `expand`, spare width goes to
    `ratio` columns."""

    def __init__(self, *headers: str, droppable: Sequence[str] = (), **kwargs: Any) -> None:
        """`droppable`: headers of columns left out, in this order, while the width is too
        narrow for every column's floor (the machine formats still carry them)."""
        kwargs.setdefault("title_justify", "left")
        super().__init__(*headers, **kwargs)
        self.droppable = tuple(droppable)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        made, expand = self.columns, self.expand
        # Rich draws copies of the columns with the widths worked out here, fixed (no ratios,
        # no expanding); the table keeps what its maker asked for, to be drawn again.
        self.columns = [copy(c) for c in made]
        try:
            for header in self.droppable:
                if sum(_fit(self, console, options)[1]) + _chrome(self) <= options.max_width:
                    break
                self.columns = [c for c in self.columns if c.header != header]
            for column, width in zip(self.columns, fit_widths(self, console, options), strict=True):
                column.width, column.ratio = width, None
            self.expand = False
            yield from super().__rich_console__(console, options)
        finally:
            self.columns, self.expand = made, expand


def longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _pads(table: Table) -> list[int]:
    """Each column's padding, left and right together, as Rich counts it."""
    _, right, _, left = table.padding
    if table.collapse_padding:
        left = 0
    pads = [left + right] * len(table.columns)
    if pads and not table.pad_edge:
        pads[0] -= left
        pads[-1] -= right
    return pads


def _borders(table: Table) -> int:
    if table.box is None:
        return 0
    return len(table.columns) - 1 + (2 if table.show_edge else 0)


def _chrome(table: Table) -> int:
    """Columns the table draws around its cells: borders and padding."""
    return _borders(table) + sum(_pads(table))


def _fit(table: Table, console: Console, options: ConsoleOptions) -> tuple[list[int], list[int]]:
    """Each column's natural width (its longest line, header or cell) and its floor (the
    least it may have: its header's longest word or its min_width; its natural width if it
    neither wraps nor has a ratio; its given width if it has one)."""
    natural, floor = [], []
    wide = options.update(width=max(1, options.max_width - _chrome(table)))
    for col in table.columns:
        if col.width is not None:
            natural.append(col.width)
            floor.append(col.width)
            continue
        header = col.header.plain if isinstance(col.header, Text) else str(col.header)
        want = max(
            [cell_len(line) for line in header.splitlines()]
            + [Measurement.get(console, wide, c).maximum for c in col.cells]
            + [1]
        )
        if col.max_width is not None:
            want = max(min(want, col.max_width), longest_word(header))
        natural.append(want)
        least = max(longest_word(header), col.min_width or 0, 1)
        floor.append(want if col.no_wrap and not col.ratio else min(least, want))
    return natural, floor


def _share(total: int, ratios: list[int], minimums: list[int]) -> list[int]:
    """`total` shared in proportion to `ratios`, none below its minimum (as Rich shares it,
    so tables that fit look as they did before the widths were worked out here)."""
    shares, left, ratio_left = [], total, sum(ratios)
    for ratio, least in zip(ratios, minimums, strict=True):
        share = max(least, ceil(ratio * left / ratio_left)) if ratio_left > 0 else left
        shares.append(share)
        ratio_left -= ratio
        left -= share
    return shares


def fit_widths(table: Table, console: Console, options: ConsoleOptions) -> list[int]:
    """Each column's content width (without padding) within options.max_width."""
    cols = table.columns
    natural, floor = _fit(table, console, options)
    widths = list(natural)
    chrome, pads = _chrome(table), _pads(table)
    flexible = [i for i, col in enumerate(cols) if col.ratio]
    if table.expand and flexible:
        # The ratio columns share what the others leave, padding included, as Rich does.
        left = options.max_width - _borders(table)
        left -= sum(widths[i] + pads[i] for i in range(len(cols)) if i not in flexible)
        shares = _share(
            left, [cols[i].ratio or 0 for i in flexible], [floor[i] + pads[i] for i in flexible]
        )
        for i, share in zip(flexible, shares, strict=True):
            widths[i] = share - pads[i]
    excess = sum(widths) + chrome - options.max_width
    if excess > 0:
        weight = [col.ratio or 1 for col in cols]
        # A column at a time gives way, the widest for its ratio first, down to its floor.
        while excess > 0:
            give = [i for i in range(len(cols)) if widths[i] > floor[i]]
            if not give:
                break
            i = max(give, key=lambda j: widths[j] / weight[j])
            widths[i] -= 1
            excess -= 1
        while excess > 0 and max(widths) > 1:  # too narrow for every floor: share the loss
            i = max(range(len(cols)), key=lambda j: widths[j])
            widths[i] -= 1
            excess -= 1
    elif table.expand and excess < 0:
        # No ratio column: the spare is shared in proportion to the widths (as Rich does).
        spare = _share(-excess, [w + p for w, p in zip(widths, pads, strict=True)], [0] * len(cols))
        widths = [w + extra for w, extra in zip(widths, spare, strict=True)]
    return widths
