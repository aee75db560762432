"""`casey trend`: each period's numbers are the status of the register as it stood at the
period's end (the `timeline` of tests/test_as_at.py, in conftest), in JSON, CSV and a table."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from conftest import DAY1, LATER, Timeline, at


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
    casey(*day, "action", "done", "A33")
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
