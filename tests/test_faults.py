"""Faults survived: the disk filling up mid-write, the server going away mid-load, and random
sequences of the clerk's commands checked against a plain model of the rules, with
`casey db check` passing after every step."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import (
    TODAY,
    count,
    drop_pg_database,
    drop_pg_role,
    env_for,
    grant_everyday,
    pg_database,
    pg_role,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from typer.testing import CliRunner

from casey_cli.cli import app

CSV_HEADER = "kind,borough,title,owner,status,due\n"


def action_rows(n: int) -> str:
    return CSV_HEADER + "".join(
        f"action,camden,Fault test action {i},Owner {i % 7},in-progress,2027-0{1 + i % 9}-15\n"
        for i in range(n)
    )


def casey_process(db: Path | str, *args: str, file_size_limit: int | None = None) -> Any:
    """`casey ...` in its own process; with a limit, every file it writes stops growing at
    that many bytes (RLIMIT_FSIZE, as a full disk or a quota does)."""

    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run(
        [sys.executable, "-m", "casey_cli", *args],
        env=env_for(db),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )


def assert_one_line_failure(done: Any) -> None:
    err = done.stderr.strip()
    assert done.returncode == 1, (done.returncode, err)
    assert err.startswith("Error: ") and len(err.splitlines()) == 1, err
    assert "Traceback" not in err


def assert_store_sound(db: Path | str) -> None:
    check = casey_process(db, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "hash chain intact" in check.stdout


@pytest.mark.sqlite_only(reason="a file-size limit is how a full disk reaches a SQLite file")
def test_the_disk_filling_up_during_a_load_leaves_the_store_as_it_was(isolated, tmp_path):
    rows = tmp_path / "many.csv"
    rows.write_text(action_rows(5000), encoding="utf-8")
    before = count(isolated, "SELECT COUNT(*) FROM actions")
    size = Path(isolated).stat().st_size
    done = casey_process(isolated, "load", str(rows), file_size_limit=size + 64 * 1024)
    assert_one_line_failure(done)
    assert count(isolated, "SELECT COUNT(*) FROM actions") == before
    assert_store_sound(isolated)


@pytest.mark.sqlite_only(reason="a file-size limit is how a full disk reaches a SQLite file")
def test_the_disk_full_on_a_single_write_leaves_the_store_as_it_was(isolated):
    before = count(isolated, "SELECT COUNT(*) FROM history")
    done = casey_process(
        isolated, "action", "add", "--borough", "camden", "--title", "x", file_size_limit=1024
    )
    assert_one_line_failure(done)
    assert count(isolated, "SELECT COUNT(*) FROM history") == before
    assert_store_sound(isolated)


@pytest.mark.postgresql_only
def test_the_server_going_away_mid_load_writes_nothing(isolated, pg_admin, tmp_path):
    """The load's connection is cut by the server (as a restart or a failover does) while
    it writes; the load ends in one line and the store holds none of its rows."""
    rows = tmp_path / "many.csv"
    rows.write_text(action_rows(20000), encoding="utf-8")
    before = count(isolated, "SELECT COUNT(*) FROM actions")
    database = sa.make_url(str(isolated)).database
    load = subprocess.Popen(
        [sys.executable, "-m", "casey_cli", "load", str(rows)],
        env=env_for(isolated),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cut = threading.Event()

    def cut_when_writing() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and load.poll() is None:
            with pg_admin.connect() as conn:
                killed = conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %(db)s AND pid <> pg_backend_pid() "
                    "AND xact_start IS NOT NULL AND state <> 'idle'",
                    {"db": database},
                ).fetchall()
            if killed:
                cut.set()
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=cut_when_writing)
    watcher.start()
    out, err = load.communicate(timeout=120)
    watcher.join()
    assert cut.is_set(), "the load finished before its connection could be cut"

    class Done:
        returncode = load.returncode
        stderr = err

    assert_one_line_failure(Done)
    assert count(isolated, "SELECT COUNT(*) FROM actions") == before
    assert_store_sound(isolated)


# ---------------------------------------------------------------- the clerk's day, at random

CLOSED = ("complete", "dropped")
PEOPLE = ("Ann", "Bob", "Cat")


class ClerkMachine(RuleBasedStateMachine):
    """Random sequences of add, update, reschedule, done, verify, load, dump and restore on a
    fresh store, each checked against a plain model of the rules (docs/contract.md);
    `casey db check` passes after every step."""

    new_store: Any = None  # set by the test: a function making a fresh store
    empty_store: Any = None  # ...and one making a place a dump can be restored into
    # ...and how to reach a store as another account: (its --db, environment) on this backend.
    other_account: Any = None
    backend = "sqlite"

    actions = Bundle("actions")

    def __init__(self) -> None:
        super().__init__()
        self.db = type(self).new_store()
        self.runner = CliRunner()
        self.model: dict[str, dict[str, Any]] = {}
        self.titles: dict[str, str] = {}
        self.today = date.fromisoformat(TODAY)
        self.files = 0
        self.restored = False

    def casey(self, *args: str, as_other: bool = False) -> Any:
        db, env = type(self).other_account(str(self.db)) if as_other else (str(self.db), None)
        result = self.runner.invoke(app, ["--db", db, *args], env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if result.exit_code:
            err = result.stderr.strip()
            assert err.startswith("Error: ") and len(err.splitlines()) == 1, err
        return result

    def scratch_file(self, name: str) -> Path:
        import tempfile

        self.files += 1
        return Path(tempfile.mkdtemp()) / f"{self.files}-{name}"

    def day(self, offset: int) -> str:
        return (self.today + timedelta(days=offset)).isoformat()

    @rule(
        target=actions, owner=st.sampled_from(("", *PEOPLE)), due=st.none() | st.integers(-30, 90)
    )
    def add(self, owner: str, due: int | None) -> str:
        title = f"Step {len(self.model)}"
        args = ["action", "add", "--borough", "camden", "--title", title]
        args += ["--owner", owner] if owner else []
        args += ["--due", self.day(due)] if due is not None else []
        result = self.casey(*args)
        assert result.exit_code == 0, result.stderr
        ref = result.stdout.strip()
        self.titles[ref] = title
        self.model[ref] = {
            "owner": owner or None,
            "status": "not-started",
            "due": self.day(due) if due is not None else None,
            "original_due": self.day(due) if due is not None else None,
            "slips": 0,
            "assurance": "unverified",
            "verification": None,
        }
        return ref

    @rule(ref=actions, status=st.sampled_from(("not-started", "in-progress", "blocked", *CLOSED)))
    def update_status(self, ref: str, status: str) -> None:
        result = self.casey("action", "update", ref, "--status", status)
        assert result.exit_code == 0, result.stderr
        item = self.model[ref]
        if item["status"] == "complete" and status != "complete":
            item["assurance"] = "unverified"  # reopening clears the verification
            item["verification"] = None
        item["status"] = status

    @rule(ref=actions, offset=st.integers(-30, 120), with_reason=st.booleans())
    def reschedule(self, ref: str, offset: int, with_reason: bool) -> None:
        item, new = self.model[ref], self.day(offset)
        args = ["action", "reschedule", ref, "--due", new]
        args += ["--reason", "agreed at committee"] if with_reason else []
        result = self.casey(*args)
        refused = (
            item["status"] in CLOSED
            or new == item["due"]  # "already due on that day"
            or (item["due"] is not None and not with_reason)
        )
        if refused:
            assert result.exit_code == 1, result.stdout
            return
        assert result.exit_code == 0, result.stderr
        if item["due"] is None:
            item["original_due"] = new
        elif new > item["due"]:
            item["slips"] += 1
        item["due"] = new

    @rule(ref=actions)
    def done(self, ref: str) -> None:
        result = self.casey("action", "done", ref)
        item = self.model[ref]
        if item["status"] == "complete":
            assert result.exit_code == 1
            return
        assert result.exit_code == 0, result.stderr
        item["status"] = "complete"

    @rule(ref=actions, by=st.sampled_from(PEOPLE), as_other=st.booleans())
    def verify(self, ref: str, by: str, as_other: bool) -> None:
        """Every other step runs as one account, so that account completed whatever is
        complete: a verification from it is refused on PostgreSQL and marked on SQLite."""
        result = self.casey("action", "verify", ref, "--by", by, as_other=as_other)
        item = self.model[ref]
        allowed = (
            item["status"] == "complete"
            and item["assurance"] != "verified"
            and (item["owner"] or "").lower() != by.lower()
            and (as_other or self.backend == "sqlite")
        )
        assert result.exit_code == (0 if allowed else 1), (allowed, result.stderr)
        if allowed:
            item["assurance"] = "verified"
            item["verification"] = "other-account" if as_other else "same-account"

    @precondition(lambda self: self.model)
    @rule(data=st.data(), owner=st.sampled_from(PEOPLE))
    def load_new_owners(self, data: st.DataObject, owner: str) -> None:
        """A clerk's CSV that gives some actions a new owner, loaded in one transaction."""
        refs = data.draw(st.lists(st.sampled_from(sorted(self.model)), min_size=1, unique=True))
        path = self.scratch_file("owners.csv")
        path.write_text(
            "ref,borough,title,owner\n"
            + "".join(f"{ref},camden,{self.titles[ref]},{owner}\n" for ref in refs),
            encoding="utf-8",
        )
        result = self.casey("load", str(path))
        assert result.exit_code == 0, result.stderr
        for ref in refs:
            self.model[ref]["owner"] = owner

    @precondition(lambda self: self.model and not self.restored)
    @rule()
    def dump_and_restore(self) -> None:
        """The register dumped and restored into a new store, which carries on from there:
        the same dump again, and the old store dropped. Once a sequence, as a restore is slow."""
        dumped, again = self.scratch_file("dump.json"), self.scratch_file("again.json")
        assert self.casey("db", "dump", str(dumped)).exit_code == 0
        target = type(self).empty_store()
        restored = self.runner.invoke(app, ["--db", str(target), "db", "restore", str(dumped)])
        assert restored.exit_code == 0, restored.stderr
        type(self).drop_store(self.db)
        self.db, self.restored = target, True
        assert self.casey("db", "dump", str(again)).exit_code == 0
        assert again.read_bytes() == dumped.read_bytes()

    @invariant()
    def the_store_agrees_with_the_model_and_checks(self) -> None:
        if not self.model:
            return
        result = self.casey("action", "list", "--borough", "camden", "--format", "json")
        stored = {i["ref"]: i for i in json.loads(result.stdout) if i["ref"] in self.model}
        for ref, want in self.model.items():
            got = {key: stored[ref][key] for key in want}
            assert got == want, (ref, got, want)
        check = self.casey("db", "check")
        assert check.exit_code == 0, check.stdout + check.stderr

    def teardown(self) -> None:
        type(self).drop_store(self.db)


