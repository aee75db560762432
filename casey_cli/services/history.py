"""The audit trail, read-only."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlmodel import Session, col, select

from casey_cli.models import HistoryEvent, Meeting
from casey_cli.schemas import Event
from casey_cli.services.common import (
    check_borough,
    event_from_row,
    get_action,
    get_recommendation,
    is_action_ref,
)


def query(session: Session, *, ref: str | None = None, borough: str | None = None,
          since: date | None = None) -> list[Event]:
    """Events oldest first; `ref` may be an action (A14, 14) or a recommendation (casey-7)."""
    stmt = select(HistoryEvent, Meeting).join(Meeting, isouter=True)
    if ref:
        is_action = is_action_ref(ref)
        key = (get_action(session, ref) if is_action else get_recommendation(session, ref)).ref
        stmt = stmt.where(HistoryEvent.ref == key)
    if borough:
        stmt = stmt.where(HistoryEvent.borough == check_borough(session, borough))
    if since:
        start = datetime.combine(since, time(), tzinfo=timezone.utc)
        stmt = stmt.where(col(HistoryEvent.at) >= start)
    rows = session.exec(stmt.order_by(col(HistoryEvent.id))).all()
    return [event_from_row(e, m) for e, m in rows]
