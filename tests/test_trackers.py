"""`casey load` of council trackers as they are kept (../shared/reference/trackers.md): the
six shapes seen in real committee papers, each as CSV (UTF-8 and Windows-1252) and XLSX (a
Word table for the sixth), loaded, reloaded unchanged, and reloaded with one cell edited;
then the rules a tracker load must keep: a tracker's `1` is never casey's A1, every problem
reported at once, casey's ref alone names an item, a dry run writes nothing, and --map /
--map-status read what the synonyms do not."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import db_check, snapshot
from docx import Document
from openpyxl import Workbook

if TYPE_CHECKING:
    from conftest import Casey

# ---------------------------------------------------------------- writing tracker files


@dataclass(frozen=True)
class XL:
    """A cell written one way in a CSV and another (a real date, a date serial) in XLSX."""

    text: str
    xlsx: Any


Cell = str | XL


def as_text(cell: Cell) -> str:
    return cell.text if isinstance(cell, XL) else cell


def as_xlsx(cell: Cell) -> Any:
    if isinstance(cell, XL):
        return cell.xlsx
    return cell if cell != "" else None


@dataclass
class Tracker:
    """One tracker's rows as its author keeps them, and what loading it must give."""

    name: str
    header: list[str]
    rows: list[list[Cell]]
    args: tuple[str, ...]
    # title -> the fields its item must have
    expected: dict[str, dict[str, Any]]
    # the cell edited before the third load: (row, column, new text), and the fields that
    # edit changes on its item (title -> {field: new value})
    edit: tuple[int, int, str]
    edited: dict[str, dict[str, Any]]
    title_rows: list[list[str]] = field(default_factory=list)
    # XLSX ranges merged (cells after the first in each written empty), e.g. "C4:C5"
    merges: list[str] = field(default_factory=list)
    kind: str = "action"  # or "recommendation" (loaded with --source)


def write_csv(path: Path, tracker: Tracker, encoding: str) -> Path:
    """The tracker as Excel saves a CSV: CRLF lines, cells quoted only where needed, title
    rows padded to the header's width."""
    width = len(tracker.header)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([*t, *[""] * (width - len(t))] for t in tracker.title_rows)
        writer.writerow(tracker.header)
        writer.writerows([as_text(c) for c in row] for row in tracker.rows)
    return path


def _cells_hidden_by_merges(merges: list[str], first_row: int) -> set[tuple[int, int]]:
    """(row index in tracker.rows, column index) of the cells a merge covers but does not
    start: Excel keeps their value only in the top-left cell."""
    from openpyxl.utils.cell import range_boundaries

    hidden = set()
    for merge in merges:
        min_col, min_row, max_col, max_row = range_boundaries(merge)
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    hidden.add((r - first_row, c - 1))
    return hidden


def write_xlsx(path: Path, tracker: Tracker) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tracker"
    for title in tracker.title_rows:
        ws.append([t or None for t in title])
    ws.append(tracker.header)
    first = len(tracker.title_rows) + 2  # the sheet row of tracker.rows[0]
    hidden = _cells_hidden_by_merges(tracker.merges, first)
    for r, row in enumerate(tracker.rows):
        ws.append([None if (r, c) in hidden else as_xlsx(cell) for c, cell in enumerate(row)])
    for merge in tracker.merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def write_docx(
    path: Path, heading: str, header: list[str], rows: list[list[str]], section: str = ""
) -> Path:
    """A committee paper: a heading, then a table whose first row is its header; `section`
    is a row merged across the table (a theme heading) before the rows."""
    doc = Document()
    doc.add_heading(heading, level=1)
    doc.add_paragraph("The committee is asked to note progress on the actions below.")
    table = doc.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    if section:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.text = section
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    doc.save(path)
    return path


FORMATS = ("csv-utf8", "csv-cp1252", "xlsx")


def write_tracker(tmp_path: Path, tracker: Tracker, fmt: str) -> Path:
    if fmt == "xlsx":
        return write_xlsx(tmp_path / f"{tracker.name}.xlsx", tracker)
    encoding = "utf-8" if fmt == "csv-utf8" else "cp1252"
    return write_csv(tmp_path / f"{tracker.name}.csv", tracker, encoding)


def edited(tracker: Tracker) -> Tracker:
    """The tracker after its author edits one cell."""
    r, c, text = tracker.edit
    rows = [list(row) for row in tracker.rows]
    rows[r][c] = text
    return Tracker(**{**tracker.__dict__, "rows": rows})


# ---------------------------------------------------------------- reading the store back


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]


def items_of(casey: Casey, tracker_kind: str, source: str = "islington-plan") -> dict[str, Any]:
    """Every item a tracker could have made, by title: islington's actions, or a source's
    recommendations (with `response`, which only `rec show` gives)."""
    if tracker_kind == "action":
        return {a["title"]: a for a in casey.json("action", "list", "--borough", "islington")}
    recs = {}
    for rec in casey.json("rec", "list"):
        if rec["source"] == source:
            shown = casey.json("rec", "show", rec["ref"])
            recs[rec["title"]] = {**rec, "response": shown.get("response")}
    return recs


