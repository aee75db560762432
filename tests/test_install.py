"""A non-editable install (a real wheel build) finds the bundled register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only(
    reason="installs the wheel and runs it on a SQLite file of its own"
)

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_install_finds_the_bundled_register(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert (target / "casey_cli" / "data" / "recommendations.yaml").is_file()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "CASEY_DB": str(tmp_path / "w.db"),
        "CASEY_TODAY": "2026-11-23",
    }

    # Run from an empty folder so the source tree cannot be imported by accident.
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    init = run("-m", "casey_cli", "init")
    assert "Created a new casey store" in init.stderr and "36 recommendations" in init.stderr
    out = run("-m", "casey_cli", "status", "--borough", "islington", "--format", "json")
    report = json.loads(out.stdout)
    assert report["borough"] == "islington" and report["summary"]["total"] > 0
    probe = run("-c", "import casey_cli; print(casey_cli.__file__)")
    assert probe.stdout.strip().startswith(str(target))
    # The site's templates (casey_cli/templates/site/) are in the wheel too.
    run("-m", "casey_cli", "publish", "--output", "web", "--borough", "islington")
    assert (tmp_path / "web" / "boroughs" / "islington.html").is_file()
