"""Meetings at which actions and updates are agreed."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from casey_cli.dates import to_iso
from casey_cli.errors import InvalidInput
from casey_cli.models import Meeting
from casey_cli.schemas import Row
from casey_cli.services.common import check_borough, new_id, text_or_none

MEETING_COLUMNS = ("ref", "name", "date", "borough", "citation")


def _row(m: Meeting) -> Row:
    return Row(MEETING_COLUMNS, {"ref": m.ref, "name": m.name, "date": to_iso(m.date),
                                 "borough": m.borough, "citation": m.citation})


def add(session: Session, *, name: str, day: date, borough: str | None = None,
        citation: str | None = None) -> Row:
    clean = text_or_none(name)
    if clean is None:
        raise InvalidInput("the meeting name is empty; give NAME", field="name")
    slug = check_borough(session, borough) if borough else None
    existing = session.exec(
        select(Meeting).where(Meeting.name == clean, Meeting.date == day)).first()
    if existing is not None:
        raise InvalidInput(f"meeting '{clean}' on {day.isoformat()} already exists as "
                           f"{existing.ref}; cite it with --meeting {existing.ref}")
    meeting = Meeting(id=new_id(session, Meeting), name=clean, date=day, borough=slug,
                      citation=text_or_none(citation))
    session.add(meeting)
    session.flush()
    return _row(meeting)


def query(session: Session, *, borough: str | None = None) -> list[Row]:
    stmt = select(Meeting).order_by(col(Meeting.date), col(Meeting.id))
    if borough:
        stmt = stmt.where(Meeting.borough == check_borough(session, borough))
    return [_row(m) for m in session.exec(stmt).all()]
