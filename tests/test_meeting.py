"""`casey meeting ...` through the real CLI: add and list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import snapshot

if TYPE_CHECKING:
    from conftest import Casey

MEETING_FIELDS = ["ref", "name", "date", "borough", "citation"]


# ---------------------------------------------------------------- helpers


def meetings(casey: Casey, *filters: str) -> list[dict[str, Any]]:
    return casey.json("meeting", "list", *filters)  # type: ignore[no-any-return]


def add_meeting(casey: Casey, name: str, day: str, *extra: str) -> dict[str, Any]:
    return casey.json("meeting", "add", name, "--date", day, *extra)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- meeting add / list


def test_add_prints_the_ref_and_lists_the_meeting(casey: Casey) -> None:
    before = meetings(casey)
    result = casey(
        "meeting",
        "add",
        "Policy and Performance Scrutiny Committee",
        "--date",
        "2026-11-19",
        "--borough",
        "Islington",
    )
    ref = result.stdout.strip()
    assert result.stdout == f"{ref}\n"
    assert ref == f"M{max(int(m['ref'][1:]) for m in before) + 1}"
    after = meetings(casey)
    assert len(after) == len(before) + 1 and all(m in after for m in before)
    row = next(m for m in after if m["ref"] == ref)
    assert list(row) == MEETING_FIELDS
    assert row == {
        "ref": ref,
        "name": "Policy and Performance Scrutiny Committee",
        "date": "2026-11-19",
        "borough": "islington",
        "citation": None,
    }


def test_add_json_gives_the_row_and_a_relative_date_follows_today(casey: Casey) -> None:
    row = add_meeting(casey, "  Safer Neighbourhood Board  ", "+1w")  # CASEY_TODAY 2026-11-23
    assert (row["name"], row["date"], row["borough"]) == (
        "Safer Neighbourhood Board",
        "2026-11-30",
        None,
    )
    row = casey.json(
        "--today", "2026-01-31", "meeting", "add", "Safer Neighbourhood Board", "--date", "tomorrow"
    )
    assert row["date"] == "2026-02-01"


def test_list_is_ordered_by_date_and_filters_by_borough(casey: Casey) -> None:
    bundled = meetings(casey, "--borough", "camden")  # the register's Camden scrutiny of 2024
    assert [m["borough"] for m in bundled] == ["camden"]
    assert bundled[0]["date"] < "2026-11-01"
    december = add_meeting(
        casey, "Camden Community Safety Partnership", "2026-12-01", "--borough", "camden"
    )
    november = add_meeting(casey, "Camden Scrutiny", "2026-11-01", "--borough", "camden")
    add_meeting(casey, "Hackney Scrutiny", "2026-11-15", "--borough", "hackney")
    assert meetings(casey, "--borough", "camden") == [*bundled, november, december]
    every = meetings(casey)
    assert [(m["date"], int(m["ref"][1:])) for m in every] == sorted(
        (m["date"], int(m["ref"][1:])) for m in every
    )


def test_same_name_on_another_date_is_a_new_meeting(casey: Casey) -> None:
    first = add_meeting(casey, "Islington Ward Panel", "2026-10-01")
    second = add_meeting(casey, "Islington Ward Panel", "2026-11-01")
    assert first["ref"] != second["ref"]


def test_duplicate_name_and_date_is_refused(casey: Casey, isolated: Path) -> None:
    first = add_meeting(casey, "Islington Ward Panel", "2026-10-01", "--borough", "islington")
    before = snapshot(isolated)
    err = casey.error("meeting", "add", "Islington Ward Panel", "--date", "2026-10-01")
    assert "Islington Ward Panel" in err and "2026-10-01" in err and "already exists" in err
    assert f"--meeting {first['ref']}" in err  # the fix: cite the existing one
    assert snapshot(isolated) == before


@pytest.mark.parametrize(
    "args, fragments",
    [
        (
            ["Board", "--date", "2026-10-01", "--borough", "islingtn"],
            ["islingtn", "did you mean 'islington'", "casey borough list"],
        ),
        (["Board", "--date", "2023-02-30"], ["2023-02-30", "not a real date", "YYYY-MM-DD"]),
        (["   ", "--date", "2026-10-01"], ["name", "NAME"]),
    ],
    ids=["unknown borough", "impossible date", "blank name"],
)
def test_meeting_add_errors_write_nothing(
    casey: Casey, isolated: Path, args: list[str], fragments: list[str]
) -> None:
    before = snapshot(isolated)
    err = casey.error("meeting", "add", *args)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(isolated) == before


def test_add_confirmation_prints_the_name_literally(casey: Casey) -> None:
    result = casey("meeting", "add", "Board :calendar: [b]x", "--date", "2026-11-19")
    assert "Board :calendar: [b]x" in result.stderr


def test_meeting_list_unknown_borough(casey: Casey) -> None:
    err = casey.error("meeting", "list", "--borough", "hackny")
    assert "hackny" in err and "did you mean 'hackney'" in err
