"""Issue 18's targets: owner resolution on a 100k load, and `chase --eml` on one borough.

    .venv/bin/python bench/owners.py --size 100000 --repeat 3 --out /tmp/casey-owners

From bench/generate.py's actions (same seed, same rows) it writes actions-N.csv, casey's
own columns, with every other row's owner spelt as an alias would be ('Supt Central North'
for 'Supt, Central North', lower case). Three stores are made by `casey init` and then:

- "no directory": nothing more (the baseline: a load with an empty directory resolves
  nothing);
- "directory, every name": each of the file's 500 owners, with an email address and one
  alias, loaded from a register file's `owners:` list;
- "directory, no name": 500 owners none of the file's names is close to, so every name
  given is looked up and searched for a near miss (the slowest case).

Each store is copied and loaded with the file --repeat times in a child process; the
median wall time is printed with its ratio to "no directory" (target: at most 1.10). Then,
on the store with every name in the directory and the file loaded, `casey chase --borough
B --eml DIR` is timed for the borough with the most rows (target: at most 2 s), beside
`casey chase --borough B --format csv` of the same rows.
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import OWNERS, actions  # noqa: E402


def alias_of(owner: str) -> str:
    """Another spelling of the owner, as trackers write it: no comma, lower case."""
    return owner.replace(",", "").lower()


def write_csv(n: int, path: Path, seed: int) -> collections.Counter[str]:
    """The actions, every other owner spelt as its alias; returns rows per borough."""
    per_borough: collections.Counter[str] = collections.Counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["borough", "title", "owner", "status", "due"])
        for a in actions(n, seed):
            owner = a.owner or ""
            if owner and a.index % 2:
                owner = alias_of(owner)
            rows.writerow([a.borough, a.title, owner, a.status, a.due.isoformat() if a.due else ""])
            per_borough[a.borough] += 1
    return per_borough


def casey(exe: str, store: Path, *args: str) -> str:
    done = subprocess.run(
        [exe, "--db", str(store), *args], capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 3):
        raise SystemExit(f"casey {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def timed(exe: str, store: Path, *args: str) -> float:
    started = time.perf_counter()
    casey(exe, store, *args)
    return time.perf_counter() - started


def owners_yaml(path: Path, every_name: bool) -> Path:
    """A register file of 500 owners: the file's owners with an address and an alias each,
    or 500 bodies none of the file's names is close to."""
    import yaml

    if every_name:
        owners = [
            {
                "name": owner,
                "email": alias_of(owner).replace(" ", ".") + "@met.example",
                "aliases": [alias_of(owner)],
            }
            for owner in OWNERS
        ]
    else:
        owners = [{"name": f"Unrelated body number {n:04d}"} for n in range(len(OWNERS))]
    path.write_text(yaml.safe_dump({"version": 1, "owners": owners}), encoding="utf-8")
    return path


def make_stores(exe: str, out: Path) -> dict[str, Path]:
    stores = {
        "no directory": out / "plain.db",
        "directory, every name": out / "named.db",
        "directory, no name": out / "unnamed.db",
    }
    for name, store in stores.items():
        if store.exists():
            continue
        casey(exe, store, "init")
        if name != "no directory":
            every_name = name == "directory, every name"
            casey(
                exe, store, "load", str(owners_yaml(out / f"owners-{every_name}.yaml", every_name))
            )
    return stores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/casey-owners"))
    parser.add_argument("--casey", default=str(Path(sys.executable).parent / "casey"))
    options = parser.parse_args()
    out: Path = options.out
    (out / "home").mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(out / "home")  # never the user's own store or config
    os.environ["CASEY_USER"] = "bench"
    data = out / f"actions-{options.size}.csv"
    per_borough = write_csv(options.size, data, options.seed)
    stores = make_stores(options.casey, out)

    print(f"Load of {options.size:,} actions ({data.name}), {options.repeat} runs each\n")
    print("| store | median s | min s | time / no directory |")
    print("|---|---:|---:|---:|")
    medians: dict[str, float] = {}
    loaded: Path | None = None
    for name, base in stores.items():
        times = []
        for i in range(options.repeat):
            store = out / f"run-{i}.db"
            shutil.copyfile(base, store)
            times.append(timed(options.casey, store, "load", str(data)))
            if name == "directory, every name" and loaded is None:
                loaded = out / "loaded.db"
                shutil.copyfile(store, loaded)
            store.unlink()
        medians[name] = statistics.median(times)
        ratio = medians[name] / medians["no directory"]
        print(f"| {name} | {medians[name]:.2f} | {min(times):.2f} | {ratio:.2f} |", flush=True)

    assert loaded is not None
    borough, rows = per_borough.most_common(1)[0]
    folder = out / "eml"
    print(f"\nchase of {borough} ({rows:,} of the rows), {options.repeat} runs each\n")
    print("| command | median s | min s | messages |")
    print("|---|---:|---:|---:|")
    for label, args in (
        ("chase --format csv", ("chase", "--borough", borough, "--format", "csv")),
        ("chase --eml DIR", ("chase", "--borough", borough, "--eml", str(folder))),
    ):
        times = []
        for _ in range(options.repeat):
            shutil.rmtree(folder, ignore_errors=True)
            times.append(timed(options.casey, loaded, *args))
        written = len(list(folder.glob("*.eml"))) if folder.exists() else 0
        median = statistics.median(times)
        print(f"| {label} | {median:.2f} | {min(times):.2f} | {written} |", flush=True)


if __name__ == "__main__":
    main()
