"""`status --as-at`, `report --as-at / --compare` and `trend`: the register rebuilt from the
history matches what the CLI showed at the time.

History times are the real clock (SPEC 2), so a timeline with changes on known days runs the
real CLI under time-machine's clock; every other input is the real CLI on a real store."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from casey_cli.cli import app
from casey_cli.store.as_at import snapshot
from casey_cli.store.connection import open_current

DAY1, DAY2, DAY3, LATER = "2027-06-01", "2027-06-02", "2027-07-03", "2027-07-10"


def at(stamp: str) -> time_machine.travel:
    """The clock stopped at a UTC moment."""
    return time_machine.travel(
        datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc), tick=False
    )


@dataclass
class Timeline:
    db: Path
    seen: dict[tuple[str, ...], str] = field(default_factory=dict)

    def run(self, *args: str, today: str, code: int = 0) -> str:
        result = CliRunner().invoke(
            app, ["--db", str(self.db), "--today", today, *args], env={"CASEY_USER": "clerk"}
        )
        assert result.exit_code == code, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout if code == 0 else result.stderr

    def capture(self, day: str) -> None:
        """What status and the report said at the time, for the as-at runs to match."""
        for scope in ((), ("--borough", "islington")):
            self.seen[(day, "status", *scope)] = self.run(
                "status", "--format", "json", *scope, today=day
            )
        self.seen[(day, "report")] = self.run("report", "-b", "islington", today=day)


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """Changes on three days through add, update, done, verify, reschedule, rec update and
    load, one of them half an hour after midnight London summer time (still the evening
    before in UTC)."""
    t = Timeline(tmp_path_factory.mktemp("asat") / "casey.db")
    with at("2027-06-01T08:00:00"):
        t.run("init", today=DAY1)
    with at("2027-06-01T10:00:00"):
        t.run(
            "action",
            "add",
            "-b",
            "islington",
            "-t",
            "Alpha",
            "--owner",
            "X",
            "--due",
            "2027-06-20",
            today=DAY1,
        )  # A19
        t.run(
            "action", "add", "-b", "islington", "-t", "Beta", "--due", "2027-06-05", today=DAY1
        )  # A20
        t.run("action", "update", "A1", "--status", "in-progress", today=DAY1)
        t.capture(DAY1)
    with at("2027-06-02T12:00:00"):
        t.run("action", "reschedule", "A20", "--due", "2027-07-01", "--reason", "staff", today=DAY2)
        t.run("action", "update", "A20", "--owner", "Y", today=DAY2)
        t.run("action", "done", "A19", "--evidence", "minutes", today=DAY2)
        t.run("action", "verify", "A19", "--by", "Auditor", today=DAY2)
        t.run("rec", "update", "casey-1", "--status", "in-progress", today=DAY2)
        t.capture(DAY2)
    with at("2027-06-02T23:30:00"):  # 00:30 on 3 June in London
        t.run("action", "update", "A20", "--status", "blocked", today="2027-06-03")
    with at("2027-07-03T09:00:00"):
        t.run(
            "action",
            "add",
            "-b",
            "islington",
            "-t",
            "Gamma",
            "--owner",
            "Z",
            "--due",
            "2027-07-02",
            today=DAY3,
        )  # A21, overdue from the start
        t.run("action", "update", "A19", "--status", "in-progress", today=DAY3)  # reopened
        sheet = t.db.parent / "minutes.csv"
        sheet.write_text(
            "ref,borough,title,owner,status,due\n"
            "A20,islington,Beta renamed,Y,in-progress,2027-08-01\n"
            "A19,camden,Alpha,X,in-progress,2027-06-20\n"
        )  # moved borough
        t.run("load", str(sheet), today=DAY3)
        t.capture(DAY3)
    return t


@pytest.mark.parametrize("day", [DAY1, DAY2, DAY3])
@pytest.mark.parametrize("scope", [(), ("--borough", "islington")])
def test_status_as_at_is_what_status_said_that_day(timeline, day, scope):
    with at("2027-07-10T12:00:00"):
        rebuilt = timeline.run("status", "--as-at", day, "--format", "json", *scope, today=LATER)
    assert json.loads(rebuilt) == json.loads(timeline.seen[(day, "status", *scope)])


def test_the_states_really_differ(timeline):
    """The as-at runs above compare three different states, not one state three times."""
    states = [
        json.loads(timeline.seen[(d, "status", "--borough", "islington")])
        for d in (DAY1, DAY2, DAY3)
    ]
    done = [s["summary"]["by_status"]["complete"] for s in states]
    assert done[1] == done[0] + 1 and done[2] == done[0]  # A19 done on day 2, reopened on 3
    overdue = [{i["ref"] for i in s["overdue"]} for s in states]
    assert "A21" in overdue[2] and "A21" not in overdue[1]  # added late on day 3
    gap_refs = [{i["ref"] for i in s["gaps"]} for s in states]
    assert "A20" in gap_refs[0] and "A20" not in gap_refs[1]


def test_end_of_day_is_london_time(timeline):
    """A20 was blocked at 23:30 UTC on 2 June, which is 3 June in London (BST)."""
    with at("2027-07-10T12:00:00"):
        on_2 = json.loads(
            timeline.run(
                "status", "--as-at", DAY2, "-b", "islington", "--format", "json", today=LATER
            )
        )
        on_3 = json.loads(
            timeline.run(
                "status",
                "--as-at",
                "2027-06-03",
                "-b",
                "islington",
                "--format",
                "json",
                today=LATER,
            )
        )
    assert on_2["summary"]["by_status"]["blocked"] == 0
    assert on_3["summary"]["by_status"]["blocked"] == 1


@pytest.mark.parametrize("day", [DAY1, DAY2, DAY3])
def test_report_as_at_is_the_paper_of_that_day(timeline, day):
    with at("2027-07-10T12:00:00"):
        rebuilt = timeline.run("report", "-b", "islington", "--as-at", day, today=LATER)
    note = f"Rebuilt from the history as the register stood at the end of {day} (London time).\n\n"
    assert note in rebuilt
    assert rebuilt.replace(note, "") == timeline.seen[(day, "report")]


def test_report_compare_shows_the_change_in_each_count(timeline):
    then = json.loads(timeline.seen[(DAY1, "status", "--borough", "islington")])["summary"]
    now = json.loads(timeline.seen[(DAY3, "status", "--borough", "islington")])["summary"]
    with at("2027-07-10T12:00:00"):
        paper = timeline.run(
            "report", "-b", "islington", "--as-at", DAY3, "--compare", DAY1, today=LATER
        )
    assert f"## Change since {DAY1}\n" in paper
    assert f"| measure | {DAY1} | {DAY3} | change |" in paper
    for name in ("red", "amber", "green", "blue", "grey"):
        old, new = then["by_rag"][name], now["by_rag"][name]
        assert f"| {name} | {old} | {new} | {new - old:+d} |" in paper
    for name in ("overdue", "gaps"):
        old, new = then[name], now[name]
        assert f"| {name} | {old} | {new} | {new - old:+d} |" in paper


def test_compare_without_as_at_is_against_now(timeline, tmp_path):
    with at("2027-07-10T12:00:00"):
        out = tmp_path / "paper.html"
        timeline.run(
            "report",
            "-b",
            "islington",
            "--compare",
            DAY2,
            "--format",
            "html",
            "--output",
            str(out),
            today=DAY3,
        )
    page = out.read_text()
    assert f"<h3>Change since {DAY2}</h3>" in page
    assert page.count("<svg") == 2  # the RAG chart and the trend


def test_before_the_history_starts_the_register_is_empty(timeline):
    with at("2027-07-10T12:00:00"):
        result = CliRunner().invoke(
            app,
            [
                "--db",
                str(timeline.db),
                "--today",
                LATER,
                "status",
                "--as-at",
                "2027-05-31",
                "--format",
                "json",
            ],
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["total"] == 0
    assert "history starts on 2027-06-01" in result.stderr
    with at("2027-07-10T12:00:00"):
        result = CliRunner().invoke(
            app, ["--db", str(timeline.db), "--today", LATER, "report", "--compare", "2027-05-31"]
        )
    assert result.exit_code == 0, result.output
    assert "| items | 0 |" in result.stdout
    assert "nothing was recorded by the end of 2027-05-31" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("status", "--as-at", "2027-07-11"), "--as-at 2027-07-11 is after today (2027-07-10)"),
        (("status", "--as-at", "2027-02-30"), "--as-at"),
        (("report", "--as-at", DAY1, "--compare", DAY2), f"--compare {DAY2} is not before"),
        (("report", "--compare", "tomorrow"), "--compare 2027-07-11 is after today"),
        (("trend", "--since", "2027-08-01"), "--since 2027-08-01 is after today"),
        (("trend", "--borough", "islingtn"), "islington"),
    ],
)
def test_bad_dates_are_refused(timeline, args, message):
    err = timeline.run(*args, today=LATER, code=1)
    assert err.startswith("Error: ") and message in err and "Traceback" not in err


def trend_counts(timeline: Timeline, day: str, *scope: str) -> dict[str, int]:
    """The trend's three numbers, from the as-at status of the same day."""
    s = json.loads(timeline.run("status", "--as-at", day, "--format", "json", *scope, today=LATER))[
        "summary"
    ]
    closed = s["by_status"]["complete"] + s["by_status"]["dropped"]
    return {
        "open": s["total"] - closed,
        "overdue": s["overdue"],
        "completed": s["by_status"]["complete"],
    }


