"""Interactive `action add` in a real pseudo-terminal (pexpect), and never without one."""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest
import sqlalchemy as sa

from tests.conftest import TODAY, Casey, read_only

CASEY = str(Path(sys.executable).parent / "casey")


def _as_at_a_terminal() -> None:
    """In the child before casey starts: Ctrl-C interrupts, as in a user's shell. pytest run
    in the background by a script (`... &`, as CI jobs often are) ignores SIGINT; the child
    would inherit that, Python would install no handler, and Ctrl-C would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str) -> pexpect.spawn:
    """`casey ARGS` on a pseudo-terminal, with the test's store, date and user."""
    env = {**os.environ, "COLUMNS": "120"}
    assert env["CASEY_TODAY"] == TODAY and env["CASEY_DB"]
    child = pexpect.spawn(
        CASEY,
        list(args),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 120),
        preexec_fn=_as_at_a_terminal,
    )
    return child


def finish(child: pexpect.spawn) -> tuple[str, int]:
    child.expect(pexpect.EOF)
    child.close()
    return child.before, child.exitstatus if child.exitstatus is not None else 128 + (
        child.signalstatus or 0
    )


def added(out: str) -> str:
    """The ref in `--format json` output (a terminal mixes stdout and stderr)."""
    return str(json.loads(out[out.index("{") :])["ref"])


def answer(child: pexpect.spawn, question: str, text: str) -> None:
    child.expect(question + ".*: ")
    child.sendline(text)


def confirm(casey: Casey, child: pexpect.spawn, reply: str = "y") -> Any:
    """Answer the summary's question; the action as the store now shows it."""
    child.expect("Add this action\\?")
    child.sendline(reply)
    out, code = finish(child)
    assert code == 0, out
    return casey.json("action", "show", added(out))


def register(casey: Casey) -> Any:
    """What a cancelled add must leave as it was: every item and every history event."""
    return (casey.json("export"), casey.json("history"))


def test_a_full_interactive_add_asks_checks_confirms_and_writes(casey: Casey) -> None:
    recs = casey.json("rec", "list")
    islington_rec = next(r["ref"] for r in recs if r["source"] == "islington-plan")
    meeting = casey(
        "meeting", "add", "Ward panel", "--date", TODAY, "--borough", "islington"
    ).stdout.strip()
    child = spawn("action", "add", "--format", "json")
    child.expect("islington")  # the borough choices come from the store
    answer(child, "Borough", "islingtn")  # a bad answer is asked again, with the reason
    child.expect("unknown borough 'islingtn' \\(did you mean 'islington'\\?\\)")
    answer(child, "Borough", "islington")
    answer(child, "Title", "")  # an empty title is refused
    child.expect("the title is empty")
    answer(child, "Title", "Publish ward panel dates")
    answer(child, "Owner", "Supt, Central North")
    answer(child, "Due date", "2027-02-30")
    child.expect("'2027-02-30' is not a real date")
    answer(child, "Due date", "+4w")
    child.expect(islington_rec)  # the borough's own plan is among the choices
    answer(child, "Recommendation", islington_rec)
    answer(child, "Status", "In Progress")
    answer(child, "Note", "Agreed at committee")
    child.expect(meeting)  # the borough's recent meetings are offered
    answer(child, "Meeting", meeting)
    child.expect("New action")
    shown = confirm(casey, child)
    assert (shown["borough"], shown["title"], shown["owner"], shown["status"]) == (
        "islington",
        "Publish ward panel dates",
        "Supt, Central North",
        "in-progress",
    )
    assert shown["recommendation"] == islington_rec
    assert shown["due"] == (date.fromisoformat(TODAY) + timedelta(weeks=4)).isoformat()
    [created] = [e for e in shown["history"] if e["field"] == "created"]
    assert created["note"] == "Agreed at committee"
    assert created["meeting"].startswith(meeting)
    assert created["by"] == os.environ["CASEY_USER"]


