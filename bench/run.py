"""Time whole-process runs of casey against Taskwarrior and the sqlite3 shell.

    /work/venv/bin/python bench/run.py --sizes 10000,100000 --repeat 7 --json out.json

First, the bundled register: a store made by `casey --db X init` alone (the register casey
ships), on which every everyday command is timed, reads and writes alike; the writes are
given new values each run (a progress of run % 100, a new meeting, an action added for the
run during preparation), so each run really writes.

For each size it prepares, once, in --work: the synthetic data (bench/generate.py), a casey
store (`casey --db X init` + `casey --db X load actions-N.csv`), a Taskwarrior data folder
(`task import tasks-N.json`, with its own TASKRC: confirmation=no, hooks=off) and a plain
sqlite3 database with the same rows. Then it runs the light commands in rounds, each
command once per round, a warm-up round then --repeat timed rounds (so noise on a shared
machine hits a round's commands alike), and loads and imports --load-repeat times each, each
into a fresh store (the preparation being their warm-up), and prints a Markdown table:
median and minimum wall time, peak RSS (from wait4), and the ratio to the floor
(`python -c "import typer, rich.console"`), then the ratios the performance targets need.
`db-check` runs on a store of its own, made once when it is chosen: the same N actions
loaded, then changed by `updates-N.csv` (bench/generate.py --updates), about ten history
events an action (1,018,827 at 100,000 actions). Its target is absolute: at most 15 s at
100,000 actions.
Sizes above --full-max (default 100,000; e.g. 1,000,000) run only the commands that matter
at that size (status, chase, action show/update, export, load CSV and their floors), unless
--only names others. Last, one "Targets" table: every target with its measured ratio and
"met" / "NOT met". A benchmarked or preparation command that exits non-zero stops the run
with its stderr and exit status 1.

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
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

FLOORS = Path(__file__).resolve().parent / "floors.py"
# The figures that export and load at 100k must not fall behind (docs/performance.md, NOW).
PREVIOUS = Path(__file__).resolve().parent / "results" / "after-39486e5.json"
BUNDLED = "bundled"  # the bundled register's key in the results, beside the sizes

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
RATIOS = (
    ("status / floor", "status", "floor"),
    ("status / task overdue", "status", "task-overdue"),
    ("London status / floor", "status-london", "floor"),
    ("add / floor", "add", "floor"),
    ("export / task export", "export", "task-export"),
    ("load CSV / task import", "load-csv", "task-import"),
    ("load YAML / task import", "load-yaml", "task-import"),
    ("stack floor of export / task export", "floor-export", "task-export"),
    ("stack floor of load CSV / task import", "floor-load", "task-import"),
    ("help / floor", "help", "floor"),
    ("complete / floor", "complete", "floor"),
)

# The bundled register (a store made by `casey --db X init` alone): the everyday commands,
# as (name, words after `casey --db X`, at most this many times the floor). Words in braces
# change with the run, so that every write writes: {progress} is the run number % 100 (the
# warm-up round is run 0), {done} and {verify} are actions added for that run during the
# preparation (one not done yet; one complete and owned by "Bench owner"), {due} is a day
# later each run. Writes come last in a round, so a round's reads all see the same store.
BUNDLED_COMMANDS: tuple[tuple[str, str, float], ...] = (
    ("status", "status --borough islington", 2),
    ("action-list", "action list --borough islington", 2),
    ("action-show", "action show A3", 2),
    ("rec-show", "rec show casey-1", 2),
    ("history", "history A3", 2),
    ("meeting-list", "meeting list", 2),
    ("borough-list", "borough list", 2),
    ("rec-list", "rec list", 2),
    ("source-list", "source list", 2),
    ("chase-london", "chase", 2),
    ("trend", "trend", 2),
    ("config-show", "config show", 2),
    ("report-html", "report --borough islington --format html", 3),
    ("report-docx", "report --borough islington --format docx --output {docx}", 3),
    ("export-xlsx", "export --format xlsx --output {xlsx}", 3),
    ("db-check", "db check", 3),
    ("action-update", "action update A3 --progress {progress}", 2),
    ("action-done", "action done {done} --evidence x", 2),
    ("rec-update", "rec update casey-1 --progress {progress}", 2),
    ("meeting-add", 'meeting add "Bench meeting {run}" --date 2027-01-15', 2),
    ("action-verify", 'action verify {verify} --by "Bench verifier"', 2),
    ("action-reschedule", "action reschedule A2 --due {due} --reason x", 2),
)
# How the tables show the words that change with the run.
SHOWN = {
    "progress": "<run % 100>",
    "done": "<new action>",
    "verify": "<completed action>",
    "run": "<run>",
    "due": "<2030-01-01 + run days>",
    "xlsx": "bundled-export.xlsx",
    "docx": "bundled-paper.docx",
}
# What sizes above --full-max run (unless --only names more): the commands the targets and
# the growth table need, without Taskwarrior's and the YAML load's many minutes there.
LARGE = frozenset(
    {
        "floor",
        "status",
        "status-london",
        "chase",
        "action-list-all",
        "action-show",
        "action-update",
        "export",
        "report-html",
        "report-docx",
        "load-csv",
        "floor-export",
        "floor-load",
        "add",
    }
)


class BenchError(RuntimeError):
    """A command that the bench runs or prepares exited non-zero: the whole run stops."""


@dataclass(frozen=True)
class Target:
    what: str  # the command, as the target names it
    size: str  # BUNDLED or a number of actions: a key of the results
    name: str  # the command timed ...
    over: str  # ... divided by this one (medians of the same run)
    limit: float | None  # met when the ratio is at most this (None: no figure to judge by)
    source: str = ""  # where the limit comes from, when not from the target itself
    # `over` is "" for a limit in seconds: the median itself, not a ratio


def targets(previous: dict[str, dict[str, float]]) -> list[Target]:
    """Every target, in the order the Targets table shows them.

    previous: an earlier run's ratios by size (--previous): export and load at 100k must be
    no slower against Taskwarrior than they were there.
    """
    found = [
        Target(f"`{words.format(**SHOWN)}`", BUNDLED, name, "floor", limit)
        for name, words, limit in BUNDLED_COMMANDS
    ]
    big, was = "100000", previous.get("100000", {})
    found += [
        Target("`status --borough islington`", big, "status", "floor", 2.5),
        Target("`action show A3`", big, "action-show", "floor", 2.5),
        Target("`action update A3 --progress N`", big, "action-update", "floor", 2.5),
        Target("`status` (London)", big, "status-london", "floor", 3),
        Target("`chase --borough islington`", big, "chase", "floor", 3),
        # The committee paper for one borough of the big register, in seconds.
        Target("`report --borough islington --format html`, seconds", big, "report-html", "", 2),
        Target("`report --borough islington --format docx`, seconds", big, "report-docx", "", 2),
        Target(
            "`action list` (every action; a person's table)", big, "action-list-all", "floor", 3
        ),
        Target(
            "`export --format csv`",
            big,
            "export",
            "task-export",
            was.get("export / task export"),
            PREVIOUS.name,
        ),
        Target(
            "`load actions-N.csv`",
            big,
            "load-csv",
            "task-import",
            was.get("load CSV / task import"),
            PREVIOUS.name,
        ),
        Target("`db check` (a million events), seconds", big, "db-check", "", 15),
    ]
    return found


def read_previous(path: Path | None) -> dict[str, dict[str, float]]:
    """An earlier --json's ratios by size; nothing if there is no such file."""
    if path is None or not path.exists():
        return {}
    sizes = json.loads(path.read_text())["sizes"]
    return {size: report.get("ratios", {}) for size, report in sizes.items()}


