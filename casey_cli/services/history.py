"""`casey history`: the audit trail, read-only."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casey_cli.refs import is_action_ref
from casey_cli.schemas import Event

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def query(
    tx: Tx,
    *,
    ref: str | None = None,
    borough: str | None = None,
    since: date | None = None,
    last: int | None = None,
) -> list[Event]:
    """Events oldest first; `ref` may be an action (A14, 14) or a recommendation (casey-7);
    with `last`, only the latest that many."""
    return page(tx, ref=ref, borough=borough, since=since, last=last)[0]


def page(
    tx: Tx,
    *,
    ref: str | None = None,
    borough: str | None = None,
    since: date | None = None,
    last: int | None = None,
) -> tuple[list[Event], int]:
    """`query`, and how many events match in all (counted by the store only when `last`
    left some out)."""
    key = None
    if ref:
        key = (tx.action(ref) if is_action_ref(ref) else tx.recommendation(ref)).ref
    slug = tx.borough_slug(borough) if borough else None
    events = tx.events(ref=key, borough=slug, since=since, last=None if last is None else last + 1)
    if last is None or len(events) <= last:
        return events, len(events)
    return events[1:], tx.count_events(ref=key, borough=slug, since=since)
