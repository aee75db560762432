"""The history hash chain: each event's SHA-256 covers its fields and the previous hash,
so changing or deleting an event outside casey breaks the chain at that point."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def canonical_at(at: datetime) -> str:
    """The event time as hashed: UTC, to the second (how the store keeps it)."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def event_hash(prev: str | None, at: datetime, by: str, kind: str, ref: str,
               borough: str | None, field: str, old: str | None, new: str | None,
               note: str | None, meeting_id: int | None) -> str:
    payload: list[Any] = [prev or "", canonical_at(at), by, kind, ref, borough, field, old, new,
                          note, meeting_id]
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()
