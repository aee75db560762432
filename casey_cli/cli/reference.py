"""`casey source list` and `casey borough list`: reference data."""

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import ReadFormatOpt
from casey_cli.enums import ReadFormat

source_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
borough_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@source_app.command("list")
@handled
def sources(ctx: typer.Context, fmt: ReadFormatOpt = ReadFormat.TABLE) -> None:
    """List the sources (reviews and plans) with their recommendation counts.

    Example: casey source list --format json
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.session() as session:
        rows = reference.sources(session)
    if fmt == ReadFormat.TABLE:  # the long notes and citations are for the machine formats
        from casey_cli.schemas import Row

        short = ("code", "title", "publisher", "published", "borough", "recommendations")
        rows = [Row(short, r.values) for r in rows]
    output.emit_rows(fmt.value, rows, reference.SOURCE_COLUMNS, "Sources")


@borough_app.command("list")
@handled
def boroughs(ctx: typer.Context, fmt: ReadFormatOpt = ReadFormat.TABLE) -> None:
    """List the London boroughs with their slug, GSS code, BCU and open actions.

    Example: casey borough list --format csv
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.session() as session:
        rows = reference.boroughs(session)
    output.emit_rows(fmt.value, rows, reference.BOROUGH_COLUMNS, "Boroughs")
