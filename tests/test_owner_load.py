"""`casey load` of a register's `owners:` section through the real CLI, on both backends:
owners added and updated through the directory's rules, applied before the file's items so
their owner names resolve through it, and any problem a located error with nothing written
(issue 18, the directory in `load`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conftest import snapshot

if TYPE_CHECKING:
    from conftest import Casey, Store

CN = "Supt, Central North"

REGISTER = """\
version: 1
owners:
  - name: "Supt, Central North"
    email: cn.supt@met.example
    organisation: Met
    aliases: [Met CN BCU, CN Superintendent]
  - name: Islington Council
    aliases:
      - LBI
  - name: Government
actions:
  - borough: islington
    title: Ward panel dates online
    owner: met cn-bcu
  - borough: islington
    title: Knife bins at the estates
    owner: lbi
  - borough: islington
    title: Youth forum
    owner: Home Office
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def owners(casey: Casey) -> list[dict[str, Any]]:
    return casey.json("owner", "list")  # type: ignore[no-any-return]


def owners_of(casey: Casey, borough: str = "islington") -> dict[str, Any]:
    return {i["title"]: i["owner"] for i in casey.json("action", "list", "-b", borough)}


def test_a_load_adds_owners_and_the_files_items_resolve_through_them(
    casey: Casey, tmp_path: Path
) -> None:
    register = write(tmp_path, "owners.yaml", REGISTER)
    seeded = owners(casey)  # the bundled register's Met BCUs
    result = casey("load", str(register))
    assert result.stdout == "6 created, 0 updated, 0 unchanged\n"
    assert owners(casey) == [
        {"name": "Government", "email": None, "organisation": None, "aliases": None},
        {"name": "Islington Council", "email": None, "organisation": None, "aliases": "lbi"},
        *seeded,
        {
            "name": CN,
            "email": "cn.supt@met.example",
            "organisation": "Met",
            "aliases": "cn superintendent; met cn bcu",
        },
    ]
    found = owners_of(casey)
    assert found["Ward panel dates online"] == CN
    assert found["Knife bins at the estates"] == "Islington Council"
    assert found["Youth forum"] == "Home Office"  # not in the directory: kept as given
    # a later write finds the loaded owners too
    added = casey.json("action", "add", "-b", "camden", "-t", "Panels", "--owner", "CN Command")
    assert added["owner"] == "CN Command"  # not an alias: as given
    added = casey.json("action", "add", "-b", "camden", "-t", "Walks", "--owner", "LBI")
    assert added["owner"] == "Islington Council"


def test_json_lists_the_owners_as_records_of_the_load(casey: Casey, tmp_path: Path) -> None:
    register = write(tmp_path, "owners.yaml", REGISTER)
    loaded = casey.json("load", str(register))
    assert (loaded["created"], loaded["updated"], loaded["unchanged"]) == (6, 0, 0)
    assert [(i["action"], i["kind"], i["key"]) for i in loaded["items"][:3]] == [
        ("created", "owner", CN),
        ("created", "owner", "Islington Council"),
        ("created", "owner", "Government"),
    ]


