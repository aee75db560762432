"""`casey history`: the audit trail."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import AllOpt, BoroughOpt, ReadFormatOpt
from casey_cli.dates import DATE_HELP
from casey_cli.enums import Format


@errors_as_one_line
def history(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Only this action (A14) or recommendation (casey-7).",
            show_default=False,
            autocompletion=completion.items,
        ),
    ] = None,
    borough: BoroughOpt = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help=f"Only changes on or after this date ({DATE_HELP})."),
    ] = None,
    fmt: ReadFormatOpt = Format.TABLE,
    every: AllOpt = False,
) -> None:
    """Show the audit trail: who changed what, when, why, and at which meeting.

    Example: casey history A14
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import history as service

    app = app_context(ctx)
    day = parse_date(since, app.today, field="--since") if since else None
    with app.store().read() as tx:
        events, total = service.page(
            tx, ref=ref, borough=borough, since=day, last=output.screenful(fmt, every)
        )
    output.emit(fmt, views.history(events, total, output.rerun(ctx, "--all")))
