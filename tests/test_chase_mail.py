"""`casey chase --eml DIR` and `--send` (issue 18): one message per owner with an email
address, read back with the standard library's `email` package, and sent to a real SMTP
server (aiosmtpd on 127.0.0.1) whose received messages are checked."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

if TYPE_CHECKING:
    from conftest import Casey

CN, CN_MAIL = "Supt, Central North", "cn.supt@met.example"
MOPAC, MOPAC_MAIL = "MOPAC", "oversight@mopac.example"
PASSWORD = "s3cret-Pa55"


@dataclass
class Received:
    """What the SMTP server was given: each message with its envelope recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: the server itself answers a refusal (535)
        return AuthResult(success=data.password == PASSWORD.encode(), handled=False)

    def to(self) -> list[str]:
        return sorted(rcpt for rcpts, _ in self.messages for rcpt in rcpts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Received]:
    """A real SMTP server on 127.0.0.1, and casey's settings pointing at it."""
    received = Received()
    port = free_port()
    controller = Controller(
        received,
        hostname="127.0.0.1",
        port=port,
        authenticator=received.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    monkeypatch.setenv("CASEY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASEY_SMTP_PORT", str(port))
    monkeypatch.setenv("CASEY_SMTP_STARTTLS", "false")
    monkeypatch.setenv("CASEY_SMTP_FROM", "Islington Scrutiny <scrutiny@islington.example>")
    try:
        yield received
    finally:
        controller.stop()


def owners_and_items(casey: Casey) -> None:
    """Two owners with addresses (one known by an alias on its item), one without."""
    casey("owner", "add", CN, "--email", CN_MAIL, "--alias", "Met CN BCU")
    casey("owner", "add", MOPAC, "--email", MOPAC_MAIL)
    casey("owner", "add", "Government")
    add = ("action", "add", "-b", "islington")
    casey(*add, "-t", "Ward panels <monthly>", "--owner", "met cn bcu", "--due", "2026-10-01")
    casey("action", "progress", "A32", "Two panels held; the third is in January")
    casey(*add, "-t", "Publish stop and search data", "--owner", "mopac", "--due", "2026-11-30")
    casey(*add, "-t", "Funding for PCSOs", "--owner", "Government", "--due", "2026-09-01")


def chased(casey: Casey) -> list[dict[str, Any]]:
    events = casey.json("history", "--borough", "islington")
    return [e for e in events if e["kind"] == "owner"]


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    crlf = str.maketrans({"\r": None})  # a .eml keeps the CRLF line ends in its parts
    return str(plain.get_content()).translate(crlf), str(html.get_content()).translate(crlf)


# ---------------------------------------------------------------- .eml files


def test_eml_writes_one_message_per_owner_with_an_address(casey: Casey, tmp_path: Path) -> None:
    owners_and_items(casey)
    out = tmp_path / "chase" / "week-48"
    result = casey("chase", "--borough", "islington", "--eml", str(out))
    files = sorted(p.name for p in out.iterdir())
    assert files == ["mopac.eml", "supt-central-north.eml"]
    assert sorted(result.stdout.splitlines()) == [str(out / f) for f in files]
    assert "Wrote 2 messages" in result.stderr
    unreachable = result.stderr.split("No email address for ")[1]
    assert "Government (1 item)" in unreachable and "Met Central North BCU" in unreachable
    assert CN not in unreachable and MOPAC not in unreachable

    raw = (out / "supt-central-north.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF, as RFC 5322 has
    message = read_eml(out / "supt-central-north.eml")
    assert message["To"] == CN_MAIL
    assert message["Subject"] == "Islington register: 1 item to update (1 overdue)"
    assert message["From"] is None and message["X-Unsent"] == "1"  # a draft to send
    assert message["Date"] and message["Message-ID"].endswith("@casey-cli>")
    plain, html = parts(message)
    assert f"Dear {CN}," in plain
    assert "A32  Ward panels <monthly>\n     due 1 October 2026, 53 days late\n" in plain
    assert all(len(line) <= 72 for line in plain.splitlines())
    assert (
        "     latest update, 23 November 2026: Two panels held; the third is in\n     January"
        in plain
    )
    assert "Ward panels &lt;monthly&gt;" in html and "53 days late" in html
    assert "Two panels held" in html

    mopac_plain, _ = parts(read_eml(out / "mopac.eml"))
    assert "due 30 November 2026 (in 7 days)" in mopac_plain
    assert read_eml(out / "mopac.eml")["Subject"] == "Islington register: 1 item to update"
    assert chased(casey) == []  # writing drafts chases nobody yet


def test_eml_has_the_from_address_when_one_is_set(
    casey: Casey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners_and_items(casey)
    monkeypatch.setenv("CASEY_SMTP_FROM", "Équipe de contrôle <scrutiny@islington.example>")
    out = tmp_path / "eml"
    casey("chase", "--borough", "islington", "--owner", "mopac", "--eml", str(out))
    assert [p.name for p in out.iterdir()] == ["mopac.eml"]
    message = read_eml(out / "mopac.eml")
    assert message["From"] == "Équipe de contrôle <scrutiny@islington.example>"  # RFC 2047
    assert message["X-Unsent"] is None


def test_eml_with_no_owner_to_write_to_says_so(casey: Casey, tmp_path: Path) -> None:
    result = casey("chase", "--borough", "islington", "--eml", str(tmp_path / "out"))
    assert result.stdout == ""
    assert "No owner to chase has an email address" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


# ---------------------------------------------------------------- sending


def test_send_delivers_each_message_once_a_day_and_records_it(casey: Casey, smtp: Received) -> None:
    owners_and_items(casey)
    result = casey("chase", "--borough", "islington", "--send")
    assert sorted(result.stdout.splitlines()) == sorted([CN_MAIL, MOPAC_MAIL])
    assert "Sent 2 messages through 127.0.0.1" in result.stderr
    assert "Government (1 item)" in result.stderr
    assert smtp.to() == sorted([CN_MAIL, MOPAC_MAIL])
    by_rcpt = {rcpts[0]: message for rcpts, message in smtp.messages}
    cn = by_rcpt[CN_MAIL]
    assert cn["From"] == "Islington Scrutiny <scrutiny@islington.example>"
    assert cn["Subject"] == "Islington register: 1 item to update (1 overdue)"
    plain, html = parts(cn)
    assert "53 days late" in plain and "Ward panels &lt;monthly&gt;" in html
    events = chased(casey)
    assert sorted((e["ref"], e["field"], e["new"]) for e in events) == [
        (MOPAC, "chased", "A33"),
        (CN, "chased", "A32"),
    ]
    assert {e["note"] for e in events} == {
        f"chase sent by email to {CN_MAIL}",
        f"chase sent by email to {MOPAC_MAIL}",
    }

    again = casey("chase", "--borough", "islington", "--send")  # the same day: nothing twice
    assert again.stdout == ""
    assert f"Already sent today, so not again: {MOPAC}; {CN} (--again" in again.stderr
    assert len(smtp.messages) == 2 and len(chased(casey)) == 2

    casey("chase", "--borough", "islington", "--send", "--again")
    assert len(smtp.messages) == 4 and len(chased(casey)) == 4
    ids = [message["Message-ID"] for _, message in smtp.messages]
    assert len(set(ids)) == 4  # a resend is a new message


def test_a_refused_recipient_is_named_and_the_others_are_recorded(
    casey: Casey, smtp: Received
) -> None:
    owners_and_items(casey)
    smtp.refuse.add(MOPAC_MAIL)
    result = casey("chase", "--borough", "islington", "--send", code=1)
    assert result.stdout == f"{CN_MAIL}\n"
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: could not send to {MOPAC} <{MOPAC_MAIL}> (550 ")
    assert "Traceback" not in result.stderr
    assert smtp.to() == [CN_MAIL]
    assert [(e["ref"], e["new"]) for e in chased(casey)] == [(CN, "A32")]

    smtp.refuse.clear()  # the address fixed: a rerun sends only what was not sent
    rerun = casey("chase", "--borough", "islington", "--send")
    assert rerun.stdout == f"{MOPAC_MAIL}\n"
    assert smtp.to() == sorted([CN_MAIL, MOPAC_MAIL])
    assert sorted(e["ref"] for e in chased(casey)) == [MOPAC, CN]


def test_login_takes_the_password_from_the_environment_only(
    casey: Casey, smtp: Received, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners_and_items(casey)
    monkeypatch.setenv("CASEY_SMTP_USER", "clerk")
    error = casey.error("chase", "--borough", "islington", "--send")
    assert "CASEY_SMTP_PASSWORD is not set" in error
    assert smtp.messages == [] and smtp.logins == []
    assert "unknown setting 'smtp_password'" in casey.error(
        "config", "set", "smtp_password", PASSWORD
    )

    monkeypatch.setenv("CASEY_SMTP_PASSWORD", "wrong")
    error = casey.error("chase", "--borough", "islington", "--send")
    assert "refused the login of clerk" in error and "wrong" not in error
    monkeypatch.setenv("CASEY_SMTP_PASSWORD", PASSWORD)
    result = casey("chase", "--borough", "islington", "--send")
    assert smtp.logins[-1] == (b"clerk", PASSWORD.encode())
    assert len(smtp.messages) == 2
    shown = casey("config", "show", "--format", "json").stdout
    assert PASSWORD not in result.stdout + result.stderr + shown


def test_send_needs_a_server_and_a_from_address(
    casey: Casey, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners_and_items(casey)
    assert casey.error("chase", "--send") == (
        "Error: --send needs smtp_host; set it with `casey config set smtp_host smtp.example.org`"
    )
    monkeypatch.setenv("CASEY_SMTP_HOST", "127.0.0.1")
    assert "--send needs smtp_from" in casey.error("chase", "--send")
    monkeypatch.setenv("CASEY_SMTP_FROM", "clerk@islington.example")
    monkeypatch.setenv("CASEY_SMTP_PORT", str(free_port()))  # nobody listens there
    monkeypatch.setenv("CASEY_SMTP_STARTTLS", "false")
    error = casey.error("chase", "--borough", "islington", "--send")
    assert error.startswith("Error: cannot send through the SMTP server 127.0.0.1:")
    assert chased(casey) == []


def test_file_names_are_plain_and_short_whatever_the_owner_is_called(
    casey: Casey, tmp_path: Path
) -> None:
    long_name = "Director of " + "Community Safety and Neighbourhood Services " * 6
    casey("owner", "add", "Şükrü Öztürk, Müdür", "--email", "sukru@council.example")
    casey("owner", "add", long_name.strip(), "--email", "director@council.example")
    add = ("action", "add", "-b", "islington", "--due", "2026-10-01")
    casey(*add, "-t", "Estate walks", "--owner", "Şükrü Öztürk, Müdür")
    casey(*add, "-t", "Youth forum", "--owner", long_name.strip())
    out = tmp_path / "eml"
    casey("chase", "--borough", "islington", "--eml", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert "sukru-ozturk-mudur.eml" in names
    assert all(len(n) <= 84 for n in names)
    body, _ = parts(read_eml(out / "sukru-ozturk-mudur.eml"))
    assert "Dear Şükrü Öztürk, Müdür," in body
    assert "outside ASCII" in casey.error(
        "owner", "update", "Şükrü Öztürk, Müdür", "--email", "şükrü@council.example"
    )


def test_eml_and_send_options_are_checked(casey: Casey, tmp_path: Path) -> None:
    err = casey("chase", "--eml", str(tmp_path), "--send", code=2).stderr
    assert "write the messages or send them, not both" in err
    err = casey("chase", "--again", code=2).stderr
    assert "is for --send only" in err
    assert "smtp_port: 70000 is out of range" in casey.error("config", "set", "smtp_port", "70000")
    assert "not an email address" in casey.error("config", "set", "smtp_from", "clerk")