@dataclass
class Run:
    seconds: float
    max_rss_kb: int


@dataclass
class Command:
    name: str  # for --only (a prefix or the tool also match)
    tool: str  # python, casey, task or sqlite3
    argv: Callable[[int], list[str]]  # run number -> argv
    heavy: bool = False  # a load: --load-repeat runs, fresh store each
    setup: Callable[[int], None] | None = None  # untimed, before each run
    output: Callable[[int], Path] | None = None  # stdout to this file, else to a pipe
    prepare: Callable[[], float] | None = None  # untimed, once before its runs (its own store)
    env: dict[str, str] = field(default_factory=dict)
    prepared: bool = False  # reads the store/data prepared for its tool
    shown: list[str] | None = None  # the words the table shows, if not argv(0)


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
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=err, env=env)
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
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
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
    return {
        "python": python,
        "casey": casey,
        "task": shutil.which("task"),
        "sqlite3": shutil.which("sqlite3"),
    }


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
    probe = (
        "import importlib.metadata as m, platform; print(platform.python_version(), "
        "*(f'{p}=={m.version(p)}' for p in ('typer', 'rich', 'sqlalchemy', 'sqlmodel')))"
    )
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "os": platform.platform(),
        "python": version([python, "-c", probe]),
        "date": date.today().isoformat(),
        "peak RSS from": TIME or "wait4 (an upper bound: includes the harness's own RSS)",
    }


