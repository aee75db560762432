"""`casey history`: the audit trail, read-only."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casey_cli.refs import is_action_ref
from casey_cli.schemas import Event

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def query(
    tx: Tx, *, ref: str | None = None, borough: str | None = None, since: date | None = None
) -> list[Event]:
    """Events oldest first; `ref` may be an action (A14, 14) or a recommendation (casey-7)."""
    key = None
    if ref:
        key = (tx.action(ref) if is_action_ref(ref) else tx.recommendation(ref)).ref
    return tx.events(ref=key, borough=tx.borough_slug(borough) if borough else None, since=since)