def test_a_reload_updates_owners_adds_aliases_and_changes_nothing_twice(
    casey: Casey, tmp_path: Path, isolated: Store
) -> None:
    seeded = {o["name"] for o in owners(casey)}
    casey("load", str(write(tmp_path, "owners.yaml", REGISTER)))
    update = write(
        tmp_path,
        "update.yaml",
        # By an alias: that owner, not renamed; email changed, organisation left out (kept),
        # one alias it has and one new. Islington's organisation set; Government unchanged.
        "version: 1\nowners:\n"
        "  - name: cn superintendent\n"
        "    email: cn.bcu@met.example\n"
        "    aliases: [Met CN BCU, CN Supt]\n"
        "  - name: Islington Council\n"
        "    organisation: Islington\n"
        "  - name: Government\n",
    )
    dry = casey("load", str(update), "--dry-run")
    assert dry.stdout.splitlines() == [
        f"would update owner {CN}: email, aliases",
        "would update owner Islington Council: organisation",
        "unchanged owner Government",
        "0 would be created, 2 would be updated, 1 unchanged",
    ]
    result = casey("load", str(update))
    assert result.stdout == "0 created, 2 updated, 1 unchanged\n"
    [government, islington, cn] = [o for o in owners(casey) if o["name"] not in seeded]
    assert cn == {
        "name": CN,
        "email": "cn.bcu@met.example",
        "organisation": "Met",
        "aliases": "cn superintendent; cn supt; met cn bcu",
    }
    assert islington["organisation"] == "Islington" and islington["aliases"] == "lbi"
    assert government == {
        "name": "Government",
        "email": None,
        "organisation": None,
        "aliases": None,
    }
    before = snapshot(isolated)
    again = casey("load", str(update))
    assert again.stdout == "0 created, 0 updated, 3 unchanged\n"
    assert snapshot(isolated) == before  # nothing written: aliases are never added twice
    # The first file again: its aliases are there, the email it gives is set back.
    first = casey("load", str(tmp_path / "owners.yaml"))
    assert first.stdout == "0 created, 1 updated, 5 unchanged\n"
    [cn] = [o for o in owners(casey) if o["name"] == CN]
    assert cn["aliases"] == "cn superintendent; cn supt; met cn bcu"  # none removed


def test_a_key_given_empty_clears_the_field(casey: Casey, tmp_path: Path) -> None:
    casey("load", str(write(tmp_path, "owners.yaml", REGISTER)))
    clear = write(
        tmp_path, "clear.yaml", f'version: 1\nowners:\n  - name: "{CN}"\n    organisation:\n'
    )
    casey("load", str(clear))
    [cn] = [o for o in owners(casey) if o["name"] == CN]
    assert cn["organisation"] is None and cn["email"] == "cn.supt@met.example"


def test_an_alias_another_owner_has_is_a_located_error_and_nothing_is_written(
    casey: Casey, tmp_path: Path, isolated: Store
) -> None:
    casey("owner", "add", CN, "--alias", "Met CN BCU")
    register = write(
        tmp_path,
        "clash.yaml",
        "version: 1\n"
        "owners:\n"
        "  - name: Islington Council\n"
        "    email: community.safety@islington.example\n"
        "  - name: Met Islington\n"
        "    aliases: [Islington police, met cn-bcu]\n"
        "actions:\n"
        "  - borough: islington\n"
        "    title: Ward panel dates online\n"
        "    owner: Islington Council\n",
    )
    directory, items, before = owners(casey), owners_of(casey), snapshot(isolated)
    err = casey.error("load", str(register))
    assert err == (
        f"Error: {register}:6: aliases: the alias 'met cn-bcu' already belongs to owner "
        f"'{CN}' (as its alias); give another alias"
    )
    assert owners(casey) == directory
    assert owners_of(casey) == items
    assert snapshot(isolated) == before
    # an alias that is another owner's name is refused alike
    name_clash = write(
        tmp_path,
        "name-clash.yaml",
        "version: 1\nowners:\n  - name: Islington Council\n    aliases: [Supt Central North]\n",
    )
    err = casey.error("load", str(name_clash))
    assert err == (
        f"Error: {name_clash}:4: aliases: the alias 'Supt Central North' already belongs to "
        f"owner '{CN}' (as its name); give another alias"
    )
    assert snapshot(isolated) == before


