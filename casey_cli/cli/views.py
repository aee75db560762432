"""Each kind of result as an output.View: its records and columns for the machine formats, and
the render/ view for people, imported only when a person asks for it (no Rich for scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from casey_cli.cli.output import View

if TYPE_CHECKING:
    from rich.console import RenderableType

    from casey_cli.schemas import (
        ChaseList,
        Event,
        Item,
        ItemDetail,
        LondonReport,
        Row,
        StatusReport,
        Trend,
    )


def items(
    found: Sequence[Item],
    title: str,
    empty: str,
    *,
    total: int | None = None,
    rest: str | None = None,
) -> View:
    """A list of actions or recommendations (`action list`, `rec list`); `total` when
    `found` is the first screenfuls of a longer list, and `rest` the command for all."""
    from casey_cli.schemas import ITEM_COLUMNS

    def table() -> RenderableType:
        from casey_cli.render.common import showing
        from casey_cli.render.items import section

        shown = section(found, title, empty, total=total)
        return showing(shown, len(found), total, title.lower(), rest)

    return View(table, ITEM_COLUMNS, [i.to_dict() for i in found])


def rows(
    found: Sequence[Row], columns: Sequence[str], title: str, *, shown: Sequence[str] | None = None
) -> View:
    """Reference rows (sources, boroughs, meetings, settings); a person's table may show
    fewer columns (`shown`) than the machine formats carry."""

    def table() -> RenderableType:
        from casey_cli.render.rows import rows_table
        from casey_cli.schemas import Row

        return rows_table(
            found if shown is None else [Row(tuple(shown), r.values) for r in found], title
        )

    return View(table, columns, [r.to_dict() for r in found])


def history(events: Sequence[Event], total: int | None = None, rest: str | None = None) -> View:
    """The audit trail (`casey history`); `total` when `events` are the latest of a longer
    trail, and `rest` the command for all."""
    from casey_cli.schemas import EVENT_COLUMNS

    def table() -> RenderableType:
        from casey_cli.render.common import showing
        from casey_cli.render.history import history_table
        from casey_cli.text import counted

        n = len(events) if total is None else total
        shown = history_table(events, f"History ({counted(n, 'event')})")
        return showing(shown, len(events), total, "events", rest, latest=True)

    return View(table, EVENT_COLUMNS, [e.to_dict() for e in events])


def detail(found: ItemDetail) -> View:
    """One action or recommendation with its history (`action show`, `rec show`)."""

    def table() -> RenderableType:
        from casey_cli.render.detail import detail_view

        return detail_view(found)

    return View(table, document=found.to_dict)


def status(report: StatusReport | LondonReport, when: str = "") -> View:
    """`casey status`: one borough's lists or the London view; `when` follows the scope in
    a person's headline (" as at the end of 2025-03-31")."""

    def table() -> RenderableType:
        from casey_cli.render.status import status_view

        return status_view(report, when)

    def markdown() -> str:
        from casey_cli.io.markdown import status_markdown

        return status_markdown(report)

    return View(table, document=report.to_dict, markdown=markdown)


def chase(found: ChaseList) -> View:
    """`casey chase`: a row per item to chase; JSON is the whole list, with its summary."""
    from casey_cli.schemas import CHASE_COLUMNS

    def table() -> RenderableType:
        from casey_cli.render.chase import chase_view

        return chase_view(found)

    def markdown() -> str:
        from casey_cli.io.markdown import chase_markdown

        return chase_markdown(found)

    return View(
        table,
        CHASE_COLUMNS,
        [r.to_dict() for r in found.rows()],
        document=found.to_dict,
        markdown=markdown,
    )


def trend(found: Trend) -> View:
    """`casey trend`: a row per period; JSON is the whole trend, with its scope."""
    from casey_cli.schemas import TREND_COLUMNS

    def table() -> RenderableType:
        from casey_cli.render.trend import trend_view

        return trend_view(found)

    return View(table, TREND_COLUMNS, [p.to_dict() for p in found.points], document=found.to_dict)
