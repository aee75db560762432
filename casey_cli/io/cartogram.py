"""The London overview's square-grid cartogram: where each of the 33 London authorities (the
32 boroughs and the City of London) sits, and the worst RAG a square is coloured by.

The positions are those of the `gb_london_boroughs_grid` of the R package geofacet (Ryan
Hafen; data-raw/grids.R, keyed by ONS GSS code, 8 columns by 7 rows), a square grid in
common use for London data; the three-letter abbreviations are this site's own, not an
official code. Keyed here by the borough slugs of the bundled register (GSS E09000001 to
E09000033)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# slug: (row, column, abbreviation, name), rows from the north, columns from the west.
GRID: dict[str, tuple[int, int, str, str]] = {
    "city-of-london": (4, 5, "CTY", "City of London"),
    "barking-and-dagenham": (4, 8, "BDG", "Barking and Dagenham"),
    "barnet": (2, 4, "BNT", "Barnet"),
    "bexley": (5, 8, "BXL", "Bexley"),
    "brent": (3, 3, "BRT", "Brent"),
    "bromley": (6, 6, "BRM", "Bromley"),
    "camden": (3, 4, "CMD", "Camden"),
    "croydon": (6, 5, "CRY", "Croydon"),
    "ealing": (3, 2, "EAL", "Ealing"),
    "enfield": (1, 5, "ENF", "Enfield"),
    "greenwich": (5, 7, "GRN", "Greenwich"),
    "hackney": (3, 6, "HCK", "Hackney"),
    "hammersmith-and-fulham": (4, 2, "HMF", "Hammersmith and Fulham"),
    "haringey": (2, 5, "HGY", "Haringey"),
    "harrow": (2, 3, "HRW", "Harrow"),
    "havering": (3, 8, "HVG", "Havering"),
    "hillingdon": (3, 1, "HDN", "Hillingdon"),
    "hounslow": (4, 1, "HNS", "Hounslow"),
    "islington": (3, 5, "ISL", "Islington"),
    "kensington-and-chelsea": (4, 3, "KNC", "Kensington and Chelsea"),
    "kingston-upon-thames": (5, 2, "KTN", "Kingston upon Thames"),
    "lambeth": (5, 4, "LBH", "Lambeth"),
    "lewisham": (5, 6, "LSH", "Lewisham"),
    "merton": (6, 4, "MRT", "Merton"),
    "newham": (4, 7, "NWM", "Newham"),
    "redbridge": (3, 7, "RDB", "Redbridge"),
    "richmond-upon-thames": (6, 3, "RCH", "Richmond upon Thames"),
    "southwark": (5, 5, "SWK", "Southwark"),
    "sutton": (7, 4, "STN", "Sutton"),
    "tower-hamlets": (4, 6, "TWH", "Tower Hamlets"),
    "waltham-forest": (2, 6, "WFT", "Waltham Forest"),
    "wandsworth": (5, 3, "WND", "Wandsworth"),
    "westminster": (4, 4, "WSM", "Westminster"),
}
COLUMNS = max(c for _, c, _, _ in GRID.values())
ROWS = max(r for r, _, _, _ in GRID.values())

# Worst first, for "a borough's worst RAG". Not RAG_ORDER (the order counts are listed in):
# grey (no due date, or dropped) says nothing is late, but neither that the work is done, so
# it ranks below green and above blue: a square is blue only when every item is complete.
WORST_FIRST = ("red", "amber", "green", "grey", "blue")
# What a square shows beside its abbreviation, so that no RAG is told by colour alone.
MARK = {"red": "R", "amber": "A", "green": "G", "grey": "Gy", "blue": "B"}


def worst_rag(by_rag: Mapping[str, int]) -> str | None:
    """The worst RAG with at least one item (WORST_FIRST), or None for no items."""
    return next((rag for rag in WORST_FIRST if by_rag.get(rag, 0)), None)


@dataclass(frozen=True)
class Square:
    slug: str
    name: str
    abbreviation: str
    row: int
    column: int
    state: str  # "rag": coloured by `rag`; "empty": no items; "unpublished": not on this site
    rag: str | None = None
    items: int = 0


def squares(
    counts: Mapping[str, tuple[str, Mapping[str, int]]], published: frozenset[str]
) -> list[Square]:
    """Every square of the grid, by name: `counts` gives each borough of the store its name
    and items by RAG; a borough whose pages are not `published` (another borough's, on a
    site of one) says so instead of a RAG."""
    out = []
    for slug, (row, column, abbreviation, name) in GRID.items():
        name, by_rag = counts.get(slug, (name, {}))
        if slug not in published:
            out.append(Square(slug, name, abbreviation, row, column, "unpublished"))
            continue
        rag = worst_rag(by_rag)
        total = sum(by_rag.values())
        state = "rag" if rag else "empty"
        out.append(Square(slug, name, abbreviation, row, column, state, rag, total))
    return sorted(out, key=lambda s: s.name)
