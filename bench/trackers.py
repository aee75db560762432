"""Time `casey load` of a council's tracker against the same rows in casey's own CSV.

    .venv/bin/python bench/trackers.py --sizes 5000,100000 --repeat 3 --out /tmp/casey-trackers

For each size N it writes, from bench/generate.py's actions (same seed, same rows):

- actions-N.csv: casey's own columns (borough,title,owner,status,due), ISO dates;
- council-N.csv: a council's headings (Ref, Borough, Action, Lead officer, Target date,
  Status), dd/mm/yyyy dates and tracker status words (Completed, On track, On hold...);
- council-N.xlsx: the same as a workbook written as Excel writes one (texts in a shared
  table, by XlsxWriter: `pip install .[bench]`), with a title row above the header (sizes up
  to --xlsx-max only).

Each file is loaded --repeat times into a fresh copy of a store made by `casey init`, in a
child process, and the median wall time and the peak memory (max RSS of the process, from
wait4) are printed as a Markdown table, with each tracker's time as a ratio of casey's CSV
of the same rows (issue 17's targets: at most 2).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import actions  # noqa: E402

# casey's statuses as a council's tracker writes them (rules.STATUS_WORDS).
STATUS_WORDS = {
    "not-started": "Not started",
    "in-progress": "On track",
    "blocked": "On hold",
    "complete": "Completed",
    "dropped": "Withdrawn",
}
COUNCIL_HEADER = ["Ref", "Borough", "Action", "Lead officer", "Target date", "Status"]
CASEY_HEADER = ["borough", "title", "owner", "status", "due"]


def write_files(n: int, out: Path, seed: int, xlsx: bool) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"casey CSV": out / f"actions-{n}.csv", "council CSV": out / f"council-{n}.csv"}
    council_rows = []
    with (
        paths["casey CSV"].open("w", newline="", encoding="utf-8") as own,
        paths["council CSV"].open("w", newline="", encoding="utf-8") as council,
    ):
        own_rows, their_rows = csv.writer(own), csv.writer(council)
        own_rows.writerow(CASEY_HEADER)
        their_rows.writerow(COUNCIL_HEADER)
        for a in actions(n, seed):
            own_rows.writerow(
                [a.borough, a.title, a.owner or "", a.status, a.due.isoformat() if a.due else ""]
            )
            row = [
                f"R{a.index + 1:06d}",
                a.borough.replace("-", " ").title(),
                a.title,
                a.owner or "",
                f"{a.due:%d/%m/%Y}" if a.due else "TBC",
                STATUS_WORDS[a.status],
            ]
            their_rows.writerow(row)
            if xlsx:
                council_rows.append(row)
    if xlsx:
        import xlsxwriter  # the `bench` extra

        paths["council XLSX"] = out / f"council-{n}.xlsx"
        book = xlsxwriter.Workbook(str(paths["council XLSX"]))
        sheet = book.add_worksheet("Tracker")
        sheet.write_row(0, 0, ["Scrutiny action tracker (bench/trackers.py)"])
        sheet.write_row(1, 0, COUNCIL_HEADER)
        for number, row in enumerate(council_rows, start=2):
            sheet.write_row(number, 0, row)
        book.close()
    return paths


def run_load(casey: str, store: Path, path: Path) -> tuple[float, float]:
    """(seconds, peak MB) of `casey --db STORE load PATH --borough ...` in a child process."""
    args = [casey, "--db", str(store), "load", str(path)]
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    err = child.stderr.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}): {err}")
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--xlsx-max", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/casey-trackers"))
    parser.add_argument("--casey", default=str(Path(sys.executable).parent / "casey"))
    options = parser.parse_args()
    env_home = options.out / "home"
    env_home.mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(env_home)  # never the user's own store or config
    base = options.out / "base.db"
    if not base.exists():
        subprocess.run([options.casey, "--db", str(base), "init"], check=True, capture_output=True)
    print("| rows | file | median s | min s | peak MB | time / casey CSV |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in (int(s) for s in options.sizes.split(",")):
        files = write_files(n, options.out / "data", options.seed, n <= options.xlsx_max)
        medians: dict[str, float] = {}
        for name, path in files.items():
            times, peaks = [], []
            for i in range(options.repeat):
                store = options.out / f"run-{i}.db"
                shutil.copyfile(base, store)
                seconds, peak = run_load(options.casey, store, path)
                times.append(seconds)
                peaks.append(peak)
                store.unlink()
            medians[name] = statistics.median(times)
            ratio = medians[name] / medians["casey CSV"]
            print(
                f"| {n:,} | {name} | {medians[name]:.2f} | {min(times):.2f} | "
                f"{max(peaks):.0f} | {ratio:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
