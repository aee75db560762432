"""Issue 6: a register shared by a team on PostgreSQL. Writers on several machines never
lose an update, a register moves between backends with its history chain intact, and the
same data exports the same bytes on both; a password in a URL never shows."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from conftest import TODAY, Store, sql, store_url

from casey_cli.store import manage as store
from casey_cli.store.connection import PG_WRITE_LOCK
from casey_cli.store.versions import HEAD, KNOWN_REVISIONS


def env_for(db: Store) -> dict[str, str]:
    return {**os.environ, "CASEY_DB": str(db), "CASEY_TODAY": TODAY, "CASEY_USER": "writer"}


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


UPDATER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from casey_cli.cli import app
    worker, n = sys.argv[1], int(sys.argv[2])
    runner = CliRunner()
    for i in range(n):
        r = runner.invoke(app, ["action", "update", "A1", "--evidence", f"w{worker}-{i}",
                                "--progress", str(int(worker) * 10 + i % 10),
                                "--by", f"clerk {worker}"])
        if r.exit_code != 0:
            print(f"FAIL {worker}-{i}: {r.stderr} {r.exception!r}", flush=True)
            sys.exit(1)
    print("ok", flush=True)
""")


def test_concurrent_edits_of_one_action_are_serialised(isolated):
    """4 processes x 10 edits of the SAME action: evidence accumulates (each edit reads the
    evidence, appends a line, writes it back), so an edit made on a stale copy would drop
    another's line. Every line lands, each edit's history 'old' is the value the previous
    edit wrote, and the chain verifies."""
    workers, edits = 4, 10
    before = sql(isolated, "SELECT evidence FROM actions WHERE id = 1")[0][0]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", UPDATER, str(w), str(edits)],
            env=env_for(isolated),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for w in range(workers)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    evidence = sql(isolated, "SELECT evidence FROM actions WHERE id = 1")[0][0]
    lines = evidence.splitlines()[len(before.splitlines()) if before else 0 :]
    assert sorted(lines) == sorted(f"w{w}-{i}" for w in range(workers) for i in range(edits))
    for w in range(workers):  # each writer's own edits stay in the order it made them
        assert [x for x in lines if x.startswith(f"w{w}-")] == [f"w{w}-{i}" for i in range(edits)]
    trail = sql(
        isolated, "SELECT old, new FROM history WHERE ref = 'A1' AND field = 'evidence' ORDER BY id"
    )
    assert len(trail) == workers * edits
    for (_, previous), (old, _) in zip(trail, trail[1:], strict=False):
        assert old == previous, "an edit was made on a stale copy of the action"
    db_check(isolated)


def test_db_copy_moves_the_whole_register(casey, isolated, empty_store):
    """A copy holds every row with its ref, verifies there, and exports the same bytes."""
    casey(
        "action",
        "add",
        "-b",
        "camden",
        "-t",
        "Ward panels",
        "--owner",
        "Insp A",
        "--due",
        "2026-12-01",
    )
    casey("action", "update", "A19", "--progress", "40", "--note", "agreed at PPS")
    casey("action", "reschedule", "A19", "--due", "2027-01-15", "--reason", "staffing")
    out = casey("db", "copy", "--to", str(empty_store)).stdout
    assert "hash chain intact" in out and "19 actions" in out
    for fmt in ("json", "csv"):
        assert (
            casey("--db", str(empty_store), "export", "--format", fmt).stdout
            == casey("export", "--format", fmt).stdout
        )
    assert (
        casey("--db", str(empty_store), "history", "A19", "--format", "json").stdout
        == casey("history", "A19", "--format", "json").stdout
    )
    tip = [line for line in db_check(isolated).splitlines() if line.startswith("chain tip")]
    assert tip == [
        line for line in db_check(empty_store).splitlines() if line.startswith("chain tip")
    ]
    # The copy goes on as a store of its own: the next action gets the next ref.
    assert (
        casey("--db", str(empty_store), "action", "add", "-b", "camden", "-t", "next").stdout
        == "A20\n"
    )
    db_check(empty_store)


def test_db_copy_refuses_a_store_that_has_data(casey, isolated, tmp_path):
    target = tmp_path / "other.db"
    casey("--db", str(target), "init", "--no-seed")
    before = sql(target, "SELECT count(*) FROM boroughs")
    err = casey.error("db", "copy", "--to", str(target))
    assert "is not empty (it has actions, alembic_version, boroughs, ...)" in err, err
    assert "give --to an empty database or a file that does not exist yet" in err
    assert sql(target, "SELECT count(*) FROM boroughs") == before


@pytest.mark.sqlite_only(reason="a file of someone else's")
def test_db_copy_refuses_a_file_with_other_tables(casey, isolated, tmp_path):
    import sqlite3
    from contextlib import closing

    target = tmp_path / "notes.db"
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.commit()
    err = casey.error("db", "copy", "--to", str(target))
    assert err.startswith(f"Error: {target} is not empty (it has notes)"), err
    assert sql(target, "SELECT name FROM sqlite_master") == [("notes",)]


def test_db_copy_names_the_option_to_fix(casey, isolated, tmp_path):
    """A target that is not a database is --to's problem, not --db's; it is left alone."""
    target = tmp_path / "notes.txt"
    target.write_text("not a database\n")
    err = casey.error("db", "copy", "--to", str(target))
    assert err.endswith("file is not a database; check --to"), err
    assert target.read_text() == "not a database\n"


