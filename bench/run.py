"""Time whole-process runs of casey against Taskwarrior and the sqlite3 shell.

    /work/venv/bin/python bench/run.py --sizes 10000,100000 --repeat 7 --json out.json

For each size it prepares, once, in --work: the synthetic data (bench/generate.py), a casey
store (`casey --db X init` + `casey --db X load actions-N.csv`), a Taskwarrior data folder
(`task import tasks-N.json`, with its own TASKRC: confirmation=no, hooks=off) and a plain
sqlite3 database with the same rows. Then it runs the light commands in rounds, each
command once per round, a warm-up round then --repeat timed rounds (so noise on a shared
machine hits a round's commands alike), and loads and imports --load-repeat times each, each
into a fresh store (the preparation being their warm-up), and prints a Markdown table:
median and minimum wall time, peak RSS (from wait4), and the ratio to the floor
(`python -c "import typer, rich.console"`), then the ratios the performance targets need.

Standard library only; a missing `task` or `sqlite3` skips its comparisons with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

FLOORS = Path(__file__).resolve().parent / "floors.py"

TASKRC = """data.location={data}
confirmation=no
hooks=off
news.version=2.6.2
uda.owner.type=string
uda.owner.label=Owner
uda.recommendation.type=string
uda.recommendation.label=Rec
uda.progress.type=numeric
uda.progress.label=Progress
"""
PLAIN_SCHEMA = """CREATE TABLE actions (id INTEGER PRIMARY KEY, borough TEXT NOT NULL,
  title TEXT NOT NULL, owner TEXT, status TEXT NOT NULL, due TEXT, recommendation TEXT,
  progress INTEGER);
CREATE INDEX ix_actions_borough_status_due ON actions (borough, status, due);"""
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
RATIOS = (("status / floor", "status", "floor"),
          ("status / task overdue", "status", "task-overdue"),
          ("London status / floor", "status-london", "floor"),
          ("add / floor", "add", "floor"),
          ("export / task export", "export", "task-export"),
          ("load CSV / task import", "load-csv", "task-import"),
          ("load YAML / task import", "load-yaml", "task-import"),
          ("stack floor of export / task export", "floor-export", "task-export"),
          ("stack floor of load CSV / task import", "floor-load", "task-import"),
          ("help / floor", "help", "floor"),
          ("complete / floor", "complete", "floor"))


class BenchError(RuntimeError):
    """A command that the bench runs or prepares exited non-zero: the whole run stops."""


@dataclass
class Run:
    seconds: float
    max_rss_kb: int


@dataclass
class Command:
    name: str                                # for --only (a prefix or the tool also match)
    tool: str                                # python, casey, task or sqlite3
    argv: Callable[[int], list[str]]         # run number -> argv
    heavy: bool = False                      # a load: --load-repeat runs, fresh store each
    setup: Callable[[int], None] | None = None   # untimed, before each run
    output: Callable[[int], Path] | None = None  # stdout to this file, else to a pipe
    env: dict[str, str] = field(default_factory=dict)
    prepared: bool = False                   # reads the store/data prepared for its tool


def timed(argv: list[str], env: dict[str, str], output: Path | None) -> Run:
    """One whole-process run: wall time to exit and peak RSS.

    The RSS comes from /usr/bin/time -f %M when it exists: wait4 on a child forked from
    this Python process would report at least this process's own RSS (Linux keeps the
    high-water mark across exec), which hides small programs such as sqlite3.
    """
    with tempfile.NamedTemporaryFile() as rss, tempfile.TemporaryFile() as err:
        command = argv
        if TIME:
            argv = [TIME, "-f", "%M", "-o", rss.name, *argv]
        sink = output.open("wb") if output else subprocess.PIPE
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=err,
                                env=env)
        if proc.stdout is not None:
            proc.stdout.read()  # drain the pipe, as a reader would
            proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if output:
            sink.close()  # type: ignore[union-attr]
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise BenchError(f"{shlex.join(command)} exited {proc.returncode}: {tail}")
        lines = Path(rss.name).read_text().split() if TIME else []
    return Run(elapsed, int(lines[-1]) if lines else usage.ru_maxrss)


def output_of(argv: list[str], env: dict[str, str]) -> str:
    """Run an untimed preparation step; its stdout. Raises BenchError when it fails."""
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise BenchError(f"preparation {shlex.join(argv)} exited {proc.returncode}: {tail}")
    return proc.stdout


def check(argv: list[str], env: dict[str, str]) -> float:
    """An untimed preparation step (its wall time is returned for the notes)."""
    start = time.perf_counter()
    output_of(argv, env)
    return time.perf_counter() - start


def tools(casey: str) -> dict[str, str | None]:
    """The programs timed; the floor uses casey's own interpreter (its shebang)."""
    python = sys.executable
    with open(casey, "rb") as script:
        first = script.readline().decode().strip()
    if first.startswith("#!") and Path(first[2:].split()[0]).exists():
        python = first[2:].split()[0]
    return {"python": python, "casey": casey, "task": shutil.which("task"),
            "sqlite3": shutil.which("sqlite3")}


