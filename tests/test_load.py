"""`casey load`: idempotent, atomic upserts from YAML, CSV, JSON and XLSX, with located errors."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

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
    assert "would create action A19" in lines
    assert "would update action A3: status, due, original_due" in lines
    assert "would create meeting Policy and Performance Scrutiny Committee (2026-11-19)" in lines
    assert lines[-1] == "2 would be created, 1 would be updated, 0 unchanged"
    assert "nothing was written" in dry.stderr
    assert snapshot(casey) == before

    real = casey("load", str(path))
    assert real.stdout.strip().splitlines()[-1] == "2 created, 1 updated, 0 unchanged"
    new = casey.json("action", "show", "A19")
    assert new["owner"] == "Supt, Central North" and new["due"] == "2026-12-21"
    assert new["recommendation"] == "islington-plan-1"
    assert new["history"][0]["note"] == "Agreed at committee"
    assert new["history"][0]["meeting"].startswith("M5 Policy and Performance")
    board = casey.json("action", "show", "A3")
    assert (board["status"], board["due"], board["original_due"]) == (
        "in-progress",
        "2027-03-31",
        "2027-03-31",
    )

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
        "fields": ["status", "due", "original_due"],
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
    casey("action", "reschedule", "A19", "--due", "2026-12-01", "--reason", "slip")
    out = tmp_path / f"register.{fmt}"
    casey("export", "--format", fmt, "--output", str(out))
    before = snapshot(casey)
    assert casey("load", str(out)).stdout.strip().endswith("0 created, 0 updated, 49 unchanged")
    assert snapshot(casey) == before  # not even a history event

    edit_owner(out, fmt, "A19", "New Owner")
    assert casey("load", str(out)).stdout.strip().endswith("0 created, 1 updated, 48 unchanged")
    item = casey.json("action", "show", "A19")
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
    unescaped JSON list of the event's fields, whatever builds that text."""
    import hashlib
    from datetime import datetime

    tricky = 'Quote " backslash \\ tab\tslash / \u00e9 \u2028 \U0001f600'
    casey("action", "add", "-b", "camden", "-t", tricky, "--note", 'caf\u00e9 "note"')
    path = write(tmp_path, "m.yaml", MINUTES)
    casey("load", str(path))
    rows = sql(
        isolated,
        'SELECT prev_hash, at, "by", kind, ref, borough, field, old, new, '
        "note, meeting_id, hash, state FROM history ORDER BY id",
    )
    assert any(r[8] == tricky for r in rows) and any(r[10] is not None for r in rows)
    for *fields, stored, state in rows:
        fields[0] = fields[0] or ""
        at = fields[1]  # SQLite keeps UTC text; PostgreSQL a timestamptz, in its own zone
        if isinstance(at, datetime):
            at = at.astimezone(UTC).isoformat(" ")
        fields[1] = f"{at[:10]}T{at[11:19]}Z"
        if state is not None:  # a 'created' event's first values: compact JSON, hashed last
            assert fields[6] == "created"
            assert state == json.dumps(json.loads(state), ensure_ascii=False, separators=(",", ":"))
            fields.append(state)
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
        ),
    ]
    for row in rows:
        fields = dict(zip(ACTION_COLUMNS, row, strict=True))
        values = [fields.get(name) for name in ACTION_STATE]
        assert action_state(row) == state_text(ACTION_STATE, values)
        text = action_state(row)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
        assert list(json.loads(text)) == list(ACTION_STATE)
