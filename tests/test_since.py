"""Since when, and dates as UK trackers write them, through the real CLI on both backends:
every `--since` (history, report, trend) takes a date, `yesterday`, a past offset (-7d, -2w,
-3m) or a meeting ref (M5: that meeting's date); `31/01/2027` is a date wherever a date is,
day first, on the command line, at a prompt and in a loaded file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import snapshot
from test_history import backdate_history, history

if TYPE_CHECKING:
    from conftest import Casey

AddAction = Callable[..., dict[str, Any]]
FORMS = (
    "YYYY-MM-DD, DD/MM/YYYY (day first), 'today', 'yesterday', 'tomorrow', or an offset from "
    "today: -7d, +2w, +3m"
)


def add_meeting(casey: Casey, day: str, name: str = "Ward panel") -> str:
    """A meeting on `day` (any date form); its ref."""
    return str(casey.json("meeting", "add", name, "--date", day, "-b", "islington")["ref"])


# ---------------------------------------------------------------- history --since


def test_history_since_takes_every_form(
    casey: Casey, isolated: Path, add_action: AddAction
) -> None:
    """The bundled register's events on 15 January 2024, except the first at midnight on
    the 16th; then three new events now (the action's creation, the owner, and the as_of
    the owner's change supersedes). A relative --since counts from --today."""
    backdate_history(isolated, "2024-01-15", midnight="2024-01-16")
    add_action()
    casey("rec", "update", "casey-7", "--owner", "MOPAC")
    everything = history(casey)
    new = everything[-3:]
    assert [(e["ref"], e["field"]) for e in new] == [
        ("A32", "created"),
        ("casey-7", "owner"),
        ("casey-7", "as_of"),
    ]
    from_16th = everything[:1] + new
    assert len(everything) > 3 and history(casey, "--since", "2024-01-16") == from_16th
    meeting = add_meeting(casey, "2024-01-16")
    cases = [
        ("2024-01-17", "yesterday", from_16th),
        ("2024-01-17", "Yesterday", from_16th),
        ("2024-01-17", "-1d", from_16th),
        ("2024-01-17", "-2d", everything),
        ("2024-01-17", "today", new),
        ("2024-01-23", "-1w", from_16th),
        ("2024-01-30", "-2w", from_16th),
        ("2024-01-31", "-2w", new),
        ("2024-04-16", "-3m", from_16th),
        ("2024-04-17", "-3m", new),
        ("2024-01-01", "+2w", everything),
        ("2026-11-23", "16/01/2024", from_16th),
        ("2026-11-23", "16/1/2024", from_16th),
        ("2026-11-23", "16/01/24", from_16th),
        ("2026-11-23", "17/01/2024", new),
        ("2026-11-23", meeting, from_16th),
        ("2026-11-23", meeting.lower(), from_16th),
    ]
    for today, since, expected in cases:
        got = casey.json("--today", today, "history", "--since", since)
        assert got == expected, (today, since, [e["at"] for e in got])
    # A meeting's date, not the day it was added: a later meeting gives later changes only.
    assert history(casey, "--since", add_meeting(casey, "2024-01-17", "Board")) == new


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("M99", "Error: no meeting M99; see `casey meeting list`"),
        ("m0", "Error: no meeting M0; see `casey meeting list`"),
        (
            "31/02/2027",
            "Error: --since: '31/02/2027' is not a real date: February 2027 has 28 days; "
            "give a day from 1 to 28",
        ),
        (
            "01/31/2027",
            "Error: --since: '01/31/2027' is not a real date: dates are day first, so write "
            "31/01/2027",
        ),
        ("2027-02-30", "Error: --since: '2027-02-30' is not a real date; use a valid"),
        ("-5y", f"Error: --since: '-5y' is not a date; use {FORMS}"),
        ("5", f"Error: --since: '5' is not a date; use {FORMS}"),
        ("-99999d", f"Error: --since: '-99999d' is not a date; use {FORMS}"),
        ("-9999m", None),  # the year 1193: far back, but a date
    ],
)
@pytest.mark.parametrize("command", [["history"], ["report", "-b", "islington"], ["trend"]])
def test_every_since_refuses_what_is_not_a_day(
    casey: Casey, isolated: Path, command: list[str], since: str, message: str | None
) -> None:
    if message is None:
        assert casey(*command, "--since", since).stdout
        return
    before = snapshot(isolated)
    err = casey.error(*command, "--since", since)
    assert err.startswith(message), err
    if "is not a date" in message:
        assert err.endswith("or a meeting ref (M5: that meeting's date)")
    assert snapshot(isolated) == before


# ---------------------------------------------------------------- report --since


