"""The register as its history tells it: every event replayed in order, then compared with
every row of the actions and recommendations tables.

A 'created' event records the item's first values (its state, store.writes.STATE_FIELDS);
each later event changes one field from `old` to `new`. Replaying them gives each field's
value now, which must be the stored one, and each event's `old` must be the value the
events before it gave: a row changed outside casey shows up either way, even after casey
has changed the same field again. The item's `created` and `updated` must be the times of
its first and latest events. Items created before schema 0005 have no state: only the
fields their history changes are known, and only those are compared. An event's account
(schema 0006) is who made it, not a field of the item: it is not replayed (the chain
covers it).

Events stream in id order (the chain check reads them in the same pass, services.db); each
item's values are kept until the rows are read, a dict of a few strings an item."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casey_cli.store.items import as_stamp
from casey_cli.store.writes import ACTION_STATE, REC_STATE, STATE_FIELDS, as_text

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

SHOWN = 3  # differences named in the one line `db check` prints
_CUT = 60  # characters of a value shown


@dataclass(frozen=True)
class Difference:
    """One place where the store and its history disagree."""

    ref: str
    field: str  # a column, or '' for the whole row
    stored: str | None = None
    history: str | None = None
    event: int | None = None  # the event whose `old` did not follow the events before it
    why: str = ""  # for a whole row: what is wrong with it

    def text(self) -> str:
        if not self.field:
            return f"{self.ref} {self.why}"
        if self.event is not None:
            return (
                f"{self.ref} {self.field}: history event {self.event} changed it from "
                f"{_shown(self.stored)}, but the events before it give {_shown(self.history)}"
            )
        return (
            f"{self.ref} {self.field}: stored {_shown(self.stored)}, "
            f"the history gives {_shown(self.history)}"
        )


def _shown(value: str | None) -> str:
    """A value on one line: JSON-quoted (newlines escaped), cut short; null when empty."""
    if value is not None and len(value) > _CUT:
        value = value[: _CUT - 1] + "…"
    return json.dumps(value, ensure_ascii=False)


_INDEX = {kind: {name: n for n, name in enumerate(names)} for kind, names in STATE_FIELDS.items()}
UNKNOWN: Any = object()  # a field of an item from before schema 0005 that no event changed


def _state(kind: str, text: str) -> list[Any] | None:
    """A 'created' event's state as a list in the kind's field order; None if unreadable.
    Values are interned: a status, a slug, a date is then one string for every item."""
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    intern = sys.intern
    return [
        intern(v) if type(v) is str else v
        for v in (values.get(name) for name in STATE_FIELDS[kind])
    ]


class _Item:
    __slots__ = ("kind", "values", "full", "created", "last", "created_id")

    def __init__(self, kind: str, values: list[Any], full: bool) -> None:
        self.kind, self.values, self.full = kind, values, full
        self.created = ""  # the times of its first and latest events, as as_stamp gives them
        self.last = ""
        self.created_id: int | None = None


class Replay:
    """Fed every event in id order (`event`), then compares the rows (`differences`)."""

    def __init__(self) -> None:
        self.items: dict[str, _Item] = {}
        self.found: list[Difference] = []
        self.counts = {"action": 0, "recommendation": 0}
        self.partial = 0  # items created before schema 0005: only changed fields compared

    def event(
        self,
        number: int,
        at: str,
        kind: str,
        ref: str,
        field: str,
        old: str | None,
        new: str | None,
        state: str | None,
    ) -> None:
        index = _INDEX.get(kind)
        if index is None:
            return  # no row of its own (none are written today)
        item = self.items.get(ref)
        if field == "created":
            self._created(item, number, at, kind, ref, new, state)
            return
        if item is None:  # an old store's event before its item's 'created'
            item = self.items[ref] = _Item(kind, [UNKNOWN] * len(index), False)
        item.last = at
        n = index.get(field)
        if n is None:
            return  # a note: changes only `updated`
        values = item.values
        value = values[n]
        if value is not UNKNOWN and value != old:
            self.found.append(Difference(ref, field, old, value, event=number))
        values[n] = sys.intern(new) if type(new) is str and len(new) < 40 else new

    def _created(
        self,
        item: _Item | None,
        number: int,
        at: str,
        kind: str,
        ref: str,
        new: str | None,
        state: str | None,
    ) -> None:
        if item is not None and item.created_id is not None:
            self.found.append(Difference(ref, "", why=f"is created twice (history event {number})"))
            return
        values = _state(kind, state) if state is not None else None
        full = values is not None
        if values is None:
            if state is not None:
                why = f"has a 'created' event ({number}) whose state is not a JSON object"
                self.found.append(Difference(ref, "", why=why))
            values = [UNKNOWN] * len(_INDEX[kind])
            values[_INDEX[kind]["title"]] = new  # a 'created' event's `new` is the title
        if item is None:
            item = self.items[ref] = _Item(kind, values, full)
        else:  # events before it (an old store's odd order) know better than its state
            item.values = [
                v if w is UNKNOWN else w for v, w in zip(values, item.values, strict=True)
            ]
            item.full = full
        item.created, item.created_id = at, number
        item.last = at

    def differences(self, tx: Tx) -> Iterator[Difference]:
        """Every row compared with the history, then the items the history has and the
        store does not; the differences found while replaying come first."""
        yield from self.found
        items = self.items
        action_sql = f"SELECT id, {', '.join(ACTION_STATE)}, created, updated FROM actions"
        for row in tx.rows(action_sql + " ORDER BY id"):
            ref = f"A{row[0]}"
            yield from self._compare(items.pop(ref, None), "action", ref, ACTION_STATE, row)
        rec_sql = (
            f"SELECT ref, {', '.join(REC_STATE)}, created, updated, source, number "
            "FROM recommendations"
        )
        for row in tx.rows(rec_sql + " ORDER BY ref"):
            ref = row[0]
            if ref != f"{row[-2]}-{row[-1]}":
                yield Difference(
                    ref, "", why=f"has source {row[-2]} and number {row[-1]}: not its ref"
                )
            yield from self._compare(items.pop(ref, None), "recommendation", ref, REC_STATE, row)
        for ref, item in items.items():
            if item.created_id is not None:
                yield Difference(
                    ref,
                    "",
                    why=f"is in the history (created by event {item.created_id}) but not "
                    "in the store",
                )
            else:  # an old store's events without a 'created' one: no row to find
                yield Difference(
                    ref, "", why="has history events but no 'created' event and no row"
                )

    def _compare(
        self,
        item: _Item | None,
        kind: str,
        ref: str,
        fields: tuple[str, ...],
        row: tuple[Any, ...],
    ) -> Iterator[Difference]:
        if item is None or item.kind != kind or item.created_id is None:
            yield Difference(ref, "", why="is in the store but its history never created it")
            return
        self.counts[kind] += 1
        values = item.values
        for n, name in enumerate(fields):
            value = values[n]
            if value is UNKNOWN:
                continue
            stored = as_text(row[n + 1])
            if stored != value:
                yield Difference(ref, name, stored, value)
        if not item.full:
            self.partial += 1
            return
        created, updated = row[len(fields) + 1], row[len(fields) + 2]
        if as_stamp(created) != item.created:
            yield Difference(ref, "created", as_stamp(created), item.created)
        if as_stamp(updated) != item.last:
            yield Difference(ref, "updated", as_stamp(updated), item.last)
