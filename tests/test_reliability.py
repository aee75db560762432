"""Issue 4 guarantees, each with a test that goes red when the guarantee is removed:
concurrent writers (busy timeout + BEGIN IMMEDIATE), crash safety (one transaction), an
append-only history, upgrades on first use, privacy. The `casey db` commands that back
them (check, backup, upgrade) are tested in tests/test_db.py."""

from __future__ import annotations

import json
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import WRITER, count, dump, env_for, old_store

from casey_cli.store.versions import HEAD


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


def test_history_rows_are_never_updated_or_deleted_by_casey(casey, isolated):
    casey("action", "add", "-b", "islington", "-t", "x", "--owner", "o", "--due", "+1w")
    before = dump(isolated, "history")
    casey("action", "reschedule", "A32", "--due", "+3w", "--reason", "r")
    casey("action", "done", "A32")
    after = dump(isolated, "history")
    assert after[: len(before)] == before


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_any_command_upgrades_an_old_store_after_a_backup(casey, tmp_path):
    db = old_store(tmp_path)
    # the fixture's own action: its store was seeded by the 18-action register of schema 0001
    result = casey("--db", str(db), "action", "show", "A19", "--format", "json")
    assert f"Upgraded the store from schema 0001 to {HEAD} (backup: " in result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == "Fixture action from schema 0001"
    assert item["slips"] == 1 and item["status"] == "complete"
    casey("--db", str(db), "action", "add", "-b", "camden", "-t", "after upgrade")
    assert "intact" in casey("--db", str(db), "db", "check").stdout


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
    [event] = casey.json("history", "A32")
    assert event["by"] == ("Named Clerk" if how == "flag" else "Env Clerk")
