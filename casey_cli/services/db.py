"""`casey db check` and `casey db copy`: integrity, foreign keys and the history hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from casey_cli.chain import event_hash
from casey_cli.errors import CaseyError

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


class CheckFailed(CaseyError):
    """`casey db check` found damage; the message names the first place."""


@dataclass
class CheckReport:
    integrity: str
    foreign_keys: str
    events: int
    tip: str | None

    def lines(self) -> list[str]:
        return [
            f"integrity: {self.integrity}",
            f"foreign keys: {self.foreign_keys}",
            f"history: {self.events} events, hash chain intact",
            f"chain tip: {self.tip or '(no events)'}",
        ]


def damaged(detail: str) -> str:
    return (
        f"integrity check failed: {detail}; the store is damaged: restore it from a backup "
        "(`casey db backup` makes one from a sound store)"
    )


def check(tx: Tx) -> CheckReport:
    """Verify the store; raise CheckFailed naming the first problem found."""
    integrity, foreign_keys = "n/a (not SQLite)", "n/a (not SQLite)"
    if tx.dialect == "postgresql":  # the server enforces both at every write
        integrity, foreign_keys = "kept by PostgreSQL", "enforced by PostgreSQL"
    if tx.dialect == "sqlite":
        # quick_check first: it names a damaged page where integrity_check may only raise.
        for pragma in ("quick_check", "integrity_check"):
            rows = [str(r[0]) for r in tx.all(f"PRAGMA {pragma}")]
            if rows != ["ok"]:
                # A finding may start with the schema it is in ('*** in database main ***').
                lines = [line for row in rows for line in row.splitlines()]
                found = [line for line in lines if not line.startswith("*")] or rows
                more = len(found) - 1
                raise CheckFailed(damaged(found[0] + (f", and {more} more" if more > 0 else "")))
        integrity = "ok"
        bad = tx.one("PRAGMA foreign_key_check")
        if bad is not None:
            raise CheckFailed(
                f"table {bad[0]} row {bad[1]} refers to a missing {bad[2]} row; "
                "it was edited outside casey"
            )
        foreign_keys = "ok"
    prev: str | None = None
    count = 0
    from casey_cli.store.items import as_stamp

    sql = (
        'SELECT id, at, "by", kind, ref, borough, field, old, new, note, meeting_id, '
        "prev_hash, hash FROM history ORDER BY id"
    )
    for (
        number,
        at,
        by,
        kind,
        ref,
        borough,
        field,
        old,
        new,
        note,
        meeting_id,
        prev_hash,
        digest,
    ) in tx.rows(sql):
        if prev_hash != prev:
            raise CheckFailed(
                f"history event {number} does not follow the event before it: "
                "an earlier event was deleted or changed outside casey"
            )
        expected = event_hash(
            prev, as_stamp(at) or "", by, kind, ref, borough, field, old, new, note, meeting_id
        )
        if digest != expected:
            raise CheckFailed(
                f"history event {number} ({ref} {field}) does not match its "
                "hash: it was changed outside casey"
            )
        prev = digest
        count += 1
    return CheckReport(integrity, foreign_keys, count, prev)
