"""`casey report`: the committee paper for a borough."""

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import AsAtOpt, DaysOpt, OutputOpt, ScopeBoroughOpt, StaleDaysOpt
from casey_cli.dates import DATE_HELP
from casey_cli.enums import ReportFormat


@handled
def report(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", "-f", case_sensitive=False, help="Output format.")] = ReportFormat.MARKDOWN,
    output_file: OutputOpt = None,
    since: Annotated[str | None, typer.Option(
        "--since", help=f"Start of the reporting period ({DATE_HELP}; default: 90 days "
                        "before today).")] = None,
    days: DaysOpt = None,
    stale_days: StaleDaysOpt = None,
    as_at: AsAtOpt = None,
    compare: Annotated[str | None, typer.Option(
        "--compare", help=f"Also show the change in each headline and RAG count since the end "
                          f"of this day, London time ({DATE_HELP}).")] = None,
) -> None:
    """Write the committee paper: headline counts, RAG by source and theme, overdue with
    ageing, slipped dates with reasons, gaps, completions and stale items.

    Example: casey report --borough islington --format html --output islington-report.html
    """
    from casey_cli.asat import empty_note, parse_day
    from casey_cli.dates import parse_date
    from casey_cli.queries import SQLAlchemyReader
    from casey_cli.services import report as service

    output.check_output(output_file)
    app = app_context(ctx)
    at_day = parse_day(as_at, app.today)
    then = parse_day(compare, app.today, "--compare")
    day = parse_date(since, at_day or app.today, field="--since") if since else None
    with app.session() as session:
        settings = app.service_ctx(window=days, stale_days=stale_days)
        paper = service.build_at(session, settings, day=at_day,
                                 borough=app.setting("borough", borough), since=day,
                                 compare_day=then)
        reader = SQLAlchemyReader(session.connection())
        notes = [empty_note(reader, d) for d in (at_day, then) if d]
    for note in notes:
        if note:
            output.info(note)
    if fmt == ReportFormat.HTML:
        from casey_cli.io.html import report_html

        text = report_html(paper)
    else:
        from casey_cli.io.report_md import report_markdown

        text = report_markdown(paper)
    output.deliver(text.encode(), output_file)
