"""`casey export`: every item in scope, for scripts, spreadsheets and calendars."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    OutputOpt,
    OwnerOpt,
    ScopeBoroughOpt,
    SourceOpt,
    StatusesOpt,
    format_option,
)
from casey_cli.dates import DATE_HELP
from casey_cli.enums import Format


@errors_as_one_line
def export(
    ctx: typer.Context,
    fmt: Annotated[
        Format,
        format_option(
            Format.CSV, Format.JSON, Format.XLSX, Format.MARKDOWN, Format.HTML, Format.ICS
        ),
    ] = Format.CSV,
    output_file: OutputOpt = None,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    status: StatusesOpt = None,
    source: SourceOpt = None,
    recommendation: Annotated[
        str | None,
        typer.Option(
            "--recommendation",
            "-r",
            help="Only this recommendation and its actions.",
            autocompletion=completion.recommendations,
        ),
    ] = None,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", help=f"Only items due before this date ({DATE_HELP})."),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    alarm: Annotated[
        str | None,
        typer.Option(
            "--alarm",
            metavar="<Nd|Nw>",
            help="With --format ics: a reminder this long before each due date (7d, 2w).",
        ),
    ] = None,
) -> None:
    """Export actions and recommendations in scope; the same store and --today give the
    same bytes. CSV and JSON stream, so memory stays flat however large the register.

    Example: casey export --borough islington --format xlsx --output islington.xlsx
    """
    from casey_cli.dates import parse_date
    from casey_cli.io import formats
    from casey_cli.store import lookup

    output.check_output(output_file)
    app = app_context(ctx)
    day = parse_date(due_before, app.today, field="--due-before") if due_before else None
    alarm_days = _alarm_days(alarm, fmt) if alarm is not None else None
    borough = app.setting("borough", borough)
    window = app.setting("window")
    with app.store().read() as tx:
        scope = lookup.filters(
            tx,
            borough=borough,
            owner=owner,
            statuses=status or (),
            source=source,
            recommendation=recommendation,
            due_before=day,
            overdue=overdue,
        )
        items = formats.ItemSource(
            title=f"casey-cli register: {borough or 'all London'}",
            today=app.today.isoformat(),
            values=lambda guard: tx.item_values(scope, today=app.today, window=window, guard=guard),
            items=lambda: list(tx.items(scope, today=app.today, window=window)),
            meetings=lambda: tx.meetings(scope.borough),
            store_id=tx.store_id,
            alarm_days=alarm_days,
        )
        # Inside the transaction: CSV and JSON stream from it.
        output.deliver(formats.encode_items(fmt, items), output_file, binary=fmt in formats.BINARY)


def _alarm_days(text: str, fmt: Format) -> int:
    """`--alarm 7d` or `2w`: days before a due date; only a calendar has reminders."""
    import re

    from casey_cli.errors import InvalidInput

    if fmt is not Format.ICS:
        raise InvalidInput("only a calendar has reminders; add --format ics", field="--alarm")
    match = re.fullmatch(r"([0-9]{1,3}) ?([dw])", text.strip().lower())
    if match is None:
        raise InvalidInput(
            f"'{text}' is not a time before a due date; write days or weeks, e.g. 7d or 2w",
            field="--alarm",
        )
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)