def test_report_since_takes_every_form(casey: Casey) -> None:
    """Each form gives the paper of the day it stands for: the paper names the start of its
    period, so another day gives another paper. A relative --since counts from the paper's
    day: today, or the --as-at day."""
    meeting = add_meeting(casey, "2026-11-19")
    cases = [
        ("2026-11-20", (), "yesterday"),
        ("2026-11-26", (), "-7d"),
        ("2026-12-03", (), "-2w"),
        ("2027-02-19", (), "-3m"),
        ("2026-11-23", (), "19/11/2026"),
        ("2026-11-23", (), "19/11/26"),
        ("2026-11-23", (), meeting),
        ("2026-11-23", (), meeting.lower()),
        ("2026-11-30", ("--as-at", "2026-11-23"), "-4d"),
    ]
    for today, as_at, since in cases:
        want = paper(casey, "--since", "2026-11-19", *as_at, today=today)
        assert want != paper(casey, "--since", "2026-11-18", *as_at, today=today)
        assert paper(casey, "--since", since, *as_at, today=today) == want, (today, since)


def paper(casey: Casey, *args: str, today: str) -> str:
    return str(casey("--today", today, "report", "-b", "islington", *args).stdout)


# ---------------------------------------------------------------- trend --since


def test_trend_since_takes_every_form(casey: Casey) -> None:
    """The trend names the day its first period holds (`since`) and starts its periods
    there; the day cannot be after today, a meeting's date included."""
    meeting = add_meeting(casey, "2026-03-10")
    cases = [
        ("2026-03-11", "yesterday", "2026-03-10"),
        ("2026-03-17", "-7d", "2026-03-10"),
        ("2026-03-24", "-2w", "2026-03-10"),
        ("2026-06-10", "-3m", "2026-03-10"),
        ("2026-11-23", "10/03/2026", "2026-03-10"),
        ("2026-11-23", "10/3/26", "2026-03-10"),
        ("2026-11-23", meeting, "2026-03-10"),
        ("2026-11-23", meeting.lower(), "2026-03-10"),
        ("2026-11-23", "M4", "2024-05-14"),  # the bundled register's meeting
    ]
    for today, since, day in cases:
        data = casey.json("--today", today, "trend", "--since", since)
        assert data["since"] == day, (today, since)
        assert data["periods"][0]["period"] == day[:7]
        assert data["periods"][-1]["as_at"] == today
    later = add_meeting(casey, "2026-12-01", "Next panel")
    assert casey.error("trend", "--since", later) == (
        "Error: --since 2026-12-01 is after today (2026-11-23); the history only tells the "
        "past: give an earlier date"
    )


# ---------------------------------------------------------------- day first on the command line


def test_day_first_dates_on_the_command_line(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--due", "31/01/2027")["ref"]
    assert casey.json("action", "show", ref)["due"] == "2027-01-31"
    moved = casey.json("action", "reschedule", ref, "--due", "28/2/2027", "--reason", "Board asked")
    assert (moved["due"], moved["original_due"]) == ("2027-02-28", "2027-01-31")
    assert add_action("--due", "1/12/26")["due"] == "2026-12-01"
    assert add_action("--due", "-7d")["due"] == "2026-11-16"  # a past due date: overdue
    due_before = casey.json("action", "list", "--due-before", "01/02/2027")
    assert ref not in [i["ref"] for i in due_before]
    assert ref in [i["ref"] for i in casey.json("action", "list", "--due-before", "01/03/2027")]
    assert casey.json("meeting", "add", "Panel", "--date", "19/11/2026")["date"] == "2026-11-19"
    assert casey.json("--today", "01/02/2027", "status")["today"] == "2027-02-01"
    assert casey.json("rec", "update", "casey-7", "--due", "30/06/2027")["due"] == "2027-06-30"


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (
            "31/02/2027",
            "'31/02/2027' is not a real date: February 2027 has 28 days; give a day from 1 to 28",
        ),
        (
            "29/02/2027",
            "'29/02/2027' is not a real date: February 2027 has 28 days; give a day from 1 to 28",
        ),
        ("01/31/2027", "'01/31/2027' is not a real date: dates are day first, so write 31/01/2027"),
        ("00/01/2027", "'00/01/2027' is not a real date; use a valid DD/MM/YYYY (day first)"),
        ("31/01/202", f"'31/01/202' is not a date; use {FORMS}"),
        ("-3y", f"'-3y' is not a date; use {FORMS}"),
    ],
)
def test_impossible_dates_are_one_line_errors(
    casey: Casey, isolated: Path, due: str, message: str
) -> None:
    before = snapshot(isolated)
    err = casey.error("action", "add", "-b", "islington", "--title", "x", "--due", due)
    assert err == f"Error: due: {message}", err
    assert snapshot(isolated) == before
    assert casey("action", "add", "-b", "islington", "--title", "x", "--due", "28/02/2028")


def test_a_leap_day_written_day_first(casey: Casey, add_action: AddAction) -> None:
    assert add_action("--due", "29/02/2028")["due"] == "2028-02-29"
    err = casey.error("action", "add", "-b", "islington", "--title", "y", "--due", "30/02/2028")
    assert err.endswith("February 2028 has 29 days; give a day from 1 to 29")


