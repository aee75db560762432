"""Rows in from the machine formats casey exports (CSV, JSON, XLSX), with their locations."""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casey_cli.errors import InvalidInput, did_you_mean
from casey_cli.io.formats import FORMULA_START
from casey_cli.io.yamlfile import LineDict


def _row(values: dict[str, Any], line: int) -> LineDict:
    row = LineDict(values)
    row.line = line
    row.key_lines = {}
    return row


def _unguard(value: str) -> str:
    """Undo the CSV formula guard, so an exported file loads back unchanged."""
    if value.startswith("'") and value[1:].startswith((*FORMULA_START, "'")):
        return value[1:]
    return value


# The delimiters a council's spreadsheet saves a CSV with (Excel in a locale that writes
# decimal commas saves semicolons; "Unicode text" saves tabs), in the order a tie picks.
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass
class Table:
    """The rows a file gave, and what a dry run says about how it was read (an encoding or
    delimiter other than UTF-8 and commas, the sheets read and skipped)."""

    rows: list[LineDict]
    notes: list[str] = field(default_factory=list)
    # Rows from more than one sheet: (the name errors give, the sheet's rows), in order.
    parts: list[tuple[str, list[LineDict]]] = field(default_factory=list)


def decode_csv(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    """The file's text and the encoding it was read in: the one given (`--encoding`), else
    UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8, else
    Windows-1252, what Excel saves a CSV in on a council desktop. Decoded once, whole."""
    if encoding is not None:
        name = codecs.lookup(encoding).name
        try:
            return data.decode("utf-8-sig" if name == "utf-8" else name), name
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"not {encoding} text (byte {exc.start + 1} cannot be read); give the "
                "encoding it was saved in with --encoding, or leave --encoding out",
                file=str(path),
            ) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"neither UTF-8 nor Windows-1252 text (byte {exc.start + 1} cannot be read); "
            "save the CSV as UTF-8, or give its encoding with --encoding",
            file=str(path),
        ) from None


