"""CaseyError -> one 'Error: ...' line on stderr and its exit code; nothing else is caught."""

from __future__ import annotations

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


def handled(func: F) -> F:
    """Map domain errors to their one-line message and exit code (SPEC exit codes)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseyError as exc:
            raise fail(str(exc), exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