def check(items: dict[str, Any], expected: dict[str, dict[str, Any]]) -> None:
    for title, fields in expected.items():
        assert title in items, f"no item {title!r}; have {sorted(items)}"
        got = {k: items[title].get(k) for k in fields}
        assert got == fields, f"{title}: {got} != {fields}"


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """title -> {field: new value} for what differs (the `updated` stamp aside)."""
    out: dict[str, dict[str, Any]] = {}
    for title in set(before) | set(after):
        old, new = before.get(title, {}), after.get(title, {})
        diff = {
            k: new.get(k)
            for k in set(old) | set(new)
            if k != "updated" and old.get(k) != new.get(k)
        }
        if diff:
            out[title] = diff
    return out


# ---------------------------------------------------------------- the six tracker shapes

# (a) A scrutiny committee's recommendations, loaded as a source's recommendations.
SCRUTINY = Tracker(
    name="scrutiny-recommendations",
    title_rows=[["Policy and Performance Scrutiny Committee: review of local policing"]],
    header=["Recommendation number", "Recommendation", "Responsibility", "Accepted", "Status"],
    rows=[
        [
            "1",
            "Publish stop and search data by ward – every month",
            "Borough commander",
            "Accepted",
            "Ongoing",
        ],
        [
            "2",
            "Fund ward panels up to £5,000 a year",
            "Council",
            "Accepted in principle",
            "Not started",
        ],
        [
            "3",
            "Review the council’s CCTV strategy",
            "Head of Community Safety",
            "Rejected",
            "Withdrawn",
        ],
    ],
    args=("--source", "islington-plan"),
    kind="recommendation",
    expected={
        "Publish stop and search data by ward – every month": {
            "ref": "islington-plan-5",
            "tracker_ref": "1",
            "owner": "Borough commander",
            "status": "in-progress",
            "response": "accepted",
            "due": None,
        },
        "Fund ward panels up to £5,000 a year": {
            "ref": "islington-plan-6",
            "tracker_ref": "2",
            "owner": "Council",
            "status": "not-started",
            "response": "accepted-in-principle",
        },
        "Review the council’s CCTV strategy": {
            "ref": "islington-plan-7",
            "tracker_ref": "3",
            "status": "dropped",
            "response": "rejected",
        },
    },
    edit=(1, 4, "Ongoing"),
    edited={"Fund ward panels up to £5,000 a year": {"status": "in-progress"}},
)

# (b) A cabinet's response to a scrutiny review: periods in a Timetable column.
CABINET = Tracker(
    name="cabinet-response",
    header=["Recommendation", "Cabinet Member", "Response", "Timetable", "Lead Officer"],
    rows=[
        [
            "Publish ward panel dates – every quarter",
            "Cllr Hamitouche",
            "Agreed",
            "Q2 2026/27",
            "Head of Community Safety",
        ],
        [
            "Report stop and search outcomes by ward",
            "Cllr Hamitouche",
            "Agreed",
            "March 2027",
            "Borough commander",
        ],
        [
            "Review the youth offer, costed at £20k",
            "Cllr Comer-Schwartz",
            "Agreed in part",
            "2026/27",
            "Director of Children’s Services",
        ],
        [
            "Set up a community monitoring group",
            "Cllr Hamitouche",
            "Agreed",
            "TBC",
            "Head of Community Safety",
        ],
    ],
    args=("--borough", "islington"),
    expected={
        "Publish ward panel dates – every quarter": {
            "due": "2026-09-30",
            "due_text": None,
            "owner": "Head of Community Safety",
            "status": "not-started",
            "tracker_ref": None,
        },
        "Report stop and search outcomes by ward": {
            "due": "2027-03-31",
            "owner": "Borough commander",
        },
        "Review the youth offer, costed at £20k": {
            "due": "2027-03-31",
            "owner": "Director of Children’s Services",
        },
        "Set up a community monitoring group": {"due": None, "due_text": "TBC"},
    },
    edit=(1, 4, "Insp. R. Shah"),
    edited={"Report stop and search outcomes by ward": {"owner": "Insp. R. Shah"}},
)

