"""`casey status`: headline counts, then overdue, due soon and gaps for one borough or London.
Read path: plain SQL through a Reader, the rules applied once per row."""

from __future__ import annotations

from collections import Counter

from casey_cli import rules
from casey_cli.config import Ctx
from casey_cli.enums import Rag, Status
from casey_cli.queries import Filters, Reader, as_date, items
from casey_cli.schemas import Item, StatusReport, Summary


def scope_items(reader: Reader, ctx: Ctx, f: Filters) -> list[Item]:
    """A borough's actions plus its own plans' recommendations (force-wide sources count as
    borough `london`), or everything when no borough is given."""
    return list(items(reader, f, today=ctx.today, window=ctx.window))


def report(reader: Reader, ctx: Ctx, f: Filters) -> StatusReport:
    found = scope_items(reader, ctx, f)
    today = ctx.today
    overdue = [i for i in found if i.days_overdue is not None]
    due_soon = [i for i in found
                if rules.is_due_soon(i.status, as_date(i.due), today, ctx.window)]
    gaps = [i for i in found if rules.is_gap(i.status, i.owner, as_date(i.due))]
    by_status = Counter(i.status for i in found)
    by_rag = Counter(i.rag for i in found)
    summary = Summary(
        total=len(found),
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        by_rag={r.value: by_rag.get(r.value, 0) for r in Rag},
        overdue=len(overdue), due_soon=len(due_soon), gaps=len(gaps),
    )
    return StatusReport(today=today.isoformat(), borough=f.borough, window_days=ctx.window,
                        summary=summary, overdue=overdue, due_soon=due_soon, gaps=gaps)
