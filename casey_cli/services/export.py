"""`casey export`: every item in scope (actions and recommendations), filtered like
`casey action list`, in SPEC order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from casey_cli import rules
from casey_cli.schemas import Item
from casey_cli.services import actions, recs
from casey_cli.services.common import (
    Ctx,
    check_borough,
    check_source,
    get_recommendation,
    item_sort_key,
)


def items(
    session: Session, ctx: Ctx, *, borough: str | None = None, owner: str | None = None,
    statuses: Sequence[str] = (), source: str | None = None, recommendation: str | None = None,
    due_before: date | None = None, overdue: bool = False,
) -> list[Item]:
    slug = check_borough(session, borough) if borough else None
    src = check_source(session, source) if source else None
    wanted = [rules.normalise_status(s) for s in statuses]
    found = actions.query(session, ctx, borough=slug, owner=owner, statuses=wanted, source=src,
                          recommendation=recommendation, due_before=due_before, overdue=overdue)
    if recommendation:
        rec = get_recommendation(session, recommendation)
        rec_items = [i for i in recs.query(session, ctx) if i.ref == rec.ref]
    else:
        rec_items = recs.query(session, ctx, source=src, borough=slug)
    needle = (owner or "").strip().lower()
    rec_items = [
        i for i in rec_items
        if (not needle or needle in (i.owner or "").lower())
        and (not wanted or i.status in wanted)
        and (due_before is None or (i.due is not None and i.due < due_before.isoformat()))
        and (not overdue or i.days_overdue is not None)
    ]
    return sorted(found + rec_items, key=item_sort_key)
