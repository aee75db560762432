"""`casey rec ...`: recommendations of the sources."""

from typing import Annotated

import typer

from casey_cli.cli import completion, output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    ByOpt,
    DueOpt,
    MeetingOpt,
    NoteOpt,
    PercentOpt,
    RagOpt,
    ReadFormatOpt,
    ShowFormatOpt,
    SourceOpt,
    UpdateTextArg,
    WriteFormatOpt,
)
from casey_cli.cli.options import RecRefArg as RefArg
from casey_cli.enums import Format

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("list")
@errors_as_one_line
def list_(
    ctx: typer.Context,
    source: SourceOpt = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Only this theme.")] = None,
    fmt: ReadFormatOpt = Format.TABLE,
) -> None:
    """List recommendations by due date, then ref (undated ones last).

    Example: casey rec list --source casey --theme new-oversight-and-accountability
    """
    from casey_cli.store import lookup

    app = app_context(ctx)
    with app.store().read() as tx:
        scope = lookup.filters(tx, source=source, theme=theme, actions=False)
        items = list(tx.items(scope, today=app.today, window=app.setting("window")))
    output.emit(fmt, views.items(items, "Recommendations", "No recommendations match."))


@app.command("show")
@errors_as_one_line
def show(ctx: typer.Context, ref: RefArg, fmt: ShowFormatOpt = Format.TABLE) -> None:
    """Show a recommendation, its actions in each borough, and its history.

    Example: casey rec show casey-1
    """
    from casey_cli.services import recs

    app = app_context(ctx)
    with app.store().read() as tx:
        detail = recs.show(tx, app.run_context(), ref)
    output.emit(fmt, views.detail(detail))


@app.command("update")
@errors_as_one_line
def update(
    ctx: typer.Context,
    ref: RefArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Owner ('' clears it).", autocompletion=completion.owners),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="New status.", autocompletion=completion.statuses)
    ] = None,
    response: Annotated[
        str | None,
        typer.Option("--response", help="accepted, accepted-in-principle, rejected or pending."),
    ] = None,
    progress: Annotated[int | None, typer.Option("--progress", help="Progress, 0-100.")] = None,
    due: DueOpt = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why the due date moves (required when one exists), or why the officer's "
            "RAG is what it is.",
        ),
    ] = None,
    rag: RagOpt = None,
    note: NoteOpt = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Change a recommendation's own owner, status, response or due date.

    Example: casey rec update casey-3 --owner "MOPAC" --due 2027-03-21 --reason "Fairfield review"
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import recs

    app = app_context(ctx)
    day = parse_date(due, app.today, field="due") if due else None
    hints: list[str] = []
    with app.store().write() as tx:
        item, changed = recs.update(
            tx,
            app.run_context(by),
            ref,
            title=title,
            owner=owner,
            status=status,
            response=response,
            progress=progress,
            due=day,
            reason=reason,
            rag=rag,
            note=note,
            meeting=meeting,
            hints=hints,
        )
    for hint in hints:
        output.info(hint)
    output.emit_written(
        fmt,
        item.to_dict(),
        item.ref,
        output.update_message(item.ref, changed),
    )


@app.command("progress")
@errors_as_one_line
def progress(
    ctx: typer.Context,
    ref: RefArg,
    text: UpdateTextArg,
    percent: PercentOpt = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Record a dated progress update on a recommendation: what was done. Dated today, or
    the day of the meeting given.

    Example: casey rec progress casey-3 "Vetting regulations laid" --percent 50
    """
    from casey_cli.services import recs

    app = app_context(ctx)
    with app.store().write() as tx:
        item, changed = recs.record_progress(
            tx, app.run_context(by), ref, text, percent=percent, meeting=meeting
        )
    output.emit_written(fmt, item.to_dict(), item.ref, output.progress_message(item, changed))
