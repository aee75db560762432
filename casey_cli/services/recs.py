"""Recommendations: list, show (with their actions per borough), update."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from casey_cli import rules
from casey_cli.errors import InvalidInput
from casey_cli.models import Action
from casey_cli.schemas import Item, ItemDetail
from casey_cli.services import changes as ch
from casey_cli.services.common import (
    Ctx,
    action_item,
    borough_of_rec,
    events_for,
    get_meeting,
    get_recommendation,
    item_sort_key,
    rec_item,
    text_or_none,
)


def show(session: Session, ctx: Ctx, ref: str) -> ItemDetail:
    rec = get_recommendation(session, ref)
    actions = session.exec(select(Action).where(Action.recommendation == rec.ref)).all()
    details = {"number": rec.number, "summary": rec.summary, "theme": rec.theme,
               "addressed_to": rec.addressed_to, "response": rec.response,
               "citation": rec.citation}
    return ItemDetail(
        rec_item(rec, borough_of_rec(session, rec), ctx), details, events_for(session, rec.ref),
        sorted((action_item(a, rec.source, ctx) for a in actions),
               key=lambda i: (i.borough or "", item_sort_key(i))),
    )


def update(
    session: Session, ctx: Ctx, ref: str, *, title: str | None = None, owner: str | None = None,
    status: str | None = None, response: str | None = None, progress: int | None = None,
    due: date | None = None, reason: str | None = None, note: str | None = None,
    meeting: str | None = None,
) -> tuple[Item, bool]:
    """Change the fields given; returns the item and whether anything changed."""
    rec = get_recommendation(session, ref)
    borough = borough_of_rec(session, rec)
    changes: dict[str, Any] = {}
    if title is not None:
        if text_or_none(title) is None:
            raise InvalidInput("the title is empty; give --title TEXT", field="title")
        changes["title"] = text_or_none(title)
    if owner is not None:
        changes["owner"] = text_or_none(owner)
    if status is not None:
        changes["status"] = rules.normalise_status(status)
    if response is not None:
        changes["response"] = rules.normalise_response(response)
    if progress is not None:
        changes["progress"] = rules.check_progress(progress)
    if not changes and due is None and not text_or_none(note):
        raise InvalidInput("nothing to change; give at least one of --title, --owner, --status, "
                           "--response, --progress, --due or --note")
    mtg = get_meeting(session, meeting) if meeting else None
    changed: list[str] = []
    if changes or (note and due is None):
        changed = ch.apply_changes(session, rec, kind="recommendation", ref=rec.ref,
                                   borough=borough, changes=changes, ctx=ctx,
                                   note=text_or_none(note), meeting=mtg)
    if due is not None:  # a reschedule always changes the date, or refuses
        ch.reschedule(session, rec, kind="recommendation", ref=rec.ref, borough=borough,
                      due=due, reason=reason or note, ctx=ctx, meeting=mtg)
    return rec_item(rec, borough, ctx), bool(changed) or due is not None
