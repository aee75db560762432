"""XLSX export with openpyxl: frozen header, autofilter, RAG fills, text never a formula,
and deterministic bytes (fixed document and zip timestamps)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from casey_cli.io.formats import FORMULA_START, RAG_FILL

DATE_COLUMNS = ("due", "original_due", "completed", "latest_update_on")
FIXED_TIME = datetime(2000, 1, 1)


def to_xlsx(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str = "Items") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(columns))
        line = sheet.max_row
        for n, col in enumerate(columns, start=1):
            value = row.get(col)
            cell = sheet.cell(row=line, column=n)
            if col in DATE_COLUMNS and isinstance(value, str):
                cell.value = date.fromisoformat(value)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # openpyxl would store '=...' as a formula
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # and Excel keeps it as text when edited
            else:
                cell.value = value
            if col == "rag" and value in RAG_FILL:
                cell.fill = PatternFill("solid", fgColor=RAG_FILL[value])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    for n, col in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = 60 if col == "title" else 16
    book.properties.created = FIXED_TIME
    raw = io.BytesIO()
    book.save(raw)
    # The document's "modified" is the newest change among the rows, not the clock.
    stamp = max(
        (str(r.get("updated")) for r in rows if r.get("updated")), default="2000-01-01T00:00:00Z"
    )
    return _fixed_zip(raw.getvalue(), stamp)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, modified: str) -> bytes:
    """Rewrite the archive with fixed entry times (and openpyxl's save-time 'modified'
    replaced) so the same data gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()
