"""Pure rules and date parsing: examples from docs/contract.md plus properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casey_cli import rules
from casey_cli.dates import (
    RelativeDate,
    TrackerDate,
    add_months,
    parse_date,
    parse_file_date,
    parse_written_date,
    read_date,
    tracker_date,
)
from casey_cli.errors import InvalidInput

pytestmark = pytest.mark.sqlite_only(reason="pure rules: no store, nothing to run twice")

TODAY = date(2026, 11, 23)
statuses = st.sampled_from(["not-started", "in-progress", "blocked", "complete", "dropped"])
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", date(2026, 1, 31)),
        ("today", TODAY),
        ("Tomorrow", date(2026, 11, 24)),
        ("+0d", TODAY),
        ("+10d", date(2026, 12, 3)),
        ("+2w", date(2026, 12, 7)),
        ("+1m", date(2026, 12, 23)),
        ("+3m", date(2027, 2, 23)),
        ("yesterday", date(2026, 11, 22)),
        ("-0d", TODAY),
        ("-7d", date(2026, 11, 16)),
        ("-2w", date(2026, 11, 9)),
        ("-3m", date(2026, 8, 23)),
        ("-11m", date(2025, 12, 23)),
        ("31/01/2026", date(2026, 1, 31)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01/02/26", date(2026, 2, 1)),
        (" 29/02/2028 ", date(2028, 2, 29)),
    ],
)
def test_parse_date_examples(text, expected):
    assert parse_date(text, TODAY) == expected


def test_month_offset_clamps_to_month_end():
    assert parse_date("+1m", date(2027, 1, 31)) == date(2027, 2, 28)
    assert parse_date("-1m", date(2027, 3, 31)) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-30",
        "2026-13-01",
        "31/02/2026",
        "01/31/2026",
        "31/01/026",
        "31-01/2026",
        "31.02.2026",
        "next week",
        "",
        "+5y",
        "-3y",
        "--3d",
        "2026-1-1",
    ],
)
def test_parse_date_rejects(text):
    with pytest.raises(InvalidInput) as err:
        parse_date(text, TODAY)
    assert f"'{text}' is not a date; use YYYY-MM-DD" in str(err.value) or (
        f"'{text}' is not a real date" in str(err.value)
    )


def test_a_past_offset_too_far_back_is_out_of_range():
    with pytest.raises(InvalidInput, match="offset '-9999w' is out of range"):
        parse_date("-9999w", date(100, 1, 1))


@given(dates)
def test_iso_round_trip(day):
    assert parse_date(day.isoformat(), TODAY) == day


@given(st.integers(min_value=0, max_value=3000))
def test_day_offsets(n):
    assert parse_date(f"+{n}d", TODAY) == TODAY + timedelta(days=n)
    assert parse_date(f"-{n}d", TODAY) == TODAY - timedelta(days=n)


@given(dates)
def test_day_first_round_trip(day):
    """Day first, always: 03/04 is the 3rd of April, never 4 March."""
    assert parse_date(day.strftime("%d/%m/%Y"), TODAY) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", TODAY) == day
    assert parse_date(day.strftime("%d.%m.%Y"), TODAY) == day  # dots and dashes too
    assert parse_date(day.strftime("%d-%m-%Y"), TODAY) == day
    if 2000 <= day.year < 2100:  # two digits: 20YY
        assert parse_date(day.strftime("%d/%m/%y"), TODAY) == day


@given(
    st.sampled_from(
        [
            "not started",
            "In Progress",
            "in_progress",
            "BLOCKED",
            " complete ",
            "Dropped",
            "NOT_STARTED",
            "in-progress",
        ]
    )
)
def test_status_normalisation(text):
    value = rules.normalise_status(text)
    assert value in ("not-started", "in-progress", "blocked", "complete", "dropped")
    assert value.replace("-", "") == text.strip().lower().replace(" ", "").replace("_", "").replace(
        "-", ""
    )


@pytest.mark.parametrize("text", ["done", "progress", "", "completer", "Agreed", "in"])
def test_status_rejects(text):
    with pytest.raises(InvalidInput):
        rules.normalise_status(text)


@given(statuses, st.one_of(st.none(), dates), dates, st.integers(min_value=0, max_value=60))
def test_rag_agrees_with_the_other_rules(status, due, today, window):
    colour = rules.rag(status, due, today, window)
    if status == "complete":
        assert colour == "blue"
    elif status == "dropped":
        assert colour == "grey"
    elif rules.is_overdue(status, due, today):
        assert colour == "red"
        assert rules.days_overdue(status, due, today) == (today - due).days > 0
    elif status == "blocked" or rules.is_due_soon(status, due, today, window):
        assert colour == "amber"
    elif due is None:
        assert colour == "grey"
    else:
        assert colour == "green" and due > today + timedelta(days=window)


@given(statuses, st.one_of(st.none(), st.text(max_size=5)), st.one_of(st.none(), dates))
def test_gap_means_open_and_missing_owner_or_date(status, owner, due):
    expected = status not in ("complete", "dropped") and (not (owner or "").strip() or due is None)
    assert rules.is_gap(status, owner, due) == expected


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-90"),
        (90, "31-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, ">180"),
        (2000, ">180"),
    ],
)
def test_ageing_bands(days, band):
    assert rules.ageing_band(days) == band


def test_stale_and_slipped():
    assert rules.is_stale("in-progress", TODAY - timedelta(days=91), TODAY, 90)
    assert not rules.is_stale("in-progress", TODAY - timedelta(days=90), TODAY, 90)
    assert not rules.is_stale("complete", TODAY - timedelta(days=900), TODAY, 90)
    assert not rules.is_stale("in-progress", None, TODAY, 90)  # no record of a change
    assert rules.days_slipped(date(2027, 1, 31), date(2026, 12, 21)) == 41
    assert rules.days_slipped(date(2026, 12, 1), date(2026, 12, 21)) == 0


# ------------------------------------------------ dates, statuses and RAG as councils write them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28 February 2014", date(2014, 2, 28)),
        ("28 Feb 2014", date(2014, 2, 28)),
        ("28th February 2014", date(2014, 2, 28)),
        ("1st march 2027", date(2027, 3, 1)),
        ("2nd Sept. 2027", date(2027, 9, 2)),
        ("  3RD   JUNE   2027 ", date(2027, 6, 3)),
        ("28-Feb-2027", date(2027, 2, 28)),
        ("29 February 2028", date(2028, 2, 29)),
        ("5 May 27", date(2027, 5, 5)),
        ("by 30 June 2027", date(2027, 6, 30)),
        ("March 2024", date(2024, 3, 31)),
        ("Mar 2024", date(2024, 3, 31)),
        ("feb 2024", date(2024, 2, 29)),
        ("end of Feb 2023", date(2023, 2, 28)),
        ("End  of  February 2023", date(2023, 2, 28)),
        ("by April 2025", date(2025, 4, 30)),
        ("Q1 2024/25", date(2024, 6, 30)),
        ("Q2 2024/25", date(2024, 9, 30)),
        ("q3 2024/25", date(2024, 12, 31)),
        ("Q4 2024/25", date(2025, 3, 31)),
        ("Q2 2024-25", date(2024, 9, 30)),
        ("Q2 2024/2025", date(2024, 9, 30)),
        ("Q4 2026/27", date(2027, 3, 31)),
        ("2024/25", date(2025, 3, 31)),
        ("2024-25", date(2025, 3, 31)),
        ("2099/00", date(2100, 3, 31)),
        ("Q4 1999/00", date(2000, 3, 31)),
        ("FY 2024/25", date(2025, 3, 31)),
        ("by 2024/25", date(2025, 3, 31)),
    ],
)
def test_dates_as_councils_write_them(text, expected):
    assert parse_date(text, TODAY) == expected
    # Written out: the same on any day, a plain date in a file, and good for a meeting.
    assert parse_date(text, date(2001, 1, 1)) == expected
    assert type(parse_file_date(text, TODAY)) is date
    assert parse_written_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30 February 2027", "'30 February 2027' is not a real date: February 2027 has 28 days"),
        ("31 April 2027", "April 2027 has 30 days; give a day from 1 to 30"),
        ("0 May 2027", "May 2027 has 31 days"),
        ("Q5 2024/25", "'Q5 2024/25' is not a quarter: use Q1 (April-June)"),
        ("Q0 2024/25", "is not a quarter"),
        (
            "2024/26",
            "'2024/26' is not a financial year: the second year follows the first; write 2024/25",
        ),
        ("Q2 2024/23", "write 2024/25"),
        ("2024/2026", "write 2024/25"),
        ("Octember 2027", "is not a date; use YYYY-MM-DD"),
        ("28 February", "is not a date"),
        ("Q2", "is not a date"),
        ("During 2009/10", "is not a date"),
    ],
)
def test_impossible_council_dates_name_the_fix(text, message):
    with pytest.raises(InvalidInput) as err:
        parse_date(text, TODAY, field="due")
    assert message in str(err.value)
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("Q2 2024/25", "Q2 2024/25 -> 2024-09-30 (last day of the quarter)"),
        ("March  2024", "March 2024 -> 2024-03-31 (last day of the month)"),
        ("2024/25", "2024/25 -> 2025-03-31 (last day of the financial year)"),
        ("28 Feb 2014", "28 Feb 2014 -> 2014-02-28"),
        ("+2w", "+2w -> 2026-12-07"),
    ],
)
def test_read_date_says_how_a_text_was_read(text, how):
    day, said = read_date(text, TODAY)
    assert said == how
    assert day == parse_date(text, TODAY)


_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@given(dates, st.booleans(), st.booleans())
def test_written_day_month_year_round_trip(day, short, upper):
    month = _MONTH_NAMES[day.month - 1]
    text = f"{day.day} {month[:3] if short else month} {day.year}"
    assert parse_date(text.upper() if upper else text, TODAY) == day


@given(dates)
def test_a_month_is_its_last_day(day):
    last = parse_date(f"{_MONTH_NAMES[day.month - 1]} {day.year}", TODAY)
    assert (last.year, last.month) == (day.year, day.month)
    assert (last + timedelta(days=1)).day == 1


@given(dates)
def test_a_day_is_in_the_quarter_and_financial_year_it_ends(day):
    """Every day falls in exactly the quarter whose last day parse_date gives: the last
    day of Q1-Q4 of its financial year, which runs April to March."""
    start = day.year if day.month >= 4 else day.year - 1
    fy = f"{start}/{(start + 1) % 100:02d}"
    quarter = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
    end = parse_date(f"Q{quarter} {fy}", TODAY)
    assert 0 <= (end - day).days < 92
    assert (end + timedelta(days=1)).month in (1, 4, 7, 10)
    assert parse_date(fy, TODAY) == date(start + 1, 3, 31) >= end


def test_a_relative_date_in_a_file_is_still_relative():
    assert isinstance(parse_file_date("+2w", TODAY), RelativeDate)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28 Feb 2027", TrackerDate(date(2027, 2, 28))),
        ("Q2 2027/28", TrackerDate(date(2027, 9, 30))),
        ("March 2027", TrackerDate(date(2027, 3, 31))),
        ("31/01/2027", TrackerDate(date(2027, 1, 31))),
        ("On-going", TrackerDate(None, "On-going", "in-progress")),
        ("Ongoing", TrackerDate(None, "Ongoing", "in-progress")),
        ("Completed", TrackerDate(None, "Completed", "complete")),
        ("completed  - see minutes", TrackerDate(None, "completed - see minutes", "complete")),
        ("On hold", TrackerDate(None, "On hold", "blocked")),
        ("TBC", TrackerDate(None, "TBC")),
        ("-", TrackerDate(None, "-")),
        ("n/a", TrackerDate(None, "n/a")),
        ("Cabinet - 12 October 2011", TrackerDate(None, "Cabinet - 12 October 2011")),
        ("During 2009/10", TrackerDate(None, "During 2009/10")),
        ("Agreed", TrackerDate(None, "Agreed")),
    ],
)
def test_tracker_date_reads_words_in_a_date_column(text, expected):
    assert tracker_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["30 February 2027", "Q5 2024/25", "2024/26", "31/02/2027"])
def test_tracker_date_still_refuses_an_impossible_date(text):
    with pytest.raises(InvalidInput):
        tracker_date(text, TODAY)


@pytest.mark.parametrize("text", ["TBC", "On-going", "30 February 2027", "March 2027"])
def test_words_on_an_option_stay_errors(text):
    """Only a file's date column takes words: parse_date (every option) refuses them."""
    if text == "March 2027":
        assert parse_date(text, TODAY) == date(2027, 3, 31)
        return
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY, field="--due")


