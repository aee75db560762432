"""`casey status`: what is overdue, due soon, and has no owner or date."""

from __future__ import annotations

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import (
    AsAtOpt,
    DaysOpt,
    OwnerOpt,
    ScopeBoroughOpt,
    SourceOpt,
    StatusFormatOpt,
)
from casey_cli.enums import StatusFormat

STATUS_ROWS = 15  # rows of each table a person sees; the rest are counted


@handled
def status(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    source: SourceOpt = None,
    days: DaysOpt = None,
    fmt: StatusFormatOpt = StatusFormat.TABLE,
    fail_on_overdue: Annotated[bool, typer.Option(
        "--fail-on-overdue", help="Exit with code 3 when anything is overdue (for cron).")] = False,
    as_at: AsAtOpt = None,
) -> None:
    """Headline counts, then overdue, due-soon and gap items for a borough (or all London).

    Example: casey status --borough islington
    """
    from casey_cli import asat, lookup
    from casey_cli.errors import OverdueFound
    from casey_cli.services import status as service

    app = app_context(ctx)
    day = asat.parse_day(as_at, app.today)
    with app.reader() as store, asat.reader_at(store, day) as reader:
        scope = lookup.filters(reader, borough=app.setting("borough", borough), owner=owner,
                               source=source)
        # A table shows the top rows of each list; the machine formats get every item.
        limit = STATUS_ROWS if fmt == StatusFormat.TABLE else None
        report = service.report(reader, asat.ctx_at(app.service_ctx(window=days), day), scope,
                                limit)
        note = asat.empty_note(store, day) if day else None
    if note:
        output.info(note)
    if fmt == StatusFormat.JSON:
        from casey_cli.io.formats import to_json

        output.write(to_json(report.to_dict()))
    elif fmt == StatusFormat.MARKDOWN:
        from casey_cli.io.markdown import status_markdown

        output.write(status_markdown(report))
    else:
        from casey_cli.render.tables import status_view

        label = scope_name(report.borough) + (f" as at the end of {day}" if day else "")
        output.show(status_view(report, label))
    if fail_on_overdue and report.summary.overdue:
        raise OverdueFound(f"{report.summary.overdue} overdue item(s)")


def scope_name(borough: str | None) -> str:
    return borough.replace("-", " ").title() if borough else "All London"
