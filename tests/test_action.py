"""`casey action ...` through the real CLI: add, update, done, verify, reschedule, show, list."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import snapshot, sql

if TYPE_CHECKING:
    from conftest import Casey

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
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")

AddAction = Callable[..., dict[str, Any]]
Verifier = Callable[..., Any]  # casey as another account (conftest's verifier)


# ---------------------------------------------------------------- helpers


def listed(casey: Casey, *filters: str) -> list[dict[str, Any]]:
    return casey.json("action", "list", *filters)  # type: ignore[no-any-return]


def refs(items: list[dict[str, Any]]) -> list[str]:
    return [i["ref"] for i in items]


def shown(casey: Casey, ref: str) -> dict[str, Any]:
    return casey.json("action", "show", ref)  # type: ignore[no-any-return]


def changes(casey: Casey, ref: str) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) of every history event after the 'created' one."""
    history = shown(casey, ref)["history"]
    assert history[0]["field"] == "created"
    return [(e["field"], e["old"], e["new"]) for e in history[1:]]


def number(ref: str) -> int:
    return int(ref.lstrip("A"))


# ---------------------------------------------------------------- add


def test_add_returns_the_item_object_in_spec_order(casey: Casey, add_action: AddAction) -> None:
    item = add_action(
        "--owner",
        "Supt Jane Smith",
        "--due",
        "2027-01-04",
        "--progress",
        "10",
        "--recommendation",
        "casey-7",
        borough="hackney",
        title="Publish ward panel dates",
    )
    assert list(item) == ITEM_FIELDS
    assert re.fullmatch(r"A\d+", item["ref"])
    expected = {
        "kind": "action",
        "borough": "hackney",
        "source": "casey",
        "recommendation": "casey-7",
        "title": "Publish ward panel dates",
        "owner": "Supt Jane Smith",
        "status": "not-started",
        "due": "2027-01-04",
        "original_due": "2027-01-04",
        "days_overdue": None,
        "rag": "green",  # 42 days ahead: beyond the 14-day window
        "progress": 10,
        "slips": 0,
        "assurance": "unverified",
        "completed": None,
        "verification": None,
        "latest_update": None,
        "latest_update_on": None,
        "reported_rag": None,
        "tracker_ref": None,
        "due_text": None,
        "as_of": None,  # a register's date: an action added by hand has none
    }
    assert {k: item[k] for k in expected} == expected
    assert TIMESTAMP.match(item["created"]) and TIMESTAMP.match(item["updated"])
    # The same object comes back from list and show.
    assert [i for i in listed(casey) if i["ref"] == item["ref"]] == [item]
    assert {k: shown(casey, item["ref"])[k] for k in ITEM_FIELDS} == item


def test_add_prints_only_the_ref_in_text_format(casey: Casey) -> None:
    before = refs(listed(casey))
    result = casey("action", "add", "--borough", "camden", "--title", "Text output")
    ref = result.stdout.strip()
    assert result.stdout == f"{ref}\n"
    assert re.fullmatch(r"A\d+", ref)
    assert number(ref) == max(number(r) for r in before) + 1
    assert "Text output" in result.stderr  # the confirmation is for people, on stderr


def test_add_records_a_created_event_with_note_by_and_meeting(
    casey: Casey, add_action: AddAction
) -> None:
    item = add_action("--note", "Agreed in principle", "--by", "Cllr Woolf", title="Ward panels")
    [event] = shown(casey, item["ref"])["history"]
    assert (event["field"], event["old"], event["new"]) == ("created", None, "Ward panels")
    assert (event["by"], event["note"], event["ref"], event["kind"]) == (
        "Cllr Woolf",
        "Agreed in principle",
        item["ref"],
        "action",
    )


@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("+2w", None, "2026-12-07"),  # CASEY_TODAY is 2026-11-23
        ("tomorrow", None, "2026-11-24"),
        ("today", None, "2026-11-23"),
        ("+10d", None, "2026-12-03"),
        ("+2w", "2026-01-10", "2026-01-24"),  # --today wins over CASEY_TODAY
        ("tomorrow", "2025-12-31", "2026-01-01"),
        ("+1m", "2026-01-31", "2026-02-28"),  # clamped to the end of February
    ],
)
def test_relative_due_dates_follow_the_report_date(
    casey: Casey, text: str, today: str | None, expected: str
) -> None:
    prefix = ["--today", today] if today else []
    item = casey.json(
        *prefix, "action", "add", "--borough", "islington", "--title", "Dated", "--due", text
    )
    assert (item["due"], item["original_due"]) == (expected, expected)


