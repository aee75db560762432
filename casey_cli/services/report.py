"""`casey report`: the committee paper's data for one borough (or London)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.enums import RAG_ORDER
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import Comparison, Item, Report, Slip
from casey_cli.services import history, trend
from casey_cli.store import as_at
from casey_cli.store.items import Filters, as_date

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

COMPARED = ("items", "open", "overdue", "due_soon", "gaps", *RAG_ORDER)


def _headline(r: Report) -> dict[str, int]:
    return {**{k: r.totals[k] for k in COMPARED if k in r.totals}, **r.rag}


def compare(then: Report, now: Report) -> Comparison:
    old, new = _headline(then), _headline(now)
    return Comparison(then.today, [(k, old[k], new[k], new[k] - old[k]) for k in COMPARED])


def build_at(
    tx: Tx,
    run: RunContext,
    *,
    day: date | None,
    borough: str | None,
    since: date | None = None,
    compare_day: date | None = None,
) -> Report:
    """The paper as at the end of `day` (None: now), rebuilt from the history on an
    in-memory copy of the store; with `compare_day`, the change in each headline count
    since the end of that day."""
    paper_day = day or run.today
    if compare_day is not None and compare_day >= paper_day:  # before any copy is made
        raise InvalidInput(
            f"--compare {compare_day.isoformat()} is not before the "
            f"report's date ({paper_day.isoformat()}); give an earlier date"
        )
    paper = _build_on_copy(tx, run, day, borough=borough, since=since)
    if compare_day is not None:
        then = _build_on_copy(tx, run, compare_day, borough=borough, since=since, with_trend=False)
        paper.comparison = compare(then, paper)
    return paper


def _build_on_copy(tx: Tx, run: RunContext, day: date | None, **kwargs: Any) -> Report:
    if day is None:
        return build(tx, run, **kwargs)
    with as_at.at_day(tx, day) as copy:
        paper = build(copy, run.on(day), **kwargs)
    paper.as_at = day.isoformat()
    return paper


def _rag_counts(items: list[Item]) -> dict[str, int]:
    counts = Counter(i.rag for i in items)
    return {r: counts.get(r, 0) for r in RAG_ORDER}


def ref_sort_key(ref: str) -> tuple[str, int, str]:
    """A2 before A10, casey-2 before casey-10."""
    match = re.match(r"^(.*?)(\d+)$", ref)
    return (match.group(1), int(match.group(2)), ref) if match else (ref, -1, ref)


def build(
    tx: Tx,
    run: RunContext,
    *,
    borough: str | None,
    since: date | None = None,
    with_trend: bool = True,
) -> Report:
    """The paper now (run.today), with the run's due-soon window and stale days."""
    slug = tx.borough_slug(borough) if borough else None
    since = since or run.today - timedelta(days=90)
    items = list(tx.items(Filters(borough=slug), today=run.today, window=run.window))
    today = run.today
    themes = dict(tx.all("SELECT ref, theme FROM recommendations"))

    def theme_of(item: Item) -> str:
        key = item.ref if item.kind == "recommendation" else item.recommendation
        return (themes.get(key) if key else None) or "(no theme)"

    overdue = sorted(
        ((rules.ageing_band(i.days_overdue), i) for i in items if i.days_overdue is not None),
        key=lambda pair: (-(pair[1].days_overdue or 0), ref_sort_key(pair[1].ref)),
    )
    ageing = Counter(band for band, _ in overdue)
    slip_reasons: dict[str, list[str]] = {}
    slipped_refs = {i.ref for i in items if i.slips}
    if slipped_refs:
        for event in tx.events(fields=("due",)):
            if event.ref in slipped_refs and event.old and event.new and event.new > event.old:
                slip_reasons.setdefault(event.ref, []).append(
                    f"{event.old} → {event.new}: {event.note or '(no reason recorded)'}"
                )
    slipped = [
        Slip(
            i,
            rules.days_slipped(as_date(i.due), as_date(i.original_due)),
            slip_reasons.get(i.ref, []),
        )
        for i in items
        if i.slips
    ]
    gaps = [i for i in items if rules.is_gap(i.status, i.owner, as_date(i.due))]
    completed = [i for i in items if i.completed and i.completed >= since.isoformat()]
    stale = [
        i for i in items if rules.is_stale(i.status, as_date(i.updated), today, run.stale_days)
    ]
    due_soon = [i for i in items if rules.is_due_soon(i.status, as_date(i.due), today, run.window)]
    by_source: dict[str, list[Item]] = {}
    by_theme: dict[str, list[Item]] = {}
    for item in items:
        by_source.setdefault(item.source or "(local actions)", []).append(item)
        by_theme.setdefault(theme_of(item), []).append(item)
    name = "All London"
    if slug:
        name = tx.scalar("SELECT name FROM boroughs WHERE slug = :slug", {"slug": slug}) or slug
    open_items = [i for i in items if rules.is_open(i.status)]
    return Report(
        title=f"Police reform tracker: {name}",
        borough=slug,
        borough_name=name,
        today=today.isoformat(),
        since=since.isoformat(),
        window_days=run.window,
        stale_days=run.stale_days,
        totals={
            "items": len(items),
            "open": len(open_items),
            "overdue": len(overdue),
            "due_soon": len(due_soon),
            "gaps": len(gaps),
            "slipped": len(slipped),
            "stale": len(stale),
            "completed_since": len(completed),
            "verified_since": sum(1 for i in completed if i.assurance == "verified"),
            # ...of which the account that completed it also verified it (SQLite only).
            "same_account_since": sum(1 for i in completed if i.verification == "same-account"),
        },
        rag=_rag_counts(items),
        by_source={k: _rag_counts(v) for k, v in sorted(by_source.items())},
        by_theme={k: _rag_counts(v) for k, v in sorted(by_theme.items())},
        overdue=overdue,
        ageing={band: ageing.get(band, 0) for _, _, band in rules.AGEING_BANDS},
        due_soon=due_soon,
        slipped=slipped,
        gaps=gaps,
        completed=completed,
        stale=stale,
        changes=history.query(tx, borough=slug, since=since)[-50:],
        trend=trend.trend(tx, run, borough=slug, by="month", since=None) if with_trend else None,
    )
