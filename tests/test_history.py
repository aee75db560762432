"""`casey history` through the real CLI: the audit trail, its filters and its guarantees."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from conftest import snapshot, store_url
from sqlalchemy.pool import NullPool
from sqlmodel.sql.sqltypes import UTCDateTime

from casey_cli.schemas import EVENT_COLUMNS

if TYPE_CHECKING:
    from conftest import Casey

AddAction = Callable[..., dict[str, Any]]


# ---------------------------------------------------------------- helpers


def history(casey: Casey, *args: str) -> list[dict[str, Any]]:
    return casey.json("history", *args)  # type: ignore[no-any-return]


def backdate_history(db: Path | str, day: str, midnight: str) -> None:
    """Give --since a past: every event so far moves to `day` (same time of day), except the
    first, which moves to exactly midnight starting `midnight`. (Through SQLAlchemy's own
    column type, so the times are stored as each backend keeps them.)"""
    engine = sa.create_engine(store_url(db), poolclass=NullPool)
    history_table = sa.table("history", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()))
    with engine.begin() as conn:
        rows = conn.execute(sa.select(history_table).order_by(history_table.c.id)).all()
        moved = [{"key": rows[0].id, "at": datetime.fromisoformat(f"{midnight}T00:00:00+00:00")}]
        moved += [
            {"key": r.id, "at": datetime.combine(date.fromisoformat(day), r.at.timetz())}
            for r in rows[1:]
        ]
        conn.execute(
            history_table.update()
            .where(history_table.c.id == sa.bindparam("key"))
            .values(at=sa.bindparam("at")),
            moved,
        )
    engine.dispose()


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"].replace("Z", "+00:00"))


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- history filters


@pytest.mark.parametrize("form", ["{ref}", "{num}", "{lower}"])
def test_history_of_an_action(casey: Casey, add_action: AddAction, form: str) -> None:
    ref = add_action("--owner", "Insp Patel")["ref"]
    other = add_action()["ref"]
    casey("action", "update", ref, "--status", "blocked", "--note", "Waiting on data")
    casey("action", "update", other, "--status", "blocked")
    events = history(casey, form.format(ref=ref, num=ref[1:], lower=ref.lower()))
    assert [(e["ref"], e["field"], e["old"], e["new"]) for e in events] == [
        (ref, "created", None, "Test action"),
        (ref, "status", "not-started", "blocked"),
    ]
    assert events[1]["note"] == "Waiting on data"
    assert events == casey.json("action", "show", ref)["history"]


def test_history_of_a_recommendation(casey: Casey) -> None:
    # The register's seeding: the item, and the day of its latest information.
    seeded = history(casey, "casey-7")
    assert [(e["ref"], e["kind"], e["field"]) for e in seeded] == [
        ("casey-7", "recommendation", "created"),
        ("casey-7", "recommendation", "as_of"),
    ]
    as_of = seeded[1]["new"]
    assert as_of and as_of == casey.json("rec", "show", "casey-7")["as_of"]
    casey("rec", "update", "casey-7", "--owner", "MOPAC")
    casey("rec", "update", "casey-8", "--owner", "MOPAC")
    events = history(casey, "Casey-7")
    assert events[:2] == seeded
    assert [(e["ref"], e["field"], e["old"], e["new"]) for e in events[2:]] == [
        ("casey-7", "owner", None, "MOPAC"),
        ("casey-7", "as_of", as_of, None),  # the news supersedes the register's date
    ]


def test_history_by_borough(casey: Casey, add_action: AddAction) -> None:
    hackney = add_action(borough="hackney")["ref"]
    camden = add_action(borough="camden")["ref"]
    casey("action", "update", hackney, "--owner", "Insp Patel")
    casey("rec", "update", "islington-plan-2", "--owner", "Central North BCU")
    casey("rec", "update", "casey-7", "--owner", "MOPAC")
    assert [(e["ref"], e["field"]) for e in history(casey, "--borough", "hackney")] == [
        (hackney, "created"),
        (hackney, "owner"),
    ]
    assert [e["ref"] for e in history(casey, "--borough", "camden")] == [camden]
    # A borough plan's recommendation belongs to its borough; a force-wide one to london.
    islington = {(e["ref"], e["field"]) for e in history(casey, "--borough", "islington")}
    london = {(e["ref"], e["field"]) for e in history(casey, "--borough", "london")}
    assert ("islington-plan-2", "owner") in islington and ("casey-7", "owner") not in islington
    assert ("casey-7", "owner") in london and ("islington-plan-2", "owner") not in london
    assert not {hackney, camden} & {ref for ref, _ in islington | london}


def test_history_since_filters_on_when_the_change_happened(
    casey: Casey, isolated: Path, add_action: AddAction
) -> None:
    old_count = len(history(casey))
    backdate_history(isolated, "2024-01-15", midnight="2024-01-16")
    backdated = history(casey)
    assert backdated[0]["at"] == "2024-01-16T00:00:00Z"
    assert {e["at"][:10] for e in backdated[1:]} == {"2024-01-15"}
    ref = add_action()["ref"]
    casey("rec", "update", "casey-7", "--owner", "MOPAC")
    everything = history(casey)
    new = everything[old_count:]
    assert [(e["ref"], e["field"]) for e in new] == [
        (ref, "created"),
        ("casey-7", "owner"),
        ("casey-7", "as_of"),  # the bundled item's register date, superseded
    ]

    assert history(casey, "--since", "2024-01-15") == everything
    assert history(casey, "--since", "2024-01-16") == everything[:1] + new  # on or after
    assert history(casey, "--since", "2024-01-17") == new
    assert history(casey, "--since", now().date().isoformat()) == new
    assert history(casey, "--since", (now() + timedelta(days=2)).date().isoformat()) == []
    # A relative --since follows --today; the filter is on the real time of the change.
    assert casey.json("--today", "2024-01-14", "history", "--since", "tomorrow") == everything
    assert casey.json("--today", "2024-01-16", "history", "--since", "tomorrow") == new
    # Filters combine.
    assert history(casey, "casey-7", "--since", "2024-01-17") == new[1:]
    assert history(casey, "--borough", "london", "--since", "2024-01-17") == new[1:]


def test_history_csv_has_the_json_columns(casey: Casey, add_action: AddAction) -> None:
    ref = add_action(title="=cmd|' /C calc'!A0")["ref"]
    [event] = history(casey, ref)
    rows = list(csv.reader(io.StringIO(casey("history", ref, "--format", "csv").stdout)))
    assert rows[0] == list(event)
    assert dict(zip(rows[0], rows[1], strict=True))["new"] == "'=cmd|' /C calc'!A0"  # formula guard


def test_each_event_shows_the_account_that_made_it_beside_by(
    casey: Casey, add_action: AddAction, account: str
) -> None:
    """`account` is the last field of the event object (JSON and CSV): the store's account,
    whatever --by said. A person's table shows it beside `by` only when the two differ."""
    ref = add_action("--by", "Insp Patel")["ref"]
    casey("action", "update", ref, "--owner", "Insp Patel", "--by", account)
    events = history(casey, ref)
    assert list(events[0]) == list(EVENT_COLUMNS) and EVENT_COLUMNS[-1] == "account"
    assert [(e["by"], e["account"]) for e in events] == [
        ("Insp Patel", account),
        (account, account),
    ]
    rows = list(csv.reader(io.StringIO(casey("history", ref, "--format", "csv").stdout)))
    assert rows[0][-1] == "account" and [r[-1] for r in rows[1:]] == [account, account]
    table = casey("history", ref).stdout
    assert f"Insp Patel ({account})" in table
    assert f"{account} ({account})" not in table
    shown = casey("action", "show", ref).stdout
    assert f"Insp Patel ({account})" in shown


