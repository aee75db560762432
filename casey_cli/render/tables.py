"""Rich tables and panels built from schemas. User text goes in Text(), never markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from casey_cli.schemas import (
    LONDON_COUNTS,
    NO_OWNER,
    ChaseList,
    ChaseRow,
    Event,
    Item,
    ItemDetail,
    LondonReport,
    LondonRow,
    Row,
    StatusReport,
    Trend,
)

RAG_STYLE = {"red": "bold red", "amber": "bold dark_orange", "green": "green",
             "blue": "blue", "grey": "dim"}


def _t(value: Any, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def rag_text(rag: str) -> Text:
    return Text(rag.upper(), style=RAG_STYLE.get(rag, ""))


ITEM_TABLE_COLUMNS = ("ref", "title", "borough", "owner", "status", "due", "rag")
COLUMN_RATIO = {"title": 4, "owner": 2, "missing": 1, "note": 3, "old": 2, "new": 3, "by": 2}
NO_WRAP = ("ref", "due", "rag", "status", "days_overdue", "at")


def items_table(items: Sequence[Item], title: str, *, extra: str | None = None,
                columns: Sequence[str] = ITEM_TABLE_COLUMNS) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    for col in columns:
        table.add_column(col.replace("_", " "), overflow="fold",
                         ratio=COLUMN_RATIO.get(col), no_wrap=col in NO_WRAP)
    if extra:
        table.add_column(extra.replace("_", " "), justify="right")
    for item in items:
        data = item.to_dict()
        cells: list[Text] = [rag_text(item.rag) if c == "rag" else _t(data.get(c))
                             for c in columns]
        if extra:
            cells.append(_t(data.get(extra)))
        table.add_row(*cells)
    return table


def section(items: Sequence[Item], title: str, empty: str, *, total: int | None = None,
            more: str | None = None, **kwargs: Any) -> RenderableType:
    """A table of items; when `total` says there are more than shown, a line says how to
    list them all."""
    total = len(items) if total is None else total
    if not total:
        return Text(empty, style="green")
    table = items_table(items, f"{title} ({total})", **kwargs)
    if total > len(items) and more:
        return Group(table, Text(f"and {total - len(items)} more: {more}", style="dim"))
    return table


def gap_reason(item: Item) -> str:
    missing = [name for name, value in (("owner", item.owner), ("due date", item.due))
               if not value]
    return "no " + " and no ".join(missing)


def _headline(scope: str, today: str, total: int, by_rag: dict[str, int], tail: str) -> Text:
    """`Scope · date · N items · n red  n amber ... · tail`, RAG counts in their colours;
    with no items there are no RAG counts, and no empty part between two dots."""
    parts: list[str | tuple[str, str]] = []
    for rag, n in by_rag.items():
        if n:
            parts += ["  "] if parts else []
            parts.append((f"{n} {rag}", RAG_STYLE[rag]))
    return Text.assemble((scope, "bold"), f" · {today} · {total} items · ", *parts,
                         " · " if parts else "", tail)


def scope_name(borough: str | None) -> str:
    return borough.replace("-", " ").title() if borough else "All London"


def status_view(report: StatusReport | LondonReport, when: str = "") -> RenderableType:
    """The status for people: one borough's lists, or the London view; `when` follows the
    scope in the headline (" as at the end of 2025-03-31")."""
    if isinstance(report, LondonReport):
        return london_view(report, when)
    return borough_view(report, when)


def borough_view(report: StatusReport, when: str = "") -> RenderableType:
    """The status for people; the report's lists may be cut to their top rows, the
    summary has the full counts."""
    s = report.summary
    scope = scope_name(report.borough) + when
    headline = _headline(scope, report.today, s.total, s.by_rag, f"{s.overdue} overdue, "
                         f"{s.due_soon} due in {report.window_days} days, {s.gaps} gaps")
    gaps = Table(title=f"Gaps: no owner or no due date ({s.gaps})",
                 title_justify="left", expand=True)
    for col in ("ref", "title", "owner", "missing"):
        gaps.add_column(col, overflow="fold", ratio=COLUMN_RATIO.get(col), no_wrap=col in NO_WRAP)
    for item in report.gaps:
        gaps.add_row(_t(item.ref), _t(item.title), _t(item.owner), _t(gap_reason(item), "yellow"))
    where = f" --borough {report.borough}"
    gap_part: RenderableType = gaps
    if s.gaps > len(report.gaps):
        gap_part = Group(gaps, Text(f"and {s.gaps - len(report.gaps)} more: casey status{where} "
                                    "--format markdown", style="dim"))
    return Group(
        headline, Text(""),
        section(report.overdue, "Overdue", "No overdue items.", extra="days_overdue",
                columns=("ref", "title", "owner", "due", "rag"), total=s.overdue,
                more=f"casey export --overdue{where} --format markdown"),
        Text(""),
        section(report.due_soon, f"Due in the next {report.window_days} days",
                f"Nothing due in the next {report.window_days} days.",
                columns=("ref", "title", "owner", "status", "due", "rag"), total=s.due_soon,
                more=f"casey status{where} --format markdown"),
        Text(""),
        gap_part if s.gaps else Text(
            "No gaps: every open item has an owner and a due date.", style="green"),
    )


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
    headline = _headline(scope_name(None) + when, report.today, s.total, s.by_rag,
                         f"{s.overdue} overdue, {s.due_soon} due in {report.window_days} "
                         f"days, {s.gaps} gaps, {s.slipped} slipped")
    by_bcu = report.by == "bcu"
    # No vertical rules, one space between columns, BCU members under the BCU's name:
    # the table fits 80 columns.
    table = Table(title=f"By {'BCU' if by_bcu else 'borough'}, worst first (most overdue, "
                  "then most gaps)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    table.add_column("BCU (boroughs)" if by_bcu else "borough", min_width=23, max_width=23,
                     no_wrap=not by_bcu, overflow="fold")
    for col in LONDON_COUNTS:
        table.add_column(col.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("RAG", no_wrap=True)

    def add(row: LondonRow, *, last: bool = False) -> None:
        c = row.counts
        label = Text(row.label)
        if by_bcu and row.keys.get("boroughs"):
            label.append("\n" + ", ".join(row.keys["boroughs"]), style="dim")
        table.add_row(label,
                      *[_t(getattr(c, col), "bold red" if col == "overdue" and c.overdue
                           else "") for col in LONDON_COUNTS],
                      rag_bar(c.by_rag), end_section=last)

    for n, row in enumerate(report.rows, start=1):
        add(row, last=n == len(report.rows))
    add(report.force_wide)
    key = Text.assemble("RAG bars, each row's items: ", *[
        part for rag, glyph in RAG_GLYPH.items()
        for part in ((f"{glyph} {rag}", RAG_STYLE[rag]), ("  ", ""))])
    return Group(headline, Text(""), table, key,
                 Text("One borough's lists: casey status --borough SLUG", style="dim"))


def rows_table(rows: Sequence[Row], title: str) -> Table:
    columns = rows[0].columns if rows else ()
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*[_t(row.values.get(c)) for c in columns])
    return table


def history_table(events: Sequence[Event], title: str = "History") -> Table:
    """The audit trail; the ref column only when events of several items are shown."""
    several = len({e.ref for e in events}) > 1
    columns = ("at", "by", "ref", "field", "old", "new", "note", "meeting") if several \
        else ("at", "by", "field", "old", "new", "note", "meeting")
    table = Table(title=title, title_justify="left", expand=True)
    for col in columns:
        table.add_column(col, overflow="fold", ratio=COLUMN_RATIO.get(col),
                         no_wrap=col in ("at", "ref", "field", "meeting"))
    for e in events:
        values = {**e.to_dict(), "at": e.at.replace("T", " ")[:16],
                  "meeting": e.meeting.split(" ", 1)[0] if e.meeting else None}
        table.add_row(*[_t(values[c]) for c in columns])
    return table


def detail_view(detail: ItemDetail) -> RenderableType:
    item = detail.item
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    fields: dict[str, Any] = {**item.to_dict(), **detail.details}
    for key, value in fields.items():
        if key in ("ref", "title") or value is None:
            continue
        grid.add_row(key.replace("_", " "), rag_text(value) if key == "rag" else _t(value))
    parts: list[RenderableType] = [Panel(grid, title=Text(f"{item.ref}  {item.title}"),
                                         title_align="left")]
    if detail.actions:
        parts.append(items_table(detail.actions, f"Actions ({len(detail.actions)})"))
    parts.append(history_table(detail.history) if detail.history
                 else Text("No history recorded.", style="dim"))
    return Group(*parts)


TREND_SERIES = (("open", "green"), ("overdue", "bold red"), ("completed", "blue"))


class TrendView:
    """One row per period, a bar per count, all bars on one scale so rows compare; the bars
    take whatever width the terminal leaves."""

    def __init__(self, trend: Trend) -> None:
        self.trend = trend

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        trend = self.trend
        top = max((getattr(p, n) for p in trend.points for n, _ in TREND_SERIES), default=0)
        digits = len(str(top))
        # period (7) + as at (10) + borders and padding (16) + a count after each bar
        width = max(4, min(30, (options.max_width - 33 - 3 * (digits + 1)) // 3))
        where = scope_name(trend.borough)
        table = Table(title=f"{where}: items at the end of each {trend.by} (to {trend.today})",
                      title_justify="left")
        table.add_column("period", no_wrap=True)
        table.add_column("as at", no_wrap=True)
        for name, _ in TREND_SERIES:
            table.add_column(name, no_wrap=True)
        for p in trend.points:
            cells = []
            for name, style in TREND_SERIES:
                value = getattr(p, name)
                # A count above zero always gets at least a sliver of bar.
                length = round(width * value / (top or 1)) or (1 if value else 0)
                cells.append(Text.assemble(("█" * length, style), " " * (width - length + 1),
                                           (str(value).rjust(digits), "bold")))
            table.add_row(_t(p.period), _t(p.as_at), *cells)
        yield table


def trend_view(trend: Trend) -> RenderableType:
    return TrendView(trend)


CHASE_ROWS = 20  # rows of each owner's table a person sees; CSV and JSON have them all
CHASE_OWNERS = 40  # owners' tables a person sees


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
        Text.assemble((f"Chase list · {scope_name(chase.borough)} · {chase.today}", "bold"),
                      " · ",
                      chase.sentence())]
    rows_left = 0
    for group in chase.owners[:CHASE_OWNERS]:
        table = Table(title=Text(f"{group.owner or NO_OWNER} ({len(group.rows)})", style="bold"),
                      title_justify="left", expand=True)
        for col in ("ref", "title", "status", "due", "late", "reasons", "updated", "last note"):
            # the last note is cut to one line: the CSV and JSON carry all of it
            table.add_column(col, overflow="ellipsis" if col == "last note" else "fold",
                             ratio=CHASE_RATIO.get(col), no_wrap=col not in ("title", "reasons"),
                             min_width=len("no due date") if col == "reasons" else None)
        for row in group.rows[:CHASE_ROWS]:
            table.add_row(_t(row.ref), _t(row.title), _t(row.status), _t(row.due),
                          _late(row, chase.today), _t(row.reasons, "yellow"),
                          _t(row.last_update), _t(row.last_note, "dim"))
        parts += [Text(""), table]
        rows_left += max(0, len(group.rows) - CHASE_ROWS)
    owners_left = chase.owners[CHASE_OWNERS:]
    if owners_left or rows_left:
        rows_left += sum(len(g.rows) for g in owners_left)
        parts.append(Text(f"and {rows_left} more items ({len(owners_left)} more owners; the "
                          f"first {CHASE_ROWS} items of each are shown): casey chase "
                          "--format csv lists them all", style="dim"))
    if not chase.owners:
        parts += [Text(""), Text("Nothing to chase.", style="green")]
    return Group(*parts)


CHASE_RATIO = {"title": 4, "reasons": 2, "last note": 3}