@pytest.mark.parametrize("given", ["In Progress", "in_progress", "IN-PROGRESS", "in-progress"])
def test_status_input_is_normalised(casey: Casey, add_action: AddAction, given: str) -> None:
    assert add_action("--status", given)["status"] == "in-progress"
    ref = add_action()["ref"]
    assert casey.json("action", "update", ref, "--status", given)["status"] == "in-progress"
    assert ("status", "not-started", "in-progress") in changes(casey, ref)


def test_add_complete_sets_completion_date_and_blue(add_action: AddAction) -> None:
    item = add_action("--status", "Complete", "--due", "2026-11-01")
    assert (item["status"], item["completed"], item["rag"], item["days_overdue"]) == (
        "complete",
        "2026-11-23",
        "blue",
        None,
    )


def test_overdue_item_counts_days_from_the_report_date(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--due", "2026-11-01")["ref"]
    assert [(i["days_overdue"], i["rag"]) for i in listed(casey) if i["ref"] == ref] == [
        (22, "red")
    ]
    later = [i for i in casey.json("--today", "2026-12-11", "action", "list") if i["ref"] == ref]
    assert (later[0]["days_overdue"], later[0]["rag"]) == (40, "red")


# ---------------------------------------------------------------- refs, meetings, who


@pytest.mark.parametrize("form", ["{ref}", "{num}", "{lower}"])
def test_refs_accept_a14_14_and_a14(casey: Casey, add_action: AddAction, form: str) -> None:
    ref = add_action(title="Ref forms")["ref"]
    given = form.format(ref=ref, num=ref[1:], lower=ref.lower())
    assert shown(casey, given)["ref"] == ref
    assert casey.json("action", "update", given, "--owner", "Insp Patel")["owner"] == "Insp Patel"
    assert changes(casey, ref) == [("owner", None, "Insp Patel")]


def _meeting(casey: Casey, name: str, day: str) -> str:
    result = casey("meeting", "add", name, "--date", day, "--borough", "islington")
    return str(result.stdout).strip()


@pytest.mark.parametrize("cite", ["ref", "name", "lower-case name"])
def test_meeting_cited_by_ref_or_name(casey: Casey, add_action: AddAction, cite: str) -> None:
    mref = _meeting(casey, "Islington Ward Panel Review", "2026-11-19")
    given = {
        "ref": mref,
        "name": "Islington Ward Panel Review",
        "lower-case name": "islington ward panel review",
    }[cite]
    ref = add_action("--meeting", given)["ref"]
    casey("action", "update", ref, "--status", "blocked", "--meeting", given)
    meetings = [e["meeting"] for e in shown(casey, ref)["history"]]
    expected = f"{mref} Islington Ward Panel Review (2026-11-19)"
    assert meetings == [expected, expected]


def test_meeting_name_shared_by_two_dates_needs_the_ref(
    casey: Casey, add_action: AddAction, isolated: Path
) -> None:
    first = _meeting(casey, "Safer Islington Board", "2026-10-01")
    second = _meeting(casey, "Safer Islington Board", "2026-11-01")
    ref = add_action()["ref"]
    before = snapshot(isolated)
    err = casey.error("action", "update", ref, "--owner", "x", "--meeting", "Safer Islington Board")
    assert "Safer Islington Board" in err and first in err and second in err
    assert "ref" in err
    assert snapshot(isolated) == before


def test_by_option_and_casey_user_are_recorded(
    casey: Casey, add_action: AddAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = add_action()["ref"]  # CASEY_USER=test-clerk
    casey("action", "update", ref, "--owner", "Insp Patel", "--by", "Cllr Woolf")
    monkeypatch.setenv("CASEY_USER", "Clerk Two")
    casey("action", "update", ref, "--progress", "30")
    monkeypatch.delenv("CASEY_USER")
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "os-person")
    casey("action", "update", ref, "--progress", "40")
    casey("action", "done", ref, "--by", "Supt Lee")
    history = shown(casey, ref)["history"]
    assert [(e["field"], e["by"]) for e in history] == [
        ("created", "test-clerk"),
        ("owner", "Cllr Woolf"),
        ("progress", "Clerk Two"),
        ("progress", "os-person"),
        ("status", "Supt Lee"),
        ("completed", "Supt Lee"),
    ]


# ---------------------------------------------------------------- update


def test_update_changes_fields_and_records_one_event_each(
    casey: Casey, add_action: AddAction
) -> None:
    ref = add_action("--owner", "Met Central North BCU", title="Old title")["ref"]
    item = casey.json(
        "action",
        "update",
        ref,
        "--title",
        "New title",
        "--owner",
        "Insp Patel",
        "--status",
        "blocked",
        "--progress",
        "40",
        "--note",
        "Agreed at PPS",
    )
    assert list(item) == ITEM_FIELDS
    assert (item["title"], item["owner"], item["status"], item["progress"], item["rag"]) == (
        "New title",
        "Insp Patel",
        "blocked",
        40,
        "amber",
    )
    history = shown(casey, ref)["history"]
    assert sorted((e["field"], e["old"], e["new"]) for e in history[1:]) == [
        ("owner", "Met Central North BCU", "Insp Patel"),
        ("progress", None, "40"),
        ("status", "not-started", "blocked"),
        ("title", "Old title", "New title"),
    ]
    assert {e["note"] for e in history[1:]} == {"Agreed at PPS"}


def test_update_with_only_a_note_records_the_note(casey: Casey, add_action: AddAction) -> None:
    ref = add_action()["ref"]
    casey("action", "update", ref, "--note", "Discussed, no change")
    [event] = shown(casey, ref)["history"][1:]
    assert (event["field"], event["note"]) == ("note", "Discussed, no change")


def test_update_empty_owner_clears_it(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--owner", "Insp Patel")["ref"]
    assert casey.json("action", "update", ref, "--owner", "")["owner"] is None
    assert changes(casey, ref) == [("owner", "Insp Patel", None)]


def test_update_links_and_unlinks_a_recommendation(casey: Casey, add_action: AddAction) -> None:
    ref = add_action()["ref"]
    item = casey.json("action", "update", ref, "--recommendation", "CASEY-11")
    assert (item["recommendation"], item["source"]) == ("casey-11", "casey")
    item = casey.json("action", "update", ref, "--recommendation", "")
    assert (item["recommendation"], item["source"]) == (None, None)


def test_evidence_is_appended_never_replaced(casey: Casey, add_action: AddAction) -> None:
    ref = add_action()["ref"]
    casey("action", "update", ref, "--evidence", "https://example.org/minute-1")
    casey("action", "update", ref, "--evidence", "Ward panel log checked")
    casey("action", "done", ref, "--evidence", "https://example.org/minute-2")
    detail = shown(casey, ref)
    assert detail["evidence"].splitlines() == [
        "https://example.org/minute-1",
        "Ward panel log checked",
        "https://example.org/minute-2",
    ]
    evidence_events = [(e["old"], e["new"]) for e in detail["history"] if e["field"] == "evidence"]
    assert evidence_events[1] == (
        "https://example.org/minute-1",
        "https://example.org/minute-1\nWard panel log checked",
    )
    assert len(evidence_events) == 3


def test_reopening_a_verified_action_clears_completion_and_assurance(
    casey: Casey, add_action: AddAction, verifier: Verifier
) -> None:
    ref = add_action("--owner", "Insp Patel")["ref"]
    casey("action", "done", ref)
    verifier("action", "verify", ref, "--by", "Scrutiny officer")
    item = casey.json("action", "update", ref, "--status", "in progress")
    assert (item["status"], item["completed"], item["assurance"], item["verification"]) == (
        "in-progress",
        None,
        "unverified",
        None,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["action", "update", "A2", "--status", "not-started"],
        ["rec", "update", "casey-1", "--status", "complete"],
    ],
)
def test_an_update_that_changes_nothing_says_so(casey, isolated, args):
    before = snapshot(isolated)
    result = casey(*args)
    assert "unchanged" in result.stderr and "Updated" not in result.stderr
    assert result.stdout.strip() == args[2]
    assert snapshot(isolated) == before


def test_a_real_update_still_says_updated(casey):
    assert "Updated A2." in casey("action", "update", "A2", "--status", "in-progress").stderr


# ---------------------------------------------------------------- done, verify


def test_done_completes_with_the_report_date(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--due", "2026-11-01", "--status", "in-progress")["ref"]
    item = casey.json("--today", "2026-11-30", "action", "done", ref, "--note", "Signed off")
    assert (item["status"], item["completed"], item["rag"], item["days_overdue"]) == (
        "complete",
        "2026-11-30",
        "blue",
        None,
    )
    assert changes(casey, ref) == [
        ("status", "in-progress", "complete"),
        ("completed", None, "2026-11-30"),
    ]
    assert {e["note"] for e in shown(casey, ref)["history"][1:]} == {"Signed off"}


def test_verify_records_verifier_date_and_evidence(
    casey: Casey, add_action: AddAction, account: str, verifier: Verifier
) -> None:
    ref = add_action("--owner", "Insp Patel")["ref"]
    casey("action", "done", ref)
    item = json.loads(
        verifier(
            "--today",
            "2026-12-02",
            "action",
            "verify",
            ref,
            "--by",
            "Scrutiny officer",
            "--evidence",
            "Checked the ward panel log",
            "--format",
            "json",
        ).stdout
    )
    assert (item["assurance"], item["verification"]) == ("verified", "other-account")
    detail = shown(casey, ref)
    assert {k: detail[k] for k in ITEM_FIELDS} == item
    assert (detail["verified_by"], detail["verified_on"], detail["verification_evidence"]) == (
        "Scrutiny officer",
        "2026-12-02",
        "Checked the ward panel log",
    )
    verify_events = [e for e in detail["history"] if e["field"] == "assurance"]
    completed = [e for e in detail["history"] if e["field"] == "status"]
    assert [(e["old"], e["new"], e["by"]) for e in verify_events] == [
        ("unverified", "verified", "Scrutiny officer")
    ]
    # The verification is another account's than the completion's: the store says whose.
    assert completed[-1]["account"] == account != verify_events[0]["account"]
    assert "other-account" in casey("action", "show", ref).stdout


@pytest.mark.postgresql_only
def test_postgresql_refuses_a_verification_by_the_role_that_completed_it(
    casey: Casey, add_action: AddAction, account: str, isolated: Path, verifier: Verifier
) -> None:
    """--by can name anyone; the database role cannot be typed. The role that completed an
    action (by `done`, or by adding it complete) cannot verify it, whatever --by says;
    another role can."""
    done = add_action("--owner", "Insp Patel")["ref"]
    casey("action", "done", done)
    born_complete = add_action("--owner", "Insp Patel", "--status", "complete")["ref"]
    for ref in (done, born_complete):
        before = snapshot(isolated)
        err = casey.error("action", "verify", ref, "--by", "Independent auditor")
        assert err == (
            f"Error: {ref} was completed by the database role {account}, which you are "
            "connected as; verification must come from another database role: connect as "
            "the verifier's own role (the user in --db or CASEY_DB)"
        )
        assert snapshot(isolated) == before
        item = json.loads(
            verifier(
                "action", "verify", ref, "--by", "Independent auditor", "--format", "json"
            ).stdout
        )
        assert (item["assurance"], item["verification"]) == ("verified", "other-account")
    # Once another role completes it again, the first role may verify.
    casey("action", "update", done, "--status", "in-progress")
    verifier("action", "done", done)
    item = casey.json("action", "verify", done, "--by", "Independent auditor")
    assert item["verification"] == "other-account"


@pytest.mark.sqlite_only(reason="PostgreSQL refuses it (the test above); SQLite marks it")
def test_sqlite_marks_a_verification_by_the_account_that_completed_it(
    casey: Casey, add_action: AddAction, account: str, verifier: Verifier
) -> None:
    """One file is often one desktop account: the verification is kept, and marked
    same-account wherever assurance is shown (the item object, show, papers, exports)."""
    ref = add_action("--owner", "Insp Patel", "--due", "2026-11-20")["ref"]
    casey("action", "done", ref)
    result = casey("action", "verify", ref, "--by", "Scrutiny officer")
    assert result.stdout == f"{ref}\n"
    assert result.stderr == (
        f"Verified {ref}.\nNote: this account also completed {ref}, so the verification is "
        f"marked same-account (`casey action show {ref}`).\n"
    )
    item = shown(casey, ref)
    assert (item["assurance"], item["verification"]) == ("verified", "same-account")
    assert {e["account"] for e in item["history"][1:]} == {account}
    table = casey("action", "show", ref).stdout
    assert "same-account" in table and "recorded by the account that completed it" in table
    assert [i for i in listed(casey) if i["ref"] == ref][0]["verification"] == "same-account"
    exported = casey("export", "--format", "csv", "--borough", "islington").stdout.splitlines()
    header = exported[0].split(",")
    assert header[header.index("completed") + 1] == "verification"
    [row] = [line for line in exported if line.startswith(f"{ref},")]
    assert ",verified," in row and ",2026-11-23,same-account," in row
    paper = casey("report", "--borough", "islington").stdout
    assert (
        f"| {ref} | Test action | Insp Patel | 23 November 2026 | verified (same account) |"
        in paper
    )
    assert "(1 verified, 1 by the same account)" in paper
    assert "Same account: the verification was recorded by the account" in paper
    html = casey("report", "--borough", "islington", "--format", "html").stdout
    assert "<td>verified (same account)</td>" in html
    page = casey("export", "--format", "html", "--borough", "islington").stdout
    assert "verified by the account that completed it" in page
    # Reopened and completed again by another account, it is that account's to have verified.
    casey("action", "update", ref, "--status", "in-progress")
    assert shown(casey, ref)["verification"] is None
    verifier("action", "done", ref)
    assert casey.json("action", "verify", ref, "--by", "Scrutiny officer")["verification"] == (
        "other-account"
    )


def test_a_completion_recorded_before_accounts_leaves_verification_unknown(
    casey: Casey, add_action: AddAction, isolated: Path
) -> None:
    """An action completed before casey kept accounts (schema 0006) can be verified on either
    backend; whether the same account did both is not known, so verification stays null."""
    ref = add_action("--owner", "Insp Patel")["ref"]
    casey("action", "done", ref)
    # As an upgraded store holds it: the completion's account was never recorded.
    sql(isolated, "UPDATE history SET account = NULL WHERE ref = :ref", ref=ref)
    item = casey.json("action", "verify", ref, "--by", "Scrutiny officer")
    assert (item["assurance"], item["verification"]) == ("verified", None)
    assert shown(casey, ref)["verification"] is None


# ---------------------------------------------------------------- reschedule


def test_reschedule_keeps_original_due_and_counts_only_later_moves(
    casey: Casey, add_action: AddAction
) -> None:
    ref = add_action("--due", "2026-12-01")["ref"]

    def move(due: str, reason: str) -> dict[str, Any]:
        return casey.json(
            "action",
            "reschedule",
            ref,
            "--due",
            due,  # type: ignore[no-any-return]
            "--reason",
            reason,
        )

    later = move("2026-12-15", "Awaiting Met data")
    assert (later["due"], later["original_due"], later["slips"]) == ("2026-12-15", "2026-12-01", 1)
    earlier = move("2026-12-10", "Data came early")
    assert (earlier["due"], earlier["original_due"], earlier["slips"]) == (
        "2026-12-10",
        "2026-12-01",
        1,
    )
    again = move("+2m", "Committee deferred")  # 2027-01-23 from CASEY_TODAY
    assert (again["due"], again["original_due"], again["slips"]) == ("2027-01-23", "2026-12-01", 2)

    history = shown(casey, ref)["history"][1:]
    assert [(e["field"], e["old"], e["new"], e["note"]) for e in history] == [
        ("due", "2026-12-01", "2026-12-15", "Awaiting Met data"),
        ("slips", "0", "1", "Awaiting Met data"),
        ("due", "2026-12-15", "2026-12-10", "Data came early"),
        ("due", "2026-12-10", "2027-01-23", "Committee deferred"),
        ("slips", "1", "2", "Committee deferred"),
    ]


def test_first_due_date_needs_no_reason_and_becomes_original(
    casey: Casey, add_action: AddAction
) -> None:
    ref = add_action()["ref"]
    item = casey.json("action", "reschedule", ref, "--due", "+2w")
    assert (item["due"], item["original_due"], item["slips"]) == ("2026-12-07", "2026-12-07", 0)


# ---------------------------------------------------------------- show


def test_show_lists_details_and_full_history_in_order(casey: Casey, add_action: AddAction) -> None:
    ref = add_action(
        "--recommendation",
        "islington-plan-1",
        "--owner",
        "Insp Patel",
        "--due",
        "2026-12-01",
        title="Two-year tenure",
    )["ref"]
    casey("action", "update", ref, "--status", "in-progress")
    casey("action", "reschedule", ref, "--due", "2026-12-20", "--reason", "Recruitment delay")
    detail = shown(casey, ref)
    assert list(detail)[: len(ITEM_FIELDS)] == ITEM_FIELDS
    assert detail["recommendation"] == "islington-plan-1"
    assert detail["source"] == "islington-plan"
    assert detail["recommendation_title"]  # the linked recommendation's title is shown
    history = detail["history"]
    assert [e["field"] for e in history] == ["created", "status", "due", "slips"]
    assert [e["id"] for e in history] == sorted(e["id"] for e in history)
    assert {e["ref"] for e in history} == {ref}


def test_show_table_prints_bracketed_titles_literally(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--owner", "[red]Insp Patel[/red]", title="[Casey] 2023 review [bold]x")["ref"]
    out = casey("action", "show", ref).stdout
    assert "[Casey] 2023 review [bold]x" in out
    assert "[red]Insp Patel[/red]" in out


# ---------------------------------------------------------------- list


def test_list_orders_by_due_then_ref_with_undated_last(casey: Casey, add_action: AddAction) -> None:
    a = add_action("--due", "2027-01-10", borough="camden")["ref"]
    b = add_action("--due", "2026-12-01", borough="camden")["ref"]
    c = add_action("--due", "2026-12-01", borough="camden")["ref"]
    d = add_action(borough="camden")["ref"]
    e = add_action("--due", "2026-11-30", borough="camden")["ref"]
    assert refs(listed(casey, "--borough", "camden")) == [e, b, c, a, d]

    everything = listed(casey)
    dated = [i for i in everything if i["due"]]
    undated = [i for i in everything if not i["due"]]
    assert everything == dated + undated
    assert [(i["due"], number(i["ref"])) for i in dated] == sorted(
        (i["due"], number(i["ref"])) for i in dated
    )
    # Refs sort as numbers (A2 before A10), not as text.
    assert len(undated) >= 10
    assert [number(r) for r in refs(undated)] == sorted(number(r) for r in refs(undated))


def test_list_filters_by_borough(casey: Casey, add_action: AddAction) -> None:
    mine = add_action(borough="hackney")["ref"]
    other = add_action(borough="camden")["ref"]
    got = listed(casey, "--borough", "Hackney")
    assert mine in refs(got) and other not in refs(got)
    assert got == [i for i in listed(casey) if i["borough"] == "hackney"]


def test_list_owner_is_a_case_insensitive_substring(casey: Casey, add_action: AddAction) -> None:
    smith = add_action("--owner", "Supt Jane SMITH")["ref"]
    smithers = add_action("--owner", "PC Smithers")["ref"]
    jones = add_action("--owner", "Insp Jones")["ref"]
    nobody = add_action()["ref"]
    got = refs(listed(casey, "--owner", "smith"))
    assert smith in got and smithers in got
    assert jones not in got and nobody not in got
    assert got == refs([i for i in listed(casey) if "smith" in (i["owner"] or "").lower()])
    assert refs(listed(casey, "--owner", "%")) == []  # a wildcard is just a character


def test_list_status_is_repeatable_and_normalised(casey: Casey, add_action: AddAction) -> None:
    blocked = add_action("--status", "blocked")["ref"]
    dropped = add_action("--status", "dropped")["ref"]
    started = add_action("--status", "in-progress")["ref"]
    got = listed(casey, "--status", "Blocked", "--status", "in_progress")
    assert blocked in refs(got) and started in refs(got) and dropped not in refs(got)
    assert {i["status"] for i in got} == {"blocked", "in-progress"}
    assert got == [i for i in listed(casey) if i["status"] in ("blocked", "in-progress")]


def test_list_source_and_recommendation_filters(casey: Casey, add_action: AddAction) -> None:
    casey7 = add_action("--recommendation", "casey-7")["ref"]
    casey11 = add_action("--recommendation", "casey-11")["ref"]
    plan = add_action("--recommendation", "islington-plan-2")["ref"]
    unlinked = add_action()["ref"]
    by_source = listed(casey, "--source", "casey")
    assert casey7 in refs(by_source) and casey11 in refs(by_source)
    assert plan not in refs(by_source) and unlinked not in refs(by_source)
    assert by_source == [i for i in listed(casey) if i["source"] == "casey"]
    assert refs(listed(casey, "--recommendation", "casey-7")) == [casey7]
    assert refs(listed(casey, "--source", "casey", "--recommendation", "islington-plan-2")) == []


def test_list_due_before_and_overdue(casey: Casey, add_action: AddAction) -> None:
    past = add_action("--due", "2026-11-01", borough="camden")["ref"]
    closed_past = add_action("--due", "2026-11-02", "--status", "complete", borough="camden")["ref"]
    soon = add_action("--due", "2026-12-01", borough="camden")["ref"]
    later = add_action("--due", "2027-02-01", borough="camden")["ref"]
    add_action(borough="camden")  # undated: never "due before", never overdue
    camden = ("--borough", "camden")
    assert refs(listed(casey, *camden, "--due-before", "2026-12-01")) == [past, closed_past]
    assert refs(listed(casey, *camden, "--due-before", "+2w")) == [past, closed_past, soon]
    assert refs(listed(casey, *camden, "--overdue")) == [past]
    # Overdue is computed for the report date.
    assert refs(casey.json("--today", "2026-12-02", "action", "list", *camden, "--overdue")) == [
        past,
        soon,
    ]
    assert later not in refs(listed(casey, "--overdue"))


def test_list_csv_has_the_item_columns_and_guards_formulas(
    casey: Casey, add_action: AddAction
) -> None:
    risky = {"=SUM(A1:A9)": "@owner", "+44 20 7527 2000": "-Insp Patel"}
    made = [
        add_action("--owner", owner, "--due", "2026-12-01", title=title, borough="camden")
        for title, owner in risky.items()
    ]
    plain = add_action(
        "--owner",
        "Insp, Patel",
        "--due",
        "2026-12-02",
        borough="camden",
        title='Say "hello"\nto wards',
    )
    result = casey("action", "list", "--borough", "camden", "--format", "csv")
    assert result.stdout_bytes.count(b"\r\n") == 4  # RFC 4180 records end CRLF: header + 3
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == ITEM_FIELDS
    by_ref = {r[0]: dict(zip(ITEM_FIELDS, r, strict=True)) for r in rows[1:]}
    assert set(by_ref) == {made[0]["ref"], made[1]["ref"], plain["ref"]}
    assert by_ref[made[0]["ref"]]["title"] == "'=SUM(A1:A9)"
    assert by_ref[made[0]["ref"]]["owner"] == "'@owner"
    assert by_ref[made[1]["ref"]]["title"] == "'+44 20 7527 2000"
    assert by_ref[made[1]["ref"]]["owner"] == "'-Insp Patel"
    # Quoting round-trips commas, quotes and newlines; numbers and nulls are plain.
    row = by_ref[plain["ref"]]
    assert (row["title"], row["owner"], row["slips"], row["progress"], row["due"]) == (
        'Say "hello"\nto wards',
        "Insp, Patel",
        "0",
        "",
        "2026-12-02",
    )


def test_list_markdown_has_the_item_columns(casey: Casey, add_action: AddAction) -> None:
    ref = add_action("--due", "2026-12-01", borough="camden", title="Pipe | in title")["ref"]
    out = casey("action", "list", "--borough", "camden", "--format", "markdown").stdout
    lines = out.splitlines()
    assert lines[0] == "| " + " | ".join(ITEM_FIELDS) + " |"
    assert len(lines) == 3 and lines[2].startswith(f"| {ref} | action | camden |")
    assert "Pipe \\| in title" in lines[2]


def test_list_table_prints_bracketed_titles_literally(casey: Casey, add_action: AddAction) -> None:
    add_action("--owner", "[bold]Insp[/bold]", borough="camden", title="[Casey] 2023")
    out = casey("action", "list", "--borough", "camden").stdout
    assert "[Casey] 2023" in out
    assert "[bold]Insp[/bold]" in out


def test_list_with_no_match_is_empty_json(casey: Casey) -> None:
    assert listed(casey, "--borough", "bexley", "--owner", "nobody at all") == []


# ---------------------------------------------------------------- error paths

OPEN = "{open}"  # an open action owned by Supt Jane Smith, due 2026-12-01
DONE = "{done}"  # a completed action owned by Supt Jane Smith

ERRORS: list[tuple[str, list[str], list[str]]] = [
    # (case id, arguments, fragments the one-line message must contain: problem and fix)
    (
        "add impossible date",
        ["action", "add", "-b", "islington", "-t", "x", "--due", "2023-02-30"],
        ["2023-02-30", "not a real date", "YYYY-MM-DD"],
    ),
    (
        "add unknown borough",
        ["action", "add", "-b", "islingtn", "-t", "x"],
        ["islingtn", "did you mean 'islington'", "casey borough list"],
    ),
    (
        "add bad status",
        ["action", "add", "-b", "islington", "-t", "x", "--status", "in progres"],
        ["in progres", "did you mean 'in-progress'", "not-started, in-progress"],
    ),
    (
        "add progress 150",
        ["action", "add", "-b", "islington", "-t", "x", "--progress", "150"],
        ["150", "0-100"],
    ),
    (
        "add unknown recommendation",
        ["action", "add", "-b", "islington", "-t", "x", "-r", "casey-77"],
        ["casey-77", "did you mean 'casey-7'", "casey rec list"],
    ),
    (
        "add unknown meeting",
        ["action", "add", "-b", "islington", "-t", "x", "--meeting", "M999"],
        ["M999", "casey meeting list"],
    ),
    (
        "update unknown ref",
        ["action", "update", "A999", "--owner", "x"],
        ["A999", "casey action list"],
    ),
    (
        "update unknown bare number",
        ["action", "update", "999", "--owner", "x"],
        ["A999", "casey action list"],
    ),
    ("update bad ref", ["action", "update", "X1", "--owner", "x"], ["'X1'", "A14"]),
    (
        "update bad status",
        ["action", "update", OPEN, "--status", "in progres", "--owner", "y"],
        ["in progres", "did you mean 'in-progress'", "blocked"],
    ),
    (
        "update progress 150",
        ["action", "update", OPEN, "--progress", "150", "--owner", "y"],
        ["150", "0-100"],
    ),
    ("update nothing", ["action", "update", OPEN], ["nothing to change", "--status"]),
    ("update blank title", ["action", "update", OPEN, "--title", "  "], ["title", "--title"]),
    (
        "update unknown meeting",
        ["action", "update", OPEN, "--owner", "y", "--meeting", "Nonexistent Board"],
        ["Nonexistent Board", "casey meeting add"],
    ),
    ("done unknown ref", ["action", "done", "A999"], ["A999", "casey action list"]),
    (
        "done already complete",
        ["action", "done", DONE, "--evidence", "again"],
        ["already complete (on 2026-11-23)", "casey action show"],
    ),
    (
        "verify not complete",
        ["action", "verify", OPEN, "--by", "Scrutiny officer"],
        ["not-started", "not complete", "casey action done"],
    ),
    (
        "verify by the owner",
        ["action", "verify", DONE, "--by", "supt jane smith"],
        ["owns", "--by"],
    ),
    (
        "verify unknown ref",
        ["action", "verify", "A999", "--by", "Scrutiny officer"],
        ["A999", "casey action list"],
    ),
    (
        "reschedule without reason",
        ["action", "reschedule", OPEN, "--due", "2026-12-20"],
        ["reason", "--reason"],
    ),
    (
        "reschedule blank reason",
        ["action", "reschedule", OPEN, "--due", "2026-12-20", "--reason", "  "],
        ["reason", "--reason"],
    ),
    (
        "reschedule same date",
        ["action", "reschedule", OPEN, "--due", "2026-12-01", "--reason", "r"],
        ["2026-12-01", "--due"],
    ),
    (
        "reschedule impossible date",
        ["action", "reschedule", OPEN, "--due", "2023-02-30", "--reason", "r"],
        ["2023-02-30", "not a real date"],
    ),
    (
        "reschedule closed",
        ["action", "reschedule", DONE, "--due", "2027-01-01", "--reason", "r"],
        ["complete", "--status in-progress"],
    ),
    ("show unknown ref", ["action", "show", "A999"], ["A999", "casey action list"]),
    (
        "list unknown borough",
        ["action", "list", "--borough", "islingtn"],
        ["islingtn", "did you mean 'islington'"],
    ),
    (
        "list bad status",
        ["action", "list", "--status", "complet"],
        ["complet", "did you mean 'complete'"],
    ),
    (
        "list bad due-before",
        ["action", "list", "--due-before", "2023-02-30"],
        ["2023-02-30", "YYYY-MM-DD"],
    ),
    (
        "list unknown recommendation",
        ["action", "list", "--recommendation", "casey-77"],
        ["casey-77", "did you mean 'casey-7'"],
    ),
    (
        "list unknown source",
        ["action", "list", "--source", "casy"],
        ["casy", "did you mean 'casey'", "casey source list"],
    ),
]


@pytest.fixture
def targets(casey: Casey, add_action: AddAction) -> dict[str, str]:
    opened = add_action("--owner", "Supt Jane Smith", "--due", "2026-12-01")["ref"]
    done = add_action("--owner", "Supt Jane Smith")["ref"]
    casey("action", "done", done)
    return {"open": opened, "done": done}


def fill_in(args: list[str], request: pytest.FixtureRequest) -> list[str]:
    """Put the target refs into the arguments; the targets are made only when used."""
    if not any("{" in a for a in args):
        return args
    made: dict[str, str] = request.getfixturevalue("targets")
    return [a.format(**made) for a in args]


@pytest.mark.parametrize("args, fragments", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_names_problem_and_fix_and_writes_nothing(
    casey: Casey,
    isolated: Path,
    request: pytest.FixtureRequest,
    args: list[str],
    fragments: list[str],
) -> None:
    args = fill_in(args, request)
    before = snapshot(isolated)
    err = casey.error(*args, code=1)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert snapshot(isolated) == before


def test_verify_needs_by(casey: Casey, isolated: Path, targets: dict[str, str]) -> None:
    before = snapshot(isolated)
    result = casey("action", "verify", targets["done"], code=2)
    assert "--by" in result.stderr
    assert snapshot(isolated) == before


def test_already_complete_without_a_date_does_not_say_none(casey: Casey) -> None:
    undated = [i for i in listed(casey, "--status", "complete") if i["completed"] is None]
    if not undated:
        pytest.skip("the bundled register has no complete action without a completion date")
    ref = undated[0]["ref"]
    err = casey.error("action", "done", ref)
    assert f"{ref} is already complete" in err
    assert "None" not in err


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("kensington", "kensington-and-chelsea"),
        ("kingston", "kingston-upon-thames"),
        ("barking", "barking-and-dagenham"),
    ],
)
def test_unknown_borough_suggests_the_borough_that_starts_with_it(
    casey: Casey, typed: str, meant: str
) -> None:
    err = casey.error("action", "add", "--borough", typed, "--title", "x")
    assert f"did you mean '{meant}'" in err


def test_add_confirmation_prints_the_title_literally(casey: Casey) -> None:
    result = casey("action", "add", "--borough", "camden", "--title", "Agenda :pizza: [b]x")
    assert "Agenda :pizza: [b]x" in result.stderr
