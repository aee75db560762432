"""Machine formats built from one column list: JSON, CSV (with a formula guard), Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def csv_cell(value: Any) -> Any:
    """Spreadsheet-safe cell: a text that a spreadsheet would run as a formula gets a '."""
    if value is None:
        return ""
    # A text that already starts with ' gets one more, so loading strips exactly one.
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def csv_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]],
               batch: int = 2000) -> Iterator[str]:
    """RFC 4180 CSV (CRLF line ends, minimal quoting) with a header row, a batch at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        if n % batch == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    return "".join(csv_chunks(columns, rows))


def json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The same text as to_json(list(rows)), one item at a time."""
    first = True
    for row in rows:
        body = json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + body
        first = False
    yield "[]\n" if first else "\n]\n"


def md_cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ") \
        .replace("\n", "<br>")


def to_markdown(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"
