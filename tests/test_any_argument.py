"""No traceback from any argument (issue 15): every command, every option, random values.

The command tree is walked (typer.main.get_command), so a new command, option or argument is
covered without editing this file. For each command, hypothesis draws an argv: each option
given or not, with a value that fits it three times in four (a value from its choices, its
range, its formats, or one its name calls for), else one of several kinds (empty, blank,
thousands of characters, control characters, unicode, bytes of another encoding, numbers,
good and impossible dates, refs that do not exist, paths to missing or unwritable folders);
the root options (--db, --today) now and then. Each example runs the real CLI in process
(CliRunner) on a store as seeded, in a temp folder of its own: the working directory, HOME
and the config and data folders, so relative paths, --output files, `db backup`, `db copy
--to` and `config set` all stay inside it. Stdin is not a terminal, so nothing prompts.

On SQLite each command is a test of its own; on PostgreSQL one test runs every command in
each example (a PostgreSQL test costs a new database). 15 examples per command and backend:
900 runs in all (`--hypothesis-show-statistics` shows them, with their exit codes).

What is accepted (docs/contract.md, exit codes). A line is what str.splitlines() makes of
stderr: any line break a terminal or a script may split on.

- exit 0, with any output;
- exit 1, 3, 4 or 5: stderr is one line, `Error: ...`;
- exit 2, a usage error: stderr is that one line (casey's own usage errors, such as `action
  add` without --borough under a pipe), or Click's usage block and nothing else: `Usage:
  casey <the command> ...`, `Try 'casey <the command> -h' for help.`, a blank line, then
  the one `Error: ...` line. The contract has a usage error show the command's usage, and
  these three lines are how Click shows it: still one line of error;
- before any of these, the notice that a store was created on first use (--db naming a new
  file), on one line: that write happened before the command ran, and is kept;
- never an exception but SystemExit, never "Traceback" on stdout or stderr;
- exit 1 or 2 prints nothing on stdout, and no non-zero exit changes a row of the store.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer.main
from conftest import TODAY, drop_pg_database, pg_database, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from casey_cli.cli import app

# Examples per command and backend: with 30 commands, 450 runs per backend, 900 in all, in
# some 20 s (up to twice that on a busy machine). CASEY_TEST_ARGUMENT_EXAMPLES=500 looks
# harder, in some minutes.
EXAMPLES = int(os.environ.get("CASEY_TEST_ARGUMENT_EXAMPLES", 15))

# ------------------------------------------------------------------ the command tree


@dataclass(frozen=True)
class Param:
    name: str  # the Python name: due_before, fmt, ref
    flag: str | None  # the option's long (else first) name; None for an argument
    kind: str  # flag, int, choice, path, text
    required: bool
    multiple: bool  # an option given several times, or an argument taking several values
    fits: tuple[str, ...]  # values that fit it (from its type, else its name)


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    params: tuple[Param, ...]

    @property
    def id(self) -> str:
        return "-".join(self.path)

    def __repr__(self) -> str:  # as hypothesis shows a failing example
        return f"<casey {' '.join(self.path)}>"


def _param(p: Any) -> Param:
    flag = None
    if p.param_type_name == "option":
        flag = next((o for o in p.opts if o.startswith("--")), p.opts[0])
    type_ = p.type
    if getattr(p, "is_flag", False):
        kind = "flag"
    elif getattr(type_, "choices", None):
        kind = "choice"
    elif type_.name == "integer" or type_.name.startswith("integer"):
        kind = "int"
    elif type_.name == "path":
        kind = "path"
    else:
        kind = "text"
    multiple = bool(getattr(p, "multiple", False)) or p.nargs == -1
    return Param(p.name, flag, kind, bool(p.required), multiple, _fits(p, kind))


def _fits(p: Any, kind: str) -> tuple[str, ...]:
    """Values that fit an option: from its type (choices, a range, the formats its metavar
    offers), else from its name; a name not listed gets the general values alone."""
    if kind == "choice":
        choices = [str(c) for c in p.type.choices]
        return (*choices, *(c.upper() for c in choices))
    if kind == "int":
        low, high = getattr(p.type, "min", None), getattr(p.type, "max", None)
        if low is None and high is None:
            return ("0", "40", "100", "101")
        return tuple(str(n) for n in (low, high) if n is not None)
    if kind == "path":
        return PATHS
    metavar = getattr(p, "metavar", None) or ""
    if metavar.startswith("<") and "|" in metavar:  # format_option: <table|json|csv>
        formats = metavar.strip("<>").split("|")
        return (*formats, *(f.upper() for f in formats))
    for pattern, values in NAME_FITS:
        if re.search(pattern, p.name):
            return values
    return ()


def commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[Command]:
    for name, sub in group.commands.items():
        if hasattr(sub, "commands"):
            yield from commands(sub, (*path, name))
        else:
            yield Command((*path, name), tuple(_param(p) for p in sub.params))


# ------------------------------------------------------------------ values

# Paths: relative ones land in the example's folder (the working directory); {tmp} is that
# folder and {db} the example's store, both filled in at run time.
PATHS = (
    "out.csv",
    "paper.html",
    "new.db",
    "missing/folder/out.csv",
    "{tmp}/no/such/folder/x.db",
    "{tmp}",
    ".",
    "{db}",
    "items.csv",  # a valid file to load (written for each example)
    "nosuch.yaml",
    "sqlite:///{tmp}/by-url.db",
    "sqlite:///{tmp}/missing/folder/by-url.db",
    "mysql://nobody@127.0.0.1:1/casey",  # a driver that is not installed
    "postgresql+psycopg://nobody@127.0.0.1:1/casey",  # no server listening
    "zz://x",
    # A folder no one can write in, not even root (Linux): the write must fail cleanly.
    *(("/proc/casey-cannot-write.csv",) if Path("/proc/self").is_dir() else ()),
)
DATES = (
    *("today", "TOMORROW", "yesterday", "2026-12-01", "2026-11-01", "2020-02-29"),
    *("+0d", "+1w", "+2m", "-1d", "-2w", "-3m", "23/11/2026", "1/12/26"),
)
BAD_DATES = (
    "2026-02-30",
    "2027-02-29",
    "+99999d",
    "-1y",
    "+9999m",
    "+9999w",
    "2026-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "last week",
    "2026-11-23T10:00",
    "31/11/2026",
    "11/23/2026",
    "+1y",
    "+-1d",
    "20261123",
)
BOROUGHS = ("islington", " Camden ", "ISLINGTON", "all", "london", "city-of-london")
STATUSES = ("in-progress", "In Progress", "complete", "blocked", "not_started", "dropped")
REFS = ("A1", "a3", "7", "A18", "casey-1", "islington-plan-1", "M1")
MISSING_REFS = (
    "A99999",
    "A0",
    "A-1",
    "A" + "9" * 40,
    "9" * 400,
    "casey-999",
    "casey-0",
    "nosuch-1",
    "M99",
    "M0",
    "A1.5",
    "zz",
)
WORDS = ("Insp. R. Shah", "Someone else", "Panel chairs not yet confirmed", "x")
# By the option's (Python) name: what fits it.
NAME_FITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"^(due|due_before|date|since|as_at|compare|today)$", DATES),
    (r"^borough$", BOROUGHS),
    (r"^status$", STATUSES),
    (r"^response$", ("accepted", "Accepted In Principle", "rejected", "pending")),
    (r"^(ref|recommendation|meeting)$", REFS),
    (r"^fail_on$", ("overdue", "stale,gaps", "overdue,stale,gaps")),
    (r"^source$", ("casey", "islington-plan", "new-met-for-london")),
    (r"^theme$", ("oversight",)),
    (r"^(db|to|target|files)$", PATHS),
    (r"^name$", ("borough", "user", "window", "stale_days", "db", "Scrutiny panel")),
    (r"^value$", ("islington", "21", "J. Clerk", "all", "0")),
    (r"^(owner|by|title|note|evidence|reason)$", WORDS),
)


def _contained(text: str) -> str:
    """Random text that cannot name a path outside the example's folder: no leading '/'
    (absolute) or '~' (another user's home), no '..'."""
    return re.sub(r"\.\.+", ".", text).lstrip("/~")


KINDS = {
    "empty": st.just(""),
    "blank": st.sampled_from([" ", "   ", "\t", "\n", " \t\n "]),
    "long": st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["x", "A1", "9", "é", " ", "2026-11-23"]),
        st.integers(100, 5000),
    ),
    "control": st.sampled_from(
        ["\x00", "a\x00b", "\x1b[2J", "bell\x07", "\r", "\x7f", "two\nlines", "a\tb", "\u2028"]
        + ["\u200b", "\ufeff", "\x85", "\x1f"]
    ),
    "unicode": st.one_of(
        st.text(max_size=30).map(_contained),
        st.sampled_from(
            ["İslington", "Ａ１", "A\u0661", "A\u00b9", "caséy-1", "🙂", "ß", "\u202e"]
            + ["\u0662\u0660\u0662\u0666-01-01", "2026\u201311\u201323"]
        ),
    ),
    # Bytes of another encoding (Latin-1 'café', a stray 0xff), as Python hands them over
    # from the command line: lone surrogates, which a strict UTF-8 encoder refuses.
    "not_utf8": st.sampled_from(["\udcff", "caf\udce9", "\udce9t\udce9.csv", "A\udcb9"]),
    "number": st.one_of(
        st.integers(-(10**40), 10**40).map(str),
        st.sampled_from(["-1", "0", "-0", "1e3", "1e309", "nan", "inf", "0x10", "1_000", "1.5"]),
        st.sampled_from([" 7 ", "+5", "\u0663", "99999999999999999999"]),
    ),
    "bad_date": st.sampled_from(BAD_DATES),
    "date": st.sampled_from(DATES),
    "missing_ref": st.sampled_from(MISSING_REFS),
    "ref": st.sampled_from(REFS),
    "path": st.sampled_from(PATHS),
}