# ---------------------------------------------------------------- the audit trail's guarantees


def test_history_timestamps_are_the_real_clock_not_today(
    casey: Casey, add_action: AddAction
) -> None:
    start = now().replace(microsecond=0)
    item = casey.json(
        "--today",
        "2020-01-01",
        "action",
        "add",
        "--borough",
        "islington",
        "--title",
        "Backdated report",
        "--due",
        "tomorrow",
    )
    casey("--today", "2020-01-01", "action", "done", item["ref"])
    end = now()
    assert item["due"] == "2020-01-02"  # dates set by a command follow --today
    assert casey.json("action", "show", item["ref"])["completed"] == "2020-01-01"
    events = history(casey, item["ref"])
    assert [e["field"] for e in events] == ["created", "status", "completed"]
    for event in events:
        assert start <= at(event) <= end, event["at"]  # ...but the audit trail never does
        assert not event["at"].startswith("2020-01-01")
    created = datetime.fromisoformat(item["created"].replace("Z", "+00:00"))
    assert start <= created <= end


def test_history_only_grows(
    casey: Casey, add_action: AddAction, verifier: Callable[..., Any]
) -> None:
    ref = add_action("--owner", "Insp Patel", "--due", "2026-12-01")["ref"]
    earlier = history(casey)
    casey("action", "update", ref, "--status", "in-progress", "--title", "Renamed")
    casey("action", "reschedule", ref, "--due", "2026-12-20", "--reason", "Data late")
    casey("action", "done", ref, "--evidence", "https://example.org/minute")
    verifier("action", "verify", ref, "--by", "Scrutiny officer")
    casey("rec", "update", "casey-7", "--owner", "MOPAC")
    casey.error("action", "done", ref)  # a refused write adds nothing
    later = history(casey)
    assert later[: len(earlier)] == earlier  # earlier events, ids included, are untouched
    added = later[len(earlier) :]
    ids = [e["id"] for e in added]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert min(ids) > max(e["id"] for e in earlier)
    assert sorted(e["field"] for e in added) == sorted(
        [
            "status",
            "title",
            "due",
            "slips",
            "status",
            "completed",
            "evidence",
            "assurance",
            "verified_by",
            "verified_on",
            "owner",
            "as_of",  # casey-7's register date, superseded by the owner change
        ]
    )


# ---------------------------------------------------------------- history errors


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["A999"], ["A999", "casey action list"]),
        (["999"], ["A999", "casey action list"]),
        (["casey-77"], ["casey-77", "did you mean 'casey-7'", "casey rec list"]),
        (["--borough", "islingtn"], ["islingtn", "did you mean 'islington'"]),
        (["--since", "2023-02-30"], ["2023-02-30", "not a real date"]),
    ],
    ids=[
        "unknown action",
        "unknown bare number",
        "unknown recommendation",
        "unknown borough",
        "impossible date",
    ],
)
def test_history_errors(
    casey: Casey, isolated: Path, args: list[str], fragments: list[str]
) -> None:
    before = snapshot(isolated)
    err = casey.error("history", *args)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(isolated) == before