def test_a_bad_email_is_a_located_error_and_every_problem_is_said(
    casey: Casey, tmp_path: Path, isolated: Store
) -> None:
    casey("owner", "add", CN, "--alias", "Met CN BCU")
    before = snapshot(isolated)
    register = write(
        tmp_path,
        "email.yaml",
        "version: 1\nowners:\n  - name: Islington Council\n    email: community safety\n",
    )
    err = casey.error("load", str(register))
    assert err == (
        f"Error: {register}:4: email: 'community safety' is not an email address; give "
        "email as name@example.org (one @, and a domain with a dot)"
    )
    # Several owners' problems, and an item's, in one run: each located, then the count.
    several = write(
        tmp_path,
        "several.yaml",
        "version: 1\n"
        "owners:\n"
        "  - name: Islington Council\n"
        "    email: lbi@islington\n"
        "  - name: Met Islington\n"
        "    aliases: [Met CN BCU]\n"
        "actions:\n"
        "  - borough: islington\n"
        "    title: Youth forum\n"
        "    recommendation: casey-99\n",
    )
    result = casey("load", str(several), code=1)
    assert result.stderr.splitlines() == [
        f"Error: {several}:4: email: 'lbi@islington' is not an email address; give email as "
        "name@example.org (one @, and a domain with a dot)",
        f"Error: {several}:6: aliases: the alias 'Met CN BCU' already belongs to owner "
        f"'{CN}' (as its alias); give another alias",
        f"Error: {several}:10: recommendation: unknown recommendation 'casey-99' (did you "
        "mean 'casey-9'?); see `casey rec list`",
        "Error: 3 problems in the files; nothing was written",
    ]
    assert snapshot(isolated) == before


def test_a_malformed_owners_section_is_a_located_error(
    casey: Casey, tmp_path: Path, isolated: Store
) -> None:
    before = snapshot(isolated)
    cases = {
        "owners:\n  - email: a@b.example\n": "3: an owner needs 'name'; add it",
        "owners:\n  - name: A\n    mail: a@b.example\n": (
            "4: mail: unknown field 'mail' for owners (did you mean 'email'?); allowed: name, "
            "email, organisation, aliases"
        ),
        "owners:\n  - name: A\n    aliases: LBI\n": (
            "4: aliases: 'aliases' must be a list of names, e.g. [CN BCU, Central North]"
        ),
        "owners:\n  - name: A\n    aliases: [' - ']\n": (
            "4: aliases: an alias is empty (no letters or digits); give a name or leave it out"
        ),
        "owners:\n  - name: ' , '\n": "3: name: ',' has no letters or digits; give the "
        "owner's name",
        "owners:\n  - name: Islington Council\n  - name: ISLINGTON COUNCIL\n": (
            "4: name: owner 'ISLINGTON COUNCIL' is repeated in this file (first at line 3); "
            "keep one"
        ),
        "owners:\n  - name: A\n    aliases: [LBI]\n  - name: B\n    aliases: [Lbi]\n": (
            "6: aliases: 'Lbi' is repeated in this file (first at line 4, for owner 'A'); keep one"
        ),
        "owners:\n  - name: A\n    aliases: [LBI]\n  - name: lbi\n": (
            "5: name: 'lbi' is repeated in this file (first at line 4, for owner 'A'); keep one"
        ),
        "owners: {name: A}\n": "2: owners: 'owners' must be a list",
        "ownres: []\n": "2: ownres: unknown top-level key 'ownres' (did you mean 'owners'?); "
        "allowed: version, owners, sources, boroughs, meetings, actions",
    }
    for body, said in cases.items():
        register = write(tmp_path, "bad.yaml", "version: 1\n" + body)
        assert casey.error("load", str(register)) == f"Error: {register}:{said}", body
    assert snapshot(isolated) == before


def test_a_dry_run_counts_the_owners_and_writes_nothing(
    casey: Casey, tmp_path: Path, isolated: Store
) -> None:
    register = write(tmp_path, "owners.yaml", REGISTER)
    seeded = owners(casey)  # the bundled register's Met BCUs
    before = snapshot(isolated)
    dry = casey("load", str(register), "--dry-run")
    assert dry.stdout.splitlines() == [
        f"would create owner {CN}",
        "would create owner Islington Council",
        "would create owner Government",
        "would create action A32",
        "would create action A33",
        "would create action A34",
        "6 would be created, 0 would be updated, 0 unchanged",
    ]
    assert dry.stderr == "Dry run: nothing was written.\n"
    as_json = json.loads(casey("load", str(register), "--dry-run", "--format", "json").stdout)
    assert as_json["dry_run"] is True and as_json["created"] == 6
    assert [i["kind"] for i in as_json["items"]].count("owner") == 3
    assert snapshot(isolated) == before
    assert owners(casey) == seeded
