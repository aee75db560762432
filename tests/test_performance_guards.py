"""Speed is measured by bench/ (docs/performance.md); these tests only guard the design that
makes it possible: no heavy imports on the hot paths, and indexes behind every filter."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date

import pytest

from casey_cli.store.items import Filters, stored_items_sql

SQLITE_PLANS = pytest.mark.sqlite_only(reason="SQLite query plans and the stdlib sqlite3 driver")

HEAVY = ("sqlmodel", "sqlalchemy", "pydantic", "alembic", "openpyxl", "yaml", "jinja2", "psycopg")
PROBE = (
    "import sys, runpy; sys.argv = ['casey', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('casey_cli', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('LOADED=' + ','.join(m for m in {heavy!r} if m in sys.modules),"
    " file=sys.stderr)"
)


def loaded(args: list[str], env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    line = [x for x in out.stderr.splitlines() if x.startswith("LOADED=")]
    assert line, out.stderr
    return line[-1].removeprefix("LOADED=")


@SQLITE_PLANS
@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["status", "--help"], ["action", "add", "--help"]]
)
def test_help_and_version_import_nothing_heavy(args):
    assert loaded(args) == ""


@SQLITE_PLANS
def test_status_and_lists_on_a_current_store_import_nothing_heavy(casey, isolated):
    import os

    env = {**os.environ, "CASEY_DB": str(isolated)}
    for args in (
        ["status", "--borough", "islington"],
        ["status", "--format", "json"],
        ["action", "list", "--overdue"],
        ["export", "--format", "csv"],
        ["chase", "--format", "csv"],
        ["chase", "--borough", "islington"],
        ["action", "add", "--borough", "islington", "--title", "Fast path"],
    ):
        assert loaded(args, env) == "", args


# The ORM and its migrations belong to creating, upgrading and copying a store; every other
# command reaches a current store through its DB-API driver alone, on either backend.
ORM = ("sqlmodel", "sqlalchemy", "alembic", "pydantic")
# Every command, as run on the seeded store (each write makes what the next needs); `init` on
# an existing store only says so.
EVERY_COMMAND = (
    ["init"],
    ["status", "--borough", "islington"],
    ["status"],
    ["status", "--as-at", "2026-11-23"],
    ["export", "--format", "csv"],
    ["export", "--format", "json"],
    ["export", "--format", "markdown"],
    ["export", "--format", "xlsx", "--output", "{tmp}/x.xlsx"],
    ["export", "--format", "ics"],
    ["export", "--format", "html"],
    ["report", "--borough", "islington", "--format", "html"],
    ["report", "--as-at", "2026-11-23", "--format", "markdown"],
    ["history", "A3"],
    ["trend", "--borough", "islington"],
    ["chase", "--borough", "islington"],
    ["publish", "--output", "{tmp}/site", "--borough", "islington"],
    ["action", "add", "--borough", "islington", "--title", "Guarded", "--owner", "Someone"],
    ["action", "update", "A3", "--progress", "10"],
    ["action", "update", "A3", "--rag", "amber", "--reason", "slipping"],
    ["action", "progress", "A3", "Draft circulated", "--percent", "20"],
    ["action", "show", "A3"],
    ["action", "list", "--borough", "islington"],
    ["action", "reschedule", "A3", "--due", "2027-03-01", "--reason", "Later"],
    ["action", "done", "A3", "--evidence", "x"],
    ["action", "verify", "A3", "--by", "Auditor"],
    ["rec", "list"],
    ["rec", "show", "casey-1"],
    ["rec", "update", "casey-1", "--progress", "5"],
    ["rec", "progress", "casey-1", "Scoping agreed"],
    ["meeting", "add", "Guard panel", "--date", "2026-11-20"],
    ["meeting", "list"],
    ["owner", "add", "Guard owner", "--alias", "Guarded owner"],
    ["owner", "update", "Guard owner", "--email", "guard@example.org"],
    ["owner", "list"],
    ["owner", "merge", "Someone", "Guard owner"],
    ["source", "list"],
    ["source", "show", "casey"],
    ["borough", "list"],
    ["load", "{tmp}/minutes.yaml"],
    ["load", "{tmp}/minutes.yaml", "--dry-run"],
    ["db", "check"],
    ["db", "dump", "{tmp}/dump.json"],
    ["config", "show"],
    ["config", "get", "window"],
    ["config", "set", "window", "21"],
    ["config", "unset", "window"],
)
# A SQLite file on SQLite, a dump on PostgreSQL: neither with the ORM.
BACKUP = ["db", "backup", "{tmp}/backup.db"]


def test_every_command_on_a_current_store_imports_no_orm(casey, isolated, backend, tmp_path):
    import os

    (tmp_path / "minutes.yaml").write_text(
        "version: 1\nactions:\n  - borough: islington\n    title: Minuted\n    due: 2027-01-31\n"
    )
    env = {**os.environ, "CASEY_DB": str(isolated)}
    commands = [*EVERY_COMMAND, BACKUP]
    for args in commands:
        argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
        heavy = [m for m in loaded(argv, env).split(",") if m in ORM]
        assert heavy == [], argv


def _command_of(argv: list[str]) -> str:
    """The command an argv runs ('action add'), walking the app's command tree."""
    import typer.main

    from casey_cli.cli import app

    command, path = typer.main.get_command(app), []
    for word in argv:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command = sub
        path.append(word)
    return " ".join(path)


