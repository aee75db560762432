"""`casey status`: headline counts, then overdue, due soon and gaps for one borough or London."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session

from casey_cli import rules
from casey_cli.enums import Rag, Status
from casey_cli.schemas import Item, StatusReport, Summary
from casey_cli.services import actions, recs
from casey_cli.services.common import Ctx, check_borough, check_source, item_sort_key


def scope_items(session: Session, ctx: Ctx, *, borough: str | None, owner: str | None,
                source: str | None) -> list[Item]:
    """Every item in scope: a borough's actions plus its own plan's recommendations
    (London-wide sources count as borough `london`), or everything when no borough is given."""
    slug = check_borough(session, borough) if borough else None
    src = check_source(session, source) if source else None
    items = actions.query(session, ctx, borough=slug, owner=owner, source=src)
    rec_items = recs.query(session, ctx, source=src, borough=slug)
    if owner:
        needle = owner.strip().lower()
        rec_items = [i for i in rec_items if needle in (i.owner or "").lower()]
    return sorted(items + rec_items, key=item_sort_key)


def report(session: Session, ctx: Ctx, *, borough: str | None = None, owner: str | None = None,
           source: str | None = None) -> StatusReport:
    items = scope_items(session, ctx, borough=borough, owner=owner, source=source)
    today = ctx.today
    overdue = [i for i in items if i.days_overdue is not None]
    due_soon = [i for i in items if rules.is_due_soon(
        i.status, _date(i.due), today, ctx.window)]
    gaps = [i for i in items if rules.is_gap(i.status, i.owner, _date(i.due))]
    by_status = Counter(i.status for i in items)
    by_rag = Counter(i.rag for i in items)
    summary = Summary(
        total=len(items),
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        by_rag={r.value: by_rag.get(r.value, 0) for r in Rag},
        overdue=len(overdue), due_soon=len(due_soon), gaps=len(gaps),
    )
    return StatusReport(
        today=today.isoformat(), borough=borough.strip().lower() if borough else None,
        window_days=ctx.window, summary=summary,
        overdue=overdue, due_soon=due_soon, gaps=gaps,
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
