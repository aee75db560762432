"""Machine formats built from one column list: JSON, CSV (with a formula guard), Markdown;
and the one dispatch of each file a command writes (an export, a report) by its format."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casey_cli.enums import Format

if TYPE_CHECKING:
    from casey_cli.schemas import Item, Report

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Light fills for RAG cells in spreadsheets and Word tables: dark text stays readable on
# them (the HTML page's colours).
RAG_FILL = {
    "red": "F4B6B6",
    "amber": "FCD9A8",
    "green": "C6E7C1",
    "blue": "BDD7EE",
    "grey": "D9D9D9",
}


# A text that already starts with ' gets one more, so loading strips exactly one.
CSV_GUARD = (*FORMULA_START, "'")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def csv_cell(value: Any) -> Any:
    """Spreadsheet-safe cell: a text that a spreadsheet would run as a formula gets a '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(CSV_GUARD):
        return "'" + value
    return value


def csv_chunks(
    columns: Sequence[str], rows: Iterable[dict[str, Any]], batch: int = 2000
) -> Iterator[str]:
    """RFC 4180 CSV (CRLF line ends, minimal quoting) with a header row, a batch at a time."""
    return csv_row_chunks(columns, ([csv_cell(row.get(c)) for c in columns] for row in rows), batch)


def csv_row_chunks(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 2000
) -> Iterator[str]:
    """As csv_chunks, from rows of values in column order, already guarded (None is an empty
    cell): the csv module's C writer takes each batch whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    rest = iter(rows)
    while True:
        writer.writerows(itertools.islice(rest, batch))
        text = out.getvalue()
        if not text:
            return
        yield text
        out.seek(0)
        out.truncate()


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    return "".join(csv_chunks(columns, rows))


def json_row_chunks(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 2000
) -> Iterator[str]:
    """The same text as to_json([dict(zip(columns, row)) for row in rows]) (tests compare
    them), streamed, for flat rows of text, whole numbers and None, without the pure-Python
    indenting encoder."""
    text: Any = json.encoder.encode_basestring  # the C function ensure_ascii=False uses
    keys = [f"\n    {text(c)}: " for c in columns]
    opening = "[\n  {"
    parts: list[str] = []
    for row in rows:
        parts.append(
            opening
            + ",".join(
                [
                    key
                    + (
                        "null"
                        if value is None
                        else text(value)
                        if isinstance(value, str)
                        else json.dumps(value)
                    )
                    for key, value in zip(keys, row, strict=True)
                ]
            )
            + "\n  }"
        )
        opening = ",\n  {"
        if len(parts) == batch:
            yield "".join(parts)
            parts = []
    parts.append("[]\n" if opening.startswith("[") else "\n]\n")
    yield "".join(parts)


def md_cell(value: Any) -> str:
    if value is None:
        return ""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", "<br>")
    )


def to_markdown(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


# Formats whose bytes never go to a terminal.
BINARY = frozenset({Format.XLSX, Format.DOCX})


@dataclass(frozen=True)
class ItemSource:
    """The items of an export, read only as its format needs: `values` streams flat rows in
    ITEM_COLUMNS order (a text cell starting with one of the guard's characters gets a
    leading "'"); `items` gives whole items, `meetings` the meetings a calendar adds."""

    title: str
    today: str
    values: Callable[[tuple[str, ...]], Iterable[Sequence[Any]]]
    items: Callable[[], Sequence[Item]]
    meetings: Callable[[], Sequence[dict[str, Any]]]
    # A calendar's: the store's id (its events' UIDs) and the days before a due date a
    # reminder goes off (none: no reminders).
    store_id: Callable[[], str] = lambda: "casey-cli"
    alarm_days: int | None = None


def encode_items(fmt: Format, source: ItemSource) -> bytes | Iterator[bytes]:
    """An export's bytes: CSV and JSON streamed (memory stays flat however large the
    register), the other formats whole."""
    from casey_cli.schemas import ITEM_COLUMNS

    if fmt is Format.CSV:
        return (c.encode() for c in csv_row_chunks(ITEM_COLUMNS, source.values(CSV_GUARD)))
    if fmt is Format.JSON:
        return (c.encode() for c in json_row_chunks(ITEM_COLUMNS, source.values(())))
    if fmt is Format.MARKDOWN:
        return to_markdown(ITEM_COLUMNS, [i.to_dict() for i in source.items()]).encode()
    if fmt is Format.HTML:
        from casey_cli.io.html import export_html

        return export_html(source.items(), source.title, source.today).encode()
    if fmt is Format.ICS:
        from casey_cli.io.ics import to_ics

        return to_ics(
            source.items(), source.meetings(), source.title, source.store_id(), source.alarm_days
        )
    if fmt is Format.XLSX:
        from casey_cli.io.xlsx import to_xlsx

        return to_xlsx(ITEM_COLUMNS, [i.to_dict() for i in source.items()])
    raise ValueError(f"no {fmt.value} export")


def encode_report(fmt: Format, paper: Report) -> bytes:
    """The committee paper as a document."""
    if fmt is Format.HTML:
        from casey_cli.io.html import report_html

        return report_html(paper).encode()
    if fmt is Format.MARKDOWN:
        from casey_cli.io.report_md import report_markdown

        return report_markdown(paper).encode()
    if fmt is Format.DOCX:
        from casey_cli.io.word import report_docx

        return report_docx(paper)
    raise ValueError(f"no {fmt.value} report")
