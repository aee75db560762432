"""Dates from user input (ISO and day-first dates, today, yesterday, tomorrow, +Nd/-Nw/+Nm
offsets) and the one written form of a moment."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from casey_cli.errors import InvalidInput

_OFFSET = re.compile(r"^([+-])([0-9]{1,4})([dwm])$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Day first, always, as UK trackers write dates: 31/01/2027, 1/2/2027, 31/01/27 (20yy).
_DAY_FIRST = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}|[0-9]{2})$")
_NAMED = {"yesterday": -1, "today": 0, "tomorrow": 1}

DATE_HELP = (
    "YYYY-MM-DD, DD/MM/YYYY (day first), 'today', 'yesterday', 'tomorrow', "
    "or an offset from today: -7d, +2w, +3m"
)
# What --since takes: a date, or a meeting ref (store/lookup.py, `since`).
SINCE_HELP = f"{DATE_HELP}; or a meeting ref (M5: that meeting's date)"


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


def parse_date(text: str, today: date, *, field: str = "date", forms: str = DATE_HELP) -> date:
    """Parse a user date relative to `today`; raise InvalidInput naming the fix (`forms`: the
    forms the option takes, for text that is no date at all)."""
    value = text.strip().lower()
    if value in _NAMED:
        return today + timedelta(days=_NAMED[value])
    if match := _OFFSET.match(value):
        n = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
        try:
            if match.group(3) == "d":
                return today + timedelta(days=n)
            if match.group(3) == "w":
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
    if match := _DAY_FIRST.match(value):
        return _day_first(text, match, field)
    raise InvalidInput(f"'{text}' is not a date; use {forms}", field=field)


def _day_first(text: str, match: re.Match[str], field: str) -> date:
    """DD/MM/YYYY (or D/M/YYYY, or DD/MM/YY for 20YY): day first, never month first."""
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) == 2:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= day <= 12 < month <= 31:  # written month first, as in the US
            raise InvalidInput(
                f"'{text.strip()}' is not a real date: dates are day first, so write "
                f"{month:02d}/{day:02d}/{match.group(3)}",
                field=field,
            ) from None
        if 1 <= month <= 12 and 1 <= year and day > 28:
            last = calendar.monthrange(year, month)[1]
            raise InvalidInput(
                f"'{text.strip()}' is not a real date: {calendar.month_name[month]} {year} has "
                f"{last} days; give a day from 1 to {last}",
                field=field,
            ) from None
        raise InvalidInput(
            f"'{text.strip()}' is not a real date; use a valid DD/MM/YYYY (day first)",
            field=field,
        ) from None


def parse_written_date(text: str, *, field: str = "date") -> date:
    """A date written out (YYYY-MM-DD or day first), which needs no today; raise InvalidInput
    naming the fix for anything else."""
    if not written_out(text):
        raise InvalidInput(f"'{text}' is not a date; use YYYY-MM-DD or DD/MM/YYYY", field=field)
    return parse_date(text, date.min, field=field)  # a written-out date does not read today


def written_out(text: str) -> bool:
    """True for a date written out (YYYY-MM-DD or day first), not relative to today."""
    value = text.strip()
    return bool(_ISO.match(value) or _DAY_FIRST.match(value))


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
    """A date in a loaded file: a plain date when written out (YYYY-MM-DD or DD/MM/YYYY),
    else the RelativeDate it gives today."""
    day = parse_date(text, today, field=field)
    if written_out(text):
        return day
    return RelativeDate(day, text.strip())


def to_iso(value: date | datetime | None) -> str | None:
    """ISO string of a date or a moment (a moment as stamp_text writes it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return stamp_text(value)
    return value.isoformat()
