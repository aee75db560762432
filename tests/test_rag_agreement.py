"""Every command that shows an item's RAG or days overdue agrees with every other on it, at
the default due-soon window and at CASEY_WINDOW=30.

status, action list and export once gave different answers for the same item (action list and
export used a 14-day window while status used the configured one), so a committee paper said
amber where the spreadsheet said green. Here each command's machine-readable output is read
back into ref -> {field: value} for the fields it shows, and every pair must agree."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, Casey
from openpyxl import load_workbook

from casey_cli.enums import DEFAULT_WINDOW_DAYS, Rag

View = dict[str, dict[str, Any]]  # ref -> the fields (rag, days_overdue) a command shows
FIELDS = ("rag", "days_overdue")
BETWEEN = 20  # days ahead: due soon at a 30-day window, not at the default 14


def _due(days: int) -> str:
    return (date.fromisoformat(TODAY) + timedelta(days=days)).isoformat()


def varied_register(casey: Casey, add_action: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """Actions around today and both windows' edges, undated, blocked, complete, dropped and
    slipped, plus a dated recommendation; their refs by name."""
    cases = {  # name: (borough, status, owner, days from today to the due date or None)
        "overdue": ("islington", "in-progress", "Met", -10),
        "long overdue": ("camden", "not-started", "Council", -200),
        "due today": ("islington", "not-started", "Met", 0),
        "default window end": ("camden", "in-progress", "Met", DEFAULT_WINDOW_DAYS),
        "past default window": ("islington", "not-started", "Met", DEFAULT_WINDOW_DAYS + 1),
        "between windows": ("hackney", "not-started", "Council", BETWEEN),
        "30-day window end": ("islington", "in-progress", "Met", 30),
        "past 30-day window": ("camden", "not-started", "Met", 31),
        "undated": ("islington", "in-progress", "Met", None),
        "undated, no owner": ("hackney", "not-started", None, None),
        "blocked, later": ("islington", "blocked", "Met", 60),
        "complete, past due": ("camden", "complete", "Met", -5),
        "complete, due between": ("islington", "complete", "Met", BETWEEN),
        "dropped, past due": ("hackney", "dropped", "Met", -3),
    }
    refs = {}
    for name, (borough, status, owner, days) in cases.items():
        extra = ["--status", status]
        extra += ["--owner", owner] if owner else []
        extra += ["--due", _due(days)] if days is not None else []
        refs[name] = add_action(*extra, borough=borough, title=name)["ref"]
    # Slipped from due soon at either window to between the windows.
    refs["slipped"] = add_action("--owner", "Met", "--due", _due(3), title="slipped")["ref"]
    casey(
        "action",
        "reschedule",
        refs["slipped"],
        "--due",
        _due(BETWEEN + 5),
        "--reason",
        "waiting for data",
    )
    # A recommendation's own due date, between the windows.
    casey("rec", "update", "casey-3", "--owner", "MOPAC", "--due", _due(BETWEEN))
    refs["recommendation"] = "casey-3"
    return refs


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    """rag and days_overdue as one type whatever the format: text, int or None."""
    days = row["days_overdue"]
    return {"rag": row["rag"], "days_overdue": None if days in (None, "") else int(days)}


def _view(rows: list[dict[str, Any]]) -> View:
    view: View = {}
    for row in rows:
        assert row["ref"] not in view, f"{row['ref']} listed twice"
        view[row["ref"]] = _fields(row)
    return view


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Each pipe table in Markdown text, as rows of header -> cell."""
    tables, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if (
            line.startswith("|")
            and i + 1 < len(lines)
            and re.fullmatch(r"\|(-+:?\|)+", lines[i + 1])
        ):
            if i and lines[i - 1].startswith("|"):
                continue
            header = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for body in lines[i + 2 :]:
                if not body.startswith("|"):
                    break
                rows.append(
                    dict(zip(header, (c.strip() for c in body.strip("|").split("|")), strict=True))
                )
            tables.append(rows)
    return tables


