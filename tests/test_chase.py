"""`casey chase` through the real CLI: per owner, what to chase, for people, mail merges and
cron. Every expected value comes from actions the test adds (in a borough the bundled register
leaves empty) or from the command's own JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import TODAY, Casey

AddAction = Callable[..., dict[str, Any]]
BOROUGH = "camden"  # no seeded items: the scope holds only what a test adds
COLUMNS = (
    "owner",
    "ref",
    "kind",
    "borough",
    "title",
    "status",
    "due",
    "days_late",
    "reasons",
    "last_update",
    "last_by",
    "last_note",
    "latest_update",
    "latest_update_on",
)


def day(offset: int) -> str:
    return (date.fromisoformat(TODAY) + timedelta(days=offset)).isoformat()


@pytest.fixture
def camden(casey: Casey, add_action: AddAction) -> dict[str, dict[str, Any]]:
    """Actions with known owners, dues and statuses; keyed by a short name."""
    assert casey.json("chase", "--borough", BOROUGH)["summary"]["items"] == 0

    def add(title: str, *extra: str) -> dict[str, Any]:
        return add_action(*extra, borough=BOROUGH, title=title)

    return {
        "alice_late": add("Alice late", "--owner", "Alice", "--due", day(-10)),
        "alice_later": add("Alice slightly late", "--owner", " alice ", "--due", day(-3)),
        "alice_soon": add(
            "Alice soon", "--owner", "Alice", "--due", day(5), "--status", "in-progress"
        ),
        "alice_fine": add("Alice on track", "--owner", "Alice", "--due", day(60)),
        "bob_late": add("Bob late", "--owner", "Bob", "--due", day(-1)),
        "bob_undated": add("Bob undated", "--owner", "Bob"),
        "bob_done": add("Bob done", "--owner", "Bob", "--due", day(-20), "--status", "complete"),
        "nobody": add("Nobody's", "--due", day(30)),
    }


def chase(casey: Casey, *args: str) -> Any:
    return casey.json("chase", "--borough", BOROUGH, *args)


def refs(group: dict[str, Any]) -> list[str]:
    return [row["ref"] for row in group["items"]]


def test_groups_by_owner_most_late_first_with_no_owner_last(casey, camden):
    result = chase(casey)
    by_owner = {g["owner"]: g for g in result["owners"]}
    assert [g["owner"] for g in result["owners"]] == ["Alice", "Bob", None]
    # case and spacing of an owner's name do not split them; closed and on-track items are out
    assert refs(by_owner["Alice"]) == [
        camden[k]["ref"] for k in ("alice_late", "alice_later", "alice_soon")
    ]
    assert refs(by_owner["Bob"]) == [camden["bob_late"]["ref"], camden["bob_undated"]["ref"]]
    assert refs(by_owner[None]) == [camden["nobody"]["ref"]]
    rows = {row["ref"]: row for g in result["owners"] for row in g["items"]}
    for item in camden.values():
        if item["ref"] not in rows:
            continue
        row = rows[item["ref"]]
        assert row["days_late"] == item["days_overdue"]
        assert (row["due"], row["status"], row["title"]) == (
            item["due"],
            item["status"],
            item["title"],
        )
    assert rows[camden["alice_late"]["ref"]]["days_late"] == 10
    assert rows[camden["alice_soon"]["ref"]]["reasons"] == "due soon"
    assert rows[camden["bob_undated"]["ref"]]["reasons"] == "no due date"
    assert rows[camden["nobody"]["ref"]]["reasons"] == "no owner"
    assert by_owner["Alice"]["overdue"] == 2 and by_owner["Alice"]["due_soon"] == 1
    overdue = [i for i in camden.values() if i["days_overdue"] is not None]
    assert result["summary"] == {
        "owners": 2,
        "items": len(rows),
        "overdue": len(overdue),
        "due_soon": 1,
        "stale": 0,
        "gaps": 2,
    }


def test_matches_status_counts(casey, camden):
    status = casey.json("status", "--borough", BOROUGH)["summary"]
    summary = chase(casey)["summary"]
    assert (summary["overdue"], summary["due_soon"], summary["gaps"]) == (
        status["overdue"],
        status["due_soon"],
        status["gaps"],
    )


def test_last_update_is_the_latest_history_event(casey, camden):
    noted, changed = camden["alice_late"]["ref"], camden["bob_late"]["ref"]
    casey("action", "update", noted, "--note", "Chased by email", "--by", "J. Clerk")
    casey("action", "update", changed, "--status", "blocked")
    rows = {row["ref"]: row for g in chase(casey)["owners"] for row in g["items"]}
    last = casey.json("action", "show", noted)["history"][-1]
    assert (rows[noted]["last_update"], rows[noted]["last_by"], rows[noted]["last_note"]) == (
        last["at"][:10],
        "J. Clerk",
        "Chased by email",
    )
    assert rows[changed]["last_note"] == "status set to blocked"
    assert rows[camden["nobody"]["ref"]]["last_note"] == "created"


def test_days_window_and_owner_filter(casey, camden):
    wider = chase(casey, "--days", "30")
    assert camden["nobody"]["ref"] in [
        r["ref"] for g in wider["owners"] for r in g["items"] if "due soon" in r["reasons"]
    ]
    assert wider["summary"]["due_soon"] == 2
    only = chase(casey, "--owner", "ALI")
    assert [g["owner"] for g in only["owners"]] == ["Alice"]


def test_a_recommendation_with_an_owner_is_chased_too(casey):
    ref = next(r["ref"] for r in casey.json("rec", "list") if r["borough"] == "islington")
    casey("rec", "update", ref, "--owner", "Borough Commander", "--due", day(-7))
    result = casey.json("chase", "--borough", "islington", "--owner", "borough commander")
    [group] = result["owners"]
    [row] = group["items"]
    assert (row["ref"], row["kind"], row["days_late"]) == (ref, "recommendation", 7)


def test_stale_items_by_the_date_of_their_last_change(casey, camden):
    updated = date.fromisoformat(camden["alice_fine"]["updated"][:10])
    later = (updated + timedelta(days=91)).isoformat()
    result = casey.json("--today", later, "chase", "--borough", BOROUGH)
    open_items = [i for i in camden.values() if i["status"] != "complete"]
    assert result["summary"]["stale"] == len(open_items)
    assert (
        casey.json("--today", later, "chase", "--borough", BOROUGH, "--stale-days", "91")[
            "summary"
        ]["stale"]
        == 0
    )


def test_csv_is_one_row_per_item_for_a_mail_merge(casey, camden, add_action):
    formula = add_action(
        "--owner",
        '=HYPERLINK("http://x")',
        "--due",
        day(-2),
        borough=BOROUGH,
        title="+1 formula title",
    )
    text = casey("chase", "--borough", BOROUGH, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    as_json = [r for g in chase(casey)["owners"] for r in g["items"]]
    assert [r[1] for r in rows[1:]] == [r["ref"] for r in as_json]
    by_ref = {r[1]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_ref[camden["alice_late"]["ref"]]["owner"] == "Alice"
    assert by_ref[camden["nobody"]["ref"]]["owner"] == ""
    guarded = by_ref[formula["ref"]]
    assert guarded["owner"] == '\'=HYPERLINK("http://x")'
    assert guarded["title"] == "'+1 formula title"


def test_markdown_and_table_show_each_owner(casey, camden):
    md = casey("chase", "--borough", BOROUGH, "--format", "markdown").stdout
    groups = chase(casey)["owners"]
    for group in groups:
        assert f"## {group['owner'] or '(no owner)'} ({len(group['items'])})" in md
    table = casey("chase", "--borough", BOROUGH).stdout
    for group in groups:
        assert (group["owner"] or "(no owner)") in table
        for row in group["items"]:
            assert row["ref"] in table


def test_nothing_to_chase(casey):
    empty = casey.json("chase", "--borough", "bexley")
    assert empty["owners"] == [] and empty["summary"]["items"] == 0
    assert "Nothing to chase." in casey("chase", "--borough", "bexley").stdout
    casey("chase", "--borough", "bexley", "--fail-on", "overdue,stale,gaps")


@pytest.mark.parametrize(
    ("checks", "code", "counted"),
    [
        (["overdue"], 3, ["overdue"]),
        (["gaps"], 5, ["gaps"]),
        (["gaps,overdue"], 3, ["overdue", "gaps"]),  # the most urgent decides the code
        (["gaps", "--fail-on", "overdue"], 3, ["overdue", "gaps"]),  # or repeated
        (["stale"], 0, []),
    ],
)
def test_fail_on_exit_codes_after_printing(casey, camden, checks, code, counted):
    result = casey(
        "chase", "--borough", BOROUGH, "--format", "json", "--fail-on", *checks, code=code
    )
    summary = json.loads(result.stdout)["summary"]  # the list is printed all the same
    if code:
        err = result.stderr.strip()
        assert err.startswith("Error: to chase: ") and len(err.splitlines()) == 1
        for name in counted:
            assert str(summary[name]) in err
    else:
        assert result.stderr == ""


def test_fail_on_stale_exits_4(casey, camden):
    updated = date.fromisoformat(camden["alice_fine"]["updated"][:10])
    later = (updated + timedelta(days=91)).isoformat()
    result = casey(
        "--today",
        later,
        "chase",
        "--borough",
        BOROUGH,
        "--owner",
        "alice",
        "--format",
        "csv",
        "--fail-on",
        "stale",
        code=4,
    )
    assert len(list(csv.reader(io.StringIO(result.stdout)))) > 1


@pytest.mark.parametrize(
    ("given", "hint"), [("overdu", "did you mean 'overdue'?"), ("gap,late", "unknown check 'gap'")]
)
def test_fail_on_names_are_checked_before_anything_runs(casey, given, hint):
    err = casey.error("chase", "--fail-on", given, code=2)  # a bad option value
    assert err.splitlines()[-1].startswith("Error: Invalid value for '--fail-on': "), err
    assert hint in err and "overdue, stale, gaps" in err


def test_unknown_borough_is_an_error(casey):
    err = casey.error("chase", "--borough", "camdem")
    assert "did you mean 'camden'?" in err


def test_the_table_says_how_many_items_it_does_not_show(casey, add_action):
    from casey_cli.render.chase import CHASE_ROWS

    added = [
        add_action("--owner", "Busy", "--due", day(-n), borough=BOROUGH, title=f"Late {n}")
        for n in range(1, CHASE_ROWS + 3)
    ]
    table = casey("chase", "--borough", BOROUGH).stdout
    hidden = len(added) - CHASE_ROWS
    assert f"and {hidden} more items (0 more owners" in " ".join(table.split())
    assert added[-1]["ref"] in table  # the most late is shown first
    assert f" {added[0]['ref']} " not in table


def test_the_guide_documents_the_csv_columns_in_order(casey):
    from pathlib import Path

    guide = (Path(__file__).parent.parent / "docs" / "scheduled-jobs.md").read_text("utf-8")
    assert "`" + ", ".join(COLUMNS) + "`" in guide
    header = casey("chase", "--format", "csv").stdout.splitlines()[0]
    assert header == ",".join(COLUMNS)
