"""The bundled register: built from the reference facts, every item cited, gaps left empty;
and the YAML reader's errors name file, line and field."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from casey_cli.errors import InvalidInput
from casey_cli.io.register import bundled_register, parse_register

TODAY = date(2026, 11, 23)


def test_bundled_sources(casey):
    sources = {s["code"]: s for s in casey.json("source", "list")}
    assert {"casey", "new-met-for-london", "islington-plan", "camden-plan"} <= set(sources)
    assert sources["casey"]["published"] == "2023-03-21"
    assert sources["new-met-for-london"]["published"] == "2023-07-18"
    assert sources["islington-plan"]["borough"] == "islington"
    assert sources["camden-plan"]["borough"] == "camden"  # not the only borough with a plan
    # The official 1-16 numbering was not available: the source says so, in its limits.
    assert "register order" in sources["casey"]["notes"]
    assert "not available" in sources["casey"]["limits"]


# A citation a user can follow names a document and its date; never a file of ours or a
# forum that reposted it.
_OURS = ("research notes", "casey-facts", "facts.md", "seed 0", "seeds/", ".txt", "section 8")
_DATED = re.compile(r"\b(19|20)\d\d\b")


def _citations(casey) -> dict[str, str]:
    cited = {f"source {s['code']}": s["citation"] for s in casey.json("source", "list")}
    for rec in casey.json("rec", "list"):
        cited[rec["ref"]] = casey.json("rec", "show", rec["ref"])["citation"]
    for action in casey.json("action", "list"):
        cited[action["ref"]] = casey.json("action", "show", action["ref"])["citation"]
    for meeting in casey.json("meeting", "list"):
        cited[meeting["ref"]] = meeting["citation"]
    return cited


def test_every_item_cites_a_dated_document_never_a_file_of_ours_or_a_forum(casey):
    cited = _citations(casey)
    assert len(cited) > 80
    for what, citation in cited.items():
        assert citation and len(citation) > 20, what
        # A date, or the plain statement that the document gives none.
        assert _DATED.search(citation) or "undated" in citation, f"{what}: {citation!r}"
        lowered = citation.lower()
        assert not any(mark in lowered for mark in _OURS), f"{what}: {citation!r}"
        assert "forum" not in lowered.replace("mental health forum", ""), f"{what}: {citation!r}"


def test_every_bundled_item_has_the_day_of_its_latest_information(casey):
    items = casey.json("export", "--format", "json")
    bundled = [i for i in items if i["ref"] not in ("",)]
    assert bundled and all(i["as_of"] for i in bundled), [
        i["ref"] for i in bundled if not i["as_of"]
    ]
    assert all(i["as_of"] <= "2026-12-31" for i in bundled)


def test_no_invented_dates_for_islington_actions(casey):
    actions = casey.json("action", "list", "--borough", "islington")
    assert actions and all(a["due"] is None and a["original_due"] is None for a in actions)
    assert all(a["completed"] is None for a in actions)  # completion dates were not stated


def test_boroughs_and_bcus(casey):
    boroughs = {b["slug"]: b for b in casey.json("borough", "list")}
    assert len(boroughs) == 34  # 32 boroughs, the City, and london
    assert boroughs["islington"]["gss"] == "E09000019"
    assert boroughs["islington"]["bcu"] == boroughs["camden"]["bcu"] == "Central North"
    assert boroughs["city-of-london"]["bcu"] is None
    gss = sorted(b["gss"] for b in boroughs.values() if b["gss"])
    assert gss == [f"E090000{n:02d}" for n in range(1, 34)]


def test_meetings_have_dates_and_citations(casey):
    meetings = casey.json("meeting", "list")
    assert any(m["date"] == "2024-05-14" and m["borough"] == "islington" for m in meetings)
    assert all(m["citation"] for m in meetings)


def test_seeding_is_recorded_in_history(casey):
    events = casey.json("history", "--borough", "islington")
    created = {e["ref"] for e in events if e["field"] == "created"}
    actions = {a["ref"] for a in casey.json("action", "list", "-b", "islington")}
    assert actions <= created


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        parse_register(path, TODAY)
    return err.value


def test_bundled_register_parses():
    parsed = parse_register(bundled_register(), TODAY)
    assert len(parsed.recs) == 36 and len(parsed.boroughs) == 34


def test_unknown_key_names_file_line_field_and_suggests(tmp_path):
    path = write(
        tmp_path, "version: 1\nactions:\n  - borough: islington\n    title: t\n    ownr: Met\n"
    )
    err = error_of(path)
    assert str(err).startswith(f"{path}:5: ownr: unknown field 'ownr'")
    assert "did you mean 'owner'" in str(err)


def test_impossible_date_is_located(tmp_path):
    path = write(
        tmp_path,
        "version: 1\nactions:\n  - borough: islington\n    title: t\n    due: 2023-02-30\n",
    )
    err = error_of(path)
    assert (err.line, err.field) == (5, "due")
    assert "not a real date" in str(err)


def test_python_object_tags_are_rejected(tmp_path):
    path = write(tmp_path, "version: 1\nactions: !!python/object/apply:os.system ['true']\n")
    err = error_of(path)
    assert "not allowed" in str(err) and err.line == 2


def test_repeated_key_and_missing_title(tmp_path):
    err = error_of(
        write(
            tmp_path,
            "version: 1\nactions:\n  - borough: islington\n    borough: camden\n    title: t\n",
        )
    )
    assert "appears twice" in str(err) and err.line == 4
    err = error_of(write(tmp_path, "version: 1\nactions:\n  - borough: islington\n"))
    assert "needs 'title'" in str(err) and err.line == 3


def test_bad_version_and_syntax(tmp_path):
    assert "version: 1" in str(error_of(write(tmp_path, "version: 2\n")))
    err = error_of(write(tmp_path, "version: 1\nactions: [\n"))
    assert err.line is not None and "YAML" in str(err)
    assert "mapping" in str(error_of(write(tmp_path, "- just a list\n")))
