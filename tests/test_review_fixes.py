"""Regressions from the independent review: each was a real failure before its fix."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE_0001 = Path(__file__).parent / "fixtures" / "store-0001.db"


@pytest.mark.parametrize(
    "args", [["--today", "9999-12-25", "status"], ["--today", "0001-01-01", "report"]]
)
def test_today_out_of_range_is_one_line(casey, args):
    assert "out of range" in casey.error(*args)


def test_huge_windows_are_usage_errors(casey):
    casey("status", "--days", "999999999", code=2)
    casey("report", "--stale-days", "999999999", code=2)


@pytest.mark.parametrize(
    "args",
    [
        ["action", "add", "-b", "camden", "-t", "evil\x1b[2J"],
        ["action", "update", "A1", "--owner", "nul\x00owner"],
        ["meeting", "add", "bell\x07", "--date", "2026-11-01"],
    ],
)
def test_control_characters_are_refused_on_every_write(casey, isolated, args):
    from conftest import snapshot

    before = snapshot(isolated)
    assert "control character" in casey.error(*args)
    assert snapshot(isolated) == before


def test_a_leading_apostrophe_survives_the_csv_round_trip(casey, tmp_path):
    casey("action", "add", "-b", "camden", "-t", "'=SUM(1) quoted on purpose")
    out = tmp_path / "e.csv"
    casey("export", "--format", "csv", "--output", str(out))
    assert casey("load", str(out)).stdout.strip().endswith("0 updated, 49 unchanged")
    assert casey.json("action", "show", "A19")["title"] == "'=SUM(1) quoted on purpose"


def test_titles_match_whatever_their_case(casey, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("borough,title,owner\ncamden,Publish dates,A\n")
    second = tmp_path / "b.csv"
    second.write_text("borough,title,owner\ncamden,publish DATES,B\n")
    casey("load", str(first))
    assert casey("load", str(second)).stdout.strip() == "0 created, 1 updated, 0 unchanged"
    assert [a["owner"] for a in casey.json("action", "list", "-b", "camden")] == ["B"]


@pytest.mark.parametrize("args", [["db", "check"], ["db", "upgrade"], ["db", "backup", "copy.db"]])
def test_maintenance_never_creates_a_store(casey, tmp_path, args):
    db = tmp_path / "typo.db"
    err = casey.error("--db", str(db), *args)
    assert "no casey store" in err and "casey init" in err
    assert not db.exists()


def test_export_to_a_missing_folder_creates_no_store(casey, tmp_path):
    db = tmp_path / "fresh.db"
    casey.error("--db", str(db), "export", "--output", str(tmp_path / "no" / "e.csv"))
    casey.error("--db", str(db), "report", "--output", str(tmp_path / "no" / "r.html"))
    assert not db.exists()


def test_every_folder_of_a_new_store_is_owner_only(casey, tmp_path):
    db = tmp_path / "a" / "b" / "c" / "casey.db"
    casey("--db", str(db), "init")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", db.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_processes_opening_an_old_store_at_once_all_succeed(tmp_path):
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE_0001, db)
    env = {**os.environ, "CASEY_DB": str(db), "CASEY_TODAY": "2026-11-23"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "casey_cli", "status", "--format", "json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert sum("Upgraded the store" in e for e in errors) == 1
    assert len(list(tmp_path.glob("old.db.before-*"))) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["action", "update", "A2", "--status", "not-started"],
        ["rec", "update", "casey-1", "--status", "complete"],
    ],
)
def test_an_update_that_changes_nothing_says_so(casey, isolated, args):
    from conftest import snapshot

    before = snapshot(isolated)
    result = casey(*args)
    assert "unchanged" in result.stderr and "Updated" not in result.stderr
    assert result.stdout.strip() == args[2]
    assert snapshot(isolated) == before


def test_a_real_update_still_says_updated(casey):
    assert "Updated A2." in casey("action", "update", "A2", "--status", "in-progress").stderr
