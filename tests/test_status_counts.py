"""The store counts and lists status by SQL (rules.sql_*); these tests check, on varied
registers loaded through the CLI, that it finds exactly what the Python rules
(rules.rag, is_overdue, is_due_soon, is_gap, is_open) decide for each exported item:
in the London view (headline, every borough row, force-wide) and in a borough's own status."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from casey_cli import rules
from casey_cli.cli import app

STATUSES = ("not-started", "in-progress", "blocked", "complete", "dropped")


def spelled(status: str, n: int) -> str:
    """The status as a person may type it (the contract: any case, spaces or underscores)."""
    return (status, status.replace("-", " ").title(), status.replace("-", "_").upper())[n % 3]


BOROUGHS = ("camden", "hackney", "islington")
OWNERS = (None, "", "   ", "Ops", "  Supt, Central North  ")
FORCE_SOURCE, PLAN_SOURCE = "hyp-force", "hyp-camden"  # no borough; camden's own plan


@dataclass
class Spec:
    """One generated item: where its due date falls (None, days from today, or days from
    the window's end) and how far a later load moves it (0: never; < 0: earlier)."""

    kind: str  # action | force | plan
    borough: str
    status: str
    owner: str | None
    due: tuple[str, int] | None
    move: int


def due_date(due: tuple[str, int] | None, today: date, window: int) -> str | None:
    if due is None:
        return None
    anchor, days = due
    base = today if anchor == "today" else today + timedelta(days=window)
    return (base + timedelta(days=days)).isoformat()


dues = st.one_of(
    st.none(),
    st.tuples(st.just("today"), st.sampled_from([-400, -15, -1, 0, 1, 2, 90])),
    st.tuples(st.just("edge"), st.sampled_from([-1, 0, 1])),
)
specs = st.builds(
    Spec,
    kind=st.sampled_from(["action", "action", "force", "plan"]),
    borough=st.sampled_from(BOROUGHS),
    status=st.sampled_from(STATUSES),
    owner=st.sampled_from(OWNERS),
    due=dues,
    move=st.sampled_from([0, 0, 1, 20, -3]),
)


class Store:
    """A fresh copy of the seeded store, driven through the real CLI on a fixed day."""

    def __init__(self, seeded: Path, today: date, window: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="casey-counts-"))
        self.db = self.dir / "casey.db"
        shutil.copyfile(seeded, self.db)
        self.today, self.window = today, window

    def run(self, *args: str) -> str:
        result = CliRunner().invoke(
            app, ["--db", str(self.db), "--today", self.today.isoformat(), *args]
        )
        assert result.exit_code == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--format", "json"))

    def load(self, register: dict[str, Any]) -> None:
        path = self.dir / "register.yaml"
        path.write_text(yaml.safe_dump(register, sort_keys=False), encoding="utf-8")
        self.run("load", str(path))

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def register(
    items: list[Spec], today: date, window: int, moved: bool, refs: dict[str, str]
) -> dict[str, Any]:
    """The YAML register of the generated items; `moved`: with each move applied (actions
    by the ref the first load gave them), as a load moves dates: of open items, with a
    reason."""
    actions, recs = [], {FORCE_SOURCE: [], PLAN_SOURCE: []}
    for n, spec in enumerate(items, 1):
        if moved and not moves(spec):
            continue
        anchor_due = due_date(spec.due, today, window)
        due = (
            (date.fromisoformat(anchor_due) + timedelta(days=spec.move)).isoformat()
            if moved and anchor_due
            else anchor_due
        )
        fields: dict[str, Any] = {"title": f"hyp item {n}", "status": spelled(spec.status, n)}
        if spec.owner is not None:
            fields["owner"] = spec.owner
        if due is not None:
            fields["due"] = due
        if moved:
            fields["reason"] = "moved by the generator"
        if spec.kind == "action":
            ref = {"ref": refs[fields["title"]]} if moved else {}
            actions.append({**ref, "borough": spec.borough, **fields})
        else:
            source = FORCE_SOURCE if spec.kind == "force" else PLAN_SOURCE
            recs[source].append({"number": n, **fields})
    sources = [
        {
            "code": code,
            "title": f"Source {code}",
            "publisher": "Test",
            "published": "2026-01-01",
            "url": f"https://example.org/{code}",
            **({"borough": "camden"} if code == PLAN_SOURCE else {}),
            "recommendations": rows,
        }
        for code, rows in recs.items()
        if rows
    ]
    return {"version": 1, "sources": sources, "actions": actions}


def moves(spec: Spec) -> bool:
    """Does the second load move this item's due date? Only an open one's can move."""
    return bool(spec.move) and spec.due is not None and rules.is_open(spec.status)


def build(seeded: Path, items: list[Spec], today: date, window: int) -> Store:
    store = Store(seeded, today, window)
    store.load(register(items, today, window, False, {}))
    refs = {i["title"]: i["ref"] for i in store.json("export") if i["kind"] == "action"}
    if any(moves(s) for s in items):
        store.load(register(items, today, window, True, refs))
    return store


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def expected(items: list[dict], today: date, window: int) -> dict[str, dict[str, Any]]:
    """Counts per borough (force-wide under `london`) by the Python rules, item by item."""
    out: dict[str, dict[str, Any]] = {}
    for i in items:
        status, due = i["status"], day(i["due"])
        c = out.setdefault(
            i["borough"],
            {
                "total": 0,
                "open": 0,
                "overdue": 0,
                "due_soon": 0,
                "gaps": 0,
                "slipped": 0,
                "by_status": Counter(),
                "by_rag": Counter(),
            },
        )
        c["total"] += 1
        c["open"] += rules.is_open(status)
        c["overdue"] += rules.is_overdue(status, due, today)
        c["due_soon"] += rules.is_due_soon(status, due, today, window)
        c["gaps"] += rules.is_gap(status, i["owner"], due)
        c["slipped"] += rules.has_slipped(i["slips"])
        c["by_status"][status] += 1
        c["by_rag"][rules.rag(status, due, today, window)] += 1
    return out


