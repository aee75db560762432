"""Markdown for people who paste into papers and messages: the status report, the London
view, chase lists."""

from __future__ import annotations

from typing import Any

from casey_cli.enums import Rag
from casey_cli.io.formats import md_cell, to_markdown
from casey_cli.schemas import (
    CHASE_COLUMNS,
    LONDON_COUNTS,
    NO_OWNER,
    ChaseList,
    Item,
    LondonReport,
    LondonRow,
    StatusReport,
)
from casey_cli.text import counted, nothing_recorded, scope_name

COLUMNS = (
    "ref",
    "title",
    "borough",
    "owner",
    "status",
    "due",
    "due_text",
    "days_overdue",
    "rag",
    "reported_rag",
    "latest_update",
    "latest_update_on",
)
LONDON_COLUMNS = (*LONDON_COUNTS, *(rag.value for rag in Rag))


def _section(title: str, items: list[Item], empty: str) -> str:
    if not items:
        return f"## {title}\n\n{empty}\n"
    return f"## {title} ({len(items)})\n\n" + to_markdown(COLUMNS, [i.to_dict() for i in items])


def status_markdown(report: StatusReport | LondonReport) -> str:
    if isinstance(report, LondonReport):
        return london_markdown(report)
    s = report.summary
    rag = ", ".join(f"{n} {k}" for k, n in s.by_rag.items())
    head = (
        f"# Status: {scope_name(report.borough)} ({report.today})\n\n"
        f"{counted(s.total, 'item')} ({rag}); {s.overdue} overdue, {s.due_soon} due within "
        f"{counted(report.window_days, 'day')}, {counted(s.gaps, 'gap')}.\n"
    )
    if not s.total:  # no gaps because there is nothing: never a clean bill of health
        return f"{head}\n{nothing_recorded(report.borough)}\n"
    return "\n".join(
        [
            head,
            _section("Overdue", report.overdue, "No overdue items."),
            _section(f"Due within {report.window_days} days", report.due_soon, "Nothing due soon."),
            _section("Gaps: no owner or no due date", report.gaps, "No gaps."),
        ]
    )


def chase_markdown(chase: ChaseList) -> str:
    """One section per owner, ready to paste into a message to them."""
    out = [f"# Chase list: {chase.borough or 'all London'} ({chase.today})\n\n{chase.sentence()}\n"]
    columns = [c for c in CHASE_COLUMNS if c != "owner"]
    for group in chase.owners:
        out.append(
            f"## {md_cell(group.owner or NO_OWNER)} ({len(group.rows)})\n\n"
            + to_markdown(columns, [r.to_dict() for r in group.rows])
        )
    if not chase.owners:
        out.append("Nothing to chase.\n")
    return "\n".join(out)


def _london_record(row: LondonRow) -> dict[str, Any]:
    keys = {k: ", ".join(v) if isinstance(v, list) else v for k, v in row.keys.items()}
    return {**keys, **row.counts.to_dict(), **row.counts.by_rag}


def london_markdown(report: LondonReport) -> str:
    """The London view's rows worst first, then the force-wide row, under a headline."""
    s = report.summary
    rag = ", ".join(f"{n} {k}" for k, n in s.by_rag.items())
    keys = ("bcu", "boroughs") if report.by == "bcu" else ("borough", "name", "bcu")
    force = _london_record(report.force_wide)
    if report.by == "bcu":  # the force-wide row has no BCU: name it in that column
        force.update(bcu=report.force_wide.label, boroughs=force["borough"])
    return (
        f"# Status: all London by {report.by} ({report.today})\n\n"
        f"{counted(s.total, 'item')} ({rag}); {s.overdue} overdue, {s.due_soon} due within "
        f"{counted(report.window_days, 'day')}, {counted(s.gaps, 'gap')}, {s.slipped} "
        "slipped. Rows worst "
        "first (most overdue, then most gaps); the last row is force-wide.\n\n"
        + to_markdown(keys + LONDON_COLUMNS, [*map(_london_record, report.rows), force])
    )
