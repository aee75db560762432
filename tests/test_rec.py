"""`casey rec ...` through the real CLI: list, show (with actions per borough), update."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from conftest import snapshot

if TYPE_CHECKING:
    from conftest import Casey

REGISTER = Path(__file__).resolve().parents[1] / "data" / "recommendations.yaml"
# The item object (docs/contract.md), written out rather than imported: the test checks the code.
ITEM_FIELDS = [
    "ref",
    "kind",
    "borough",
    "source",
    "recommendation",
    "title",
    "owner",
    "status",
    "due",
    "original_due",
    "days_overdue",
    "rag",
    "progress",
    "slips",
    "assurance",
    "created",
    "updated",
    "completed",
    "verification",
    "latest_update",
    "latest_update_on",
    "reported_rag",
    "tracker_ref",
    "due_text",
    "as_of",
]
AddAction = Callable[..., dict[str, Any]]


# ---------------------------------------------------------------- helpers


@functools.cache
def register_recs() -> dict[str, dict[str, Any]]:
    """The bundled register's recommendations by ref, each with its source's code and borough."""
    data = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    recs = {}
    for source in data["sources"]:
        for rec in source.get("recommendations", []):
            recs[f"{source['code']}-{rec['number']}"] = {
                **rec,
                "source": source["code"],
                "borough": source.get("borough") or "london",
            }
    return recs


def iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def listed(casey: Casey, *filters: str) -> list[dict[str, Any]]:
    return casey.json("rec", "list", *filters)  # type: ignore[no-any-return]


def refs(items: list[dict[str, Any]]) -> list[str]:
    return [i["ref"] for i in items]


def shown(casey: Casey, ref: str) -> dict[str, Any]:
    return casey.json("rec", "show", ref)  # type: ignore[no-any-return]


def new_history(casey: Casey, ref: str) -> list[dict[str, Any]]:
    """The events after the register's seeding of a bundled recommendation: its 'created'
    event, the progress updates the register gives, and last the `as_of` of its latest
    information, all by casey-cli."""
    history = shown(casey, ref)["history"]
    assert history[0]["field"] == "created"
    seeded = next(i for i, e in enumerate(history) if e["field"] == "as_of") + 1
    assert (history[seeded - 1]["old"], history[seeded - 1]["new"]) == (
        None,
        iso(register_recs()[ref]["as_of"]),
    )
    assert {e["by"] for e in history[:seeded]} == {"casey-cli"}
    return history[seeded:]  # type: ignore[no-any-return]


def new_events(casey: Casey, ref: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """(field, old, new, note) of the events after the register's seeding."""
    return [(e["field"], e["old"], e["new"], e["note"]) for e in new_history(casey, ref)]


def ref_key(ref: str) -> tuple[str, int]:
    code, _, number = ref.rpartition("-")
    return code, int(number)


# ---------------------------------------------------------------- list


def test_list_gives_every_register_recommendation_as_items(casey: Casey) -> None:
    expected = register_recs()
    items = listed(casey)
    assert sorted(refs(items)) == sorted(expected)
    for item in items:
        rec = expected[item["ref"]]
        assert list(item) == ITEM_FIELDS
        assert (item["kind"], item["source"], item["borough"], item["recommendation"]) == (
            "recommendation",
            rec["source"],
            rec["borough"],
            None,
        )
        assert (item["title"], item["owner"], item["due"]) == (
            rec["title"],
            rec.get("owner"),
            iso(rec.get("due")),
        )
        assert item["status"] == rec.get("status", "not-started")
        assert item["as_of"] == iso(rec["as_of"])  # every bundled item says when it was known


def test_list_is_deterministic_and_numbers_sort_as_numbers(casey: Casey) -> None:
    items = listed(casey, "--source", "casey")
    assert items == listed(casey, "--source", "casey")
    undated = [ref_key(i["ref"]) for i in items if i["due"] is None]
    assert len(undated) >= 10 and undated == sorted(undated)  # casey-2 before casey-10


