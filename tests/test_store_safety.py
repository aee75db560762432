"""Issue 15, safe by default: a store is created only where one is meant (`casey init`, or
the default store on first use), never in another application's database; a read-only
store is read and never half-written; a damaged one stops every command with one line."""

from __future__ import annotations

import hashlib
import os
import random
import shlex
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import old_store, read_only, snapshot, sql
from test_performance_guards import BACKUP, EVERY_COMMAND, _command_of

from casey_cli.config import mask_url, stamps_path
from casey_cli.store.health import Stamps

# Every command that opens the store (config and init apart), as run on the seeded store.
STORE_COMMANDS = [
    *(args for args in EVERY_COMMAND if args[0] not in ("init", "config")),
    ["db", "upgrade"],
    ["db", "copy", "--to", "{tmp}/copy.db"],
]
WRITES = [
    ["action", "add", "--borough", "islington", "--title", "Not written", "--owner", "Someone"],
    ["action", "update", "A3", "--progress", "10"],
    ["action", "reschedule", "A3", "--due", "2027-03-01", "--reason", "Later"],
    ["action", "done", "A3", "--evidence", "x"],
    ["action", "verify", "A6", "--by", "Auditor"],
    ["rec", "update", "casey-1", "--progress", "5"],
    ["meeting", "add", "Panel", "--date", "2026-11-20"],
    ["load", "{tmp}/minutes.yaml"],
    ["load", "{tmp}/minutes.yaml", "--dry-run"],
]
READS = [
    ["status", "--format", "json"],
    ["status", "--borough", "islington"],
    ["export", "--format", "csv"],
    ["report", "--borough", "islington", "--format", "markdown"],
    ["history", "--format", "json"],
    ["trend", "--borough", "islington"],
    ["chase", "--format", "csv"],
    ["action", "show", "A3", "--format", "json"],
    ["rec", "show", "casey-1", "--format", "json"],
    ["meeting", "list"],
    ["borough", "list", "--format", "json"],
]


def argv(args: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in args]


@pytest.fixture
def minutes(tmp_path: Path) -> Path:
    path = tmp_path / "minutes.yaml"
    path.write_text(
        "version: 1\nactions:\n  - borough: islington\n    title: Minuted\n    due: 2027-01-31\n"
    )
    return path


