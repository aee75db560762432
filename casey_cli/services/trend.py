"""`casey trend`: open, overdue and completed items at the end of each month or quarter.

One pass: today's items and the history since the first period end, undone newest first,
counting at each period end on the way back (the as-at rules of `casey_cli.store.as_at`, without
rebuilding the store once per period). Plain SQL through the store's Tx, like status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from casey_cli import rules
from casey_cli.dates import add_months
from casey_cli.enums import Status
from casey_cli.run_context import RunContext
from casey_cli.schemas import Trend, TrendPoint
from casey_cli.store.as_at import end_of_day, events_after, first_event, london_day
from casey_cli.store.items import Filters, as_date, as_stamp, stored_items

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

STEP = {"month": 1, "quarter": 3}
DEFAULT_PERIODS = {"month": 12, "quarter": 8}


def _label(start: date, by: str) -> str:
    if by == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _period_start(day: date, by: str) -> date:
    month = day.month - (day.month - 1) % STEP[by]
    return date(day.year, month, 1)


def period_ends(since: date, today: date, by: str) -> list[tuple[str, date]]:
    """(label, last day) of each period from the one holding `since` to the one holding
    `today`; the unfinished last period ends today."""
    start = _period_start(since, by)
    ends = []
    while True:
        following = add_months(start, STEP[by])
        end = following - timedelta(days=1)
        if end >= today:
            ends.append((_label(start, by), today))
            return ends
        ends.append((_label(start, by), end))
        start = following


def default_since(tx: Tx, today: date, by: str) -> date:
    """The period the history starts in (a store knows nothing before it), at most
    12 months or 8 quarters back."""
    earliest = add_months(_period_start(today, by), -STEP[by] * (DEFAULT_PERIODS[by] - 1))
    start = first_event(tx)
    if start is None:
        return today
    return min(today, max(earliest, london_day(start)))


def trend(tx: Tx, run: RunContext, *, borough: str | None, by: str, since: date | None) -> Trend:
    """Counts at each period end for one borough (or every item); `borough` is a checked
    slug. Open and overdue follow the status rules as at that day; completed counts the items
    whose status was complete then (a running total)."""
    today = run.today
    since = since or default_since(tx, today, by)
    ends = period_ends(since, today, by)
    events = events_after(tx, end_of_day(ends[0][1]))
    # Only the borough's items, unless an action moved borough in the period (a load can
    # do that): then every item, each counted where it was at each period end.
    moved = any(e.field == "borough" for e in events)
    scope = Filters() if moved else Filters(borough=borough)
    # ref -> [borough, status, due, exists]
    state = {
        row[0]: [row[2], row[7], as_date(row[8]), True] for row in stored_items(tx, scope, today)
    }
    points = []
    undone = 0
    for label, end in reversed(ends):
        cut = as_stamp(end_of_day(end)) or ""
        while undone < len(events) and events[undone].at >= cut:
            event = events[undone]
            undone += 1
            item = state.get(event.ref)
            if item is None:
                continue
            if event.field == "created":
                item[3] = False
            elif event.field == "status":
                item[1] = event.old
            elif event.field == "due":
                item[2] = as_date(event.old)
            elif event.field == "borough":
                item[0] = event.old
        open_n = overdue = completed = 0
        for where, status, due, exists in state.values():
            if not exists or (borough is not None and where != borough):
                continue
            if rules.is_open(status):
                open_n += 1
                overdue += rules.is_overdue(status, due, end)
            elif status == Status.COMPLETE.value:
                completed += 1
        points.append(TrendPoint(label, end.isoformat(), open_n, overdue, completed))
    points.reverse()
    return Trend(
        today=today.isoformat(), borough=borough, by=by, since=since.isoformat(), points=points
    )
