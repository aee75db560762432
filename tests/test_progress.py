"""Progress updates and the reporting officer's RAG: recorded through their commands, kept in
the history, and shown in the item object, status, chase lists, exports and `show`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from conftest import TODAY, db_check
from openpyxl import load_workbook

UPDATE_FIELDS = ("latest_update", "latest_update_on", "reported_rag")


def item_of(casey, ref: str) -> dict:
    command = "action" if ref.startswith("A") else "rec"
    return casey.json(command, "show", ref)


def test_a_progress_update_is_the_items_latest_with_its_date_and_percent(casey, add_action):
    ref = add_action("--owner", "Insp B", "--due", "2026-12-01")["ref"]
    result = casey("action", "progress", ref, "Draft circulated to chairs", "--percent", "40")
    assert result.stdout == f"{ref}\n"
    assert result.stderr == f"Recorded an update on {ref} ({TODAY}).\n"
    item = item_of(casey, ref)
    assert (item["latest_update"], item["latest_update_on"], item["progress"]) == (
        "Draft circulated to chairs",
        TODAY,
        40,
    )
    # One change: the text, its date and the progress, at the same time, by the same person.
    events = [e for e in item["history"] if e["field"] != "created"]
    assert [(e["field"], e["old"], e["new"]) for e in events] == [
        ("latest_update", None, "Draft circulated to chairs"),
        ("latest_update_on", None, TODAY),
        ("progress", None, "40"),
    ]
    assert len({(e["at"], e["by"]) for e in events}) == 1


def test_show_lists_every_update_newest_first(casey, add_action):
    ref = add_action()["ref"]
    casey("action", "progress", ref, "Chairs confirmed", "--meeting", "M4")
    casey("--today", "2026-11-20", "action", "progress", ref, "Rooms booked")
    casey("action", "progress", ref, "Dates published", "--by", "Clerk A")
    item = item_of(casey, ref)
    assert item["updates"] == [
        {"on": TODAY, "text": "Dates published", "by": "Clerk A", "meeting": None},
        {"on": "2026-11-20", "text": "Rooms booked", "by": "test-clerk", "meeting": None},
        {
            "on": "2024-05-14",  # the meeting's day: the update was given there
            "text": "Chairs confirmed",
            "by": "test-clerk",
            "meeting": "M4 Policy and Performance Scrutiny Committee (2024-05-14)",
        },
    ]
    assert (item["latest_update"], item["latest_update_on"]) == ("Dates published", TODAY)
    table = casey("action", "show", ref).stdout
    assert "Progress updates (3), newest first" in table
    assert table.index("Dates published") < table.index("Rooms booked") < table.index("Chairs")


def test_the_same_update_on_another_day_is_recorded_again(casey, add_action):
    ref = add_action()["ref"]
    casey("--today", "2026-11-20", "action", "progress", ref, "Awaiting the BCU")
    casey("action", "progress", ref, "Awaiting the BCU")
    assert [u["on"] for u in item_of(casey, ref)["updates"]] == [TODAY, "2026-11-20"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("A1", "Older news", "--meeting", "M4"), "A1's latest update is dated 2026-11-23"),
        (("A1", "   "), "the update is empty"),
        (("A1", "x", "--percent", "140"), "progress"),
        (("A1", "x", "--meeting", "M99"), "M99"),
        (("A999", "x"), "no action A999"),
    ],
)
def test_a_refused_update_records_nothing(casey, args, message):
    casey("action", "progress", "A1", "Same again")
    before = item_of(casey, "A1")
    err = casey.error("action", "progress", *args)
    assert message in err, err
    assert item_of(casey, "A1") == before


def test_rec_progress_works_as_on_actions(casey):
    casey("rec", "progress", "casey-3", "Vetting regulations laid", "--percent", "50")
    item = item_of(casey, "casey-3")
    assert (item["latest_update"], item["latest_update_on"], item["progress"]) == (
        "Vetting regulations laid",
        TODAY,
        50,
    )
    assert [u["text"] for u in item["updates"]] == ["Vetting regulations laid"]


def test_the_officers_rag_is_kept_beside_the_rules_with_who_when_and_why(casey, add_action):
    ref = add_action("--owner", "Insp B", "--due", "2026-11-01")["ref"]  # overdue: red
    casey(
        "action", "update", ref, "--rag", "GREEN", "--reason", "BCU says on track", "--by", "Supt C"
    )
    item = item_of(casey, ref)
    assert (item["rag"], item["reported_rag"]) == ("red", "green")
    [event] = [e for e in item["history"] if e["field"] == "reported_rag"]
    assert (event["old"], event["new"], event["note"], event["by"]) == (
        None,
        "green",
        "BCU says on track",
        "Supt C",
    )
    # The rule's RAG still counts: the item is one of the red ones.
    status = casey.json("status", "--borough", "islington")
    assert status["summary"]["by_rag"]["red"] >= 1
    assert [i["reported_rag"] for i in status["overdue"] if i["ref"] == ref] == ["green"]
    table = casey("status", "--borough", "islington").stdout
    assert "said green" in table
    casey("action", "update", ref, "--rag", "none", "--reason", "withdrawn")
    assert item_of(casey, ref)["reported_rag"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rag", "green"), "needs a reason; add --reason TEXT"),
        (("--rag", "purple", "--reason", "x"), "'purple' is not a RAG rating"),
    ],
)
def test_a_bad_rag_is_refused(casey, args, message):
    before = item_of(casey, "A1")
    assert message in casey.error("action", "update", "A1", *args)
    assert item_of(casey, "A1") == before


def test_rec_update_takes_the_officers_rag(casey):
    casey("rec", "update", "casey-3", "--rag", "amber", "--reason", "Regulations delayed")
    item = item_of(casey, "casey-3")
    assert item["reported_rag"] == "amber"
    [event] = [e for e in item["history"] if e["field"] == "reported_rag"]
    assert event["note"] == "Regulations delayed"


def test_updates_and_the_officers_rag_reach_every_output(casey, add_action, tmp_path):
    ref = add_action("--owner", "Insp B", "--due", "2026-11-01")["ref"]
    casey("action", "progress", ref, "Waiting on =SUM(A1) data", "--percent", "20")
    casey("action", "update", ref, "--rag", "amber", "--reason", "Data promised")
    want = ("Waiting on =SUM(A1) data", TODAY, "amber")

    [row] = [i for i in casey.json("export", "--borough", "islington") if i["ref"] == ref]
    assert tuple(row[f] for f in UPDATE_FIELDS) == want
    rows = list(csv.DictReader(io.StringIO(casey("export", "--format", "csv").stdout)))
    [row] = [r for r in rows if r["ref"] == ref]
    assert tuple(row[f] for f in UPDATE_FIELDS) == want
    # After the earlier columns, before 0.5.0's tracker_ref and due_text and then as_of.
    assert list(rows[0])[-6:-3] == list(UPDATE_FIELDS)
    assert list(rows[0])[-3:] == ["tracker_ref", "due_text", "as_of"]
    xlsx = tmp_path / "items.xlsx"
    casey("export", "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    [values] = [[c.value for c in r] for r in sheet.iter_rows(min_row=2) if r[0].value == ref]
    got = tuple(values[header.index(f)] for f in UPDATE_FIELDS)
    assert got[0] == want[0] and got[2] == want[2]
    assert isinstance(got[1], datetime) and got[1].date().isoformat() == TODAY  # a date cell
    html = tmp_path / "items.html"
    casey("export", "--format", "html", "--output", str(html))
    assert (
        "Waiting on =SUM(A1) data" in html.read_text() and "officer said amber" in html.read_text()
    )
    markdown = casey("export", "--format", "markdown").stdout
    assert "| Waiting on =SUM(A1) data | 2026-11-23 | amber |" in markdown
    ics = casey("export", "--format", "ics", "--borough", "islington").stdout
    unfolded = ics.replace("\r\n ", "").replace("\n ", "")
    assert "Latest update (2026-11-23): Waiting on =SUM(A1) data" in unfolded
    chase = list(csv.DictReader(io.StringIO(casey("chase", "--format", "csv").stdout)))
    [row] = [r for r in chase if r["ref"] == ref]
    assert (row["latest_update"], row["latest_update_on"]) == want[:2]
    assert "Waiting on =SUM(A1) data" in casey("chase", "--borough", "islington").stdout


def test_history_check_dump_and_restore_keep_them(casey, isolated, add_action, tmp_path):
    """db check replays the new fields; a change made outside casey is named; a dump
    restores them."""
    ref = add_action()["ref"]
    casey("action", "progress", ref, "Started", "--percent", "10")
    casey("action", "update", ref, "--rag", "green", "--reason", "fine")
    db_check(isolated)
    dumped = tmp_path / "d.json"
    casey("db", "dump", str(dumped))
    restored = tmp_path / "restored.db"
    casey("--db", str(restored), "db", "restore", str(dumped))
    mine = {k: item_of(casey, ref)[k] for k in (*UPDATE_FIELDS, "updates")}
    copy = casey("--db", str(restored), "action", "show", ref, "--format", "json").stdout
    assert {k: json.loads(copy)[k] for k in mine} == mine


def test_a_load_records_an_edited_update_once_and_the_officers_rag(casey, add_action, tmp_path):
    """An export loads back unchanged; an edited latest_update is a new progress update,
    recorded once (the same file again adds nothing), and reported_rag the officer's RAG."""
    ref = add_action()["ref"]
    casey("action", "progress", ref, "Started")
    exported = tmp_path / "items.csv"
    casey("export", "--format", "csv", "--borough", "islington", "--output", str(exported))
    assert "0 updated" in casey("load", str(exported)).stdout
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    for row in rows:
        if row["ref"] == ref:
            row["latest_update"], row["reported_rag"] = "Finished", "Green"
    with exported.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert "1 updated" in casey("load", str(exported)).stdout
    item = item_of(casey, ref)
    assert (item["latest_update"], item["reported_rag"]) == ("Finished", "green")
    assert [u["text"] for u in item["updates"]] == ["Finished", "Started"]
    assert "0 updated" in casey("load", str(exported)).stdout
    assert len(item_of(casey, ref)["updates"]) == 2


