"""`casey chase`: per owner, what to chase (overdue, due soon, stale, gaps), for people, for a
mail merge, or for a cron job that alerts when something needs chasing."""

from typing import Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    DaysOpt,
    OwnerOpt,
    ReadFormatOpt,
    ScopeBoroughOpt,
    SourceOpt,
    StaleDaysOpt,
)
from casey_cli.enums import Format


@errors_as_one_line
def chase(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    source: SourceOpt = None,
    days: DaysOpt = None,
    stale_days: StaleDaysOpt = None,
    fmt: ReadFormatOpt = Format.TABLE,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            callback=lambda values: _checks(values or []),
            help="Comma list of overdue, stale, gaps: exit 3 (overdue), 4 (stale) or 5 (gaps) "
            "when any is found, after printing (for cron).",
        ),
    ] = None,
) -> None:
    """Per owner, their overdue, due-soon, stale and undated items, with the last update.

    Example: casey chase --borough islington --format csv --fail-on overdue,gaps
    """
    from casey_cli.services import chase as service
    from casey_cli.store import lookup

    app = app_context(ctx)
    with app.store().read() as tx:
        scope = lookup.filters(
            tx, borough=app.setting("borough", borough), owner=owner, source=source
        )
        settings = app.run_context(window=days, stale_days=stale_days)
        result = service.build(tx, settings, scope)
    output.emit(fmt, views.chase(result))
    service.check(result, fail_on or [])


def _checks(values: list[str]) -> list[str]:
    """`--fail-on overdue,stale` (or the option repeated): known names only; anything else
    is a bad option value (exit 2), caught before the store is read."""
    from casey_cli.errors import did_you_mean
    from casey_cli.schemas import CHASE_CHECKS

    checks = [name.strip().lower() for value in values for name in value.split(",") if name.strip()]
    for name in checks:
        if name not in CHASE_CHECKS:
            raise typer.BadParameter(
                f"unknown check '{name}'{did_you_mean(name, list(CHASE_CHECKS))}; use a comma "
                f"list of {', '.join(CHASE_CHECKS)}"
            )
    return checks
