"""The London view (`casey status` with no borough): one row per borough or BCU, worst first,
force-wide items apart, and the same numbers as every borough's own `status --borough`.

Expected values come from other views of the same store (`borough list`, `status -b X`), never
from the London view itself. CASEY_TODAY is 2026-11-23 (conftest)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from casey_cli.cli import app

NUMBERS = ("total", "open", "overdue", "due_soon", "gaps", "slipped")
SPEC_NUMBERS = ("total", "overdue", "due_soon", "gaps")  # a borough's own status summary
FORCE_WIDE = "london"  # the contract: the borough slug of force-wide items


def boroughs(casey) -> dict[str, dict]:
    """Every real borough (not the force-wide slug), by slug, from `borough list`."""
    return {b["slug"]: b for b in casey.json("borough", "list") if b["slug"] != FORCE_WIDE}


def counts(row: dict, keys: tuple[str, ...] = NUMBERS) -> dict:
    """The numbers of a London row or of a status summary."""
    return {**{k: row[k] for k in keys}, "by_status": row["by_status"], "by_rag": row["by_rag"]}


def added(rows: list[dict]) -> dict:
    """The sum of the numbers of several rows."""
    total: dict = dict.fromkeys(NUMBERS, 0)
    total["by_status"], total["by_rag"] = {}, {}
    for row in rows:
        for k in NUMBERS:
            total[k] += row[k]
        for group in ("by_status", "by_rag"):
            for key, n in row[group].items():
                total[group][key] = total[group].get(key, 0) + n
    return total


@pytest.fixture
def busy(casey, add_action) -> dict[str, int]:
    """Overdue actions in two boroughs (different counts), gaps in a third, a slip in a
    fourth; returns how many of each were added where."""
    for _ in range(3):
        add_action("--owner", "Ops", "--due", "2026-11-01", borough="camden", title="late")
    add_action("--owner", "Ops", "--due", "2026-11-20", borough="hackney", title="late")
    for _ in range(2):
        add_action(borough="barnet", title="nobody, no date")
    moved = add_action("--owner", "Ops", "--due", "2027-01-10", borough="sutton", title="moved")
    casey("action", "reschedule", moved["ref"], "--due", "2027-02-10", "--reason", "staff")
    add_action("--owner", "Ops", "--due", "2026-11-30", borough="sutton", title="soon")
    return {"camden": 3, "hackney": 1, "barnet": 2}


def test_every_borough_is_listed_once(casey):
    expected = boroughs(casey)
    report = casey.json("status")
    assert report["borough"] is None and report["by"] == "borough"
    listed = [r["borough"] for r in report["rows"]]
    assert sorted(listed) == sorted(expected)
    assert len(listed) == len(set(listed))
    for row in report["rows"]:
        assert (row["name"], row["bcu"]) == (
            expected[row["borough"]]["name"],
            expected[row["borough"]]["bcu"],
        )
    assert report["force_wide"]["borough"] == FORCE_WIDE
    assert FORCE_WIDE not in listed


def test_rows_are_worst_first(casey, busy):
    rows = casey.json("status")["rows"]
    # Most overdue first: camden (3) then hackney (1); no other borough has overdue items.
    assert [r["borough"] for r in rows[:2]] == ["camden", "hackney"]
    assert [r["overdue"] for r in rows[:2]] == [busy["camden"], busy["hackney"]]
    assert all(r["overdue"] == 0 for r in rows[2:])
    # Then most gaps, then name: the order follows each borough's own status.
    own = {b: casey.json("status", "-b", b)["summary"] for b in boroughs(casey)}
    names = {b: v["name"] for b, v in boroughs(casey).items()}
    expected = sorted(own, key=lambda b: (-own[b]["overdue"], -own[b]["gaps"], names[b]))
    assert [r["borough"] for r in rows] == expected
    barnet = [r["borough"] for r in rows].index("barnet")
    assert rows[barnet]["gaps"] == busy["barnet"]
    assert all(r["gaps"] >= busy["barnet"] for r in rows[2:barnet])  # after the overdue ones


def test_each_row_says_what_status_for_that_borough_says(casey, busy):
    report = casey.json("status")
    for row in [*report["rows"], report["force_wide"]]:
        own = casey.json("status", "-b", row["borough"])
        assert counts(row, SPEC_NUMBERS) == counts(own["summary"], SPEC_NUMBERS), row["borough"]
        items = casey.json("export", "-b", row["borough"])
        assert row["open"] == sum(1 for i in items if i["status"] not in ("complete", "dropped"))
        assert row["slipped"] == sum(1 for i in items if i["slips"]), row["borough"]
        assert (len(own["overdue"]), len(own["due_soon"]), len(own["gaps"])) == (
            row["overdue"],
            row["due_soon"],
            row["gaps"],
        ), row["borough"]
    sutton = next(r for r in report["rows"] if r["borough"] == "sutton")
    assert (sutton["slipped"], sutton["due_soon"]) == (1, 1)


def test_headline_is_the_sum_of_the_rows_and_force_wide(casey, busy):
    report = casey.json("status")
    assert counts(report["summary"]) == added([*report["rows"], report["force_wide"]])
    summary = report["summary"]
    assert (len(report["overdue"]), len(report["due_soon"]), len(report["gaps"])) == (
        summary["overdue"],
        summary["due_soon"],
        summary["gaps"],
    )
    # Everything in the register is counted once: the export holds the same items.
    assert summary["total"] == len(casey.json("export"))


def test_by_bcu_adds_up_and_puts_each_borough_in_one_bcu(casey, busy):
    by_borough = casey.json("status")
    report = casey.json("status", "--by", "bcu")
    assert report["by"] == "bcu"
    assert counts(report["summary"]) == counts(by_borough["summary"])
    assert counts(report["summary"]) == added([*report["rows"], report["force_wide"]])
    expected = boroughs(casey)
    seen = [b for r in report["rows"] for b in r["boroughs"]]
    assert sorted(seen) == sorted(expected)  # each borough in exactly one BCU
    rows = {r["borough"]: r for r in by_borough["rows"]}
    for row in report["rows"]:
        assert {expected[b]["bcu"] for b in row["boroughs"]} == {row["bcu"]}
        assert counts(row) == added([rows[b] for b in row["boroughs"]]), row["bcu"]
    assert report["rows"][0]["bcu"] == expected["camden"]["bcu"]  # 3 overdue: the worst


def test_markdown_lists_every_borough(casey, busy):
    page = casey("status", "--format", "markdown").stdout
    table = [line for line in page.splitlines() if line.startswith("|")]
    for slug, borough in boroughs(casey).items():
        assert sum(1 for line in table if f"| {borough['name']} |" in line) == 1, slug
    camden = next(line for line in table if "| Camden |" in line)
    assert f"| {busy['camden']} |" in camden


def test_table_fits_80_columns_and_shows_the_headline(casey, busy, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = casey("status").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    summary = casey.json("status")["summary"]
    flat = " ".join(out.split())
    assert f"{summary['total']} items" in flat
    assert f"{summary['overdue']} overdue" in flat
    assert f"{summary['gaps']} gaps" in flat
    for borough in boroughs(casey).values():
        assert borough["name"] in out
    # With nothing in scope the headline has no RAG counts and no empty part between dots.
    nothing = casey("status", "--owner", "nobody by this name").stdout.splitlines()
    assert nothing[0].endswith(" 0 items") and nothing[1].startswith("0 overdue, ")


def test_by_with_a_real_borough_is_a_usage_error(casey):
    result = casey("status", "--by", "bcu", "--borough", "islington", code=2)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "--by" in errors[0] and "--borough" in errors[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_by_ignores_a_configured_borough(casey, monkeypatch):
    monkeypatch.setenv("CASEY_BOROUGH", "islington")
    assert casey.json("status")["borough"] == "islington"  # the default applies without --by
    report = casey.json("status", "--by", "bcu")
    assert report["borough"] is None and report["by"] == "bcu" and "rows" in report
    monkeypatch.delenv("CASEY_BOROUGH")
    casey("config", "set", "borough", "camden")
    assert casey.json("status")["borough"] == "camden"
    assert casey.json("status", "--by", "borough")["borough"] is None


def test_borough_all_is_the_london_view(casey, monkeypatch):
    monkeypatch.setenv("CASEY_BOROUGH", "islington")
    report = casey.json("status", "--borough", "all")
    monkeypatch.delenv("CASEY_BOROUGH")
    assert report == casey.json("status")
    assert len(report["rows"]) == len(boroughs(casey))


def test_fail_on_overdue_in_the_london_view(casey, add_action):
    # On the earliest due date in the register nothing is overdue yet: exit 0.
    first = min(i["due"] for i in casey.json("export") if i["due"])
    add_action("--owner", "Ops", "--due", first, borough="camden")
    assert casey.json("--today", first, "status")["summary"]["overdue"] == 0
    casey("--today", first, "status", "--fail-on-overdue")
    # A day later something is overdue: exit 3, though no borough is named.
    next_day = (date.fromisoformat(first) + timedelta(days=1)).isoformat()
    report = casey.json("--today", next_day, "status")
    assert report["summary"]["overdue"] > 0 and report["borough"] is None
    result = casey("--today", next_day, "status", "--fail-on-overdue", code=3)
    assert "overdue" in result.stderr


def at(stamp: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(stamp).replace(tzinfo=UTC), tick=False)


def test_as_at_rebuilds_the_london_view(tmp_path):
    db = str(tmp_path / "asat.db")

    def run(*args: str, today: str) -> dict:
        result = CliRunner().invoke(
            app, ["--db", db, "--today", today, *args], env={"CASEY_USER": "clerk"}
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "json" in args else {}

    with at("2027-03-01T09:00:00"):
        run("init", today="2027-03-01")
        seen = run("status", "--format", "json", today="2027-03-01")
    with at("2027-03-03T09:00:00"):
        run(
            "action",
            "add",
            "-b",
            "camden",
            "-t",
            "Late",
            "--owner",
            "X",
            "--due",
            "2027-03-02",
            today="2027-03-03",
        )
        now = run("status", "--format", "json", today="2027-03-03")
    with at("2027-03-05T09:00:00"):
        then = run("status", "--as-at", "2027-03-02", "--format", "json", today="2027-03-05")
        again = run("status", "--as-at", "2027-03-03", "--format", "json", today="2027-03-05")
    camden = {r["borough"]: r for r in now["rows"]}["camden"]
    assert camden["total"] == 1 and camden["overdue"] == 1
    # As at the 2nd, the action added on the 3rd does not exist yet.
    assert {r["borough"]: r for r in then["rows"]}["camden"]["total"] == 0
    assert then["summary"]["total"] == seen["summary"]["total"] == now["summary"]["total"] - 1
    assert again["rows"] == now["rows"]
    assert counts(again["summary"]) == counts(now["summary"])
