"""Checks of filter values on the read path (no SQLAlchemy): unknown names get a suggestion."""

from __future__ import annotations

from collections.abc import Sequence

from casey_cli import rules
from casey_cli.errors import NotFound, did_you_mean
from casey_cli.queries import Filters, Reader, exists, names


def _known(reader: Reader, table: str, column: str, value: str, what: str, hint: str) -> str:
    key = value.strip().lower()
    if not exists(reader, table, column, key):
        choices = names(reader, table, column)
        raise NotFound(f"unknown {what} '{value}'{did_you_mean(key, choices)}; see `{hint}`")
    return key


def filters(reader: Reader, *, borough: str | None = None, owner: str | None = None,
            statuses: Sequence[str] = (), source: str | None = None,
            recommendation: str | None = None, theme: str | None = None,
            **rest: object) -> Filters:
    """Filters with every named borough, source, recommendation and theme checked."""
    if theme:
        theme = _known(reader, "recommendations", "theme", theme, "theme", "casey rec list")
    return Filters(
        borough=_known(reader, "boroughs", "slug", borough, "borough", "casey borough list")
        if borough else None,
        owner=owner or None,
        statuses=tuple(rules.normalise_status(s) for s in statuses),
        source=_known(reader, "sources", "code", source, "source", "casey source list")
        if source else None,
        recommendation=_known(reader, "recommendations", "ref", recommendation,
                              "recommendation", "casey rec list") if recommendation else None,
        theme=theme,
        **rest,  # type: ignore[arg-type]
    )