ROOT = typer.main.get_command(app)
# The root's options, given before the command now and then: --db and --today. Not its eager
# flags (--version, --install-completion, --show-completion): each ends the run before the
# command is parsed, so it would only hide the rest of the argv.
ROOT_PARAMS = tuple(_param(p) for p in ROOT.params if p.expose_value and not p.is_eager)
COMMANDS = list(commands(ROOT))


@st.composite
def value_for(draw: Any, param: Param) -> str:
    # What fits, three times in four: most examples are then valid but for one or two
    # values, which reaches the checks deep in a command (the reschedule crash was a valid
    # ref and reason with an empty --due).
    if param.fits and draw(st.integers(1, 100)) <= 75:
        return draw(st.sampled_from(param.fits))
    kind = draw(st.sampled_from(sorted(KINDS)))
    return draw(KINDS[kind])


@st.composite
def params_argv(draw: Any, params: tuple[Param, ...], given: int) -> list[str]:
    """An argv for these params: each optional one given `given` times in a hundred, each
    required one almost always (leaving it out is a usage error to check too)."""
    options: list[str] = []
    arguments: list[str] = []
    for param in params:
        percent = 90 if param.required else given
        if draw(st.integers(1, 100)) > percent:
            continue
        if param.kind == "flag":
            options.append(param.flag or param.name)
            continue
        count = draw(st.integers(1, 2)) if param.multiple else 1
        for _ in range(count):
            value = draw(value_for(param))
            if param.flag is None:
                arguments.append(value)
            else:
                options += [param.flag, value]
    return options + arguments


