"""Issue 4 guarantees, each with a test that goes red when the guarantee is removed:
concurrent writers (busy timeout + BEGIN IMMEDIATE), crash safety (one transaction),
the tamper-evident history chain, backups, upgrades, privacy."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import sql

from casey_cli.store.versions import HEAD

FIXTURE_0001 = Path(__file__).parent / "fixtures" / "store-0001.db"


def env_for(db: Path) -> dict[str, str]:
    return {**os.environ, "CASEY_DB": str(db), "CASEY_TODAY": "2026-11-23", "CASEY_USER": "writer"}


def count(db: Path | str, statement: str) -> int:
    return int(sql(db, statement)[0][0])


WRITER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from casey_cli.cli import app
    worker, n = sys.argv[1], int(sys.argv[2])
    runner = CliRunner()
    for i in range(n):
        r = runner.invoke(app, ["action", "add", "--borough", "camden", "--title",
                                f"w{worker}-{i}", "--owner", "o", "--by", f"clerk {worker}"])
        if r.exit_code != 0:
            print(f"FAIL {worker}-{i}: {r.stderr} {r.exception!r}", flush=True)
            sys.exit(1)
    print("ok", flush=True)
""")


def test_concurrent_writers_all_succeed(isolated):
    """4 processes x 25 writes on one store (SQLite, PostgreSQL): all 100 land, none 'database
    is locked', and the history chain stays intact."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(w), "25"],
            env=env_for(isolated),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for w in range(4)
    ]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert not any("locked" in o for o in outputs)
    titles = count(isolated, "SELECT count(DISTINCT title) FROM actions WHERE title LIKE 'w_-%'")
    assert titles == 100
    check = subprocess.run(
        [sys.executable, "-m", "casey_cli", "db", "check"],
        env=env_for(isolated),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "hash chain intact" in check.stdout


@pytest.mark.sqlite_only(reason="kills a writer of a SQLite file, then PRAGMA integrity_check")
def test_killed_load_leaves_none_or_all(isolated, tmp_path):
    """SIGKILL a large load at several points: the store stays sound and holds all or none."""
    total = 20_000  # large enough that the first kills land mid-load on a fast machine
    rows = ["borough,title,owner,due"] + [
        f"hackney,Crash test {n},Owner {n},2027-01-01" for n in range(total)
    ]
    bulk = tmp_path / "bulk.csv"
    bulk.write_text("\n".join(rows) + "\n")
    outcomes = set()
    for delay in (0.05, 0.2, 0.8, 1.6, 3.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "casey_cli", "load", str(bulk)],
            env=env_for(isolated),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with closing(sqlite3.connect(isolated)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            loaded = conn.execute(
                "SELECT count(*) FROM actions WHERE title LIKE 'Crash test %'"
            ).fetchone()[0]
        assert loaded in (0, total), f"a kill after {delay}s left {loaded} of {total} rows"
        outcomes.add(loaded)
        if loaded:
            break
    assert 0 in outcomes, "no kill landed mid-load; the test proved nothing"
    check = subprocess.run(
        [sys.executable, "-m", "casey_cli", "db", "check"],
        env=env_for(isolated),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def forge(db: Path | str, statement: str) -> None:
    sql(db, statement)


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


def test_history_rows_are_never_updated_or_deleted_by_casey(casey, isolated):
    casey("action", "add", "-b", "islington", "-t", "x", "--owner", "o", "--due", "+1w")
    before = dump(isolated, "history")
    casey("action", "reschedule", "A19", "--due", "+3w", "--reason", "r")
    casey("action", "done", "A19")
    after = dump(isolated, "history")
    assert after[: len(before)] == before


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


def old_store(tmp_path: Path) -> Path:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE_0001, db)
    return db


def dump(db: Path | str, table: str) -> list[tuple]:
    return sql(db, f"SELECT * FROM {table} ORDER BY 1")


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


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_any_command_upgrades_an_old_store_after_a_backup(casey, tmp_path):
    db = old_store(tmp_path)
    result = casey("--db", str(db), "action", "show", "A19", "--format", "json")
    assert f"Upgraded the store from schema 0001 to {HEAD} (backup: " in result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == "Fixture action from schema 0001"
    assert item["slips"] == 1 and item["status"] == "complete"
    casey("--db", str(db), "action", "add", "-b", "camden", "-t", "after upgrade")
    assert "intact" in casey("--db", str(db), "db", "check").stdout


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_db_check_on_an_old_store_says_upgrade(casey, tmp_path):
    err = casey.error("--db", str(old_store(tmp_path)), "db", "check")
    assert "schema 0001" in err and "casey db upgrade" in err


@pytest.mark.sqlite_only(reason="file permissions of a SQLite store and its WAL")
def test_wal_and_shm_files_are_owner_only(casey, tmp_path):
    db = tmp_path / "private.db"
    casey("--db", str(db), "init")
    conn = sqlite3.connect(db)  # keep the WAL open so its files exist
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    try:
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    finally:
        conn.close()


@pytest.mark.sqlite_only(reason="no store: a URL whose driver is missing")
def test_passwords_never_printed(casey, monkeypatch):
    url = "postgresql+nosuchdriver://clerk:Sup3rSecret@db.example/casey"
    monkeypatch.setenv("CASEY_DB", url)
    for args in (["--help"], ["status", "--help"], ["status"], ["db", "check"]):
        result = casey.runner.invoke(__import__("casey_cli.cli").cli.app, args)
        assert "Sup3rSecret" not in result.output + (result.stderr or ""), args
    err = casey.error("status")
    assert "clerk:***@db.example" in err


@pytest.mark.parametrize("how", ["flag", "env"])
def test_who_is_recorded_as_given(casey, monkeypatch, how):
    if how == "flag":
        casey("action", "add", "-b", "camden", "-t", "x", "--by", "Named Clerk")
    else:
        monkeypatch.setenv("CASEY_USER", "Env Clerk")
        casey("action", "add", "-b", "camden", "-t", "x")
    [event] = casey.json("history", "A19")
    assert event["by"] == ("Named Clerk" if how == "flag" else "Env Clerk")
