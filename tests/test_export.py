"""`casey export`: deterministic bytes, spreadsheet safety, atomic files, filters, ICS."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from casey_cli.schemas import ITEM_COLUMNS


def seed_items(casey):
    casey(
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        '=HYPERLINK("http://evil")',
        "--owner",
        "+Owner",
        "--due",
        "2026-10-01",
    )
    casey(
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "<script>alert(1)</script>",
        "--owner",
        "B",
        "--due",
        "2026-12-01",
    )
    casey(
        "action", "add", "-b", "camden", "-t", "Camden item", "--owner", "C", "--due", "2026-11-30"
    )


def test_csv_is_rfc4180_with_header_and_formula_guard(casey, tmp_path):
    seed_items(casey)
    out = tmp_path / "e.csv"
    casey("export", "--format", "csv", "--output", str(out), "-b", "islington")
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF line ends
    rows = list(csv.DictReader(io.StringIO(raw.decode())))
    assert tuple(rows[0]) == ITEM_COLUMNS
    evil = next(r for r in rows if r["ref"] == "A32")
    assert evil["title"] == '\'=HYPERLINK("http://evil")'
    assert evil["owner"] == "'+Owner"
    assert {r["borough"] for r in rows} == {"islington"}
    dues = [r["due"] for r in rows if r["due"]]
    assert dues == sorted(dues) and rows[-1]["due"] == ""  # by due date, undated last


def test_a_leading_apostrophe_survives_the_csv_round_trip(casey, tmp_path):
    casey("action", "add", "-b", "camden", "-t", "'=SUM(1) quoted on purpose")
    out = tmp_path / "e.csv"
    casey("export", "--format", "csv", "--output", str(out))
    # the bundled 31 actions and 36 recommendations, and the one added
    assert casey("load", str(out)).stdout.strip().endswith("0 updated, 68 unchanged")
    assert casey.json("action", "show", "A32")["title"] == "'=SUM(1) quoted on purpose"


def test_same_store_same_bytes_for_every_format(casey, tmp_path):
    seed_items(casey)
    for fmt in ("csv", "json", "xlsx", "markdown", "html", "ics"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        casey("export", "--format", fmt, "--output", str(a))
        time.sleep(1.05) if fmt == "xlsx" else None  # a clock-stamped file would now differ
        casey("export", "--format", fmt, "--output", str(b))
        assert a.read_bytes() == b.read_bytes(), fmt


def test_json_export_is_item_objects(casey):
    seed_items(casey)
    items = json.loads(casey("export", "--format", "json").stdout)
    assert all(tuple(i) == ITEM_COLUMNS for i in items)
    kinds = {i["kind"] for i in items}
    assert kinds == {"action", "recommendation"}
    assert "\x1b[" not in casey("export", "--format", "json").stdout


def test_xlsx_header_filter_fills_and_no_formulas(casey, tmp_path):
    from openpyxl import load_workbook

    seed_items(casey)
    out = tmp_path / "e.xlsx"
    casey("export", "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == list(ITEM_COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:Y")  # 25 columns
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    evil = next(c for c in cells if c.value == '=HYPERLINK("http://evil")')
    assert evil.data_type == "s"
    rag_col = list(ITEM_COLUMNS).index("rag")
    red = next(row for row in sheet.iter_rows(min_row=2) if row[rag_col].value == "red")
    assert red[rag_col].fill.fgColor.rgb.endswith("F4B6B6")


def test_xlsx_refuses_a_terminal_and_accepts_a_pipe(casey):
    result = casey("export", "--format", "xlsx")
    assert result.stdout_bytes[:2] == b"PK"


def test_filters_match_action_list(casey):
    seed_items(casey)
    overdue = json.loads(casey("export", "--format", "json", "--overdue").stdout)
    assert [i["ref"] for i in overdue] == ["casey-2", "A32"] or {i["ref"] for i in overdue} >= {
        "A32"
    }
    assert all(i["days_overdue"] for i in overdue)
    owner = json.loads(casey("export", "--format", "json", "--owner", "owner").stdout)
    assert [i["ref"] for i in owner] == ["A32"]
    rec = json.loads(casey("export", "--format", "json", "-r", "islington-plan-1").stdout)
    assert rec[-1]["ref"] == "islington-plan-1"
    assert all(i["recommendation"] == "islington-plan-1" for i in rec[:-1])
    before = json.loads(casey("export", "--format", "json", "--due-before", "2026-11-30").stdout)
    assert all(i["due"] < "2026-11-30" for i in before)
    casey.error("export", "--borough", "islingtn")


def test_html_export_escapes_and_is_self_contained(casey):
    seed_items(casey)
    page = casey("export", "--format", "html").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "http://evil" in page and "<link" not in page and "src=" not in page


def test_ics_parses_back(casey):
    from icalendar import Calendar

    seed_items(casey)
    feed = Calendar.from_ical(casey("export", "--format", "ics").stdout_bytes)
    events = {str(e["uid"]).partition(".")[0]: e for e in feed.walk("VEVENT")}
    assert str(events["A34"]["summary"]) == "Due: A34 Camden item"
    assert events["A34"].decoded("dtstart").isoformat() == "2026-11-30"
    assert "M1" in events  # meetings too, stamped with their day, not a fixed date
    assert (
        events["M1"].decoded("dtstamp").date().isoformat()
        == events["M1"].decoded("dtstart").isoformat()
    )
    assert "A1" not in events  # no due date, no event
    assert not feed.walk("VALARM")  # reminders only when asked


def test_two_stores_feeds_never_share_an_event_uid(casey, tmp_path):
    """Two boroughs' stores both have an A1 and an M1: one calendar subscribed to both
    feeds keeps every event, since each UID carries its store's own id."""
    from icalendar import Calendar

    other = tmp_path / "other.db"
    casey("--db", str(other), "init")
    feeds = [
        casey("export", "--format", "ics").stdout_bytes,
        casey("--db", str(other), "export", "--format", "ics").stdout_bytes,
    ]
    uids = [[str(e["uid"]) for e in Calendar.from_ical(f).walk("VEVENT")] for f in feeds]
    assert uids[0] and len(uids[0]) == len(uids[1])
    assert not set(uids[0]) & set(uids[1])
    assert feeds[0] == casey("export", "--format", "ics").stdout_bytes  # the same each time


