"""Rows in from the machine formats casey exports (CSV, JSON, XLSX), with their locations."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casey_cli.errors import InvalidInput, did_you_mean
from casey_cli.io.formats import FORMULA_START
from casey_cli.io.headings import HeaderMap, map_header
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
class Part:
    """The rows of one table of a file (a CSV, a sheet, a Word table): their header as
    read, and the name errors give."""

    where: str
    header: HeaderMap | None
    # A CSV's rows are read as they are used (a file of a million rows is never held
    # whole); a row the file gets wrong is its InvalidInput, in its place.
    rows: Iterable[LineDict | InvalidInput]
    header_line: int | None = 1
    # About how many rows it has (a CSV's line count), before they are read.
    estimate: int = 0


@dataclass
class Table:
    """The rows a file gave, and what a dry run says about how it was read (an encoding or
    delimiter other than UTF-8 and commas, the sheets read and skipped, the columns)."""

    parts: list[Part]
    notes: list[str] = field(default_factory=list)


# How many rows above the header a file may have (a title, a date, a blank line).
HEADER_SEARCH = 10


def _item_columns() -> tuple[str, ...]:
    from casey_cli.io.register import ITEM_ROW_FIELDS

    return tuple(ITEM_ROW_FIELDS)


def find_header(
    rows: list[tuple[int, list[str]]], mapping: dict[str, str] | None, where: str = ""
) -> tuple[int, HeaderMap] | None:
    """The first of a file's rows that is a header (casey's own columns, or a tracker's with
    a title or reference column), and how it maps: a title row or two above it is skipped."""
    columns = _item_columns()
    clash = None  # a row whose headings clash: the error, if no row is a header
    for index, (line, cells) in enumerate(rows[:HEADER_SEARCH]):
        if not any(c.strip() for c in cells):
            continue
        try:
            header = map_header(cells, columns, mapping)
        except InvalidInput as exc:
            clash = clash or InvalidInput(exc.message, file=where, line=line, field=exc.field)
            continue
        # A tracker's header names two fields or more: a title row of one word ('Actions')
        # above it is not one.
        named = sum(1 for name in header.fields if name)
        if header.own or (
            named >= 2 and (header.has("title") or header.has("tracker_ref") or header.has("ref"))
        ):
            return index, header
    if clash is not None:
        raise clash
    return None


def no_header(where: str, rows: list[tuple[int, list[str]]]) -> InvalidInput:
    first = next((cells for _, cells in rows if any(c.strip() for c in cells)), [])
    shown = ", ".join(repr(c.strip()) for c in first if c.strip())[:200] or "nothing"
    return InvalidInput(
        f"no header row found in the first {HEADER_SEARCH} rows (the first reads {shown}); "
        "casey needs a column for the title (Action, Recommendation, Title...) or a "
        'reference; name yours with --map "Heading=title"',
        file=where,
    )


def csv_encoding(path: Path, encoding: str | None) -> tuple[str, int]:
    """The codec to read a CSV with, and its number of lines: the one given (`--encoding`),
    else UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8, else
    Windows-1252, what Excel saves a CSV in on a council desktop. The bytes are read in
    chunks, none kept, and checked here, so a byte the codec cannot read is reported with
    its line before any row is read."""
    if encoding is not None:
        name = codecs.lookup(encoding).name
        return ("utf-8-sig" if name == "utf-8" else name), _check_bytes(path, name, encoding)
    try:
        return "utf-8-sig", _check_bytes(path, "utf-8", None)
    except _NotText as exc:
        if _has_utf8_characters(path):
            # UTF-8 with a stray byte (a line pasted from a Windows-1252 file): reading the
            # whole file as Windows-1252 would garble every other £, ’ and –.
            raise InvalidInput(
                f"UTF-8 text but for byte {exc.at}, which is not (Windows-1252 perhaps); "
                "retype that character and save the file as UTF-8, or give the file's "
                "encoding with --encoding",
                file=str(path),
                line=exc.line,
            ) from None
    try:
        return "cp1252", _check_bytes(path, "cp1252", None)
    except _NotText as exc:
        raise InvalidInput(
            f"neither UTF-8 nor Windows-1252 text (byte {exc.at} cannot be read); save the "
            "CSV as UTF-8, or give its encoding with --encoding",
            file=str(path),
            line=exc.line,
        ) from None


_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _has_utf8_characters(path: Path) -> bool:
    """Does the file hold characters written in UTF-8 (beyond ASCII)? Windows-1252 text
    almost never has a byte sequence that is one."""
    with path.open("rb") as data:
        return any(_UTF8_CHARACTER.search(chunk) for chunk in iter(lambda: data.read(1 << 20), b""))


class _NotText(Exception):
    def __init__(self, at: int, line: int) -> None:
        self.at, self.line = at, line


def _check_bytes(path: Path, codec: str, given: str | None) -> int:
    """The file's line count, once every byte decodes in `codec`; else _NotText (or, for an
    encoding the user gave, the error naming it)."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines = offset = 0
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = offset + exc.start + 1
                line = lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                if given is None:
                    raise _NotText(at, line) from None
                raise InvalidInput(
                    f"not {given} text (byte {at} cannot be read); give the encoding it was "
                    "saved in with --encoding, or leave --encoding out",
                    file=str(path),
                    line=line,
                ) from None
            lines += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if given is None:
                raise _NotText(offset, lines + 1) from None
            raise InvalidInput(
                f"not {given} text (it ends inside a character); give the encoding it was "
                "saved in with --encoding, or leave --encoding out",
                file=str(path),
            ) from None
    return lines


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


