"""`casey db ...`: check (the tamper-evident history chain, and every row against what the
history says), backup, upgrade, copy (a register moved to another store, or between
backends, with its chain intact), dump and restore (the whole register as one JSON document,
read back into a new store); none of them but restore ever creates a store."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import (
    WRITER,
    count,
    db_check,
    drop_pg_database,
    dump,
    env_for,
    old_store,
    pg_database,
    snapshot,
    sql,
    store_url,
)

from casey_cli.io import dump as dump_format
from casey_cli.store import manage as store
from casey_cli.store.versions import HEAD, KNOWN_REVISIONS


def forge(db: Path | str, statement: str) -> None:
    sql(db, statement)


# ---------------------------------------------------------------- db check


def test_db_check_passes_on_a_sound_store(casey, backend):
    casey("action", "add", "-b", "islington", "-t", "chained", "--owner", "o")
    out = casey("db", "check").stdout.splitlines()
    if backend == "sqlite":
        assert out[0] == "integrity: ok" and out[1] == "foreign keys: ok"
    else:  # the server enforces both on every write
        assert out[:2] == ["integrity: kept by PostgreSQL", "foreign keys: enforced by PostgreSQL"]
    assert out[2].endswith("events, hash chain intact")
    assert len(out[3].split(": ")[1]) == 64


def test_db_check_names_a_changed_event(casey, isolated):
    casey("action", "add", "-b", "islington", "-t", "to be forged", "--owner", "o")
    event = count(isolated, "SELECT max(id) FROM history")
    forge(isolated, f"UPDATE history SET new = 'something else' WHERE id = {event}")
    err = casey.error("db", "check")
    assert f"history event {event} " in err and "changed outside casey" in err


def test_db_check_names_the_event_after_a_deleted_one(casey, isolated):
    casey("action", "add", "-b", "islington", "-t", "a", "--owner", "o")
    casey("action", "add", "-b", "islington", "-t", "b", "--owner", "o")
    last = count(isolated, "SELECT max(id) FROM history")
    forge(isolated, f"DELETE FROM history WHERE id = {last - 1}")
    err = casey.error("db", "check")
    assert f"history event {last} does not follow" in err


def test_every_event_records_the_account_and_the_chain_covers_it(casey, isolated, account):
    """The account is the store's view of who wrote (the OS user on SQLite, the database role
    on PostgreSQL), whatever --by says; changing it, or taking it away, breaks the chain."""
    casey("action", "add", "-b", "islington", "-t", "accounted", "--by", "Someone Else")
    casey("action", "update", "A32", "--owner", "Insp B", "--status", "in-progress")
    rows = sql(isolated, "SELECT \"by\", account FROM history WHERE ref = 'A32' ORDER BY id")
    assert rows == [("Someone Else", account), ("test-clerk", account), ("test-clerk", account)]
    assert "hash chain intact" in casey("db", "check").stdout
    last = count(isolated, "SELECT max(id) FROM history")
    forge(isolated, f"UPDATE history SET account = 'auditor' WHERE id = {last}")
    assert f"history event {last} " in casey.error("db", "check")
    forge(isolated, f"UPDATE history SET account = NULL WHERE id = {last}")
    assert f"history event {last} " in casey.error("db", "check")


@pytest.mark.sqlite_only(reason="PostgreSQL cannot be made to skip a foreign key; SQLite can")
def test_db_check_catches_a_forged_action_row(casey, isolated):
    with closing(sqlite3.connect(isolated)) as conn, conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("UPDATE actions SET borough = 'atlantis' WHERE id = 1")
    err = casey.error("db", "check")
    assert "actions" in err and "missing" in err


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_db_check_on_an_old_store_says_upgrade(casey, tmp_path):
    err = casey.error("--db", str(old_store(tmp_path)), "db", "check")
    assert "schema 0001" in err and "casey db upgrade" in err


def test_db_check_names_a_row_changed_behind_caseys_back(casey, isolated):
    """The reported case: an action edited with SQL reads as intact no more. Each changed
    field is named with its stored value and the value the history gives."""
    before = casey.json("action", "show", "A2")
    sql(isolated, "UPDATE actions SET status = 'complete', owner = 'Nobody' WHERE id = 2")
    err = casey.error("db", "check")
    assert "the store differs from its history in 2 places" in err, err
    assert f'A2 owner: stored "Nobody", the history gives "{before["owner"]}"' in err, err
    assert f'A2 status: stored "complete", the history gives "{before["status"]}"' in err, err
    assert "changed outside casey" in err


def test_db_check_names_a_recommendation_and_a_time_changed_behind_caseys_back(casey, isolated):
    """Every field the history covers, recommendations' too; and `updated`, which decides
    what is stale, must be the time of the item's latest event."""
    casey("rec", "update", "casey-2", "--progress", "20")
    sql(isolated, "UPDATE recommendations SET response = 'rejected' WHERE ref = 'casey-1'")
    sql(
        isolated, "UPDATE recommendations SET updated = '2026-01-01 00:00:00' WHERE ref = 'casey-2'"
    )
    err = casey.error("db", "check")
    assert 'casey-1 response: stored "rejected", the history gives "' in err, err
    assert "casey-2 updated: stored " in err, err


