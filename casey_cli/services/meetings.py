"""`casey meeting ...`: meetings at which actions and updates are agreed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casey_cli.errors import InvalidInput
from casey_cli.schemas import Row
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

MEETING_COLUMNS = ("ref", "name", "date", "borough", "citation")
_SELECT = "SELECT id, name, date, borough, citation FROM meetings"


def _row(r: tuple[object, ...]) -> Row:
    return Row(
        MEETING_COLUMNS,
        {
            "ref": f"M{r[0]}",
            "name": r[1],
            "date": str(r[2])[:10],
            "borough": r[3],
            "citation": r[4],
        },
    )


def add(
    tx: Tx, *, name: str, day: date, borough: str | None = None, citation: str | None = None
) -> Row:
    clean = clean_text(name)
    if clean is None:
        raise InvalidInput("the meeting name is empty; give NAME", field="name")
    slug = tx.borough_slug(borough) if borough else None
    existing = tx.scalar(
        "SELECT id FROM meetings WHERE name = :name AND date = :day",
        {"name": clean, "day": tx.day(day)},
    )
    if existing is not None:
        raise InvalidInput(
            f"meeting '{clean}' on {day.isoformat()} already exists as "
            f"M{existing}; cite it with --meeting M{existing}"
        )
    number = tx.next_id("meetings")
    tx.insert_rows(
        "meetings",
        ("id", "name", "date", "borough", "citation"),
        [(number, clean, tx.day(day), slug, clean_text(citation))],
    )
    return _row((number, clean, day.isoformat(), slug, clean_text(citation)))


def query(tx: Tx, *, borough: str | None = None) -> list[Row]:
    if borough:
        return [
            _row(tuple(r))
            for r in tx.all(
                _SELECT + " WHERE borough = :b ORDER BY date, id", {"b": tx.borough_slug(borough)}
            )
        ]
    return [_row(tuple(r)) for r in tx.all(_SELECT + " ORDER BY date, id")]