@st.composite
def invocation(draw: Any, command: Command) -> list[str]:
    root = draw(params_argv(ROOT_PARAMS, 15))
    return [*root, *command.path, *draw(params_argv(command.params, 50))]


# ------------------------------------------------------------------ checks

_NOTICE = re.compile(
    r"Created a new casey store at .* from the bundled (register|borough list only) \(.*\)\."
)


def check(result: Any, command: Command) -> None:
    """The outcome this file accepts (see its docstring)."""
    where = f"exit {result.exit_code}\nstdout: {result.stdout!r}\nstderr: {result.stderr!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{result.exception!r}\n{where}") from result.exception
    assert "Traceback" not in result.stdout + result.stderr, where
    code = result.exit_code
    event(f"exit {code}")
    if code == 0:
        return
    assert code in (1, 2, 3, 4, 5), where
    lines = result.stderr.splitlines()
    while lines and _NOTICE.fullmatch(lines[0]):
        lines.pop(0)
    if code == 2 and len(lines) == 4:
        usage, try_help, blank, _ = lines
        name = " ".join(("casey", *command.path))
        assert usage.startswith(f"Usage: {name} "), where
        assert try_help == f"Try '{name} -h' for help.", where
        assert blank == "", where
        lines = lines[3:]
    if command.path == ("load",) and len(lines) > 1:  # every problem of the files: a line each
        assert lines[-1].endswith(" problems in the files; nothing was written"), where
    else:
        assert len(lines) == 1, where
    assert all(line.startswith("Error: ") for line in lines), where
    if code in (1, 2):
        assert result.stdout == "", where