def test_random_days_of_a_clerk_keep_the_rules_and_the_chain(backend, request, tmp_path):
    stores = iter(range(10_000))

    role: tuple[str, str] | None = None
    as_role: dict[str, str] = {}  # each store's URL as the second role
    if backend == "postgresql":
        admin = request.getfixturevalue("pg_admin")
        template = request.getfixturevalue("pg_seeded")
        role = pg_role(admin)

        def new_store() -> str:
            return pg_database(admin, template=template)

        def empty_store() -> str:
            return pg_database(admin)

        def drop_store(db: str) -> None:
            drop_pg_database(admin, str(db))

        def other_account(db: str) -> tuple[str, dict[str, str] | None]:
            if db not in as_role:  # granted once the store's tables exist
                as_role[db] = grant_everyday(admin, db, *role)
            return as_role[db], None
    else:
        seeded = request.getfixturevalue("seeded_store")

        def new_store() -> Path:  # type: ignore[misc]
            path = tmp_path / f"clerk-{next(stores)}.db"
            path.write_bytes(Path(seeded).read_bytes())
            return path

        def empty_store() -> Path:  # type: ignore[misc]
            return tmp_path / f"restored-{next(stores)}.db"

        def drop_store(db: Path) -> None:  # type: ignore[misc]
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

        def other_account(db: str) -> tuple[str, dict[str, str] | None]:
            return str(db), {"LOGNAME": "other-desk"}

    ClerkMachine.new_store = staticmethod(new_store)
    ClerkMachine.empty_store = staticmethod(empty_store)
    ClerkMachine.drop_store = staticmethod(drop_store)
    ClerkMachine.other_account = staticmethod(other_account)
    ClerkMachine.backend = backend
    from hypothesis.stateful import run_state_machine_as_test

    try:
        run_state_machine_as_test(
            ClerkMachine,
            settings=settings(
                max_examples=int(os.environ.get("CASEY_STATEFUL_EXAMPLES", "12")),
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        if role is not None:
            drop_pg_role(request.getfixturevalue("pg_admin"), role[0], list(as_role))
