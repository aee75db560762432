"""Issue 20's targets: `casey publish` of a 100,000-action register.

    .venv/bin/python bench/publish.py --size 100000 --out /tmp/casey-publish

From bench/generate.py's actions (same seed, same rows) a store is made by `casey init` and
`casey load actions-N.csv`. Then, each a fresh process timed start to exit with its peak
RSS (wait4 of the child):

1. the first publish, into a new folder (targets: at most 60 s and 500 MB);
2. a second publish with nothing changed;
3. `casey action update` of one action (a new progress figure), then a publish again
   (target: at most 10 s);
4. the sizes of every HTML page written (target: none over 200 KB; longer lists page).

The figures are printed as a Markdown table, with each target "met" or "NOT met", and the
machine's load average beside them (a busy machine slows every run alike).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write  # noqa: E402

MB = 1024 * 1024


def run(exe: str, store: Path, *args: str) -> tuple[float, float, str, float]:
    """One casey process: wall seconds, peak RSS in MB (wait4 of the child), what it
    printed, and its CPU seconds (user and system: a busy machine stretches the wall time
    more than these)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [exe, "--db", str(store), "--today", "2026-12-06", *args], stdout=out, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"casey {' '.join(args)} failed: {err.read().decode()}")
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss / 1024, out.read().decode().strip(), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="actions (100000)")
    parser.add_argument("--out", type=Path, required=True, help="a folder for data and site")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--casey", default=str(Path(sys.executable).with_name("casey")), help="casey to run"
    )
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    store, site = out / f"publish-{args.size}.db", out / "site"
    if not store.exists():
        csv_file = write(args.size, out / "data", args.seed)[0]
        subprocess.run([args.casey, "--db", str(store), "init"], check=True, capture_output=True)
        subprocess.run(
            [args.casey, "--db", str(store), "load", str(csv_file)], check=True, capture_output=True
        )
    # A folder of 100,000 files removed just before the first run would slow it: the file
    # system is still freeing its blocks. The last run's folder is set aside and removed
    # after the measurements.
    old = out / "site-old"
    if site.exists():
        if old.exists():
            shutil.rmtree(old)
        site.rename(old)

    first = run(args.casey, store, "publish", "--output", str(site))
    same = run(args.casey, store, "publish", "--output", str(site))
    ref = f"A{32 + args.size // 2}"
    subprocess.run(
        [
            args.casey,
            "--db",
            str(store),
            "action",
            "update",
            ref,
            "--progress",
            str(int(time.time()) % 90 + 5),
        ],
        check=True,
        capture_output=True,
    )
    changed = run(args.casey, store, "publish", "--output", str(site))
    pages = list(site.rglob("*.html"))
    biggest = max(p.stat().st_size for p in pages)
    over = sum(1 for p in pages if p.stat().st_size > 200_000)
    files = sum(1 for p in site.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())

    if old.exists():
        shutil.rmtree(old)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.size:,} actions; {files:,} files, {size / MB:,.0f} MB; load average {load}")
    print()
    print("| run | wall | CPU | peak RSS | target | |")
    print("|---|---:|---:|---:|---|---|")
    print(
        f"| first publish, empty folder | {first[0]:.1f} s | {first[3]:.1f} s "
        f"| {first[1]:.0f} MB | ≤ 60 s, ≤ 500 MB | {verdict(first[0] <= 60 and first[1] <= 500)} |"
    )
    print(f"| again, nothing changed | {same[0]:.1f} s | {same[3]:.1f} s | {same[1]:.0f} MB | | |")
    print(
        f"| again after `action update {ref} --progress` | {changed[0]:.1f} s "
        f"| {changed[3]:.1f} s | {changed[1]:.0f} MB | ≤ 10 s | {verdict(changed[0] <= 10)} |"
    )
    print(
        f"| largest HTML page of {len(pages):,} | {biggest / 1000:.0f} KB | | | ≤ 200 KB "
        f"| {verdict(over == 0)} |"
    )
    print()
    for label, result in (("first", first), ("nothing changed", same), ("one change", changed)):
        print(f"{label}: {result[2]}")


if __name__ == "__main__":
    main()