# (c) An internal audit tracker: original and revised dates, % complete, RAG, update. In
# XLSX the first target date is a real date cell and the revised date a date serial.
AUDIT = Tracker(
    name="audit-tracker",
    title_rows=[["Internal audit: community safety follow-up"], []],
    header=[
        "Ref",
        "Action",
        "Lead officer",
        "Target date",
        "Revised target date",
        "% complete",
        "RAG",
        "Progress update",
    ],
    rows=[
        [
            "IA 25/26-01",
            "Publish ward panel dates for 2027",
            "Insp. R. Shah",
            XL("31/01/2027", date(2027, 1, 31)),
            "",
            "50",
            "Amber",
            "Dates drafted with the chairs – sent for comment",
        ],
        [
            "IA 25/26-02",
            "Report stop and search outcomes by ward",
            "Borough commander",
            "30/09/26",
            XL("31/03/2027", 46477),
            "25",
            "R",
            "Data team short-staffed",
        ],
        ["IA 25/26-03", "Set up the community monitoring group", "", "TBC", "", "0", "G", ""],
    ],
    args=("--borough", "islington"),
    expected={
        "Publish ward panel dates for 2027": {
            "tracker_ref": "IA 25/26-01",
            "owner": "Insp. R. Shah",
            "due": "2027-01-31",
            "original_due": "2027-01-31",
            "slips": 0,
            "progress": 50,
            "reported_rag": "amber",
            "latest_update": "Dates drafted with the chairs – sent for comment",
        },
        "Report stop and search outcomes by ward": {
            "tracker_ref": "IA 25/26-02",
            "due": "2027-03-31",
            "original_due": "2026-09-30",
            "slips": 1,
            "progress": 25,
            "reported_rag": "red",
            "latest_update": "Data team short-staffed",
        },
        "Set up the community monitoring group": {
            "tracker_ref": "IA 25/26-03",
            "owner": None,
            "due": None,
            "due_text": "TBC",
            "reported_rag": "green",
            "latest_update": None,
        },
    },
    edit=(0, 6, "Red"),
    edited={"Publish ward panel dates for 2027": {"reported_rag": "red"}},
)

# (d) An inquiry's progress table, with the responses agreed: a source's recommendations.
INQUIRY = Tracker(
    name="inquiry-progress",
    header=["No.", "Recommendation", "Priority", "Responsibility", "Agreed", "Comments", "Date"],
    rows=[
        [
            "1",
            "Train every officer in trauma-informed practice",
            "High",
            "MPS Learning – L&D",
            "Accepted",
            "Course designed; first cohort in January",
            "31/03/2027",
        ],
        [
            "2",
            "Give victims a named contact",
            "Medium",
            "Victims’ Commissioner",
            "Accepted",
            "",
            "Q3 2026/27",
        ],
    ],
    args=("--source", "islington-plan"),
    kind="recommendation",
    expected={
        "Train every officer in trauma-informed practice": {
            "ref": "islington-plan-5",
            "tracker_ref": "1",
            "owner": "MPS Learning – L&D",
            "response": "accepted",
            "due": "2027-03-31",
            "latest_update": "Course designed; first cohort in January",
        },
        "Give victims a named contact": {
            "ref": "islington-plan-6",
            "tracker_ref": "2",
            "owner": "Victims’ Commissioner",
            "due": "2026-12-31",
            "latest_update": None,
        },
    },
    edit=(1, 3, "MOPAC"),
    edited={"Give victims a named contact": {"owner": "MOPAC"}},
)

# (e) A committee's action log: status cells that go on in prose, owners merged in XLSX.
ACTION_LOG = Tracker(
    name="action-log",
    title_rows=[["Islington Policing Scrutiny Committee – action log"]],
    header=["Minute item", "Subject and action required", "Status", "Action by"],
    rows=[
        [
            "5",
            "Chair to write to the Borough Commander about ward panels",
            "Completed. This meeting took place on 10 February 2021.",
            "Chair",
        ],
        [
            "6",
            "Officers to report on stop and search by ward",
            "Ongoing",
            "Head of Community Safety",
        ],
        ["7(a)", "Circulate the ward panel dates", "Not started", "Head of Community Safety"],
    ],
    merges=["D4:D5"],  # title row, header, then rows 3-5: the last two share an owner
    args=("--borough", "islington"),
    expected={
        "Chair to write to the Borough Commander about ward panels": {
            "tracker_ref": "5",
            "status": "complete",
            "owner": "Chair",
            "latest_update": "This meeting took place on 10 February 2021.",
        },
        "Officers to report on stop and search by ward": {
            "tracker_ref": "6",
            "status": "in-progress",
            "owner": "Head of Community Safety",
        },
        "Circulate the ward panel dates": {
            "tracker_ref": "7(a)",
            "status": "not-started",
            "owner": "Head of Community Safety",
        },
    },
    edit=(1, 2, "On hold"),
    # blocked makes the rule's RAG amber: derived, so it moves with the status
    edited={"Officers to report on stop and search by ward": {"status": "blocked", "rag": "amber"}},
)