@pytest.mark.parametrize("scope", [(), ("--borough", "islington")])
def test_trend_matches_status_as_at_each_period_end(timeline, scope):
    with at("2027-07-10T12:00:00"):
        data = json.loads(
            timeline.run("trend", "--since", "2027-05-15", "--format", "json", *scope, today=LATER)
        )
        assert list(data) == ["today", "borough", "by", "since", "periods"]
        assert [(p["period"], p["as_at"]) for p in data["periods"]] == [
            ("2027-05", "2027-05-31"),
            ("2027-06", "2027-06-30"),
            ("2027-07", LATER),
        ]
        for point in data["periods"]:
            assert {k: point[k] for k in ("open", "overdue", "completed")} == trend_counts(
                timeline, point["as_at"], *scope
            ), point
    assert data["periods"][0] == {
        "period": "2027-05",
        "as_at": "2027-05-31",
        "open": 0,
        "overdue": 0,
        "completed": 0,
    }


def test_trend_by_quarter_csv(timeline):
    with at("2027-07-10T12:00:00"):
        text = timeline.run(
            "trend",
            "-b",
            "islington",
            "--by",
            "quarter",
            "--since",
            "2027-04-01",
            "--format",
            "csv",
            today=LATER,
        )
        end_q2 = trend_counts(timeline, "2027-06-30", "--borough", "islington")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "period,as_at,open,overdue,completed"
    assert [r["period"] for r in rows] == ["2027-Q2", "2027-Q3"]
    assert {k: int(rows[0][k]) for k in ("open", "overdue", "completed")} == end_q2


