"""`casey meeting ...`: committee and board meetings."""

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import BoroughOpt, ReadFormatOpt, WriteFormatOpt
from casey_cli.dates import DATE_HELP
from casey_cli.enums import ReadFormat, WriteFormat

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("add")
@handled
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Meeting name, e.g. 'Policy and Performance "
                                             "Scrutiny Committee'.", show_default=False)],
    date: Annotated[str, typer.Option("--date", help=f"Meeting date: {DATE_HELP}.",
                                      show_default=False)],
    borough: BoroughOpt = None,
    fmt: WriteFormatOpt = WriteFormat.TEXT,
) -> None:
    """Add a meeting; prints its ref (M3) for --meeting on later writes.

    Example: casey meeting add "Policy and Performance Scrutiny Committee" --date 2026-11-19
    --borough islington
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import meetings

    app = app_context(ctx)
    day = parse_date(date, app.today, field="--date")
    with app.session(write=True) as session:
        row = meetings.add(session, name=name, day=day, borough=borough)
    if fmt == WriteFormat.JSON:
        from casey_cli.io.formats import to_json

        output.write(to_json(row.to_dict()))
    else:
        output.write(f"{row.values['ref']}\n")
        output.info(f"Added meeting {row.values['ref']}: {row.values['name']} "
                    f"({row.values['date']}).")


@app.command("list")
@handled
def list_(ctx: typer.Context, borough: BoroughOpt = None,
          fmt: ReadFormatOpt = ReadFormat.TABLE) -> None:
    """List meetings by date.

    Example: casey meeting list --borough islington
    """
    from casey_cli.services import meetings

    app = app_context(ctx)
    with app.session() as session:
        rows = meetings.query(session, borough=borough)
    output.emit_rows(fmt.value, rows, meetings.MEETING_COLUMNS, "Meetings")
