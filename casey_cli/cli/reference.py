"""`casey source list` and `casey borough list`: reference data."""

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ReadFormatOpt
from casey_cli.enums import Format

source_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
borough_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

# A person's table of sources leaves the long notes and citations to the machine formats.
SOURCE_TABLE = ("code", "title", "publisher", "published", "borough", "recommendations")


@source_app.command("list")
@errors_as_one_line
def sources(ctx: typer.Context, fmt: ReadFormatOpt = Format.TABLE) -> None:
    """List the sources (reviews and plans) with their recommendation counts.

    Example: casey source list --format json
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = reference.sources(tx)
    output.emit(fmt, views.rows(rows, reference.SOURCE_COLUMNS, "Sources", shown=SOURCE_TABLE))


@borough_app.command("list")
@errors_as_one_line
def boroughs(ctx: typer.Context, fmt: ReadFormatOpt = Format.TABLE) -> None:
    """List the London boroughs with their slug, GSS code, BCU and open actions.

    Example: casey borough list --format csv
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = reference.boroughs(tx)
    output.emit(fmt, views.rows(rows, reference.BOROUGH_COLUMNS, "Boroughs"))
