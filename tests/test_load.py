"""`casey load`: idempotent, atomic upserts from YAML, CSV, JSON and XLSX, with located errors."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from conftest import sql

MINUTES = """\
version: 1
meetings:
  - name: Policy and Performance Scrutiny Committee
    date: 2026-11-19
    borough: islington
actions:
  - borough: islington
    title: Publish ward panel dates online
    owner: Supt, Central North
    due: 2026-12-21
    recommendation: islington-plan-1
    meeting: Policy and Performance Scrutiny Committee
    note: Agreed at committee
  - borough: islington
    title: Local delivery board for the action plan
    status: in-progress
    due: 2027-03-31
    note: Board met for the first time
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(casey) -> tuple[str, str]:
    return (casey("export", "--format", "json").stdout, casey("history", "--format", "json").stdout)


def test_yaml_minutes_dry_run_then_for_real(casey, tmp_path):
    path = write(tmp_path, "minutes.yaml", MINUTES)
    before = snapshot(casey)
    dry = casey("load", str(path), "--dry-run")
    lines = dry.stdout.splitlines()
    assert "would create action A32" in lines
    # A3 is a bundled action with the register's as_of: the change supersedes that date.
    assert "would update action A3: status, as_of, due, original_due" in lines
    assert "would create meeting Policy and Performance Scrutiny Committee (2026-11-19)" in lines
    assert lines[-1] == "2 would be created, 1 would be updated, 0 unchanged"
    assert "nothing was written" in dry.stderr
    assert snapshot(casey) == before

    real = casey("load", str(path))
    assert real.stdout.strip().splitlines()[-1] == "2 created, 1 updated, 0 unchanged"
    new = casey.json("action", "show", "A32")
    assert new["owner"] == "Supt, Central North" and new["due"] == "2026-12-21"
    assert new["recommendation"] == "islington-plan-1"
    assert new["history"][0]["note"] == "Agreed at committee"
    assert new["history"][0]["meeting"].startswith("M11 Policy and Performance")
    board = casey.json("action", "show", "A3")
    assert (board["status"], board["due"], board["original_due"]) == (
        "in-progress",
        "2027-03-31",
        "2027-03-31",
    )
    assert board["as_of"] is None  # its own history now says when it was last known about

    again = casey("load", str(path))
    assert again.stdout.strip().splitlines()[-1] == "0 created, 0 updated, 3 unchanged"


def test_load_json_result(casey, tmp_path):
    path = write(tmp_path, "minutes.yaml", MINUTES)
    result = json.loads(casey("load", str(path), "--format", "json", "--dry-run").stdout)
    assert result["dry_run"] is True
    assert (result["created"], result["updated"], result["unchanged"]) == (2, 1, 0)
    assert {
        "action": "updated",
        "kind": "action",
        "key": "A3",
        "fields": ["status", "as_of", "due", "original_due"],
    } in result["items"]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_round_trip_changes_only_the_edit(casey, tmp_path, fmt):
    casey(
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "=1+1 formula-like",
        "--owner",
        "A",
        "--due",
        "2026-10-01",
    )
    casey("action", "reschedule", "A32", "--due", "2026-12-01", "--reason", "slip")
    out = tmp_path / f"register.{fmt}"
    casey("export", "--format", fmt, "--output", str(out))
    before = snapshot(casey)
    assert casey("load", str(out)).stdout.strip().endswith("0 created, 0 updated, 68 unchanged")
    assert snapshot(casey) == before  # not even a history event

    edit_owner(out, fmt, "A32", "New Owner")
    assert casey("load", str(out)).stdout.strip().endswith("0 created, 1 updated, 67 unchanged")
    item = casey.json("action", "show", "A32")
    assert item["owner"] == "New Owner"
    assert item["title"] == "=1+1 formula-like"  # the guard did not stick
    assert (item["slips"], item["original_due"]) == (1, "2026-10-01")
    assert [e["field"] for e in item["history"]][-1] == "owner"


def edit_owner(path: Path, fmt: str, ref: str, owner: str) -> None:
    if fmt == "json":
        rows = json.loads(path.read_text())
        next(r for r in rows if r["ref"] == ref)["owner"] = owner
        path.write_text(json.dumps(rows))
    elif fmt == "csv":
        import csv

        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        col = rows[0].index("owner")
        next(r for r in rows if r[0] == ref)[col] = owner
        with path.open("w", newline="") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(rows)
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        sheet = book.active
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == ref:
                row[header.index("owner")].value = owner
        book.save(path)


def test_one_bad_row_among_many_writes_nothing(casey, tmp_path):
    rows = ["ref,borough,title,owner,due"]
    rows += [f",camden,Action {n},Owner {n},2027-01-{n:02d}" for n in range(1, 29)]
    rows.insert(15, ",camden,Bad date row,Owner,2027-02-30")
    path = write(tmp_path, "bulk.csv", "\n".join(rows) + "\n")
    before = snapshot(casey)
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {path}:16: due: '2027-02-30' is not a real date")
    assert snapshot(casey) == before