def test_updates_made_in_the_same_second_keep_their_own_dates_and_percents(casey):
    """Commands a clerk runs back to back share a second: each update still finds its own
    date and percent, in `show` and in the paper (the events, not the times, pair them)."""
    casey("meeting", "add", "Cttee", "--date", "2026-11-18", "--borough", "islington")  # M11
    for args in (
        ("A3", "First", "--meeting", "M11"),
        ("A3", "Second", "--meeting", "M11", "--percent", "30"),
        ("A3", "Third"),
        ("A4", "One"),
        ("A4", "Two", "--percent", "50"),
        ("A4", "Three"),
        ("A4", "Four", "--percent", "60"),
    ):
        casey("action", "progress", *args)
    assert [(u["on"], u["text"]) for u in item_of(casey, "A3")["updates"]] == [
        (TODAY, "Third"),
        ("2026-11-18", "Second"),
        ("2026-11-18", "First"),
    ]
    paper = casey("report", "--borough", "islington", "--since", "M11").stdout
    rows = paper[paper.index("### Progress updates") :]
    a3, a4 = "A3 | Local delivery board for the action plan", "A4 | Consider KPIs to monitor"
    for line in (
        f"| 18 November 2026 | {a3} | Second (progress 30%) |",
        f"| 23 November 2026 | {a3} | Third |",
        f"| 23 November 2026 | {a4} actions in the plan | Three |",
        f"| 23 November 2026 | {a4} actions in the plan | Four (progress 60%) |",
    ):
        assert line in rows, line