def version(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def describe_machine(python: str) -> dict[str, str]:
    """nproc, CPU model, OS, and the Python and package versions casey runs with."""
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    probe = ("import importlib.metadata as m, platform; print(platform.python_version(), "
             "*(f'{p}=={m.version(p)}' for p in ('typer', 'rich', 'sqlalchemy', 'sqlmodel')))")
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "os": platform.platform(),
            "python": version([python, "-c", probe]), "date": date.today().isoformat(),
            "peak RSS from": TIME or "wait4 (an upper bound: includes the harness's own RSS)"}


def build_plain(csv_path: Path, db: Path) -> None:
    import csv
    db.unlink(missing_ok=True)
    with csv_path.open(newline="", encoding="utf-8") as handle, sqlite3.connect(db) as con:
        con.executescript(PLAIN_SCHEMA)
        con.executemany(
            "INSERT INTO actions (borough, title, owner, status, due, recommendation, progress)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ([r["borough"], r["title"], r["owner"] or None, r["status"], r["due"] or None,
              r["recommendation"] or None, int(r["progress"]) if r["progress"] else None]
             for r in csv.DictReader(handle)))
    sqlite3.connect(db).close()


def queries(today: str) -> tuple[str, str]:
    """The sqlite3-shell equivalents of `status` (its overdue part) and `export`."""
    return ("SELECT id, title, owner, due FROM actions WHERE borough = 'islington' AND "
            f"status NOT IN ('complete', 'dropped') AND due < '{today}' ORDER BY due, id;",
            "SELECT id, borough, title, owner, status, due, recommendation, progress "
            "FROM actions ORDER BY due, id;")