def test_list_orders_by_due_date_then_ref(casey: Casey) -> None:
    items = listed(casey)
    assert any(i["due"] for i in items), "the register has a dated recommendation"
    dated = [(i["due"], ref_key(i["ref"])) for i in items if i["due"]]
    undated = [ref_key(i["ref"]) for i in items if not i["due"]]
    assert [i["ref"] for i in items[: len(dated)]] == [
        f"{code}-{n}" for _, (code, n) in sorted(dated)
    ]
    assert undated == sorted(undated)


@pytest.mark.parametrize("given", ["casey", "islington-plan", "New-Met-For-London"])
def test_list_filters_by_source(casey: Casey, given: str) -> None:
    code = given.lower()
    expected = sorted(ref for ref, rec in register_recs().items() if rec["source"] == code)
    assert expected, f"the register has {code} recommendations"
    assert sorted(refs(listed(casey, "--source", given))) == expected


@pytest.mark.parametrize("theme", ["new-oversight-and-accountability", "frontline", "Standards"])
def test_list_filters_by_theme(casey: Casey, theme: str) -> None:
    expected = sorted(ref for ref, rec in register_recs().items() if rec["theme"] == theme.lower())
    assert expected
    assert sorted(refs(listed(casey, "--theme", theme))) == expected


def test_list_combines_source_and_theme(casey: Casey) -> None:
    expected = sorted(
        ref
        for ref, rec in register_recs().items()
        if rec["theme"] == "frontline" and rec["source"] == "islington-plan"
    )
    assert expected
    assert (
        sorted(refs(listed(casey, "--source", "islington-plan", "--theme", "frontline")))
        == expected
    )
    assert all(i["borough"] == "islington" for i in listed(casey, "--source", "islington-plan"))


# ---------------------------------------------------------------- show


def test_show_gives_the_item_details_and_history(casey: Casey) -> None:
    rec = register_recs()["casey-7"]
    detail = shown(casey, "CASEY-7")  # refs are case-insensitive
    assert list(detail)[: len(ITEM_FIELDS)] == ITEM_FIELDS
    assert (detail["ref"], detail["title"], detail["number"], detail["theme"]) == (
        "casey-7",
        rec["title"],
        7,
        rec["theme"],
    )
    assert (detail["addressed_to"], detail["response"]) == (
        rec["addressed_to"],
        rec.get("response", "pending"),
    )
    assert detail["as_of"] == iso(rec["as_of"])
    assert [(e["field"], e["new"]) for e in detail["history"]] == [
        ("created", rec["title"]),
        ("as_of", iso(rec["as_of"])),
    ]
    assert detail["actions"] == []


def test_show_lists_its_actions_per_borough(casey: Casey, add_action: AddAction) -> None:
    isl = add_action(
        "--recommendation", "casey-7", "--due", "2026-12-01", title="Vetting review in Islington"
    )
    hck_late = add_action(
        "--recommendation",
        "casey-7",
        "--due",
        "2027-03-01",
        borough="hackney",
        title="Vetting review in Hackney",
    )
    hck_soon = add_action(
        "-r", "casey-7", "--due", "2026-12-05", borough="hackney", title="Vetting audit in Hackney"
    )
    add_action("--recommendation", "casey-11", title="Another recommendation's action")
    add_action(title="Unlinked action")
    actions = shown(casey, "casey-7")["actions"]
    assert [a["ref"] for a in actions] == [hck_soon["ref"], hck_late["ref"], isl["ref"]]
    assert actions == [hck_soon, hck_late, isl]  # the same item objects `action add` gave
    assert {(a["recommendation"], a["source"]) for a in actions} == {("casey-7", "casey")}


def test_show_table_lists_action_titles_literally(casey: Casey, add_action: AddAction) -> None:
    add_action("--recommendation", "casey-7", title="[Casey] 2023 vetting [bold]now")
    out = casey("rec", "show", "casey-7").stdout
    assert "[Casey] 2023 vetting [bold]now" in out


