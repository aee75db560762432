"""Tables for people at 80 columns: no header word split, history's columns readable, and long
lists cut to their first screenfuls with a count and the command for the rest."""

from __future__ import annotations

import csv
import io
import re

import pytest

from casey_cli.cli.output import SCREENFUL
from casey_cli.render.history import HISTORY_MIN

# Every command that draws a table for people, on the bundled register's refs.
PEOPLE_TABLES = [
    ("status",),
    ("status", "--borough", "islington"),
    ("status", "--by", "bcu"),
    ("action", "list"),
    ("action", "list", "--borough", "islington"),
    ("action", "show", "A32"),
    ("rec", "list"),
    ("rec", "show", "islington-plan-1"),
    ("history",),
    ("history", "A32"),
    ("chase",),
    ("chase", "--borough", "islington"),
    ("trend",),
    ("meeting", "list"),
    ("source", "list"),
    ("borough", "list"),
]


def clerk_session(casey, verifier) -> None:
    """What a clerk does after a committee meeting (docs/clerk.md), with long names and
    notes, and an action in a second borough so lists show the borough column."""
    casey("meeting", "add", "Policy and Performance Scrutiny Committee", "--date", "2026-11-19")
    casey(
        "action", "add", "--borough", "islington", "--title", "Publish ward panel dates",
        "--owner", "Supt, Central North", "--due", "+4w", "--meeting", "M5",
        "--note", "minute 7",
    )  # fmt: skip
    casey(
        "action", "update", "A32", "--status", "in-progress", "--progress", "40",
        "--note", "3 wards done, the rest waiting for the chairs to reply",
        "--by", "Detective Chief Superintendent, Central North Basic Command Unit",
    )  # fmt: skip
    casey(
        "action", "reschedule", "A32", "--due", "2027-01-31",
        "--reason", "chairs asked for January", "--meeting", "M5",
    )  # fmt: skip
    casey("action", "done", "A32", "--evidence", "https://www.example.org/ward-panels")
    verifier("action", "verify", "A32", "--by", "Scrutiny officer")
    casey("action", "add", "--borough", "camden", "--title", "Ward panel review", "--owner", "x")


def header_rows(out: str) -> list[list[str]]:
    """Each boxed table's header cells, column by column, one string per line of the header
    (between the ┏ top border and the ┡ rule under the header); a table with a rule only
    under its header (the London view) as one cell, its header line."""
    tables, rows, inside, before = [], [], False, ""
    for line in out.splitlines():
        if re.fullmatch(r" *─+ *", line):
            tables.append([[before.strip()]])
        before = line
        if line.startswith("┏"):
            inside, rows = True, []
        elif line.startswith("┡"):
            inside = False
            tables.append([list(col) for col in zip(*rows, strict=True)])
        elif inside:
            rows.append([cell.strip() for cell in line.strip("┃").split("┃")])
    return tables


def split_words(narrow: str, wide: str) -> list[str]:
    """Header fragments at 80 columns that are not whole words of the same headers drawn
    where nothing needs to wrap."""
    words = {
        w for table in header_rows(wide) for col in table for cell in col for w in cell.split()
    }
    assert words, f"no table header found in:\n{wide}"
    return [
        w
        for table in header_rows(narrow)
        for col in table
        for cell in col
        for w in cell.split()
        if w not in words
    ]


@pytest.mark.parametrize("session", [False, True], ids=["bundled", "after-a-session"])
def test_no_header_word_splits_at_80_columns(casey, verifier, monkeypatch, session):
    if session:
        clerk_session(casey, verifier)
    for args in PEOPLE_TABLES:
        if args[-1] == "A32" and not session:
            continue  # the session adds A32
        monkeypatch.setenv("COLUMNS", "200")
        wide = casey(*args).stdout
        monkeypatch.setenv("COLUMNS", "80")
        narrow = casey(*args).stdout
        assert max(len(line) for line in narrow.splitlines()) <= 80, args
        assert header_rows(narrow) or "By borough" in narrow or "By BCU" in narrow, args
        assert split_words(narrow, wide) == [], (args, narrow)


def test_a_list_of_recommendations_keeps_a_readable_title_at_80_columns(casey, monkeypatch):
    """Refs of up to 21 characters leave a title room only without borough and owner: they
    are left out at 80 columns, kept where there is room, and always in the CSV."""
    monkeypatch.setenv("COLUMNS", "80")
    narrow = casey("rec", "list").stdout
    (headers,) = header_rows(narrow)
    assert [" ".join(col).strip() for col in headers] == ["ref", "title", "status", "due", "rag"]
    title = headers[1]
    top = next(line for line in narrow.splitlines() if line.startswith("┏"))
    assert len(top.split("┳")[1]) - 2 >= 16  # the title column, less its padding
    assert "title" in title
    monkeypatch.setenv("COLUMNS", "160")
    (headers,) = header_rows(casey("rec", "list").stdout)
    assert "borough" in [" ".join(col).strip() for col in headers]
    assert "owner" in next(csv.reader(io.StringIO(casey("rec", "list", "-f", "csv").stdout)))


def column_widths(out: str) -> dict[str, int]:
    """The history table's columns by header, each its width inside the padding."""
    lines = out.splitlines()
    top = next(line for line in lines if line.startswith("┏"))
    (headers,) = header_rows(out)
    names = [" ".join(cell for cell in col if cell) for col in headers]
    widths = [len(part) - 2 for part in top.strip("┏┓").split("┳")]
    return dict(zip(names, widths, strict=True))


