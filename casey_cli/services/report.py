"""`casey report`: the committee paper's data for one borough (or London)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.enums import RAG_ORDER
from casey_cli.errors import InvalidInput
from casey_cli.run_context import SEED_USER, RunContext
from casey_cli.schemas import (
    Comparison,
    DueMove,
    Event,
    Item,
    PeriodUpdate,
    RagChange,
    Report,
    Slip,
)
from casey_cli.services import trend
from casey_cli.services.progress import update_events
from casey_cli.store import as_at
from casey_cli.store.items import Filters, as_date, last_known

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
    if since is not None and since > paper_day:
        raise InvalidInput(
            f"--since {since.isoformat()} is after the report's date "
            f"({paper_day.isoformat()}); give the day of the last meeting, or an earlier date"
        )
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


# The events of the period that the paper's "since the last meeting" section reads.
CHANGES_SHOWN = 40  # recent changes listed; the rest are counted, with the command for them


def seeded_refs(events: Iterable[Event]) -> set[str]:
    """The refs whose `created` event among `events` is the bundled register's seeding."""
    return {e.ref for e in events if e.field == "created" and e.by == SEED_USER}


def without_seeding(events: Iterable[Event], seeded: Collection[str]) -> list[Event]:
    """`events` less the bundled register's seeding of the `seeded` items: that is not news
    of a period (its items are counted as come with the register, and their dated updates
    and `as_of` are the register's past)."""
    return [e for e in events if not (e.by == SEED_USER and e.ref in seeded)]


def listed_changes(events: Sequence[Event]) -> list[Event]:
    """Of `events` (oldest first, seeding left out), the ones a list of changes shows, oldest
    first. Not creations (listed as added); not an update's date or a move's slip count (said
    by the update's and the move's own rows); not a register's `as_of` (a register date
    cleared goes with its change); not a percent set with an update (it is in the update's
    row: its note is the text)."""
    with_update = {(e.ref, e.at, e.new) for e in events if e.field == "latest_update"}
    return [
        e
        for e in events
        if e.field not in ("created", "latest_update_on", "slips", "as_of")
        and not (e.field == "progress" and (e.ref, e.at, e.note) in with_update)
    ]


def theme_name(theme: str | None) -> str:
    """A theme as a paper names it: `vulnerable-people` is 'Vulnerable people'."""
    if not theme:
        return "No theme"
    words = theme.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


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
    sources = dict(tx.all("SELECT code, title FROM sources"))

    def theme_of(item: Item) -> str:
        key = item.ref if item.kind == "recommendation" else item.recommendation
        return theme_name(themes.get(key) if key else None)

    overdue = sorted(
        ((rules.ageing_band(i.days_overdue), i) for i in items if i.days_overdue is not None),
        key=lambda pair: (-(pair[1].days_overdue or 0), ref_sort_key(pair[1].ref)),
    )
    ageing = Counter(band for band, _ in overdue)
    by_ref = {i.ref: i for i in items}
    period = tx.events(borough=slug, since=since) if items else []
    slip_reasons: dict[str, list[tuple[str, str, str | None]]] = {}
    slipped_refs = {i.ref for i in items if i.slips}
    if slipped_refs:
        for event in tx.events(fields=("due",)):
            if event.ref in slipped_refs and event.old and event.new and event.new > event.old:
                slip_reasons.setdefault(event.ref, []).append((event.old, event.new, event.note))
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
        i
        for i in items
        if rules.is_stale(i.status, last_known(i.as_of, i.updated), today, run.stale_days)
    ]
    due_soon = [i for i in items if rules.is_due_soon(i.status, as_date(i.due), today, run.window)]
    by_source: dict[str, list[Item]] = {}
    by_theme: dict[str, list[Item]] = {}
    for item in items:
        title = sources.get(item.source) if item.source else None
        by_source.setdefault(title or "Local actions (no source)", []).append(item)
        by_theme.setdefault(theme_of(item), []).append(item)
    name = "All London"
    if slug:
        name = tx.scalar("SELECT name FROM boroughs WHERE slug = :slug", {"slug": slug}) or slug
    open_items = [i for i in items if rules.is_open(i.status)]
    created = [e for e in period if e.field == "created" and e.ref in by_ref]
    seeded = seeded_refs(created)
    added = [by_ref[e.ref] for e in created if e.ref not in seeded]
    period = without_seeding(period, seeded)
    changes = listed_changes(period)[::-1]  # newest first
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
        by_source={k: _rag_counts(v) for k, v in sorted(by_source.items(), key=_largest)},
        by_theme={k: _rag_counts(v) for k, v in sorted(by_theme.items(), key=_largest)},
        overdue=overdue,
        ageing={band: ageing.get(band, 0) for _, _, band in rules.AGEING_BANDS},
        due_soon=due_soon,
        slipped=slipped,
        gaps=gaps,
        completed=completed,
        stale=stale,
        changes=changes[:CHANGES_SHOWN],
        changes_left_out=max(0, len(changes) - CHANGES_SHOWN),
        trend=trend.trend(tx, run, borough=slug, by="month", since=None) if with_trend else None,
        added=added,
        added_with_register=len(seeded),
        disagree=[i for i in items if i.reported_rag and i.reported_rag != i.rag],
        **_period(period, by_ref, since),
    )


def _largest(pair: tuple[str, list[Item]]) -> tuple[int, str]:
    """Groups with the most items first; a name breaks ties."""
    return (-len(pair[1]), pair[0])


def _period(events: list[Event], by_ref: dict[str, Item], since: date) -> dict[str, Any]:
    """The period's due-date moves, progress updates (progress.update_events pairs each with
    its date and percent; an update dated before the period, as a register's are, is not
    news of it) and officer's RAG changes, oldest first."""
    moved: list[DueMove] = []
    rag_changes: list[RagChange] = []
    for e in events:
        item = by_ref.get(e.ref)
        if item is None:
            continue
        if e.field == "due" and e.old and e.new:  # a first due date is not a move
            moved.append(DueMove(item, e.at, e.old, e.new, e.note, e.meeting, e.who))
        elif e.field == "reported_rag":
            rag_changes.append(RagChange(item, e.at, e.old, e.new, e.note, e.who))
    updates = [
        PeriodUpdate(by_ref[e.ref], day, e.new or "", percent, e.who)
        for e, day, percent in update_events(events)
        if e.ref in by_ref and day >= since.isoformat()
    ]
    return {"moved": moved, "updates": updates, "rag_changes": rag_changes}
