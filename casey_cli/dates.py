"""Dates from user input (ISO and day-first dates, dates and periods as councils write them,
today, yesterday, tomorrow, +Nd/-Nw/+Nm offsets), words in a tracker's date column, and the one
written form of a moment."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from casey_cli.errors import InvalidInput

_OFFSET = re.compile(r"^([+-])([0-9]{1,4})([dwm])$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Day first, always, as UK trackers write dates: 31/01/2027, 1/2/2027, 31/01/27 (20yy), and
# with dots or dashes (31.01.2027, 31-01-2027), one separator throughout.
_DAY_FIRST = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})$")
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
    return read_date(text, today, field=field, forms=forms)[0]


def read_date(
    text: str, today: date, *, field: str = "date", forms: str = DATE_HELP
) -> tuple[date, str]:
    """parse_date, and how the text was read, for a dry run to show: 'Q2 2024/25 ->
    2024-09-30 (last day of the quarter)', '28 Feb 2027 -> 2027-02-28'."""
    read = _read(text, today, field)
    if read is None:
        raise InvalidInput(f"'{text}' is not a date; use {forms}", field=field)
    day, period = read
    how = f"{' '.join(text.split())} -> {day.isoformat()}"
    return day, f"{how} (last day of the {period})" if period else how


def _read(text: str, today: date, field: str) -> tuple[date, str | None] | None:
    """(the day, the period it ends or None) for text of a date's shape; None for text of no
    date's shape; InvalidInput for a date's shape that names no real day."""
    value = " ".join(text.lower().split())
    if value in _NAMED:
        return today + timedelta(days=_NAMED[value]), None
    if match := _OFFSET.match(value):
        n = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
        try:
            if match.group(3) == "d":
                return today + timedelta(days=n), None
            if match.group(3) == "w":
                return today + timedelta(weeks=n), None
            return add_months(today, n), None
        except (OverflowError, ValueError):
            raise InvalidInput(f"offset '{text}' is out of range", field=field) from None
    if _ISO.match(value):
        try:
            return date.fromisoformat(value), None
        except ValueError:
            raise InvalidInput(
                f"'{text}' is not a real date; use a valid {DATE_HELP}", field=field
            ) from None
    if match := _DAY_FIRST.match(value):
        return _day_first(text, match, field), None
    return _written(text, value, field)


# Dates and periods as councils write them (docs/contract.md#dates-as-councils-write-them).
# Month names are spelt out here, not taken from `calendar`, whose names follow the locale.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Patterns compiled on first use (re's cache), not at import: every command imports this
# module for its help text, and the month alternations cost milliseconds to compile.
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = "([0-9]{4}|[0-9]{2})"
# '28 February 2014', '28 Feb 2014', '28th Feb. 2014', '28-Feb-2014', 'by 28 Feb 2014'.
_DAY_MONTH_YEAR = rf"^(?:by )?([0-9]{{1,2}})(?:st|nd|rd|th)?[ -]{_MONTH}(?:,? |-){_YEAR}$"
# 'March 2024', 'end of Feb 2023', 'by April 2025': the month's last day.
_MONTH_YEAR = rf"^(?:(?:by|end of|by end of|by the end of|end) )?{_MONTH}[ -]{_YEAR}$"
# 'Q2 2024/25', 'Q2 2024-25', 'Q2 2024/2025': a quarter of the UK financial year.
_QUARTER = r"^(?:by (?:end of )?)?q ?([0-9]+) (?:fy ?)?([0-9]{4})[/-]([0-9]{4}|[0-9]{2})$"
# '2024/25', 'FY 2024/25', 'by 2024/25', 'end of 2024/25': the financial year to 31 March.
_FINANCIAL_YEAR = r"^(?:(?:by|end of|by end of) )?(?:fy ?)?([0-9]{4})[/-]([0-9]{4}|[0-9]{2})$"
# The last month of each quarter, Q1 = April-June ... Q4 = January-March of the second year.
_QUARTER_END = {1: 6, 2: 9, 3: 12, 4: 3}


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _second_year(text: str, first: str, second: str, field: str) -> int:
    """The second year of a financial year 'YYYY/YY', which must follow the first."""
    start = int(first)
    end = int(second)
    if len(second) == 2 and end == (start + 1) % 100:
        end = start + 1  # 1999/00 ends in 2000
    if end != start + 1 or not 1 <= start < 9999:
        raise InvalidInput(
            f"'{text.strip()}' is not a financial year: the second year follows the first; "
            f"write {start}/{(start + 1) % 100:02d}",
            field=field,
        )
    return end