# ------------------------------------------------------------------ the test


@pytest.mark.sqlite_only(reason="reads the command tree; no store")
def test_the_tree_is_walked():
    """The walk finds every command, nested ones and their arguments included."""
    ids = {c.id for c in COMMANDS}
    assert {"status", "action-reschedule", "db-copy", "config-set"} <= ids
    reschedule = next(c for c in COMMANDS if c.id == "action-reschedule")
    assert {p.flag or p.name for p in reschedule.params} >= {"ref", "--due", "--reason"}
    assert {p.flag for p in ROOT_PARAMS} >= {"--db", "--today"}


# Every table's rows and every index of a PostgreSQL store, as one hash, in one query: what
# conftest's snapshot compares, ~10 times faster (one round trip on a kept connection).
_PG_FINGERPRINT = """
SELECT md5(
    (SELECT string_agg(
        tablename || ':' || query_to_xml(
            format('SELECT * FROM %I AS r ORDER BY r::text', tablename), true, false, ''
        )::text, '|' ORDER BY tablename)
     FROM pg_tables WHERE schemaname = current_schema())
    || (SELECT string_agg(indexname || indexdef, '|' ORDER BY indexname)
        FROM pg_indexes WHERE schemaname = current_schema())
)
"""


class Stores:
    """The store each example starts on: the test's own store (a fresh copy of the seeded
    register, from conftest), then, after a command that changed it, a new copy of the
    seeded SQLite file or a new PostgreSQL database made from the seeded template. A
    command that left the store as it was (every failure must) hands it on to the next
    example: making a PostgreSQL database takes ~0.4 s on a busy server."""

    def __init__(
        self, backend: str, request: pytest.FixtureRequest, first: str, folder: Path
    ) -> None:
        self.backend, self.request, self.folder = backend, request, folder
        self.db: str | None = first
        self.conn: Any = None  # PostgreSQL: kept open on the current database
        self.seeded = self.rows()  # a fresh store's
        self.made: list[str] = []

    def rows(self) -> Any:
        """Every row and index of the current store: all of them (SQLite), or their hash."""
        assert self.db is not None
        if self.backend == "sqlite":
            return snapshot(self.db)
        if self.conn is None:
            import psycopg

            url = sa.make_url(self.db).set(drivername="postgresql")
            self.conn = psycopg.connect(url.render_as_string(hide_password=False))
            self.conn.autocommit = True
        return self.conn.execute(_PG_FINGERPRINT).fetchone()[0]

    def current(self) -> str:
        if self.db is None:
            if self.backend == "sqlite":
                self.db = str(self.folder / f"casey-{len(self.made)}.db")
                shutil.copyfile(self.request.getfixturevalue("seeded_store"), self.db)
            else:
                admin = self.request.getfixturevalue("pg_admin")
                self.db = pg_database(admin, template=self.request.getfixturevalue("pg_seeded"))
            self.made.append(self.db)
        return self.db

    def unchanged(self) -> bool:
        """Whether the store is as it was made; if not, the next example gets a new one."""
        if self.rows() == self.seeded:
            return True
        self.close()
        self.db = None
        return False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def drop(self) -> None:
        self.close()
        for url in self.made if self.backend == "postgresql" else ():
            drop_pg_database(self.request.getfixturevalue("pg_admin"), url)


