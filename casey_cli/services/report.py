"""`casey report`: the committee paper's data for one borough (or London)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from casey_cli import asat, queries, rules
from casey_cli.enums import Rag
from casey_cli.errors import InvalidInput
from casey_cli.models import Borough, HistoryEvent, Recommendation
from casey_cli.queries import Filters, SQLAlchemyReader, as_date
from casey_cli.schemas import Event, Item, Trend
from casey_cli.services import history, trend
from casey_cli.services.common import Ctx, check_borough, ref_sort_key

RAG_ORDER = [r.value for r in Rag]


@dataclass
class Slip:
    item: Item
    days_slipped: int
    reasons: list[str]


@dataclass
class Report:
    title: str
    borough: str | None
    borough_name: str
    today: str
    since: str
    window_days: int
    stale_days: int
    totals: dict[str, int]
    rag: dict[str, int]
    by_source: dict[str, dict[str, int]]
    by_theme: dict[str, dict[str, int]]
    overdue: list[tuple[str, Item]]
    ageing: dict[str, int]
    due_soon: list[Item]
    slipped: list[Slip]
    gaps: list[Item]
    completed: list[Item]
    stale: list[Item]
    changes: list[Event] = field(default_factory=list)
    as_at: str | None = None  # rebuilt from the history as at the end of this day
    trend: Trend | None = None
    comparison: Comparison | None = None


COMPARED = ("items", "open", "overdue", "due_soon", "gaps", *RAG_ORDER)


@dataclass
class Comparison:
    """Each headline count then (as at the end of `since`) and at the report's date."""

    since: str
    rows: list[tuple[str, int, int, int]]  # measure, then, now, change


def _headline(r: Report) -> dict[str, int]:
    return {**{k: r.totals[k] for k in COMPARED if k in r.totals}, **r.rag}


def compare(then: Report, now: Report) -> Comparison:
    old, new = _headline(then), _headline(now)
    return Comparison(then.today, [(k, old[k], new[k], new[k] - old[k]) for k in COMPARED])


def build_at(session: Session, ctx: Ctx, *, day: date | None, borough: str | None,
             since: date | None = None, compare_day: date | None = None) -> Report:
    """The paper as at the end of `day` (None: now), rebuilt from the history on an
    in-memory copy of the store; with `compare_day`, the change in each headline count
    since the end of that day."""
    paper_day = day or ctx.today
    if compare_day is not None and compare_day >= paper_day:  # before any copy is made
        raise InvalidInput(f"--compare {compare_day.isoformat()} is not before the "
                           f"report's date ({paper_day.isoformat()}); give an earlier date")
    paper = _build_on_copy(session, ctx, day, borough=borough, since=since)
    if compare_day is not None:
        then = _build_on_copy(session, ctx, compare_day, borough=borough, since=since,
                              with_trend=False)
        paper.comparison = compare(then, paper)
    return paper


def _build_on_copy(session: Session, ctx: Ctx, day: date | None, **kwargs: Any) -> Report:
    if day is None:
        return build(session, ctx, **kwargs)
    with asat.session_at(session, day) as copy:
        paper = build(copy, asat.ctx_at(ctx, day), **kwargs)
    paper.as_at = day.isoformat()
    return paper


def _rag_counts(items: list[Item]) -> dict[str, int]:
    counts = Counter(i.rag for i in items)
    return {r: counts.get(r, 0) for r in RAG_ORDER}


def build(session: Session, ctx: Ctx, *, borough: str | None, since: date | None = None,
          with_trend: bool = True) -> Report:
    """The paper now (ctx.today), with ctx's due-soon window and stale days."""
    slug = check_borough(session, borough) if borough else None
    since = since or ctx.today - timedelta(days=90)
    items = list(queries.items(SQLAlchemyReader(session.connection()), Filters(borough=slug),
                               today=ctx.today, window=ctx.window))
    today = ctx.today
    themes = dict(session.exec(select(Recommendation.ref, Recommendation.theme)).all())

    def theme_of(item: Item) -> str:
        key = item.ref if item.kind == "recommendation" else item.recommendation
        return (themes.get(key) if key else None) or "(no theme)"

    overdue = sorted(((rules.ageing_band(i.days_overdue), i) for i in items
                      if i.days_overdue is not None),
                     key=lambda pair: (-(pair[1].days_overdue or 0), ref_sort_key(pair[1].ref)))
    ageing = Counter(band for band, _ in overdue)
    slip_reasons: dict[str, list[str]] = {}
    refs = [i.ref for i in items if i.slips]
    if refs:
        for event in session.exec(
            select(HistoryEvent).where(col(HistoryEvent.ref).in_(refs),
                                       HistoryEvent.field == "due")
            .order_by(col(HistoryEvent.id))
        ).all():
            if event.old and event.new and event.new > event.old:
                slip_reasons.setdefault(event.ref, []).append(
                    f"{event.old} → {event.new}: {event.note or '(no reason recorded)'}")
    slipped = [Slip(i, rules.days_slipped(as_date(i.due), as_date(i.original_due)),
                    slip_reasons.get(i.ref, [])) for i in items if i.slips]
    gaps = [i for i in items if rules.is_gap(i.status, i.owner, as_date(i.due))]
    completed = [i for i in items if i.completed and i.completed >= since.isoformat()]
    stale = [i for i in items
             if rules.is_stale(i.status, as_date(i.updated), today, ctx.stale_days)]
    due_soon = [i for i in items if rules.is_due_soon(i.status, as_date(i.due), today, ctx.window)]
    by_source: dict[str, list[Item]] = {}
    by_theme: dict[str, list[Item]] = {}
    for item in items:
        by_source.setdefault(item.source or "(local actions)", []).append(item)
        by_theme.setdefault(theme_of(item), []).append(item)
    name = "All London"
    if slug:
        row = session.get(Borough, slug)
        name = row.name if row else slug
    open_items = [i for i in items if rules.is_open(i.status)]
    return Report(
        title=f"Police reform tracker: {name}", borough=slug, borough_name=name,
        today=today.isoformat(), since=since.isoformat(), window_days=ctx.window,
        stale_days=ctx.stale_days,
        totals={"items": len(items), "open": len(open_items), "overdue": len(overdue),
                "due_soon": len(due_soon), "gaps": len(gaps), "slipped": len(slipped),
                "stale": len(stale), "completed_since": len(completed),
                "verified_since": sum(1 for i in completed if i.assurance == "verified")},
        rag=_rag_counts(items),
        by_source={k: _rag_counts(v) for k, v in sorted(by_source.items())},
        by_theme={k: _rag_counts(v) for k, v in sorted(by_theme.items())},
        overdue=overdue,
        ageing={band: ageing.get(band, 0) for _, _, band in rules.AGEING_BANDS},
        due_soon=due_soon, slipped=slipped, gaps=gaps, completed=completed, stale=stale,
        changes=history.query(session, borough=slug, since=since)[-50:],
        trend=trend.trend(SQLAlchemyReader(session.connection()), ctx, borough=slug,
                          by="month", since=None) if with_trend else None,
    )


