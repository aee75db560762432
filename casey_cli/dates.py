"""Dates from user input (ISO dates, today, tomorrow, +Nd/+Nw/+Nm offsets) and the one
written form of a moment."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from casey_cli.errors import InvalidInput

_OFFSET = re.compile(r"^\+([0-9]{1,4})([dwm])$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

DATE_HELP = "YYYY-MM-DD, 'today', 'tomorrow', or +Nd / +Nw / +Nm from today"


def stamp_text(moment: datetime) -> str:
    """The one written form of a moment, in item objects, history and hashes alike: ISO 8601
    in UTC, to the second ('2026-11-23T11:12:08Z'); a naive moment is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def add_months(day: date, months: int) -> date:
    """Same day N months later, clamped to the month's last day (31 Jan + 1m = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date(text: str, today: date, *, field: str = "date") -> date:
    """Parse a user date relative to `today`; raise InvalidInput naming the fix."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    match = _OFFSET.match(value)
    if match:
        n, unit = int(match.group(1)), match.group(2)
        try:
            if unit == "d":
                return today + timedelta(days=n)
            if unit == "w":
                return today + timedelta(weeks=n)
            return add_months(today, n)
        except (OverflowError, ValueError):
            raise InvalidInput(f"offset '{text}' is out of range", field=field) from None
    if _ISO.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"'{text}' is not a real date; use a valid {DATE_HELP}", field=field
            ) from None
    raise InvalidInput(f"'{text}' is not a date; use {DATE_HELP}", field=field)


class RelativeDate(date):
    """A date a file wrote relative to the day it was read (`+2w`, `today`), with the text as
    written: a load reads it once, when it first sets a field (docs/formats.md). Loaders turn
    it into a plain date (`plain`) before anything stores or counts with it."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, day: date, text: str) -> RelativeDate:
        self = super().__new__(cls, day.year, day.month, day.day)
        self.text = text
        return self

    def plain(self) -> date:
        return date(self.year, self.month, self.day)


def parse_file_date(text: str, today: date, *, field: str = "date") -> date:
    """A date in a loaded file: a plain date when written out (YYYY-MM-DD), else the
    RelativeDate it gives today."""
    day = parse_date(text, today, field=field)
    if _ISO.match(text.strip()):
        return day
    return RelativeDate(day, text.strip())


def to_iso(value: date | datetime | None) -> str | None:
    """ISO string of a date or a moment (a moment as stamp_text writes it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return stamp_text(value)
    return value.isoformat()