def commands(n: int, work: Path, exe: dict[str, str | None], env: dict[str, str],
             today: str) -> tuple[list[Command], dict[str, Callable[[], float]]]:
    """The commands for size n, and the preparation each tool needs (name -> step)."""
    data = work / "data"
    csv_file, yaml_file, tasks_file = (data / f"actions-{n}.csv", data / f"register-{n}.yaml",
                                       data / f"tasks-{n}.json")
    store, taskdir, plain = work / f"casey-{n}.db", work / f"task-{n}", work / f"plain-{n}.db"
    fresh = work / "fresh"
    py, casey, task, sq = exe["python"], exe["casey"], exe["task"], exe["sqlite3"]
    assert py is not None and casey is not None

    def task_env(folder: Path) -> dict[str, str]:
        folder.mkdir(parents=True, exist_ok=True)
        (folder.parent / f"{folder.name}.rc").write_text(TASKRC.format(data=folder))
        return {"TASKRC": str(folder.parent / f"{folder.name}.rc"), "TASKDATA": str(folder)}

    def fresh_store(i: int) -> None:
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        check([casey, "--db", str(fresh / "load.db"), "init"], env)

    def fresh_task(i: int) -> None:
        shutil.rmtree(fresh, ignore_errors=True)
        task_env(fresh / "task")

    def prep_casey() -> float:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        check([casey, "--db", str(store), "init"], env)
        return check([casey, "--db", str(store), "load", str(csv_file)], env)

    def prep_task() -> float:
        shutil.rmtree(taskdir, ignore_errors=True)
        return check([str(task), "import", str(tasks_file)], {**env, **task_env(taskdir)})

    def prep_sqlite() -> float:
        start = time.perf_counter()
        build_plain(csv_file, plain)
        return time.perf_counter() - start

    overdue, export_sql = queries(today)
    db = [casey, "--db", str(store)]
    tenv = {"TASKRC": str(work / f"task-{n}.rc"), "TASKDATA": str(taskdir)}
    fenv = {"TASKRC": str(fresh / "task.rc"), "TASKDATA": str(fresh / "task")}
    cmds = [
        Command("floor", "python", lambda i: [py, "-c", "import typer, rich.console"]),
        Command("help", "casey", lambda i: [casey, "--help"]),
        Command("version", "casey", lambda i: [casey, "--version"]),
        Command("status", "casey", lambda i: [*db, "status", "--borough", "islington"],
                prepared=True),
        Command("status-json", "casey",
                lambda i: [*db, "status", "--borough", "islington", "--format", "json"],
                prepared=True),
        # The London view: one GROUP BY over every item, one row per borough.
        Command("status-london", "casey", lambda i: [*db, "status"], prepared=True),
        Command("chase", "casey", lambda i: [*db, "chase", "--borough", "islington"],
                prepared=True),
        # Shell completion of `casey --db X status --borough isl<TAB>`, as bash asks for it.
        Command("complete", "casey", lambda i: [casey], prepared=True, env={
            "_CASEY_COMPLETE": "complete_bash", "COMP_CWORD": "5",
            "COMP_WORDS": "\n".join(["casey", *db[1:], "status", "--borough", "isl"])}),
        Command("export", "casey", lambda i: [*db, "export", "--format", "csv", "--output",
                                              str(work / "export.csv")], prepared=True),
        Command("load-csv", "casey",
                lambda i: [casey, "--db", str(fresh / "load.db"), "load", str(csv_file)],
                heavy=True, setup=fresh_store),
        Command("load-yaml", "casey",
                lambda i: [casey, "--db", str(fresh / "load.db"), "load", str(yaml_file)],
                heavy=True, setup=fresh_store),
        # The stack's floors under export and load (bench/floors.py): the same rows through
        # the stdlib alone, with none of casey's rules, checks or imports.
        Command("floor-export", "python",
                lambda i: [py, str(FLOORS), "export", str(store), str(work / "floor.csv")],
                prepared=True),
        Command("floor-load", "python",
                lambda i: [py, str(FLOORS), "load", str(fresh / "load.db"), str(csv_file)],
                heavy=True, setup=fresh_store),
        Command("task-overdue", "task", lambda i: [str(task), "project:islington", "overdue"],
                env=tenv, prepared=True),
        Command("task-export", "task", lambda i: [str(task), "export"], env=tenv,
                prepared=True),
        Command("task-import", "task", lambda i: [str(task), "import", str(tasks_file)],
                heavy=True, setup=fresh_task, env=fenv),
        Command("sqlite-overdue", "sqlite3", lambda i: [str(sq), str(plain), overdue],
                prepared=True),
        Command("sqlite-export", "sqlite3",
                lambda i: [str(sq), "-csv", "-header", str(plain), export_sql],
                output=lambda i: work / "plain-export.csv", prepared=True),
        # Last: it adds rows to the store the commands above read.
        Command("add", "casey", lambda i: [*db, "action", "add", "--borough", "islington",
                                           "--title", f"Bench add {n} {os.getpid()} {i}"],
                prepared=True),
    ]
    # The export floor reads the casey store (prepared first: tools run in name order).
    preps = {"casey": prep_casey, "task": prep_task, "sqlite3": prep_sqlite,
             "python": lambda: 0.0 if store.exists() else prep_casey()}
    return cmds, preps