def numbers(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """A row's counts, with zero entries dropped from by_status and by_rag."""
    return {
        **{k: row[k] for k in keys},
        "by_status": {k: v for k, v in row["by_status"].items() if v},
        "by_rag": {k: v for k, v in row["by_rag"].items() if v},
    }


ALL = ("total", "open", "overdue", "due_soon", "gaps", "slipped")
SPEC_KEYS = ("total", "overdue", "due_soon", "gaps")
EMPTY = {
    "total": 0,
    "open": 0,
    "overdue": 0,
    "due_soon": 0,
    "gaps": 0,
    "slipped": 0,
    "by_status": {},
    "by_rag": {},
}


def refs_where(items: list[dict], rule: Any) -> set[str]:
    return {i["ref"] for i in items if rule(i)}


def check(store: Store, items: list[Spec]) -> None:
    today, window = store.today, store.window
    exported = store.json("export")
    want = expected(exported, today, window)
    days = ("--days", str(window))

    london = store.json("status", *days)
    total = Counter()
    for counts in want.values():
        total.update({k: counts[k] for k in ALL})
        total.update({f"s:{k}": v for k, v in counts["by_status"].items()})
        total.update({f"r:{k}": v for k, v in counts["by_rag"].items()})
    summary = london["summary"]
    assert {k: summary[k] for k in ALL} == {k: total[k] for k in ALL}
    assert {k: v for k, v in summary["by_status"].items() if v} == {
        k[2:]: v for k, v in total.items() if k.startswith("s:")
    }
    assert {k: v for k, v in summary["by_rag"].items() if v} == {
        k[2:]: v for k, v in total.items() if k.startswith("r:")
    }
    for row in london["rows"]:
        assert numbers(row, ALL) == numbers(want.get(row["borough"], EMPTY), ALL), row
    assert numbers(london["force_wide"], ALL) == numbers(want.get("london", EMPTY), ALL)

    def lists(report: dict, scope: list[dict]) -> None:
        assert {i["ref"] for i in report["overdue"]} == refs_where(
            scope, lambda i: rules.is_overdue(i["status"], day(i["due"]), today)
        )
        assert {i["ref"] for i in report["due_soon"]} == refs_where(
            scope, lambda i: rules.is_due_soon(i["status"], day(i["due"]), today, window)
        )
        assert {i["ref"] for i in report["gaps"]} == refs_where(
            scope, lambda i: rules.is_gap(i["status"], i["owner"], day(i["due"]))
        )

    lists(london, exported)
    for borough in (*BOROUGHS, "london"):
        own = store.json("status", "--borough", borough, *days)
        assert numbers(own["summary"], SPEC_KEYS) == numbers(want.get(borough, EMPTY), SPEC_KEYS), (
            borough
        )
        lists(own, [i for i in exported if i["borough"] == borough])
    bcu = store.json("status", "--by", "bcu", *days)
    assert bcu["summary"] == summary

    # The moves the generator made are the slips the store counts: later only.
    by_title = {i["title"]: i for i in exported}
    for n, spec in enumerate(items, 1):
        item = by_title[f"hyp item {n}"]
        assert item["slips"] == (1 if moves(spec) and spec.move > 0 else 0), item
        assert item["owner"] == ((spec.owner or "").strip() or None), item


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(specs, min_size=1, max_size=12),
    today=st.sampled_from(
        [date(2026, 11, 23), date(2027, 2, 28), date(2028, 2, 29), date(2026, 12, 31)]
    ),
    window=st.sampled_from([0, 1, 14, 30]),
)
def test_store_counts_agree_with_the_python_rules(seeded_store, items, today, window):
    store = build(seeded_store, items, today, window)
    try:
        check(store, items)
    finally:
        store.close()


def test_window_edges(seeded_store):
    """due == today and due == today + window are due soon; a day later is not."""
    today, window = date(2026, 11, 23), 14
    items = [
        Spec("action", "hackney", "in-progress", "Ops", ("today", 0), 0),
        Spec("action", "hackney", "in-progress", "Ops", ("edge", 0), 0),
        Spec("action", "hackney", "in-progress", "Ops", ("edge", 1), 0),
        Spec("action", "hackney", "not-started", "Ops", ("today", -1), 0),
    ]
    store = build(seeded_store, items, today, window)
    try:
        check(store, items)
        own = store.json("status", "--borough", "hackney", "--days", str(window))
        soon = [i["due"] for i in own["due_soon"]]
        assert soon == [today.isoformat(), (today + timedelta(days=window)).isoformat()]
        assert [i["due"] for i in own["overdue"]] == [(today - timedelta(days=1)).isoformat()]
        assert own["summary"]["gaps"] == 0
        by_due = {i["due"]: i["rag"] for i in store.json("export", "--borough", "hackney")}
        assert by_due[(today + timedelta(days=window + 1)).isoformat()] == "green"
    finally:
        store.close()
