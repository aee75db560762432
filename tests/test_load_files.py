"""`casey load` of CSV and XLSX files as councils save them: Windows-1252 or UTF-8 with a
byte-order mark, semicolons or tabs, Excel's empty trailing rows, data on any sheet, date
serials, formulas and merged cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

TITLE = "Café “ward panel” budget £5,000"


def actions(casey: Any, borough: str = "camden") -> dict[str, dict[str, Any]]:
    return {a["title"]: a for a in casey.json("action", "list", "--borough", borough)}


def write_csv(tmp_path: Path, name: str, text: str, encoding: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_windows_1252_csv_loads_with_the_right_text(casey, tmp_path):
    text = f'borough,title,owner,due\r\ncamden,"{TITLE}",Insp. Hélène Roe,2027-01-31\r\n'
    path = write_csv(tmp_path, "tracker.csv", text, "cp1252")
    assert b"\x93" in path.read_bytes()  # the file really is Windows-1252
    dry = casey("load", str(path), "--dry-run")
    assert f"read {path} as Windows-1252 text, cells separated by commas" in dry.stdout
    casey("load", str(path))
    loaded = actions(casey)[TITLE]
    assert loaded["owner"] == "Insp. Hélène Roe" and loaded["due"] == "2027-01-31"


def test_utf8_with_a_byte_order_mark(casey, tmp_path):
    text = f'borough,title\r\ncamden,"{TITLE}"\r\n'
    path = write_csv(tmp_path, "bom.csv", text, "utf-8-sig")
    dry = casey("load", str(path), "--dry-run")
    assert "read " not in dry.stdout  # UTF-8 and commas: nothing to say
    casey("load", str(path))
    assert TITLE in actions(casey)


def test_semicolon_and_tab_delimited(casey, tmp_path):
    semi = write_csv(
        tmp_path, "semi.csv", "borough;title;owner\ncamden;Semi, colon;Lead, Team\n", "utf-8"
    )
    tab = write_csv(tmp_path, "tab.csv", "borough\ttitle\towner\ncamden\tTabbed\tA; B\n", "utf-8")
    dry = casey("load", str(semi), str(tab), "--dry-run")
    assert f"read {semi} as UTF-8 text, cells separated by semicolons" in dry.stdout
    assert f"read {tab} as UTF-8 text, cells separated by tabs" in dry.stdout
    casey("load", str(semi), str(tab))
    loaded = actions(casey)
    assert loaded["Semi, colon"]["owner"] == "Lead, Team"
    assert loaded["Tabbed"]["owner"] == "A; B"


def test_blank_and_trailing_empty_rows_are_skipped(casey, tmp_path):
    text = "borough,title,owner\r\ncamden,First,\r\n\r\n,,\r\ncamden,Second,X\r\n,,\r\n,,\r\n"
    path = write_csv(tmp_path, "trailing.csv", text, "utf-8")
    result = casey("load", str(path))
    assert result.stdout.strip().splitlines()[-1] == "2 created, 0 updated, 0 unchanged"


def test_encoding_forced(casey, tmp_path):
    # Valid UTF-8 bytes that were meant as Windows-1252: only --encoding can say so.
    path = write_csv(tmp_path, "forced.csv", "borough,title\ncamden,Caf\u00c3\u00a9\n", "cp1252")
    casey("load", str(path), "--encoding", "cp1252")
    assert "CafÃ©" in actions(casey)
    err = casey.error("load", str(path), "--encoding", "klingon", code=2)
    assert "unknown encoding 'klingon'" in err
    latin = write_csv(tmp_path, "latin.csv", "borough,title\ncamden,Bien sûr\n", "cp1252")
    err = casey.error("load", str(latin), "--encoding", "utf-8")
    assert err == (
        f"Error: {latin}:2: not utf-8 text (byte 28 cannot be read); give the encoding it "
        "was saved in with --encoding, or leave --encoding out"
    )


def book(*sheets: tuple[str, list[list[Any]]]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return wb


def save(wb: Workbook, tmp_path: Path, name: str = "tracker.xlsx") -> Path:
    path = tmp_path / name
    wb.save(path)
    return path


NOTES = ("Notes", [["Read me first"], ["This workbook tracks the panel's actions."]])


def test_xlsx_data_on_sheet_two(casey, tmp_path):
    path = save(
        book(NOTES, ("Actions", [["borough", "title"], ["camden", "On sheet two"]])), tmp_path
    )
    dry = casey("load", str(path), "--dry-run")
    assert (
        f"read {path}: sheet 'Actions'; skipped 'Notes' (no header row of item columns)"
        in dry.stdout
    )
    assert "1 would be created" in dry.stdout
    casey("load", str(path))
    assert "On sheet two" in actions(casey)


def test_xlsx_two_sheets_and_sheet_option(casey, tmp_path):
    wb = book(
        ("2025-26", [["borough", "title", "owner"], ["camden", "Old year", "A"], [None, None]]),
        ("2026-27", [["title", "borough"], ["New year", "camden"]]),
        NOTES,
    )
    path = save(wb, tmp_path)
    dry = casey("load", str(path), "--dry-run")
    assert f"read {path}: sheets '2025-26', '2026-27'; skipped 'Notes'" in dry.stdout
    assert "2 would be created" in dry.stdout
    dry = casey("load", str(path), "--sheet", "2026-27", "--dry-run")
    assert f"read {path}: sheet '2026-27'" in dry.stdout.splitlines()
    casey("load", str(path), "--sheet", "2026-27")
    loaded = actions(casey)
    assert "New year" in loaded and "Old year" not in loaded
    err = casey.error("load", str(path), "--sheet", "2026-28")
    assert err == (
        f"Error: {path}: no sheet '2026-28' (did you mean '2026-27'?); the sheets are "
        "'2025-26', '2026-27', 'Notes'; give one of them to --sheet"
    )


def test_xlsx_sheet_named_with_an_unknown_header_is_a_located_error(casey, tmp_path):
    path = save(book(NOTES), tmp_path)
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {path}:Notes: no header row found in the first 10 rows")
    assert "'Read me first'" in err


def test_xlsx_repeated_title_across_sheets(casey, tmp_path):
    rows = [["borough", "title"], ["camden", "Same"]]
    path = save(book(("One", rows), ("Two", rows)), tmp_path)
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {path}:Two:2: title: camden/same is repeated in this file")
    assert "(first at sheet 'One' line 2)" in err


def test_xlsx_date_serial_in_an_unformatted_cell(casey, tmp_path):
    wb = book(("Actions", [["borough", "title", "due"], ["camden", "Serial", 46418]]))
    ws = wb["Actions"]
    ws["D1"], ws["D2"] = "owner", 46418  # a number in a column that is not a date stays one
    wb["Actions"].append(["camden", "Real date", date(2027, 3, 31)])
    path = save(wb, tmp_path)
    casey("load", str(path))
    loaded = actions(casey)
    assert loaded["Serial"]["due"] == "2027-01-31"
    assert loaded["Serial"]["owner"] == "46418"
    assert loaded["Real date"]["due"] == "2027-03-31"


def test_xlsx_date_serial_out_of_range(casey, tmp_path):
    path = save(book(("Actions", [["borough", "title", "due"], ["camden", "X", -3]])), tmp_path)
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {path}:Actions:2: due: -3 is not a date serial")


def test_xlsx_formula_without_a_saved_value(casey, tmp_path):
    wb = book(("Actions", [["borough", "title", "due"], ["camden", "Formula", "=TODAY()+30"]]))
    path = save(wb, tmp_path)
    before = casey("export", "--format", "json").stdout
    err = casey.error("load", str(path))
    assert err == (
        f"Error: {path}:Actions:C2: due: the formula has no saved value; open the file in "
        "Excel and save it, or paste values"
    )
    assert casey("export", "--format", "json").stdout == before


def test_xlsx_merged_cells_fill_their_range(casey, tmp_path):
    rows = [
        ["borough", "title", "owner"],
        ["camden", "First", "Insp. Shah"],
        [None, "Second", None],
        [None, "Third", None],
    ]
    wb = book(("Actions", rows))
    wb["Actions"].merge_cells("A2:A4")
    wb["Actions"].merge_cells("C2:C3")
    casey("load", str(save(wb, tmp_path)))
    loaded = actions(casey)
    assert loaded["First"]["owner"] == "Insp. Shah"
    assert loaded["Second"]["owner"] == "Insp. Shah"
    assert loaded["Third"]["owner"] is None
    assert loaded["Third"]["borough"] == "camden"