def build_plain(csv_path: Path, db: Path) -> None:
    import csv

    db.unlink(missing_ok=True)
    with csv_path.open(newline="", encoding="utf-8") as handle, sqlite3.connect(db) as con:
        con.executescript(PLAIN_SCHEMA)
        con.executemany(
            "INSERT INTO actions (borough, title, owner, status, due, recommendation, progress)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                [
                    r["borough"],
                    r["title"],
                    r["owner"] or None,
                    r["status"],
                    r["due"] or None,
                    r["recommendation"] or None,
                    int(r["progress"]) if r["progress"] else None,
                ]
                for r in csv.DictReader(handle)
            ),
        )
    sqlite3.connect(db).close()


def queries(today: str) -> tuple[str, str]:
    """The sqlite3-shell equivalents of `status` (its overdue part) and `export`."""
    return (
        "SELECT id, title, owner, due FROM actions WHERE borough = 'islington' AND "
        f"status NOT IN ('complete', 'dropped') AND due < '{today}' ORDER BY due, id;",
        "SELECT id, borough, title, owner, status, due, recommendation, progress "
        "FROM actions ORDER BY due, id;",
    )


def commands(
    n: int,
    work: Path,
    exe: dict[str, str | None],
    env: dict[str, str],
    today: str,
    generate_seed: int = 5,
) -> tuple[list[Command], dict[str, Callable[[], float]]]:
    """The commands for size n, and the preparation each tool needs (name -> step)."""
    data = work / "data"
    csv_file, yaml_file, tasks_file = (
        data / f"actions-{n}.csv",
        data / f"register-{n}.yaml",
        data / f"tasks-{n}.json",
    )
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

    checked = work / f"casey-{n}-history.db"

    def prep_history() -> float:
        """The store `db check` is timed on: N actions loaded, then each changed once
        (about ten history events an action)."""
        updates = data / f"updates-{n}.csv"
        if not updates.exists():
            generate.write_updates(n, data, generate_seed)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{checked}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        check([casey, "--db", str(checked), "init"], env)
        check([casey, "--db", str(checked), "load", str(csv_file)], env)
        check([casey, "--db", str(checked), "load", str(updates)], env)
        return time.perf_counter() - start

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
        Command(
            "status", "casey", lambda i: [*db, "status", "--borough", "islington"], prepared=True
        ),
        Command(
            "status-json",
            "casey",
            lambda i: [*db, "status", "--borough", "islington", "--format", "json"],
            prepared=True,
        ),
        # The London view: one GROUP BY over every item, one row per borough.
        Command("status-london", "casey", lambda i: [*db, "status"], prepared=True),
        Command(
            "chase", "casey", lambda i: [*db, "chase", "--borough", "islington"], prepared=True
        ),
        # Every action, as a person's table: the first screenfuls and a count, not all rows
        # (30,000 actions once printed 1.2 million lines in 49 s).
        Command("action-list-all", "casey", lambda i: [*db, "action", "list"], prepared=True),
        # One bundled action (A3, before the synthetic ones) with its history.
        Command("action-show", "casey", lambda i: [*db, "action", "show", "A3"], prepared=True),
        # Shell completion of `casey --db X status --borough isl<TAB>`, as bash asks for it.
        Command(
            "complete",
            "casey",
            lambda i: [casey],
            prepared=True,
            env={
                "_CASEY_COMPLETE": "complete_bash",
                "COMP_CWORD": "5",
                "COMP_WORDS": "\n".join(["casey", *db[1:], "status", "--borough", "isl"]),
            },
        ),
        Command(
            "export",
            "casey",
            lambda i: [*db, "export", "--format", "csv", "--output", str(work / "export.csv")],
            prepared=True,
        ),
        # The committee paper for one borough (issue 16: at most 2 s at 100k).
        *(
            Command(
                f"report-{fmt}",
                "casey",
                lambda i, fmt=fmt: [
                    *db,
                    "report",
                    "--borough",
                    "islington",
                    "--format",
                    fmt,
                    "--output",
                    str(work / f"paper.{fmt}"),
                ],
                prepared=True,
            )
            for fmt in ("html", "docx")
        ),
        Command(
            "load-csv",
            "casey",
            lambda i: [casey, "--db", str(fresh / "load.db"), "load", str(csv_file)],
            heavy=True,
            setup=fresh_store,
        ),
        Command(
            "load-yaml",
            "casey",
            lambda i: [casey, "--db", str(fresh / "load.db"), "load", str(yaml_file)],
            heavy=True,
            setup=fresh_store,
        ),
        # The stack's floors under export and load (bench/floors.py): the same rows through
        # the stdlib alone, with none of casey's rules, checks or imports.
        Command(
            "floor-export",
            "python",
            lambda i: [py, str(FLOORS), "export", str(store), str(work / "floor.csv")],
            prepared=True,
        ),
        Command(
            "floor-load",
            "python",
            lambda i: [py, str(FLOORS), "load", str(fresh / "load.db"), str(csv_file)],
            heavy=True,
            setup=fresh_store,
        ),
        Command(
            "task-overdue",
            "task",
            lambda i: [str(task), "project:islington", "overdue"],
            env=tenv,
            prepared=True,
        ),
        Command("task-export", "task", lambda i: [str(task), "export"], env=tenv, prepared=True),
        Command(
            "task-import",
            "task",
            lambda i: [str(task), "import", str(tasks_file)],
            heavy=True,
            setup=fresh_task,
            env=fenv,
        ),
        Command(
            "sqlite-overdue", "sqlite3", lambda i: [str(sq), str(plain), overdue], prepared=True
        ),
        Command(
            "sqlite-export",
            "sqlite3",
            lambda i: [str(sq), "-csv", "-header", str(plain), export_sql],
            output=lambda i: work / "plain-export.csv",
            prepared=True,
        ),
        # Every row of N actions against a history of about ten events each (a store of its
        # own, so the others' figures stay comparable with earlier runs).
        Command(
            "db-check",
            "casey",
            lambda i: [casey, "--db", str(checked), "db", "check"],
            prepare=prep_history,
        ),
        # Last: they write to the store the commands above read. A new progress each run
        # (run % 100), so every run writes a change and its history event.
        Command(
            "action-update",
            "casey",
            lambda i: [*db, "action", "update", "A3", "--progress", str(i % 100)],
            prepared=True,
            shown=[*db, "action", "update", "A3", "--progress", SHOWN["progress"]],
        ),
        Command(
            "add",
            "casey",
            lambda i: [
                *db,
                "action",
                "add",
                "--borough",
                "islington",
                "--title",
                f"Bench add {n} {os.getpid()} {i}",
            ],
            prepared=True,
        ),
    ]
    # The export floor reads the casey store (prepared first: tools run in name order).
    preps = {
        "casey": prep_casey,
        "task": prep_task,
        "sqlite3": prep_sqlite,
        "python": lambda: 0.0 if store.exists() else prep_casey(),
    }
    return cmds, preps


