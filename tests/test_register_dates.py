"""When an item was last known about (issue 19): a register's `as_of` and dated `updates`,
counted by staleness, chase and the paper until the item next changes; and `casey source
show`, which says what is not known about a source."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Casey

REGISTER = """version: 1
actions:
  - borough: camden
    title: "Ward panels held every month"
    owner: "Camden Council"
    status: in progress
    as_of: 2024-05-14
    updates:
      - {date: 2024-05-14, text: "Two panels were held (Camden minute, 14 May 2024)."}
      - {date: 2023-10-01, text: "Panels were agreed (Camden minute, 1 Oct 2023)."}
"""


def load(casey: Casey, tmp_path: Path, text: str, name: str = "camden.yaml") -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return casey("load", str(path))


def the_action(casey: Casey) -> dict[str, Any]:
    found = casey.json("action", "list", "--borough", "camden")
    return next(a for a in found if a["title"] == "Ward panels held every month")


def test_a_register_item_carries_its_updates_and_the_day_of_its_latest_information(
    casey: Casey, tmp_path: Path
) -> None:
    load(casey, tmp_path, REGISTER)
    action = the_action(casey)
    assert action["as_of"] == "2024-05-14"
    assert action["latest_update"] == "Two panels were held (Camden minute, 14 May 2024)."
    assert action["latest_update_on"] == "2024-05-14"
    shown = casey.json("action", "show", action["ref"])
    assert [(u["on"], u["text"][:15]) for u in shown["updates"]] == [
        ("2024-05-14", "Two panels were"),
        ("2023-10-01", "Panels were agr"),
    ]  # both, each on its own date, newest first
    history = casey.json("history", action["ref"])
    as_of = [e for e in history if e["field"] == "as_of"]
    assert [(e["new"], e["note"]) for e in as_of] == [
        ("2024-05-14", "information as at 2024-05-14 (its latest source)")
    ]
    assert as_of[0]["at"][:10] != "2024-05-14"  # the event's time is the real clock
    again = load(casey, tmp_path, REGISTER)
    assert again.stdout.strip() == "0 created, 0 updated, 1 unchanged"


def test_staleness_counts_from_the_register_date_until_the_item_changes(
    casey: Casey, tmp_path: Path
) -> None:
    load(casey, tmp_path, REGISTER)
    ref = the_action(casey)["ref"]

    def chased() -> dict[str, Any]:
        rows = casey.json("chase", "--borough", "camden")["owners"]
        return {r["ref"]: r for g in rows for r in g["items"]}

    row = chased()[ref]
    assert "stale" in row["reasons"]  # last known on 14 May 2024, loaded today
    assert row["last_update"] == "2024-05-14"
    paper = casey("report", "--borough", "camden").stdout
    stale = paper.split("No update for over 90 days")[1]
    assert ref in stale and "14 May 2024" in stale

    casey("action", "progress", ref, "A third panel was held")  # newer information
    action = the_action(casey)
    assert action["as_of"] is None
    cleared = [e for e in casey.json("history", ref) if e["field"] == "as_of"][-1]
    assert (cleared["old"], cleared["new"]) == ("2024-05-14", None)
    assert ref not in chased() or "stale" not in chased()[ref]["reasons"]


def test_an_exported_row_does_not_bring_the_register_date_back(
    casey: Casey, tmp_path: Path
) -> None:
    load(casey, tmp_path, REGISTER)
    ref = the_action(casey)["ref"]
    exported = casey("export", "--borough", "camden", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["as_of"] for r in rows if r["ref"] == ref] == ["2024-05-14"]
    for r in rows:
        if r["ref"] == ref:
            r["status"] = "blocked"  # the clerk's edit is news of today
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    edited = tmp_path / "edited.csv"
    edited.write_text(out.getvalue(), encoding="utf-8")
    casey("load", str(edited))
    action = the_action(casey)
    assert action["status"] == "blocked" and action["as_of"] is None


def test_updates_are_checked_where_they_are_written(casey: Casey, tmp_path: Path) -> None:
    bad_key = REGISTER.replace("{date: 2023-10-01", '{"on": 2023-10-01')
    path = tmp_path / "on.yaml"
    path.write_text(bad_key, encoding="utf-8")
    error = casey.error("load", str(path))
    assert "on.yaml:8: updates: each of 'updates' must have a date and a text only" in error
    future = REGISTER.replace("2023-10-01", "2027-01-01")
    path.write_text(future, encoding="utf-8")
    assert "the update of 2027-01-01 is after today" in casey.error("load", str(path))
    assert casey.json("action", "list", "--borough", "camden") == []  # nothing written


def test_source_show_says_what_is_not_known(casey: Casey) -> None:
    text = casey("source", "show", "CASEY").stdout
    assert text.startswith("casey: An independent review into the standards of behaviour")
    assert "Citation:\n  " in text and "What is not known:\n  " in text
    assert "not available" in text.split("What is not known:")[1]
    # 80 columns, but for an address longer than a line, which stays whole to be copied
    assert all(len(line) <= 80 or " " not in line.strip() for line in text.splitlines())
    shown = casey.json("source", "show", "casey")
    assert shown[0]["code"] == "casey" and "not available" in shown[0]["limits"]
    error = casey.error("source", "show", "casy")
    assert "casey" in error and "casey source list" in error


def test_a_reload_keeps_newer_information_and_a_merge_keeps_the_register_date(
    casey: Casey, tmp_path: Path
) -> None:
    load(casey, tmp_path, REGISTER)
    ref = the_action(casey)["ref"]
    casey("action", "progress", ref, "A third panel was held")  # clears as_of
    again = load(casey, tmp_path, REGISTER)
    assert again.stdout.strip() == "0 created, 0 updated, 1 unchanged"
    assert the_action(casey)["as_of"] is None  # the register's older date is not put back

    other = REGISTER.replace("Ward panels held every month", "Street briefings").replace(
        "Camden Council", "Camden Community Safety"
    )
    load(casey, tmp_path, other, "other.yaml")
    casey("owner", "add", "Camden Council")
    casey("owner", "merge", "Camden Community Safety", "Camden Council")
    found = casey.json("action", "list", "--borough", "camden")
    merged = next(a for a in found if a["title"] == "Street briefings")
    assert merged["owner"] == "Camden Council"
    assert merged["as_of"] == "2024-05-14"  # bookkeeping is not news of the item
