"""Actions: add, update, done, verify, reschedule, show, list."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from casey_cli import rules
from casey_cli.dates import to_iso
from casey_cli.enums import Status
from casey_cli.errors import InvalidInput
from casey_cli.models import Recommendation
from casey_cli.schemas import Item, ItemDetail
from casey_cli.services import changes as ch
from casey_cli.services.common import (
    Ctx,
    action_item,
    events_for,
    get_action,
    get_meeting,
    get_recommendation,
    source_of_action,
    text_or_none,
)


def _append(old: str | None, extra: str | None) -> str | None:
    """Evidence accumulates: a new piece is added on its own line, never replaces the old."""
    extra = text_or_none(extra)
    if extra is None:
        return old
    return f"{old}\n{extra}" if old else extra


def update(
    session: Session, ctx: Ctx, ref: str, *, title: str | None = None, owner: str | None = None,
    status: str | None = None, progress: int | None = None, evidence: str | None = None,
    recommendation: str | None = None, note: str | None = None, meeting: str | None = None,
) -> tuple[Item, bool]:
    """Change the fields given; returns the item and whether anything changed."""
    action = get_action(session, ref)
    changes: dict[str, Any] = {}
    if title is not None:
        if text_or_none(title) is None:
            raise InvalidInput("the title is empty; give --title TEXT", field="title")
        changes["title"] = text_or_none(title)
    if owner is not None:
        changes["owner"] = text_or_none(owner)
    if status is not None:
        changes["status"] = rules.normalise_status(status)
    if progress is not None:
        changes["progress"] = rules.check_progress(progress)
    if evidence is not None:
        changes["evidence"] = _append(action.evidence, evidence)
    if recommendation is not None:
        changes["recommendation"] = (get_recommendation(session, recommendation).ref
                                     if recommendation.strip() else None)
    if not changes and not text_or_none(note):
        raise InvalidInput("nothing to change; give at least one of --title, --owner, --status, "
                           "--progress, --evidence, --recommendation or --note")
    mtg = get_meeting(session, meeting) if meeting else None
    changed = ch.apply_changes(session, action, kind="action", ref=action.ref,
                               borough=action.borough,
                               changes=changes, ctx=ctx, note=text_or_none(note), meeting=mtg)
    return action_item(action, source_of_action(session, action), ctx), bool(changed)


def done(
    session: Session, ctx: Ctx, ref: str, *, evidence: str | None = None,
    note: str | None = None, meeting: str | None = None,
) -> Item:
    action = get_action(session, ref)
    if action.status == Status.COMPLETE.value:
        when = f" (on {to_iso(action.completed)})" if action.completed else ""
        raise InvalidInput(f"{action.ref} is already complete{when}; "
                           f"see `casey action show {action.ref}`")
    mtg = get_meeting(session, meeting) if meeting else None
    ch.apply_changes(
        session, action, kind="action", ref=action.ref, borough=action.borough,
        changes={"status": Status.COMPLETE.value, "completed": ctx.today,
                 "evidence": _append(action.evidence, evidence)},
        ctx=ctx, note=text_or_none(note), meeting=mtg,
    )
    return action_item(action, source_of_action(session, action), ctx)


def verify(
    session: Session, ctx: Ctx, ref: str, *, evidence: str | None = None,
    note: str | None = None, meeting: str | None = None,
) -> Item:
    action = get_action(session, ref)
    if action.status != Status.COMPLETE.value:
        raise InvalidInput(f"{action.ref} is {action.status}, not complete; only a completed "
                           f"action can be verified (`casey action done {action.ref}` first)")
    if action.assurance == "verified":
        raise InvalidInput(f"{action.ref} was already verified by {action.verified_by} on "
                           f"{to_iso(action.verified_on)}")
    if action.owner and action.owner.strip().lower() == ctx.user.strip().lower():
        raise InvalidInput(f"{ctx.user} owns {action.ref}; verification must come from someone "
                           "else: give --by with the verifier's name")
    mtg = get_meeting(session, meeting) if meeting else None
    ch.apply_changes(
        session, action, kind="action", ref=action.ref, borough=action.borough,
        changes={"assurance": "verified", "verified_by": ctx.user, "verified_on": ctx.today,
                 "verification_evidence": text_or_none(evidence)},
        ctx=ctx, note=text_or_none(note), meeting=mtg,
    )
    return action_item(action, source_of_action(session, action), ctx)


def reschedule(
    session: Session, ctx: Ctx, ref: str, *, due: date, reason: str | None,
    meeting: str | None = None,
) -> Item:
    action = get_action(session, ref)
    mtg = get_meeting(session, meeting) if meeting else None
    ch.reschedule(session, action, kind="action", ref=action.ref, borough=action.borough,
                  due=due, reason=reason, ctx=ctx, meeting=mtg)
    return action_item(action, source_of_action(session, action), ctx)


def show(session: Session, ctx: Ctx, ref: str) -> ItemDetail:
    action = get_action(session, ref)
    rec = session.get(Recommendation, action.recommendation) if action.recommendation else None
    details = {
        "recommendation_title": rec.title if rec else None,
        "evidence": action.evidence,
        "citation": action.citation,
        "verified_by": action.verified_by,
        "verified_on": to_iso(action.verified_on),
        "verification_evidence": action.verification_evidence,
    }
    return ItemDetail(action_item(action, rec.source if rec else None, ctx), details,
                      events_for(session, action.ref))
