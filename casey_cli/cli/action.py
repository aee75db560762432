"""`casey action ...`: the clerk's workflow for actions."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import completion, output, views
from casey_cli.cli.context import AppContext, app_context
from casey_cli.cli.errors import errors_as_one_line, fail
from casey_cli.cli.options import ActionRefArg as RefArg
from casey_cli.cli.options import (
    AllOpt,
    BoroughOpt,
    ByOpt,
    DueOpt,
    EvidenceOpt,
    MeetingOpt,
    NoteOpt,
    OwnerOpt,
    PercentOpt,
    RagOpt,
    ReadFormatOpt,
    RecommendationOpt,
    ScopeBoroughOpt,
    ShowFormatOpt,
    SourceOpt,
    StatusesOpt,
    UpdateTextArg,
    WriteFormatOpt,
)
from casey_cli.dates import DATE_HELP
from casey_cli.enums import Format

if TYPE_CHECKING:
    from datetime import date

    from casey_cli.schemas import Item

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        autocompletion=completion.statuses,
        help="not-started, in-progress, blocked, complete or dropped.",
    ),
]
ProgressOpt = Annotated[int | None, typer.Option("--progress", help="Progress, 0-100.")]
RecOpt = RecommendationOpt


def _date(app: AppContext, text: str | None, field: str) -> "date | None":
    from casey_cli.dates import parse_date

    return parse_date(text, app.today, field=field) if text else None


def _missing(value: str | None) -> bool:
    return value is None or not value.strip()


def _prompt_for_missing(app: AppContext, given: dict[str, str | None]) -> dict[str, str | None]:
    """A missing required field: on a terminal, ask for every field not given (then confirm);
    otherwise a usage error, so a script never hangs on a question."""
    for option in ("borough", "title"):
        if _missing(given[option]) and not sys.stdin.isatty():
            raise fail(
                f"missing --{option}; give --{option} (prompting only happens on a terminal)", 2
            )
    from casey_cli.cli.prompts import ActionPrompts, Cancelled

    app.writable_store()  # a store this user may only read says so before any question
    try:
        return {**given, **ActionPrompts(app, given).run()}
    except (Cancelled, EOFError, KeyboardInterrupt) as exc:
        sys.stderr.write(
            ("\n" if not isinstance(exc, Cancelled) else "") + "Cancelled, nothing written.\n"
        )
        raise typer.Exit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None


@app.command("add")
@errors_as_one_line
def add(
    ctx: typer.Context,
    borough: BoroughOpt = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="What will be done.")] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Person or role responsible.", autocompletion=completion.owners
        ),
    ] = None,
    due: DueOpt = None,
    recommendation: RecOpt = None,
    status: StatusOpt = None,
    progress: ProgressOpt = None,
    evidence: EvidenceOpt = None,
    note: NoteOpt = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Add an action to a borough's register; prints its ref (A14).

    Example: casey action add --borough islington --title "Publish ward panel dates"
    --owner "Supt, Central North" --due +4w --meeting M3
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    if _missing(borough) or _missing(title):
        answers = _prompt_for_missing(
            app,
            {
                "borough": borough,
                "title": title,
                "owner": owner,
                "due": due,
                "recommendation": recommendation,
                "status": status,
                "note": note,
                "meeting": meeting,
                "evidence": evidence,
                "progress": None if progress is None else str(progress),
            },
        )
        borough, title, owner, due = (
            answers["borough"],
            answers["title"],
            answers["owner"],
            answers["due"],
        )
        recommendation, status, note, meeting = (
            answers["recommendation"],
            answers["status"],
            answers["note"],
            answers["meeting"],
        )
    assert borough is not None and title is not None
    hints: list[str] = []
    with app.store().write() as tx:
        item = actions.add(
            tx,
            app.run_context(by),
            borough=borough,
            title=title,
            owner=owner,
            due=_date(app, due, "due"),
            recommendation=recommendation,
            status=status,
            progress=progress,
            evidence=evidence,
            note=note,
            meeting=meeting,
            hints=hints,
        )
    for hint in hints:
        output.info(hint)
    output.emit_written(
        fmt, item.to_dict(), item.ref, f"Added {item.ref} in {item.borough}: {item.title}"
    )


@app.command("update")
@errors_as_one_line
def update(
    ctx: typer.Context,
    ref: RefArg,
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="New owner ('' clears it).", autocompletion=completion.owners),
    ] = None,
    status: StatusOpt = None,
    progress: ProgressOpt = None,
    evidence: EvidenceOpt = None,
    recommendation: Annotated[
        str | None,
        typer.Option(
            "--recommendation",
            "-r",
            help="Link to a recommendation ('' unlinks).",
            autocompletion=completion.recommendations,
        ),
    ] = None,
    rag: RagOpt = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the officer's RAG is what it is.")
    ] = None,
    note: NoteOpt = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Change an action's fields; each change is kept in its history.

    Example: casey action update A14 --status in-progress --progress 40 --note "Agreed at PPS"

    Example: casey action update A14 --rag amber --reason "Panel dates slipping"
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    hints: list[str] = []
    with app.store().write() as tx:
        item, changed = actions.update(
            tx,
            app.run_context(by),
            ref,
            title=title,
            owner=owner,
            status=status,
            progress=progress,
            evidence=evidence,
            recommendation=recommendation,
            rag=rag,
            reason=reason,
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
    """Record a dated progress update: what was done. The latest shows in status, chase
    lists, papers and exports; `action show` lists every one. Dated today, or the day of
    the meeting given.

    Example: casey action progress A14 "Panel dates agreed with chairs" --percent 60 --meeting M5
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    with app.store().write() as tx:
        item, changed = actions.record_progress(
            tx, app.run_context(by), ref, text, percent=percent, meeting=meeting
        )
    output.emit_written(fmt, item.to_dict(), item.ref, output.progress_message(item, changed))