# ---------------------------------------------------------------- day first in loaded files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_day_first_date_in_a_csv_is_written_out(casey: Casey, tmp_path: Path) -> None:
    """A UK tracker's 31/03/2027 loads as that date, and as a date written out (not read
    relative to the day of the load): loading it again on a later day changes nothing, and
    a later row moving it is a reschedule."""
    path = write(
        tmp_path,
        "tracker.csv",
        "ref,borough,title,owner,status,due\n"
        ",islington,Ward walks in every ward,Scrutiny officer,in-progress,31/03/2027\n"
        ",islington,Ward panel dates,Clerk,not-started,1/4/27\n",
    )
    casey("load", str(path))
    loaded = {i["title"]: i for i in casey.json("action", "list", "-b", "islington")}
    walks, panel = loaded["Ward walks in every ward"], loaded["Ward panel dates"]
    assert (walks["due"], panel["due"]) == ("2027-03-31", "2027-04-01")
    again = casey("--today", "2027-06-01", "load", str(path))
    assert again.stdout.strip().splitlines()[-1] == "0 created, 0 updated, 2 unchanged"
    moved = write(
        tmp_path,
        "moved.csv",
        "ref,borough,title,due,reason\n"
        f"{walks['ref']},islington,Ward walks in every ward,30/04/2027,Committee agreed\n",
    )
    casey("load", str(moved))
    item = casey.json("action", "show", walks["ref"])
    assert (item["due"], item["original_due"]) == ("2027-04-30", "2027-03-31")


def test_a_day_first_date_in_yaml_names_the_same_meeting(casey: Casey, tmp_path: Path) -> None:
    """A meeting is found by name and date; 14/05/2024 is the bundled M4's 2024-05-14, so
    the file's meeting is M4 and nothing is added. (A relative date is refused there.)"""
    meetings = casey.json("meeting", "list")
    m4 = next(m for m in meetings if m["ref"] == "M4")
    assert m4["date"] == "2024-05-14"
    path = write(
        tmp_path,
        "minutes.yaml",
        "version: 1\nmeetings:\n"
        f"  - name: {m4['name']}\n    date: 14/05/2024\n    borough: {m4['borough']}\n"
        "actions:\n  - borough: islington\n    title: Report ward panel attendance\n"
        f"    due: 28/02/2027\n    meeting: {m4['name']}\n",
    )
    casey("load", str(path))
    assert len(casey.json("meeting", "list")) == len(meetings) == 10
    [item] = [
        i for i in casey.json("action", "list") if i["title"] == "Report ward panel attendance"
    ]
    assert item["due"] == "2027-02-28"
    [created] = [e for e in casey.json("history", item["ref"]) if e["field"] == "created"]
    assert created["meeting"].startswith("M4 ")


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_an_impossible_day_first_date_in_a_file_is_located(
    casey: Casey, isolated: Path, tmp_path: Path, fmt: str
) -> None:
    if fmt == "csv":
        text, line = "borough,title,due\nislington,Ward walks,31/02/2027\n", 2
    else:
        text = "version: 1\nactions:\n  - borough: islington\n    title: Ward walks\n"
        text += "    due: 31/02/2027\n"
        line = 5
    path = write(tmp_path, f"bad.{fmt}", text)
    before = snapshot(isolated)
    assert casey.error("load", str(path)) == (
        f"Error: {path}:{line}: due: '31/02/2027' is not a real date: February 2027 has 28 "
        "days; give a day from 1 to 28"
    )
    assert snapshot(isolated) == before


# ---------------------------------------------------------------- day first at the prompt


def test_a_day_first_date_at_the_prompt(casey: Casey) -> None:
    """`action add` at a terminal checks the due date as typed: an impossible day-first
    date is asked again with the reason, a real one is stored."""
    from test_prompts import answer, confirm, spawn

    child = spawn("action", "add", "-b", "islington", "--format", "json")
    answer(child, "Title", "Typed")
    answer(child, "Owner", "Clerk")
    answer(child, "Due date", "31/02/2027")
    child.expect("February 2027 has 28 days; give a day from 1 to 28")
    answer(child, "Due date", "31/01/2027")
    for question in ("Recommendation", "Status", "Note", "Meeting"):
        answer(child, question, "")
    shown = confirm(casey, child)
    assert (shown["title"], shown["due"]) == ("Typed", "2027-01-31")


def test_a_meeting_cited_with_its_date_day_first(casey: Casey, add_action: AddAction) -> None:
    """`--meeting 'NAME (DATE)'` takes the date in either written form."""
    ref = add_meeting(casey, "2026-11-19")
    other = add_meeting(casey, "2026-12-17")  # the same name on another day
    for cited in ("Ward panel (19/11/2026)", "ward panel (19/11/26)", "Ward panel (2026-11-19)"):
        action = add_action("--meeting", cited, title=cited)["ref"]
        [created] = casey.json("history", action)
        assert created["meeting"].startswith(f"{ref} "), (cited, created["meeting"])
    assert other != ref
    assert casey.error(
        "action", "add", "-b", "islington", "--title", "x", "--meeting", "Ward panel (31/11/2026)"
    ) == (
        "Error: meeting: '31/11/2026' is not a real date: November 2026 has 30 days; give a "
        "day from 1 to 30"
    )
