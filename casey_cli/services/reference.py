"""Reference data: sources and boroughs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from casey_cli.dates import to_iso
from casey_cli.enums import CLOSED_STATUSES
from casey_cli.models import Action, Borough, Recommendation, Source
from casey_cli.schemas import Row

SOURCE_COLUMNS = ("code", "title", "publisher", "published", "borough", "recommendations",
                  "url", "notes", "citation")
BOROUGH_COLUMNS = ("slug", "name", "gss", "bcu", "open_actions")


def sources(session: Session) -> list[Row]:
    counts = dict(session.exec(
        select(Recommendation.source, sa.func.count()).group_by(Recommendation.source)
    ).all())
    return [
        Row(SOURCE_COLUMNS, {
            "code": s.code, "title": s.title, "publisher": s.publisher,
            "published": to_iso(s.published), "borough": s.borough,
            "recommendations": counts.get(s.code, 0), "url": s.url, "notes": s.notes,
            "citation": s.citation,
        })
        # Sorted here, not by the server: byte order on every backend and collation.
        for s in sorted(session.exec(select(Source)).all(), key=lambda s: s.code)
    ]


def boroughs(session: Session) -> list[Row]:
    counts = dict(session.exec(
        select(Action.borough, sa.func.count()).where(col(Action.status).not_in(CLOSED_STATUSES))
        .group_by(Action.borough)
    ).all())
    rows = sorted(session.exec(select(Borough)).all(), key=lambda b: b.slug)
    return [Row(BOROUGH_COLUMNS, {"slug": b.slug, "name": b.name, "gss": b.gss, "bcu": b.bcu,
                                  "open_actions": counts.get(b.slug, 0)}) for b in rows]
