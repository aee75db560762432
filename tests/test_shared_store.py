"""Issue 6: a register shared by a team on PostgreSQL. Writers on several machines never
lose an update and queue for the write lock, a new server store is created and seeded, and a
password in a URL never shows. Moving a register between backends (`casey db copy`, the
same export bytes on both) is tested in tests/test_db.py."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from conftest import db_check, env_for, sql

from casey_cli.store import manage as store
from casey_cli.store.connection import PG_WRITE_LOCK

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


@pytest.mark.postgresql_only
def test_passwords_in_urls_never_show(casey, isolated, tmp_path):
    """Wrong password, unreachable server, missing database, `db backup` (a dump on a
    server) and `db restore`, a new store: one line, the password masked, no traceback."""
    url = sa.make_url(str(isolated))
    secret = "s3cret-Pa55word"
    cases = [url.set(port=1, password=secret), url.set(database="no_such_db", password=secret)]
    if url.password:  # the CI server checks passwords (scram) on TCP
        cases.append(url.set(password=secret))
    for case in cases:
        shown = case.render_as_string(hide_password=False)
        err = casey.error("--db", shown, "status")
        assert secret not in err and "***" in err, err
    backup = casey("db", "backup", str(tmp_path / "copy.json"))
    assert not url.password or url.password not in backup.stdout + backup.stderr
    for case in cases:
        shown = case.render_as_string(hide_password=False)
        err = casey.error("--db", shown, "db", "restore", str(tmp_path / "copy.json"))
        assert secret not in err and "***" in err, err
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
    assert len(casey.json("--db", str(empty_store), "action", "list")) == 31
    assert "hash chain intact" in db_check(empty_store)
    again = casey("--db", str(empty_store), "init")  # safe to run twice
    assert len(casey.json("--db", str(empty_store), "action", "list")) == 31, again.stderr


@pytest.mark.postgresql_only
@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
def test_a_plain_postgresql_url_means_psycopg(casey, empty_store, scheme):
    """The URL as psql and hosting dashboards write it works for every command, not only
    for the init that created the store."""
    plain = str(empty_store).replace("postgresql+psycopg://", scheme, 1)
    casey("--db", plain, "init")
    assert len(casey.json("--db", plain, "action", "list", "--borough", "islington")) == 31
    assert "hash chain intact" in casey("--db", plain, "db", "check").stdout


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
