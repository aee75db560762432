"""`casey db check` and `casey db copy`: integrity, foreign keys, the history hash chain, and
every row against what the history says (store.replay)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from casey_cli.chain import FOLLOW, HASH, link_problem
from casey_cli.errors import CaseyError
from casey_cli.text import counted

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
    recommendations: int = 0
    actions: int = 0
    partial: int = 0  # items created before schema 0005, compared on changed fields only

    def lines(self) -> list[str]:
        rows = (
            f"rows: {counted(self.recommendations, 'recommendation')} and "
            f"{counted(self.actions, 'action')}, as the history gives them"
        )
        if self.partial:
            rows += (
                f" ({counted(self.partial, 'item')} from before schema 0005 checked on the "
                "fields changed since)"
            )
        return [
            f"integrity: {self.integrity}",
            f"foreign keys: {self.foreign_keys}",
            f"history: {self.events} events, hash chain intact",
            f"chain tip: {self.tip or '(no events)'}",
            rows,
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
                problems = [line for line in lines if not line.startswith("*")] or rows
                more = len(problems) - 1
                raise CheckFailed(damaged(problems[0] + (f", and {more} more" if more > 0 else "")))
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
    from casey_cli.store.replay import SHOWN, Replay

    replay = Replay()
    feed = replay.event
    # A server's times come as UTC text in SQLite's layout, so both take the fast path below
    # (a datetime a row, in the server's zone, then formatted, costs 2 s a million events).
    at = (
        "at"
        if tx.dialect == "sqlite"
        else "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    )
    sql = (
        f'SELECT id, {at}, prev_hash, hash, "by", kind, ref, borough, field, old, new, note, '
        "meeting_id, state, account FROM history ORDER BY id"
    )
    for row in tx.rows(sql):
        number, at, prev_hash, digest = row[:4]
        hashed = row[4:]
        # SQLite keeps UTC text ('2026-11-23 11:12:08.000000'); as_stamp, inlined.
        stamp = f"{at[:10]}T{at[11:19]}Z" if type(at) is str else as_stamp(at) or ""
        problem = link_problem(prev, stamp, prev_hash, digest, hashed)
        _, kind, ref, _, field, old, new, _, _, state, _ = hashed
        if problem == FOLLOW:
            raise CheckFailed(
                f"history event {number} does not follow the event before it: "
                "an earlier event was deleted or changed outside casey"
            )
        if problem == HASH:
            raise CheckFailed(
                f"history event {number} ({ref} {field}) does not match its "
                "hash: it was changed outside casey"
            )
        prev = digest
        count += 1
        feed(number, stamp, kind, ref, field, old, new, state)
    found: list[str] = []
    total = 0
    for difference in replay.differences(tx):
        total += 1
        if total <= SHOWN:
            found.append(difference.text())
    if total:
        rest = f"; {total - SHOWN} more" if total > SHOWN else ""
        raise CheckFailed(
            f"the store differs from its history in {counted(total, 'place')}: "
            f"{'; '.join(found)}{rest}; it was changed outside casey (restore a backup, or "
            "find out who changed it)"
        )
    return CheckReport(
        integrity,
        foreign_keys,
        count,
        prev,
        replay.counts["recommendation"],
        replay.counts["action"],
        replay.partial,
    )
