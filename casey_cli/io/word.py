"""The committee paper as a Word document (python-docx, imported only here): A4 portrait,
real tables whose header rows repeat on each page, RAG cells shaded and named in words, the
same sections as the HTML page. The same report gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING

from casey_cli import __version__
from casey_cli.io.formats import RAG_FILL
from casey_cli.io.html import RAG_COLOUR
from casey_cli.io.paper import Chart, Para, Table, build_paper
from casey_cli.schemas import Report

if TYPE_CHECKING:
    from docx.document import Document

HEADER_FILL = "E8EDF5"
TEXT_WIDTH_MM = 180  # A4's 210 mm less 15 mm margins either side
assert set(RAG_FILL) == set(RAG_COLOUR)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TWIPS_PER_MM = 1440 / 25.4


def _cell_xml(text: str, width: int, *, bold: bool, right: bool, fill: str | None) -> str:
    from html import escape  # xml.sax.saxutils' escape imports urllib.request

    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    align = '<w:pPr><w:jc w:val="right"/></w:pPr>' if right else ""
    weight = "<w:rPr><w:b/></w:rPr>" if bold else ""
    # A line break in the text is a line break in the cell.
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line, quote=False)}</w:t>' for line in text.split("\n")
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f"<w:p>{align}<w:r>{weight}{lines}</w:r></w:p></w:tc>"
    )


def _rows_xml(table: Table, widths: list[int]) -> str:
    """Every row of the table as WordprocessingML: written as text and parsed once, since
    python-docx's cell API takes seconds for the thousands of rows of a large borough. No
    row splits across pages; the header row repeats at the top of each page."""
    rows = []
    for n, values in enumerate([[c.label for c in table.columns], *table.rows]):
        cells = []
        for column, width, value in zip(table.columns, widths, values, strict=True):
            fill = RAG_FILL.get(value.lower()) if column.rag else None
            cells.append(
                _cell_xml(
                    value,
                    width,
                    bold=n == 0 or column.rag,
                    right=column.numeric,
                    fill=fill or (HEADER_FILL if n == 0 else None),
                )
            )
        flags = "<w:cantSplit/>" + ("<w:tblHeader/>" if n == 0 else "")
        rows.append(f"<w:tr><w:trPr>{flags}</w:trPr>{''.join(cells)}</w:tr>")
    return f'<w:tbl xmlns:w="{W_NS}">{"".join(rows)}</w:tbl>'


def _table(doc: Document, table: Table) -> None:
    from docx.oxml import parse_xml
    from docx.shared import Mm

    grid = doc.add_table(rows=0, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    widths = [TEXT_WIDTH_MM * c.width / 100 for c in table.columns]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    parsed = parse_xml(_rows_xml(table, [round(w * TWIPS_PER_MM) for w in widths]))
    for row in list(parsed):
        grid._tbl.append(row)


def _page(doc: Document, footer: str) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin, section.bottom_margin = Mm(15), Mm(18)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    paragraph = section.footer.paragraphs[0]
    paragraph.add_run(f"{footer} Page ")
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    paragraph._p.append(page)


def _fixed_zip(data: bytes, moment: datetime) -> bytes:
    """The package again with every member stamped with the report's day, not the clock."""
    stamp = (moment.year, moment.month, moment.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def report_docx(report: Report) -> bytes:
    import docx

    paper = build_paper(report, __version__)
    doc = docx.Document()
    _page(doc, paper.footer)
    doc.add_heading(paper.title, level=0)
    for line in paper.meta:
        doc.add_paragraph(line)
    for section in paper.sections:
        doc.add_heading(section.heading, level=section.level - 1)
        for block in section.blocks:
            if isinstance(block, Para):
                doc.add_paragraph(block.text)
            elif isinstance(block, Table):
                _table(doc, block)
                doc.add_paragraph()
            elif isinstance(block, Chart):
                continue  # the HTML page's picture of a table the paper also gives
    moment = datetime.fromisoformat(report.as_at or report.today)
    props = doc.core_properties
    props.title = paper.title
    props.author = props.last_modified_by = f"casey-cli {__version__}"
    props.created = props.modified = props.last_printed = moment
    props.revision = 1
    props.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), moment)
