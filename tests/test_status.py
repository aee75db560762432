"""`casey status`: the contract's rules (overdue, due soon, gaps, RAG) through the real CLI."""

from __future__ import annotations

from collections import Counter

import pytest

from casey_cli.schemas import ITEM_COLUMNS

# CASEY_TODAY is 2026-11-23 (conftest).


def refs(items: list[dict]) -> list[str]:
    return [i["ref"] for i in items]


def test_bundled_islington_status_shows_gaps_not_invented_dates(casey):
    report = casey.json("status", "--borough", "islington")
    assert report["today"] == "2026-11-23"
    assert report["borough"] == "islington"
    assert report["window_days"] == 14
    # No source gives a due date for an Islington item, so nothing can be overdue or due soon,
    # and every open item is a gap.
    assert report["overdue"] == [] and report["due_soon"] == []
    actions = casey.json("action", "list", "--borough", "islington")
    recs = casey.json("rec", "list", "--source", "islington-plan")
    assert all(a["due"] is None for a in actions)
    open_items = [i for i in actions + recs if i["status"] not in ("complete", "dropped")]
    assert sorted(refs(report["gaps"])) == sorted(i["ref"] for i in open_items)
    summary = report["summary"]
    assert summary["total"] == len(actions) + len(recs)
    assert summary["gaps"] == len(open_items)
    assert summary["by_status"] == {
        s: sum(1 for i in actions + recs if i["status"] == s)
        for s in ("not-started", "in-progress", "blocked", "complete", "dropped")
    }
    assert sum(summary["by_rag"].values()) == summary["total"]


def test_status_buckets_follow_the_rules(casey, add_action):
    overdue = add_action("--owner", "A", "--due", "2026-11-22", title="late by one day")
    today = add_action("--owner", "A", "--due", "2026-11-23", title="due today")
    edge = add_action("--owner", "A", "--due", "2026-12-07", title="due at window edge")
    later = add_action("--owner", "A", "--due", "2026-12-08", title="due after window")
    no_owner = add_action("--due", "2027-06-01", title="nobody owns this")
    blocked = add_action(
        "--owner", "A", "--status", "blocked", "--due", "2027-06-01", title="blocked far away"
    )
    closed = add_action(
        "--owner", "A", "--status", "complete", "--due", "2020-01-01", title="closed long ago"
    )
    dropped = add_action(
        "--owner", "A", "--status", "dropped", "--due", "2020-01-01", title="dropped long ago"
    )
    report = casey.json("status", "--borough", "islington")
    assert refs(report["overdue"]) == [overdue["ref"]]
    assert report["overdue"][0]["days_overdue"] == 1
    assert refs(report["due_soon"]) == [today["ref"], edge["ref"]]
    gaps = refs(report["gaps"])
    assert no_owner["ref"] in gaps and later["ref"] not in gaps and closed["ref"] not in gaps
    by_ref = {i["ref"]: i for i in casey.json("action", "list", "--borough", "islington")}
    assert by_ref[overdue["ref"]]["rag"] == "red"
    assert by_ref[today["ref"]]["rag"] == "amber"
    assert by_ref[edge["ref"]]["rag"] == "amber"
    assert by_ref[later["ref"]]["rag"] == "green"
    assert by_ref[blocked["ref"]]["rag"] == "amber"
    assert by_ref[closed["ref"]]["rag"] == "blue"
    assert by_ref[dropped["ref"]]["rag"] == "grey"
    assert by_ref[closed["ref"]]["days_overdue"] is None
    assert by_ref[dropped["ref"]]["days_overdue"] is None


def test_days_option_widens_due_soon(casey, add_action):
    later = add_action("--owner", "A", "--due", "2026-12-08")
    assert later["ref"] not in refs(casey.json("status", "-b", "islington")["due_soon"])
    wide = casey.json("status", "-b", "islington", "--days", "15")
    assert wide["window_days"] == 15
    assert later["ref"] in refs(wide["due_soon"])


def test_today_option_moves_every_rule(casey, add_action):
    item = add_action("--owner", "A", "--due", "2026-12-01")
    assert casey.json("status", "-b", "islington")["overdue"] == []
    report = casey.json("--today", "2026-12-11", "status", "-b", "islington")
    assert report["today"] == "2026-12-11"
    assert report["overdue"][0]["ref"] == item["ref"]
    assert report["overdue"][0]["days_overdue"] == 10


def test_status_items_are_item_objects_in_spec_order(casey, add_action):
    add_action("--owner", "A", "--due", "2026-01-01")
    report = casey.json("status", "-b", "islington")
    assert list(report) == [
        "today",
        "borough",
        "window_days",
        "summary",
        "overdue",
        "due_soon",
        "gaps",
    ]
    assert list(report["summary"]) == [
        "total",
        "by_status",
        "by_rag",
        "overdue",
        "due_soon",
        "gaps",
    ]
    for item in report["overdue"] + report["gaps"]:
        assert tuple(item) == ITEM_COLUMNS