SHAPES = [SCRUTINY, CABINET, AUDIT, INQUIRY, ACTION_LOG]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("tracker", SHAPES, ids=[t.name for t in SHAPES])
def test_a_tracker_loads_reloads_unchanged_and_takes_one_edit(
    casey: Casey, isolated: Any, tmp_path: Path, tracker: Tracker, fmt: str
) -> None:
    """Each real tracker shape, in each way councils save it: the items it gives, nothing
    changed by loading it again, and one edited cell changing exactly one field."""
    path = write_tracker(tmp_path, tracker, fmt)
    if fmt == "csv-cp1252":
        assert any(b in path.read_bytes() for b in (b"\x96", b"\xa3", b"\x92"))  # – £ ’
    n = len(tracker.rows)
    out = casey("load", str(path), *tracker.args).stdout
    assert last_line(out) == f"{n} created, 0 updated, 0 unchanged", out
    loaded = items_of(casey, tracker.kind)
    check(loaded, tracker.expected)

    store = snapshot(isolated)
    again = casey("load", str(path), *tracker.args).stdout
    assert last_line(again) == f"0 created, 0 updated, {n} unchanged", again
    assert snapshot(isolated) == store

    path.unlink()
    path = write_tracker(tmp_path, edited(tracker), fmt)
    out = casey("load", str(path), *tracker.args).stdout
    assert last_line(out) == f"0 created, 1 updated, {n - 1} unchanged", out
    assert changes(loaded, items_of(casey, tracker.kind)) == tracker.edited


# ---------------------------------------------------------------- (f) a table in a Word paper

DOCX_HEADER = ["Ref", "Action", "Lead officer", "Target date", "Status"]
DOCX_ROWS = [
    ["PS 01", "Publish ward panel dates for 2027", "Insp. R. Shah", "28 Feb 2027", "On track"],
    [
        "PS 02",
        "Report stop and search outcomes by ward",
        "Borough commander",
        "Q4 2026/27",
        "Not started",
    ],
    [
        "PS 03",
        "Hold a public meeting in every ward",
        "Head of Community Safety",
        "Ongoing",
        "Delayed",
    ],
]


def test_a_word_table_loads_reloads_unchanged_and_takes_one_edit(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """A committee paper's table (.docx): the heading and prose above it and a theme row
    merged across it are not items; the rows are, loaded again without change."""
    path = write_docx(
        tmp_path / "paper.docx",
        "Appendix A: action tracker",
        DOCX_HEADER,
        DOCX_ROWS,
        section="Theme 1: Trust and confidence",
    )
    out = casey("load", str(path), "--borough", "islington").stdout
    assert last_line(out) == "3 created, 0 updated, 0 unchanged", out
    loaded = items_of(casey, "action")
    check(
        loaded,
        {
            "Publish ward panel dates for 2027": {
                "ref": "A32",
                "tracker_ref": "PS 01",
                "owner": "Insp. R. Shah",
                "due": "2027-02-28",
                "status": "in-progress",
            },
            "Report stop and search outcomes by ward": {
                "tracker_ref": "PS 02",
                "due": "2027-03-31",
                "status": "not-started",
            },
            "Hold a public meeting in every ward": {
                "tracker_ref": "PS 03",
                "due": None,
                "due_text": "Ongoing",
                "status": "blocked",
            },
        },
    )
    assert not any(t.startswith("Theme 1") for t in loaded)

    store = snapshot(isolated)
    again = casey("load", str(path), "--borough", "islington").stdout
    assert last_line(again) == "0 created, 0 updated, 3 unchanged", again
    assert snapshot(isolated) == store

    rows = [list(r) for r in DOCX_ROWS]
    rows[0][2] = "Insp. K. Okafor"
    path = write_docx(
        tmp_path / "paper.docx",
        "Appendix A: action tracker",
        DOCX_HEADER,
        rows,
        section="Theme 1: Trust and confidence",
    )
    out = casey("load", str(path), "--borough", "islington").stdout
    assert last_line(out) == "0 created, 1 updated, 2 unchanged", out
    assert changes(loaded, items_of(casey, "action")) == {
        "Publish ward panel dates for 2027": {"owner": "Insp. K. Okafor"}
    }


# ---------------------------------------------------------------- the rules of a tracker load


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_tracker_reference_of_1_is_never_casey_a1(casey: Casey, tmp_path: Path) -> None:
    """A tracker numbers its rows 1, 2, ...: those are its own references, never casey's
    A1 and A2, which stay as they were while new items are made."""
    a1 = casey.json("action", "show", "A1")
    a2 = casey.json("action", "show", "A2")
    path = write(
        tmp_path, "t.csv", "Ref,Action,Status\n1,First thing,Completed\n2,Second,Ongoing\n"
    )
    out = casey("load", str(path), "--borough", "islington").stdout
    assert last_line(out) == "2 created, 0 updated, 0 unchanged", out
    assert casey.json("action", "show", "A1") == a1
    assert casey.json("action", "show", "A2") == a2
    loaded = items_of(casey, "action")
    check(
        loaded,
        {
            "First thing": {"ref": "A32", "tracker_ref": "1", "status": "complete"},
            "Second": {"ref": "A33", "tracker_ref": "2", "status": "in-progress"},
        },
    )


def test_every_problem_is_reported_at_once_and_nothing_written(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """A clerk fixes a whole tracker in one pass: each bad cell on its own line, with the
    file, line and the tracker's own heading; then the count; and the store untouched."""
    before = snapshot(isolated)
    path = write(
        tmp_path,
        "t.csv",
        "Ref,Action,Target date,Status,RAG\n"
        "1,Publish ward panel dates,01/03/2027,,Green\n"
        "2,Report on stop and search,31/02/2027,Nonsense,Purple\n"
        "3,,01/01/2027,,\n",
    )
    result = casey("load", str(path), "--borough", "islington", code=1)
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}:3: Target date: '31/02/2027' is not a real date: February 2027 has "
        "28 days; give a day from 1 to 28",
        f"Error: {path}:3: Status: unknown status 'Nonsense'; use one of not-started, "
        "in-progress, blocked, complete, dropped",
        f"Error: {path}:3: RAG: unknown RAG 'Purple'; use Red, Amber, Green, Blue or Grey "
        "(or R, A, G, B)",
        f"Error: {path}:4: Ref: no action in islington has the reference '3', and a new one "
        "needs a title; fill in its Action cell",
        "Error: 4 problems in the files; nothing was written",
    ]
    assert snapshot(isolated) == before


