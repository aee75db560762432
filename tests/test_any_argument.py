"""Arguments that ended in a traceback (issue 15), each now one `Error:` line: found by
driving every command with random values, the property test that joins this file once
every crash it finds is fixed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import snapshot

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
    lines = casey("--db", "two\nlines.db", "action", "show", "A99", code=1).stderr.splitlines()
    where = repr(str(tmp_path / "two\nlines.db"))
    assert lines[0].startswith(f"Created a new casey store at {where} from the bundled")
    assert lines[1:] == ["Error: no action A99; see `casey action list`"]