def report_sections(text: str) -> dict[str, str]:
    """The report's Markdown by `## ` or `### ` heading (the section number and the count in
    brackets dropped)."""
    parts = re.split(r"^#{2,3} (?:\d+\. )?(.+?)(?: \(\d+\))?$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def item_rows(section: str) -> list[dict[str, str]]:
    """The rows of the section's table of items (the one with a Ref column), if any, keyed
    as the item object is: the paper's RAG word as the rag, its "175 days (91-180)" as
    days_overdue."""
    tables = [t for t in markdown_tables(section) if t and "Ref" in t[0]]
    assert len(tables) <= 1, section
    rows = []
    for row in tables[0] if tables else []:
        item = {"ref": row["Ref"]}
        if "RAG" in row:
            item["rag"] = row["RAG"].lower()
        if "Overdue" in row:
            item["days_overdue"] = row["Overdue"].split()[0]
        rows.append(item)
    return rows


def status_view(report: dict[str, Any]) -> View:
    """status --format json: items in its overdue, due-soon and gap sections (an item may be
    in more than one; each copy must say the same)."""
    view: View = {}
    for section in ("overdue", "due_soon", "gaps"):
        for ref, fields in _view(report[section]).items():
            assert view.setdefault(ref, fields) == fields, (ref, section, view[ref], fields)
    return view


def report_view(sections: dict[str, str]) -> View:
    """The committee paper shows days overdue in its overdue table and the RAG in its
    due-soon, gap and stale tables: each item's fields as far as it shows them."""
    view: View = {}
    for title, section in sections.items():
        for row in item_rows(section):
            shown = {f: row[f] for f in FIELDS if f in row}
            if not shown:
                continue
            if "days_overdue" in shown:
                shown["days_overdue"] = (
                    int(shown["days_overdue"]) if shown["days_overdue"] else None
                )
            fields = view.setdefault(row["ref"], {})
            for name, value in shown.items():
                assert fields.setdefault(name, value) == value, (row["ref"], title, name)
    return view


def disagreements(views: dict[str, View]) -> list[str]:
    """One line per item whose rag or days_overdue differs between commands."""
    lines = []
    for ref in sorted({r for v in views.values() for r in v}):
        for field in FIELDS:
            said = {
                name: v[ref][field] for name, v in views.items() if ref in v and field in v[ref]
            }
            if len(set(map(repr, said.values()))) > 1:
                lines.append(f"{ref} {field}: " + ", ".join(f"{n}={v!r}" for n, v in said.items()))
    return lines


@pytest.mark.parametrize("window", [None, 30], ids=["default-window", "window-30"])
def test_every_command_agrees_on_rag_and_days_overdue(
    casey: Casey,
    add_action: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    window: int | None,
):
    if window is not None:
        monkeypatch.setenv("CASEY_WINDOW", str(window))
    expected_window = window or DEFAULT_WINDOW_DAYS
    refs = varied_register(casey, add_action)

    exported = json.loads(casey("export", "--format", "json").stdout)
    views: dict[str, View] = {"export json": _view(exported)}
    every_ref = set(views["export json"])
    assert set(refs.values()) <= every_ref

    views["export csv"] = _view(list(csv.DictReader(io.StringIO(casey("export").stdout))))
    views["export markdown"] = _view(
        markdown_tables(casey("export", "--format", "markdown").stdout)[0]
    )
    xlsx = tmp_path / "export.xlsx"
    casey("export", "--format", "xlsx", "--output", str(xlsx))
    book = load_workbook(xlsx, read_only=True)
    header, *body = book.worksheets[0].iter_rows(values_only=True)
    book.close()
    views["export xlsx"] = _view([dict(zip(header, row, strict=True)) for row in body])
    for name in ("export csv", "export markdown", "export xlsx"):
        assert set(views[name]) == every_ref, name

    listed = casey.json("action", "list")
    views["action list"] = _view(listed)
    actions = {i["ref"] for i in exported if i["kind"] == "action"}
    assert set(views["action list"]) == actions
    views["action show"] = _view([casey.json("action", "show", ref) for ref in sorted(actions)])
    views["rec list"] = _view(casey.json("rec", "list"))
    assert set(views["rec list"]) == {i["ref"] for i in exported if i["kind"] == "recommendation"}

    london = casey.json("status")
    islington = casey.json("status", "--borough", "islington")
    views["status"] = status_view(london)
    views["status --borough islington"] = status_view(islington)

    paper = casey("report").stdout
    sections = report_sections(paper)
    views["report"] = report_view(sections)

    # The store and the window are what the test means them to be: the item between the
    # windows is due soon at 30 days and not at the default, whoever is asked.
    assert london["window_days"] == islington["window_days"] == expected_window
    assert f"Due in the next {expected_window} days" in sections
    due_soon = {i["ref"] for i in london["due_soon"]}
    assert {f["rag"] for f in views["export json"].values()} == {r.value for r in Rag}
    assert (refs["between windows"] in due_soon) == (expected_window >= BETWEEN)
    assert (refs["recommendation"] in due_soon) == (expected_window >= BETWEEN)
    assert {
        r["ref"] for r in item_rows(sections[f"Due in the next {expected_window} days"])
    } == due_soon
    overdue = {ref for ref, f in views["export json"].items() if f["days_overdue"] is not None}
    assert {r["ref"] for r in item_rows(sections["Overdue"])} == overdue
    assert {i["ref"] for i in london["overdue"]} == overdue

    # No command shows an item the register does not hold, and all say the same of each.
    for name, view in views.items():
        assert set(view) <= every_ref, (name, set(view) - every_ref)
    found = disagreements(views)
    assert not found, "commands disagree:\n" + "\n".join(found)

    # The headline RAG counts are the items' RAGs counted.
    rags = Counter(f["rag"] for f in views["export json"].values())
    summary = markdown_tables(sections["Summary"])[0]
    headline = {row["RAG"].lower(): int(row["Items"]) for row in summary if row["RAG"] != "Total"}
    for counts in (london["summary"]["by_rag"], headline):
        assert set(rags) <= set(counts)
        assert counts == {rag: rags.get(rag, 0) for rag in counts}