def sniff_delimiter(text: str) -> str:
    """The header line's delimiter: whichever of comma, semicolon and tab it holds most of,
    outside quotes (a comma on a tie or when it holds none: a one-column file). Counting
    on the header alone is steadier than csv.Sniffer, which guesses from a sample of rows
    and is thrown by commas in titles and dates."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of a tie


def read_csv(path: Path, encoding: str | None = None) -> Table:
    text, used = decode_csv(path, path.read_bytes(), encoding)
    delimiter = sniff_delimiter(text)
    notes = []
    if used != "utf-8" or delimiter != ",":
        shown = {"cp1252": "Windows-1252", "utf-8": "UTF-8"}.get(used, used)
        notes.append(
            f"read {path} as {shown} text, cells separated by {DELIMITER_NAMES[delimiter]}"
        )
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        del text
        header = next(reader, [])
        rows = []
        for cells in reader:
            if not any(cells):
                continue  # a blank line, or a row of empty cells (Excel's trailing ,,,)
            if len(cells) != len(header):
                more = "more" if len(cells) > len(header) else "fewer"
                raise InvalidInput(
                    f"this row has {more} cells ({len(cells)}) than the "
                    f"header ({len(header)}); check for a missing or "
                    "unquoted delimiter",
                    file=str(path),
                    line=reader.line_num,
                )
            # _row, inlined: this loop runs once per row of a 100,000-row load.
            row = LineDict(zip(header, cells, strict=True))
            row.line, row.key_lines = reader.line_num, {}
            for value in cells:
                if value[:1] == "'":  # rare: undo the guard in this row
                    row.update({k: _unguard(v) for k, v in row.items() if v[:1] == "'"})
                    break
            rows.append(row)
        return Table(rows, notes)
    except csv.Error as exc:
        raise InvalidInput(f"{exc}; save the file as RFC 4180 CSV", file=str(path)) from None


def read_json(path: Path) -> Table:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise InvalidInput(
            "the JSON nests too deeply; give a flat list of item objects", file=str(path)
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text; save the JSON as UTF-8", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"invalid JSON ({exc.msg}); fix the syntax", file=str(path), line=exc.lineno
        ) from None
    except ValueError:  # an integer too long to convert
        raise InvalidInput(
            "a number is too long; numbers here have at most a few digits", file=str(path)
        ) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise InvalidInput(
            "expected a JSON list of item objects (as `casey export --format json` writes)",
            file=str(path),
        )
    rows = []
    for n, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise InvalidInput(f"item {n} is not an object", file=str(path))
        rows.append(_row(record, n))
    return Table(rows)


# The item columns an XLSX number is a date in: one not formatted as a date is a serial.
SERIAL_DATES = frozenset(("due", "original_due", "completed"))
FORMULA_FIX = "the formula has no saved value; open the file in Excel and save it, or paste values"


def recognised(header: list[str]) -> bool:
    """A header row of item columns: every cell a column `casey load` reads, or empty."""
    from casey_cli.io.register import ITEM_ROW_FIELDS

    return any(header) and all(h in ITEM_ROW_FIELDS for h in header if h)


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    """The sheet named, or every sheet whose header row is item columns (row 1). Merged
    cells give every cell of their range the range's value; a number in a date column
    that is not formatted as a date is an Excel date serial; a formula is read as the
    value Excel saved with it, and one without (a file written by a program, never opened
    in Excel) is an error. The whole workbook is read (not openpyxl's read-only mode,
    which knows no merged cells); its formulas only when it has some."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(
            f"cannot read the workbook ({exc}); save it as .xlsx", file=str(path)
        ) from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        raise InvalidInput(
            f"no sheet '{sheet}'{did_you_mean(sheet, names)}; the sheets are "
            f"{', '.join(repr(n) for n in names)}; give one of them to --sheet",
            file=str(path),
        )
    saved: Any = None  # the values Excel saved with the formulas, read when first needed
    table = Table([])
    skipped: list[str] = []
    for name in [sheet] if sheet is not None else names:
        ws = book[name]
        grid = [list(r) for r in ws.iter_rows()]
        if not grid:
            continue
        filled = _merged_values(ws)
        header = [str(c.value).strip() if c.value is not None else "" for c in grid[0]]
        has_data = any(c.value is not None and c.value != "" for r in grid[1:] for c in r)
        if sheet is None and not recognised(header):
            if has_data or any(header):
                skipped.append(name)
            continue
        where = f"{path}:{name}"
        rows = []
        for n, cells in enumerate(grid[1:], start=2):
            record: dict[str, Any] = {}
            for h, cell in zip(header, cells, strict=False):
                if not h:
                    continue
                source = filled.get(cell.coordinate, cell)
                value = source.value
                if source.data_type == "f":
                    if saved is None:
                        saved = load_workbook(path, data_only=True)
                    value = saved[name][source.coordinate].value
                    if value is None:
                        raise InvalidInput(
                            FORMULA_FIX, file=f"{where}:{source.coordinate}", field=h
                        )
                if (
                    h in SERIAL_DATES
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                ):
                    value = _serial(value, book.epoch, where, n, h)
                record[h] = value
            if all(v is None or v == "" for v in record.values()):
                continue  # an empty row, or one with cells only under no heading
            rows.append(_row({h: _cell(v) for h, v in record.items()}, n))
        table.parts.append((where, rows))
        table.rows.extend(rows)
    if sheet is None and not table.parts and skipped:
        # No sheet has item columns: read the first with data, so its header's error
        # (an unknown column, with the columns casey reads) says what to change.
        book.close()
        return read_xlsx(path, skipped[0])
    read = [w.rpartition(":")[2] for w, _ in table.parts]  # named on a dry run
    note = f"read {path}: sheet{'s' if len(read) != 1 else ''} "
    note += ", ".join(repr(n) for n in read) if read else "none"
    if skipped:
        note += "; skipped " + ", ".join(repr(n) for n in skipped)
        note += " (their first row is not item columns)"
    table.notes.append(note)
    return table


def _merged_values(ws: Any) -> dict[str, Any]:
    """Each cell of a merged range, by coordinate, with the range's first cell, whose value
    it takes (councils merge a borough or an owner down a block of rows)."""
    from openpyxl.utils import get_column_letter

    filled: dict[str, Any] = {}
    for merged in ws.merged_cells.ranges:
        first = ws.cell(row=merged.min_row, column=merged.min_col)
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                filled[f"{get_column_letter(col)}{row}"] = first
    return filled


def _serial(value: float, epoch: datetime, where: str, line: int, column: str) -> Any:
    """An Excel date serial (days since 1899-12-30 in the 1900 date system, with Excel's
    phantom 29 February 1900; since 1904-01-01 in a workbook saved in the 1904 system)."""
    from openpyxl.utils.datetime import from_excel

    if not 1 <= value <= 2958465:  # 1900-01-01 .. 9999-12-31
        raise InvalidInput(
            f"{value:g} is not a date serial (Excel's dates run from 1 to 2958465); format "
            "the cell as a date or write the date as YYYY-MM-DD",
            file=where,
            line=line,
            field=column,
        )
    day = from_excel(value, epoch=epoch)
    return day.date() if isinstance(day, datetime) and day.time() == datetime.min.time() else day


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


TABULAR = (".csv", ".json", ".xlsx")


def read_table(path: Path, suffix: str, encoding: str | None, sheet: str | None) -> Table:
    """A CSV, JSON or XLSX file's rows: `encoding` is for a CSV, `sheet` for a workbook."""
    if suffix == ".csv":
        return read_csv(path, encoding)
    if suffix == ".xlsx":
        return read_xlsx(path, sheet)
    return read_json(path)
