"""The store: created on first use, owner-only, pragmas, migrations (an old store upgraded
once however many processes open it at once), refusing newer schemas."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import FIXTURE_0001, sql, store_url
from sqlmodel import SQLModel

from casey_cli.config import mask_url
from casey_cli.store import manage as store
from casey_cli.store.connection import BUSY_TIMEOUT_MS
from casey_cli.store.versions import HEAD, KNOWN_REVISIONS


def test_init_creates_and_seeds_with_one_stderr_line(casey, empty_store):
    db = str(empty_store)
    result = casey("--db", db, "init")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Created a new casey store at {mask_url(db)} ")
    assert lines[0].endswith(
        "from the bundled register (12 owners, 34 boroughs, 10 sources, 36 recommendations, "
        "10 meetings, 31 actions)."
    )
    again = casey("--db", db, "status", "--format", "json")
    assert again.stderr == "" and again.stdout.startswith("{")


@pytest.mark.sqlite_only(reason="the default store is a SQLite file in the user data folder")
def test_the_default_store_is_created_on_first_use(casey, monkeypatch):
    """The README's quick start: no --db, CASEY_DB or config db, and the first command that
    needs the store makes it, from the bundled register, owner-only."""
    monkeypatch.delenv("CASEY_DB")
    db = Path(os.environ["XDG_DATA_HOME"]) / "casey-cli" / "casey.db"
    result = casey("status", "--borough", "islington", "--format", "json")
    assert result.stderr.startswith(f"Created a new casey store at {db} from the bundled register")
    assert result.stdout.startswith("{")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert casey("status", "--format", "json").stderr == ""


@pytest.mark.sqlite_only(reason="file permissions")
def test_new_store_is_owner_only(casey, tmp_path):
    db = tmp_path / "private" / "casey.db"
    casey("--db", str(db), "init")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_every_folder_of_a_new_store_is_owner_only(casey, tmp_path):
    db = tmp_path / "a" / "b" / "c" / "casey.db"
    casey("--db", str(db), "init")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", db.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_init_twice_is_safe_and_keeps_data(casey, empty_store):
    db = str(empty_store)
    casey("--db", db, "init")
    casey("--db", db, "action", "add", "--borough", "camden", "--title", "kept")
    result = casey("--db", db, "init")
    assert "already exists" in result.stderr
    titles = [a["title"] for a in casey.json("--db", db, "action", "list", "-b", "camden")]
    assert titles == ["kept"]


def test_init_no_seed_keeps_only_the_boroughs(casey, empty_store):
    db = str(empty_store)
    result = casey("--db", db, "init", "--no-seed")
    assert "34 boroughs" in result.stderr
    assert casey.json("--db", db, "rec", "list") == []
    assert casey.json("--db", db, "action", "list") == []
    assert len(casey.json("--db", db, "borough", "list")) == 34
    casey("--db", db, "action", "add", "--borough", "islington", "--title", "first")


@pytest.mark.sqlite_only(reason="the sqlite:/// URL form")
def test_sqlite_url_form_is_accepted(casey, tmp_path):
    db = tmp_path / "url.db"
    casey("--db", f"sqlite:///{db}", "init")
    assert db.exists()


@pytest.mark.sqlite_only(reason="SQLite pragmas")
def test_pragmas_on_every_connection(isolated):
    engine = store.make_engine(f"sqlite:///{isolated}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    engine.dispose()


@pytest.mark.sqlite_only(reason="SQLite enforces foreign keys only when casey's pragma asks")
def test_foreign_keys_are_enforced(isolated):
    con = sqlite3.connect(isolated)  # a plain connection would allow it; casey's must not
    con.close()
    engine = store.make_engine(f"sqlite:///{isolated}")
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(
                "INSERT INTO actions (borough, title, status, slips, created, updated, assurance)"
                " VALUES ('atlantis', 't', 'not-started', 0, '2026-01-01', '2026-01-01',"
                " 'unverified')"
            )
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("an action in an unknown borough was accepted")
    engine.dispose()


def test_store_newer_than_the_code_is_refused(casey, isolated):
    sql(isolated, "UPDATE alembic_version SET version_num = '9999'")
    err = casey.error("status")
    assert "schema 9999" in err and "upgrade casey-cli" in err


def test_processes_opening_an_old_store_at_once_all_succeed(tmp_path):
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE_0001, db)
    env = {**os.environ, "CASEY_DB": str(db), "CASEY_TODAY": "2026-11-23"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "casey_cli", "status", "--format", "json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert sum("Upgraded the store" in e for e in errors) == 1
    assert len(list(tmp_path.glob("old.db.before-*"))) == 1


@pytest.mark.sqlite_only(reason="a file that is not a SQLite database")
def test_not_a_database_is_a_clean_error(casey, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not sqlite " * 100)
    err = casey.error("--db", str(bad), "status")
    assert "cannot open store" in err


@pytest.mark.sqlite_only(reason="no store: a URL with an unknown driver")
def test_bad_url_is_a_clean_error_that_hides_the_password(casey):
    err = casey.error("--db", "nosuchdb+driver://clerk:s3cret@host/casey", "status")
    assert "s3cret" not in err
    assert "***" in err


def test_migrations_build_the_same_schema_as_the_models(empty_store):
    """A store built by running every migration matches one built from models.py."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = store.make_engine(store_url(empty_store))
    with engine.begin() as conn:
        store.upgrade(conn)
        assert store.schema_version(conn) == HEAD
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diffs == []
    engine.dispose()


def test_a_migrated_store_works_with_the_cli(casey, empty_store):
    engine = store.make_engine(store_url(empty_store))
    with engine.begin() as conn:
        store.upgrade(conn)
    engine.dispose()
    db = str(empty_store)
    # It has a schema but no boroughs: loading data is the user's job, not first-use seeding.
    assert casey.json("--db", db, "borough", "list") == []


def test_failed_write_leaves_nothing(casey):
    before = casey("history", "--format", "json").stdout
    casey.error("action", "add", "--borough", "islington", "--title", "x", "--meeting", "M99")
    casey.error(
        "action", "add", "--borough", "islington", "--title", "x", "--recommendation", "casey-99"
    )
    assert casey("history", "--format", "json").stdout == before


@pytest.mark.sqlite_only(reason="no store: the migration files")
def test_known_revisions_match_the_migration_files():
    versions = Path(store.__file__).parent / "migrations" / "versions"
    files = sorted(p.name.split("_")[0] for p in versions.glob("[0-9]*.py"))
    assert tuple(files) == KNOWN_REVISIONS
