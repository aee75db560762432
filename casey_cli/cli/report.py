"""`casey report`: the committee paper for a borough."""

from __future__ import annotations

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import handled
from casey_cli.cli.options import DaysOpt, OutputOpt, ScopeBoroughOpt, StaleDaysOpt
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
) -> None:
    """Write the committee paper: headline counts, RAG by source and theme, overdue with
    ageing, slipped dates with reasons, gaps, completions and stale items.

    Example: casey report --borough islington --format html --output islington-report.html
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import report as service

    output.check_output(output_file)
    app = app_context(ctx)
    day = parse_date(since, app.today, field="--since") if since else None
    with app.session() as session:
        settings = app.service_ctx(window=days, stale_days=stale_days)
        paper = service.build(session, settings, borough=app.setting("borough", borough),
                              since=day, stale_days=settings.stale_days)
    if fmt == ReportFormat.HTML:
        from casey_cli.io.html import report_html

        text = report_html(paper)
    else:
        from casey_cli.io.report_md import report_markdown

        text = report_markdown(paper)
    output.deliver(text.encode(), output_file)