# ---------------------------------------------------------------- update


def test_update_owner_status_and_response_with_history(casey: Casey) -> None:
    rec = register_recs()["casey-7"]
    item = casey.json(
        "rec",
        "update",
        "casey-7",
        "--owner",
        "MOPAC",
        "--status",
        "In Progress",
        "--response",
        "Accepted in principle",
        "--progress",
        "25",
        "--note",
        "Agreed at the Policing Board",
        "--by",
        "Clerk Jones",
    )
    assert list(item) == ITEM_FIELDS
    assert (item["owner"], item["status"], item["progress"]) == ("MOPAC", "in-progress", 25)
    assert shown(casey, "casey-7")["response"] == "accepted-in-principle"
    assert item["as_of"] is None  # the register's date no longer stands for the item
    history = new_history(casey, "casey-7")
    assert sorted((e["field"], e["old"], e["new"]) for e in history) == sorted(
        [
            ("owner", rec.get("owner"), "MOPAC"),
            ("status", rec.get("status", "not-started"), "in-progress"),
            ("response", rec.get("response", "pending"), "accepted-in-principle"),
            ("progress", None, "25"),
            ("as_of", iso(rec["as_of"]), None),
        ]
    )
    assert {(e["by"], e["note"]) for e in history} == {
        ("Clerk Jones", "Agreed at the Policing Board")
    }


@pytest.mark.parametrize(
    "given", ["accepted_in_principle", "ACCEPTED IN PRINCIPLE", "Accepted-In-Principle"]
)
def test_response_input_is_normalised(casey: Casey, given: str) -> None:
    casey("rec", "update", "casey-9", "--response", given)
    assert shown(casey, "casey-9")["response"] == "accepted-in-principle"


def test_update_by_defaults_to_casey_user(casey: Casey) -> None:
    casey("rec", "update", "casey-8", "--owner", "Met Commissioner")
    assert [(e["field"], e["by"]) for e in new_history(casey, "casey-8")] == [
        ("owner", "test-clerk"),
        ("as_of", "test-clerk"),
    ]


def test_update_complete_sets_completion_date(casey: Casey) -> None:
    item = casey.json("--today", "2026-12-01", "rec", "update", "casey-8", "--status", "complete")
    assert (item["status"], item["completed"], item["rag"]) == ("complete", "2026-12-01", "blue")


def test_first_due_needs_no_reason_and_later_moves_count_as_slips(casey: Casey) -> None:
    assert register_recs()["casey-3"].get("due") is None
    first = casey.json("rec", "update", "casey-3", "--due", "+1m")  # CASEY_TODAY 2026-11-23
    assert (first["due"], first["original_due"], first["slips"]) == ("2026-12-23", "2026-12-23", 0)
    later = casey.json(
        "rec", "update", "casey-3", "--due", "2027-03-21", "--reason", "Fairfield review"
    )
    assert (later["due"], later["original_due"], later["slips"]) == ("2027-03-21", "2026-12-23", 1)
    earlier = casey.json(
        "rec", "update", "casey-3", "--due", "2027-02-01", "--reason", "Brought forward"
    )
    assert (earlier["due"], earlier["original_due"], earlier["slips"]) == (
        "2027-02-01",
        "2026-12-23",
        1,
    )
    assert new_events(casey, "casey-3") == [
        ("due", None, "2026-12-23", None),
        ("original_due", None, "2026-12-23", None),
        ("as_of", iso(register_recs()["casey-3"]["as_of"]), None, None),  # the first change only
        ("due", "2026-12-23", "2027-03-21", "Fairfield review"),
        ("slips", "0", "1", "Fairfield review"),
        ("due", "2027-03-21", "2027-02-01", "Brought forward"),
    ]


