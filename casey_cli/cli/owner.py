"""`casey owner ...`: the owner directory."""

from typing import Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ByOpt, format_option
from casey_cli.enums import Format

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

EmailOpt = Annotated[
    str | None,
    typer.Option("--email", help="Email address (name@example.org).", show_default=False),
]
OrganisationOpt = Annotated[
    str | None,
    typer.Option(
        "--organisation", help="The body the owner is part of (Met, MOPAC).", show_default=False
    ),
]
AliasOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--alias",
        help="Another name the owner is known by (repeat for more); matched ignoring case, "
        "spacing and punctuation.",
        show_default=False,
    ),
]
OwnerWriteFormatOpt = Annotated[
    Format,
    format_option(
        Format.TEXT,
        Format.JSON,
        help="text: the name only; json: the owner (name, email, organisation, aliases).",
    ),
]


@app.command("add")
@errors_as_one_line
def add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="The owner's name as items carry it, e.g. 'Supt, Central North'.",
            show_default=False,
        ),
    ],
    email: EmailOpt = None,
    organisation: OrganisationOpt = None,
    alias: AliasOpt = None,
    fmt: OwnerWriteFormatOpt = Format.TEXT,
) -> None:
    """Add an owner to the directory: owner names given later on writes and loads that match
    its name or an alias are stored as its name.

    Example: casey owner add "Supt, Central North" --organisation Met --alias "Met CN BCU"
    """
    from casey_cli.services import owners

    app = app_context(ctx)
    with app.store().write() as tx:
        row = owners.add(tx, name=name, email=email, organisation=organisation, aliases=alias)
    shown = str(row.values["name"])
    output.emit_written(fmt, row.to_dict(), shown, f"Added owner {shown}.")


@app.command("update")
@errors_as_one_line
def update(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The owner: its name or an alias.", show_default=False)
    ],
    email: Annotated[
        str | None, typer.Option("--email", help="New email address ('' clears it).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="New organisation ('' clears it).")
    ] = None,
    alias: AliasOpt = None,
    rename: Annotated[
        str | None,
        typer.Option(
            "--rename",
            help="A new name; the old one becomes an alias. Items keep the name they have.",
            show_default=False,
        ),
    ] = None,
    fmt: OwnerWriteFormatOpt = Format.TEXT,
) -> None:
    """Change an owner's email or organisation, add aliases (--alias), or rename it.

    Example: casey owner update "Supt, Central North" --email cn.supt@met.police.example
    """
    from casey_cli.services import owners

    app = app_context(ctx)
    with app.store().write() as tx:
        row, changed = owners.update(
            tx, name, email=email, organisation=organisation, aliases=alias, rename=rename
        )
    shown = str(row.values["name"])
    message = (
        f"Updated owner {shown}."
        if changed
        else f"Owner {shown} unchanged: it already has those values."
    )
    output.emit_written(fmt, row.to_dict(), shown, message)


@app.command("merge")
@errors_as_one_line
def merge(
    ctx: typer.Context,
    old: Annotated[
        str,
        typer.Argument(
            help="The owner to merge away: a name or alias in the directory, or a name as "
            "items carry it.",
            show_default=False,
        ),
    ],
    new: Annotated[
        str, typer.Argument(help="The owner it becomes (in the directory).", show_default=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the items that would move; write nothing.")
    ] = False,
    by: ByOpt = None,
    fmt: OwnerWriteFormatOpt = Format.TEXT,
) -> None:
    """Merge one owner into another: every item of OLD becomes NEW's, one history event each,
    and OLD's name and aliases become NEW's aliases.

    Example: casey owner merge "Met CN BCU" "Supt, Central North"
    """
    from casey_cli.services import owners

    app = app_context(ctx)
    with app.store().write(dry_run=dry_run) as tx:
        source, target, refs = owners.merge(tx, app.run_context(by), old, new)
    verb = "would move" if dry_run else "moved"
    listed = f": {', '.join(refs)}" if refs else ""
    items = f"{len(refs)} item{'s' if len(refs) != 1 else ''}"
    message = f"Merged {source} into {target}; {verb} {items}{listed}."
    output.emit_written(
        fmt,
        {"dry_run": dry_run, "merged": source, "into": target, "moved": refs},
        target,
        message + (" Dry run: nothing was written." if dry_run else ""),
    )


@app.command("list")
@errors_as_one_line
def list_(
    ctx: typer.Context,
    fmt: Annotated[Format, format_option(Format.TABLE, Format.JSON, Format.CSV)] = Format.TABLE,
) -> None:
    """List the owner directory by name, with each owner's email, organisation and aliases.

    Example: casey owner list --format csv
    """
    from casey_cli.services import owners

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = owners.query(tx)
    output.emit(fmt, views.rows(rows, owners.OWNER_COLUMNS, "Owners"))
