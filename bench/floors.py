"""The least a Python program on this stack can do for the same output: the floor under
`casey export --format csv` and `casey load X.csv`, timed by bench/run.py beside them.

    python bench/floors.py export STORE OUT.csv
    python bench/floors.py load STORE ACTIONS.csv

export: read the same stored rows through the stdlib sqlite3 driver and write them with the
C csv writer: no derived value (RAG, days overdue), no formula guard, no sort, no typer or
rich. load: read the CSV with csv.reader and write what a casey load must write, in one
transaction on the same store: the action rows (foreign keys on, as casey's connections
have them), one hash-chained 'created' history event per action with the action's first
values (its state) under the OS user's account (the canonical forms of casey_cli/chain.py
and store/writes.py), the indexes dropped and built again, then commit. No validation, no
matching against stored actions, no typer, rich or SQLAlchemy.

Standard library only, so its time is the stack's, not casey's.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import sqlite3
import sys
from datetime import UTC, datetime

EXPORT_SQL = (
    "SELECT 'A' || id, 'action', borough, NULL, recommendation, title, owner, status, due, "
    "original_due, NULL, NULL, progress, slips, assurance, created, updated, completed, NULL "
    "FROM actions"
)
ACTION_COLUMNS = (
    "id",
    "borough",
    "recommendation",
    "title",
    "owner",
    "status",
    "due",
    "original_due",
    "slips",
    "progress",
    "evidence",
    "citation",
    "created",
    "updated",
    "completed",
    "assurance",
)
EVENT_COLUMNS = (
    "at",
    '"by"',
    "kind",
    "ref",
    "borough",
    "field",
    "old",
    "new",
    "note",
    "meeting_id",
    "prev_hash",
    "hash",
    "state",
    "account",
)


def insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def export(store: str, out: str) -> None:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(
            [
                "ref",
                "kind",
                "borough",
                "source",
                "recommendation",
                "title",
                "owner",
                "status",
                "due",
                "original_due",
                "days_overdue",
                "rag",
                "progress",
                "slips",
                "assurance",
                "created",
                "updated",
                "completed",
                "verification",
            ]
        )
        writer.writerows(conn.execute(EXPORT_SQL))


def load(store: str, source: str) -> None:
    with open(source, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, cells, strict=True)) for cells in reader]
    conn = sqlite3.connect(store, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("BEGIN IMMEDIATE")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
        "tbl_name IN ('actions', 'history') AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    moment = datetime.now(UTC).replace(microsecond=0)
    stamp, hashed_at = (
        moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    [(first,)] = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM actions").fetchall()
    actions = []
    for number, r in enumerate(rows, start=first):
        due = r["due"] or None
        actions.append(
            (
                number,
                r["borough"],
                r["recommendation"] or None,
                r["title"],
                r["owner"] or None,
                r["status"] or "not-started",
                due,
                due,
                0,
                int(r["progress"]) if r["progress"] else None,
                None,
                None,
                stamp,
                stamp,
                None,
                "unverified",
            )
        )
    conn.executemany(insert("actions", ACTION_COLUMNS), actions)
    [tip] = conn.execute("SELECT hash FROM history ORDER BY id DESC LIMIT 1").fetchone() or [None]
    account = getpass.getuser()  # who writes, once per transaction, as casey records it
    text = json.encoder.encode_basestring

    def value(v: object) -> str:
        return "null" if v is None else text(str(v))

    events = []
    for row in actions:
        ref = f"A{row[0]}"
        state = (
            f'{{"borough":{value(row[1])},"recommendation":{value(row[2])},'
            f'"title":{value(row[3])},"owner":{value(row[4])},"status":{value(row[5])},'
            f'"due":{value(row[6])},"original_due":{value(row[7])},"slips":"0",'
            f'"progress":{value(row[9])},"evidence":null,"citation":null,"completed":null,'
            '"assurance":"unverified","verified_by":null,"verified_on":null,'
            '"verification_evidence":null}'
        )
        canonical = (
            f'[{text(tip or "")},"{hashed_at}","bench","action",{text(ref)},'
            f'{text(row[1])},"created",null,{text(row[3])},null,null,{text(state)},'
            f"{text(account)}]"
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        events.append(
            (
                stamp,
                "bench",
                "action",
                ref,
                row[1],
                "created",
                None,
                row[3],
                None,
                None,
                tip,
                digest,
                state,
                account,
            )
        )
        tip = digest
    conn.executemany(insert("history", EVENT_COLUMNS), events)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")


if __name__ == "__main__":
    {"export": export, "load": load}[sys.argv[1]](sys.argv[2], sys.argv[3])
