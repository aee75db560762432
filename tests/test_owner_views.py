"""Views group and show owners as the owner directory names them (issue 18): items recorded
under a name before the directory knew it as an alias are one owner to chase, status, the
paper and exports, and `--owner` finds them by any of the owner's names."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Casey

CN = "Supt, Central North"


def recorded_before_the_directory(casey: Casey) -> None:
    """A32 and A33 under two spellings of one owner, A34 under another owner, all overdue;
    then the directory learns that both spellings are one owner."""
    for title, owner in (
        ("Panels", "Met CN BCU"),
        ("Walks", "cn  neighbourhoods"),
        ("Data", "MOPAC"),
    ):
        casey(
            "action", "add", "-b", "islington", "-t", title, "--owner", owner, "--due", "2026-10-01"
        )
    casey("owner", "add", CN, "--alias", "Met CN BCU", "--alias", "CN Neighbourhoods")


def owners_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {i["ref"]: i["owner"] for i in items if i["ref"] in ("A32", "A33", "A34")}


def test_chase_lists_one_owner_for_every_name_it_is_known_by(casey: Casey) -> None:
    recorded_before_the_directory(casey)
    chase = casey.json("chase", "--borough", "islington")
    groups = {g["owner"]: [r["ref"] for r in g["items"]] for g in chase["owners"]}
    assert groups[CN] == ["A32", "A33"]
    assert groups["MOPAC"] == ["A34"]
    assert "Met CN BCU" not in groups and "cn  neighbourhoods" not in groups
    table = casey("chase", "--borough", "islington").stdout
    assert f"{CN} (2)" in table


def test_exports_status_and_the_paper_show_the_directory_name(casey: Casey) -> None:
    recorded_before_the_directory(casey)
    expected = {"A32": CN, "A33": CN, "A34": "MOPAC"}
    exported = casey("export", "--borough", "islington", "--format", "csv").stdout
    assert owners_of(list(csv.DictReader(io.StringIO(exported)))) == expected
    assert owners_of(casey.json("export", "--borough", "islington", "--format", "json")) == expected
    status = casey.json("status", "--borough", "islington")
    assert owners_of(status["overdue"]) == expected
    paper = casey("report", "--borough", "islington", "--format", "markdown").stdout
    assert paper.count(CN) >= 2 and "Met CN BCU" not in paper
    # the item itself keeps the name it was given; its history says so
    assert casey.json("action", "show", "A32")["owner"] == "Met CN BCU"


def test_owner_filter_finds_items_by_any_name_of_the_owner(casey: Casey) -> None:
    recorded_before_the_directory(casey)

    def listed(owner: str) -> list[str]:
        found = casey.json("action", "list", "--borough", "islington", "--owner", owner)
        return [i["ref"] for i in found]

    assert listed("CN Neighbourhoods") == ["A32", "A33"]  # an alias, in full
    assert listed("supt") == ["A32", "A33"]  # a part of the directory's name
    assert listed("met cn") == ["A32"]  # a part of one stored name only
    assert listed("mopac") == ["A34"]
    status = casey.json("status", "--borough", "islington", "--owner", CN)
    assert status["summary"]["overdue"] == 2
    feed = casey("export", "--borough", "islington", "--format", "ics", "--owner", CN).stdout
    assert feed.count("BEGIN:VTODO") + feed.count("BEGIN:VEVENT") >= 2
    assert "Panels" in feed and "Walks" in feed and "Data" not in feed


def test_without_a_directory_owners_are_shown_as_recorded(casey: Casey) -> None:
    casey("action", "add", "-b", "islington", "-t", "Panels", "--owner", "Met CN BCU")
    exported = casey.json("export", "--borough", "islington", "--format", "json")
    assert [i["owner"] for i in exported if i["ref"] == "A32"] == ["Met CN BCU"]