def bundled_commands(
    work: Path, exe: dict[str, str | None], env: dict[str, str], rounds: int
) -> tuple[list[Command], dict[str, Callable[[], float]]]:
    """The everyday commands on the bundled register, and its preparation.

    The preparation makes the store with `casey --db X init` and adds, for each of the
    `rounds` runs, an action for `action done` and a completed one, owned by someone else,
    for `action verify` (in Hackney, so Islington's figures are the register's own).
    """
    py, casey = exe["python"], exe["casey"]
    assert py is not None and casey is not None
    store = work / "casey-bundled.db"
    db = [casey, "--db", str(store)]
    refs: dict[str, list[str]] = {"done": [], "verify": []}

    def prep() -> float:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        check([*db, "init"], env)
        add = [*db, "action", "add", "--borough", "hackney"]
        for key in refs:
            refs[key] = []
        for i in range(rounds):
            refs["done"].append(output_of([*add, "--title", f"Bench done {i}"], env).strip())
            refs["verify"].append(
                output_of(
                    [
                        *add,
                        "--title",
                        f"Bench verify {i}",
                        "--owner",
                        "Bench owner",
                        "--status",
                        "complete",
                    ],
                    env,
                ).strip()
            )
        return time.perf_counter() - start

    def words(template: str, i: int) -> list[str]:
        values = {
            "progress": str(i % 100),
            "run": str(i),
            "xlsx": str(work / SHOWN["xlsx"]),
            "docx": str(work / SHOWN["docx"]),
            "due": (date(2030, 1, 1) + timedelta(days=i)).isoformat(),
            "done": refs["done"][i] if i < len(refs["done"]) else "?",
            "verify": refs["verify"][i] if i < len(refs["verify"]) else "?",
        }
        return [word.format(**values) for word in shlex.split(template)]

    cmds = [Command("floor", "python", lambda i: [py, "-c", "import typer, rich.console"])]
    for name, template, _ in BUNDLED_COMMANDS:
        cmds.append(
            Command(
                name,
                "casey",
                lambda i, t=template: [*db, *words(t, i)],
                prepared=True,
                shown=[*db, *(w.format(**SHOWN) for w in shlex.split(template))],
            )
        )
    return cmds, {"casey": prep, "python": lambda: 0.0}


