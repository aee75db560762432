"""Every console example in README.md and docs/ runs as written, against a fresh store, and
prints what the page shows.

The rules a page follows (docs/contributing.md, "Writing docs"):
- A ```console block is run: each `$ ` line is a command (a trailing `\\` continues it), the
  lines after it are its output (stdout and stderr as a terminal shows them, 80 columns).
- `…` alone on a line stands for any number of lines left out; inside a line, for any text
  (a clock time, a temp path).
- A command that exits non-zero must be followed by `$ echo $?` showing its code.
- `$ export NAME=VALUE` sets a variable for the page's later commands.
- A fenced block with `title="FILE"` is written to FILE (in the page's working folder) before
  the commands after it run: the CSV or YAML a page loads is the one it shows.
- Other blocks (```sh, ```text, ```yaml without a title...) are not run; a `$ casey` line
  may appear only in a console block, so no example escapes the check.

Each page gets its own fresh store: no CASEY_DB, so casey creates the default store under a
temporary HOME from the bundled register, on the fixed day 2026-11-23 (CASEY_TODAY). That
HOME is shown as /home/officer, and the OS user (the account history records) is officer.
The clock (which stamps the history) starts at 09:00 UTC that day and runs, so history
times and views as at a past day come out the same on any day the test runs.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from casey_cli.cli import app

pytestmark = pytest.mark.sqlite_only(reason="docs examples run once, on the default store")

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHOWN_HOME = "/home/officer"
TODAY = "2026-11-23"
CLOCK_STARTS = "2026-11-23T09:00:00+00:00"
# A casey process whose clock starts where the page's clock stands (CASEY_DOCS_CLOCK).
CASEY_ON_THE_PAGE_CLOCK = (
    "import os, sys, time_machine; "
    "time_machine.travel(os.environ['CASEY_DOCS_CLOCK'], tick=True).start(); "
    "from casey_cli.cli import main; sys.argv[0] = 'casey'; main()"
)
ELLIPSIS = "…"
FENCE = re.compile(
    r"^(?P<indent> *)(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.S | re.M,
)
TITLE = re.compile(r'title="([^"]+)"')
SHELL_SYNTAX = re.compile(r"[|><;&$`*?~(){}]")


@dataclass
class Step:
    line: int  # where it is on the page, for the failure message
    kind: str  # "file" or "command"
    text: str  # the file's content, or the command
    expected: list[str]  # the output shown (commands)
    name: str = ""  # the file's name (files)


def steps_of(page: Path) -> list[Step]:
    text = page.read_text(encoding="utf-8")
    steps: list[Step] = []
    for block in FENCE.finditer(text):
        info = block["info"].strip()
        language = info.split()[0] if info else ""
        first_line = text.count("\n", 0, block.start()) + 2
        body = block["body"]
        indent = len(block["indent"])
        if indent:
            body = "".join(line[indent:] for line in body.splitlines(keepends=True))
        title = TITLE.search(info)
        if title:
            steps.append(Step(first_line, "file", body, [], name=title.group(1)))
        elif language == "console":
            steps.extend(commands_of(body, first_line))
    return steps


def commands_of(body: str, first_line: int) -> list[Step]:
    steps: list[Step] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            raise AssertionError(f"line {first_line + i}: output before any `$ ` command")
        command, start = line[2:], i
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        steps.append(Step(first_line + start, "command", command, expected))
    return steps


def pattern_of(expected: list[str]) -> re.Pattern[str]:
    parts = []
    for line in expected:
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*".join(map(re.escape, line.rstrip().split(ELLIPSIS))) + r"[ \t]*\n")
    return re.compile("".join(parts))


def tidy(output: str, home: Path) -> str:
    lines = [line.rstrip() for line in output.replace(str(home), SHOWN_HOME).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


class Page:
    """One page's shell: its environment, working folder and last exit code."""

    def __init__(self, home: Path, bin_dir: Path) -> None:
        self.home = home
        home.mkdir()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CASEY_", "XDG_")) and key not in ("COLUMNS", "LINES")
        }
        bin_dir.mkdir()
        shim = bin_dir / "casey"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{CASEY_ON_THE_PAGE_CLOCK}" "$@"\n')
        shim.chmod(0o755)
        self.env.update(
            HOME=str(home),
            CASEY_TODAY=TODAY,
            CASEY_USER="officer",
            LOGNAME="officer",  # the OS user, which history records as the account
            USER="officer",
            COLUMNS="80",
            PATH=f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}",
        )
        self.last_code = 0

    def run(self, command: str) -> tuple[str, int]:
        if command == "echo $?":
            return f"{self.last_code}\n", 0
        export = re.fullmatch(r"export (\w+)=(.*)", command)
        if export:
            self.env[export[1]] = " ".join(shlex.split(export[2]))
            return "", 0
        if command.startswith("casey ") and not SHELL_SYNTAX.search(command):
            return self.in_process(shlex.split(command)[1:])
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.home,
            env={**self.env, "CASEY_DOCS_CLOCK": datetime.now(UTC).isoformat()},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return done.stdout, done.returncode

    def in_process(self, args: list[str]) -> tuple[str, int]:
        """The CLI in this process (a subprocess per line costs a start-up each)."""
        unset = {key: None for key in os.environ if key.startswith(("CASEY_", "XDG_"))}
        old_cwd = Path.cwd()
        os.chdir(self.home)
        try:
            result = CliRunner().invoke(app, args, env={**unset, **self.env})
        finally:
            os.chdir(old_cwd)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"casey {shlex.join(args)} raised") from result.exception
        return result.output, result.exit_code


PAGES_WITH_EXAMPLES = [page for page in PAGES if "```console" in page.read_text(encoding="utf-8")]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_runs_as_shown(page: Path, tmp_path: Path) -> None:
    steps = steps_of(page)
    shell = Page(tmp_path / "officer", tmp_path / "bin")
    where = page.relative_to(ROOT)
    with time_machine.travel(CLOCK_STARTS, tick=True):
        run_steps(steps, shell, where)


def run_steps(steps: list[Step], shell: Page, where: Path) -> None:
    for index, step in enumerate(steps):
        if step.kind == "file":
            (shell.home / step.name).write_text(step.text, encoding="utf-8")
            continue
        output, code = shell.run(step.text)
        shown = tidy(output, shell.home)
        if not pattern_of(step.expected).fullmatch(shown):
            expected = "\n".join(step.expected)
            raise AssertionError(
                f"{where}:{step.line}: `{step.text}` printed\n{shown}\n--- the page shows ---\n"
                f"{expected}"
            )
        if step.text != "echo $?":
            shell.last_code = code
            following = steps[index + 1] if index + 1 < len(steps) else None
            shows_code = following is not None and following.text == "echo $?"
            assert code == 0 or shows_code, (
                f"{where}:{step.line}: `{step.text}` exited {code}; show it with `$ echo $?`"
            )


def test_casey_examples_are_only_in_console_blocks() -> None:
    stray = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            language = (block["info"].strip().split() or [""])[0]
            if language != "console" and re.search(r"^\s*\$ casey\b", block["body"], re.M):
                line = text.count("\n", 0, block.start()) + 1
                stray.append(f"{page.relative_to(ROOT)}:{line}")
    assert not stray, f"`$ casey` examples outside a console block (not run): {stray}"