def test_db_check_sees_an_edit_that_casey_later_wrote_over(casey, isolated):
    """A field changed behind casey's back and then changed again by casey matches the
    history at the end; the event that changed it does not follow the events before it."""
    sql(isolated, "UPDATE actions SET owner = 'Nobody' WHERE id = 3")
    casey("action", "update", "A3", "--owner", "Insp B")
    err = casey.error("db", "check")
    assert "A3 owner: history event " in err and 'changed it from "Nobody"' in err, err


def test_db_check_names_rows_added_or_removed_behind_caseys_back(casey, isolated):
    casey("action", "add", "-b", "camden", "-t", "to be removed")
    sql(isolated, "DELETE FROM actions WHERE id = 32")
    sql(
        isolated,
        "INSERT INTO actions (id, borough, title, status, slips, created, updated, assurance) "
        "VALUES (33, 'camden', 'slipped in', 'not-started', 0, '2026-11-23 10:00:00', "
        "'2026-11-23 10:00:00', 'unverified')",
    )
    err = casey.error("db", "check")
    assert "A33 is in the store but its history never created it" in err, err
    assert "A32 is in the history (created by event " in err and "not in the store" in err, err


def test_db_check_passes_on_an_untouched_store_after_many_commands(
    casey, isolated, tmp_path, verifier
):
    """Every way casey writes keeps the rows what the history says: adds, updates, done,
    verify, reschedule, a note alone, a recommendation's update, loads of YAML (new and
    changed actions, a meeting, evidence) and CSV, and a load of nothing new."""
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text(
        "version: 1\nmeetings:\n  - name: Panel\n    date: 2026-11-19\n    borough: camden\n"
        "actions:\n  - borough: camden\n    title: Minuted\n    due: 2026-12-21\n"
        "    meeting: Panel\n    note: Agreed\n    evidence: minutes p3\n"
        "  - ref: A3\n    borough: islington\n    title: Retitled at the panel\n"
        "    status: blocked\n    citation: minutes p4\n",
        encoding="utf-8",
    )
    sheet = tmp_path / "updates.csv"
    sheet.write_text(
        "ref,borough,title,owner,status,due,progress\n"
        "A4,camden,Moved to Camden,Insp C,in-progress,2027-02-01,40\n",
        encoding="utf-8",
    )
    casey("action", "add", "-b", "camden", "-t", "New", "--owner", "Insp A", "--due", "+2w")
    casey("action", "update", "A32", "--progress", "30", "--evidence", "link", "--note", "n")
    casey("action", "update", "A32", "--note", "a note alone")
    casey("action", "reschedule", "A32", "--due", "2027-01-31", "--reason", "staff")
    casey("action", "done", "A32", "--evidence", "minutes")
    verifier("action", "verify", "A32", "--by", "Auditor", "--evidence", "checked")
    casey("action", "update", "A32", "--status", "in-progress")  # reopened: unverified again
    casey("action", "update", "A1", "--recommendation", "casey-2")
    casey("rec", "update", "casey-1", "--status", "complete", "--owner", "MOPAC")
    casey("load", str(minutes))
    casey("load", str(minutes))  # again: nothing new
    casey("load", str(sheet))
    out = db_check(isolated)
    actions = count(isolated, "SELECT count(*) FROM actions")
    assert f"rows: 36 recommendations and {actions} actions, as the history gives them\n" in out


# ---------------------------------------------------------------- db backup


