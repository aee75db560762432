"""The committee paper as Markdown (for papers assembled in Word or a CMS)."""

from __future__ import annotations

from casey_cli import __version__
from casey_cli.io.formats import md_cell
from casey_cli.io.paper import Para, Table, build_paper
from casey_cli.schemas import Report


def _table(t: Table) -> str:
    lines = [
        "| " + " | ".join(c.label for c in t.columns) + " |",
        "|" + "".join("---:|" if c.numeric else "---|" for c in t.columns),
    ]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in t.rows]
    return "\n".join(lines) + "\n"


def report_markdown(r: Report) -> str:
    paper = build_paper(r, __version__)
    out = [f"# {paper.title}\n", *(f"{line}\n" for line in paper.meta)]
    for section in paper.sections:
        out.append(f"{'#' * section.level} {section.heading}\n")
        for block in section.blocks:
            if isinstance(block, Para):
                out.append(f"{block.text}\n")
            elif isinstance(block, Table):
                out.append(_table(block))
            # A chart is the HTML page's picture of a table every format gives.
    return "\n".join(out)
