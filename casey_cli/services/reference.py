"""`casey source list|show` and `casey borough list`: the reference data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casey_cli.enums import CLOSED_STATUSES
from casey_cli.schemas import Row

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

SOURCE_COLUMNS = (
    "code",
    "title",
    "publisher",
    "published",
    "borough",
    "recommendations",
    "url",
    "notes",
    "citation",
    "limits",
)
BOROUGH_COLUMNS = ("slug", "name", "gss", "bcu", "open_actions")


_SOURCE_SQL = (
    "SELECT code, title, publisher, published, borough, url, notes, citation, limits FROM sources"
)


def source(tx: Tx, code: str) -> Row:
    """One source by its code (any case), or NotFound with a did-you-mean."""
    from casey_cli.store.lookup import known

    found = known(tx, "sources", "code", code, "source", "casey source list")
    return next(r for r in sources(tx) if r.values["code"] == found)


def sources(tx: Tx) -> list[Row]:
    counts = dict(tx.all("SELECT source, count(*) FROM recommendations GROUP BY source"))
    rows = tx.all(_SOURCE_SQL)
    return [
        Row(
            SOURCE_COLUMNS,
            {
                "code": r[0],
                "title": r[1],
                "publisher": r[2],
                "published": str(r[3])[:10] if r[3] is not None else None,
                "borough": r[4],
                "recommendations": counts.get(r[0], 0),
                "url": r[5],
                "notes": r[6],
                "citation": r[7],
                "limits": r[8],
            },
        )
        # Sorted here, not by the server: byte order on every backend and collation.
        for r in sorted(rows, key=lambda r: str(r[0]))
    ]


def boroughs(tx: Tx) -> list[Row]:
    closed = ", ".join(f"'{status}'" for status in CLOSED_STATUSES)
    counts = dict(
        tx.all(
            f"SELECT borough, count(*) FROM actions WHERE status NOT IN ({closed}) GROUP BY borough"
        )
    )
    rows = sorted(tx.all("SELECT slug, name, gss, bcu FROM boroughs"), key=lambda r: str(r[0]))
    return [
        Row(
            BOROUGH_COLUMNS,
            {
                "slug": r[0],
                "name": r[1],
                "gss": r[2],
                "bcu": r[3],
                "open_actions": counts.get(r[0], 0),
            },
        )
        for r in rows
    ]