@pytest.mark.sqlite_only(reason="SQLite's online backup API (PostgreSQL: pg_dump)")
def test_backup_is_consistent_while_another_process_writes(isolated, tmp_path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, "9", "40"],
        env=env_for(isolated),
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)
    copy = tmp_path / "backup.db"
    result = subprocess.run(
        [sys.executable, "-m", "casey_cli", "db", "backup", str(copy)],
        env=env_for(isolated),
        capture_output=True,
        text=True,
    )
    writer.communicate(timeout=120)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    check = subprocess.run(
        [sys.executable, "-m", "casey_cli", "--db", str(copy), "db", "check"],
        env=env_for(copy),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    # The copy holds whole commands only: every action has its 'created' event.
    assert count(copy, "SELECT count(*) FROM actions") == count(
        copy, "SELECT count(*) FROM history WHERE field = 'created' AND kind = 'action'"
    )


@pytest.mark.sqlite_only(reason="`db backup` copies SQLite files (PostgreSQL: pg_dump)")
def test_backup_refuses_to_overwrite(casey, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    err = casey.error("db", "backup", str(target))
    assert "already exists" in err
    assert target.read_text() == "keep me"


# ---------------------------------------------------------------- db upgrade


# The columns each table has gained since the first released schema (0001).
ADDED_SINCE_0001 = {"actions": 6, "recommendations": 6, "sources": 1, "boroughs": 0, "meetings": 0}


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_upgrade_from_the_first_released_schema_keeps_every_row(casey, tmp_path):
    db = old_store(tmp_path)
    before = {
        t: dump(db, t) for t in ("actions", "recommendations", "sources", "boroughs", "meetings")
    }
    history_before = dump(db, "history")
    dry = casey("--db", str(db), "db", "upgrade", "--dry-run").stdout
    assert f"from schema 0001 to {HEAD}" in dry
    assert dump(db, "history") == history_before  # a dry run changes nothing
    assert not list(tmp_path.glob("old.db.before-*"))
    out = casey("--db", str(db), "db", "upgrade").stdout
    backups = list(tmp_path.glob(f"old.db.before-{HEAD}-*"))
    assert len(backups) == 1 and str(backups[0]) in out
    assert dump(backups[0], "history") == history_before
    for table, rows in before.items():
        after = dump(db, table)
        # Every row as it was, and the columns added since (schema 0007's update and
        # reported RAG, 0008's tracker ref and due text, 0011's as_of and a source's
        # limits) empty.
        assert [r[: len(rows[0])] for r in after] == rows, table
        assert {r[len(rows[0]) :] for r in after} == {(None,) * ADDED_SINCE_0001[table]}, table
    history_after = dump(db, "history")
    assert [r[:11] for r in history_after] == [tuple(r) for r in history_before]
    assert {r[-1] for r in history_after} == {None}  # who made them was not recorded then
    assert casey("--db", str(db), "db", "check").stdout.count("intact") == 1
    assert "nothing to do" in casey("--db", str(db), "db", "upgrade").stdout


def test_an_old_store_is_upgraded_in_place(casey, empty_store):
    """The migrations run on each backend: a store at the first schema, with an action and
    its history, is upgraded to the newest and its (back-filled) chain verifies; the action,
    created before 'created' events kept an item's first values, is checked on the fields
    its history changed."""
    first = KNOWN_REVISIONS[0]
    engine = store.make_engine(store_url(empty_store))
    with engine.begin() as conn:
        store.upgrade(conn, first)
        conn.execute(sa.text("INSERT INTO boroughs (slug, name) VALUES ('camden', 'Camden')"))
        conn.execute(
            sa.text(
                "INSERT INTO actions (id, borough, title, status, slips, created, updated, "
                "assurance) VALUES (1, 'camden', 'x', 'in-progress', 0, '2026-01-05 10:00:00', "
                "'2026-01-06 11:00:00', 'unverified')"
            )
        )
        conn.execute(
            sa.text(
                'INSERT INTO history (at, "by", kind, ref, borough, field, old, new) VALUES '
                "('2026-01-05 10:00:00', 'clerk', 'action', 'A1', 'camden', 'created', NULL, "
                "'x'), ('2026-01-06 11:00:00', 'clerk', 'action', 'A1', 'camden', 'status', "
                "'not-started', 'in-progress')"
            )
        )
    engine.dispose()
    out = casey("--db", str(empty_store), "db", "upgrade").stdout
    assert f"from schema {first} to {HEAD}" in out
    check = db_check(empty_store)
    assert "2 events, hash chain intact" in check
    assert "0 recommendations and 1 action, as the history gives them (1 item from before " in check
    # Events from before accounts were kept stay without one, and their hashes stand; a new
    # event carries its account and chains on from them.
    casey("--db", str(empty_store), "action", "add", "-b", "camden", "-t", "after")
    accounts = sql(empty_store, "SELECT account FROM history ORDER BY id")
    assert accounts[:2] == [(None,), (None,)] and accounts[2][0]
    assert "3 events, hash chain intact" in db_check(empty_store)
    # An account written into an old event breaks the chain there.
    sql(empty_store, "UPDATE history SET account = 'clerk' WHERE id = 2")
    err = casey.error("--db", str(empty_store), "db", "check")
    assert "history event 2 " in err and "changed outside casey" in err


# ---------------------------------------------------------------- db copy


def test_db_copy_moves_the_whole_register(casey, isolated, empty_store):
    """A copy holds every row with its ref, verifies there, and exports the same bytes."""
    casey(
        "action",
        "add",
        "-b",
        "camden",
        "-t",
        "Ward panels",
        "--owner",
        "Insp A",
        "--due",
        "2026-12-01",
    )
    casey("action", "update", "A32", "--progress", "40", "--note", "agreed at PPS")
    casey("action", "reschedule", "A32", "--due", "2027-01-15", "--reason", "staffing")
    out = casey("db", "copy", "--to", str(empty_store)).stdout
    assert "hash chain intact" in out and "32 actions" in out
    for fmt in ("json", "csv"):
        assert (
            casey("--db", str(empty_store), "export", "--format", fmt).stdout
            == casey("export", "--format", fmt).stdout
        )
    assert (
        casey("--db", str(empty_store), "history", "A32", "--format", "json").stdout
        == casey("history", "A32", "--format", "json").stdout
    )
    tip = [line for line in db_check(isolated).splitlines() if line.startswith("chain tip")]
    assert tip == [
        line for line in db_check(empty_store).splitlines() if line.startswith("chain tip")
    ]
    # The copy goes on as a store of its own: the next action gets the next ref.
    assert (
        casey("--db", str(empty_store), "action", "add", "-b", "camden", "-t", "next").stdout
        == "A33\n"
    )
    db_check(empty_store)


def test_db_copy_refuses_a_store_that_has_data(casey, isolated, tmp_path):
    target = tmp_path / "other.db"
    casey("--db", str(target), "init", "--no-seed")
    before = sql(target, "SELECT count(*) FROM boroughs")
    err = casey.error("db", "copy", "--to", str(target))
    assert "is not empty (it has actions, alembic_version, boroughs, ...)" in err, err
    assert "give --to an empty database or a file that does not exist yet" in err
    assert sql(target, "SELECT count(*) FROM boroughs") == before


@pytest.mark.sqlite_only(reason="a file of someone else's")
def test_db_copy_refuses_a_file_with_other_tables(casey, isolated, tmp_path):
    target = tmp_path / "notes.db"
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.commit()
    err = casey.error("db", "copy", "--to", str(target))
    assert err.startswith(f"Error: {target} is not empty (it has notes)"), err
    assert sql(target, "SELECT name FROM sqlite_master") == [("notes",)]


def test_db_copy_names_the_option_to_fix(casey, isolated, tmp_path):
    """A target that is not a database is --to's problem, not --db's; it is left alone."""
    target = tmp_path / "notes.txt"
    target.write_text("not a database\n")
    err = casey.error("db", "copy", "--to", str(target))
    assert err.endswith("file is not a database; check --to"), err
    assert target.read_text() == "not a database\n"


def test_a_failed_copy_leaves_no_file_behind(casey, isolated, tmp_path):
    """A copy that fails its check is not kept, and the new file it made (with its WAL and the
    folders made for it) goes too: nothing half-written to trip over on a retry."""
    casey("action", "add", "-b", "camden", "-t", "to be forged")
    [(last,)] = sql(isolated, "SELECT max(id) FROM history")
    sql(isolated, "UPDATE history SET note = 'forged' WHERE id = :id", id=last)
    target = tmp_path / "new" / "deeper" / "copy.db"
    err = casey.error("db", "copy", "--to", str(target))
    assert "does not match its hash" in err, err
    assert not (tmp_path / "new").exists()  # nor copy.db, copy.db-wal, copy.db-shm


@pytest.mark.postgresql_only
def test_a_sqlite_register_moves_to_postgresql_byte_for_byte(casey, tmp_path, empty_store):
    """The same data on both backends gives the same export bytes (times in UTC, the same
    order), and the history chain made on SQLite verifies on PostgreSQL."""
    laptop = tmp_path / "laptop.db"
    casey("--db", str(laptop), "init")
    casey(
        "--db",
        str(laptop),
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "Publish dates",
        "--due",
        "2026-12-03",
        "--owner",
        "Zoë Ünal",
    )
    casey(
        "--db",
        str(laptop),
        "action",
        "add",
        "-b",
        "hackney",
        "-t",
        "a-Z _ order test",
        "--due",
        "2026-12-03",
    )
    casey("--db", str(laptop), "action", "done", "A32", "--evidence", "minutes")
    casey("--db", str(laptop), "action", "verify", "A32", "--by", "auditor")
    casey("--db", str(laptop), "db", "copy", "--to", str(empty_store))
    for fmt in ("json", "csv", "markdown"):
        assert (
            casey("--db", str(empty_store), "export", "--format", fmt).stdout
            == casey("--db", str(laptop), "export", "--format", fmt).stdout
        ), fmt
    for command in (
        ["status", "--format", "json"],
        ["history", "--format", "json"],
        ["source", "list", "--format", "json"],
        ["borough", "list", "--format", "json"],
    ):
        assert (
            casey("--db", str(empty_store), *command).stdout
            == casey("--db", str(laptop), *command).stdout
        ), command
    assert db_check(empty_store).splitlines()[2:] == db_check(laptop).splitlines()[2:]


# ---------------------------------------------------------------- db dump and restore

EXPORTS = ("csv", "json", "markdown", "html", "ics", "xlsx")


def fill_register(casey, tmp_path: Path, verifier=None) -> None:
    """A register with something in every table and every kind of event: evidence,
    verification (by `verifier`, another account, when given), notes at a meeting, a slip,
    a recommendation's response, a new source."""
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text(
        "version: 1\nsources:\n  - code: camden-pledges\n    title: Camden pledges\n"
        "    published: 2026-10-01\n    borough: camden\n    recommendations:\n"
        "      - number: 1\n        title: Panels every quarter\n        response: accepted\n"
        "meetings:\n  - name: Camden panel\n    date: 2026-11-19\n    borough: camden\n"
        "actions:\n  - borough: camden\n    title: Book rooms\n    meeting: Camden panel\n"
        "    note: Agreed\n    evidence: minutes p3\n    citation: minutes p4\n",
        encoding="utf-8",
    )
    casey("load", str(minutes))  # A32
    casey("action", "add", "-b", "islington", "-t", 'Zoë\'s "quoted" panel', "--due", "+2w")
    casey("owner", "add", "Insp A", "--email", "insp.a@met.example", "--alias", "Inspector A")
    casey("owner", "add", "Borough Commander", "--organisation", "Met")
    casey("action", "update", "A33", "--owner", "Insp A", "--evidence", "line 1\nline 2")
    casey("action", "reschedule", "A33", "--due", "2027-02-01", "--reason", "staff")
    casey("action", "done", "A33", "--evidence", "minutes", "--meeting", "Camden panel")
    (verifier or casey)("action", "verify", "A33", "--by", "Auditor", "--evidence", "seen")
    casey("rec", "update", "casey-1", "--progress", "40", "--note", "half way")
    casey("meeting", "add", "Scrutiny", "--date", "2026-11-20")


def outputs(casey, db: Path | str, tmp_path: Path) -> dict[str, bytes | str]:
    """What a store shows: every export format, the history, status, the lists."""
    shown: dict[str, bytes | str] = {}
    for fmt in EXPORTS:
        out = tmp_path / f"out.{fmt}"
        out.unlink(missing_ok=True)
        casey("--db", str(db), "export", "--format", fmt, "--output", str(out))
        shown[fmt] = out.read_bytes()
    for command in (
        ["history", "--format", "json"],
        ["status", "--format", "json"],
        ["source", "list", "--format", "json"],
        ["borough", "list", "--format", "json"],
        ["meeting", "list", "--format", "json"],
        ["owner", "list", "--format", "json"],
        ["rec", "show", "casey-1", "--format", "json"],
        ["action", "show", "A33", "--format", "json"],
    ):
        shown[" ".join(command)] = casey("--db", str(db), *command).stdout
    return shown


def test_a_dump_restores_into_a_new_store_on_either_backend(
    casey, isolated, empty_store, tmp_path, verifier
):
    """Dump, restore into a new SQLite file and into a new store on this test's backend:
    every export byte for byte, the same dump again, `db check` passes with the same chain
    tip, and the refs go on where they stopped."""
    fill_register(casey, tmp_path, verifier)
    dumped = tmp_path / "register.json"
    result = casey("db", "dump", str(dumped))
    assert result.stdout == f"{dumped}\n"
    assert "33 actions, 184 history events." in result.stderr, result.stderr
    assert stat.S_IMODE(dumped.stat().st_mode) == 0o600
    document = json.loads(dumped.read_text(encoding="utf-8"))
    assert list(document)[:2] == ["format", "version"]
    assert (document["format"], document["version"]) == ("casey-cli dump", 7)
    assert all(event["account"] for event in document["history"])  # who made each
    assert [a["evidence"] for a in document["actions"] if a["id"] == 33] == [
        "line 1\nline 2\nminutes"
    ]
    original = outputs(casey, isolated, tmp_path)
    check = db_check(isolated).splitlines()
    for target in (tmp_path / "new" / "restored.db", empty_store):
        out = casey("--db", str(target), "db", "restore", str(dumped)).stdout.splitlines()
        assert out[0].startswith(f"Restored {dumped} into "), out
        assert out[1:][2:] == check[2:]  # the same events, chain tip and rows
        assert outputs(casey, target, tmp_path) == original
        again = tmp_path / "again.json"
        again.unlink(missing_ok=True)
        casey("--db", str(target), "db", "dump", str(again))
        assert again.read_bytes() == dumped.read_bytes()
        # A store of its own from here: the next refs, and the history goes on.
        assert casey("--db", str(target), "action", "add", "-b", "camden", "-t", "n").stdout == (
            "A34\n"
        )
        assert (
            "Added meeting M13"
            in casey("--db", str(target), "meeting", "add", "Next", "--date", "2026-12-01").stderr
        )
        assert "185 events, hash chain intact" in db_check(target)


@pytest.mark.postgresql_only
def test_a_register_goes_to_postgresql_and_back_by_dump(casey, tmp_path, empty_store, monkeypatch):
    """SQLite to PostgreSQL and back: each dump of the same register is the same bytes, and
    the register shows the same everywhere."""
    laptop, back = tmp_path / "laptop.db", tmp_path / "back.db"
    monkeypatch.setenv("CASEY_DB", str(laptop))
    casey("init")
    fill_register(casey, tmp_path)
    first, second, third = (tmp_path / f"{n}.json" for n in (1, 2, 3))
    casey("--db", str(laptop), "db", "dump", str(first))
    casey("--db", str(empty_store), "db", "restore", str(first))
    casey("--db", str(empty_store), "db", "dump", str(second))
    casey("--db", str(back), "db", "restore", str(second))
    casey("--db", str(back), "db", "dump", str(third))
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()
    assert outputs(casey, back, tmp_path) == outputs(casey, laptop, tmp_path)


def test_the_reader_takes_any_json_layout(casey, isolated, empty_store, tmp_path):
    """A dump passed through a JSON tool (indented, keys kept in order) still restores."""
    dumped, pretty = tmp_path / "d.json", tmp_path / "pretty.json"
    casey("db", "dump", str(dumped))
    pretty.write_text(json.dumps(json.loads(dumped.read_text()), indent=2), encoding="utf-8")
    assert (
        "hash chain intact" in casey("--db", str(empty_store), "db", "restore", str(pretty)).stdout
    )


def test_the_reader_reads_a_dump_a_few_characters_at_a_time(
    casey, isolated, empty_store, tmp_path, monkeypatch
):
    """Values cut at every place a chunk can end (a number split in two included) read the
    same: the reader never needs the whole document."""
    from casey_cli.io import dump as fmt

    dumped = tmp_path / "d.json"
    casey("action", "update", "A2", "--progress", "12")
    casey("db", "dump", str(dumped))
    monkeypatch.setattr(fmt, "CHUNK", 7)
    casey("--db", str(empty_store), "db", "restore", str(dumped))
    again = tmp_path / "again.json"
    casey("--db", str(empty_store), "db", "dump", str(again))
    assert again.read_bytes() == dumped.read_bytes()


@pytest.mark.sqlite_only(reason="compares the dump's tables with the schema's; no store")
def test_the_dump_holds_every_column_of_the_schema():
    """A new column must join the dump (and a new dump version), or a restore would lose it."""
    from sqlmodel import SQLModel

    import casey_cli.store.schema  # noqa: F401  (fills SQLModel.metadata)
    from casey_cli.io import dump as fmt

    # store_info is the store's own (its id), not the register's: the dump's head carries it.
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables if t.name != "store_info"}
    assert {name: list(columns) for name, columns in fmt.COLUMNS.items()} == {
        name: [c.name for c in t.columns] for name, t in tables.items()
    }
    order = list(fmt.COLUMNS)
    for name, t in tables.items():  # parents first: a restore inserts in this order
        for key in t.foreign_keys:
            assert order.index(key.column.table.name) < order.index(name), (name, key)


# What each dump version added, by table: an older dump's rows have none of these fields.
ADDED_IN_DUMP = {
    2: {"history": ("account",)},
    3: dict.fromkeys(
        ("recommendations", "actions"), ("latest_update", "latest_update_on", "reported_rag")
    ),
    4: dict.fromkeys(("recommendations", "actions"), ("tracker_ref", "due_text")),
    5: {},  # the store's id, in the head: a dump without one restores with a new id
    6: {},  # the owner directory: whole tables (TABLES_IN_DUMP)
    7: {
        "sources": ("limits",),
        "recommendations": ("as_of",),
        "actions": ("as_of",),
    },
}
# What each dump version added as whole tables: an older dump has no such list.
TABLES_IN_DUMP = {6: ("owners", "owner_aliases")}


@pytest.mark.sqlite_only(reason="an old SQLite store's dump, restored into a new file")
@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6])
def test_an_older_dump_restores_with_the_newer_fields_empty(casey, tmp_path, version):
    """A dump from before `account` joined the history (version 1) or before the update and
    the officer's RAG joined the items (version 2), or before the owner directory (version
    5), or before an item's `as_of` and a source's limits (version 6), restores with those
    fields null and those tables empty, and its chain still verifies; a dump of the result
    is the same rows in today's version."""
    old = old_store(tmp_path)
    casey("--db", str(old), "db", "upgrade")
    dumped = tmp_path / "now.json"
    casey("--db", str(old), "db", "dump", str(dumped))
    dropped = {}
    for newer in range(version + 1, dump_format.VERSION + 1):
        for table, names in ADDED_IN_DUMP[newer].items():
            dropped.setdefault(table, []).extend(names)
    lines = dumped.read_text(encoding="utf-8").split("\n")
    for newer in range(version + 1, dump_format.VERSION + 1):
        for name in TABLES_IN_DUMP.get(newer, ()):
            start = lines.index(f'"{name}": [')
            del lines[start : lines.index("],", start) + 1]
    table = None
    for n, line in enumerate(lines):
        if line.endswith(": ["):
            table = json.loads(line[: -len(": [")])
            continue
        if not line.startswith("{") or table not in dropped:
            continue
        comma = "," if line.endswith(",") else ""
        row = json.loads(line.rstrip(","))
        for name in dropped[table]:
            assert row.pop(name) is None  # nothing recorded before these were kept
        lines[n] = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + comma
    older = tmp_path / f"v{version}.json"
    older.write_text(
        "\n".join(lines).replace(f'"version": {dump_format.VERSION}', f'"version": {version}', 1),
        encoding="utf-8",
    )
    target = tmp_path / "new" / "restored.db"
    casey("--db", str(target), "db", "restore", str(older))
    assert "hash chain intact" in db_check(target)
    assert sql(target, "SELECT count(*) FROM history WHERE account IS NOT NULL") == [(0,)]
    again = tmp_path / "again.json"
    casey("--db", str(target), "db", "dump", str(again))
    assert again.read_bytes() == dumped.read_bytes()


