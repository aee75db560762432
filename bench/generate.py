"""Write a synthetic register of N actions in three formats with the same actions.

    python bench/generate.py --actions 10000 --out /tmp/casey-bench/data --seed 5

writes, in --out:

- actions-N.csv  (borough,title,owner,status,due,recommendation,progress: item-object
  columns that `casey load` accepts; no ref, so every row creates an action)
- register-N.yaml (`version: 1` and `actions:` in the register schema, docs/formats.md)
- tasks-N.json   (Taskwarrior `task import`: one JSON object per line)

and, with --updates, updates-N.csv: a change to every one of those actions once loaded after
the bundled register's 18 (refs A19 on, `--first-ref`), each row changing nine fields (borough,
title, owner, status, due, original_due, progress, slips, recommendation; more when the new
status is complete), so `casey load` records about ten history events an action: the store
`casey db check` is timed on, 100,000 actions with a million events.

The same --seed gives the same bytes. Standard library only; YAML is written by hand
(every string as a JSON string, which is a valid YAML double-quoted scalar).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# The 33 borough slugs of data/recommendations.yaml `boroughs` (without `london`).
BOROUGHS: tuple[str, ...] = (
    "city-of-london",
    "barking-and-dagenham",
    "barnet",
    "bexley",
    "brent",
    "bromley",
    "camden",
    "croydon",
    "ealing",
    "enfield",
    "greenwich",
    "hackney",
    "hammersmith-and-fulham",
    "haringey",
    "harrow",
    "havering",
    "hillingdon",
    "hounslow",
    "islington",
    "kensington-and-chelsea",
    "kingston-upon-thames",
    "lambeth",
    "lewisham",
    "merton",
    "newham",
    "redbridge",
    "richmond-upon-thames",
    "southwark",
    "sutton",
    "tower-hamlets",
    "waltham-forest",
    "wandsworth",
    "westminster",
)
# Recommendation refs of the bundled register.
RECOMMENDATIONS: tuple[str, ...] = (
    *(f"casey-{n}" for n in range(1, 17)),
    *(f"new-met-for-london-{n}" for n in range(1, 11)),
    *(f"islington-plan-{n}" for n in range(1, 5)),
)
# Realistic proportions of casey statuses.
STATUSES: tuple[tuple[str, float], ...] = (
    ("not-started", 0.30),
    ("in-progress", 0.35),
    ("blocked", 0.05),
    ("complete", 0.25),
    ("dropped", 0.05),
)
TASK_STATUS = {
    "not-started": "pending",
    "in-progress": "pending",
    "blocked": "pending",
    "complete": "completed",
    "dropped": "deleted",
}
FIRST_DUE, LAST_DUE = date(2023, 1, 1), date(2028, 12, 31)
FIRST_ENTRY = date(2023, 3, 21)  # the Casey Review's publication

_ROLES = (
    "Borough Commander",
    "Superintendent, Neighbourhoods",
    "Chief Inspector, Response",
    "Detective Superintendent, Safeguarding",
    "Inspector, Safer Neighbourhoods",
    "Head of Community Safety",
    "Director of Communities",
    "Scrutiny Officer",
    "Chair, Safer Neighbourhood Board",
    "Independent Advisory Group lead",
    "Professional Standards lead",
    "Violence Against Women and Girls lead",
    "Stop and Search Community Monitoring Group chair",
    "Youth Engagement Officer",
    "Head of Public Protection",
)
_UNITS = (
    "Central North",
    "Central East",
    "Central South",
    "Central West",
    "North East",
    "North West",
    "North Area",
    "East Area",
    "South East",
    "South Area",
    "South West",
    "West Area",
    "Council",
    "MOPAC",
    "Met HQ",
    "Partnership Board",
    "Ward Panel",
    "Town Hall",
    "Children's Services",
    "Housing",
    "Public Health",
    "Licensing",
    "Youth Offending Service",
    "Victim Support",
    "Domestic Abuse Forum",
    "Crime Prevention",
    "Custody",
    "Frontline Policing",
    "Neighbourhood Policing",
    "Community Engagement",
    "Trust and Confidence",
    "Equalities",
    "Training",
    "Local Delivery Board",
)
OWNERS: tuple[str, ...] = tuple(f"{r}, {u}" for r in _ROLES for u in _UNITS)[:500]

_VERBS = (
    "Publish",
    "Review",
    "Agree",
    "Deliver",
    "Set up",
    "Report on",
    "Train staff on",
    "Consult residents on",
    "Audit",
    "Fund",
    "Recruit for",
    "Evaluate",
    "Extend",
    "Restore",
    "Monitor",
)
_OBJECTS = (
    "ward panel dates online",
    "stop and search data",
    "the local action plan",
    "a 24/7 front counter",
    "neighbourhood officer tenure",
    "the Victim Focus Desk referral route",
    "community monitoring group terms",
    "misconduct case timeliness",
    "PCSO recruitment",
    "VAWG safety walks",
    "youth engagement sessions",
    "trust and confidence survey results",
    "custody independent visitor reports",
    "use-of-force dashboards",
    "the strip-search safeguarding policy",
    "school liaison officers",
    "the neighbourhood priorities survey",
    "body-worn video review panels",
)


@dataclass(frozen=True)
class Action:
    index: int
    borough: str
    title: str
    owner: str | None
    status: str
    due: date | None
    recommendation: str | None
    progress: int | None


def actions(n: int, seed: int) -> Iterator[Action]:
    """N actions; titles are unique per borough (casey matches by borough + title)."""
    rng = random.Random(seed)
    names = [name for name, _ in STATUSES]
    weights = [weight for _, weight in STATUSES]
    span = (LAST_DUE - FIRST_DUE).days
    per_borough = dict.fromkeys(BOROUGHS, 0)
    for i in range(n):
        borough = rng.choice(BOROUGHS)
        per_borough[borough] += 1
        title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} (item {per_borough[borough]})"
        status = rng.choices(names, weights)[0]
        due = None if rng.random() < 0.10 else FIRST_DUE + timedelta(rng.randrange(span + 1))
        owner = None if rng.random() < 0.05 else rng.choice(OWNERS)
        recommendation = rng.choice(RECOMMENDATIONS) if rng.random() < 0.30 else None
        progress = None
        if rng.random() < 0.05:
            progress = 100 if status == "complete" else 5 * rng.randrange(1, 20)
        yield Action(i, borough, title, owner, status, due, recommendation, progress)


def _task_time(day: date) -> str:
    return f"{day:%Y%m%d}T000000Z"


def task_json(a: Action, seed: int) -> str:
    """A Taskwarrior import object; owner, recommendation and progress are UDAs."""
    entry = FIRST_ENTRY + timedelta(a.index % 600)
    task: dict[str, object] = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"casey-bench:{seed}:{a.index}")),
        "description": a.title,
        "project": a.borough,
        "status": TASK_STATUS[a.status],
        "entry": _task_time(entry),
    }
    if a.due is not None:
        task["due"] = _task_time(a.due)
    if a.status in ("complete", "dropped"):
        task["end"] = _task_time(entry + timedelta(30 + a.index % 300))
    if a.status == "in-progress":
        task["start"] = _task_time(entry)
    if a.status == "blocked":
        task["tags"] = ["blocked"]
    if a.owner is not None:
        task["owner"] = a.owner
    if a.recommendation is not None:
        task["recommendation"] = a.recommendation
    if a.progress is not None:
        task["progress"] = a.progress
    return json.dumps(task, ensure_ascii=False)


def yaml_item(a: Action) -> str:
    lines = [f"  - borough: {a.borough}", f"    title: {json.dumps(a.title)}"]
    if a.owner is not None:
        lines.append(f"    owner: {json.dumps(a.owner)}")
    lines.append(f"    status: {a.status}")
    if a.due is not None:
        lines.append(f"    due: {a.due.isoformat()}")
    if a.recommendation is not None:
        lines.append(f"    recommendation: {a.recommendation}")
    if a.progress is not None:
        lines.append(f"    progress: {a.progress}")
    return "\n".join(lines) + "\n"


def write(n: int, out: Path, seed: int) -> tuple[Path, Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = out / f"actions-{n}.csv", out / f"register-{n}.yaml", out / f"tasks-{n}.json"
    with (
        paths[0].open("w", newline="", encoding="utf-8") as c,
        paths[1].open("w", encoding="utf-8") as y,
        paths[2].open("w", encoding="utf-8") as t,
    ):
        rows = csv.writer(c, lineterminator="\r\n")
        rows.writerow(["borough", "title", "owner", "status", "due", "recommendation", "progress"])
        y.write(
            f"# {n} synthetic actions (bench/generate.py --seed {seed})\nversion: 1\nactions:\n"
        )
        for a in actions(n, seed):
            rows.writerow(
                [
                    a.borough,
                    a.title,
                    a.owner or "",
                    a.status,
                    a.due.isoformat() if a.due else "",
                    a.recommendation or "",
                    "" if a.progress is None else a.progress,
                ]
            )
            y.write(yaml_item(a))
            t.write(task_json(a, seed) + "\n")
    return paths


UPDATE_COLUMNS = (
    "ref",
    "borough",
    "title",
    "owner",
    "status",
    "due",
    "original_due",
    "progress",
    "slips",
    "recommendation",
)


def write_updates(n: int, out: Path, seed: int, first_ref: int = 19) -> Path:
    """updates-N.csv: every action of actions(n, seed), as loaded from A{first_ref} on,
    moved to the next borough, retitled, given another owner, status, recommendation and
    progress, and a due date a month or more later (a slip, stated in `slips`)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"updates-{n}.csv"
    rng = random.Random(seed + 1)
    names = [name for name, _ in STATUSES]
    with path.open("w", newline="", encoding="utf-8") as c:
        rows = csv.writer(c, lineterminator="\r\n")
        rows.writerow(UPDATE_COLUMNS)
        for a in actions(n, seed):
            borough = BOROUGHS[(BOROUGHS.index(a.borough) + 1) % len(BOROUGHS)]
            status = rng.choice([s for s in names if s != a.status])
            due = (a.due or FIRST_DUE) + timedelta(30 + rng.randrange(365))
            owner = rng.choice([o for o in OWNERS[:8] if o != a.owner])
            recommendation = rng.choice([r for r in RECOMMENDATIONS[:4] if r != a.recommendation])
            progress = 50 if a.progress != 50 else 60
            rows.writerow(
                [
                    f"A{first_ref + a.index}",
                    borough,
                    f"{a.title} (revised)",
                    owner,
                    status,
                    due.isoformat(),
                    (due - timedelta(days=7)).isoformat(),
                    progress,
                    1,
                    recommendation,
                ]
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, required=True, help="number of actions, N")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=5, help="random seed (default 5)")
    parser.add_argument(
        "--updates", action="store_true", help="also write updates-N.csv (a change to each)"
    )
    parser.add_argument(
        "--first-ref", type=int, default=19, help="the ref number of the first action (19)"
    )
    args = parser.parse_args()
    for path in write(args.actions, args.out, args.seed):
        print(path)
    if args.updates:
        print(write_updates(args.actions, args.out, args.seed, args.first_ref))


if __name__ == "__main__":
    main()
