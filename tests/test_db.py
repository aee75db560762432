"""`casey db ...`: check (the tamper-evident history chain), backup, upgrade, and copy (a
register moved to another store, or between backends, with its chain intact); none of them
ever creates a store."""

from __future__ import annotations

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
from conftest import WRITER, count, db_check, dump, env_for, old_store, sql, store_url

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
        assert dump(db, table) == rows, table
    history_after = dump(db, "history")
    assert [r[:11] for r in history_after] == [tuple(r) for r in history_before]
    assert casey("--db", str(db), "db", "check").stdout.count("intact") == 1
    assert "nothing to do" in casey("--db", str(db), "db", "upgrade").stdout


def test_an_old_store_is_upgraded_in_place(casey, empty_store):
    """The migrations run on each backend: a store at the first schema, with history, is
    upgraded to the newest and its (back-filled) chain verifies."""
    first = KNOWN_REVISIONS[0]
    engine = store.make_engine(store_url(empty_store))
    with engine.begin() as conn:
        store.upgrade(conn, first)
        conn.execute(sa.text("INSERT INTO boroughs (slug, name) VALUES ('camden', 'Camden')"))
        conn.execute(
            sa.text(
                'INSERT INTO history (at, "by", kind, ref, borough, field, new) VALUES '
                "('2026-01-05 10:00:00', 'clerk', 'action', 'A1', 'camden', 'created', 'x'), "
                "('2026-01-06 11:00:00', 'clerk', 'action', 'A1', 'camden', 'status', 'done')"
            )
        )
    engine.dispose()
    out = casey("--db", str(empty_store), "db", "upgrade").stdout
    assert f"from schema {first} to {HEAD}" in out
    assert "2 events, hash chain intact" in db_check(empty_store)


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
    casey("action", "update", "A19", "--progress", "40", "--note", "agreed at PPS")
    casey("action", "reschedule", "A19", "--due", "2027-01-15", "--reason", "staffing")
    out = casey("db", "copy", "--to", str(empty_store)).stdout
    assert "hash chain intact" in out and "19 actions" in out
    for fmt in ("json", "csv"):
        assert (
            casey("--db", str(empty_store), "export", "--format", fmt).stdout
            == casey("export", "--format", fmt).stdout
        )
    assert (
        casey("--db", str(empty_store), "history", "A19", "--format", "json").stdout
        == casey("history", "A19", "--format", "json").stdout
    )
    tip = [line for line in db_check(isolated).splitlines() if line.startswith("chain tip")]
    assert tip == [
        line for line in db_check(empty_store).splitlines() if line.startswith("chain tip")
    ]
    # The copy goes on as a store of its own: the next action gets the next ref.
    assert (
        casey("--db", str(empty_store), "action", "add", "-b", "camden", "-t", "next").stdout
        == "A20\n"
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
    casey("--db", str(laptop), "action", "done", "A19", "--evidence", "minutes")
    casey("--db", str(laptop), "action", "verify", "A19", "--by", "auditor")
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


# ---------------------------------------------------------------- every db command


@pytest.mark.parametrize(
    "args",
    [
        ["db", "check"],
        ["db", "upgrade"],
        ["db", "backup", "copy.db"],
        ["db", "copy", "--to", "copy.db"],
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
