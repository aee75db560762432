"""`casey trend`: open, overdue and completed items at the end of each month or quarter."""

from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import ScopeBoroughOpt
from casey_cli.dates import DATE_HELP
from casey_cli.enums import Period, TrendFormat

if TYPE_CHECKING:
    from rich.console import RenderableType

@handled
def trend(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    by: Annotated[Period, typer.Option(
        "--by", case_sensitive=False, help="Length of each period.")] = Period.MONTH,
    since: Annotated[str | None, typer.Option(
        "--since", help=f"First period: the one holding this day ({DATE_HELP}; default: when "
                        "the history starts, at most 12 months or 8 quarters back).")] = None,
    fmt: Annotated[TrendFormat, typer.Option(
        "--format", "-f", case_sensitive=False, help="Output format.")] = TrendFormat.TABLE,
) -> None:
    """Open, overdue and completed items at the end of each month or quarter, rebuilt from
    the history (the last period: as at today).

    Example: casey trend --borough islington --by quarter
    """
    from casey_cli import lookup
    from casey_cli.asat import parse_day
    from casey_cli.services import trend as service

    app = app_context(ctx)
    day = parse_day(since, app.today, "--since")
    borough = app.setting("borough", borough)
    with app.reader() as reader:
        slug = lookup.borough_slug(reader, borough) if borough else None
        result = service.trend(reader, app.service_ctx(), borough=slug, by=by.value, since=day)
    from casey_cli.schemas import TREND_COLUMNS

    def table() -> "RenderableType":
        from casey_cli.render.tables import trend_view

        return trend_view(result)

    output.emit_records(fmt.value, TREND_COLUMNS, [p.to_dict() for p in result.points], table,
                        document=result.to_dict())