def read_csv(
    path: Path, encoding: str | None = None, mapping: dict[str, str] | None = None
) -> Table:
    """A CSV's header, found and mapped now, and its rows, read as they are used."""
    codec, lines = csv_encoding(path, encoding)
    text = path.open(encoding=codec, newline="")
    try:
        delimiter = sniff_delimiter(text.read(65536))
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        above: list[tuple[int, list[str]]] = []
        found = None
        for cells in reader:
            above.append((reader.line_num, cells))
            found = find_header(above[-1:], mapping, str(path))
            if found is not None or len(above) == HEADER_SEARCH:
                break
    except csv.Error as exc:
        text.close()
        raise InvalidInput(f"{exc}; save the file as RFC 4180 CSV", file=str(path)) from None
    except BaseException:
        text.close()
        raise
    notes = []
    used = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}.get(codec, codec)
    if used != "UTF-8" or delimiter != ",":
        notes.append(f"read {path} as {used} text, cells separated by {DELIMITER_NAMES[delimiter]}")
    if found is None:
        text.close()
        if not above or not any(c.strip() for _, cells in above for c in cells):
            return Table([Part(str(path), None, [], None)], notes)
        raise no_header(str(path), above)
    header = found[1]
    rows = _csv_rows(path, encoding, text, reader, header)
    return Table([Part(str(path), header, rows, above[-1][0], lines)], notes)


def _csv_rows(
    path: Path, encoding: str | None, text: Any, reader: Any, header: HeaderMap
) -> Iterator[LineDict | InvalidInput]:
    """The rows under a CSV's header, one at a time; the file is closed at the end."""
    width = len(header.fields)
    # A column left out reads into "" and is dropped from the row.
    keys = [name or "" for name in header.fields]
    left_out = "" in keys
    line = reader.line_num
    with text:
        try:
            for cells in reader:
                if not any(cells):
                    continue  # a blank line, or a row of empty cells (Excel's trailing ,,,)
                if len(cells) != width:
                    more = "more" if len(cells) > width else "fewer"
                    yield InvalidInput(
                        f"this row has {more} cells ({len(cells)}) than the header "
                        f"({width}); check for a missing or unquoted delimiter",
                        file=str(path),
                        line=reader.line_num,
                    )
                    continue
                # _row, inlined: this loop runs once per row of a large load.
                row = LineDict(zip(keys, cells, strict=True))
                row.line, row.key_lines = reader.line_num, {}
                if left_out:
                    del row[""]
                for value in cells:
                    if value[:1] == "'":  # rare: undo the guard in this row
                        row.update({k: _unguard(v) for k, v in row.items() if v[:1] == "'"})
                        break
                yield row
                line = reader.line_num
        except csv.Error as exc:
            yield InvalidInput(
                f"{exc}; save the file as RFC 4180 CSV", file=str(path), line=line + 1
            )


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
    return Table([Part(str(path), None, rows, None, len(rows))])


# The fields an XLSX number is a date in: one not formatted as a date is a serial.
SERIAL_DATES = frozenset(("due", "original_due", "completed", "revised_due"))
FORMULA_FIX = "the formula has no saved value; open the file in Excel and save it, or paste values"