@pytest.fixture
def stores(
    backend: str, request: pytest.FixtureRequest, isolated: Any, tmp_path: Path
) -> Iterator[Stores]:
    """One for each test, kept across its examples (hence a health check suppressed)."""
    folder = tmp_path / "stores"  # outside every example's folder
    folder.mkdir()
    kept = Stores(backend, request, str(isolated), folder)
    yield kept
    kept.drop()


def run(command: Command, argv: list[str], stores: Stores, tmp_path: Path) -> None:
    """One example: `casey ARGV` in a folder of its own, on the current store, checked."""
    db = stores.current()
    with tempfile.TemporaryDirectory(dir=tmp_path) as name:
        folder = Path(name)
        (folder / "items.csv").write_text("borough,title\ncamden,Loaded by the fuzzer\n")
        args = [a.replace("{tmp}", name).replace("{db}", db) for a in argv]
        env = {
            "CASEY_DB": db,
            "CASEY_TODAY": TODAY,
            "HOME": str(folder / "home"),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CONFIG_HOME": str(folder / "config"),
        }
        with contextlib.chdir(folder):
            result = CliRunner().invoke(app, args, env=env)
    check(result, command)
    if result.exit_code != 0:
        assert stores.unchanged(), f"casey {args} exited {result.exit_code} but wrote"
    else:
        stores.unchanged()


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        # The store is kept across a test's examples on purpose (see Stores).
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.sqlite_only(reason="the PostgreSQL half is the test below, one for all commands")
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.id)
@fuzz(EXAMPLES)
@given(data=st.data())
def test_any_argument(command, stores, tmp_path, data):
    """Each command its own test: a failure names it, and so do the statistics."""
    run(command, data.draw(invocation(command), label="argv"), stores, tmp_path)


@pytest.mark.postgresql_only
@fuzz(EXAMPLES)
@given(data=st.data())
def test_any_argument_on_postgresql(stores, tmp_path, data):
    """The same on PostgreSQL, in one test whose every example runs each command once, so
    each gets as many examples as on SQLite (each PostgreSQL test costs a new database,
    ~0.4 s on a busy server). A failure shows the argv of each command up to the one that
    failed."""
    for command in COMMANDS:
        run(command, data.draw(invocation(command), label=" ".join(command.path)), stores, tmp_path)


# ------------------------------------------- crashes this test found (fixed; kept as guards)
# Each case was a traceback before its fix. Cases that reach the store run on both backends,
# looped in one test each (a PostgreSQL test costs a new database); the rest on SQLite.

LONG_NAME = "x" * 300  # a folder entry may have 255 bytes


def usage_error(casey: Any, *args: str) -> str:
    """A usage error (exit 2) with Click's usage block; its one `Error:` line."""
    result = casey(*args, code=2)
    lines = result.stderr.splitlines()
    assert len(lines) == 4 and lines[0].startswith("Usage: casey "), result.stderr
    assert lines[3].startswith("Error: ") and result.stdout == "", result.stderr
    return str(lines[3])


