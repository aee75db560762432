"""Rows in from the machine formats casey exports (CSV, JSON, XLSX), with their locations."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casey_cli.errors import InvalidInput
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


def read_csv(path: Path) -> list[LineDict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, [])
            rows = []
            for cells in reader:
                if not cells:
                    continue  # a blank line
                if len(cells) != len(header):
                    more = "more" if len(cells) > len(header) else "fewer"
                    raise InvalidInput(
                        f"this row has {more} cells ({len(cells)}) than the "
                        f"header ({len(header)}); check for a missing or "
                        "unquoted comma",
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
            return rows
    except csv.Error as exc:
        raise InvalidInput(f"{exc}; save the file as RFC 4180 CSV", file=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text; save the CSV as UTF-8", file=str(path)) from None


def read_json(path: Path) -> list[LineDict]:
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
    return rows


def read_xlsx(path: Path) -> list[LineDict]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(
            f"cannot read the workbook ({exc}); save it as .xlsx", file=str(path)
        ) from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(lines, ())]
        rows = []
        for n, values in enumerate(lines, start=2):
            if all(v is None or v == "" for v in values):
                continue
            record = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
            rows.append(_row(record, n))
        return rows
    finally:
        book.close()


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


READERS = {".csv": read_csv, ".json": read_json, ".xlsx": read_xlsx}
