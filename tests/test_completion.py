"""Shell completion from the store, through the installed `casey` and the shell's own protocol
(`_CASEY_COMPLETE=complete_bash COMP_WORDS=... COMP_CWORD=N casey`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CASEY = Path(sys.executable).parent / "casey"


def complete(line: str | list[str], env: dict[str, str] | None = None) -> list[str]:
    """What bash gets back for the last word of `line` (a trailing space: a new word), or of
    a list of words as bash splits them (a word may hold spaces after an opening quote)."""
    words = line.split(" ") if isinstance(line, str) else line
    proc = subprocess.run(
        [str(CASEY)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **(env or os.environ),
            "_CASEY_COMPLETE": "complete_bash",
            # the script Typer installs joins the words with newlines (IFS=$'\n')
            "COMP_WORDS": "\n".join(words),
            "COMP_CWORD": str(len(words) - 1),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # a completion never prints an error or a notice
    return [w for w in proc.stdout.split("\n") if w]


def test_the_casey_script_is_installed():
    assert CASEY.is_file(), "pip install -e . puts `casey` next to the interpreter"


def test_borough_slugs(casey):
    slugs = [b["slug"] for b in casey.json("borough", "list")]
    assert complete("casey status --borough k") == sorted(s for s in slugs if s.startswith("k"))
    assert complete("casey status --borough isl") == ["islington"]
    assert complete("casey action list -b ") == sorted(slugs)


def test_action_refs(casey, add_action):
    for n in range(3):
        add_action(title=f"Extra {n}")  # A32..A34: more refs starting with 1 and 2
    ids = sorted(int(i["ref"][1:]) for i in casey.json("action", "list"))
    assert complete("casey action show A1") == [f"A{i}" for i in ids if str(i).startswith("1")]
    assert complete("casey action done 2") == [str(i) for i in ids if str(i).startswith("2")]
    assert complete("casey action update ") == [f"A{i}" for i in ids]
    assert complete("casey action show casey") == []


def test_recommendation_refs(casey):
    recs = casey.json("rec", "list")
    in_order = sorted(recs, key=lambda r: (r["source"], int(r["ref"].rsplit("-", 1)[1])))
    expected = [r["ref"] for r in in_order if r["ref"].startswith("casey-1")]
    assert expected and complete("casey rec show casey-1") == expected
    assert complete("casey action list --recommendation islington-plan-") == [
        r["ref"] for r in in_order if r["source"] == "islington-plan"
    ]
    # history takes either kind of ref
    assert complete("casey history islington-plan-") == [
        r["ref"] for r in in_order if r["source"] == "islington-plan"
    ]
    assert complete("casey history A1")[0] == "A1"


def test_owners(casey, add_action):
    add_action("--owner", "Met Commissioner's office")
    owners = {i["owner"] for i in casey.json("export") if i["owner"]}
    met = sorted(o for o in owners if o.startswith("Met"))
    assert len(met) >= 2
    assert complete("casey status --owner Met") == met
    assert complete(["casey", "action", "update", "A1", "--owner", '"Met C']) == [
        o for o in met if o.startswith("Met C")
    ]


def test_sources(casey):
    codes = sorted(s["code"] for s in casey.json("source", "list"))
    assert complete("casey status --source ") == codes
    assert complete("casey export --source new") == [c for c in codes if c.startswith("new")]


def test_statuses():
    everything = ["not-started", "in-progress", "blocked", "complete", "dropped"]
    assert complete("casey action list --status ") == everything
    assert complete("casey action list --status in") == ["in-progress"]
    assert complete("casey action update A1 --status d") == ["dropped"]
    assert complete("casey rec update casey-1 --status c") == ["complete"]


def test_config_keys():
    assert complete("casey config set st") == ["stale_days"]
    assert complete("casey config set smtp_s") == ["smtp_starttls"]


def test_a_missing_store_gives_no_suggestions_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    before = set(tmp_path.iterdir())  # conftest's store only (none here on PostgreSQL)
    assert complete(f"casey --db {missing} status --borough isl") == []
    env = {**os.environ, "CASEY_DB": str(missing)}
    assert complete("casey action show A", env) == []
    assert not missing.exists()
    assert set(tmp_path.iterdir()) == before


def test_completion_uses_the_configured_store(casey, isolated, tmp_path):
    casey("config", "set", "db", str(isolated))
    env = {k: v for k, v in os.environ.items() if k != "CASEY_DB"}
    assert complete("casey status --borough isl", env) == ["islington"]


def test_a_broken_config_file_gives_no_suggestions_and_no_error(isolated):
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "casey-cli" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("db = [\n")
    env = {k: v for k, v in os.environ.items() if k != "CASEY_DB"}
    assert complete("casey status --borough isl", env) == []


def test_completion_imports_nothing_heavy(isolated, backend):
    """SQLite: the stdlib driver only; PostgreSQL: psycopg and nothing else heavy."""
    from test_performance_guards import loaded

    expected = "psycopg" if backend == "postgresql" else ""
    for line in (
        "casey status --borough isl",
        "casey action show A1",
        "casey status --owner Met",
        "casey history casey-",
    ):
        env = {
            **os.environ,
            "_CASEY_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(line.split(" ")) - 1),
        }
        assert loaded([], env) == expected, line


def test_show_and_install_completion(tmp_path):
    shown = subprocess.run(
        [str(CASEY), "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    assert "_CASEY_COMPLETE=complete_bash" in shown.stdout
    home = Path(os.environ["HOME"])
    home.mkdir(exist_ok=True)
    installed = subprocess.run(
        [str(CASEY), "--install-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert installed.returncode == 0, installed.stderr
    script = home / ".bash_completions" / "casey.sh"
    assert script.read_text().strip() == shown.stdout.strip()
    assert f"source '{script}'" in (home / ".bashrc").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_itself_completes_through_the_installed_script(casey):
    """The script Typer installs, run by bash: COMPREPLY holds the store's slugs."""
    script = subprocess.run(
        [str(CASEY), "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    probe = (
        f"{script}\nPATH={CASEY.parent}:$PATH\n"
        "COMP_WORDS=(casey status --borough ke); COMP_CWORD=3\n"
        "_casey_completion casey\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", probe], capture_output=True, text=True, timeout=60
    )
    slugs = [b["slug"] for b in casey.json("borough", "list")]
    assert out.stdout.split("\n")[:-1] == sorted(s for s in slugs if s.startswith("ke"))


@pytest.mark.sqlite_only(reason="damage is a SQLite file's bytes overwritten")
def test_a_damaged_store_gives_no_suggestions_and_no_error(isolated):
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(isolated)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'boroughs'")
        roots = [root for (root,) in roots]
    with open(isolated, "r+b") as handle:  # the boroughs table's pages, and its indexes'
        for root in roots:
            handle.seek((root - 1) * size)
            handle.write(b"\xff" * 2048)
    assert complete("casey status --borough isl") == []
