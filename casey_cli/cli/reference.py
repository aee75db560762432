"""`casey source list|show` and `casey borough list`: reference data."""

from typing import Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ReadFormatOpt, format_option
from casey_cli.enums import Format

source_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
borough_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

# A person's table of sources leaves the long notes and citations to the machine formats.
SOURCE_TABLE = ("code", "title", "publisher", "published", "borough", "recommendations")


@source_app.command("list")
@errors_as_one_line
def sources(ctx: typer.Context, fmt: ReadFormatOpt = Format.TABLE) -> None:
    """List the sources (reviews and plans) with their recommendation counts.

    Example: casey source list --format json
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = reference.sources(tx)
    output.emit(fmt, views.rows(rows, reference.SOURCE_COLUMNS, "Sources", shown=SOURCE_TABLE))


@source_app.command("show")
@errors_as_one_line
def source(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The source's code (casey source list).")],
    fmt: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
) -> None:
    """A source's citation, notes and what is not known about it: the limits of the data.

    Example: casey source show casey
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.store().read() as tx:
        found = reference.source(tx, code)
    if fmt is Format.JSON:
        output.emit(fmt, views.rows([found], reference.SOURCE_COLUMNS, "Source"))
        return
    output.write(_described(found.values))


# The text of `source show`: each field under its heading, in this order.
SOURCE_SHOWN = (
    ("publisher", "Publisher"),
    ("published", "Published"),
    ("borough", "Borough"),
    ("recommendations", "Items in the register"),
    ("url", "Address"),
    ("citation", "Citation"),
    ("notes", "Notes"),
    ("limits", "What is not known"),
)


def _described(values: dict[str, object]) -> str:
    """A source for people: its title, then each field known, wrapped at 80 columns."""
    from textwrap import fill

    lines = [fill(f"{values['code']}: {values['title']}", 80, subsequent_indent="  "), ""]
    for name, heading in SOURCE_SHOWN:
        value = values.get(name)
        if value is None or value == "":
            if name == "limits":
                lines += [f"{heading}:", "  Nothing is recorded about this source's limits.", ""]
            continue
        lines.append(f"{heading}:")
        lines.append(
            fill(  # addresses stay whole, so they can be copied
                str(value),
                80,
                initial_indent="  ",
                subsequent_indent="  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@borough_app.command("list")
@errors_as_one_line
def boroughs(ctx: typer.Context, fmt: ReadFormatOpt = Format.TABLE) -> None:
    """List the London boroughs with their slug, GSS code, BCU and open actions.

    Example: casey borough list --format csv
    """
    from casey_cli.services import reference

    app = app_context(ctx)
    with app.store().read() as tx:
        rows = reference.boroughs(tx)
    output.emit(fmt, views.rows(rows, reference.BOROUGH_COLUMNS, "Boroughs"))
