"""Pure rules and date parsing: examples from docs/contract.md plus properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casey_cli import rules
from casey_cli.dates import add_months, parse_date
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
        "31-01-2026",
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


@pytest.mark.parametrize("text", ["done", "progress", "", "complete!"])
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
