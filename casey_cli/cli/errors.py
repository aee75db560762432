"""CaseyError -> one 'Error: ...' line on stderr and its exit code; nothing else is caught."""

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from casey_cli.errors import CaseyError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    one_line = " ".join(message.split())  # a library's message may span lines
    sys.stderr.write(f"Error: {one_line}\n")
    sys.stderr.flush()
    return typer.Exit(code)


def _store_failure(exc: Exception) -> str | None:
    """A store that stopped answering, stayed locked by another writer past the timeout,
    refused a write or turned out damaged, mid-command (the store's own transactions say
    so themselves; this is for the engine's, which create, upgrade and copy): the
    transaction was rolled back, so say so in one line (no traceback)."""
    from casey_cli.store.connection import failure_kind, one_line

    sqlalchemy = sys.modules.get("sqlalchemy")  # loaded only to create, upgrade or copy
    if sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.DBAPIError):
        exc = exc.orig
    kind = failure_kind(exc)
    if kind == "read-only":
        return (
            f"the store is read-only for you ({one_line(exc)}); nothing was written; ask "
            "the store's owner to let you write to it (an upgrade is the owner's: "
            "`casey db upgrade`)"
        )
    if kind is not None:
        return (
            f"the store is damaged ({one_line(exc)}); nothing was written; run "
            "`casey db check`, then restore the store from a backup"
        )
    sqlite3 = sys.modules.get("sqlite3")
    psycopg = sys.modules.get("psycopg")
    if sqlite3 is not None and isinstance(exc, sqlite3.OperationalError):
        if not any(word in str(exc) for word in ("locked", "busy", "disk I/O", "unable to open")):
            return None  # SQLite files "no such column" as an OperationalError too: a bug
    elif psycopg is None or not isinstance(exc, psycopg.OperationalError):
        return None
    return (
        f"the store did not complete the command ({exc}); nothing was written; try "
        "again, and if it persists check the server or who holds the store"
    )


def errors_as_one_line(func: F) -> F:
    """Map domain errors to their one-line message and exit code (the contract's exit codes)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseyError as exc:
            *before, last = exc.said()
            for line in before:  # several problems: a line each, the count last
                sys.stderr.write(f"Error: {' '.join(line.split())}\n")
            raise fail(last, exc.exit_code) from None
        except Exception as exc:
            message = _store_failure(exc)
            if message is None:
                raise
            raise fail(message) from None

    return wrapper  # type: ignore[return-value]
