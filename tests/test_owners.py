"""`casey owner ...` through the real CLI: the owner directory, and owner names given on
writes and loads resolved through it (issue 18, part 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conftest import snapshot

if TYPE_CHECKING:
    from conftest import Casey, Store

CN = "Supt, Central North"


def owners(casey: Casey) -> list[dict[str, Any]]:
    return casey.json("owner", "list")  # type: ignore[no-any-return]


def add_cn(casey: Casey) -> None:
    casey(
        "owner",
        "add",
        CN,
        "--organisation",
        "Met",
        "--alias",
        "Met CN BCU",
        "--alias",
        "CN Superintendent",  # "Central North BCU" is the bundled Met Central North BCU's
    )


def owner_of(casey: Casey, ref: str) -> Any:
    return casey.json("action", "show", ref)["owner"]


# ---------------------------------------------------------------- add / list / update


def test_add_prints_the_name_and_lists_the_owner(casey: Casey) -> None:
    seeded = owners(casey)
    assert len(seeded) == 12  # the bundled register's Met BCUs
    assert {o["name"] for o in seeded}.isdisjoint({CN, "Government"})
    result = casey("owner", "add", CN, "--email", "cn.supt@met.example", "--alias", "Met CN-BCU")
    assert result.stdout == f"{CN}\n"
    assert result.stderr == f"Added owner {CN}.\n"
    casey("owner", "add", "Government")  # a body without an address
    assert owners(casey) == [
        {"name": "Government", "email": None, "organisation": None, "aliases": None},
        *seeded,
        {
            "name": CN,
            "email": "cn.supt@met.example",
            "organisation": None,
            "aliases": "met cn bcu",
        },
    ]
    csv = casey("owner", "list", "--format", "csv").stdout.splitlines()
    assert len(csv) == 1 + 2 + len(seeded)
    assert csv[:2] == ["name,email,organisation,aliases", "Government,,,"]
    assert csv[-1] == f'"{CN}",cn.supt@met.example,,met cn bcu'

    table = casey("owner", "list").stdout
    assert "Owners" in table and "Government" in table and "cn.supt@met.example" in table


def test_add_json_gives_the_owner(casey: Casey) -> None:
    added = casey.json("owner", "add", "Head of Community Safety", "--organisation", "Islington")
    assert added == {
        "name": "Head of Community Safety",
        "email": None,
        "organisation": "Islington",
        "aliases": None,
    }


def test_update_sets_and_clears_fields_adds_aliases_and_renames(casey: Casey) -> None:
    seeded = {o["name"] for o in owners(casey)}
    add_cn(casey)
    result = casey("owner", "update", "met cn bcu", "--email", "cn@met.example", "--alias", "CN")
    assert result.stdout == f"{CN}\n" and result.stderr == f"Updated owner {CN}.\n"
    again = casey("owner", "update", CN, "--email", "cn@met.example")
    assert "unchanged" in again.stderr
    casey("owner", "update", CN, "--organisation", "", "--rename", "Superintendent, CN")
    [owner] = [o for o in owners(casey) if o["name"] not in seeded]
    assert owner == {
        "name": "Superintendent, CN",
        "email": "cn@met.example",
        "organisation": None,
        # the old name stays an alias: writes that use it still find the owner
        "aliases": "cn; cn superintendent; met cn bcu; supt central north",
    }
    casey("action", "add", "-b", "islington", "-t", "Panels", "--owner", "SUPT central north")
    assert owner_of(casey, "A32") == "Superintendent, CN"


def test_duplicates_are_refused_naming_the_owner_that_has_it(casey: Casey, isolated: Store) -> None:
    add_cn(casey)
    casey("owner", "add", "Government")
    before = snapshot(isolated)
    err = casey.error("owner", "add", "supt  central north")
    assert err == (
        f"Error: owner '{CN}' is already in the directory; change it with "
        f"`casey owner update '{CN}'`"
    )
    err = casey.error("owner", "add", "met cn bcu")
    assert f"'met cn bcu' is already an alias of owner '{CN}'" in err, err
    err = casey.error("owner", "add", "Someone", "--alias", "Met CN BCU")
    assert f"the alias 'Met CN BCU' already belongs to owner '{CN}' (as its alias)" in err
    err = casey.error("owner", "update", "Government", "--alias", "Supt Central North")
    assert f"already belongs to owner '{CN}' (as its name)" in err, err
    err = casey.error("owner", "update", "Government", "--rename", CN)
    assert f"owner '{CN}' is already in the directory" in err, err
    assert snapshot(isolated) == before


def test_bad_email_empty_name_and_unknown_owner_are_one_line_errors(
    casey: Casey, isolated: Store
) -> None:
    before = snapshot(isolated)
    for bad in ("cn.met.example", "cn@met", "a@b@c.d", "cn @met.example"):
        err = casey.error("owner", "add", CN, "--email", bad)
        assert "is not an email address; give --email as name@example.org" in err, err
    assert "the owner's name is empty" in casey.error("owner", "add", " , ")
    err = casey.error("owner", "update", "Nobody", "--email", "n@x.example")
    assert "no owner 'Nobody' in the directory" in err and "casey owner list" in err
    assert snapshot(isolated) == before
    casey("owner", "add", CN)
    err = casey.error("owner", "update", CN)
    assert "nothing to change" in err, err


# ---------------------------------------------------------------- resolution on writes


def test_action_and_rec_owners_resolve_through_names_and_aliases(casey: Casey) -> None:
    add_cn(casey)
    result = casey("action", "add", "-b", "islington", "-t", "Panels", "--owner", "met cn-bcu")
    assert result.stderr == "Added A32 in islington: Panels\n"  # no hint: it is an alias
    assert owner_of(casey, "A32") == CN
    casey("action", "update", "A3", "--owner", "cn superintendent")
    assert owner_of(casey, "A3") == CN
    casey("rec", "update", "casey-3", "--owner", "SUPT. CENTRAL NORTH")
    assert casey.json("rec", "show", "casey-3")["owner"] == CN
    history = casey.json("history", "A3")
    # the owner's event, then the register's as_of superseded by this change
    assert [(e["field"], e["new"]) for e in history[-2:]] == [("owner", CN), ("as_of", None)]
    casey("action", "update", "A3", "--owner", "")  # '' still clears
    assert owner_of(casey, "A3") is None


def test_an_owner_not_in_the_directory_is_kept_and_a_near_miss_hinted(casey: Casey) -> None:
    add_cn(casey)
    result = casey("action", "add", "-b", "islington", "-t", "Bodies", "--owner", "Government")
    assert result.stderr == "Added A32 in islington: Bodies\n"
    assert owner_of(casey, "A32") == "Government"
    result = casey("action", "add", "-b", "islington", "-t", "Typo", "--owner", "Supt Centrl North")
    assert result.stdout == "A33\n"
    assert result.stderr.splitlines()[0] == (
        f"'Supt Centrl North' is not in the owner directory (did you mean '{CN}'?); kept as given"
    )
    assert owner_of(casey, "A33") == "Supt Centrl North"
    result = casey("action", "update", "A33", "--owner", "Met CN BUC", "--format", "json")
    assert "did you mean 'Supt, Central North'" in result.stderr
    assert json.loads(result.stdout)["owner"] == "Met CN BUC"


def test_an_empty_directory_keeps_every_owner_as_given(casey: Casey) -> None:
    result = casey("action", "add", "-b", "islington", "-t", "Panels", "--owner", "  Insp  A ")
    assert result.stderr == "Added A32 in islington: Panels\n"
    assert owner_of(casey, "A32") == "Insp  A"


# ---------------------------------------------------------------- resolution on loads


def test_a_csv_load_resolves_owners_once_per_name(casey: Casey, tmp_path: Path) -> None:
    add_cn(casey)
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "Action,Lead officer,Target date\n"
        "Ward panel dates,Met CN BCU,2027-01-31\n"
        "Stop and search data,cn superintendent,2027-02-28\n"
        "Youth forum,Government,2027-03-31\n"
        "Knife bins,Supt Centrl North,2027-04-30\n"
        "Estate walks,Supt Centrl North,2027-05-31\n",
        encoding="utf-8",
    )
    result = casey("load", str(tracker), "--borough", "islington")
    hint = (
        f"'Supt Centrl North' is not in the owner directory (did you mean '{CN}'?); kept as given"
    )
    assert result.stderr.count(hint) == 1, result.stderr  # once, not once per row
    found = {i["title"]: i["owner"] for i in casey.json("action", "list", "-b", "islington")}
    assert found["Ward panel dates"] == CN
    assert found["Stop and search data"] == CN
    assert found["Youth forum"] == "Government"
    assert found["Knife bins"] == "Supt Centrl North"
    # loaded again: the resolved names are what the items have, so nothing changes
    again = casey("load", str(tracker), "--borough", "islington")
    assert "0 created, 0 updated, 5 unchanged" in again.stdout, again.stdout


def test_a_yaml_load_resolves_an_existing_items_owner(casey: Casey, tmp_path: Path) -> None:
    add_cn(casey)
    a3 = casey.json("action", "show", "A3")
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text(
        f"version: 1\nactions:\n  - ref: A3\n    borough: {a3['borough']}\n"
        f"    title: {json.dumps(a3['title'])}\n    owner: met cn bcu\n",
        encoding="utf-8",
    )
    casey("load", str(minutes))
    assert owner_of(casey, "A3") == CN


# ---------------------------------------------------------------- dump / restore


def test_dump_and_restore_keep_the_directory(casey: Casey, tmp_path: Path) -> None:
    seeded = len(owners(casey))  # the bundled Met BCUs, each with two aliases
    add_cn(casey)
    casey("owner", "add", "Government", "--email", "gov@gov.example")
    dumped = tmp_path / "d.json"
    result = casey("db", "dump", str(dumped))
    assert f"{seeded + 2} owners, {2 * seeded + 2} owner aliases" in result.stderr, result.stderr
    document = json.loads(dumped.read_text(encoding="utf-8"))
    assert document["version"] == 7
    assert [o["name"] for o in document["owners"]][seeded:] == [CN, "Government"]
    [cn_id] = [o["id"] for o in document["owners"] if o["name"] == CN]
    assert [a["alias"] for a in document["owner_aliases"] if a["owner_id"] == cn_id] == [
        "cn superintendent",
        "met cn bcu",
    ]
    target = tmp_path / "restored.db"
    casey("--db", str(target), "db", "restore", str(dumped))
    assert casey.json("--db", str(target), "owner", "list") == owners(casey)
    # the restored directory resolves as the first did
    casey("--db", str(target), "action", "add", "-b", "camden", "-t", "x", "--owner", "MET CN BCU")
    assert casey.json("--db", str(target), "action", "show", "A32")["owner"] == CN


# ---------------------------------------------------------------- merge


def test_merge_moves_every_item_through_the_history(casey: Casey, isolated: Store) -> None:
    """Three spellings of one owner become one: items by the old owner's name, its alias or
    a free-text name move to the new owner, one history event each with a note; the old
    names become aliases, so later writes that use them find the new owner."""
    add_cn(casey)
    casey("owner", "add", "Met CN BCU office", "--email", "cn@met.police.example")
    a = casey.json("action", "add", "--borough", "camden", "--title", "One", "--owner", "Met")
    b = casey.json(
        "action", "add", "--borough", "camden", "--title", "Two", "--owner", "met cn bcu office"
    )
    c = casey.json("action", "add", "--borough", "camden", "--title", "Three", "--owner", CN)
    before = snapshot(isolated)
    dry = casey("owner", "merge", "Met CN BCU office", CN, "--dry-run")
    assert dry.stderr.strip() == (
        f"Merged Met CN BCU office into {CN}; would move 1 item: {b['ref']}. Dry run: nothing "
        "was written."
    )
    assert snapshot(isolated) == before
    casey("owner", "merge", "Met CN BCU office", CN)
    merged = casey.json("owner", "merge", "Met", CN)
    assert (merged["merged"], merged["into"]) == ("Met", CN)
    assert a["ref"] in merged["moved"]  # and the bundled register's items owned by "Met"
    for ref in [*merged["moved"], b["ref"], c["ref"]]:
        assert owner_of(casey, ref) == CN
    assert "Met" not in {i["owner"] for i in casey.json("export", "--format", "json")}
    events = [e for e in casey.json("action", "show", b["ref"])["history"] if e["field"] == "owner"]
    assert [(e["old"], e["new"], e["note"]) for e in events] == [
        ("Met CN BCU office", CN, f"owner 'Met CN BCU office' merged into '{CN}'")
    ]
    [cn] = [o for o in owners(casey) if o["name"] == CN]
    assert cn["email"] == "cn@met.police.example"  # the merged owner's, where CN had none
    assert "met" in cn["aliases"].split("; ") and "met cn bcu office" in cn["aliases"]
    later = casey.json("action", "add", "--borough", "camden", "--title", "Four", "--owner", "MET")
    assert later["owner"] == CN
    before = snapshot(isolated)
    err = casey.error("owner", "merge", "Nobody at all", CN)
    assert err == (
        "Error: no owner or item owner 'Nobody at all'; see `casey owner list`, or the "
        "owners of `casey action list`"
    )
    assert snapshot(isolated) == before  # a typo does not become an alias
    err = casey.error("owner", "merge", "supt central north", CN)
    assert err == f"Error: 'supt central north' is {CN}'s own name; nothing to merge"
