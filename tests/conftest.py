"""Every test runs the real CLI on a real temp SQLite store, isolated from the user's."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from casey_cli.cli import app

TODAY = "2026-11-23"


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store created and seeded through the CLI, copied for each test (fast)."""
    path = tmp_path_factory.mktemp("template") / "casey.db"
    result = CliRunner().invoke(app, ["--db", str(path), "init"], env={"CASEY_TODAY": TODAY})
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_store: Path) -> Path:
    """Point every setting at temp values so no test touches a real store or clock; the
    store starts as a fresh copy of the bundled register (tests of creation use --db)."""
    db = tmp_path / "casey.db"
    shutil.copyfile(seeded_store, db)
    monkeypatch.setenv("CASEY_DB", str(db))
    monkeypatch.setenv("CASEY_TODAY", TODAY)
    monkeypatch.setenv("CASEY_USER", "test-clerk")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("CASEY_BOROUGH", "CASEY_WINDOW", "CASEY_STALE_DAYS"):  # a user's own defaults
        monkeypatch.delenv(name, raising=False)
    return db


_COMMAND = typer.main.get_command(app)


@pytest.fixture(autouse=True)
def _build_cli_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer rebuilds the command tree on every CliRunner.invoke (~70 ms) where a real
    process builds it once; reuse one build so the suite stays fast. (A test-only shortcut
    into typer.testing; without that hook the runner simply builds it each time.)"""
    if hasattr(typer.testing, "_get_command"):
        monkeypatch.setattr(typer.testing, "_get_command", lambda _app: _COMMAND)


def snapshot(db: Path) -> list[str]:
    """Every row of every table of the store: what a failed command must leave untouched."""
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


class Casey:
    """Runs `casey ...` through Typer's CliRunner with stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0, input: str | None = None) -> Any:
        result = self.runner.invoke(app, list(args), input=input)
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
        out = casey("action", "add", "--borough", borough, "--title", title, *extra,
                    "--format", "json").stdout
        return json.loads(out)  # type: ignore[no-any-return]

    return add