def test_restore_refuses_a_store_that_has_data(casey, isolated, tmp_path):
    dumped = tmp_path / "d.json"
    casey("db", "dump", str(dumped))
    before = snapshot(isolated)
    err = casey.error("db", "restore", str(dumped))
    assert "is not empty (it has actions, alembic_version, boroughs, ...)" in err, err
    assert "restore into an empty database or a file that does not exist yet (--db)" in err
    assert snapshot(isolated) == before


def tampered(dumped: Path, table: str, change) -> str:
    """The dump with one row of `table` changed by `change(row)` (None: removed)."""
    lines = dumped.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'"{table}": [')
    for n in range(start + 1, len(lines)):
        row = json.loads(lines[n].rstrip(","))
        changed = change(row)
        if changed is not False:
            comma = "," if lines[n].endswith(",") else ""
            if changed is None:
                del lines[n]
            else:
                lines[n] = json.dumps(changed, ensure_ascii=False, separators=(",", ":")) + comma
            return "\n".join(lines)
    raise AssertionError("nothing to change")


def test_a_tampered_dump_is_refused_and_leaves_nothing(casey, isolated, tmp_path, request):
    """A changed event, a removed event, a row that is not what its history says, a row the
    store's rules refuse, a file that is not a dump or is a newer one: one line, exit 1, and
    no store left behind."""
    casey("action", "update", "A2", "--owner", "Insp B", "--note", "handed over")
    dumped = tmp_path / "d.json"
    casey("db", "dump", str(dumped))

    def event_new(row):
        return {**row, "new": "Insp C"} if row["field"] == "owner" else False

    def owner(row):
        return {**row, "owner": "Nobody"} if row["id"] == 2 else False

    def borough_name(row):
        return {**row, "name": None}

    def head(text):
        return text.replace(
            f'"version": {dump_format.VERSION}', f'"version": {dump_format.VERSION + 1}', 1
        )

    cases = {
        "event": (tampered(dumped, "history", event_new), "does not match its hash"),
        "gone": (
            tampered(dumped, "history", lambda row: None if row["id"] == 5 else False),
            "history event 6 does not follow the event before it",
        ),
        "row": (
            tampered(dumped, "actions", owner),
            "fails `casey db check` (the store differs from its history in 1 place: A2 "
            'owner: stored "Nobody", the history gives "Insp B"',
        ),
        "rules": (tampered(dumped, "boroughs", borough_name), "the store refused boroughs rows"),
        "newer": (head(dumped.read_text()), "written by a newer casey-cli"),
        "not json": ("not a dump\n", "not a casey-cli dump"),
    }
    backend = request.getfixturevalue("backend")
    for name, (text, message) in cases.items():
        bad = tmp_path / f"{name}.json"
        bad.write_text(text, encoding="utf-8")
        if backend == "sqlite":
            target: Path | str = tmp_path / "new" / f"{name}.db"
        else:
            target = pg_database(request.getfixturevalue("pg_admin"))
        err = casey.error("--db", str(target), "db", "restore", str(bad))
        assert err.startswith(f"Error: {bad}"), err
        assert message in err and "nothing was restored" in err, (name, err)
        if backend == "sqlite":
            assert not (tmp_path / "new").exists(), name
        else:
            assert sql(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
                (0,)
            ], name
            drop_pg_database(request.getfixturevalue("pg_admin"), str(target))