def test_overdue_ordered_by_due_then_ref(casey, add_action):
    b = add_action("--owner", "A", "--due", "2026-10-01", title="b")
    a = add_action("--owner", "A", "--due", "2026-09-01", title="a")
    c = add_action("--owner", "A", "--due", "2026-10-01", title="c")
    overdue = casey.json("status", "-b", "islington")["overdue"]
    assert refs(overdue) == [a["ref"], b["ref"], c["ref"]]


def test_borough_scope_excludes_other_boroughs(casey, add_action):
    mine = add_action("--owner", "A", "--due", "2026-01-01", borough="camden")
    assert mine["ref"] not in refs(casey.json("status", "-b", "islington")["overdue"])
    assert refs(casey.json("status", "-b", "camden")["overdue"]) == [mine["ref"]]
    london = casey.json("status")
    assert london["borough"] is None
    rows = {r["borough"]: r for r in london["rows"]}
    assert rows["camden"]["overdue"] == 1 and rows["islington"]["overdue"] == 0


def test_london_view_counts_force_wide_recommendations(casey):
    report = casey.json("status")
    recs = casey.json("rec", "list")
    actions = casey.json("action", "list")
    assert report["summary"]["total"] == len(recs) + len(actions)
    # The two-year progress review point (21 Mar 2025) has passed with the review still open.
    reviews = [r for r in recs if "progress review" in r["title"].lower()]
    assert [r["due"] for r in reviews] == ["2025-03-21"]
    assert reviews[0]["borough"] == "london"
    assert report["summary"]["overdue"] == report["force_wide"]["overdue"] == 1
    assert casey.json("status", "-b", "london")["overdue"] == reviews
    assert Counter(i["rag"] for i in recs + actions) == {
        k: v for k, v in report["summary"]["by_rag"].items() if v
    }


def test_owner_and_source_filters(casey, add_action):
    mine = add_action(
        "--owner",
        "Supt Jack May-Robinson",
        "--due",
        "2026-01-01",
        "--recommendation",
        "islington-plan-2",
    )
    add_action("--owner", "Someone Else", "--due", "2026-01-01")
    by_owner = casey.json("status", "-b", "islington", "--owner", "may-robinson")
    assert refs(by_owner["overdue"]) == [mine["ref"]]
    by_source = casey.json("status", "-b", "islington", "--source", "islington-plan")
    assert refs(by_source["overdue"]) == [mine["ref"]]
    assert all(i["source"] == "islington-plan" for i in by_source["gaps"])


def test_fail_on_overdue_exit_code(casey, add_action):
    casey("status", "-b", "islington", "--fail-on-overdue", "--format", "json")
    add_action("--owner", "A", "--due", "2026-11-01")
    result = casey("status", "-b", "islington", "--fail-on-overdue", "--format", "json", code=3)
    assert result.stdout.startswith("{")  # the report is still printed
    assert "1 overdue" in result.stderr


def test_table_output_for_people(casey, add_action):
    out = casey("status", "--borough", "islington").stdout
    assert "Islington" in out and "2026-11-23" in out
    assert "No overdue items." in out
    add_action("--owner", "A", "--due", "2026-11-01", title="[Casey] 2023 [bold]literal[/bold]")
    out = casey("status", "--borough", "islington").stdout
    assert (
        "[Casey] 2023 [bold]literal[/bold]" in out.replace("\n", " ").replace("│", "")
        or "[Casey] 2023" in out
    )
    assert "\x1b[" not in out  # no colour codes when not a terminal


def test_markdown_and_determinism(casey, add_action):
    add_action("--owner", "A|B", "--due", "2026-11-01", title="pipe | in title")
    first = casey("status", "-b", "islington", "--format", "markdown").stdout
    second = casey("status", "-b", "islington", "--format", "markdown").stdout
    assert first == second
    assert first.startswith("# Status: Islington (2026-11-23)")
    assert "pipe \\| in title" in first
    assert casey("status", "--format", "json").stdout == casey("status", "--format", "json").stdout


def test_status_errors(casey):
    err = casey.error("status", "--borough", "islingtn")
    assert "unknown borough 'islingtn'" in err and "did you mean 'islington'" in err
    err = casey.error("status", "--source", "casy")
    assert "unknown source 'casy'" in err and "casey" in err
    casey.error("--today", "2023-02-30", "status")
    casey("status", "--format", "xml", code=2)
    casey("status", "--days", "-1", code=2)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_borough_with_nothing_recorded_is_not_called_gap_free(casey, fmt):
    """Camden has nothing in the bundled register: the status says so and how to start,
    never "no gaps" or "no overdue items", which would read as a clean bill of health."""
    out = casey("status", "--borough", "camden", "--format", fmt).stdout
    flat = " ".join(out.split())
    assert "Nothing is recorded for Camden" in flat
    assert "casey action add --borough camden" in flat
    assert "No gaps" not in out and "No overdue" not in out
