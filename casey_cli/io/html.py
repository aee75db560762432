"""Self-contained HTML (Jinja2, autoescaped): the export page and the committee report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casey_cli import __version__
from casey_cli.enums import RAG_ORDER
from casey_cli.schemas import Item

RAG_COLOUR = {
    "red": "#c0392b",
    "amber": "#e67e22",
    "green": "#2e8b57",
    "blue": "#2f6fb3",
    "grey": "#8c8c8c",
}


def templates() -> Any:
    """The package's Jinja2 templates, HTML-escaped."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("casey_cli", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The package's templates do not change while a command runs: no stat of the file
        # at every include and import (a published site renders 100,000 pages).
        auto_reload=False,
    )


def rag_chart(counts: dict[str, int]) -> str:
    """A small inline SVG bar chart of RAG counts (numbers only: nothing to escape)."""
    width, bar_h, gap, label_w = 420, 18, 6, 60
    top = max(counts.values(), default=0) or 1
    height = len(RAG_ORDER) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="RAG counts">'
    ]
    for n, rag in enumerate(RAG_ORDER):
        y = gap + n * (bar_h + gap)
        value = int(counts.get(rag, 0))
        length = int((width - label_w - 50) * value / top)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{rag.upper()}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar_h}" '
            f'fill="{RAG_COLOUR[rag]}"/>'
        )
        parts.append(f'<text x="{label_w + length + 6}" y="{y + 13}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


TREND_COLOUR = {"open": "#2e8b57", "overdue": "#c0392b", "completed": "#2f6fb3"}


def trend_chart(points: Sequence[Any]) -> str:
    """Inline SVG: for each period, open / overdue / completed bars side by side, one scale
    (numbers and fixed labels only: nothing to escape)."""
    series = tuple(TREND_COLOUR)
    bar_w, group_gap, plot_h, top_pad, axis_h, legend_h = 12, 14, 160, 16, 34, 20
    group_w = len(series) * bar_w + group_gap
    width = max(380, 40 + group_w * len(points))
    height = legend_h + top_pad + plot_h + axis_h
    top = max((getattr(p, s) for p in points for s in series), default=0) or 1
    base = legend_h + top_pad + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="Open, overdue and completed items by period">'
    ]
    for n, name in enumerate(series):
        x = 40 + n * 100
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{TREND_COLOUR[name]}"/>')
        parts.append(f'<text x="{x + 16}" y="14" font-size="12">{name}</text>')
    parts.append(f'<line x1="36" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#888"/>')
    for i, p in enumerate(points):
        x0 = 40 + i * group_w
        for n, name in enumerate(series):
            value = int(getattr(p, name))
            h = round(plot_h * value / top)
            x = x0 + n * bar_w
            parts.append(
                f'<rect x="{x}" y="{base - h}" width="{bar_w - 2}" height="{h}" '
                f'fill="{TREND_COLOUR[name]}"><title>{p.period} {name}: {value}'
                f"</title></rect>"
            )
            parts.append(
                f'<text x="{x + (bar_w - 2) / 2}" y="{base - h - 3}" font-size="8" '
                f'text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text x="{x0 + len(series) * bar_w / 2}" y="{base + 14}" font-size="10" '
            f'text-anchor="middle">{p.period}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def export_html(items: Sequence[Item], title: str, today: str) -> str:
    template = templates().get_template("export.html.j2")
    return str(
        template.render(
            title=title, items=[i.to_dict() for i in items], today=today, version=__version__
        )
    )


def report_html(report: Any) -> str:
    from casey_cli.io.paper import Chart, Para, build_paper, uk_date

    def kind_of(block: Any) -> str:
        return (
            "para" if isinstance(block, Para) else "chart" if isinstance(block, Chart) else "table"
        )

    paper = build_paper(report, __version__)
    template = templates().get_template("report.html.j2")
    return str(
        template.render(
            paper=paper,
            kind_of=kind_of,
            rag_order=RAG_ORDER,
            title=paper.title,
            today=uk_date(report.today),
            version=__version__,
            charts={
                "rag": rag_chart(report.rag),
                "trend": trend_chart(report.trend.points) if report.trend else "",
            },
        )
    )