def test_dump_never_overwrites_a_file(casey, isolated, tmp_path):
    target = tmp_path / "exists.json"
    target.write_text("keep me")
    err = casey.error("db", "dump", str(target))
    assert "already exists" in err
    assert target.read_text() == "keep me"


@pytest.mark.postgresql_only
def test_backup_on_postgresql_writes_a_dump(casey, isolated, tmp_path, verifier):
    """`db backup` no longer sends a server's users elsewhere: it writes a dump, which
    restores into a new SQLite store as the server's register."""
    fill_register(casey, tmp_path, verifier)
    backup = tmp_path / "casey-2026-11-23.json"
    result = casey("db", "backup", str(backup))
    assert result.stdout == f"{backup}\n"
    assert "as a dump" in result.stderr and "db restore" in result.stderr
    assert "export" not in result.stderr
    restored = tmp_path / "restored.db"
    casey("--db", str(restored), "db", "restore", str(backup))
    assert outputs(casey, restored, tmp_path) == outputs(casey, isolated, tmp_path)
    assert "already exists" in casey.error("db", "backup", str(backup))


# ---------------------------------------------------------------- every db command


@pytest.mark.parametrize(
    "args",
    [
        ["db", "check"],
        ["db", "upgrade"],
        ["db", "backup", "copy.db"],
        ["db", "copy", "--to", "copy.db"],
        ["db", "dump", "d.json"],
    ],
)
def test_maintenance_never_creates_a_store(casey, tmp_path, monkeypatch, args):
    """Not even the default store: there is nothing to check, upgrade, back up or copy."""
    db = tmp_path / "typo.db"
    err = casey.error("--db", str(db), *args)
    assert err == f"Error: no casey store at {db}; create it with `casey --db {db} init`"
    monkeypatch.delenv("CASEY_DB")
    default = Path(os.environ["XDG_DATA_HOME"]) / "casey-cli" / "casey.db"
    assert casey.error(*args) == f"Error: no casey store at {default}; create it with `casey init`"
    assert not db.exists() and not default.parent.exists()
    assert not (tmp_path / "copy.db").exists()