def describe(cmd: Command, work: Path) -> str:
    """The command line as shown in the table: paths relative to --work, `…` for names."""
    words = []
    if "COMP_WORDS" in cmd.env:  # completion: what the shell has typed, then TAB
        return (
            describe(replace(cmd, argv=lambda i: cmd.env["COMP_WORDS"].split("\n"), env={}), work)
            + "<TAB>"
        )
    for word in cmd.shown or cmd.argv(0):
        word = word.replace(str(work) + "/", "")
        words.append(Path(word).name if word.startswith("/") else word)
    words = [
        "<overdue query>"
        if w.startswith("SELECT id, title")
        else "<export query>"
        if w.startswith("SELECT id, borough")
        else w
        for w in words
    ]
    text = " ".join(f'"{w}"' if " " in w else w for w in words)
    return text.replace(f"{os.getpid()} 0", "<n>")


def named(cmd: Command, only: list[str]) -> bool:
    return any(cmd.name == o or cmd.name.startswith(o + "-") or cmd.tool == o for o in only)


def selected(cmd: Command, only: list[str] | None, large: bool) -> bool:
    """--only's choice (the floor always runs); above --full-max, LARGE unless --only."""
    if cmd.name == "floor":
        return True
    if only is not None:
        return named(cmd, only)
    return not large or cmd.name in LARGE


