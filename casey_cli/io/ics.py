"""An iCalendar feed (icalendar library) of open items' due dates and meeting dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from casey_cli.schemas import Item


def _stamp(text: str | None) -> datetime:
    if text:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return datetime(2000, 1, 1, tzinfo=UTC)


def to_ics(items: Sequence[Item], meetings: Sequence[dict[str, Any]], name: str) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//casey-cli//register//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in items:
        if item.due is None or item.status in ("complete", "dropped"):
            continue
        event = Event()
        event.add("uid", f"{item.ref}@casey-cli")
        # DTSTAMP must exist; the item's last change keeps the feed deterministic.
        event.add("dtstamp", _stamp(item.updated))
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
        cal.add_component(event)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"{meeting['ref']}@casey-cli")
        event.add("dtstamp", datetime(2000, 1, 1, tzinfo=UTC))
        event.add("dtstart", date.fromisoformat(meeting["date"]))
        event.add("summary", f"Meeting: {meeting['name']}")
        if meeting.get("borough"):
            event.add("location", meeting["borough"])
        cal.add_component(event)
    return bytes(cal.to_ical())