def test_atomic_across_files(casey, tmp_path):
    good = write(tmp_path, "good.yaml", MINUTES)
    bad = write(tmp_path, "bad.yaml", "version: 1\nactions:\n  - borough: islingtn\n    title: x\n")
    before = snapshot(casey)
    err = casey.error("load", str(good), str(bad))
    assert "bad.yaml:3: borough: unknown borough 'islingtn'" in err
    assert "did you mean 'islington'" in err
    assert snapshot(casey) == before


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "k.yaml",
            "version: 1\nactions:\n  - borough: camden\n    title: t\n    ownr: x\n",
            "k.yaml:5: ownr: unknown field 'ownr' for actions (did you mean 'owner'?)",
        ),
        (
            "r.yaml",
            "version: 1\nactions:\n  - borough: camden\n    title: t\n"
            "    recommendation: casey-99\n",
            "r.yaml:5: recommendation: unknown recommendation 'casey-99'",
        ),
        (
            "s.yaml",
            "version: 1\nactions:\n  - borough: camden\n    title: t\n    status: finished\n",
            "s.yaml:5: status: unknown status 'finished'",
        ),
        (
            "t.yaml",
            "version: 1\nactions: !!python/object/apply:os.system ['echo hi']\n",
            "t.yaml:2: YAML tags that build objects are not allowed",
        ),
        (
            "h.csv",
            "ref,borough,titel\n,camden,x\n",
            "h.csv:1: titel: unknown column 'titel' (did you mean 'title'?)",
        ),
        (
            "n.csv",
            "ref,borough,title\nA999,camden,x\n",
            "n.csv:2: ref: no action A999 in the store",
        ),
        (
            "a.csv",
            "ref,borough,title,assurance\nA1,islington,x,verified\n",
            "a.csv:2: assurance: assurance changes only through `casey action verify`",
        ),
        (
            "j.json",
            '[{"borough": "camden", "title": "x", "progress": 140}]',
            "j.json:1: progress: 140 is out of range",
        ),
        ("bad.json", "{not json", "bad.json:1: invalid JSON"),
        ("x.txt", "hello", "x.txt: cannot load a '.txt' file"),
        (
            "dup.csv",
            "ref,borough,title\n,camden,same\n,camden,same\n",
            "dup.csv:3: title: camden/same is repeated in this file (first at line 2)",
        ),
    ],
)
def test_load_errors_name_file_line_and_field(casey, tmp_path, name, text, expected):
    path = write(tmp_path, name, text)
    before = snapshot(casey)
    err = casey.error("load", str(path))
    assert err.startswith(f"Error: {tmp_path}/{expected}"), err
    assert snapshot(casey) == before


def test_missing_file(casey, tmp_path):
    err = casey.error("load", str(tmp_path / "nope.yaml"))
    assert "file not found" in err


def test_csv_load_creates_and_matches_by_borough_and_title(casey, tmp_path):
    path = write(
        tmp_path,
        "new.csv",
        "borough,title,owner,status,due,progress\n"
        "camden,Camden ward walks,Insp B,in progress,+2w,30\n",
    )
    assert casey("load", str(path)).stdout.strip().endswith("1 created, 0 updated, 0 unchanged")
    [item] = casey.json("action", "list", "-b", "camden")
    assert (item["status"], item["due"], item["progress"]) == ("in-progress", "2026-12-07", 30)
    assert casey("load", str(path)).stdout.strip().endswith("0 created, 0 updated, 1 unchanged")


def test_titles_match_existing_actions_whatever_their_case(casey, tmp_path):
    """A title that differs only in case (non-ASCII letters too) names the stored action, on
    every backend, and the same title in another borough is another action."""
    first = write(
        tmp_path,
        "first.csv",
        "borough,title,owner\ncamden,Éducation sessions for ward panels,Insp A\n",
    )
    casey("load", str(first))
    [before] = casey.json("action", "list", "-b", "camden")
    ref = before["ref"]
    again = write(
        tmp_path,
        "again.csv",
        "borough,title,owner\n"
        "camden,ÉDUCATION SESSIONS FOR WARD PANELS,Insp B\n"
        "islington,Éducation sessions for ward panels,Insp C\n",
    )
    out = casey("load", str(again)).stdout
    assert out.strip().endswith("1 created, 1 updated, 0 unchanged")
    [camden] = casey.json("action", "list", "-b", "camden")
    # The same action, now spelt as the file spells it.
    assert (camden["ref"], camden["title"], camden["owner"]) == (
        ref,
        "ÉDUCATION SESSIONS FOR WARD PANELS",
        "Insp B",
    )
    assert [
        i["owner"]
        for i in casey.json("action", "list", "-b", "islington")
        if i["title"].startswith("Éducation")
    ] == ["Insp C"]