@app.command("done")
@errors_as_one_line
def done(
    ctx: typer.Context,
    ref: RefArg,
    evidence: EvidenceOpt = None,
    note: NoteOpt = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Mark an action complete, with today as its completion date.

    Example: casey action done A14 --evidence https://democracy.islington.gov.uk/...
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    with app.store().write() as tx:
        item = actions.done(
            tx, app.run_context(by), ref, evidence=evidence, note=note, meeting=meeting
        )
    output.emit_written(fmt, item.to_dict(), item.ref, f"Completed {item.ref} on {item.completed}.")


@app.command("verify")
@errors_as_one_line
def verify(
    ctx: typer.Context,
    ref: RefArg,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="The verifier: someone other than the action's owner.", show_default=False
        ),
    ],
    evidence: EvidenceOpt = None,
    note: NoteOpt = None,
    meeting: MeetingOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Record independent verification of a completed action.

    The verifier (--by) must not be the owner. On PostgreSQL the database role must not be
    the one that completed the action; on SQLite a verification by the OS account that
    completed it is kept and marked same-account.

    Example: casey action verify A14 --by "Scrutiny officer" --evidence "Checked ward panel log"
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    with app.store().write() as tx:
        item = actions.verify(
            tx, app.run_context(by), ref, evidence=evidence, note=note, meeting=meeting
        )
    message = f"Verified {item.ref}."
    if item.verification == "same-account":
        message += (
            f"\nNote: this account also completed {item.ref}, so the verification is marked "
            f"same-account (`casey action show {item.ref}`)."
        )
    output.emit_written(fmt, item.to_dict(), item.ref, message)


@app.command("reschedule")
@errors_as_one_line
def reschedule(
    ctx: typer.Context,
    ref: RefArg,
    due: Annotated[
        str, typer.Option("--due", help=f"New due date: {DATE_HELP}.", show_default=False)
    ],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the date moves (required once a due date exists)."),
    ] = None,
    meeting: MeetingOpt = None,
    by: ByOpt = None,
    fmt: WriteFormatOpt = Format.TEXT,
) -> None:
    """Give an action a new due date; the original due date and the reason are kept.

    Example: casey action reschedule A14 --due 2027-03-31 --reason "Awaiting Met data"
    """
    from casey_cli.dates import parse_date
    from casey_cli.services import actions

    app = app_context(ctx)
    day = parse_date(due, app.today, field="due")  # required: '' is no date, not "none"
    with app.store().write() as tx:
        item = actions.reschedule(
            tx, app.run_context(by), ref, due=day, reason=reason, meeting=meeting
        )
    output.emit_written(
        fmt,
        item.to_dict(),
        item.ref,
        _rescheduled_message(item),
    )


def _rescheduled_message(item: "Item") -> str:
    if item.original_due in (None, item.due) and not item.slips:
        return f"{item.ref} is now due {item.due}."
    times = "once" if item.slips == 1 else f"{item.slips} times"
    slipped = f"slipped {times}" if item.slips else "not slipped"
    return f"{item.ref} is now due {item.due} (originally {item.original_due}, {slipped})."


@app.command("show")
@errors_as_one_line
def show(ctx: typer.Context, ref: RefArg, fmt: ShowFormatOpt = Format.TABLE) -> None:
    """Show one action with its full history.

    Example: casey action show A14
    """
    from casey_cli.services import actions

    app = app_context(ctx)
    with app.store().read() as tx:
        detail = actions.show(tx, app.run_context(), ref)
    output.emit(fmt, views.detail(detail))


@app.command("list")
@errors_as_one_line
def list_(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    status: StatusesOpt = None,
    source: SourceOpt = None,
    recommendation: RecOpt = None,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", help=f"Only actions due before this date ({DATE_HELP})."),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    fmt: ReadFormatOpt = Format.TABLE,
    every: AllOpt = False,
) -> None:
    """List actions matching every filter given, by due date then ref.

    Example: casey action list --borough islington --status in-progress --format csv
    """
    from casey_cli.store import lookup

    app = app_context(ctx)
    day = _date(app, due_before, "--due-before")
    with app.store().read() as tx:
        scope = lookup.filters(
            tx,
            borough=app.setting("borough", borough),
            owner=owner,
            statuses=status or (),
            source=source,
            recommendation=recommendation,
            due_before=day,
            overdue=overdue,
            recommendations=False,
        )
        window, limit = app.setting("window"), output.screenful(fmt, every)
        # One row more than a screen holds says whether to count them all.
        items = list(tx.items(scope, today=app.today, window=window, limit=limit and limit + 1))
        total = len(items)
        if limit is not None and total > limit:
            items = items[:limit]
            total = tx.count_items(scope, today=app.today, window=window).total
    output.emit(
        fmt,
        views.items(
            items, "Actions", "No actions match.", total=total, rest=output.rerun(ctx, "--all")
        ),
    )
