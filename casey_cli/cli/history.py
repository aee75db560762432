"""`casey history`: the audit trail."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import AllOpt, BoroughOpt, ReadFormatOpt, since_option
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
    since: Annotated[str | None, since_option("Only changes on or after this day")] = None,
    fmt: ReadFormatOpt = Format.TABLE,
    every: AllOpt = False,
) -> None:
    """Show the audit trail: who changed what, when, why, and at which meeting.

    Example: casey history A14
    """
    from casey_cli.services import history as service
    from casey_cli.store import lookup

    app = app_context(ctx)
    with app.store().read() as tx:
        day = lookup.since(tx, since, app.today) if since else None
        events, total = service.page(
            tx, ref=ref, borough=borough, since=day, last=output.screenful(fmt, every)
        )
    output.emit(fmt, views.history(events, total, output.rerun(ctx, "--all")))
