"""Shell completion from the store: borough slugs, refs, owners, sources, statuses.

Each callback reads a current SQLite store through the stdlib driver (the reader's fast
path), or a PostgreSQL store through psycopg alone, and nothing heavier (no SQLAlchemy); a
missing or unreachable store, another backend, or a broken config file gives no suggestions
and never an error: a completion must not create a store or print."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

LIMIT = 200  # suggestions a shell can show usefully; refs are many on a large register
# Values only, no help text: Typer renders help for zsh and fish through typer.rich_utils,
# which imports rich.markdown (~80 ms), and a completion must feel instant.
Suggestion = str
PG_TIMEOUT_S = 2
# An open connection, its parameter style and its driver's errors.
Opened = tuple[Any, str, tuple[type[Exception], ...]]


@contextmanager
def _store(ctx: typer.Context) -> Iterator[Opened]:
    """A read transaction on the store the command would use, its parameter style (`named`
    for sqlite3, `pyformat` for psycopg) and its driver's errors; or (None, "", ())."""
    from casey_cli.config import Config, db_url
    from casey_cli.errors import CaseyError

    try:
        url = db_url(str(Config().value("db", ctx.find_root().params.get("db"))))
    except (CaseyError, OSError):
        url = ""
    opened = _open_postgresql(url) if url.startswith("postgresql+psycopg://") \
        else _open_sqlite(url) if url else None
    conn, style, errors = opened or (None, "", ())
    try:
        yield conn, style, errors
    finally:
        if conn is not None:
            conn.rollback()
            conn.close()


def _open_sqlite(url: str) -> Opened | None:
    """The stdlib driver on a current SQLite store (none for another backend)."""
    import sqlite3

    from casey_cli.cli.context import _open_current_sqlite
    from casey_cli.config import sqlite_file
    from casey_cli.errors import CaseyError

    path = sqlite_file(url)
    try:
        return (_open_current_sqlite(path), "named", (sqlite3.Error,)) if path else None
    except (CaseyError, OSError, sqlite3.Error):
        return None


def _open_postgresql(url: str) -> Opened | None:
    """psycopg alone (no SQLAlchemy), read-only, with a short connect timeout: an
    unreachable server must not hang the shell. Imported only for a PostgreSQL store."""
    try:
        import psycopg
    except ImportError:  # the postgres extra is not installed
        return None
    try:
        conn = psycopg.connect(url.replace("+psycopg", "", 1), connect_timeout=PG_TIMEOUT_S)
    except psycopg.Error:
        return None
    conn.read_only = True
    return conn, "pyformat", (psycopg.Error,)


def _query(ctx: typer.Context, sql: str, incomplete: str) -> list[Suggestion]:
    """The values `sql` selects, filtering on :p (the prefix typed; matched case-sensitively,
    as Typer then keeps only values that start with it)."""
    import re

    with _store(ctx) as (conn, style, errors):
        if conn is None:
            return []
        if style == "pyformat":
            sql = re.sub(r":(\w+)", r"%(\1)s", sql)
        try:
            rows = conn.execute(sql, {"p": incomplete, "n": LIMIT}).fetchall()
        except errors:  # an older schema, a server gone: no suggestions
            return []
    return [str(row[0]) for row in rows]


def _starts(column: str) -> str:
    # substr, not LIKE: a typed % or _ is a character, not a wildcard
    return f"substr({column}, 1, length(:p)) = :p"


def boroughs(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(ctx, f"SELECT slug FROM boroughs WHERE {_starts('slug')} "
                       "ORDER BY slug LIMIT :n", incomplete)


def sources(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(ctx, f"SELECT code FROM sources WHERE {_starts('code')} "
                       "ORDER BY code LIMIT :n", incomplete)


def recommendations(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(ctx, f"SELECT ref FROM recommendations WHERE {_starts('ref')} "
                       "ORDER BY source, number LIMIT :n", incomplete)


def actions(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    """A14 for 'A1', 14 for '1' (commands take both); numeric order, so A2 before A10."""
    letter, digits = incomplete[:1] or "A", incomplete[1:]
    if letter.isdigit():
        letter, digits = "", incomplete
    if letter not in ("", "A") or digits and not digits.isdigit():
        return []
    return _query(ctx, f"SELECT '{letter}' || id FROM actions WHERE "
                       "substr(CAST(id AS TEXT), 1, length(:p)) = :p ORDER BY id LIMIT :n",
                  digits)


def items(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    """An action or a recommendation ref (history)."""
    if incomplete[:1].isdigit() or incomplete[:1] == "A":
        return actions(ctx, incomplete)
    return recommendations(ctx, incomplete) + (actions(ctx, "") if not incomplete else [])


def owners(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(ctx, "SELECT owner FROM (SELECT owner FROM actions UNION "
                       "SELECT owner FROM recommendations) AS o WHERE owner IS NOT NULL AND "
                       f"{_starts('owner')} ORDER BY owner LIMIT :n", incomplete)


def statuses(incomplete: str) -> list[Suggestion]:
    from casey_cli.enums import Status

    return [s.value for s in Status if s.value.startswith(incomplete)]