def test_the_same_update_again_records_only_a_new_percent(casey):
    casey("action", "progress", "A3", "Board met", "--percent", "40")
    again = casey("action", "progress", "A3", "Board met", "--percent", "40")
    assert "A3 unchanged: its latest update already says that" in again.stderr
    history = len(item_of(casey, "A3")["history"])
    casey("action", "progress", "A3", "Board met", "--percent", "70")
    item = item_of(casey, "A3")
    assert item["progress"] == 70 and len(item["history"]) == history + 1
    assert [u["text"] for u in item["updates"]] == ["Board met"]


@pytest.mark.parametrize("command", [("action", "A7"), ("rec", "casey-3")])
def test_a_note_given_with_the_officers_rag_is_kept(casey, command):
    kind, ref = command
    casey(kind, "update", ref, "--rag", "amber", "--reason", "late", "--note", "minute 12")
    fields = [(e["field"], e["note"]) for e in item_of(casey, ref)["history"][-3:]]
    # The bundled item's as_of gives way to the news, with the same note.
    assert fields == [("note", "minute 12"), ("as_of", "minute 12"), ("reported_rag", "late")]


def test_a_paper_since_a_day_after_its_own_is_refused(casey):
    assert "is after the report's date" in casey.error(
        "report", "--borough", "islington", "--since", "tomorrow"
    )


def test_a_reason_without_a_rag_says_what_it_is_for(casey):
    assert "give it with --rag" in casey.error("action", "update", "A2", "--reason", "x")
