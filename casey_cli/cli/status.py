"""`casey status`: what is overdue, due soon, and has no owner or date; with no borough, the
London view (one row per borough or BCU)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import BoroughOpt, DaysOpt, OwnerOpt, SourceOpt, StatusFormatOpt
from casey_cli.enums import GroupBy, StatusFormat

if TYPE_CHECKING:
    from casey_cli.schemas import LondonReport, StatusReport

STATUS_ROWS = 15  # rows of each table a person sees; the rest are counted


@handled
def status(
    ctx: typer.Context,
    borough: BoroughOpt = None,
    owner: OwnerOpt = None,
    source: SourceOpt = None,
    days: DaysOpt = 14,
    fmt: StatusFormatOpt = StatusFormat.TABLE,
    by: Annotated[GroupBy | None, typer.Option(
        "--by", case_sensitive=False,
        help="London view (no --borough): one row per borough (default) or per BCU.")] = None,
    fail_on_overdue: Annotated[bool, typer.Option(
        "--fail-on-overdue", help="Exit with code 3 when anything is overdue (for cron).")] = False,
) -> None:
    """Headline counts, then overdue, due-soon and gap items for a borough; with no borough,
    one row per borough (or BCU), worst first.

    Example: casey status --borough islington
    """
    from casey_cli import lookup
    from casey_cli.errors import OverdueFound
    from casey_cli.services import status as service

    if borough and by:
        raise typer.BadParameter("groups the London view only; leave out --borough",
                                 param_hint="'--by'")
    app = app_context(ctx)
    with app.reader() as reader:
        scope = lookup.filters(reader, borough=borough, owner=owner, source=source)
        if scope.borough is None:
            london = service.london(reader, app.service_ctx(window=days), scope,
                                    (by or GroupBy.BOROUGH).value)
            _emit(london, fmt)
            overdue = london.summary.overdue
        else:
            # A table shows the top rows of each list; the machine formats get every item.
            limit = STATUS_ROWS if fmt == StatusFormat.TABLE else None
            report = service.report(reader, app.service_ctx(window=days), scope, limit)
            _emit(report, fmt)
            overdue = report.summary.overdue
    if fail_on_overdue and overdue:
        raise OverdueFound(f"{overdue} overdue item(s)")


def _emit(report: StatusReport | LondonReport, fmt: StatusFormat) -> None:
    if fmt == StatusFormat.JSON:
        from casey_cli.io.formats import to_json

        output.write(to_json(report.to_dict()))
    elif fmt == StatusFormat.MARKDOWN:
        from casey_cli.io.markdown import status_markdown

        output.write(status_markdown(report))
    else:
        from casey_cli.render.tables import status_view

        output.show(status_view(report))
