"""`casey history`: the audit trail."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import BoroughOpt, ReadFormatOpt
from casey_cli.dates import DATE_HELP
from casey_cli.enums import ReadFormat


@handled
def history(
    ctx: typer.Context,
    ref: Annotated[str | None, typer.Argument(
        help="Only this action (A14) or recommendation (casey-7).", show_default=False,
        autocompletion=completion.items)] = None,
    borough: BoroughOpt = None,
    since: Annotated[str | None, typer.Option(
        "--since", help=f"Only changes on or after this date ({DATE_HELP}).")] = None,
    fmt: ReadFormatOpt = ReadFormat.TABLE,
) -> None:
    """Show the audit trail: who changed what, when, why, and at which meeting.

    Example: casey history A14
    """
    from casey_cli.dates import parse_date
    from casey_cli.schemas import EVENT_COLUMNS
    from casey_cli.services import history as service

    app = app_context(ctx)
    day = parse_date(since, app.today, field="--since") if since else None
    with app.session() as session:
        events = service.query(session, ref=ref, borough=borough, since=day)

    def table():  # type: ignore[no-untyped-def]
        from casey_cli.render.tables import history_table

        return history_table(events, f"History ({len(events)} events)")

    output.emit_records(fmt.value, EVENT_COLUMNS, [e.to_dict() for e in events], table)
