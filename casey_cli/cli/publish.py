"""`casey publish`: the register as a static website in a folder."""

from pathlib import Path
from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ScopeBoroughOpt, folder_path


@errors_as_one_line
def publish(
    ctx: typer.Context,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            parser=folder_path,
            metavar="<folder>",
            show_default=False,
            help="The site's folder: made if missing; a second run rewrites only the files "
            "that changed and removes the pages of items no longer published.",
        ),
    ],
    borough: ScopeBoroughOpt = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="The site's title (default: 'Police reform in London: the register')."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="<url>",
            help="Where the site will be served, for each page's canonical link (links "
            "between pages stay relative either way).",
        ),
    ] = None,
    hide: Annotated[
        list[str] | None,
        typer.Option(
            "--hide",
            metavar="<field>",
            help="Never publish this field: owner, note, by (who recorded each change) or "
            "verified_by (repeatable); added to the config's [publish] hide.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List the files that would change; write nothing."),
    ] = False,
) -> None:
    """Write the register as a static website: a London overview with a map, a page per
    borough, source, recommendation and action, a page on the data's limits, what changed
    month by month with an Atom feed of the latest changes, and CSV and JSON downloads.
    Plain HTML that works from disk or any web host, with no JavaScript and nothing
    fetched from elsewhere; the same store and --today give the same bytes.

    Example: casey publish --output site --hide owner --hide note
    """
    from casey_cli.io import site
    from casey_cli.services import publish as service
    from casey_cli.text import clean_text

    title = clean_text(title, "--title")  # text a page can carry, or one line naming why
    base_url = clean_text(base_url, "--base-url")
    app = app_context(ctx)
    hidden = service.hidden_fields(hide or (), app.setting("publish.hide"))
    site.check_folder(output_dir)
    scope = app.setting("borough", borough)
    with app.store().read() as tx:
        opts = service.SiteOptions(
            borough=tx.borough_slug(scope) if scope else None,
            title=" ".join((title or service.DEFAULT_TITLE).split()),
            base_url=base_url or None,
            hide=hidden,
        )
        previous = site.Previous(output_dir)
        files = service.site_files(tx, app.run_context(), opts, previous.fresh)
        result = site.publish(output_dir, files, dry_run=dry_run, previous=previous)
    where = output.printable(output_dir)
    shown = ", ".join(hidden) or "nothing"
    # Pages and downloads alike count as the site's pages.
    counts = (len(result.written), len(result.unchanged), len(result.removed))
    if dry_run:
        lines = [f"write {p}" for p in result.written] + [f"remove {p}" for p in result.removed]
        lines.append(f"hidden: {shown}")
        lines.append(
            f"Would publish {result.total} pages to {where} ({counts[0]} to write, "
            f"{counts[1]} unchanged, {counts[2]} to remove); nothing written."
        )
    else:
        lines = [
            f"Published {result.total} pages to {where} ({counts[0]} written, {counts[1]} "
            f"unchanged, {counts[2]} removed)." + (f" Hidden: {shown}." if hidden else "")
        ]
    output.write("".join(line + "\n" for line in lines))