def test_trend_default_starts_with_the_history(timeline):
    with at("2027-07-10T12:00:00"):
        data = json.loads(timeline.run("trend", "--format", "json", today=LATER))
    assert data["since"] == DAY1
    assert [p["period"] for p in data["periods"]] == ["2027-06", "2027-07"]


def test_trend_table_draws_bars(timeline):
    with at("2027-07-10T12:00:00"):
        table = timeline.run("trend", "-b", "islington", today=LATER)
    assert "Islington: items at the end of each month" in table
    assert "2027-06-30" in table and "█" in table


def table_rows(mem, table: str, names: list[str]) -> list[tuple]:
    quoted = ", ".join(f'"{n}"' for n in names)
    return mem.execute(f"SELECT {quoted} FROM {table} ORDER BY 1").fetchall()


@pytest.mark.parametrize("day", [DAY1, DAY2, DAY3])
def test_the_portable_copy_equals_the_page_copy(timeline, day):
    """A server store is copied table by table; on the same SQLite store that copy must give
    the same rows as SQLite's page-by-page backup."""
    store = open_current(f"sqlite:///{timeline.db}")
    assert store is not None
    try:
        with store.read() as tx:
            fast, portable = (
                snapshot(tx, date.fromisoformat(day)),
                snapshot(tx, date.fromisoformat(day), portable=True),
            )
    finally:
        store.close()
    for table in ("actions", "recommendations", "history", "meetings", "sources"):
        names = [r[1] for r in portable.execute(f"PRAGMA table_info({table})")]
        assert table_rows(fast, table, names) == table_rows(portable, table, names), table
    assert table_rows(fast, "actions", ["id"])  # not two empty copies


def test_trend_today_is_status_today(casey):
    """On the seeded store (its history starts on the real day it was made) the trend's
    one period is that day's status."""
    today = date.today()
    day = ("--today", today.isoformat())
    casey(
        *day,
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "Late",
        "--owner",
        "X",
        "--due",
        (today - timedelta(days=3)).isoformat(),
    )
    casey(*day, "action", "add", "-b", "islington", "-t", "Quick", "--owner", "Y")
    casey(*day, "action", "done", "A20")
    data = json.loads(casey(*day, "trend", "-b", "islington", "--format", "json").stdout)
    s = json.loads(casey(*day, "status", "-b", "islington", "--format", "json").stdout)
    s = s["summary"]
    closed = s["by_status"]["complete"] + s["by_status"]["dropped"]
    assert data["periods"] == [
        {
            "period": today.isoformat()[:7],
            "as_at": today.isoformat(),
            "open": s["total"] - closed,
            "overdue": s["overdue"],
            "completed": s["by_status"]["complete"],
        }
    ]
    assert s["overdue"] >= 1 and s["by_status"]["complete"] >= 1