def test_casey_ref_alone_updates_that_action(casey: Casey, tmp_path: Path) -> None:
    """`Ref,Status` / `A3,Completed`: casey's own ref names the item, so no borough or
    title is needed."""
    before = casey.json("action", "show", "A3")
    assert before["status"] != "complete"
    path = write(tmp_path, "t.csv", "Ref,Status\nA3,Completed\n")
    out = casey("load", str(path)).stdout
    assert last_line(out) == "0 created, 1 updated, 0 unchanged", out
    after = casey.json("action", "show", "A3")
    assert after["status"] == "complete"
    assert (after["title"], after["borough"]) == (before["title"], before["borough"])


def test_dry_run_previews_the_rows_and_writes_nothing(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """The dry run shows what each row becomes (the period it read a date from, the status
    word it read) and the headings it left out, and writes nothing."""
    before = snapshot(isolated)
    path = write_tracker(tmp_path, CABINET, "csv-utf8")
    result = casey("load", str(path), "--borough", "islington", "--dry-run")
    out = result.stdout
    assert "Publish ward panel" in out
    assert "from Q2 2026/27" in out
    assert "left out: 'Cabinet Member'" in out
    assert "4 would be created, 0 would be updated, 0 unchanged" in out
    assert last_line(out) == "4 would be created, 0 would be updated, 0 unchanged"
    assert "Dry run: nothing was written." in result.stdout + result.stderr
    log = write_tracker(tmp_path, ACTION_LOG, "csv-utf8")
    out = casey("load", str(log), "--borough", "islington", "--dry-run").stdout
    assert "from Ongoing" in out
    assert snapshot(isolated) == before
    # A real load says what it left out too, on stderr.
    loaded = casey("load", str(path), "--borough", "islington")
    assert loaded.stderr == f"{path}: left out the columns 'Cabinet Member', 'Response'\n"


def test_map_leaves_a_date_out_and_map_status_reads_a_word(casey: Casey, tmp_path: Path) -> None:
    """A `Date` that is the meeting's, not the target's, is left out with --map; a tracker
    where Green means done says so with --map-status."""
    path = write(
        tmp_path,
        "t.csv",
        "No.,Action,Status,Date\n1,Write to the commander,Green,10/02/2021\n"
        "2,Report on ward panels,Ongoing,10/02/2021\n",
    )
    err = casey.error("load", str(path), "--borough", "islington")
    assert "unknown status 'Green'" in err
    out = casey(
        "load",
        str(path),
        "--borough",
        "islington",
        "--map",
        "Date=ignore",
        "--map-status",
        "Green=complete",
    ).stdout
    assert last_line(out) == "2 created, 0 updated, 0 unchanged", out
    check(
        items_of(casey, "action"),
        {
            "Write to the commander": {"status": "complete", "due": None, "due_text": None},
            "Report on ward panels": {"status": "in-progress", "due": None},
        },
    )


# ---------------------------------------------------------------- a tracker larger than a batch


def big_tracker(rows: int, bad: dict[int, tuple[str, str]] | None = None) -> str:
    """A council CSV of `rows` actions across boroughs (more than one batch of
    register.BATCH_ROWS); `bad` puts (date, status) text on some of its rows."""
    lines = ["Ref,Borough,Action,Target date,Status"]
    for n in range(1, rows + 1):
        due, status = (bad or {}).get(n, (f"{1 + n % 28:02d}/03/2027", "On track"))
        borough = ("Islington", "Hackney", "Camden")[n % 3]
        lines.append(f"R{n},{borough},Action number {n},{due},{status}")
    return "\n".join(lines) + "\n"


def test_a_tracker_larger_than_a_batch_loads_once_and_reloads_unchanged(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """Rows are checked and applied a batch at a time: all of them arrive, each once, and
    the same file again matches every row by its reference."""
    from casey_cli.io.register import BATCH_ROWS

    rows = BATCH_ROWS + 1200
    path = write(tmp_path, "big.csv", big_tracker(rows))
    assert last_line(casey("load", str(path)).stdout) == f"{rows} created, 0 updated, 0 unchanged"
    assert last_line(casey("load", str(path)).stdout) == f"0 created, 0 updated, {rows} unchanged"
    last = casey.json("action", "show", f"A{31 + rows}")
    assert (last["tracker_ref"], last["borough"], last["due"]) == (
        f"R{rows}",
        ("islington", "hackney", "camden")[rows % 3],
        f"2027-03-{1 + rows % 28:02d}",
    )
    db_check(isolated)


def test_problems_in_every_batch_are_all_reported_and_nothing_written(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """A problem in the first batch and others thousands of rows later (one a repeat of a
    reference from the first batch) are reported together, and no batch is kept."""
    from casey_cli.io.register import BATCH_ROWS

    before = snapshot(isolated)
    late = BATCH_ROWS + 500
    text = big_tracker(BATCH_ROWS + 1000, {3: ("31/02/2027", "On track"), late: ("", "Done?")})
    repeat = late + 3  # in row 7's borough: the same reference there is a repeat
    assert repeat % 3 == 7 % 3
    text = text.replace(f"\nR{repeat},", "\nR7,", 1)
    path = write(tmp_path, "big.csv", text)
    result = casey("load", str(path), code=1)
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}:4: Target date: '31/02/2027' is not a real date: February 2027 has "
        "28 days; give a day from 1 to 28",
        f"Error: {path}:{late + 1}: Status: unknown status 'Done?'; use one of not-started, "
        "in-progress, blocked, complete, dropped",
        f"Error: {path}:{repeat + 1}: Ref: hackney reference 'R7' is repeated in this file "
        "(first at line 8); keep one",
        "Error: 3 problems in the files; nothing was written",
    ]
    assert snapshot(isolated) == before


def test_a_dry_run_of_a_large_tracker_previews_its_first_rows(casey: Casey, tmp_path: Path) -> None:
    from casey_cli.io.register import PREVIEW_ROWS

    path = write(tmp_path, "big.csv", big_tracker(PREVIEW_ROWS + 30))
    out = casey("load", str(path), "--dry-run").stdout
    assert f"(the first {PREVIEW_ROWS} rows of {PREVIEW_ROWS + 30})" in out
    assert "A32 new" in out and f"A{31 + PREVIEW_ROWS} new" in out
    assert f"A{32 + PREVIEW_ROWS} new" not in out


def test_a_trackers_words_for_a_due_date_are_shown_where_the_date_would_be(
    casey: Casey, tmp_path: Path
) -> None:
    """`TBC` in the Timetable column: no due date, so a gap, and the status, the list and
    the paper all show the tracker's words with it."""
    # Bexley: a borough the bundled register has no actions for, so its lists are short.
    casey("load", str(write_tracker(tmp_path, CABINET, "csv-utf8")), "--borough", "bexley")
    status = casey("status", "--borough", "bexley").stdout
    gaps = status[status.index("Gaps") :]
    assert "no due date" in gaps and "(TBC)" in gaps  # the cell wraps at 80 columns
    listed = casey("action", "list", "--borough", "bexley").stdout
    assert "TBC" in listed
    paper = casey("report", "--borough", "bexley").stdout
    assert "no due date (TBC)" in paper


def test_the_first_50_problems_are_shown_and_the_rest_counted(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    from casey_cli.io.register import MAX_PROBLEMS

    before = snapshot(isolated)
    rows = "".join(f"R{n},Action {n},32/01/2027\n" for n in range(MAX_PROBLEMS + 10))
    path = write(tmp_path, "t.csv", "Ref,Action,Target date\n" + rows)
    lines = casey("load", str(path), "--borough", "islington", code=1).stderr.splitlines()
    assert len(lines) == MAX_PROBLEMS + 2
    assert lines[0].startswith(f"Error: {path}:2: Target date: '32/01/2027'")
    assert lines[-2:] == [
        "Error: ... and 10 more problems",
        f"Error: {MAX_PROBLEMS + 10} problems in the files; nothing was written",
    ]
    assert snapshot(isolated) == before


# ---------------------------------------------------------------- found in review


def test_a_workbook_header_whose_columns_clash_is_a_located_error(
    casey: Casey, tmp_path: Path
) -> None:
    """A Deadline beside a meeting's Date: both read as the due date. The sheet is not
    skipped as headerless; the error names the row and says how to choose."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Minute item", "Subject and action required", "Action by", "Deadline", "Date"])
    sheet.append(["12", "Write to the commander", "Chair", "31/01/2027", "10/11/2026"])
    closed = book.create_sheet("Closed")
    closed.append(["Minute item", "Subject and action required", "Action by", "Deadline"])
    closed.append(["3", "Invite the panel", "Clerk", "28/02/2027"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    err = casey.error("load", str(path), "--borough", "islington")
    assert err == (
        f"Error: {path}:Actions:1: Date: the columns 'Deadline' and 'Date' both give due; say "
        'which with --map "Date=ignore" (or another field)'
    )
    out = casey("load", str(path), "--borough", "islington", "--map", "Date=ignore").stdout
    assert last_line(out) == "2 created, 0 updated, 0 unchanged"


def test_a_title_row_of_one_heading_word_is_not_the_header(casey: Casey, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ACTIONS,,,\nRef,Action,Owner,Target date\n5,Circulate data,Clerk,15/01/2027\n",
    )
    out = casey("load", str(path), "--borough", "islington").stdout
    assert last_line(out) == "1 created, 0 updated, 0 unchanged"
    check(items_of(casey, "action"), {"Circulate data": {"tracker_ref": "5", "owner": "Clerk"}})


def test_a_row_with_no_reference_reloads_beside_one_with_the_same_title(
    casey: Casey, tmp_path: Path
) -> None:
    """Two rows with one title, one with a reference and one without: two items, and the
    same file again matches each to its own."""
    text = (
        "Ref,Action,Target date\nT1,Hold a public meeting,31/01/2027\n"
        ",Hold a public meeting,28/02/2027\n"
    )
    path = write(tmp_path, "t.csv", text)
    assert last_line(casey("load", str(path), "--borough", "bexley").stdout) == (
        "2 created, 0 updated, 0 unchanged"
    )
    assert last_line(casey("load", str(path), "--borough", "bexley").stdout) == (
        "0 created, 0 updated, 2 unchanged"
    )


def test_a_row_with_the_trackers_reference_alone_updates_its_item(
    casey: Casey, tmp_path: Path
) -> None:
    first = write(tmp_path, "a.csv", "Ref,Action,Status\nSR 01,Publish the dates,In progress\n")
    casey("load", str(first), "--borough", "islington")
    again = write(tmp_path, "b.csv", "Ref,Status\nSR 01,Completed\nSR 02,Completed\n")
    err = casey.error("load", str(again), "--borough", "islington")
    assert err == (
        f"Error: {again}:3: Ref: no action in islington has the reference 'SR 02', and a new "
        "one needs a title; add a title column"
    )
    again.write_text("Ref,Status\nSR 01,Completed\n", encoding="utf-8")
    assert last_line(casey("load", str(again), "--borough", "islington").stdout) == (
        "0 created, 1 updated, 0 unchanged"
    )
    check(items_of(casey, "action"), {"Publish the dates": {"status": "complete"}})


def test_another_trackers_row_1_does_not_retitle_this_trackers_item_1(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """Two trackers of a borough both number their rows 1, 2...: a row whose reference is
    an item's but whose title is nothing like it is refused, naming both ways out; a title
    edited in the tracker is still taken."""
    audit = write(tmp_path, "audit.csv", "No.,Action\n1,Review custody record keeping\n")
    casey("load", str(audit), "--borough", "hackney")
    committee = write(tmp_path, "committee.csv", "No.,Action\n1,Invite the youth panel\n")
    before = snapshot(isolated)
    err = casey.error("load", str(committee), "--borough", "hackney")
    assert err == (
        f"Error: {committee}:2: No.: the reference '1' is A32 ('Review custody record "
        "keeping'), whose title is nothing like this row's: if the row is another tracker's, "
        'give its references a prefix (or --map "No.=ignore" to match by title); if the title '
        "was rewritten, change it first: casey action update A32 --title TEXT"
    )
    assert snapshot(isolated) == before
    audit.write_text("No.,Action\n1,Review custody record-keeping quarterly\n", encoding="utf-8")
    assert last_line(casey("load", str(audit), "--borough", "hackney").stdout) == (
        "0 created, 1 updated, 0 unchanged"
    )


def test_a_date_with_a_slip_in_it_is_an_error_not_words(casey: Casey, tmp_path: Path) -> None:
    """Words in a date column are kept (TBC, During 2009/10), but a date typed with a slip
    would silently lose its due date: each is a located error. Dots and dashes are dates."""
    rows = ["31 Jnauary 2027", "Febuary 2027", "31/01/2O27", "31.01.2027", "31-01-2027", "TBC"]
    text = "Ref,Action,Target date\n" + "".join(
        f"{n},Action {n},{due}\n" for n, due in enumerate(rows, start=1)
    )
    path = write(tmp_path, "t.csv", text)
    lines = casey("load", str(path), "--borough", "islington", code=1).stderr.splitlines()
    assert [line.split(": ")[1].rpartition(":")[2] for line in lines[:-1]] == ["2", "3", "4"]
    assert all("looks like a date but is not one" in line for line in lines[:-1])
    fixed = "".join(f"{n},Action {n},{due}\n" for n, due in enumerate(rows[3:], start=4))
    path.write_text("Ref,Action,Target date\n" + fixed, encoding="utf-8")
    casey("load", str(path), "--borough", "islington")
    check(
        items_of(casey, "action"),
        {
            "Action 4": {"due": "2027-01-31"},
            "Action 5": {"due": "2027-01-31"},
            "Action 6": {"due": None, "due_text": "TBC"},
        },
    )


def test_a_utf8_file_with_one_stray_byte_is_refused_not_garbled(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """A line pasted from a Windows-1252 file into a UTF-8 one: reading it all as
    Windows-1252 would garble every £ and ’; the stray byte is named with its line."""
    before = snapshot(isolated)
    good = "".join(f"M{n},Review the £1k budget – officer’s plan {n}\n" for n in range(1, 40))
    path = tmp_path / "mixed.csv"
    path.write_bytes(("Ref,Action\n" + good).encode() + b"M40,Pay \x80 5 fee\n")
    err = casey.error("load", str(path), "--borough", "lambeth")
    assert err.startswith(f"Error: {path}:41: UTF-8 text but for byte ")
    assert snapshot(isolated) == before


def test_a_formula_with_no_saved_value_is_reported_with_the_other_problems(
    casey: Casey, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Ref", "Action", "Deadline", "Status"])
    sheet.append(["1", "Formula date", "=DATE(2027,3,31)", "Ongoing"])
    sheet.append(["2", "Bad status", "31/03/2027", "Bogus"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    lines = casey("load", str(path), "--borough", "islington", code=1).stderr.splitlines()
    assert lines == [
        f"Error: {path}:Actions:C2: Deadline: the formula has no saved value; open the file in "
        "Excel and save it, or paste values",
        f"Error: {path}:Actions:3: Status: unknown status 'Bogus'; use one of not-started, "
        "in-progress, blocked, complete, dropped",
        "Error: 2 problems in the files; nothing was written",
    ]


def test_map_must_name_a_heading_of_the_file_and_a_field_a_column_can_give(
    casey: Casey, tmp_path: Path
) -> None:
    path = write(tmp_path, "t.csv", "No.,Action,Response\n1,Do a thing,Agreed\n")
    err = casey.error("load", str(path), "--borough", "bexley", "--map", "Nope=owner")
    assert err == (
        f"Error: {path}: --map names a heading this file does not have ('nope', compared "
        "without case, spaces or punctuation); check its spelling"
    )
    err = casey.error("load", str(path), "--borough", "bexley", "--map", "No.=rag")
    assert "'rag' is not a field a column can give" in err
    # An action has no response: the column is left out, and said to be.
    loaded = casey("load", str(path), "--borough", "bexley")
    assert loaded.stderr == f"{path}: left out the columns 'Response'\n"


def test_percent_complete_and_map_status_errors_speak_the_trackers_language(
    casey: Casey, tmp_path: Path
) -> None:
    path = write(tmp_path, "t.csv", "No.,Action,% complete,Timetable\n7,Pct thing,50%,2026/27\n")
    out = casey("load", str(path), "--borough", "islington", "--dry-run").stdout
    assert "from 2026/27" in out and "not-started" in out  # how it was read; what it becomes
    casey("load", str(path), "--borough", "islington")
    check(items_of(casey, "action"), {"Pct thing": {"progress": 50, "due": "2027-03-31"}})
    err = casey.error("load", str(path), "--borough", "islington", "--map-status", "Green=done!")
    assert err.startswith("Error: --map-status: unknown status 'done!'")


def test_a_reference_column_of_casey_refs_is_shown_as_ref(casey: Casey, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "Ref,Status\nA3,Completed\n")
    out = casey("load", str(path), "--dry-run").stdout
    assert f"{path}: columns 'Ref' -> ref, 'Status' -> status" in out


def test_a_rows_missing_borough_is_reported_with_its_bad_cells(
    casey: Casey, isolated: Any, tmp_path: Path
) -> None:
    """A row's own problem (no borough) comes in the same run as its cells' problems, so a
    clerk does not fix two and then meet a third."""
    before = snapshot(isolated)
    path = write(tmp_path, "t.csv", "Action,Target date,Status\nX,31/02/2027,Nonsense\n")
    lines = casey("load", str(path), code=1).stderr.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        f"{path}:2",
        f"{path}:2",
        f"{path}:2",
        "3 problems in the files; nothing was written",
    ]
    assert lines[2] == (
        f"Error: {path}:2: an action needs 'borough'; add a Borough column, or --borough SLUG"
    )
    assert snapshot(isolated) == before
