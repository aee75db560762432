"""`casey status`: headline counts, then overdue, due soon and gaps for one borough or London.
Read path: plain SQL through a Reader, the rules applied once per row."""

from __future__ import annotations

from collections import Counter

from casey_cli import rules
from casey_cli.config import Ctx
from casey_cli.enums import Rag, Status
from casey_cli.queries import Filters, Reader, as_date, item_from_row, raw_items
from casey_cli.schemas import Item, StatusReport, Summary


def report(reader: Reader, ctx: Ctx, f: Filters, limit: int | None = None) -> StatusReport:
    """Counts over every item in scope (a borough's actions plus its own plans'
    recommendations; force-wide sources count as borough `london`; everything when no
    borough is given); the lists in SPEC order, each cut to `limit` items when given (a
    table shows the top of each list: only those become item objects)."""
    today, window = ctx.today, ctx.window
    by_status: Counter[str] = Counter()
    by_rag: Counter[str] = Counter()
    lists: dict[str, list[Item]] = {"overdue": [], "due_soon": [], "gaps": []}
    counts = Counter[str]()
    for row in raw_items(reader, f, today):
        status, owner, due = row[7], row[6], as_date(row[8])
        by_status[status] += 1
        by_rag[rules.rag(status, due, today, window)] += 1
        for name, hit in (("overdue", rules.is_overdue(status, due, today)),
                          ("due_soon", rules.is_due_soon(status, due, today, window)),
                          ("gaps", rules.is_gap(status, owner, due))):
            if hit:
                counts[name] += 1
                if limit is None or len(lists[name]) < limit:
                    lists[name].append(item_from_row(row, today, window))
    summary = Summary(
        total=sum(by_status.values()),
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        by_rag={r.value: by_rag.get(r.value, 0) for r in Rag},
        overdue=counts["overdue"], due_soon=counts["due_soon"], gaps=counts["gaps"],
    )
    return StatusReport(today=today.isoformat(), borough=f.borough, window_days=window,
                        summary=summary, **lists)