def test_titles_match_whatever_their_case(casey, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("borough,title,owner\ncamden,Publish dates,A\n")
    second = tmp_path / "b.csv"
    second.write_text("borough,title,owner\ncamden,publish DATES,B\n")
    casey("load", str(first))
    assert casey("load", str(second)).stdout.strip() == "0 created, 1 updated, 0 unchanged"
    assert [a["owner"] for a in casey.json("action", "list", "-b", "camden")] == ["B"]


def test_a_title_stored_twice_in_different_cases_is_never_picked_silently(
    casey, add_action, tmp_path
):
    """Two stored actions with one title in different cases: a row spelt exactly like one of
    them updates that one; any other spelling is refused with its line, and nothing is
    written."""
    lower = add_action(borough="hackney", title="Ward walks")["ref"]
    upper = add_action(borough="hackney", title="WARD WALKS")["ref"]
    exact = write(tmp_path, "exact.csv", "borough,title,owner\nhackney,WARD WALKS,Insp U\n")
    casey("load", str(exact))
    owners = {i["ref"]: i["owner"] for i in casey.json("action", "list", "-b", "hackney")}
    assert (owners[lower], owners[upper]) == (None, "Insp U")
    before = snapshot(casey)
    other = write(tmp_path, "other.csv", "borough,title,owner\nhackney,Ward Walks,Insp X\n")
    err = casey.error("load", str(other))
    assert err.startswith(
        f"Error: {other}:2: title: 2 actions in hackney have this title in "
        f"some case ({lower}, {upper}); add a 'ref' column"
    ), err
    assert snapshot(casey) == before


def test_each_file_of_a_load_sees_the_files_before_it(casey, add_action, tmp_path):
    """`casey load a b` ends as `casey load a` then `casey load b` would: a title that the
    first file renames away is a new action when the second file names it again."""
    ref = add_action(borough="hackney", title="Ward walks")["ref"]
    first = write(
        tmp_path,
        "first.csv",
        f"ref,borough,title\n,hackney,Ward walks\n{ref},hackney,Ward walks and surgeries\n",
    )
    second = write(tmp_path, "second.csv", "ref,borough,title\n,hackney,Ward walks\n")
    casey("load", str(first), str(second))
    titles = {i["ref"]: i["title"] for i in casey.json("action", "list", "-b", "hackney")}
    assert titles[ref] == "Ward walks and surgeries"
    assert sorted(titles.values()) == ["Ward walks", "Ward walks and surgeries"]


# ------------------------------------------- files obey the rules of the commands


def tail(result) -> str:
    return result.stdout.strip().splitlines()[-1]


def moved_action(add_action, casey) -> str:
    """An open action due 2026-12-01, then rescheduled once by command (slips 1)."""
    ref = add_action("--owner", "Insp A", "--due", "2026-12-01")["ref"]
    casey("action", "reschedule", ref, "--due", "2026-12-15", "--reason", "chairs away")
    return ref


def test_reloading_minutes_on_a_later_day_moves_nothing(casey, isolated, tmp_path):
    """The reported case: minutes with relative dates, loaded, then loaded again a week later,
    changed due dates and counted slips with the file's note as the reason. A relative date
    is read once, when it first sets a date, so every later load leaves the items alone."""
    path = write(
        tmp_path,
        "minutes.yaml",
        "version: 1\nactions:\n"
        "  - borough: islington\n    title: Publish ward panel dates online\n"
        "    owner: Insp A\n    due: +2w\n    note: Agreed at committee\n"
        "  - borough: islington\n    title: Local delivery board for the action plan\n"
        "    due: +4w\n    note: Board met for the first time\n",
    )
    assert tail(casey("load", str(path))) == "1 created, 1 updated, 0 unchanged"
    a19, a3 = casey.json("action", "show", "A32"), casey.json("action", "show", "A3")
    assert (a19["due"], a19["slips"], a3["due"], a3["slips"]) == ("2026-12-07", 0, "2026-12-21", 0)
    before = snapshot(casey)
    for later in ("2026-11-30", "2027-02-01"):
        assert tail(casey("--today", later, "load", str(path))) == (
            "0 created, 0 updated, 2 unchanged"
        )
        assert snapshot(casey) == before


def test_a_closed_item_is_not_rescheduled_by_a_file(casey, isolated, add_action, tmp_path):
    """The reported case: a completed action's new due date loaded where `action
    reschedule` refuses; a dropped one and a completed recommendation alike, dry run or
    not, and a row that reopens the item in the same breath too."""
    ref = add_action("--due", "2026-12-01")["ref"]
    casey("action", "done", ref)
    casey("rec", "update", "casey-2", "--status", "dropped")
    assert "is complete; reopen it first" in casey.error(
        "action", "reschedule", ref, "--due", "2027-01-31", "--reason", "late"
    )
    yaml_path = write(
        tmp_path,
        "late.yaml",
        f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
        "    title: Test action\n    status: in-progress\n    due: 2027-01-31\n"
        "    note: committee extended it\n",
    )
    csv_path = write(
        tmp_path,
        "late.csv",
        "ref,kind,title,due,reason\ncasey-2,recommendation,x,2027-06-30,new review date\n",
    )
    before = snapshot(casey)
    for args in ((), ("--dry-run",)):
        err = casey.error("load", str(yaml_path), *args)
        assert err == (
            f"Error: {yaml_path}:7: due: {ref} is complete; a load moves the due date of an "
            f"open item only: reopen it first (`casey action update {ref} --status "
            "in-progress`)"
        ), err
        err = casey.error("load", str(csv_path), *args)
        assert err.startswith(f"Error: {csv_path}:2: due: casey-2 is dropped; ")
        assert "`casey rec update casey-2 --status in-progress`" in err
    assert snapshot(casey) == before
    # Its own date, as an export gives it, is no move: the closed item loads unchanged.
    unchanged = write(
        tmp_path, "same.csv", f"ref,borough,title,due\n{ref},islington,Test action,2026-12-01\n"
    )
    assert tail(casey("load", str(unchanged))) == "0 created, 0 updated, 1 unchanged"
    assert casey.json("action", "show", ref)["status"] == "complete"


@pytest.mark.parametrize("how", ["reason column", "yaml reason", "yaml note", "json reason"])
def test_a_file_reschedules_with_a_reason(casey, isolated, add_action, tmp_path, how):
    """A load that moves a due date is a reschedule: a later date is a slip, the first date
    stays the original due date, and the reason is the row's `reason` or its note. The dry
    run names the same fields."""
    ref = add_action("--owner", "Insp A", "--due", "2026-12-01")["ref"]
    if how == "reason column":
        path = write(
            tmp_path,
            "t.csv",
            f"ref,borough,title,owner,due,reason\n{ref},islington,Test action,Insp B,"
            "2027-01-15,chairs asked for January\n",
        )
    elif how == "json reason":
        path = write(
            tmp_path,
            "t.json",
            json.dumps(
                [
                    {
                        "ref": ref,
                        "borough": "islington",
                        "title": "Test action",
                        "owner": "Insp B",
                        "due": "2027-01-15",
                        "reason": "chairs asked for January",
                    }
                ]
            ),
        )
    else:
        key = "reason" if how == "yaml reason" else "note"
        path = write(
            tmp_path,
            "t.yaml",
            f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
            f"    title: Test action\n    owner: Insp B\n    due: 2027-01-15\n"
            f"    {key}: chairs asked for January\n",
        )
    dry = casey("load", str(path), "--dry-run").stdout.splitlines()
    assert f"would update action {ref}: owner, due, slips" in dry
    assert tail(casey("load", str(path))) == "0 created, 1 updated, 0 unchanged"
    item = casey.json("action", "show", ref)
    assert (item["due"], item["original_due"], item["slips"]) == ("2027-01-15", "2026-12-01", 1)
    events = {e["field"]: e["note"] for e in item["history"]}
    assert events["due"] == events["slips"] == "chairs asked for January"
    owner_note = "chairs asked for January" if how == "yaml note" else f"loaded from {path.name}"
    assert events["owner"] == owner_note
    # The paper lists the slip with its reason, as for `action reschedule`.
    paper = casey("report", "--borough", "islington").stdout
    assert "1 December 2026 → 15 January 2027: chairs asked for January" in paper
    assert tail(casey("--today", "2027-01-04", "load", str(path))) == (
        "0 created, 0 updated, 1 unchanged"
    )


def test_a_note_beside_a_reason_is_kept(casey, isolated, add_action, tmp_path):
    """A YAML action with a `reason` for its move and a `note` besides: the move's events
    carry the reason, and the note is recorded too, once however often the file loads."""
    ref = add_action("--due", "2026-12-01")["ref"]
    path = write(
        tmp_path,
        "n.yaml",
        f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
        "    title: Test action\n    due: 2027-01-15\n    reason: chairs asked\n"
        "    note: minute 8\n",
    )
    casey("load", str(path))
    casey("--today", "2026-12-01", "load", str(path))
    events = [(e["field"], e["note"]) for e in casey.json("action", "show", ref)["history"]]
    assert events[1:] == [
        ("note", "minute 8"),
        ("due", "chairs asked"),
        ("slips", "chairs asked"),
    ]


def test_a_move_with_no_reason_is_a_located_error(casey, isolated, add_action, tmp_path):
    """Neither a `reason` nor a note: refused at the row's due date, nothing written, dry
    run or not; an earlier date needs a reason too (but is no slip), a first date none."""
    ref = add_action("--due", "2026-12-01")["ref"]
    undated = add_action(title="Undated")["ref"]
    csv_path = write(
        tmp_path, "t.csv", f"ref,borough,title,due\n{ref},islington,Test action,2027-01-15\n"
    )
    yaml_path = write(
        tmp_path,
        "t.yaml",
        f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
        "    title: Test action\n    due: 2026-11-30\n",
    )
    rec_path = write(
        tmp_path,
        "r.yaml",
        "version: 1\nsources:\n  - code: casey\n    title: The Casey Review\n"
        "    recommendations:\n      - number: 2\n        title: x\n        due: 2025-09-30\n",
    )
    before = snapshot(casey)
    for args in ((), ("--dry-run",)):
        assert casey.error("load", str(csv_path), *args) == (
            f"Error: {csv_path}:2: due: moving {ref}'s due date from 2026-12-01 to 2027-01-15 "
            "needs a reason; add a `reason` column saying why, or keep the first date and give "
            "the new one in a revised-date column (Revised target date)"
        )
        assert casey.error("load", str(yaml_path), *args) == (
            f"Error: {yaml_path}:6: due: moving {ref}'s due date from 2026-12-01 to 2026-11-30 "
            "needs a reason; add a `reason` or a `note`"
        )
        assert casey.error("load", str(rec_path), *args).startswith(
            f"Error: {rec_path}:8: due: moving casey-2's due date from 2025-03-21 to "
            "2025-09-30 needs a reason; add a `reason`"
        )
    assert snapshot(casey) == before
    earlier = write(
        tmp_path,
        "e.csv",
        f"ref,borough,title,due,reason\n{ref},islington,Test action,2026-11-30,brought forward\n"
        f"{undated},islington,Undated,2027-03-01,\n",
    )
    assert tail(casey("load", str(earlier))) == "0 created, 2 updated, 0 unchanged"
    item = casey.json("action", "show", ref)
    assert (item["due"], item["original_due"], item["slips"]) == ("2026-11-30", "2026-12-01", 0)
    first = casey.json("action", "show", undated)
    assert (first["due"], first["original_due"], first["slips"]) == ("2027-03-01", "2027-03-01", 0)


def test_a_recommendation_reschedules_from_a_file(casey, isolated, tmp_path):
    """A recommendation's due date moves by the same rules, from YAML or a CSV row."""
    path = write(
        tmp_path,
        "r.yaml",
        "version: 1\nsources:\n  - code: casey\n    title: The Casey Review\n"
        "    recommendations:\n      - number: 2\n        title: x\n        due: 2025-09-30\n"
        "        reason: follow-up review moved\n",
    )
    casey("load", str(path))
    rec = casey.json("rec", "show", "casey-2")
    assert (rec["due"], rec["original_due"], rec["slips"]) == ("2025-09-30", "2025-03-21", 1)
    assert {e["field"]: e["note"] for e in rec["history"]}["due"] == "follow-up review moved"
    sheet = write(
        tmp_path,
        "r.csv",
        "ref,kind,title,due,reason\ncasey-2,recommendation,x,2025-12-31,second delay\n",
    )
    casey("load", str(sheet))
    assert casey.json("rec", "show", "casey-2")["slips"] == 2


def test_a_file_cannot_clear_a_due_date(casey, isolated, add_action, tmp_path):
    """No command clears a due date; an empty cell or key may not either (an undated item
    stays undated)."""
    ref = add_action("--due", "2026-12-01")["ref"]
    undated = add_action(title="Undated")["ref"]
    path = write(
        tmp_path,
        "c.csv",
        f"ref,borough,title,due\n{undated},islington,Undated,\n{ref},islington,Test action,\n",
    )
    yaml_path = write(
        tmp_path,
        "c.yaml",
        f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
        '    title: Test action\n    due: ""\n',
    )
    before = snapshot(casey)
    assert casey.error("load", str(path)) == (
        f"Error: {path}:3: due: {ref} is due 2026-12-01 and no command clears a due date; "
        "leave the cell as it was, or give the new date and a reason"
    )
    assert casey.error("load", str(yaml_path)).startswith(
        f"Error: {yaml_path}:6: due: {ref} is due 2026-12-01 and no command clears"
    )
    assert snapshot(casey) == before


def test_slips_and_original_due_in_a_file_cannot_rewrite_history(
    casey, isolated, add_action, tmp_path
):
    """An item's slips and first due date are its history: a file's are ignored on an
    existing item (an export's match anyway), and give a new item its starting record."""
    ref = moved_action(add_action, casey)
    path = write(
        tmp_path,
        "h.csv",
        f"ref,borough,title,due,original_due,slips\n{ref},islington,Test action,2026-12-15,"
        "2026-12-15,0\n",
    )
    yaml_path = write(
        tmp_path,
        "h.yaml",
        f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
        "    title: Test action\n    original_due: 2027-06-01\n    slips: 9\n"
        "  - borough: hackney\n    title: Copied from another store\n    due: 2027-02-01\n"
        "    original_due: 2026-12-01\n    slips: 2\n",
    )
    before = snapshot(casey)
    assert tail(casey("load", str(path))) == "0 created, 0 updated, 1 unchanged"
    assert snapshot(casey) == before
    assert tail(casey("load", str(yaml_path))) == "1 created, 0 updated, 1 unchanged"
    item = casey.json("action", "show", ref)
    assert (item["due"], item["original_due"], item["slips"]) == ("2026-12-15", "2026-12-01", 1)
    [copied] = casey.json("action", "list", "-b", "hackney")
    assert (copied["original_due"], copied["slips"]) == ("2026-12-01", 2)


def test_evidence_from_a_file_accumulates(casey, isolated, add_action, tmp_path):
    """As `--evidence` adds a line, a file adds the lines the action lacks and removes none;
    loading it again adds nothing."""
    ref = add_action("--evidence", "minute 7")["ref"]

    def load_evidence(text: str) -> str:
        path = write(
            tmp_path,
            "e.yaml",
            f"version: 1\nactions:\n  - ref: {ref}\n    borough: islington\n"
            f"    title: Test action\n    evidence: {json.dumps(text)}\n",
        )
        return tail(casey("load", str(path)))

    assert load_evidence("https://example.org/log") == "0 created, 1 updated, 0 unchanged"
    assert load_evidence("https://example.org/log") == "0 created, 0 updated, 1 unchanged"
    assert load_evidence("minute 7\nminute 9\n  https://example.org/log  ") == (
        "0 created, 1 updated, 0 unchanged"
    )
    assert load_evidence("") == "0 created, 0 updated, 1 unchanged"
    item = casey.json("action", "show", ref)
    assert item["evidence"].splitlines() == ["minute 7", "https://example.org/log", "minute 9"]
    assert [e["field"] for e in item["history"]] == ["created", "evidence", "evidence"]


def test_a_relative_date_that_would_move_an_item_is_refused(casey, isolated, add_action, tmp_path):
    """On an item that exists, a relative date stands for the date it gave when first read.
    It cannot have given a date the item has moved from, nor one later than today's reading:
    either would move the item, so the load asks for the date written out."""
    moved = moved_action(add_action, casey)  # due 2026-12-15, first due 2026-12-01
    soon = add_action("--due", "2027-03-01", title="Due in March")["ref"]
    undated = add_action(title="Undated")["ref"]
    cases = [(moved, "+2w", "2026-12-07", "2026-12-15"), (soon, "+1w", "2026-11-30", "2027-03-01")]
    before = snapshot(casey)
    for ref, text, read, due in cases:
        path = write(
            tmp_path,
            "rel.csv",
            f"ref,borough,title,due,reason\n{ref},islington,x,{text},committee\n",
        )
        assert casey.error("load", str(path)) == (
            f"Error: {path}:2: due: '{text}' is {read} today, and would move the due date "
            f"{due}: a relative date is read once, when it first sets a date; write the "
            "date out (YYYY-MM-DD)"
        )
    assert snapshot(casey) == before
    # A first due date is read on the day it is set, and stands for that date afterwards.
    first = write(tmp_path, "first.csv", f"ref,borough,title,due\n{undated},islington,x,+1m\n")
    assert tail(casey("load", str(first))) == "0 created, 1 updated, 0 unchanged"
    assert tail(casey("--today", "2027-05-01", "load", str(first))) == (
        "0 created, 0 updated, 1 unchanged"
    )
    assert casey.json("action", "show", undated)["due"] == "2026-12-23"


def test_a_meeting_date_in_a_file_is_written_out(casey, isolated, tmp_path):
    """A meeting is found again by its name and date; `today` would name another meeting
    on every later day."""
    path = write(
        tmp_path, "m.yaml", "version: 1\nmeetings:\n  - name: Ward panel\n    date: today\n"
    )
    assert casey.error("load", str(path)).startswith(
        f"Error: {path}:4: date: 'today' is 2026-11-23 today but another day on a later load"
    )


def test_a_relative_published_date_is_read_once(casey, isolated, tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        "version: 1\nsources:\n  - code: hackney-plan\n    title: Hackney plan\n"
        "    published: today\n    borough: hackney\n",
    )
    assert tail(casey("load", str(path))) == "1 created, 0 updated, 0 unchanged"
    assert tail(casey("--today", "2027-03-01", "load", str(path))) == (
        "0 created, 0 updated, 1 unchanged"
    )
    assert "2026-11-23" in casey("source", "list").stdout


def _cell(value: str) -> Any:
    from datetime import date

    return date.fromisoformat(value) if value[:2] == "20" else value


def _make(tmp_path: Path, fmt: str, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / f"tracker.{fmt}"
    if fmt == "csv":
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps([dict(zip(header, r, strict=True)) for r in rows]))
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:  # dates written out as date cells, as a spreadsheet keeps them
            sheet.append([_cell(value) for value in row])
        book.save(path)
    return path


@pytest.mark.parametrize("fmt", ["yaml", "csv", "json", "xlsx"])
def test_loading_the_same_files_on_any_later_day_changes_nothing(
    casey, isolated, add_action, tmp_path, fmt
):
    """A tracker that creates items with relative dates, completes one, reschedules one with
    its reason and adds evidence: loaded again a week, a month and a year later, it changes
    nothing; nor does the export made after the first load."""
    moved = add_action("--owner", "Insp A", "--due", "2026-12-01")["ref"]
    done = add_action("--owner", "Insp B", "--due", "2026-12-10", title="Finish")["ref"]
    if fmt == "yaml":
        path = write(
            tmp_path,
            "tracker.yaml",
            "version: 1\nactions:\n"
            f"  - ref: {moved}\n    borough: islington\n    title: Test action\n"
            "    due: 2027-01-15\n    note: chairs asked for January\n"
            "    evidence: https://example.org/minute-8\n"
            f"  - ref: {done}\n    borough: islington\n    title: Finish\n"
            "    status: complete\n    completed: today\n"
            "  - borough: camden\n    title: Book rooms\n    due: +3w\n"
            "  - borough: camden\n    title: Walk the wards\n    due: today\n"
            "    status: complete\n",
        )
    else:
        header = ["ref", "borough", "title", "status", "due", "reason"]
        rows = [
            [moved, "islington", "Test action", "", "2027-01-15", "chairs asked for January"],
            [done, "islington", "Finish", "complete", "2026-12-10", ""],
            ["", "camden", "Book rooms", "", "+3w", ""],
            ["", "camden", "Walk the wards", "complete", "today", ""],
        ]
        path = _make(tmp_path, fmt, header, rows)
    assert tail(casey("load", str(path))) == "2 created, 2 updated, 0 unchanged"
    rooms = next(
        i for i in casey.json("action", "list", "-b", "camden") if i["title"] == "Book rooms"
    )
    assert rooms["due"] == "2026-12-14"
    item = casey.json("action", "show", moved)
    assert (item["due"], item["slips"]) == ("2027-01-15", 1)
    export = tmp_path / f"export.{fmt if fmt != 'yaml' else 'csv'}"
    casey("export", "--format", export.suffix[1:], "--output", str(export))
    before = snapshot(casey)
    for later in ("2026-11-30", "2026-12-23", "2027-11-23"):
        out = casey("--today", later, "load", str(path), str(export), "--dry-run").stdout
        assert out.splitlines()[-1].startswith("0 would be created, 0 would be updated"), out
        assert tail(casey("--today", later, "load", str(path))) == (
            "0 created, 0 updated, 4 unchanged"
        )
        assert tail(casey("--today", later, "load", str(export))) == (
            "0 created, 0 updated, 71 unchanged"
        )
        assert snapshot(casey) == before


def test_progress_bar_only_on_a_terminal(tmp_path):
    """A large load shows a progress bar on stderr when it is a terminal, nothing otherwise."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    rows = ["borough,title,owner"] + [f"camden,Bulk action {n},Owner" for n in range(500)]
    path = write(tmp_path, "bulk.csv", "\n".join(rows) + "\n")
    env = {**os.environ, "CASEY_DB": str(tmp_path / "p.db"), "CASEY_TODAY": "2026-11-23"}
    subprocess.run(
        [sys.executable, "-m", "casey_cli", "init"], env=env, check=True, capture_output=True
    )
    quiet = subprocess.run(
        [sys.executable, "-m", "casey_cli", "load", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert quiet.stderr == "" and quiet.stdout.strip() == "500 created, 0 updated, 0 unchanged"
    path.write_text("\n".join(r.replace("Owner", "Other") for r in rows) + "\n")
    master, slave = pty.openpty()
    seen = bytearray()

    def drain() -> None:  # read as it is written, or a full pty would block the writer
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        [sys.executable, "-m", "casey_cli", "load", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    assert proc.returncode == 0
    assert out.strip() == "0 created, 500 updated, 0 unchanged"
    assert b"Loading" in seen


def _indexes(db: Path) -> list[tuple[str, str]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as conn:
        return sorted(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall()
        )


@pytest.mark.sqlite_only(reason="only a SQLite load drops and rebuilds its indexes")
def test_bulk_load_rebuilds_every_index_and_the_chain_holds(casey, isolated, tmp_path):
    """A load of at least BULK_ROWS new actions drops the action and history indexes and
    builds them again in the same transaction: a dry run (rolled back) and a real load
    both leave every index as it was, and the store checks clean."""
    from casey_cli.services.load import BULK_ROWS

    before = _indexes(isolated)
    assert any(name.startswith("ix_actions_") for name, _ in before)
    boroughs = ["camden", "hackney", "islington"]
    lines = ["borough,title,owner,status,due"] + [
        f'{boroughs[n % 3]},Bulk action {n},"Owner, {n % 7}",in-progress,2027-0{n % 9 + 1}-15'
        for n in range(BULK_ROWS)
    ]
    path = write(tmp_path, "bulk.csv", "\r\n".join(lines) + "\r\n")
    casey("load", str(path), "--dry-run")
    assert _indexes(isolated) == before
    out = casey("load", str(path)).stdout
    assert f"{BULK_ROWS} created" in out
    assert _indexes(isolated) == before
    assert "hash chain intact" in casey("db", "check").stdout
    listed = json.loads(
        casey("action", "list", "-b", "hackney", "--owner", "Owner, 3", "--format", "json").stdout
    )
    assert {i["title"] for i in listed} == {
        f"Bulk action {n}" for n in range(BULK_ROWS) if n % 3 == 1 and n % 7 == 3
    }


def test_history_hashes_keep_their_canonical_form(casey, isolated, tmp_path):
    """Stores written before keep verifying: each stored hash is SHA-256 over the compact,
    unescaped JSON list of the event's fields, then a 'created' event's state (schema 0005
    on) and the account when it has one (every event from schema 0006 on, after the state or
    null in its place; docs/data-safety.md), whatever builds that text."""
    import hashlib
    from datetime import datetime

    tricky = 'Quote " backslash \\ tab\tslash / \u00e9 \u2028 \U0001f600'
    casey("action", "add", "-b", "camden", "-t", tricky, "--note", 'caf\u00e9 "note"')
    path = write(tmp_path, "m.yaml", MINUTES)
    casey("load", str(path))
    rows = sql(
        isolated,
        'SELECT prev_hash, at, "by", kind, ref, borough, field, old, new, '
        "note, meeting_id, hash, state, account FROM history ORDER BY id",
    )
    assert any(r[8] == tricky for r in rows) and any(r[10] is not None for r in rows)
    assert all(r[13] for r in rows)  # a store made by this casey records every account
    for *fields, stored, state, account in rows:
        fields[0] = fields[0] or ""
        at = fields[1]  # SQLite keeps UTC text; PostgreSQL a timestamptz, in its own zone
        if isinstance(at, datetime):
            at = at.astimezone(UTC).isoformat(" ")
        fields[1] = f"{at[:10]}T{at[11:19]}Z"
        if state is not None:  # a 'created' event's first values: compact JSON, hashed last
            assert fields[6] == "created"
            assert state == json.dumps(json.loads(state), ensure_ascii=False, separators=(",", ":"))
        if state is not None or account is not None:
            fields.append(state)
        if account is not None:
            fields.append(account)
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == stored, fields


@pytest.mark.sqlite_only(reason="compares two builders of the same text; no store")
def test_a_new_actions_state_is_the_canonical_object_of_its_fields():
    """writes.action_state is state_text unrolled for speed: the same text, keys in
    ACTION_STATE order, for text, numbers, dates (PostgreSQL's) and nulls alike."""
    from datetime import date

    from casey_cli.store.writes import ACTION_COLUMNS, ACTION_STATE, action_state, state_text

    rows = [
        (
            19,
            "camden",
            None,
            'A "quoted" é\n title',
            "Insp",
            "in-progress",
            "2026-12-01",
            "2026-12-01",
            0,
            None,
            None,
            None,
            "c",
            "u",
            None,
            "unverified",
            None,
            None,
        ),
        (
            20,
            "camden",
            "casey-1",
            "t",
            None,
            "complete",
            date(2026, 1, 2),
            date(2026, 1, 2),
            3,
            40,
            "ev\nx",
            "cit",
            "c",
            "u",
            date(2026, 3, 4),
            "unverified",
            "SR (25/26) 01",
            "TBC",
        ),
    ]
    for row in rows:
        fields = dict(zip(ACTION_COLUMNS, row, strict=True))
        values = [fields.get(name) for name in ACTION_STATE]
        assert action_state(row) == state_text(ACTION_STATE, values)
        text = action_state(row)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
        assert list(json.loads(text)) == list(ACTION_STATE)


def test_a_source_or_meeting_keeps_the_keys_a_file_leaves_out(casey, tmp_path):
    """A register that names a source or a meeting with some keys changes those keys only,
    and its dry run says which (it once cleared the rest, and a dry run of it failed)."""
    before = {s["code"]: s for s in casey.json("source", "list")}["casey"]
    path = write(
        tmp_path,
        "retitle.yaml",
        'version: 1\nsources:\n  - code: casey\n    title: "The Casey Review"\n    notes:\n',
    )
    dry = casey("load", str(path), "--dry-run").stdout
    assert "would update source casey: title, notes\n" in dry
    casey("load", str(path))
    after = {s["code"]: s for s in casey.json("source", "list")}["casey"]
    assert after["title"] == "The Casey Review" and after["notes"] is None  # given empty
    for kept in ("publisher", "published", "citation"):
        assert after[kept] == before[kept] and before[kept]
    again = casey("load", str(path), "--dry-run").stdout
    assert "unchanged source casey\n" in again