def tables(db: Path | str) -> list[str]:
    if isinstance(db, Path):
        with closing(sqlite3.connect(db)) as conn:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY 1")]
    query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    return [r[0] for r in sql(db, query)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_store_command_is_covered():
    """A new command joins STORE_COMMANDS (through EVERY_COMMAND), so it is tried on a
    missing, foreign and damaged store below."""
    covered = {_command_of(args) for args in (*STORE_COMMANDS, BACKUP)}
    every = {_command_of(args) for args in EVERY_COMMAND}
    assert every - covered == {"init", "config show", "config get", "config set", "config unset"}


# ---------------------------------------------------------------- 1. created only where meant


def test_a_store_named_but_missing_is_never_created(casey, backend, empty_store, minutes):
    """The issue's cron job: a typo in --db (here a folder that does not exist, or an empty
    PostgreSQL database) is one line naming the fix, exit 1, and nothing is made: no file,
    no folder, no table, no export to mail out."""
    tmp = minutes.parent
    db = tmp / "srv" / "casey" / "islingtn.db" if backend == "sqlite" else empty_store
    shown = mask_url(str(db))
    expected = (
        f"Error: no casey store at {shown}; create it with `casey --db {shlex.quote(shown)} init`"
    )
    share = tmp / "share.xlsx"
    issue = ["export", "--borough", "islington", "--format", "xlsx", "--output", str(share)]
    commands = [issue, *STORE_COMMANDS, *([BACKUP] if backend == "sqlite" else [])]
    for args in commands:
        assert casey.error("--db", str(db), *argv(args, tmp)) == expected, args
    assert not share.exists() and not (tmp / "copy.db").exists()
    if backend == "sqlite":
        assert not (tmp / "srv").exists()
    else:
        password = sa.make_url(str(empty_store)).password
        assert not password or password not in expected
        assert tables(empty_store) == []
    casey("--db", str(db), "init")  # the fix the line gives
    assert casey.json("--db", str(db), "status")["summary"]["total"] > 0


@pytest.mark.sqlite_only(reason="an empty file")
def test_an_empty_file_is_no_store_until_init_makes_it_one(casey, tmp_path):
    """A 0-byte file (touched by a script, say) is not seeded by the first command that
    meets it; `casey init` makes it a store, readable by its owner only."""
    db = tmp_path / "register.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    err = casey.error("--db", str(db), "status")
    assert err == (
        f"Error: no casey store at {db} (the file is empty); create it with `casey --db {db} init`"
    )
    assert db.stat().st_size == 0 and stat.S_IMODE(db.stat().st_mode) == 0o644
    assert "Created a new casey store" in casey("--db", str(db), "init").stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert casey.json("--db", str(db), "status")["summary"]["total"] > 0


@pytest.mark.sqlite_only(reason="the default store is a SQLite file in the user data folder")
def test_the_default_store_is_made_from_an_empty_file_too(casey, monkeypatch):
    monkeypatch.delenv("CASEY_DB")
    db = Path(os.environ["XDG_DATA_HOME"]) / "casey-cli" / "casey.db"
    db.parent.mkdir(parents=True)
    db.touch()
    assert "Created a new casey store" in casey("status").stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.parametrize("alembic", [False, True], ids=["tables", "tables-and-alembic"])
def test_another_applications_database_is_left_alone(casey, backend, empty_store, minutes, alembic):
    """A SQLite file or PostgreSQL database holding other tables (even another app's
    alembic_version) gets none of casey's, from any command, `casey init` included; a SQLite
    file is not touched at all (not even its journal mode)."""
    tmp = minutes.parent
    db: Path | str = tmp / "orders.db" if backend == "sqlite" else empty_store
    statements = ["CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)"]
    statements += ["INSERT INTO orders (id, item) VALUES (1, 'kettle')"]
    if alembic:
        statements += [
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
            "INSERT INTO alembic_version VALUES ('3fa2c1b9d0e7')",
        ]
    for statement in statements:
        sql(db, statement)
    before = digest(db) if isinstance(db, Path) else snapshot(db)
    shown = mask_url(str(db))
    backup = [BACKUP] if backend == "sqlite" else []
    for args in [["init"], ["init", "--no-seed"], *STORE_COMMANDS, *backup]:
        err = casey.error("--db", str(db), *argv(args, tmp))
        assert err.startswith(f"Error: {shown} is not a casey store: it holds other tables ("), err
        assert "orders" in err and "casey init" in err, err
    err = casey.error("db", "copy", "--to", str(db))  # nor is a copy poured into it
    assert "is not empty (it has " in err and "orders" in err, err
    assert (digest(db) if isinstance(db, Path) else snapshot(db)) == before
    assert set(tables(db)) == {"orders", *(["alembic_version"] if alembic else [])}
    if isinstance(db, Path):
        assert sorted(p.name for p in tmp.glob("orders.db*")) == ["orders.db"]


# ---------------------------------------------------------------- 2. read-only stores


@pytest.fixture
def store_read_only(isolated, backend, request):
    """The test's store made read-only for real: its file (SQLite) or its database
    (PostgreSQL: default_transaction_read_only, as an administrator freezes a register).
    Gives a context to read it in, and what the refusal says."""

    def freeze():
        if backend == "sqlite":
            return read_only(isolated), "the file cannot be written"
        name = sa.make_url(str(isolated)).database
        with request.getfixturevalue("pg_admin").connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        return nullcontext(), "the server takes no writes: transaction_read_only is on"

    return freeze


def test_a_read_only_store_reads_and_refuses_every_write(
    casey, isolated, backend, minutes, store_read_only
):
    tmp = minutes.parent
    casey("action", "add", "-b", "camden", "-t", "Before the freeze")
    seen = {tuple(args): casey(*args).stdout for args in READS}
    before = snapshot(isolated)
    frozen, why = store_read_only()
    where = str(isolated) if backend == "sqlite" else mask_url(str(isolated))
    with frozen:
        for args in READS:
            assert casey(*args).stdout == seen[tuple(args)], args
        for args in WRITES:
            err = casey.error(*argv(args, tmp))
            assert err.startswith(f"Error: the store at {where} is read-only for you ({why}); "), (
                err
            )
            assert "nothing was written" in err
        assert "already exists" in casey("init").stderr
        assert "hash chain intact" in casey("db", "check").stdout
        if backend == "sqlite":
            assert casey("db", "backup", str(tmp / "copy.db")).exit_code == 0
    assert snapshot(isolated) == before
    if backend == "sqlite":
        assert (
            casey("--db", str(tmp / "copy.db"), "export", "--format", "csv").stdout
            == (seen[("export", "--format", "csv")])
        )


@pytest.mark.sqlite_only(reason="SQLite writes beside its file; a server has no folder")
def test_a_store_in_a_read_only_folder_reads_and_refuses_every_write(casey, isolated, minutes):
    """The issue's `status` that failed with 'unable to open database file': a WAL store's
    reader needs its index file beside it, which a read-only folder cannot take."""
    tmp = minutes.parent
    seen = {tuple(args): casey(*args).stdout for args in READS}
    assert not Path(f"{isolated}-wal").exists()  # the last command closed the WAL away
    before = snapshot(isolated)
    out = tmp / "out"  # a folder that stays writable, for the copies
    out.mkdir()
    with read_only(tmp):
        for args in READS:
            assert casey(*args).stdout == seen[tuple(args)], args
        casey("db", "backup", str(out / "backup.db"))
        assert "hash chain intact" in casey("db", "copy", "--to", str(out / "copy.db")).stdout
        for args in WRITES:
            err = casey.error(*argv(args, tmp))
            assert err.startswith(
                f"Error: the store at {isolated} is read-only for you (its folder {tmp} "
                "cannot be written); nothing was written; "
            ), err
        assert "hash chain intact" in casey("db", "check").stdout
    assert snapshot(isolated) == before
    assert sorted(p.name for p in tmp.glob("casey.db*")) == ["casey.db"]
    for copy in ("backup.db", "copy.db"):
        assert (
            casey("--db", str(out / copy), "export", "--format", "csv").stdout
            == (seen[("export", "--format", "csv")])
        )


@pytest.mark.sqlite_only(reason="SQLite's WAL file")
def test_a_read_only_folder_still_shows_what_a_writer_left_in_the_wal(casey, isolated, tmp_path):
    """A writer with the store open keeps its latest changes in the WAL; a reader who may
    not write the folder still sees them (mode=ro reads the WAL; immutable would not)."""
    holder = sqlite3.connect(isolated)
    try:
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("SELECT count(*) FROM actions").fetchall()
        casey("action", "add", "-b", "camden", "-t", "Only in the WAL")
        assert Path(f"{isolated}-wal").stat().st_size > 0
        with read_only(tmp_path):
            shown = casey.json("action", "show", "A32")
        assert shown["title"] == "Only in the WAL"
    finally:
        holder.close()


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_an_older_read_only_store_is_not_upgraded_but_can_be_backed_up(casey, tmp_path):
    from casey_cli.store.versions import HEAD

    db = old_store(tmp_path)
    before = digest(db)
    with read_only(db):
        err = casey.error("--db", str(db), "status")
        assert err == (
            f"Error: the store at {db} is at schema 0001, older than {HEAD}, and read-only for "
            "you (the file cannot be written), so casey cannot upgrade it; ask its owner to "
            "run `casey db upgrade`"
        )
        assert (
            "Would back up the store" in casey("--db", str(db), "db", "upgrade", "--dry-run").stdout
        )
        err = casey.error("--db", str(db), "db", "upgrade")
        assert err.startswith(f"Error: the store at {db} is read-only for you"), err
        casey("--db", str(db), "db", "backup", str(tmp_path / "kept.db"))
    assert digest(db) == before
    assert "Upgraded the store" in casey("--db", str(tmp_path / "kept.db"), "status").stderr


@contextmanager
def pg_role(admin: sa.Engine, db: str, *grants: str) -> Iterator[str]:
    """A login role of its own on the test server, with `grants` on the test's database;
    the store's URL as that role. Dropped afterwards (roles outlive databases)."""
    role, password = f"casey_role_{os.getpid()}", f"pw-{random.randrange(10**9)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        sql(db, f"GRANT USAGE ON SCHEMA public TO {role}")
        for grant in grants:
            sql(db, grant.format(role=role))
        url = sa.make_url(db).set(username=role, password=password)
        yield url.render_as_string(hide_password=False)
    finally:
        sql(db, f"DROP OWNED BY {role}")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE {role}")


@pytest.mark.postgresql_only
def test_a_role_that_may_only_read(casey, isolated, pg_admin, minutes):
    """A login role given SELECT only (docs/team-postgresql.md): it reads everything, and
    each write is refused in one line with nothing written."""
    before = snapshot(isolated)
    grant = "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"
    with pg_role(pg_admin, str(isolated), grant) as reader:
        password = sa.make_url(reader).password
        assert casey.json("--db", reader, "status")["summary"]["total"] > 0
        for args in WRITES:
            err = casey.error("--db", reader, *argv(args, minutes.parent))
            assert "is read-only for you (permission denied for " in err, err
            assert password not in err and "nothing was written" in err
    assert snapshot(isolated) == before


@pytest.mark.postgresql_only
def test_a_clerk_cannot_upgrade_the_shared_store_by_accident(casey, empty_store, pg_admin):
    """docs/team-postgresql.md: an everyday role (no right to change tables) on a store of
    an older schema fails in one line and changes nothing, until the owner upgrades it."""
    from casey_cli.store import manage
    from casey_cli.store.versions import HEAD, KNOWN_REVISIONS

    engine = manage.make_engine(str(empty_store))
    with engine.begin() as conn:
        manage.upgrade(conn, KNOWN_REVISIONS[0])
    engine.dispose()
    before = snapshot(empty_store)
    grants = (
        "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    )
    with pg_role(pg_admin, str(empty_store), *grants) as clerk:
        err = casey.error("--db", clerk, "status")
        assert err.startswith("Error: the store is read-only for you ("), err
        assert "nothing was written" in err and "casey db upgrade" in err
    assert snapshot(empty_store) == before
    assert f"to {HEAD}" in casey("--db", str(empty_store), "db", "upgrade").stdout


# ---------------------------------------------------------------- 2. damaged stores


def damage(db: Path) -> None:
    """The issue's damage: 2 KB overwritten in the middle of the file (from the start of a
    page, so a page in use is hit)."""
    with closing(sqlite3.connect(db)) as conn:
        pages, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
        )
    with open(db, "r+b") as handle:
        handle.seek(pages // 2 * size)
        handle.write(random.Random(15).randbytes(2048))


@pytest.mark.sqlite_only(
    reason="damage is a SQLite file's bytes overwritten; PostgreSQL keeps its own pages"
)
def test_a_damaged_store_stops_every_command(casey, isolated, minutes):
    """Commands that would never read the damaged page stop too (the issue's `status` and
    `export` carried on with exit 0), even though the store had passed before; and `db
    check` says what is damaged, in one line."""
    tmp = minutes.parent
    assert casey("status").exit_code == 0  # passed, and remembered as passed
    damage(isolated)
    before = digest(isolated)
    prefix = f"Error: the store at {isolated} is damaged ("
    fix = "); nothing was written; run `casey db check`, then restore the store from a backup"
    for args in [["init"], *(a for a in STORE_COMMANDS if a != ["db", "check"]), BACKUP]:
        err = casey.error(*argv(args, tmp))
        assert err.startswith(prefix) and err.endswith(fix), (args, err)
    err = casey.error("db", "check")
    assert err.startswith("Error: integrity check failed: ") and "the store is damaged" in err
    assert digest(isolated) == before
    assert not (tmp / "copy.db").exists() and not (tmp / "backup.db").exists()


@pytest.mark.sqlite_only(reason="the check of a SQLite file's pages")
def test_casey_remembers_its_own_writes_as_checked(casey, isolated):
    """Checking every page costs time in proportion to the store, so a store that passed is
    not checked again after casey's own writes: only a change made behind its back is."""
    stamps = Stamps(stamps_path())
    assert not stamps.passed(isolated)  # a fresh copy: never checked
    casey("action", "add", "-b", "camden", "-t", "Written by casey")
    assert Stamps(stamps_path()).passed(isolated)
    sql(isolated, "UPDATE actions SET owner = 'someone' WHERE id = 1")  # behind its back
    assert not Stamps(stamps_path()).passed(isolated)
    casey("status")  # checked again, passed, remembered
    assert f"\t{isolated}\n" in stamps_path().read_text()
    assert Stamps(stamps_path()).passed(isolated)


@pytest.mark.sqlite_only(reason="a file name in another encoding")
def test_a_store_named_in_another_encoding_is_created_and_used(casey, tmp_path):
    """A name whose bytes are not UTF-8 arrives as lone surrogates (hypothesis found `init`
    failing on one while it cached the store's health check)."""
    db = f"{tmp_path}/register-\udcff.db"
    assert "Created a new casey store" in casey("--db", db, "init").stderr
    assert casey("--db", db, "status", "--borough", "islington").exit_code == 0