def _written(text: str, value: str, field: str) -> tuple[date, str | None] | None:
    if match := re.match(_DAY_MONTH_YEAR, value):
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], _year(match.group(3))
        try:
            return date(year, month, day), None
        except ValueError:
            last = calendar.monthrange(year, month)[1] if year >= 1 else 31
            raise InvalidInput(
                f"'{text.strip()}' is not a real date: {calendar.month_name[month]} {year} has "
                f"{last} days; give a day from 1 to {last}",
                field=field,
            ) from None
    if match := re.match(_MONTH_YEAR, value):
        year = _year(match.group(2))
        if year < 1:
            raise InvalidInput(f"'{text.strip()}' is not a real month", field=field)
        return _month_end(year, _MONTHS[match.group(1)]), "month"
    if match := re.match(_QUARTER, value):
        quarter = int(match.group(1))
        end = _second_year(text, match.group(2), match.group(3), field)
        if quarter not in _QUARTER_END:
            raise InvalidInput(
                f"'{text.strip()}' is not a quarter: use Q1 (April-June), Q2 (July-September), "
                f"Q3 (October-December) or Q4 (January-March), e.g. Q2 {match.group(2)}/"
                f"{end % 100:02d}",
                field=field,
            )
        month = _QUARTER_END[quarter]
        return _month_end(end if month == 3 else end - 1, month), "quarter"
    if match := re.match(_FINANCIAL_YEAR, value):
        end = _second_year(text, match.group(1), match.group(2), field)
        return date(end, 3, 31), "financial year"
    return None


def _day_first(text: str, match: re.Match[str], field: str) -> date:
    """DD/MM/YYYY (or D/M/YYYY, or DD/MM/YY for 20YY): day first, never month first."""
    day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    if len(match.group(4)) == 2:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= day <= 12 < month <= 31:  # written month first, as in the US
            raise InvalidInput(
                f"'{text.strip()}' is not a real date: dates are day first, so write "
                f"{month:02d}/{day:02d}/{match.group(4)}",
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
    """A date written out (YYYY-MM-DD, day first, or as councils write it), which needs no
    today; raise InvalidInput naming the fix for anything else."""
    if not written_out(text):
        raise InvalidInput(f"'{text}' is not a date; use YYYY-MM-DD or DD/MM/YYYY", field=field)
    return parse_date(text, date.min, field=field, forms=WRITTEN_HELP)


WRITTEN_HELP = "YYYY-MM-DD or DD/MM/YYYY"


def written_out(text: str) -> bool:
    """True for text that is not a date relative to today (today, +2w, ...): a date written
    out, or no date at all."""
    value = " ".join(text.lower().split())
    return value not in _NAMED and not _OFFSET.match(value)


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
    """A date in a loaded file: a plain date when written out (YYYY-MM-DD, DD/MM/YYYY,
    '28 Feb 2027', 'Q2 2027/28', ...), else the RelativeDate it gives today."""
    day = parse_date(text, today, field=field)
    if written_out(text):
        return day
    return RelativeDate(day, text.strip())


@dataclass(frozen=True)
class TrackerDate:
    """What a cell of a tracker's date column says: a day; or words (`text`), with the
    status they imply when they are a status word ('Completed', 'Ongoing'), else none
    ('TBC', '-', 'Cabinet - 12 October 2011'). A cell that starts with a status word
    ('Completed - see minutes') implies that status, as in a status column."""

    day: date | None
    text: str | None = None
    status: str | None = None


def tracker_date(text: str, today: date, *, field: str = "due") -> TrackerDate:
    """A cell of a tracker's date column (docs/formats.md#words-in-a-date-column): a date in
    any form parse_file_date reads, or words kept as they are. A date inside words is not
    taken ('Cabinet - 12 October 2011' is when a body decided, not when the work is due).
    Text of a date's shape that names no real day ('30 February 2027', 'Q5 2024/25') is
    still an error: it is a mistake to fix, not words."""
    from casey_cli.rules import read_status

    if _read(text, today, field) is not None:
        return TrackerDate(parse_file_date(text, today, field=field))
    words = " ".join(text.split())
    if _mistyped_date(words):
        raise InvalidInput(
            f"'{words}' looks like a date but is not one; write it as DD/MM/YYYY (or "
            "28 February 2027, March 2027, Q2 2026/27), or as words such as TBC",
            field=field,
        )
    status, rest = read_status(words)
    return TrackerDate(None, words, status)


_MONTH_WORDS = [m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:])]


def _mistyped_date(words: str) -> bool:
    """Text that is a date with a slip in it ('31/01/2O27', '31 Jnauary 2027', 'Febuary
    2027'), not words ('TBC', 'During 2009/10', 'Cabinet - 12 October 2011'): numbers
    split as a date's are, or a day or year beside one word a letter or two from a month."""
    import difflib

    value = words.lower()
    if re.fullmatch(r"[0-9]{1,2} ?[/.-] ?[0-9]{1,2} ?[/.-] ?[0-9a-z]{2,4}", value):
        return True
    tokens = re.findall(r"[a-z]+|[0-9]+", value)
    letters = [t for t in tokens if t.isalpha() and t not in ("st", "nd", "rd", "th")]
    numbers = [t for t in tokens if t.isdigit()]
    if len(letters) != 1 or not 1 <= len(numbers) <= 2 or len(tokens) > 4:
        return False
    return bool(difflib.get_close_matches(letters[0], _MONTH_WORDS, n=1, cutoff=0.75))


def to_iso(value: date | datetime | None) -> str | None:
    """ISO string of a date or a moment (a moment as stamp_text writes it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return stamp_text(value)
    return value.isoformat()
