"""Field changes shared by actions and recommendations: one history event per changed field."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from casey_cli.enums import Status
from casey_cli.errors import InvalidInput
from casey_cli.lookup import MeetingRef
from casey_cli.models import Action, Recommendation, utcnow
from casey_cli.services.common import Ctx, record

Tracked = Action | Recommendation


def _status_side_effects(obj: Tracked, new_status: str, today: date) -> dict[str, Any]:
    """Fields that follow a status change: completion date, and assurance on reopening."""
    extra: dict[str, Any] = {}
    if new_status == Status.COMPLETE.value and obj.completed is None:
        extra["completed"] = today
    elif new_status != Status.COMPLETE.value and obj.completed is not None:
        extra["completed"] = None
        if isinstance(obj, Action) and obj.assurance != "unverified":
            extra.update(assurance="unverified", verified_by=None, verified_on=None,
                         verification_evidence=None)
    return extra


def apply_changes(
    session: Session, obj: Tracked, *, kind: str, ref: str, borough: str | None,
    changes: dict[str, Any], ctx: Ctx, note: str | None = None,
    meeting: MeetingRef | None = None, note_alone: bool = True,
) -> list[str]:
    """Set the fields that differ, record each in history; return the changed field names.
    With nothing changed, the note is recorded on its own unless `note_alone` is False."""
    if "status" in changes and changes["status"] != obj.status:
        changes = {**changes, **{k: v for k, v in
                                 _status_side_effects(obj, changes["status"], ctx.today).items()
                                 if k not in changes}}
    changed: list[str] = []
    for name, new in changes.items():
        old = getattr(obj, name)
        if old == new:
            continue
        setattr(obj, name, new)
        record(session, by=ctx.user, kind=kind, ref=ref, borough=borough, field=name,
               old=old, new=new, note=note, meeting=meeting)
        changed.append(name)
    if not changed and note and note_alone:
        record(session, by=ctx.user, kind=kind, ref=ref, borough=borough, field="note",
               new=note, note=note, meeting=meeting)
        changed.append("note")
    if changed:
        obj.updated = utcnow()
        session.add(obj)
    return changed


def reschedule(
    session: Session, obj: Tracked, *, kind: str, ref: str, borough: str | None, due: date,
    reason: str | None, ctx: Ctx, meeting: MeetingRef | None = None,
) -> None:
    """Move the due date; the first date ever set is kept as original_due; later = a slip."""
    if obj.status in (Status.COMPLETE.value, Status.DROPPED.value):
        raise InvalidInput(f"{ref} is {obj.status}; reopen it first with "
                           f"`casey {'action' if kind == 'action' else 'rec'} update {ref} "
                           "--status in-progress`")
    if obj.due == due:
        raise InvalidInput(f"{ref} is already due on {due.isoformat()}; give another --due")
    if obj.due is not None and not (reason or "").strip():
        raise InvalidInput(f"moving {ref}'s due date needs a reason; add --reason TEXT")
    changes: dict[str, Any] = {"due": due}
    if obj.original_due is None:
        changes["original_due"] = due
    if obj.due is not None and due > obj.due:
        changes["slips"] = obj.slips + 1
    apply_changes(session, obj, kind=kind, ref=ref, borough=borough, changes=changes, ctx=ctx,
                  note=(reason or "").strip() or None, meeting=meeting)
