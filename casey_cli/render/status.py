"""`casey status` for people: one borough's lists, or the London view."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from casey_cli.render.common import (
    COLUMN_RATIO,
    NO_WRAP,
    FitTable,
    cell,
    headline,
    title_cell,
)
from casey_cli.render.items import section
from casey_cli.render.london import london_view
from casey_cli.schemas import Item, LondonReport, StatusReport
from casey_cli.text import counted, nothing_recorded, scope_name


def gap_reason(item: Item) -> str:
    """What an open item lacks: 'no owner, no due date (TBC)', with its tracker's words."""
    missing = [name for name, value in (("owner", item.owner), ("due date", item.due)) if not value]
    said = f" ({item.due_text})" if item.due_text else ""
    return ", ".join(f"no {name}{said if name == 'due date' else ''}" for name in missing)


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
    top = headline(
        scope,
        report.today,
        s.total,
        s.by_rag,
        f"{s.overdue} overdue, {s.due_soon} due in {counted(report.window_days, 'day')}, "
        f"{counted(s.gaps, 'gap')}",
    )
    if not s.total:  # no gaps because there is nothing: never a clean bill of health
        return Group(top, Text(""), Text(nothing_recorded(report.borough), style="yellow"))
    gaps = FitTable(title=f"Gaps: no owner or no due date ({s.gaps})", expand=True)
    for col in ("ref", "title", "owner"):
        gaps.add_column(col, overflow="fold", ratio=COLUMN_RATIO.get(col), no_wrap=col in NO_WRAP)
    gaps.add_column("missing", width=len("no due date"))
    for item in report.gaps:
        gaps.add_row(
            cell(item.ref),
            title_cell(item.title, item.latest_update, item.latest_update_on),
            cell(item.owner),
            cell(gap_reason(item), "yellow"),
        )
    where = f" --borough {report.borough}"
    gap_part: RenderableType = gaps
    if s.gaps > len(report.gaps):
        gap_part = Group(
            gaps,
            Text(
                f"and {s.gaps - len(report.gaps)} more: casey status{where} --format markdown",
                style="dim",
            ),
        )
    return Group(
        top,
        Text(""),
        section(
            report.overdue,
            "Overdue",
            "No overdue items.",
            extra="days_overdue",
            columns=("ref", "title", "owner", "due", "rag"),
            total=s.overdue,
            more=f"casey export --overdue{where} --format markdown",
        ),
        Text(""),
        section(
            report.due_soon,
            f"Due in the next {report.window_days} days",
            f"Nothing due in the next {report.window_days} days.",
            columns=("ref", "title", "owner", "status", "due", "rag"),
            total=s.due_soon,
            more=f"casey status{where} --format markdown",
        ),
        Text(""),
        gap_part
        if s.gaps
        else Text("No gaps: every open item has an owner and a due date.", style="green"),
    )