def test_reschedule_to_an_empty_date(casey, isolated):
    """The crash reported in issue 15: `--due ""` ended in an AssertionError traceback."""
    before = snapshot(isolated)
    for due in ("", "   "):
        err = casey.error("action", "reschedule", "A1", "--due", due, "--reason", "x")
        assert err.startswith("Error: due: ") and "is not a date; use YYYY-MM-DD" in err
    assert snapshot(isolated) == before


@pytest.mark.sqlite_only(reason="the value is refused before a store is opened")
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("a\x00b", "contains a NUL character"),  # ValueError
        (LONG_NAME, "has a name longer than 255 bytes"),  # OSError
        (f"sqlite:///{LONG_NAME}.db", "has a name longer than 255 bytes"),
        ("postgresql+psycopg://casey@host/ca\x00sey", "contains a NUL character"),
    ],
)
def test_db_naming_a_file_no_system_can_have(casey, tmp_path, monkeypatch, value, problem):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    err = casey.error("--db", value, "status")
    assert err.startswith("Error: --db: ") and problem in err
    assert casey.error("db", "copy", "--to", value).startswith("Error: --to: ")
    monkeypatch.setenv("CASEY_DB", LONG_NAME)  # an environment value cannot hold a NUL
    assert casey.error("status").startswith("Error: CASEY_DB: the file path 'xxx")
    assert list(work.iterdir()) == []  # nothing made


@pytest.mark.sqlite_only(reason="the value is refused before a store is opened")
@pytest.mark.parametrize(
    "command", [["export"], ["report"], ["export", "--format", "xlsx"], ["db", "backup"]]
)
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),  # OSError: EBUSY, renaming the temp file onto '.'
        ("a\x00b", "contains a NUL character"),  # ValueError, from Typer's path type
        (LONG_NAME, "has a name longer than 255 bytes"),  # OSError
        (".", "is a folder"),  # a usage error already, in Typer's words
    ],
)
def test_output_naming_a_file_no_system_can_have(casey, command, value, problem):
    args = [*command, value] if command[0] == "db" else [*command, "--output", value]
    err = usage_error(casey, *args)
    assert problem in err and "give a file path" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_writing_in_a_folder_no_one_can_write_in(casey, backend):
    """A PermissionError traceback for any user writing where they may not; /proc, where
    not even root can create a file, stands for such a folder."""
    cases = [
        (["export", "--output", "/proc/casey.csv"], "cannot write in folder /proc"),
        (["report", "--output", "/proc/casey.html"], "cannot write in folder /proc"),
    ]
    if backend == "sqlite":  # db backup copies SQLite files
        cases.append((["db", "backup", "/proc/casey.db"], "cannot create /proc/casey.db"))
    for args, expected in cases:
        assert expected in casey.error(*args), args


def test_load_naming_a_file_no_system_can_have(casey, isolated):
    """A ValueError (NUL, from Typer's path type) or OSError (name too long) traceback;
    now load's one line naming the file, as for any file it cannot load."""
    before = snapshot(isolated)
    for name, problem in (("a\x00b.csv", "NUL"), (LONG_NAME + ".csv", "255 bytes")):
        err = casey.error("load", name)
        assert err.startswith("Error: '") and "this path" in err and problem in err, err
    assert snapshot(isolated) == before


