"""`casey trend`: open, overdue and completed items at the end of each month or quarter."""

from typing import Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ScopeBoroughOpt, format_option, since_option
from casey_cli.enums import Format, Period


@errors_as_one_line
def trend(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    by: Annotated[
        Period, typer.Option("--by", case_sensitive=False, help="Length of each period.")
    ] = Period.MONTH,
    since: Annotated[
        str | None,
        since_option(
            "First period: the one holding this day, not after today",
            default="when the history starts, at most 12 months or 8 quarters back",
        ),
    ] = None,
    fmt: Annotated[Format, format_option(Format.TABLE, Format.JSON, Format.CSV)] = Format.TABLE,
) -> None:
    """Open, overdue and completed items at the end of each month or quarter, rebuilt from
    the history (the last period: as at today).

    Example: casey trend --borough islington --by quarter
    """
    from casey_cli.services import trend as service
    from casey_cli.store import lookup
    from casey_cli.store.as_at import check_day

    app = app_context(ctx)
    borough = app.setting("borough", borough)
    with app.store().read() as tx:
        day = check_day(lookup.since(tx, since, app.today), app.today, "--since") if since else None
        slug = lookup.borough_slug(tx, borough) if borough else None
        result = service.trend(tx, app.run_context(), borough=slug, by=by.value, since=day)
    output.emit(fmt, views.trend(result))
