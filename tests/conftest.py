"""Every test runs the real CLI on a real temp store, isolated from the user's: once on
SQLite and once on PostgreSQL (when a server is given), through one parametrised fixture."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
import typer.main
import typer.testing
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from casey_cli.cli import app

TODAY = "2026-11-23"
BACKENDS = ("sqlite", "postgresql")
PG_ENV = "CASEY_TEST_PG_URL"
FIXTURE_0001 = Path(__file__).parent / "fixtures" / "store-0001.db"  # made by the first schema

Store = Path | str  # a SQLite file, or a PostgreSQL URL


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test runs on each backend, unless marked sqlite_only (with its reason) or
    postgresql_only (a test of what only a server does)."""
    if "backend" in metafunc.fixturenames:
        backends = list(BACKENDS)
        if metafunc.definition.get_closest_marker("sqlite_only"):
            backends = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgresql_only"):
            backends = ["postgresql"]
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    callspec = getattr(item, "callspec", None)
    outcome.get_result().casey_backend = callspec.params.get("backend") if callspec else None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per backend, so a CI log shows the suite passing on both."""
    counts: dict[str, dict[str, int]] = {b: {} for b in BACKENDS}
    skipped_because: dict[str, set[str]] = {b: set() for b in BACKENDS}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            backend = getattr(report, "casey_backend", None)
            if backend in counts and (outcome != "passed" or report.when == "call"):
                counts[backend][outcome] = counts[backend].get(outcome, 0) + 1
                if outcome == "skipped" and isinstance(report.longrepr, tuple):
                    skipped_because[backend].add(str(report.longrepr[2]))
    for backend, tally in counts.items():
        shown = ", ".join(f"{n} {outcome}" for outcome, n in tally.items()) or "nothing run"
        # The half that did not run says why, and how to run it.
        if backend == "postgresql" and not tally.get("passed"):
            why = "; ".join(sorted(skipped_because[backend])) or f"{PG_ENV} is not set"
            shown += f" ({why.removeprefix('Skipped: ')})"
        terminalreporter.write_line(f"{backend}: {shown}")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine]:
    """A superuser connection to the test server named by CASEY_TEST_PG_URL. Without one, the
    PostgreSQL half is skipped locally, and fails in CI (CI must run it)."""
    url = os.environ.get(PG_ENV)
    problem = None
    if not url:
        problem = (
            f"no PostgreSQL server: set {PG_ENV}=postgresql+psycopg://USER:PASSWORD@HOST:"
            "PORT/postgres, or `source .ci/postgres.sh && pg_start` (as .ci/run does)"
        )
    else:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            problem = f"PostgreSQL server in {PG_ENV} unreachable: {' '.join(str(exc).split())}"
    if problem:
        if in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}", pytrace=False)
        pytest.skip(problem)
    yield engine
    engine.dispose()


_numbers = itertools.count()
_PREFIX = f"casey_test_{os.getpid()}"


def pg_database(admin: sa.Engine, template: str = "template0") -> str:
    """A new database (a copy of `template`) on the test server; its URL."""
    name = f"{_PREFIX}_{next(_numbers)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin: sa.Engine, url: str) -> None:
    name = sa.make_url(url).database
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_roles = itertools.count()


def pg_role(admin: sa.Engine) -> tuple[str, str]:
    """A new login role on the test server (another person's own role): name, password.
    Roles belong to the whole server, shared with other runs: drop it with drop_pg_role."""
    name, password = f"{_PREFIX}_role_{next(_roles)}", "another-role-pw"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    return name, password


def grant_everyday(admin: sa.Engine, url: str, role: str, password: str) -> str:
    """Give `role` what everyday commands need on the store at `url` (docs/team-postgresql.md:
    SELECT, INSERT and UPDATE on the tables, USAGE on their sequences); the store's URL as
    that role."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(
            f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        conn.exec_driver_sql(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    engine.dispose()
    return sa.make_url(url).set(username=role, password=password).render_as_string(False)


def drop_pg_role(admin: sa.Engine, role: str, urls: list[str]) -> None:
    """Drop the role, first taking its grants back in each store at `urls` still there."""
    for url in urls:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        except sa.exc.OperationalError:
            pass  # that database is gone already, and the grants with it
        engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


def init_store(db: Store) -> None:
    result = CliRunner().invoke(app, ["--db", str(db), "init"], env={"CASEY_TODAY": TODAY})
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite store created and seeded through the CLI, copied for each test (fast)."""
    path = tmp_path_factory.mktemp("template") / "casey.db"
    init_store(path)
    return path


@pytest.fixture(scope="session")
def pg_seeded(pg_admin: sa.Engine) -> Iterator[str]:
    """The PostgreSQL twin: one database seeded through the CLI, the template each test's
    database is created from (CREATE DATABASE ... TEMPLATE: a file copy, ~30 ms)."""
    url = pg_database(pg_admin)
    init_store(url)
    yield str(sa.make_url(url).database)
    drop_pg_database(pg_admin, url)


@pytest.fixture
def empty_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """Where a new store can be created on this test's backend: a file that does not exist
    yet, or an empty PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "empty.db"
        return
    admin = request.getfixturevalue("pg_admin")
    url = pg_database(admin)
    yield url
    drop_pg_database(admin, url)


@pytest.fixture(autouse=True)
def isolated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> Iterator[Store]:
    """Point every setting at temp values so no test touches a real store or clock; the
    store starts as a fresh copy of the bundled register (tests of creation use --db): a
    SQLite file, or a PostgreSQL database (its URL)."""
    db: Store
    if backend == "postgresql":
        admin = request.getfixturevalue("pg_admin")
        db = pg_database(admin, template=request.getfixturevalue("pg_seeded"))
    else:
        db = tmp_path / "casey.db"
        shutil.copyfile(request.getfixturevalue("seeded_store"), db)
    monkeypatch.setenv("CASEY_DB", str(db))
    monkeypatch.setenv("CASEY_TODAY", TODAY)
    monkeypatch.setenv("CASEY_USER", "test-clerk")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("CASEY_BOROUGH", "CASEY_WINDOW", "CASEY_STALE_DAYS"):  # a user's own defaults
        monkeypatch.delenv(name, raising=False)
    yield db
    while _engines:
        _engines.popitem()[1].dispose()
    if backend == "postgresql":
        drop_pg_database(request.getfixturevalue("pg_admin"), str(db))


@pytest.fixture
def account(backend: str, isolated: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    """The account this test's commands are recorded under: on SQLite the OS user, here a
    login name given for the test (getpass reads LOGNAME first); on PostgreSQL the role the
    store's URL logs in as (session_user)."""
    if backend == "sqlite":
        monkeypatch.setenv("LOGNAME", "desk-3")
        return "desk-3"
    return str(sa.make_url(str(isolated)).username)


@pytest.fixture
def verifier(
    casey: Casey, backend: str, isolated: Store, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Runs `casey ...` on the test's store as another account than its other commands: on
    SQLite as another OS user (LOGNAME), on PostgreSQL as a second login role of its own,
    made for the test and dropped after it."""
    if backend == "sqlite":
        yield lambda *args, code=0: casey(*args, code=code, env={"LOGNAME": "verifier-desk"})
        return
    admin = request.getfixturevalue("pg_admin")
    role, password = pg_role(admin)
    try:
        url = grant_everyday(admin, str(isolated), role, password)
        yield lambda *args, code=0: casey("--db", url, *args, code=code)
    finally:
        drop_pg_role(admin, role, [str(isolated)])


_COMMAND = typer.main.get_command(app)


@pytest.fixture(autouse=True)
def _build_cli_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer rebuilds the command tree on every CliRunner.invoke (~70 ms) where a real
    process builds it once; reuse one build so the suite stays fast. (A test-only shortcut
    into typer.testing; without that hook the runner simply builds it each time.)"""
    if hasattr(typer.testing, "_get_command"):
        monkeypatch.setattr(typer.testing, "_get_command", lambda _app: _COMMAND)


def store_url(db: Store) -> str:
    return str(db) if "://" in str(db) else f"sqlite:///{db}"


_engines: dict[str, sa.Engine] = {}


def engine_for(db: Store) -> sa.Engine:
    """A plain engine on the store (none of casey's settings), kept for the test's length."""
    url = store_url(db)
    if url not in _engines:
        _engines[url] = sa.create_engine(url, poolclass=NullPool)
    return _engines[url]


def sql(db: Store, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the store behind casey's back (to read it, or to forge it as an
    intruder would), on either backend; committed; the rows it returns."""
    with engine_for(db).begin() as conn:
        result = conn.execute(sa.text(statement), params)
        return [tuple(r) for r in result] if result.returns_rows else []


def count(db: Store, statement: str) -> int:
    return int(sql(db, statement)[0][0])


def dump(db: Store, table: str) -> list[tuple]:
    return sql(db, f"SELECT * FROM {table} ORDER BY 1")


def old_store(tmp_path: Path) -> Path:
    """A copy of the store made by the first released schema (0001), to upgrade."""
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE_0001, db)
    return db


# ---------------------------------------------------------------- casey in real processes


def env_for(db: Store) -> dict[str, str]:
    """The environment of a `python -m casey_cli` (or WRITER) process on the store."""
    return {**os.environ, "CASEY_DB": str(db), "CASEY_TODAY": TODAY, "CASEY_USER": "writer"}


WRITER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from casey_cli.cli import app
    worker, n = sys.argv[1], int(sys.argv[2])
    runner = CliRunner()
    for i in range(n):
        r = runner.invoke(app, ["action", "add", "--borough", "camden", "--title",
                                f"w{worker}-{i}", "--owner", "o", "--by", f"clerk {worker}"])
        if r.exit_code != 0:
            print(f"FAIL {worker}-{i}: {r.stderr} {r.exception!r}", flush=True)
            sys.exit(1)
    print("ok", flush=True)
""")


def db_check(db: Store) -> str:
    check = subprocess.run(
        [sys.executable, "-m", "casey_cli", "db", "check"],
        env=env_for(db),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "hash chain intact" in check.stdout
    return check.stdout


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
    "ORDER BY tablename",
}
# The indexes too: a bulk load drops and rebuilds them, and a failure must leave them all.
_INDEXES = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name",
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
    "current_schema() ORDER BY indexname",
}


def snapshot(db: Store) -> list[str]:
    """Every table, column, row and index of the store, in a fixed order, on either backend:
    what a failed command must leave untouched. (Catalog queries, not SQLAlchemy's
    inspector: this runs for every example of the hypothesis tests.)"""
    lines = []
    engine = engine_for(db)
    with engine.connect() as conn:
        for (table,) in conn.exec_driver_sql(_TABLES[engine.dialect.name]).all():
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
            columns = list(result.keys())
            lines.append(f"{table}: {', '.join(columns)}")
            lines.extend(sorted(repr(tuple(row)) for row in result))
        lines.extend(
            repr(tuple(row)) for row in conn.exec_driver_sql(_INDEXES[engine.dialect.name]).all()
        )
    return lines


class Casey:
    """Runs `casey ...` through Typer's CliRunner with stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        code: int = 0,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Any:
        result = self.runner.invoke(app, list(args), input=input, env=env)
        assert result.exit_code == code, (
            f"casey {' '.join(args)} exited {result.exit_code}, wanted {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}\n{result.exception!r}"
        )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--format", "json").stdout)

    def error(self, *args: str, code: int = 1) -> str:
        """Run a command that must fail: one line on stderr, nothing on stdout."""
        result = self(*args, code=code)
        err = result.stderr.strip()
        if code == 1:
            assert err.startswith("Error: "), err
            assert len(err.splitlines()) == 1, err
            assert "Traceback" not in err
            assert result.stdout == ""
        return err


@pytest.fixture
def casey() -> Casey:
    return Casey()


@pytest.fixture
def add_action(casey: Casey) -> Callable[..., dict[str, Any]]:
    """Add an action through the CLI and return its item object."""

    def add(*extra: str, borough: str = "islington", title: str = "Test action") -> dict[str, Any]:
        out = casey(
            "action", "add", "--borough", borough, "--title", title, *extra, "--format", "json"
        ).stdout
        return json.loads(out)  # type: ignore[no-any-return]

    return add


# ---------------------------------------------------------------- a history on known days

DAY1, DAY2, DAY3, LATER = "2027-06-01", "2027-06-02", "2027-07-03", "2027-07-10"


def at(stamp: str) -> time_machine.travel:
    """The clock stopped at a UTC moment."""
    return time_machine.travel(datetime.fromisoformat(stamp).replace(tzinfo=UTC), tick=False)


@dataclass
class Timeline:
    db: Path
    seen: dict[tuple[str, ...], str] = field(default_factory=dict)

    def run(self, *args: str, today: str, code: int = 0) -> str:
        result = CliRunner().invoke(
            app, ["--db", str(self.db), "--today", today, *args], env={"CASEY_USER": "clerk"}
        )
        assert result.exit_code == code, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout if code == 0 else result.stderr

    def capture(self, day: str) -> None:
        """What status and the report said at the time, for the as-at runs to match."""
        for scope in ((), ("--borough", "islington")):
            self.seen[(day, "status", *scope)] = self.run(
                "status", "--format", "json", *scope, today=day
            )
        self.seen[(day, "report")] = self.run("report", "-b", "islington", today=day)


@pytest.fixture(scope="session")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """Changes on three days through add, update, done, verify, reschedule, rec update and
    load, one of them half an hour after midnight London summer time (still the evening
    before in UTC). History times are the real clock (docs/contract.md), so the real CLI runs under
    time-machine's clock. Built once, then only read (tests/test_as_at.py, test_trend.py)."""
    t = Timeline(tmp_path_factory.mktemp("asat") / "casey.db")
    with at("2027-06-01T08:00:00"):
        t.run("init", today=DAY1)
    with at("2027-06-01T10:00:00"):
        t.run(
            "action",
            "add",
            "-b",
            "islington",
            "-t",
            "Alpha",
            "--owner",
            "X",
            "--due",
            "2027-06-20",
            today=DAY1,
        )  # A32
        t.run(
            "action", "add", "-b", "islington", "-t", "Beta", "--due", "2027-06-05", today=DAY1
        )  # A33
        t.run("action", "update", "A1", "--status", "in-progress", today=DAY1)
        t.capture(DAY1)
    with at("2027-06-02T12:00:00"):
        t.run("action", "reschedule", "A33", "--due", "2027-07-01", "--reason", "staff", today=DAY2)
        t.run("action", "update", "A33", "--owner", "Y", today=DAY2)
        t.run("action", "done", "A32", "--evidence", "minutes", today=DAY2)
        t.run("action", "verify", "A32", "--by", "Auditor", today=DAY2)
        t.run("rec", "update", "casey-1", "--status", "in-progress", today=DAY2)
        t.capture(DAY2)
    with at("2027-06-02T23:30:00"):  # 00:30 on 3 June in London
        t.run("action", "update", "A33", "--status", "blocked", today="2027-06-03")
    with at("2027-07-03T09:00:00"):
        t.run(
            "action",
            "add",
            "-b",
            "islington",
            "-t",
            "Gamma",
            "--owner",
            "Z",
            "--due",
            "2027-07-02",
            today=DAY3,
        )  # A34, overdue from the start
        t.run("action", "update", "A32", "--status", "in-progress", today=DAY3)  # reopened
        sheet = t.db.parent / "minutes.csv"
        sheet.write_text(
            "ref,borough,title,owner,status,due,reason\n"
            "A33,islington,Beta renamed,Y,in-progress,2027-08-01,Venue not booked\n"
            "A32,camden,Alpha,X,in-progress,2027-06-20,\n"
        )  # moved borough; A33's date moves, with the reason a move needs
        t.run("load", str(sheet), today=DAY3)
        t.capture(DAY3)
    return t


# ---------------------------------------------------------------- read-only, for real


def _writable(path: Path) -> bool:
    """Whether this process can really write `path` (a file) or create a file in it (a
    folder): tried, not inferred from the mode, which root ignores."""
    try:
        if path.is_dir():
            probe = path / ".casey-write-probe"
            probe.touch()
            probe.unlink()
        else:
            os.close(os.open(path, os.O_WRONLY))
    except OSError:
        return False
    return True


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file or folder) read-only for this process for the block, in a way that
    holds even for root: `chattr +i` (immutable) when running as root, else its mode. Skips
    the test when neither makes it read-only here (root on a file system without chattr)."""
    mode = path.stat().st_mode
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    if immutable:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        immutable = done.returncode == 0
    if not immutable:
        path.chmod(mode & ~0o222)
    try:
        if _writable(path):
            pytest.skip(f"cannot make {path} read-only for this user here (root without chattr)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)
