"""`casey config ...`: defaults kept in a TOML file (borough, user, window, stale_days, db)."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import AppContext, app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ReadFormatOpt
from casey_cli.enums import Format

if TYPE_CHECKING:
    from casey_cli.config import Resolved

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


def _keys(incomplete: str) -> list[str]:
    from casey_cli.config import KEYS

    return [k for k in KEYS if k.startswith(incomplete.strip().lower())]


KeyArg = Annotated[
    str,
    typer.Argument(
        help="A setting: borough, user, window, stale_days, db, smtp_..., publish.hide.",
        show_default=False,
        metavar="KEY",
        autocompletion=_keys,
    ),
]
OriginOpt = Annotated[
    bool,
    typer.Option(
        "--origin", help="Also say where each value comes from: flag, env, config file or default."
    ),
]


def _resolve(app: AppContext, name: str) -> "Resolved":
    """A setting as a command would see it; only the global --db can be a flag here."""
    return app.config.resolve(name, app.db_flag if name == "db" else None)


def _shown(name: str, value: Any) -> Any:
    """A value as printed (true/false as the config file writes them): a password in a
    database URL never is."""
    from casey_cli.config import mask_url

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # a list of names: publish.hide
        return ", ".join(value)
    return mask_url(value) if name == "db" and isinstance(value, str) else value


def _row(found: "Resolved", origin: bool) -> Any:
    from casey_cli.schemas import Row

    columns = ("setting", "value", "origin", "from") if origin else ("setting", "value")
    return Row(
        columns,
        {
            "setting": found.name,
            "value": _shown(found.name, found.value),
            "origin": found.origin,
            "from": found.where,
        },
    )


@app.command("show")
@errors_as_one_line
def show(ctx: typer.Context, origin: OriginOpt = False, fmt: ReadFormatOpt = Format.TABLE) -> None:
    """Show every setting as commands will use it (flag > environment > config file >
    default).

    Example: casey config show --origin
    """
    from casey_cli.config import KEYS

    app = app_context(ctx)
    rows = [_row(_resolve(app, name), origin) for name in KEYS]
    output.emit(fmt, views.rows(rows, rows[0].columns, "Settings"))


@app.command("get")
@errors_as_one_line
def get(ctx: typer.Context, name: KeyArg, origin: OriginOpt = False) -> None:
    """Print one setting's value as commands will use it; exit 1 when it has none.

    Example: casey config get borough
    """
    from casey_cli.config import key
    from casey_cli.errors import NotFound

    found = _resolve(app_context(ctx), key(name).name)
    if found.value is None and found.origin != "default":  # `all`: every borough
        raise NotFound(
            f"{found.name} is 'all' (every borough), set by {found.describe()}; "
            "give --borough SLUG for one"
        )
    if found.value is None:
        raise NotFound(
            f"{found.name} is not set; set it with `casey config set {found.name} VALUE`"
        )
    output.write(f"{_shown(found.name, found.value)}\n")
    if origin:
        output.info(f"from {found.describe()}")


@app.command("set")
@errors_as_one_line
def set_(
    ctx: typer.Context,
    name: KeyArg,
    value: Annotated[
        str,
        typer.Argument(
            help='The value, e.g. islington, "J. Clerk", 21.', show_default=False, metavar="VALUE"
        ),
    ],
) -> None:
    """Keep a setting in the config file (written atomically, readable by you only).

    Example: casey config set borough islington
    """
    import os

    from casey_cli.config import check_value, key, write_setting

    app = app_context(ctx)
    spec = key(name)
    checked = check_value(spec.name, value)
    if spec.name == "borough":
        checked = _known_borough(app, checked)
    path = write_setting(spec.name, checked, app.config.path)
    output.info(f"Set {spec.name} = {_shown(spec.name, checked)} in {path}.")
    if os.environ.get(spec.env, "").strip():
        output.info(f"Note: {spec.env} is set in your environment and wins over the config file.")


@app.command("unset")
@errors_as_one_line
def unset(ctx: typer.Context, name: KeyArg) -> None:
    """Remove a setting from the config file, so the default applies again.

    Example: casey config unset borough
    """
    from casey_cli.config import KEYS, flat, key, read_toml, write_setting

    app = app_context(ctx)
    path = app.config.path
    table = flat(read_toml(path)[0])
    # A key the file has is removed even if unknown: that is how a typo is repaired.
    name = name.strip() if name.strip() in table else key(name).name
    if name not in table:
        output.info(f"{name} is not set in {path}; nothing changed.")
        return
    write_setting(name, None, path)
    default = KEYS[name].default() if name in KEYS else None
    output.info(
        f"Removed {name} from {path}"
        + (f"; the default is {default}." if default is not None else ".")
    )


def _known_borough(app: AppContext, slug: str) -> str:
    """A borough the store knows, when there is a store to ask; creating, upgrading or
    waiting on one just to check a setting would surprise, so without one (missing, older,
    unreachable) the slug's shape is all that is checked."""
    from casey_cli.store.connection import open_current

    store = open_current(app.db_url, older=True)  # an older store's boroughs, as they are
    if store is None:
        return slug
    try:
        with store.read() as tx:
            return tx.borough_slug(slug)
    finally:
        store.close()