STATUS_TABLE = {
    "complete": ["Complete", "Completed", "Closed", "Discharged", "Achieved", "Implemented"],
    "in-progress": [
        "Ongoing", "On-going", "In progress", "On track", "Under implementation",
        "Agreed - further work required",
    ],
    "not-started": ["Not started", "Awaiting allocation", "Not yet due"],
    "blocked": ["Paused", "Suspended", "On hold", "Delayed", "At risk"],
    "dropped": [
        "Superseded", "Overtaken by events", "No longer feasible", "Withdrawn", "Rejected",
    ],
}  # fmt: skip


def test_the_status_table_is_the_documented_one():
    assert {k: list(v) for k, v in rules.STATUS_WORDS.items()} == STATUS_TABLE


@given(
    st.sampled_from([(s, w) for s, words in STATUS_TABLE.items() for w in words]),
    st.sampled_from([str.lower, str.upper, str.title, str]),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["", ".", "!", ":"]),
)
def test_status_words_ignore_case_spacing_and_punctuation(entry, case, pad, stop):
    status, word = entry
    text = pad + case(word).replace(" ", " " + pad) + stop + pad
    assert rules.normalise_status(text) == status
    assert rules.read_status(text) == (status, "")
    assert status in ("not-started", "in-progress", "blocked", "complete", "dropped")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Completed. This meeting took place on 10 February 2021.",
            ("complete", "This meeting took place on 10 February 2021."),
        ),
        (
            "In progress. A follow up request was made",
            ("in-progress", "A follow up request was made"),
        ),
        ("On track - report due in March", ("in-progress", "report due in March")),
        ("Agreed - further work required: see appendix", ("in-progress", "see appendix")),
        ("Agreed - partly", (None, "Agreed - partly")),
        ("in-progress", ("in-progress", "")),
        ("Closedown of the unit", (None, "Closedown of the unit")),
        ("Not yet due (March)", ("not-started", "(March)")),
        ("", (None, "")),
    ],
)
def test_read_status_takes_the_leading_word_and_returns_the_prose(text, expected):
    assert rules.read_status(text) == expected


def test_a_status_option_takes_a_word_not_prose():
    with pytest.raises(InvalidInput, match="unknown status"):
        rules.normalise_status("Completed. This meeting took place.")


@pytest.mark.parametrize(
    ("text", "rag"),
    [
        ("R", "red"), ("r", "red"), ("Red", "red"), ("RED", "red"),
        ("A", "amber"), ("amber", "amber"), ("G", "green"), ("Green", "green"),
        ("B", "blue"), ("Blue", "blue"), ("Grey", "grey"), ("gray", "grey"), (" GREY ", "grey"),
    ],
)  # fmt: skip
def test_read_rag(text, rag):
    assert rules.read_rag(text) == rag


@pytest.mark.parametrize("text", ["", "X", "Orange", "RA", "green-ish", "1"])
def test_read_rag_rejects(text):
    with pytest.raises(InvalidInput, match="use Red, Amber, Green, Blue or Grey"):
        rules.read_rag(text)