def test_a_failed_copy_leaves_no_file_behind(casey, isolated, tmp_path):
    """A copy that fails its check is not kept, and the new file it made (with its WAL and the
    folders made for it) goes too: nothing half-written to trip over on a retry."""
    casey("action", "add", "-b", "camden", "-t", "to be forged")
    [(last,)] = sql(isolated, "SELECT max(id) FROM history")
    sql(isolated, "UPDATE history SET note = 'forged' WHERE id = :id", id=last)
    target = tmp_path / "new" / "deeper" / "copy.db"
    err = casey.error("db", "copy", "--to", str(target))
    assert "does not match its hash" in err, err
    assert not (tmp_path / "new").exists()  # nor copy.db, copy.db-wal, copy.db-shm


def test_an_old_store_is_upgraded_in_place(casey, empty_store):
    """The migrations run on each backend: a store at the first schema, with history, is
    upgraded to the newest and its (back-filled) chain verifies."""
    first = KNOWN_REVISIONS[0]
    engine = store.make_engine(store_url(empty_store))
    with engine.begin() as conn:
        store.upgrade(conn, first)
        conn.execute(sa.text("INSERT INTO boroughs (slug, name) VALUES ('camden', 'Camden')"))
        conn.execute(
            sa.text(
                'INSERT INTO history (at, "by", kind, ref, borough, field, new) VALUES '
                "('2026-01-05 10:00:00', 'clerk', 'action', 'A1', 'camden', 'created', 'x'), "
                "('2026-01-06 11:00:00', 'clerk', 'action', 'A1', 'camden', 'status', 'done')"
            )
        )
    engine.dispose()
    out = casey("--db", str(empty_store), "db", "upgrade").stdout
    assert f"from schema {first} to {HEAD}" in out
    assert "2 events, hash chain intact" in db_check(empty_store)


@pytest.mark.postgresql_only
def test_a_sqlite_register_moves_to_postgresql_byte_for_byte(casey, tmp_path, empty_store):
    """The same data on both backends gives the same export bytes (times in UTC, the same
    order), and the history chain made on SQLite verifies on PostgreSQL."""
    laptop = tmp_path / "laptop.db"
    casey("--db", str(laptop), "init")
    casey(
        "--db",
        str(laptop),
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "Publish dates",
        "--due",
        "2026-12-03",
        "--owner",
        "Zoë Ünal",
    )
    casey(
        "--db",
        str(laptop),
        "action",
        "add",
        "-b",
        "hackney",
        "-t",
        "a-Z _ order test",
        "--due",
        "2026-12-03",
    )
    casey("--db", str(laptop), "action", "done", "A19", "--evidence", "minutes")
    casey("--db", str(laptop), "action", "verify", "A19", "--by", "auditor")
    casey("--db", str(laptop), "db", "copy", "--to", str(empty_store))
    for fmt in ("json", "csv", "markdown"):
        assert (
            casey("--db", str(empty_store), "export", "--format", fmt).stdout
            == casey("--db", str(laptop), "export", "--format", fmt).stdout
        ), fmt
    for command in (
        ["status", "--format", "json"],
        ["history", "--format", "json"],
        ["source", "list", "--format", "json"],
        ["borough", "list", "--format", "json"],
    ):
        assert (
            casey("--db", str(empty_store), *command).stdout
            == casey("--db", str(laptop), *command).stdout
        ), command
    assert db_check(empty_store).splitlines()[2:] == db_check(laptop).splitlines()[2:]


@pytest.mark.postgresql_only
def test_passwords_in_urls_never_show(casey, isolated):
    """Wrong password, unreachable server, missing database, `db backup`, a new store: one
    line, the password masked, no traceback."""
    url = sa.make_url(str(isolated))
    secret = "s3cret-Pa55word"
    cases = [url.set(port=1, password=secret), url.set(database="no_such_db", password=secret)]
    if url.password:  # the CI server checks passwords (scram) on TCP
        cases.append(url.set(password=secret))
    for case in cases:
        shown = case.render_as_string(hide_password=False)
        err = casey.error("--db", shown, "status")
        assert secret not in err and "***" in err, err
    err = casey.error("db", "backup", "copy.db")
    assert "pg_dump" in err and (not url.password or url.password not in err)
    result = casey("db", "check")
    assert not url.password or url.password not in result.stdout + result.stderr


@pytest.mark.postgresql_only
def test_a_new_postgresql_store_is_created_and_seeded(casey, empty_store):
    """`casey init` on an empty database: tables, the bundled register, a verifying chain;
    the message names the server without its password."""
    result = casey("--db", str(empty_store), "init")
    password = sa.make_url(str(empty_store)).password
    assert "Created a new casey store at postgresql" in result.stderr
    assert not password or password not in result.stderr
    assert len(casey.json("--db", str(empty_store), "action", "list")) == 18
    assert "hash chain intact" in db_check(empty_store)
    again = casey("--db", str(empty_store), "init")  # safe to run twice
    assert len(casey.json("--db", str(empty_store), "action", "list")) == 18, again.stderr


@pytest.mark.postgresql_only
def test_a_writer_queues_behind_another_then_gives_up_cleanly(casey, isolated, monkeypatch):
    """Writers take the store's write lock first: while another transaction holds it, a write
    waits, and past the lock timeout ends in one line with nothing written."""
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    before = sql(isolated, "SELECT count(*) FROM actions")
    holder = sa.create_engine(str(isolated), poolclass=sa.pool.NullPool)
    with holder.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
        err = casey.error("action", "add", "-b", "camden", "-t", "blocked")
        assert "lock timeout" in err and "nothing was written" in err
        reads = casey.json("action", "list", "-b", "camden")  # readers never wait
    holder.dispose()
    assert sql(isolated, "SELECT count(*) FROM actions") == before
    assert [a["title"] for a in reads if a["title"] == "blocked"] == []
    casey("action", "add", "-b", "camden", "-t", "after")  # the lock is free again
