"""The history hash chain: each event's SHA-256 covers its fields and the previous hash,
so changing or deleting an event outside casey breaks the chain at that point. A 'created'
event also carries the item's first values (its state, a JSON object), hashed with it.

The account that made an event (schema 0006 on) is hashed last, and only when it was
recorded: an event from before accounts were kept (account NULL) hashes exactly as it always
did, so a chain begun by an older casey-cli still verifies, and an account added to an old
event, removed from a new one or changed breaks the chain there. With an account the state
always has its place before it (null when the event has none), so a state and an account
can never be taken for one another."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from casey_cli.dates import stamp_text

# The canonical form: compact JSON of a list, UTF-8, unescaped (json.dumps(payload,
# ensure_ascii=False, separators=(",", ":"))). Built by hand from the C string encoder for
# the usual types, which gives the same bytes 4x faster on a bulk load; anything else goes
# through the encoder.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_STR: Any = json.encoder.encode_basestring


def json_value(value: Any) -> str:
    """One value in the canonical form."""
    return _STR(value) if type(value) is str else "null" if value is None else _ENCODE(value)


def canonical(payload: list[Any]) -> str:
    return "[" + ",".join([json_value(v) for v in payload]) + "]"


def event_hash(
    prev: str | None,
    at: datetime | str,
    by: str,
    kind: str,
    ref: str,
    borough: str | None,
    field: str,
    old: str | None,
    new: str | None,
    note: str | None,
    meeting_id: int | None,
    state: str | None = None,
    account: str | None = None,
) -> str:
    """`at` is the event time, or its stamp_text (a bulk write computes it once). `state`
    joins the hashed fields only when the event has one, so events written before there
    was a state (schema 0004 and older) keep the hashes they were written with; `account`
    likewise only when recorded (schema 0006 on), after the state or null in its place."""
    stamp = at if isinstance(at, str) else stamp_text(at)
    text = _STR
    try:
        tail = "" if state is None else "," + text(state)
        if account is not None:
            tail = (tail or ",null") + "," + text(account)
        # canonical() unrolled for the types an event has (text, null, a meeting's number):
        # `db check` hashes every event of the store, a million in a few seconds.
        data = (
            f"[{text(prev or '')},{text(stamp)},{text(by)},{text(kind)},{text(ref)},"
            f"{'null' if borough is None else text(borough)},{text(field)},"
            f"{'null' if old is None else text(old)},{'null' if new is None else text(new)},"
            f"{'null' if note is None else text(note)},"
            f"{'null' if meeting_id is None else _number(meeting_id)}"
            f"{tail}]"
        )
    except TypeError:  # another type (a row forged by hand): the general encoder
        payload = [prev or "", stamp, by, kind, ref, borough, field, old, new, note, meeting_id]
        if state is not None or account is not None:
            payload.append(state)
        if account is not None:
            payload.append(account)
        data = canonical(payload)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _number(value: Any) -> str:
    if type(value) is not int:
        raise TypeError(value)
    return str(value)


FOLLOW, HASH = "follow", "hash"


def link_problem(
    tip: str | None, stamp: str, prev_hash: str | None, digest: str | None, hashed: Sequence[Any]
) -> str | None:
    """Why a stored event does not extend the chain whose last hash is `tip`: FOLLOW (its
    prev_hash is not the tip: an event before it was removed or changed) or HASH (its hash
    does not cover its fields: it was changed); None when it does. `hashed` is the event's
    by, kind, ref, borough, field, old, new, note, meeting_id, state and account, in that
    order; `stamp` its time as the chain hashes it. `db check` and `db restore` both ask."""
    if prev_hash != tip:
        return FOLLOW
    if digest != event_hash(tip, stamp, *hashed):
        return HASH
    return None
