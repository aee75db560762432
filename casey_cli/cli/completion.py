"""Shell completion from the store: borough slugs, refs, owners, sources, statuses.

Each callback reads through the store interface every command uses (store.connection's
Store, with no more than its driver: sqlite3, or psycopg with a short connect timeout); a
missing, older or unreachable store, or a broken config file gives no suggestions and never
an error: a completion must not create a store or print."""

import typer

LIMIT = 200  # suggestions a shell can show usefully; refs are many on a large register
# Values only, no help text: Typer renders help for zsh and fish through typer.rich_utils,
# which imports rich.markdown (~80 ms), and a completion must feel instant.
Suggestion = str
PG_TIMEOUT_S = 2


def _query(ctx: typer.Context, sql: str, incomplete: str) -> list[Suggestion]:
    """The values `sql` selects, filtering on :p (the prefix typed; matched case-sensitively,
    as Typer then keeps only values that start with it)."""
    from casey_cli.config import Config, db_url
    from casey_cli.errors import CaseyError
    from casey_cli.store.connection import open_current

    try:
        url = db_url(str(Config().value("db", ctx.find_root().params.get("db"))))
    except (CaseyError, OSError):
        return []
    store = open_current(url, connect_timeout=PG_TIMEOUT_S)
    if store is None:
        return []
    try:
        with store.read() as tx:
            rows = tx.all(sql, {"p": incomplete, "n": LIMIT})
    except store.errors:  # an older schema, a server gone: no suggestions
        return []
    except CaseyError:  # a damaged store (the store says so in its words): none either
        return []
    finally:
        store.close()
    return [str(row[0]) for row in rows]


def _starts(column: str) -> str:
    # substr, not LIKE: a typed % or _ is a character, not a wildcard
    return f"substr({column}, 1, length(:p)) = :p"


def boroughs(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(
        ctx, f"SELECT slug FROM boroughs WHERE {_starts('slug')} ORDER BY slug LIMIT :n", incomplete
    )


def sources(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(
        ctx, f"SELECT code FROM sources WHERE {_starts('code')} ORDER BY code LIMIT :n", incomplete
    )


def recommendations(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(
        ctx,
        f"SELECT ref FROM recommendations WHERE {_starts('ref')} ORDER BY source, number LIMIT :n",
        incomplete,
    )


def actions(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    """A14 for 'A1', 14 for '1' (commands take both); numeric order, so A2 before A10."""
    letter, digits = incomplete[:1] or "A", incomplete[1:]
    if letter.isdigit():
        letter, digits = "", incomplete
    if letter not in ("", "A") or digits and not digits.isdigit():
        return []
    return _query(
        ctx,
        f"SELECT '{letter}' || id FROM actions WHERE "
        "substr(CAST(id AS TEXT), 1, length(:p)) = :p ORDER BY id LIMIT :n",
        digits,
    )


def items(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    """An action or a recommendation ref (history)."""
    if incomplete[:1].isdigit() or incomplete[:1] == "A":
        return actions(ctx, incomplete)
    return recommendations(ctx, incomplete) + (actions(ctx, "") if not incomplete else [])


def owners(ctx: typer.Context, incomplete: str) -> list[Suggestion]:
    return _query(
        ctx,
        "SELECT owner FROM (SELECT owner FROM actions UNION "
        "SELECT owner FROM recommendations) AS o WHERE owner IS NOT NULL AND "
        f"{_starts('owner')} ORDER BY owner LIMIT :n",
        incomplete,
    )


def statuses(incomplete: str) -> list[Suggestion]:
    from casey_cli.enums import Status

    return [s.value for s in Status if s.value.startswith(incomplete)]


def rags(incomplete: str) -> list[Suggestion]:
    from casey_cli.enums import RAG_ORDER

    return [r for r in (*RAG_ORDER, "none") if r.startswith(incomplete)]
