"""`casey export`: every item in scope, for scripts, spreadsheets and calendars."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import (
    OutputOpt,
    OwnerOpt,
    ScopeBoroughOpt,
    SourceOpt,
    StatusesOpt,
)
from casey_cli.dates import DATE_HELP
from casey_cli.enums import ExportFormat


@handled
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", "-f", case_sensitive=False, help="Output format.")] = ExportFormat.CSV,
    output_file: OutputOpt = None,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    status: StatusesOpt = None,
    source: SourceOpt = None,
    recommendation: Annotated[str | None, typer.Option(
        "--recommendation", "-r", help="Only this recommendation and its actions.",
        autocompletion=completion.recommendations)] = None,
    due_before: Annotated[str | None, typer.Option(
        "--due-before", help=f"Only items due before this date ({DATE_HELP}).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
) -> None:
    """Export actions and recommendations in scope; the same store and --today give the
    same bytes. CSV and JSON stream, so memory stays flat however large the register.

    Example: casey export --borough islington --format xlsx --output islington.xlsx
    """
    from casey_cli import lookup, queries
    from casey_cli.dates import parse_date
    from casey_cli.io import formats
    from casey_cli.schemas import ITEM_COLUMNS

    output.check_output(output_file)
    app = app_context(ctx)
    day = parse_date(due_before, app.today, field="--due-before") if due_before else None
    borough = app.setting("borough", borough)
    window = app.setting("window")
    title = f"casey-cli register: {borough or 'all London'}"
    with app.reader() as reader:
        scope = lookup.filters(reader, borough=borough, owner=owner, statuses=status or (),
                               source=source, recommendation=recommendation, due_before=day,
                               overdue=overdue)
        if fmt in (ExportFormat.CSV, ExportFormat.JSON):
            csv = fmt == ExportFormat.CSV
            rows = queries.item_rows(reader, scope, today=app.today, window=window,
                                     csv_guard=csv)
            chunks = (formats.csv_row_chunks if csv else formats.json_row_chunks)(
                ITEM_COLUMNS, rows)
            output.deliver((c.encode() for c in chunks), output_file)
            return
        everything = list(queries.items(reader, scope, today=app.today, window=window))
        meetings = queries.meetings(reader, scope.borough) if fmt == ExportFormat.ICS else []
    if fmt == ExportFormat.MARKDOWN:
        data = formats.to_markdown(ITEM_COLUMNS, [i.to_dict() for i in everything]).encode()
    elif fmt == ExportFormat.HTML:
        from casey_cli.io.html import export_html

        data = export_html(everything, title, app.today.isoformat()).encode()
    elif fmt == ExportFormat.ICS:
        from casey_cli.io.ics import to_ics

        data = to_ics(everything, meetings, title)
    else:
        from casey_cli.io.xlsx import to_xlsx

        data = to_xlsx(ITEM_COLUMNS, [i.to_dict() for i in everything])
    output.deliver(data, output_file, binary=fmt == ExportFormat.XLSX)

