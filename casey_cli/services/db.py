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


def check(tx: Tx) -> CheckReport:
    """Verify the store; raise CheckFailed naming the first problem found."""
    integrity, foreign_keys = "n/a (not SQLite)", "n/a (not SQLite)"
    if tx.dialect == "postgresql":  # the server enforces both at every write
        integrity, foreign_keys = "kept by PostgreSQL", "enforced by PostgreSQL"
    if tx.dialect == "sqlite":
        rows = [r[0] for r in tx.all("PRAGMA integrity_check")]
        if rows != ["ok"]:
            raise CheckFailed(
                f"integrity check failed: {rows[0]}; restore from a backup "
                "(`casey db backup` makes one)"
            )
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
        "prev_hash, hash, account FROM history ORDER BY id"
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
        account,
    ) in tx.rows(sql):
        if prev_hash != prev:
            raise CheckFailed(
                f"history event {number} does not follow the event before it: "
                "an earlier event was deleted or changed outside casey"
            )
        expected = event_hash(
            prev,
            as_stamp(at) or "",
            by,
            kind,
            ref,
            borough,
            field,
            old,
            new,
            note,
            meeting_id,
            account,
        )
        if digest != expected:
            raise CheckFailed(
                f"history event {number} ({ref} {field}) does not match its "
                "hash: it was changed outside casey"
            )
        prev = digest
        count += 1
    return CheckReport(integrity, foreign_keys, count, prev)