def describe(cmd: Command, work: Path) -> str:
    """The command line as shown in the table: paths relative to --work, `…` for names."""
    words = []
    if "COMP_WORDS" in cmd.env:  # completion: what the shell has typed, then TAB
        return describe(replace(cmd, argv=lambda i: cmd.env["COMP_WORDS"].split("\n"), env={}),
                        work) + "<TAB>"
    for word in cmd.argv(0):
        word = word.replace(str(work) + "/", "")
        words.append(Path(word).name if word.startswith("/") else word)
    words = ["<overdue query>" if w.startswith("SELECT id, title") else
             "<export query>" if w.startswith("SELECT id, borough") else w for w in words]
    text = " ".join(f'"{w}"' if " " in w else w for w in words)
    return text.replace(f"{os.getpid()} 0", "<n>")


def selected(cmd: Command, only: list[str] | None) -> bool:
    return (only is None or cmd.name == "floor"
            or any(cmd.name == o or cmd.name.startswith(o + "-") or cmd.tool == o
                   for o in only))


def bench_size(n: int, work: Path, exe: dict[str, str | None], args: argparse.Namespace,
               env: dict[str, str]) -> dict[str, object]:
    data = work / "data"
    if not (data / f"tasks-{n}.json").exists():
        generate.write(n, data, args.seed)
    today = date.today().isoformat()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    cmds, preps = commands(n, work, exe, env, today)
    overdue, export_sql = queries(today)
    chosen = [c for c in cmds if selected(c, args.only)]
    prep_times: dict[str, float] = {}
    notes = [f"{tool} not found: its comparisons were skipped"
             for tool in sorted({c.tool for c in chosen}) if exe[tool] is None]
    for tool in sorted({c.tool for c in chosen if c.prepared and exe[c.tool]}):
        print(f"[{n}] preparing {tool} ...", file=sys.stderr, flush=True)
        prep_times[tool] = round(preps[tool](), 3)
    timings: dict[str, list[Run]] = {}

    def once(cmd: Command, i: int) -> Run:
        if cmd.setup:
            cmd.setup(i)
        return timed(cmd.argv(i), {**env, **cmd.env}, cmd.output(i) if cmd.output else None)

    runnable = [c for c in chosen if exe[c.tool] is not None]
    # Light commands run in rounds (each command once per round, a warm-up round first), so
    # a burst of noise on a shared machine hits every command of a round alike and the
    # ratios between them hold; loads and imports run one after another, each fresh.
    light = [c for c in runnable if not c.heavy]
    print(f"[{n}] {len(light)} light commands x{args.repeat} rounds", file=sys.stderr, flush=True)
    for i in range(args.repeat + 1):
        for cmd in light:
            run = once(cmd, i)
            if i > 0:
                timings.setdefault(cmd.name, []).append(run)
    for cmd in (c for c in runnable if c.heavy):
        print(f"[{n}] {cmd.name} x{args.load_repeat}", file=sys.stderr, flush=True)
        timings[cmd.name] = [once(cmd, i) for i in range(args.load_repeat)]
    results: dict[str, dict[str, object]] = {}
    for cmd in runnable:
        secs = [r.seconds for r in timings[cmd.name]]
        results[cmd.name] = {"command": describe(cmd, work), "runs": secs,
                             "median": statistics.median(secs), "min": min(secs),
                             "peak_mb": max(r.max_rss_kb for r in timings[cmd.name]) / 1024}
    shutil.rmtree(work / "fresh", ignore_errors=True)
    ratios = {label: results[a]["median"] / results[b]["median"]  # type: ignore[operator]
              for label, a, b in RATIOS if a in results and b in results}
    return {"today": today, "queries": {"overdue": overdue, "export": export_sql},
            "load_average_before": load, "prepare_seconds": prep_times, "notes": notes,
            "results": results, "ratios": ratios}


