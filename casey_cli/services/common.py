"""Shared pieces of the services: lookups with 'did you mean', item building, history."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from casey_cli import lookup
from casey_cli.config import Ctx as Ctx  # re-exported for the services
from casey_cli.dates import to_iso
from casey_cli.enums import FORCE_WIDE
from casey_cli.errors import InvalidInput, NotFound
from casey_cli.lookup import MeetingRef
from casey_cli.models import Action, HistoryEvent, Meeting, Recommendation, Source
from casey_cli.queries import SQLAlchemyReader, make_item
from casey_cli.schemas import Event, Item
from casey_cli.text import clean_text
from casey_cli.writes import SQLAlchemyWriter, append_event, next_id

_ACTION_REF = re.compile(r"^[Aa]?([0-9]{1,9})$")


def ref_sort_key(ref: str) -> tuple[str, int, str]:
    """A2 before A10, casey-2 before casey-10."""
    match = re.match(r"^(.*?)(\d+)$", ref)
    return (match.group(1), int(match.group(2)), ref) if match else (ref, -1, ref)


def item_sort_key(item: Item) -> tuple[bool, str, tuple[str, int, str]]:
    """SPEC order for scripts: by due date (undated last), then ref."""
    return (item.due is None, item.due or "", ref_sort_key(item.ref))


def is_action_ref(ref: str) -> bool:
    return _ACTION_REF.match(ref.strip()) is not None


def parse_action_id(ref: str) -> int:
    match = _ACTION_REF.match(ref.strip())
    if not match:
        raise InvalidInput(f"'{ref}' is not an action ref; use A<number> such as A14 (or 14)")
    return int(match.group(1))


def get_action(session: Session, ref: str) -> Action:
    number = parse_action_id(ref)
    action = session.get(Action, number)
    if action is None:
        raise NotFound(f"no action A{number}; see `casey action list`")
    return action


def get_recommendation(session: Session, ref: str) -> Recommendation:
    """The recommendation, found (or refused with a suggestion) by the plain-SQL look-up."""
    key, _ = lookup.recommendation(SQLAlchemyReader(session.connection()), ref)
    rec = session.get(Recommendation, key)
    assert rec is not None  # the look-up just found it in this transaction
    return rec


def new_id(session: Session, model: Any) -> int:
    """An explicit id for a new row (see writes.next_id)."""
    session.flush()  # rows added earlier in this transaction count
    return next_id(SQLAlchemyWriter(session.connection()), model.__tablename__)


def check_borough(session: Session, slug: str) -> str:
    return lookup.borough_slug(SQLAlchemyReader(session.connection()), slug)


def get_meeting(session: Session, ref: str) -> MeetingRef:
    """A meeting by ref, by 'NAME (YYYY-MM-DD)', or by a name only one meeting has."""
    return lookup.meeting(SQLAlchemyReader(session.connection()), ref)


def text_or_none(value: str | None, field: str | None = None) -> str | None:
    return clean_text(value, field)


def action_item(action: Action, source: str | None, ctx: Ctx) -> Item:
    return make_item(
        ref=action.ref, kind="action", borough=action.borough, source=source,
        recommendation=action.recommendation, title=action.title, owner=action.owner,
        status=action.status, due=action.due, original_due=action.original_due,
        progress=action.progress, slips=action.slips, assurance=action.assurance,
        created=action.created, updated=action.updated, completed=action.completed,
        today=ctx.today, window=ctx.window,
    )


def rec_item(rec: Recommendation, borough: str | None, ctx: Ctx) -> Item:
    return make_item(
        ref=rec.ref, kind="recommendation", borough=borough or FORCE_WIDE, source=rec.source,
        recommendation=None, title=rec.title, owner=rec.owner, status=rec.status,
        due=rec.due, original_due=rec.original_due, progress=rec.progress, slips=rec.slips,
        assurance=None, created=rec.created, updated=rec.updated, completed=rec.completed,
        today=ctx.today, window=ctx.window,
    )


def source_of_action(session: Session, action: Action) -> str | None:
    if action.recommendation is None:
        return None
    rec = session.get(Recommendation, action.recommendation)
    return rec.source if rec else None


def borough_of_rec(session: Session, rec: Recommendation) -> str:
    source = session.get(Source, rec.source)
    return (source.borough if source else None) or FORCE_WIDE


def record(
    session: Session, *, by: str, kind: str, ref: str, borough: str | None, field: str,
    old: Any = None, new: Any = None, note: str | None = None,
    meeting: MeetingRef | None = None,
) -> None:
    """Append one history event (through the chain's one writer, in this transaction)."""
    append_event(SQLAlchemyWriter(session.connection()), session.info, by=by, kind=kind,
                 ref=ref, borough=borough, field=field, old=old, new=new, note=note,
                 meeting_id=meeting.id if meeting else None)


def event_from_row(event: HistoryEvent, meeting: Meeting | None) -> Event:
    return Event(
        id=event.id or 0, at=to_iso(event.at) or "", by=event.by, kind=event.kind,
        ref=event.ref, field=event.field, old=event.old, new=event.new, note=event.note,
        meeting=f"{meeting.ref} {meeting.name} ({meeting.date})" if meeting else None,
    )


def events_for(session: Session, ref: str) -> list[Event]:
    rows = session.exec(
        select(HistoryEvent, Meeting).join(Meeting, isouter=True)
        .where(HistoryEvent.ref == ref).order_by(col(HistoryEvent.id))
    ).all()
    return [event_from_row(e, m) for e, m in rows]