def test_every_command_is_guarded():
    """A new command must join EVERY_COMMAND, or be one that creates, upgrades or copies a
    store (the ORM's work): `db restore` creates the store it fills, as `db copy` does."""
    import typer.main

    from casey_cli.cli import app

    def leaves(command, prefix=()):
        for name, sub in command.commands.items():
            if hasattr(sub, "commands"):
                yield from leaves(sub, (*prefix, name))
            else:
                yield " ".join((*prefix, name))

    orm_by_design = {"db copy", "db upgrade", "db restore"}
    guarded = {_command_of(list(args)) for args in (*EVERY_COMMAND, BACKUP)}
    assert set(leaves(typer.main.get_command(app))) - guarded == orm_by_design


@SQLITE_PLANS
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (Filters(borough="islington", recommendations=False), "ix_actions_borough"),
        (Filters(recommendation="casey-1", recommendations=False), "ix_actions_recommendation"),
        (Filters(due_before=date(2026, 1, 1), recommendations=False), "ix_actions_due"),
        (Filters(overdue=True, recommendations=False), "ix_actions_due"),
    ],
)
def test_filters_use_an_index(isolated, filters, index):
    sql, params = stored_items_sql(filters, date(2026, 11, 23), "sqlite")
    with closing(sqlite3.connect(isolated)) as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    # a prefix: either index led by the column will do
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan


@SQLITE_PLANS
def test_chase_finds_each_item_last_event_through_the_history_index(isolated):
    sql, params = stored_items_sql(Filters(), date(2026, 11, 23), "sqlite", last_event=True)
    with closing(sqlite3.connect(isolated)) as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    # The latest event of actions and of recommendations, and the two events a verified
    # action's `verification` compares: each found through the index, none by a scan.
    assert plan.count("ix_history_ref_id") == 4, plan
    assert "SCAN h" not in plan and "SCAN history" not in plan, plan


@SQLITE_PLANS
def test_history_of_one_item_uses_its_index(isolated):
    with closing(sqlite3.connect(isolated)) as conn:
        plan = " ".join(
            str(r[-1])
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM history WHERE ref = 'A1' ORDER BY id"
            )
        )
    assert "ix_history_ref_id" in plan, plan


@SQLITE_PLANS
def test_matching_an_action_by_borough_and_title_uses_an_index(isolated):
    with closing(sqlite3.connect(isolated)) as conn:
        plan = " ".join(
            str(r[-1])
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM actions WHERE borough = 'camden' "
                "AND title IN ('a', 'b')"
            )
        )
    assert "ix_actions_borough_title" in plan, plan


@SQLITE_PLANS
def test_the_load_floor_writes_what_casey_writes(casey, isolated, tmp_path):
    """bench/floors.py keeps its own copy of the chain's canonical form (inlined, so the floor
    is the stack's and not casey's function calls): casey must verify what it writes, or the
    floor in docs/performance.md would be measuring a different job."""
    from pathlib import Path

    floors = Path(__file__).resolve().parent.parent / "bench" / "floors.py"
    rows = tmp_path / "actions.csv"
    rows.write_text(
        "borough,title,owner,status,due,recommendation,progress\n"
        "camden,Floor one,Insp A,in-progress,2026-12-01,,20\n"
        'islington,Floor "two" é,,not-started,,islington-plan-1,\n'
    )
    casey("status")  # the store exists, seeded
    subprocess.run([sys.executable, str(floors), "load", str(isolated), str(rows)], check=True)
    out = casey("db", "check").stdout
    assert "hash chain intact" in out
    # Its rows are what their 'created' events say, every field of them (no partial items).
    assert "as the history gives them\n" in out and "before schema" not in out
    titles = {i["title"] for i in casey.json("action", "list")}
    assert {"Floor one", 'Floor "two" é'} <= titles