def _text_cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_xlsx(path: Path, sheet: str | None = None, mapping: dict[str, str] | None = None) -> Table:
    """The sheet named, or every sheet with a header row (casey's columns or a tracker's,
    within its first rows). Merged cells give every cell of their range the range's value;
    a number in a date column that is not formatted as a date is an Excel date serial; a
    formula is read as the value Excel saved with it, and one without (a file written by a
    program, never opened in Excel) is an error. The whole workbook is read (not openpyxl's
    read-only mode, which knows no merged cells); its formulas only when it has some."""
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
        where = f"{path}:{name}"
        top = [
            (n, [_text_cell(filled.get(c.coordinate, c).value) for c in cells])
            for n, cells in enumerate(grid[:HEADER_SEARCH], start=1)
        ]
        found = find_header(top, mapping, where)
        if found is None:
            if any(c for _, cells in top for c in cells):
                if sheet is not None:
                    raise no_header(where, top)
                skipped.append(name)
            continue
        index, header = found
        width = len(header.fields)
        spans = _row_spans(ws)
        rows: list[LineDict | InvalidInput] = []
        for n, cells in enumerate(grid[index + 1 :], start=index + 2):
            if spans.get(n, 0) >= width > 1:
                continue  # a section heading merged across the table ('Theme 2: Trust')
            record: dict[str, Any] = {}
            problem = None  # a cell this row cannot be read by: the row's problem
            for h, cell in zip(header.fields, cells, strict=False):
                if not h:
                    continue
                source = filled.get(cell.coordinate, cell) if filled else cell
                value = source.value
                if source.data_type == "f":
                    if saved is None:
                        saved = load_workbook(path, data_only=True)
                    value = saved[name][source.coordinate].value
                    if value is None:
                        problem = InvalidInput(
                            FORMULA_FIX,
                            file=f"{where}:{source.coordinate}",
                            field=header.headings.get(h, h),
                        )
                        break
                if type(value) is str:  # the usual cell: text as typed
                    record[h] = value
                    continue
                if (
                    h in SERIAL_DATES
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                ):
                    try:
                        value = _serial(value, book.epoch, where, n, header.headings.get(h, h))
                    except InvalidInput as exc:
                        problem = exc
                        break
                record[h] = _cell(value)
            if problem is not None:
                rows.append(problem)
                continue
            if all(v is None or v == "" for v in record.values()):
                continue  # an empty row, or one with cells only under no heading
            rows.append(_row(record, n))
        table.parts.append(Part(where, header, rows, index + 1, len(rows)))
    read = [part.where.rpartition(":")[2] for part in table.parts]  # named on a dry run
    if sheet is None and not table.parts and skipped:
        ws = book[skipped[0]]
        top = [
            (n, [_text_cell(c.value) for c in cells])
            for n, cells in enumerate(list(ws.iter_rows())[:HEADER_SEARCH], start=1)
        ]
        raise no_header(f"{path}:{skipped[0]}", top)
    note = f"read {path}: sheet{'s' if len(read) != 1 else ''} "
    note += ", ".join(repr(n) for n in read) if read else "none"
    if skipped:
        note += "; skipped " + ", ".join(repr(n) for n in skipped)
        note += " (no header row of item columns)"
    table.notes.append(note)
    return table


def _row_spans(ws: Any) -> dict[int, int]:
    """How many columns a merged range covers on each row it starts (a section heading)."""
    spans: dict[int, int] = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_row == merged.max_row:
            width = merged.max_col - merged.min_col + 1
            spans[merged.min_row] = max(spans.get(merged.min_row, 0), width)
    return spans


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


def read_docx(path: Path, mapping: dict[str, str] | None = None) -> Table:
    """Every table of a Word document with a header row (committee papers table their
    trackers in Word): each cell's text; a cell merged down or across gives its text to
    every cell it covers, and a row that is one cell across the table (a section heading)
    is skipped. Errors name the table by its number in the document."""
    from docx import Document

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise InvalidInput(
            f"cannot read the Word document ({exc}); save it as .docx", file=str(path)
        ) from None
    table = Table([])
    skipped = []
    for number, word_table in enumerate(document.tables, start=1):
        where = f"{path}:table {number}"
        grid: list[tuple[int, list[str]]] = []
        whole: list[bool] = []
        for n, row in enumerate(word_table.rows, start=1):
            cells = row.cells
            grid.append((n, [cell.text.strip() for cell in cells]))
            whole.append(len(cells) > 1 and all(c._tc is cells[0]._tc for c in cells))
        found = find_header(grid, mapping, where)
        if found is None:
            skipped.append(number)
            continue
        index, header = found
        rows = []
        for (n, cells), one_cell in zip(grid[index + 1 :], whole[index + 1 :], strict=True):
            if one_cell or not any(cells):
                continue
            record = {h: v for h, v in zip(header.fields, cells, strict=False) if h}
            if all(not v for v in record.values()):
                continue
            rows.append(_row(record, n))
        table.parts.append(Part(where, header, rows, index + 1, len(rows)))
    if not table.parts:
        raise InvalidInput(
            f"no table with a header row of item columns (the document has "
            f"{len(document.tables)} table{'s' if len(document.tables) != 1 else ''}); "
            "casey reads a table whose first rows name a title column (Action, "
            'Recommendation...); name yours with --map "Heading=title"',
            file=str(path),
        )
    note = f"read {path}: table{'s' if len(table.parts) != 1 else ''} "
    note += ", ".join(p.where.rpartition(":")[2].split()[1] for p in table.parts)
    if skipped:
        note += "; skipped " + ", ".join(str(n) for n in skipped) + " (no header row)"
    table.notes.append(note)
    return table


TABULAR = (".csv", ".json", ".xlsx", ".docx")


def read_table(
    path: Path,
    suffix: str,
    encoding: str | None,
    sheet: str | None,
    mapping: dict[str, str] | None = None,
) -> Table:
    """A CSV, JSON, XLSX or DOCX file's rows: `encoding` is for a CSV, `sheet` for a
    workbook, `mapping` (a tracker's headings -> fields) for all but JSON."""
    if suffix == ".csv":
        return read_csv(path, encoding, mapping)
    if suffix == ".xlsx":
        return read_xlsx(path, sheet, mapping)
    if suffix == ".docx":
        return read_docx(path, mapping)
    return read_json(path)
