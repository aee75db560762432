"""Root Typer app: global options (--db, --today, --version) and the command tree.

Command modules do not use `from __future__ import annotations`: Typer reads every command's
signature on every start, and string annotations cost an `eval` each (~60 ms a start)."""

from typing import Annotated

import typer

from casey_cli import __version__
from casey_cli.cli import (
    action,
    chase,
    config,
    db,
    export,
    history,
    init,
    load,
    meeting,
    owner,
    publish,
    rec,
    reference,
    report,
    status,
    trend,
)
from casey_cli.cli.context import AppContext
from casey_cli.cli.errors import fail
from casey_cli.dates import DATE_HELP

app = typer.Typer(
    name="casey",
    help="Track police-reform recommendations (Casey Review, A New Met for London, borough "
    "plans) borough by borough: what is overdue, due soon, or has no owner or date.",
    no_args_is_help=True,
    add_completion=True,
    # Plain help: Typer's Rich help imports rich.markdown and markdown-it, which would more
    # than double the start-up of `casey --help` (docs/performance.md).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    # A bug's traceback must not print local variables: one of them is the store URL, which
    # may hold a password.
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"casey-cli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            show_default=False,
            help="Store: a SQLite file path or a SQLAlchemy URL (else CASEY_DB, else `casey "
            "config set db`, else casey.db in your user data folder, made on first use). A "
            "store named here, by CASEY_DB or by the config file must exist: `casey init` "
            "creates it.",
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="CASEY_TODAY",
            show_envvar=True,
            help=f"Compute every report as of this date ({DATE_HELP}).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """casey: the borough register of police-reform recommendations and actions."""
    import sys

    # A file name given in another encoding (its bytes arrive as lone surrogates) is printed
    # back as the bytes it came as, in any locale, as Python's UTF-8 mode and the C locale
    # do; a strict stdout (en_GB.UTF-8) raised UnicodeEncodeError mid-output instead.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    from casey_cli.config import Config, default_db_path, system_today
    from casey_cli.dates import parse_date
    from casey_cli.errors import InvalidInput

    real_today = system_today()
    config = Config()
    try:
        day = parse_date(today, real_today, field="--today") if today else real_today
    except InvalidInput as exc:
        raise fail(str(exc)) from None
    try:
        resolved = config.resolve("db", db)
        store, origin, source = resolved.value, resolved.origin, resolved.where
    except InvalidInput as exc:
        if ctx.invoked_subcommand != "config":
            raise fail(str(exc)) from None
        # `casey config` is how to repair the file
        store, source = db or default_db_path().as_posix(), None
        origin = "flag" if db else "default"
    if not 1900 <= day.year <= 9000:  # every rule adds windows and ages to it
        raise fail(f"--today {day.isoformat()} is out of range; use a date between 1900 and 9000")
    ctx.obj = AppContext(
        db=store, today=day, config=config, db_flag=db, db_origin=origin, db_source=source
    )
    ctx.call_on_close(ctx.obj.close)


app.command("init")(init.init)
app.command("status")(status.status)
app.command("load")(load.load)
app.command("export")(export.export)
app.command("report")(report.report)
app.command("history")(history.history)
app.command("trend")(trend.trend)
app.command("chase")(chase.chase)
app.command("publish")(publish.publish)
app.add_typer(action.app, name="action", help="Add, update, complete, verify and list actions.")
app.add_typer(rec.app, name="rec", help="Recommendations of the sources, with their actions.")
app.add_typer(meeting.app, name="meeting", help="Meetings at which actions were agreed.")
app.add_typer(
    owner.app, name="owner", help="The owner directory: names, emails, organisations, aliases."
)
app.add_typer(reference.source_app, name="source", help="Sources: reviews and plans.")
app.add_typer(reference.borough_app, name="borough", help="London boroughs and their BCUs.")
app.add_typer(db.app, name="db", help="Back up, check and upgrade the store.")
app.add_typer(
    config.app,
    name="config",
    help="Defaults kept in a config file: borough, user, window, stale_days, db.",
)


def main() -> None:
    app()