def test_text_no_store_can_hold(casey, isolated):
    """A NUL character, or bytes of another encoding (lone surrogates, as Python hands them
    over from the command line), reaching a query: psycopg's DataError on PostgreSQL, a
    UnicodeEncodeError on both; now one line naming the value, the same on both."""
    before = snapshot(isolated)
    for args in (
        ["rec", "list", "--theme", "a\x00b"],
        ["action", "list", "--owner", "a\x00b"],
        ["action", "update", "A3", "--status", "blocked", "--meeting", "Panel\x00"],
        ["history", "\udcff"],
        ["rec", "update", "caf\udce9", "--owner", "x"],
        ["action", "list", "--owner", "caf\udce9"],
        ["meeting", "add", "Panel", "--date", "today", "--borough", "\udcff"],
    ):
        err = casey.error(*args)
        assert "contains a NUL character" in err or "is not UTF-8 text" in err, (args, err)
    assert snapshot(isolated) == before


def test_a_reason_is_checked_as_a_note_is(casey, isolated):
    """A reschedule's reason went into the history unchecked: bytes of another encoding
    broke the hash chain's UTF-8 (a UnicodeEncodeError traceback), and a terminal escape
    was kept, to reach whoever reads the history."""
    before = snapshot(isolated)
    for option, args in (
        ("--reason", ["action", "reschedule", "A3", "--due", "+1w"]),
        ("--reason", ["rec", "update", "casey-2", "--due", "+1w"]),
        ("--note", ["rec", "update", "casey-2", "--due", "+1w"]),
    ):
        for text in ("caf\udce9", "clear\x1b[2J"):
            err = casey.error(*args, option, text)
            assert err.startswith(f"Error: {option[2:]}: contains "), (args, err)
    assert snapshot(isolated) == before


def test_a_user_name_in_another_encoding(casey, isolated, monkeypatch):
    """The name is hashed into the history chain as UTF-8: a UnicodeEncodeError traceback."""
    before = snapshot(isolated)
    err = casey.error("action", "add", "-b", "camden", "-t", "x", "--by", "\udcff")
    assert err.startswith("Error: --by: ") and "not UTF-8 text" in err
    monkeypatch.setenv("CASEY_USER", "caf\udce9")
    assert casey.error("action", "done", "A3").startswith("Error: CASEY_USER: ")
    assert snapshot(isolated) == before


@pytest.mark.sqlite_only(reason="the config file; no store")
@pytest.mark.parametrize(("key", "value"), [("user", "\udcff"), ("db", "/tmp/caf\udce9.db")])
def test_config_set_in_another_encoding(casey, tmp_path, key, value):
    """TOML is UTF-8: writing the file raised UnicodeEncodeError."""
    err = casey.error("config", "set", key, value)
    assert err.startswith(f"Error: {key}: ") and "not UTF-8 text" in err
    assert not (tmp_path / "config").exists()  # XDG_CONFIG_HOME: nothing written


@pytest.mark.sqlite_only(reason="db backup copies SQLite files")
def test_a_file_name_in_another_encoding_is_printed_as_given(casey, tmp_path, monkeypatch):
    """Printing it to a strict stdout (any locale but C) raised UnicodeEncodeError, after
    the backup was made; now stdout gives back the bytes the name came as."""
    monkeypatch.chdir(tmp_path)
    result = casey("db", "backup", "caf\udce9.db")
    assert result.stdout_bytes == b"caf\xe9.db\n"
    assert os.path.exists(b"caf\xe9.db")
    assert b"caf\xe9.db" in casey("--db", "caf\udce9.db", "config", "show").stdout_bytes


@pytest.mark.sqlite_only(reason="the name of a new SQLite file")
def test_a_store_created_at_a_name_with_a_line_break(casey, tmp_path, monkeypatch):
    """The notice that a store was created printed the name raw, over two lines."""
    monkeypatch.chdir(tmp_path)
    lines = casey("--db", "two\nlines.db", "init").stderr.splitlines()
    where = repr(str(tmp_path / "two\nlines.db"))
    assert len(lines) == 1 and lines[0].startswith(f"Created a new casey store at {where} from")
    err = casey("--db", "two\nlines.db", "action", "show", "A112", code=1).stderr.splitlines()
    assert err == ["Error: no action A112; see `casey action list`"]
