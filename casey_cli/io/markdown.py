"""Markdown for people who paste into papers: the status report."""

from __future__ import annotations

from casey_cli.io.formats import to_markdown
from casey_cli.schemas import Item, StatusReport

COLUMNS = ("ref", "title", "borough", "owner", "status", "due", "days_overdue", "rag")


def _section(title: str, items: list[Item], empty: str) -> str:
    if not items:
        return f"## {title}\n\n{empty}\n"
    return f"## {title} ({len(items)})\n\n" + to_markdown(COLUMNS, [i.to_dict() for i in items])


def status_markdown(report: StatusReport) -> str:
    s = report.summary
    rag = ", ".join(f"{n} {k}" for k, n in s.by_rag.items())
    head = (f"# Status: {report.borough or 'all London'} ({report.today})\n\n"
            f"{s.total} items ({rag}); {s.overdue} overdue, {s.due_soon} due within "
            f"{report.window_days} days, {s.gaps} gaps.\n")
    return "\n".join([
        head,
        _section("Overdue", report.overdue, "No overdue items."),
        _section(f"Due within {report.window_days} days", report.due_soon, "Nothing due soon."),
        _section("Gaps (no owner or no due date)", report.gaps, "No gaps."),
    ])
