"""User text as the store keeps it: trimmed, no control characters, valid UTF-8."""

from __future__ import annotations

import re

from casey_cli.errors import InvalidInput

# Terminal escapes and NULs would reach people's terminals and break a reload of an export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, field: str | None = None) -> str | None:
    """Trimmed text, None when empty; InvalidInput for control characters or bad Unicode."""
    text = (value or "").strip()
    if _CONTROL.search(text):
        raise InvalidInput(
            "contains a control character (such as NUL or ESC); remove it", field=field
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "contains an invalid character (a lone surrogate); fix the text", field=field
        ) from None
    return text or None


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 item`, `2 items`: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def nothing_recorded(borough: str | None) -> str:
    """What a status says for a scope with no items at all, rather than "no gaps"."""
    where = f" --borough {borough}" if borough else ""
    name = scope_name(borough)
    return (
        f"Nothing is recorded for {name}: add its actions with `casey action add{where}`, "
        "or bring in its tracker with `casey load FILE`."
    )


def scope_name(borough: str | None) -> str:
    """A borough's slug as people read it (`kensington-and-chelsea` is Kensington And
    Chelsea), or All London for no borough."""
    return borough.replace("-", " ").title() if borough else "All London"
