"""`casey report`: the committee paper for a borough."""

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    AsAtOpt,
    DaysOpt,
    OutputOpt,
    ScopeBoroughOpt,
    StaleDaysOpt,
    format_option,
    since_option,
)
from casey_cli.enums import Format


@errors_as_one_line
def report(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    fmt: Annotated[
        Format, format_option(Format.MARKDOWN, Format.HTML, Format.DOCX)
    ] = Format.MARKDOWN,
    output_file: OutputOpt = None,
    since: Annotated[
        str | None,
        since_option(
            "Start of the reporting period",
            default="90 days before today, or before the --as-at day",
        ),
    ] = None,
    days: DaysOpt = None,
    stale_days: StaleDaysOpt = None,
    as_at: AsAtOpt = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Also show the change in each headline and RAG count since the end "
            "of this day, London time (YYYY-MM-DD, DD/MM/YYYY, 'yesterday', -3m ...; before "
            "the paper's day).",
        ),
    ] = None,
) -> None:
    """Write the committee paper (Markdown, HTML or Word): counts and shares by RAG,
    source and theme; what changed since --since (completed, added, due dates moved with
    their reasons, officers' RAG changes, progress updates); overdue with ageing and the
    latest update; due soon; gaps; officer's and rule's RAG that differ; slipped, stale and
    recent changes.

    Example: casey report --borough islington --format docx --output islington-paper.docx
    """
    from casey_cli.io import formats
    from casey_cli.services import report as service
    from casey_cli.store import lookup
    from casey_cli.store.as_at import empty_note, parse_day

    output.check_output(output_file)
    app = app_context(ctx)
    at_day = parse_day(as_at, app.today)
    then = parse_day(compare, app.today, "--compare")
    with app.store().read() as tx:
        day = lookup.since(tx, since, at_day or app.today) if since else None
        settings = app.run_context(window=days, stale_days=stale_days)
        paper = service.build_at(
            tx,
            settings,
            day=at_day,
            borough=app.setting("borough", borough),
            since=day,
            compare_day=then,
        )
        notes = [empty_note(tx, d) for d in (at_day, then) if d]
    for note in notes:
        if note:
            output.info(note)
    output.deliver(formats.encode_report(fmt, paper), output_file, binary=fmt in formats.BINARY)
