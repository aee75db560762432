"""Dates, periods and status words as councils write them (issue 17, parts 2 and 3), on
options and in loaded files, on every backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from conftest import snapshot

if TYPE_CHECKING:
    from conftest import Casey


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_action_add_takes_council_dates_and_status_words(add_action: Any) -> None:
    assert add_action("--due", "28 Feb 2027", title="A")["due"] == "2027-02-28"
    assert add_action("--due", "Q4 2026/27", title="B")["due"] == "2027-03-31"
    assert add_action("--due", "march 2027", title="C")["due"] == "2027-03-31"
    assert add_action("--due", "2027/28", title="D")["due"] == "2028-03-31"
    item = add_action("--status", "On track", title="E")
    assert item["status"] == "in-progress"
    assert add_action("--status", "ON HOLD", title="F")["status"] == "blocked"


def test_words_and_impossible_dates_on_an_option_are_errors(casey: Casey, isolated: Path) -> None:
    before = snapshot(isolated)
    add = ("action", "add", "--borough", "islington", "--title", "T")
    err = casey.error(*add, "--due", "TBC")
    assert err.startswith("Error: due: 'TBC' is not a date; use YYYY-MM-DD"), err
    err = casey.error(*add, "--due", "30 February 2027")
    assert "February 2027 has 28 days; give a day from 1 to 28" in err
    err = casey.error(*add, "--due", "Q5 2026/27")
    assert "'Q5 2026/27' is not a quarter: use Q1 (April-June)" in err
    err = casey.error(*add, "--due", "2026/28")
    assert "write 2026/27" in err
    err = casey.error(*add, "--status", "Completed. It took place.")
    assert "unknown status" in err
    assert snapshot(isolated) == before


TRACKER_CSV = (
    "ref,borough,title,owner,status,due\n"
    ",islington,Publish the stop and search data,Clerk,,Completed\n"
    ",islington,Agree a community panel,Clerk,Ongoing,TBC\n"
    ",islington,Review the complaints process,Clerk,not-started,March 2027\n"
    ',islington,Report to the panel,Clerk,"Completed. This meeting took place on 10 '
    'February 2021.",Q2 2027/28\n'
    ",islington,Train every officer,Clerk,On track,-\n"
    ",islington,Hold ward walks,Clerk,blocked,On-going\n"
)

TRACKER_YAML = """version: 1
actions:
  - borough: islington
    title: Publish the stop and search data
    owner: Clerk
    due: Completed
  - borough: islington
    title: Agree a community panel
    owner: Clerk
    status: Ongoing
    due: TBC
  - borough: islington
    title: Review the complaints process
    owner: Clerk
    status: not-started
    due: March 2027
  - borough: islington
    title: Report to the panel
    owner: Clerk
    status: "Completed. This meeting took place on 10 February 2021."
    due: Q2 2027/28
  - borough: islington
    title: Train every officer
    owner: Clerk
    status: On track
    due: "-"
  - borough: islington
    title: Hold ward walks
    owner: Clerk
    status: blocked
    due: On-going
"""

EXPECTED = {
    "Publish the stop and search data": ("complete", None),  # the status word in due
    "Agree a community panel": ("in-progress", None),
    "Review the complaints process": ("not-started", "2027-03-31"),
    "Report to the panel": ("complete", "2027-09-30"),  # the prose is dropped for now
    "Train every officer": ("in-progress", None),
    "Hold ward walks": ("blocked", None),  # the row's own status wins over 'On-going'
}


def _loaded(casey: Casey) -> dict[str, tuple[str, str | None]]:
    items = casey.json("action", "list", "-b", "islington")
    return {i["title"]: (i["status"], i["due"]) for i in items if i["title"] in EXPECTED}


def test_a_council_tracker_csv_loads_and_reloads_unchanged(casey: Casey, tmp_path: Path) -> None:
    path = write(tmp_path, "tracker.csv", TRACKER_CSV)
    out = casey("load", str(path)).stdout
    assert out.strip().splitlines()[-1] == "6 created, 0 updated, 0 unchanged", out
    assert _loaded(casey) == EXPECTED
    again = casey("--today", "2027-06-01", "load", str(path)).stdout
    assert again.strip().splitlines()[-1] == "0 created, 0 updated, 6 unchanged", again
    assert _loaded(casey) == EXPECTED


def test_a_council_yaml_register_loads_and_reloads_unchanged(casey: Casey, tmp_path: Path) -> None:
    path = write(tmp_path, "tracker.yaml", TRACKER_YAML)
    out = casey("load", str(path)).stdout
    assert out.strip().splitlines()[-1] == "6 created, 0 updated, 0 unchanged", out
    assert _loaded(casey) == EXPECTED
    again = casey("--today", "2027-06-01", "load", str(path)).stdout
    assert again.strip().splitlines()[-1] == "0 created, 0 updated, 6 unchanged", again


def test_words_in_the_due_column_are_gaps(casey: Casey, tmp_path: Path) -> None:
    """An open item whose due column held words has no due date: a gap, grey on the RAG."""
    casey("load", str(write(tmp_path, "tracker.csv", TRACKER_CSV)))
    items = {i["title"]: i for i in casey.json("action", "list", "-b", "islington")}
    for title in ("Agree a community panel", "Train every officer"):
        assert (items[title]["due"], items[title]["rag"]) == (None, "grey")
    assert items["Review the complaints process"]["due"] == "2027-03-31"


def test_an_impossible_date_in_a_file_is_a_located_error(
    casey: Casey, isolated: Path, tmp_path: Path
) -> None:
    before = snapshot(isolated)
    path = write(
        tmp_path,
        "bad.csv",
        "ref,borough,title,due\n,islington,Fine,TBC\n,islington,Wrong,30 February 2027\n",
    )
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {path}:3: due: '30 February 2027' is not a real date"), err
    assert snapshot(isolated) == before
    bad_status = write(tmp_path, "bad2.csv", "ref,borough,title,status\n,islington,X,Finished\n")
    assert "unknown status 'Finished'" in casey.error("load", str(bad_status))


def test_words_in_due_leave_an_existing_due_date(casey: Casey, tmp_path: Path) -> None:
    """Words are a due date not given: none for a new item, the old one kept."""
    first = write(tmp_path, "a.csv", "ref,borough,title,due\n,islington,Keep it,28 Feb 2027\n")
    casey("load", str(first))
    again = write(tmp_path, "b.csv", "ref,borough,title,due\n,islington,Keep it,TBC\n")
    out = casey("load", str(again)).stdout
    assert out.strip().splitlines()[-1] == "0 created, 0 updated, 1 unchanged", out
    items = casey.json("action", "list", "-b", "islington")
    assert next(i["due"] for i in items if i["title"] == "Keep it") == "2027-02-28"