def test_given_fields_are_not_asked_and_a_bad_given_one_is(casey: Casey) -> None:
    child = spawn(
        "action",
        "add",
        "--borough",
        "islington",
        "--owner",
        "Clerk",
        "--due",
        "2027-13-01",
        "--status",
        "blocked",
        "--note",
        "n",
        "--meeting",
        "",
        "--recommendation",
        "",
        "--format",
        "json",
    )
    answer(child, "Title", "Only the title was missing")
    child.expect("not a real date")  # the given --due is checked and asked for again
    answer(child, "Due date", "2027-01-31")
    shown = confirm(casey, child, "")  # the default is yes
    assert (shown["owner"], shown["due"], shown["status"]) == ("Clerk", "2027-01-31", "blocked")


def test_a_recommendation_of_another_borough_plan_is_asked_again(casey: Casey) -> None:
    own = [r["ref"] for r in casey.json("rec", "list") if r["borough"] == "islington"]
    assert own
    child = spawn(
        "action",
        "add",
        "--title",
        "Elsewhere",
        "--owner",
        "x",
        "--due",
        "",
        "--status",
        "not-started",
        "--note",
        "",
        "--meeting",
        "",
        "--format",
        "json",
    )
    answer(child, "Borough", "camden")
    answer(child, "Recommendation", own[0])
    child.expect("another borough's plan")
    answer(child, "Recommendation", "")
    shown = confirm(casey, child)
    assert (shown["borough"], shown["recommendation"]) == ("camden", None)


@pytest.mark.parametrize(("how", "code"), [("no", 1), ("ctrl-c", 130), ("ctrl-d", 1)])
def test_cancelling_writes_nothing(casey: Casey, how: str, code: int) -> None:
    before = register(casey)
    child = spawn("action", "add", "--borough", "islington")
    child.expect("Title.*: ")
    if how == "no":
        child.sendline("Never written")
        for question in ("Owner", "Due date", "Recommendation", "Status", "Note", "Meeting"):
            answer(child, question, "")
        child.expect("Add this action\\?")
        child.sendline("n")
    elif how == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    out, exit_code = finish(child)
    assert exit_code == code, out
    assert "Cancelled, nothing written." in out
    assert "Traceback" not in out
    assert register(casey) == before


@pytest.mark.parametrize("missing", ["--borough", "--title"])
def test_piped_stdin_never_prompts(casey: Casey, missing: str) -> None:
    """Even with answers waiting on stdin, a pipe is not a terminal: a one-line error."""
    before = register(casey)
    given = {"--borough": "islington", "--title": "Piped"}
    args = [x for opt, value in given.items() if opt != missing for x in (opt, value)]
    result = casey("action", "add", *args, code=2, input="islington\nPiped\n\n\n\n\n\n\ny\n")
    assert result.stdout == ""
    err = result.stderr.strip()
    assert err == f"Error: missing {missing}; give {missing} (prompting only happens on a terminal)"
    assert "Borough" not in result.stderr and "Title" not in result.stderr
    assert register(casey) == before


def test_piped_stdin_in_a_real_process_never_prompts(casey: Casey) -> None:
    import subprocess

    before = register(casey)
    proc = subprocess.run(
        [CASEY, "action", "add", "--borough", "islington"],
        input="A title\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "Error: missing --title; give --title (prompting only happens on a terminal)"
    )
    assert proc.stdout == ""
    assert register(casey) == before


def test_a_read_only_store_is_refused_before_any_question(
    isolated: Path | str, backend: str, request: pytest.FixtureRequest
) -> None:
    """Issue 15: a clerk who may only read the store is told so at once, not after
    answering every question."""
    with ExitStack() as stack:
        if backend == "sqlite":
            stack.enter_context(read_only(Path(isolated)))
        else:  # the database frozen, as an administrator would
            name = sa.make_url(str(isolated)).database
            with request.getfixturevalue("pg_admin").connect() as conn:
                conn.exec_driver_sql(
                    f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
                )
        out, code = finish(spawn("action", "add"))
    assert code == 1, out
    assert out.strip().startswith("Error: the store at ") and "is read-only for you" in out
    assert "Borough" not in out
