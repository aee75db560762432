"""`casey status`: headline counts, then overdue, due soon and gaps for one borough; or, with no
borough, the London view: one row per borough (or BCU), worst first. Read path: plain SQL
through the store's Tx; the store counts (rules.sql_*), Python builds only the rows shown."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from casey_cli.enums import FORCE_WIDE
from casey_cli.run_context import RunContext
from casey_cli.schemas import Counts, Item, LondonReport, LondonRow, StatusReport
from casey_cli.store.items import Filters

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def report(tx: Tx, run: RunContext, f: Filters, limit: int | None = None) -> StatusReport:
    """One borough's counts over every item in scope (its actions plus its own plans'
    recommendations; force-wide sources count as borough `london`); the lists in the
    contract's order, each cut to `limit` items when given (a table shows the top of each
    list: only those become item objects). With no borough, `london()` gives the London view."""
    today, window = run.today, run.window
    counts = tx.count_items(f, today=today, window=window)
    overdue, due_soon, gaps = _lists(tx, run, f, limit)
    return StatusReport(
        today=today.isoformat(),
        borough=f.borough,
        window_days=window,
        summary=counts.summary(),
        overdue=overdue,
        due_soon=due_soon,
        gaps=gaps,
    )


def worst_first(row: LondonRow) -> tuple[int, int, str]:
    """Most overdue first, then most gaps, then by name."""
    return (-row.counts.overdue, -row.counts.gaps, row.label)


def london(
    tx: Tx, run: RunContext, f: Filters, by: str = "borough", *, with_items: bool = False
) -> LondonReport:
    """One row per borough (`by="bcu"`: per Basic Command Unit), every borough listed even
    with nothing in it, worst first; force-wide items (borough `london`) in a row of their
    own, outside the ranking; the headline counts everything. One GROUP BY in the store."""
    counts = tx.count_by_borough(f, today=run.today, window=run.window)
    rows: dict[str | None, LondonRow] = {}
    force_wide = LondonRow(
        {"borough": FORCE_WIDE, "name": "London-wide"},
        "London-wide (force)",
        counts.get(FORCE_WIDE, Counts()),
    )
    for slug, name, bcu in tx.boroughs():
        if slug == FORCE_WIDE:
            force_wide.keys["name"] = name
            continue
        mine = counts.get(slug, Counts())
        if by == "bcu":
            row = rows.setdefault(
                bcu, LondonRow({"bcu": bcu, "boroughs": []}, bcu or "no Met BCU", Counts())
            )
            row.keys["boroughs"].append(slug)
            row.counts.add(mine)
        else:
            rows[slug] = LondonRow({"borough": slug, "name": name, "bcu": bcu}, name, mine)
    summary = Counts()
    for borough_counts in counts.values():
        summary.add(borough_counts)
    report = LondonReport(
        today=run.today.isoformat(),
        window_days=run.window,
        by=by,
        summary=summary,
        rows=sorted(rows.values(), key=worst_first),
        force_wide=force_wide,
    )
    if with_items:
        report.overdue, report.due_soon, report.gaps = _lists(tx, run, f, None)
    return report


def _lists(
    tx: Tx, run: RunContext, f: Filters, limit: int | None
) -> tuple[list[Item], list[Item], list[Item]]:
    """Overdue, due soon and gaps, in the contract's order, each cut to `limit` items when given."""

    def listed(rule: Filters) -> list[Item]:
        return list(tx.items(rule, today=run.today, window=run.window, limit=limit))

    return (
        listed(replace(f, overdue=True)),
        listed(replace(f, due_soon_days=run.window)),
        listed(replace(f, gaps=True)),
    )
