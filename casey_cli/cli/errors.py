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
    return typer.Exit(code)


def _store_failure(exc: Exception) -> str | None:
    """A store that stopped answering, or stayed locked by another writer past the timeout,
    mid-command: the transaction was rolled back, so say so in one line (no traceback)."""
    sa = sys.modules.get("sqlalchemy")  # only loaded if the command used the engine
    if sa is None or not isinstance(exc, sa.exc.OperationalError):
        return None
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 and isinstance(exc.orig, sqlite3.Error) and not any(
            word in str(exc.orig) for word in ("locked", "busy", "disk I/O", "unable to open")):
        return None  # SQLite files "no such column" under OperationalError too: a bug, shown
    return (f"the store did not complete the command ({exc.orig}); nothing was written; try "
            "again, and if it persists check the server or who holds the store")


def handled(func: F) -> F:
    """Map domain errors to their one-line message and exit code (SPEC exit codes)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseyError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except Exception as exc:
            message = _store_failure(exc)
            if message is None:
                raise
            raise fail(message) from None

    return wrapper  # type: ignore[return-value]
