"""`casey meeting ...`: committee and board meetings."""

from typing import Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import BoroughOpt, ReadFormatOpt, format_option
from casey_cli.dates import DATE_HELP
from casey_cli.enums import Format

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("add")
@errors_as_one_line
def add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="Meeting name, e.g. 'Policy and Performance Scrutiny Committee'.",
            show_default=False,
        ),
    ],
    date: Annotated[
        str, typer.Option("--date", help=f"Meeting date: {DATE_HELP}.", show_default=False)
    ],
    borough: BoroughOpt = None,
    fmt: Annotated[
        Format,
        format_option(
            Format.TEXT,
            Format.JSON,
            help="text: the ref only; json: the meeting (ref, name, date, borough, citation).",
        ),
    ] = Format.TEXT,
) -> None:
    """Add a meeting; prints its ref (M3) for --meeting on later writes.

    Example: casey meeting add "Policy and Performance Scrutiny Committee" --date 2026-11-19
    --borough islington
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import meetings

    app = app_context(ctx)
    day = parse_date(date, app.today, field="--date")
    with app.store().write() as tx:
        row = meetings.add(tx, name=name, day=day, borough=borough)
    ref = f"{row.values['ref']}"
    output.emit_written(
        fmt,
        row.to_dict(),
        ref,
        f"Added meeting {ref}: {row.values['name']} ({row.values['date']}).",
    )


@app.command("list")
@errors_as_one_line
def list_(
    ctx: typer.Context, borough: BoroughOpt = None, fmt: ReadFormatOpt = Format.TABLE
) -> None:
    """List meetings by date.

    Example: casey meeting list --borough islington
    """
    from casey_cli.services import meetings

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = meetings.query(tx, borough=borough)
    output.emit(fmt, views.rows(rows, meetings.MEETING_COLUMNS, "Meetings"))