def bench_size(
    n: int, work: Path, exe: dict[str, str | None], args: argparse.Namespace, env: dict[str, str]
) -> dict[str, object]:
    """One size of synthetic data: generate it if missing, then bench_section."""
    data = work / "data"
    if not (data / f"tasks-{n}.json").exists():
        print(f"[{n}] generating the data ...", file=sys.stderr, flush=True)
        generate.write(n, data, args.seed)
    today = date.today().isoformat()
    cmds, preps = commands(n, work, exe, env, today, args.seed)
    overdue, export_sql = queries(today)
    report = bench_section(str(n), cmds, preps, work, exe, args, env, n > args.full_max)
    return {"today": today, "queries": {"overdue": overdue, "export": export_sql}, **report}


def bench_section(
    key: str,
    cmds: list[Command],
    preps: dict[str, Callable[[], float]],
    work: Path,
    exe: dict[str, str | None],
    args: argparse.Namespace,
    env: dict[str, str],
    large: bool = False,
) -> dict[str, object]:
    """Prepare, run the commands chosen (light ones in rounds, then heavy ones), summarise."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    chosen = [c for c in cmds if selected(c, args.only, large)]
    prep_times: dict[str, float] = {}
    notes = [
        f"{tool} not found: its comparisons were skipped"
        for tool in sorted({c.tool for c in chosen})
        if exe[tool] is None
    ]
    left = [c.name for c in cmds if c not in chosen and (args.only is None or named(c, args.only))]
    if left:
        notes.append(
            f"above --full-max {args.full_max:,}, not run (name them in --only to "
            f"run them): {', '.join(left)}"
        )
    for tool in sorted({c.tool for c in chosen if c.prepared and exe[c.tool]}):
        print(f"[{key}] preparing {tool} ...", file=sys.stderr, flush=True)
        prep_times[tool] = round(preps[tool](), 3)
    for cmd in chosen:
        if cmd.prepare is not None and exe[cmd.tool]:
            print(f"[{key}] preparing {cmd.name} ...", file=sys.stderr, flush=True)
            prep_times[cmd.name] = round(cmd.prepare(), 3)
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
    print(f"[{key}] {len(light)} light commands x{args.repeat} rounds", file=sys.stderr, flush=True)
    for i in range(args.repeat + 1):
        for cmd in light:
            run = once(cmd, i)
            if i > 0:
                timings.setdefault(cmd.name, []).append(run)
    for cmd in (c for c in runnable if c.heavy):
        print(f"[{key}] {cmd.name} x{args.load_repeat}", file=sys.stderr, flush=True)
        timings[cmd.name] = [once(cmd, i) for i in range(args.load_repeat)]
    results: dict[str, dict[str, object]] = {}
    for cmd in runnable:
        secs = [r.seconds for r in timings[cmd.name]]
        results[cmd.name] = {
            "command": describe(cmd, work),
            "runs": secs,
            "median": statistics.median(secs),
            "min": min(secs),
            "peak_mb": max(r.max_rss_kb for r in timings[cmd.name]) / 1024,
        }
    shutil.rmtree(work / "fresh", ignore_errors=True)
    ratios = {
        label: results[a]["median"] / results[b]["median"]  # type: ignore[operator]
        for label, a, b in RATIOS
        if a in results and b in results
    }
    return {
        "load_average_before": load,
        "prepare_seconds": prep_times,
        "notes": notes,
        "results": results,
        "ratios": ratios,
    }


def title(key: str) -> str:
    return (
        "The bundled register (`casey --db X init`)" if key == BUNDLED else f"{int(key):,} actions"
    )


def markdown(key: str, report: dict[str, object]) -> str:
    results: dict[str, dict[str, float | str]] = report["results"]  # type: ignore[assignment]
    floor = float(results["floor"]["median"]) if "floor" in results else None
    lines = [
        f"### {title(key)}",
        "",
        "| command | median s | min s | peak MB | / floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results.values():
        ratio = f"{float(r['median']) / floor:.1f}" if floor else "-"
        lines.append(
            f"| `{r['command']}` | {float(r['median']):.3f} | {float(r['min']):.3f} "
            f"| {float(r['peak_mb']):.0f} | {ratio} |"
        )
    ratios: dict[str, float] = report["ratios"]  # type: ignore[assignment]
    if ratios:
        lines += ["", "| ratio (medians) | value |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in ratios.items()]
    elif key != BUNDLED:
        lines += ["", "No target ratio: each needs both of its commands in this run."]
    prep = report["prepare_seconds"]
    lines += [
        "",
        f"Preparation (untimed, one run each, s): {prep}",
        f"Load average before this size: {report['load_average_before']}",
    ]
    if any(name.startswith("sqlite-") for name in results):
        lines += [f"sqlite3 {k} query: `{v}`" for k, v in report["queries"].items()]  # type: ignore[attr-defined]
    lines += [f"Note: {note}" for note in report["notes"]]  # type: ignore[attr-defined]
    return "\n".join(lines) + "\n"


def judge(found: list[Target], sizes: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    """Each target's ratio and verdict, at the size it names.

    A target of a size not run is shown at the other sizes that ran its commands, marked
    indicative (a 100k target measured at 10k says little about 100k); one with nothing
    measured is "not run".
    """
    rows: list[dict[str, object]] = []
    for t in found:

        def ratio(key: str, t: Target = t) -> float | None:
            results = sizes.get(key, {}).get("results", {})
            if not t.over:  # a limit in seconds
                hit = results.get(t.name) if isinstance(results, dict) else None
                return float(hit["median"]) if hit else None
            if t.name not in results or t.over not in results:  # type: ignore[operator]
                return None
            return (
                results[t.name]["median"]  # type: ignore[index]
                / results[t.over]["median"]
            )  # type: ignore[index]

        keys = (
            [t.size]
            if ratio(t.size) is not None
            else [k for k in sizes if k != BUNDLED and t.size != BUNDLED and ratio(k) is not None]
        )
        for key in keys or [t.size]:
            value = ratio(key)
            if value is None:
                verdict = "not run"
            elif t.limit is None:
                verdict = "no limit: no previous figure"
            else:
                verdict = "met" if value <= t.limit else "NOT met"
                if key != t.size:
                    verdict += " (indicative: not the target's size)"
            rows.append(
                {
                    "target": t.what,
                    "size": t.size,
                    "measured_at": key,
                    "name": t.name,
                    "over": t.over,
                    "ratio": value,
                    "limit": t.limit,
                    "limit_from": t.source,
                    "verdict": verdict,
                }
            )
    return rows


def targets_markdown(rows: list[dict[str, object]]) -> str:
    lines = [
        "## Targets",
        "",
        "Ratios of medians in the same run; each target is judged at the size it names.",
        "",
        "| target | on | measured at | ratio | at most | met? |",
        "|---|---|---|---:|---:|---|",
    ]

    def size(key: object) -> str:
        return "bundled register" if key == BUNDLED else f"{int(str(key)):,} actions"

    for r in rows:
        over = "the floor" if r["over"] == "floor" else f"`{str(r['over']).replace('-', ' ')}`"
        what = f"{r['target']} / {over}" if r["over"] else str(r["target"])
        value = "-" if r["ratio"] is None else f"{float(r['ratio']):.2f}"  # type: ignore[arg-type]
        limit = "-" if r["limit"] is None else f"{float(r['limit']):.2f}"  # type: ignore[arg-type]
        if r["limit_from"]:
            limit += f" ({r['limit_from']})"
        lines.append(
            f"| {what} | {size(r['size'])} | {size(r['measured_at'])} "
            f"| {value} | {limit} | {r['verdict']} |"
        )
    judged = [r for r in rows if r["measured_at"] == r["size"] and r["ratio"] is not None]
    met = sum(r["verdict"] == "met" for r in judged)
    unjudged = len(
        {str(r["target"]) + str(r["size"]) for r in rows}
        - {str(r["target"]) + str(r["size"]) for r in judged}
    )
    lines += [
        "",
        f"{met} of {len(judged)} targets measured at their size met; "
        f"{unjudged} not measured at their size.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000",
        help="comma-separated N (default 10000), e.g. 10000,100000,1000000",
    )
    parser.add_argument(
        "--no-bundled",
        action="store_true",
        help="skip the commands on the bundled register (run by default)",
    )
    parser.add_argument(
        "--full-max",
        type=int,
        default=100_000,
        help="the largest size at which every command runs (default 100000); "
        "larger ones run only status, chase, action show/update, export, "
        "load CSV and their floors, unless --only names others",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument(
        "--load-repeat", type=int, default=3, help="timed runs of loads and imports (default 3)"
    )
    parser.add_argument(
        "--only",
        type=lambda s: s.split(","),
        default=None,
        help="command names, name prefixes or tools (casey, task, sqlite3), "
        "e.g. status,help; the floor always runs",
    )
    parser.add_argument(
        "--casey", default=shutil.which("casey") or str(Path(sys.executable).with_name("casey"))
    )
    parser.add_argument(
        "--casey-src",
        type=Path,
        default=None,
        help="run casey_cli from this source tree (PYTHONPATH), e.g. an "
        "unpacked `git archive` of the baseline commit",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for data and stores (default: a temporary folder)",
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument(
        "--previous",
        type=Path,
        default=PREVIOUS,
        help="an earlier --json whose 100k export and load ratios are the "
        f"limits of those targets (default bench/results/{PREVIOUS.name})",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    previous = read_previous(args.previous.resolve() if args.previous else None)

    exe = tools(args.casey)
    json_out = args.json.resolve() if args.json else None
    work = (args.work or Path(tempfile.mkdtemp(prefix="casey-bench-"))).resolve()
    (work / "home").mkdir(parents=True, exist_ok=True)
    os.chdir(work)  # so no `python -c` imports casey_cli from the folder it was started in
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "XDG_DATA_HOME": str(work / "home"),
        "CASEY_USER": "bench",
        "LANG": "C.UTF-8",
    }
    if args.casey_src:
        env["PYTHONPATH"] = str(args.casey_src.resolve())
    found = {
        k: f"{v} ({version([v, '--version'], env)})" if v else "NOT FOUND: skipped"
        for k, v in exe.items()
    }
    where = version([str(exe["python"]), "-c", "import casey_cli; print(casey_cli.__file__)"], env)
    found["casey_cli imported from"] = where
    machine = describe_machine(str(exe["python"]))
    print("Tools found:\n" + "".join(f"- {k}: {v}\n" for k, v in found.items()))
    print("Machine:\n" + "".join(f"- {k}: {v}\n" for k, v in machine.items()), flush=True)
    out: dict[str, object] = {"machine": machine, "tools": found, "sizes": {}}
    reports: dict[str, dict[str, object]] = out["sizes"]  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        cmds, preps = bundled_commands(work, exe, env, args.repeat + 1)
        if not args.no_bundled and any(selected(c, args.only, False) for c in cmds[1:]):
            reports[BUNDLED] = bench_section(BUNDLED, cmds, preps, work, exe, args, env)
            print(markdown(BUNDLED, reports[BUNDLED]), flush=True)
        for n in sizes:
            reports[str(n)] = bench_size(n, work, exe, args, env)
            print(markdown(str(n), reports[str(n)]), flush=True)
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        sys.exit(1)
    out["targets"] = judge(targets(previous), reports)
    out["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(targets_markdown(out["targets"]))  # type: ignore[arg-type]
    print(f"Wall time of the bench: {out['wall_seconds']} s")
    if json_out:
        json_out.write_text(json.dumps(out, indent=2) + "\n")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