def markdown(n: int, report: dict[str, object]) -> str:
    results: dict[str, dict[str, float | str]] = report["results"]  # type: ignore[assignment]
    floor = float(results["floor"]["median"]) if "floor" in results else None
    lines = [f"### {n:,} actions", "",
             "| command | median s | min s | peak MB | / floor |", "|---|---:|---:|---:|---:|"]
    for r in results.values():
        ratio = f"{float(r['median']) / floor:.1f}" if floor else "-"
        lines.append(f"| `{r['command']}` | {float(r['median']):.3f} | {float(r['min']):.3f} "
                     f"| {float(r['peak_mb']):.0f} | {ratio} |")
    ratios: dict[str, float] = report["ratios"]  # type: ignore[assignment]
    if ratios:
        lines += ["", "| ratio (medians) | value |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in ratios.items()]
    else:
        lines += ["", "No target ratio: each needs both of its commands in this run."]
    prep = report["prepare_seconds"]
    lines += ["", f"Preparation (untimed, one run each, s): {prep}",
              f"Load average before this size: {report['load_average_before']}"]
    if any(name.startswith("sqlite-") for name in results):
        lines += [f"sqlite3 {k} query: `{v}`"
                  for k, v in report["queries"].items()]  # type: ignore[attr-defined]
    lines += [f"Note: {note}" for note in report["notes"]]  # type: ignore[attr-defined]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated N (default 10000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--load-repeat", type=int, default=3,
                        help="timed runs of loads and imports (default 3)")
    parser.add_argument("--only", type=lambda s: s.split(","), default=None,
                        help="command names, name prefixes or tools (casey, task, sqlite3), "
                             "e.g. status,help; the floor always runs")
    parser.add_argument("--casey", default=shutil.which("casey") or
                        str(Path(sys.executable).with_name("casey")))
    parser.add_argument("--casey-src", type=Path, default=None,
                        help="run casey_cli from this source tree (PYTHONPATH), e.g. an "
                             "unpacked `git archive` of the baseline commit")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for data and stores (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()

    exe = tools(args.casey)
    json_out = args.json.resolve() if args.json else None
    work = (args.work or Path(tempfile.mkdtemp(prefix="casey-bench-"))).resolve()
    (work / "home").mkdir(parents=True, exist_ok=True)
    os.chdir(work)  # so no `python -c` imports casey_cli from the folder it was started in
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "home"),
           "XDG_DATA_HOME": str(work / "home"), "CASEY_USER": "bench", "LANG": "C.UTF-8"}
    if args.casey_src:
        env["PYTHONPATH"] = str(args.casey_src.resolve())
    found = {k: f"{v} ({version([v, '--version'], env)})" if v else "NOT FOUND: skipped"
             for k, v in exe.items()}
    where = version([str(exe["python"]), "-c", "import casey_cli; print(casey_cli.__file__)"],
                    env)
    found["casey_cli imported from"] = where
    machine = describe_machine(str(exe["python"]))
    print("Tools found:\n" + "".join(f"- {k}: {v}\n" for k, v in found.items()))
    print("Machine:\n" + "".join(f"- {k}: {v}\n" for k, v in machine.items()), flush=True)
    out: dict[str, object] = {"machine": machine, "tools": found, "sizes": {}}
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            report = bench_size(n, work, exe, args, env)
            out["sizes"][str(n)] = report  # type: ignore[index]
            print(markdown(n, report), flush=True)
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        sys.exit(1)
    if json_out:
        json_out.write_text(json.dumps(out, indent=2) + "\n")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
