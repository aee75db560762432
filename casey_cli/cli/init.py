"""`casey init`: create the store."""

from typing import Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line


@errors_as_one_line
def init(
    ctx: typer.Context,
    no_seed: Annotated[
        bool, typer.Option("--no-seed", help="Create an empty register (the London boroughs only).")
    ] = False,
) -> None:
    """Create the store, seeded with the bundled register; safe to run twice. The one way
    to create a store that --db, CASEY_DB or the config file names (only the default store
    is made on first use); a file or database holding other tables is refused.

    Example: casey --db team.db init
    """
    from casey_cli.config import mask_url
    from casey_cli.store.versions import HEAD

    app = app_context(ctx)
    app.store(create=True, seed=not no_seed)
    if not app.created:
        output.info(
            f"The store at {mask_url(app.db_location)} already exists "
            f"(schema {HEAD}); nothing to do."
        )