def test_history_keeps_every_column_readable_at_80_columns(casey, verifier, monkeypatch):
    clerk_session(casey, verifier)
    monkeypatch.setenv("COLUMNS", "80")
    for args in (("history", "A32"), ("history", "--since", "2026-11-01")):
        out = casey(*args).stdout
        widths = column_widths(out)
        field = "ref / field" if len(args) == 3 else "field"
        assert widths["at / by"] >= HISTORY_MIN["at"], out
        longest = max(len(e["field"]) for e in casey.json(*args))
        assert widths[field] >= min(HISTORY_MIN["field"], longest), out
        assert widths["change"] >= HISTORY_MIN["change"], out
        assert widths["note"] >= HISTORY_MIN["note"], out
        flat = " ".join(out.split())
        # the long name and the long note wrap, whole, rather than being cut
        for word in ("Detective", "Superintendent,", "Basic", "Command", "chairs", "reply"):
            assert word in flat, word


def many_actions(casey, tmp_path, n: int, borough: str = "camden") -> None:
    rows = "".join(
        f",{borough},Bulk action {i},Owner {i % 7},not-started,2027-02-{1 + i % 28:02}\n"
        for i in range(n)
    )
    sheet = tmp_path / f"many-{borough}.csv"
    sheet.write_text("ref,borough,title,owner,status,due\n" + rows)
    casey("load", str(sheet))


def table_refs(out: str) -> list[str]:
    return re.findall(r"^│ (A\d+|[a-z][a-z-]*-\d+) ", out, flags=re.M)


def test_a_long_action_list_shows_its_first_screenfuls_with_a_count(casey, tmp_path, monkeypatch):
    many_actions(casey, tmp_path, 130)
    monkeypatch.setenv("COLUMNS", "80")
    everything = casey.json("action", "list")
    assert len(everything) == 161  # the bundled 31 and the 130 loaded
    out = casey("action", "list").stdout
    assert table_refs(out) == [a["ref"] for a in everything[:SCREENFUL]]
    assert out.startswith("Actions (161)")
    tail = " ".join(out.split("┘")[-1].split())
    assert tail.startswith(f"Showing the first {SCREENFUL} of 161 actions; casey action list")
    assert "casey action list --all lists every one, --format csv" in tail
    # --all shows every one, and no count line
    every = casey("action", "list", "--all").stdout
    assert table_refs(every) == [a["ref"] for a in everything]
    assert "Showing" not in every
    # machine formats are never cut
    assert (
        len(list(csv.DictReader(io.StringIO(casey("action", "list", "-f", "csv").stdout)))) == 161
    )
    assert casey("action", "list", "-f", "markdown").stdout.count("\n| A") == 161


def test_the_count_and_the_command_follow_the_filters(casey, tmp_path, monkeypatch):
    many_actions(casey, tmp_path, 80)
    casey("action", "update", "A33", "--status", "in-progress")
    monkeypatch.setenv("COLUMNS", "100")
    args = (
        "action",
        "list",
        "--borough",
        "camden",
        "--status",
        "not-started",
        "--owner",
        "Owner 3",
    )
    wanted = casey.json(*args)
    assert len(wanted) < SCREENFUL
    out = casey(*args).stdout
    assert table_refs(out) == [a["ref"] for a in wanted] and "Showing" not in out
    args = ("action", "list", "-b", "camden", "--status", "not-started")
    wanted = casey.json(*args)
    assert len(wanted) == 79 and "A33" not in [a["ref"] for a in wanted]
    flat = " ".join(casey(*args).stdout.split())
    assert (
        f"Showing the first {SCREENFUL} of 79 actions; casey action list --borough camden "
        "--status not-started --all lists every one" in flat
    )
    assert table_refs(casey(*args, "--all").stdout) == [a["ref"] for a in wanted]
    # exactly a screenful: nothing left out, nothing to say; one more, and it says so
    many_actions(casey, tmp_path, SCREENFUL, borough="hackney")
    assert len(table_refs(casey("action", "list", "-b", "hackney").stdout)) == SCREENFUL
    assert "Showing" not in casey("action", "list", "-b", "hackney").stdout
    casey("action", "add", "-b", "hackney", "-t", "One more")
    assert "Showing" in casey("action", "list", "-b", "hackney").stdout


def test_a_long_history_shows_its_latest_events_with_a_count(casey, tmp_path, monkeypatch):
    many_actions(casey, tmp_path, 70)
    casey("action", "update", "A1", "--note", "the newest event")
    monkeypatch.setenv("COLUMNS", "80")
    events = casey.json("history")
    total = len(events)
    assert total > SCREENFUL
    out = casey("history").stdout
    assert out.startswith(f"History ({total} events)")
    flat = " ".join(out.split())
    assert f"Showing the latest {SCREENFUL} of {total} events; casey history --all" in flat
    assert "newest" in out
    shown = re.findall(r"^│ \d{4}-\d\d-\d\d \d\d:\d\d\s*│ (\S+)\s", out, flags=re.M)
    assert shown == [e["ref"] for e in events[-SCREENFUL:]]
    assert f"History ({total} events)" in casey("history", "--all").stdout
    assert "Showing" not in casey("history", "--all").stdout
    assert len(list(csv.DictReader(io.StringIO(casey("history", "-f", "csv").stdout)))) == total
    # filtered: the count is of the events the filters give, and the command keeps them
    camden = casey.json("history", "--borough", "camden", "--since", "2026-01-01")
    flat = " ".join(casey("history", "--borough", "camden", "--since", "2026-01-01").stdout.split())
    assert (
        f"Showing the latest {SCREENFUL} of {len(camden)} events; casey history --borough "
        "camden --since 2026-01-01 --all" in flat
    )
    # one item's history is short: all of it
    assert "Showing" not in casey("history", "A1").stdout
