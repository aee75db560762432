"""An iCalendar feed (icalendar library) of open items' due dates and meeting dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from casey_cli.schemas import Item


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_ics(
    items: Sequence[Item],
    meetings: Sequence[dict[str, Any]],
    name: str,
    store_id: str,
    alarm_days: int | None = None,
) -> bytes:
    """The feed: each event's UID is its ref at this store's id (two stores' feeds never
    collide in one calendar), stamped with its item's last change (a meeting: its day), so
    the same register gives the same bytes; with `alarm_days`, a reminder that many days
    before each due date."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//casey-cli//register//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in items:
        if item.due is None or item.status in ("complete", "dropped"):
            continue
        event = Event()
        event.add("uid", f"{item.ref}.{store_id}@casey-cli")
        event.add("dtstamp", _stamp(item.updated or item.created or ""))
        event.add("dtstart", date.fromisoformat(item.due))
        event.add("summary", f"Due: {item.ref} {item.title}")
        description = [
            f"Owner: {item.owner or '(none)'}",
            f"Status: {item.status}",
            f"Borough: {item.borough}",
        ]
        if item.recommendation:
            description.append(f"Recommendation: {item.recommendation}")
        if item.latest_update:
            description.append(f"Latest update ({item.latest_update_on}): {item.latest_update}")
        if item.reported_rag:
            description.append(f"Officer's RAG: {item.reported_rag}")
        event.add("description", "\n".join(description))
        event.add("categories", [item.rag.upper()])
        if alarm_days is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Due in {alarm_days} days: {item.ref} {item.title}")
            alarm.add("trigger", timedelta(days=-alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    for meeting in meetings:
        event = Event()
        day = date.fromisoformat(meeting["date"])
        event.add("uid", f"{meeting['ref']}.{store_id}@casey-cli")
        event.add("dtstamp", datetime(day.year, day.month, day.day, tzinfo=UTC))
        event.add("dtstart", day)
        event.add("summary", f"Meeting: {meeting['name']}")
        if meeting.get("borough"):
            event.add("location", meeting["borough"])
        cal.add_component(event)
    return bytes(cal.to_ical())
