"""`status --as-at` and `report --as-at / --compare`: the register rebuilt from the history
matches what the CLI showed at the time.

History times are the real clock (docs/contract.md), so the `timeline` (conftest: changes on
known days) runs the real CLI under time-machine's clock; every other input is the real CLI
on a real store. The trend, built the same way, is tests/test_trend.py."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import DAY1, DAY2, DAY3, LATER, at
from typer.testing import CliRunner

from casey_cli.cli import app
from casey_cli.io.paper import uk_date
from casey_cli.store.as_at import snapshot
from casey_cli.store.connection import open_current


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
    assert done[1] == done[0] + 1 and done[2] == done[0]  # A32 done on day 2, reopened on 3
    overdue = [{i["ref"] for i in s["overdue"]} for s in states]
    assert "A34" in overdue[2] and "A34" not in overdue[1]  # added late on day 3
    gap_refs = [{i["ref"] for i in s["gaps"]} for s in states]
    assert "A33" in gap_refs[0] and "A33" not in gap_refs[1]


def test_end_of_day_is_london_time(timeline):
    """A33 was blocked at 23:30 UTC on 2 June, which is 3 June in London (BST)."""
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
    note = (
        "Rebuilt from the history as the register stood at the end of "
        f"{uk_date(day)} (London time).\n\n"
    )
    assert note in rebuilt
    assert rebuilt.replace(note, "") == timeline.seen[(day, "report")]


def test_a_past_verification_keeps_its_mark_as_at_that_day(timeline):
    """A32 was verified on day 2 by the account that completed it (one OS user runs the whole
    timeline) and reopened on day 3: the papers rebuilt above carry the mark on day 2 only,
    as the papers of those days did."""
    marked = "| A32 | Alpha | X | 2 June 2027 | verified (same account) |"
    assert marked in timeline.seen[(DAY2, "report")]
    assert "same account" not in timeline.seen[(DAY3, "report")]


def test_report_compare_shows_the_change_in_each_count(timeline):
    then = json.loads(timeline.seen[(DAY1, "status", "--borough", "islington")])["summary"]
    now = json.loads(timeline.seen[(DAY3, "status", "--borough", "islington")])["summary"]
    with at("2027-07-10T12:00:00"):
        paper = timeline.run(
            "report", "-b", "islington", "--as-at", DAY3, "--compare", DAY1, today=LATER
        )
    assert f"### Change since {uk_date(DAY1)}\n" in paper
    assert f"| Measure | {uk_date(DAY1)} | {uk_date(DAY3)} | Change |" in paper
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
    assert f"<h3>Change since {uk_date(DAY2)}</h3>" in page
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