def test_ics_alarm_before_each_due_date(casey):
    from datetime import timedelta

    from icalendar import Calendar

    seed_items(casey)
    feed = Calendar.from_ical(casey("export", "--format", "ics", "--alarm", "2w").stdout_bytes)
    due = [e for e in feed.walk("VEVENT") if str(e["summary"]).startswith("Due:")]
    assert due and all(
        [a.decoded("trigger") for a in e.walk("VALARM")] == [timedelta(days=-14)] for e in due
    )
    assert casey.error("export", "--format", "json", "--alarm", "7d") == (
        "Error: --alarm: only a calendar has reminders; add --format ics"
    )
    assert casey.error("export", "--format", "ics", "--alarm", "soon").startswith(
        "Error: --alarm: 'soon' is not a time before a due date"
    )


def test_output_is_atomic(tmp_path):
    """A killed export leaves the old file whole: the new one is renamed into place."""
    out = tmp_path / "weekly.json"
    out.write_text("previous export\n")
    env = {**os.environ, "CASEY_TODAY": "2026-11-23"}  # the test's store (CASEY_DB)
    code = (
        "import time, casey_cli.atomic as a; real = a.os.replace\n"
        "def slow(*args):\n    time.sleep(30)\n    real(*args)\n"
        "a.os.replace = slow\n"
        "from casey_cli.cli import main\nmain()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "export", "--format", "json", "--output", str(out)],
        env=env,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while not list(tmp_path.glob(".weekly.json.*.tmp")) and time.time() < deadline:
        time.sleep(0.05)
    temp = list(tmp_path.glob(".weekly.json.*.tmp"))
    assert temp, "the export never wrote its temp file"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert out.read_text() == "previous export\n"


def test_output_to_missing_folder_is_a_clean_error(casey, tmp_path):
    err = casey.error("export", "--output", str(tmp_path / "no" / "such" / "e.csv"))
    assert "does not exist" in err


def test_export_to_a_missing_folder_creates_no_store(casey, tmp_path):
    db = tmp_path / "fresh.db"
    casey.error("--db", str(db), "export", "--output", str(tmp_path / "no" / "e.csv"))
    casey.error("--db", str(db), "report", "--output", str(tmp_path / "no" / "r.html"))
    assert not db.exists()


def varied_register(casey):
    """Every status, due dates around today and the due-soon window, no due date, owners and
    titles a spreadsheet would run, a leading quote, progress, a slip and two verifications
    (by the account that completed the action, and by another; SQLite only: a second OS
    user)."""
    cases = [  # (title, owner, due, status)
        ("Past due", "=cmd()", "2026-11-01", "in-progress"),
        ("Due today", "@owner", "2026-11-23", "not-started"),
        ("Due at window end", "-minus", "2026-12-07", "not-started"),
        ("Due after window", "'quoted", "2026-12-08", "in-progress"),
        ("Blocked, undated", None, None, "blocked"),
        ("Blocked, later", "\tTab", "2027-05-01", "blocked"),
        ("Done late", "+plus", "2026-01-01", "complete"),
        ("Dropped late", "Owner, with comma", "2026-02-01", "dropped"),
        ("Open, undated", 'Say "hi"', None, "in-progress"),
        ("=Title formula", "O", "2025-06-30", "not-started"),
    ]
    for title, owner, due, status in cases:
        args = ["action", "add", "-b", "hackney", "-t", title, "--status", status]
        args += ["--owner", owner] if owner else []
        args += ["--due", due] if due else []
        casey(*args)
    ref = json.loads(casey("action", "list", "--format", "json", "-b", "hackney").stdout)[0]["ref"]
    casey("action", "update", ref, "--progress", "40")
    casey("action", "reschedule", ref, "--due", "2026-11-20", "--reason", "waiting")
    casey("action", "done", ref)
    casey("action", "verify", ref, "--by", "Auditor")  # by the account that completed it
    # ...and one verified from another account than the one that completed it.
    listed = json.loads(casey("action", "list", "--format", "json", "-b", "hackney").stdout)
    other = next(i for i in listed if i["title"] == "Open, undated")
    casey("action", "done", other["ref"])
    casey("action", "verify", other["ref"], "--by", "Auditor", env={"LOGNAME": "auditor-desk"})


def reference_items(db, today):
    """The item objects as make_item builds them, one Python object per row."""
    import sqlite3
    from contextlib import closing
    from datetime import date

    from casey_cli.enums import DEFAULT_WINDOW_DAYS
    from casey_cli.store.items import Filters, items
    from casey_cli.store.tx import Tx

    with closing(sqlite3.connect(db)) as conn:
        return [
            i.to_dict()
            for i in items(
                Tx(conn, "sqlite", write=False),
                Filters(),
                today=date.fromisoformat(today),
                window=DEFAULT_WINDOW_DAYS,
            )
        ]


@pytest.mark.sqlite_only(
    reason="SQLite computes the exported item objects in SQL; elsewhere "
    "export builds them with make_item, the reference here"
)
def test_streamed_export_equals_the_item_objects(casey, isolated, tmp_path):
    from casey_cli.io.formats import to_csv, to_json

    varied_register(casey)
    for today in ("2026-11-23", "2026-12-08", "2024-01-01"):
        expected = reference_items(isolated, today)
        if today == "2026-11-23":  # the data covers every branch of the rules
            assert {i["rag"] for i in expected} == {"red", "amber", "green", "blue", "grey"}
            assert {i["verification"] for i in expected} == {None, "same-account", "other-account"}
            assert len({i["days_overdue"] for i in expected}) >= 3
        out = tmp_path / "e.csv"
        casey("--today", today, "export", "--format", "csv", "--output", str(out))
        assert out.read_bytes() == to_csv(ITEM_COLUMNS, expected).encode(), today
        text = casey("--today", today, "export", "--format", "json").stdout
        assert text == to_json(expected), today
        assert json.loads(text) == expected