def test_moving_a_register_due_date_keeps_it_as_original(casey: Casey) -> None:
    dated = [
        ref
        for ref, rec in register_recs().items()
        if rec.get("due") and rec.get("status") not in ("complete", "dropped")
    ]
    assert dated, "the register has an open recommendation with a due date"
    ref, original = dated[0], iso(register_recs()[dated[0]]["due"])
    as_of = iso(register_recs()[ref]["as_of"])
    item = casey.json("rec", "update", ref, "--due", "2027-06-30", "--reason", "Review slipped")
    assert (item["due"], item["original_due"], item["slips"]) == ("2027-06-30", original, 1)
    assert new_events(casey, ref) == [
        ("due", original, "2027-06-30", "Review slipped"),
        ("slips", "0", "1", "Review slipped"),
        ("as_of", as_of, None, "Review slipped"),
    ]


def test_update_with_meeting_cites_it(casey: Casey) -> None:
    mref = casey("meeting", "add", "London Policing Board (test)", "--date", "2026-11-20").stdout
    casey("rec", "update", "casey-10", "--owner", "MOPAC", "--meeting", mref.strip())
    cited = f"{mref.strip()} London Policing Board (test) (2026-11-20)"
    history = new_history(casey, "casey-10")
    assert [(e["field"], e["meeting"]) for e in history] == [("owner", cited), ("as_of", cited)]


# ---------------------------------------------------------------- errors

ERRORS: list[tuple[str, list[str], list[str]]] = [
    (
        "show unknown ref",
        ["rec", "show", "casey-77"],
        ["casey-77", "did you mean 'casey-7'", "casey rec list"],
    ),
    (
        "update unknown ref",
        ["rec", "update", "casey-77", "--owner", "x"],
        ["casey-77", "did you mean 'casey-7'", "casey rec list"],
    ),
    (
        "update bad response",
        ["rec", "update", "casey-7", "--owner", "x", "--response", "acepted"],
        ["acepted", "did you mean 'accepted'", "accepted-in-principle, rejected, pending"],
    ),
    (
        "update bad status",
        ["rec", "update", "casey-7", "--owner", "x", "--status", "blockd"],
        ["blockd", "did you mean 'blocked'", "not-started"],
    ),
    (
        "update progress 150",
        ["rec", "update", "casey-7", "--owner", "x", "--progress", "150"],
        ["150", "0-100"],
    ),
    ("update nothing", ["rec", "update", "casey-7"], ["nothing to change", "--owner"]),
    (
        "update impossible date",
        ["rec", "update", "casey-7", "--due", "2023-02-30"],
        ["2023-02-30", "not a real date"],
    ),
    (
        "update unknown meeting",
        ["rec", "update", "casey-7", "--owner", "x", "--meeting", "M99"],
        ["M99", "casey meeting list"],
    ),
    (
        "list unknown source",
        ["rec", "list", "--source", "casy"],
        ["casy", "did you mean 'casey'", "casey source list"],
    ),
]


@pytest.mark.parametrize("args, fragments", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_names_problem_and_fix_and_writes_nothing(
    casey: Casey, isolated: Path, args: list[str], fragments: list[str]
) -> None:
    before = snapshot(isolated)
    err = casey.error(*args)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(isolated) == before


def test_moving_a_due_date_without_reason_writes_nothing(casey: Casey, isolated: Path) -> None:
    casey("rec", "update", "casey-4", "--due", "2027-01-31")
    before = snapshot(isolated)
    # The owner change comes first in the same command: it must be rolled back too.
    err = casey.error("rec", "update", "casey-4", "--owner", "MOPAC", "--due", "2027-02-28")
    assert "casey-4" in err and "--reason" in err
    assert snapshot(isolated) == before
    assert shown(casey, "casey-4")["owner"] is None


def test_closed_recommendation_cannot_be_rescheduled(casey: Casey, isolated: Path) -> None:
    casey("rec", "update", "casey-5", "--status", "dropped")
    before = snapshot(isolated)
    err = casey.error("rec", "update", "casey-5", "--due", "2027-01-31")
    assert "casey-5 is dropped" in err and "--status in-progress" in err
    assert snapshot(isolated) == before
