"""`casey status`: what is overdue, due soon, and has no owner or date; with no borough, the
London view (one row per borough or BCU)."""

from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    AsAtOpt,
    DaysOpt,
    OwnerOpt,
    ScopeBoroughOpt,
    SourceOpt,
    format_option,
)
from casey_cli.enums import Format, GroupBy

if TYPE_CHECKING:
    from casey_cli.schemas import LondonReport, StatusReport

STATUS_ROWS = 15  # rows of each table a person sees; the rest are counted


@errors_as_one_line
def status(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    source: SourceOpt = None,
    days: DaysOpt = None,
    fmt: Annotated[
        Format, format_option(Format.TABLE, Format.JSON, Format.MARKDOWN)
    ] = Format.TABLE,
    by: Annotated[
        GroupBy | None,
        typer.Option(
            "--by",
            case_sensitive=False,
            help="London view (no --borough): one row per borough (default) or per BCU.",
        ),
    ] = None,
    fail_on_overdue: Annotated[
        bool,
        typer.Option(
            "--fail-on-overdue", help="Exit with code 3 when anything is overdue (for cron)."
        ),
    ] = False,
    as_at: AsAtOpt = None,
) -> None:
    """Headline counts, then overdue, due-soon and gap items for a borough; with no borough,
    one row per borough (or BCU), worst first.

    Example: casey status --borough islington
    """
    from casey_cli.config import ALL_BOROUGHS
    from casey_cli.errors import OverdueFound
    from casey_cli.services import status as service
    from casey_cli.store import lookup
    from casey_cli.store.as_at import at_day, empty_note, parse_day
    from casey_cli.text import counted

    if by and borough and borough.strip().lower() != ALL_BOROUGHS:
        raise typer.BadParameter(
            "groups the London view only; leave out --borough", param_hint="'--by'"
        )
    app = app_context(ctx)
    day = parse_day(as_at, app.today)
    with app.store().read() as live, at_day(live, day) as tx:
        # `--by` asks for the London view, whatever borough the config names.
        where = None if by else app.setting("borough", borough)
        scope = lookup.filters(tx, borough=where, owner=owner, source=source)
        run = app.run_context(window=days).on(day)
        report: StatusReport | LondonReport
        if scope.borough is None:
            report = service.london(
                tx, run, scope, (by or GroupBy.BOROUGH).value, with_items=fmt is Format.JSON
            )
        else:
            # A table shows the top rows of each list; the machine formats get every item.
            limit = STATUS_ROWS if output.for_people(fmt) else None
            report = service.report(tx, run, scope, limit)
        note = empty_note(live, day) if day else None
    if note:
        output.info(note)
    output.emit(fmt, views.status(report, f" as at the end of {day}" if day else ""))
    if fail_on_overdue and report.summary.overdue:
        raise OverdueFound(counted(report.summary.overdue, "overdue item"))
