"""Chase messages (`casey chase --eml DIR`, `--send`): one RFC 5322 message per owner with an
email address, a plain-text part and an HTML part, built with the standard library's `email`
package and sent with `smtplib`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from functools import cache
from typing import TYPE_CHECKING, Any

from casey_cli.errors import InvalidInput
from casey_cli.io.html import templates
from casey_cli.io.paper import uk_date
from casey_cli.text import counted

if TYPE_CHECKING:
    from casey_cli.schemas import ChaseList, ChaseRow, OwnerChase

ASK = (
    "Please reply with progress on each item: what has been done, a revised date and its "
    "reason, or the evidence that it is complete."
)


TEXT_WIDTH = 72  # the plain-text part's lines, as mail programs show them
STEM_LENGTH = 80  # a message file's name, before .eml: well within any file system's limit


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str


@dataclass
class OwnerMessage:
    """The message to one owner, and what the history records when it is sent."""

    owner: str
    address: str
    refs: list[str]
    message: Message

    @property
    def file_stem(self) -> str:
        """The owner's name as a file name: 'Supt, Central North' -> 'supt-central-north',
        'Şükrü Öztürk' -> 'sukru-ozturk'; at most STEM_LENGTH characters."""
        import unicodedata

        plain = unicodedata.normalize("NFKD", self.owner).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")[:STEM_LENGTH]
        return stem.strip("-") or "owner"


def _when(row: ChaseRow, today: str, stale_days: int) -> str:
    """Why the item is chased, in words: 'due 1 October 2026, 66 days late', 'due in 5
    days', 'no due date', and 'no update for over 90 days' when it is stale."""
    from datetime import date

    if not row.due:
        words = "no due date"
    elif row.days_late:
        words = f"due {uk_date(row.due)}, {counted(row.days_late, 'day')} late"
    else:
        days = (date.fromisoformat(row.due) - date.fromisoformat(today)).days
        soon = "today" if days == 0 else f"in {counted(days, 'day')}"
        words = f"due {uk_date(row.due)} ({soon})"
    if "stale" in row.reasons:
        words += f"; no update for over {counted(stale_days, 'day')}"
    return words


def _latest(row: ChaseRow) -> str | None:
    if row.latest_update:
        return f"latest update, {uk_date(row.latest_update_on)}: {row.latest_update}"
    return None


def _text(group: OwnerChase, chase: ChaseList, place: str, sender_name: str) -> str:
    """The plain-text part, wrapped at TEXT_WIDTH as mail is read."""
    from textwrap import fill

    today = chase.today

    def para(text: str, indent: str = "", first: str = "") -> str:
        return fill(text, TEXT_WIDTH, initial_indent=first or indent, subsequent_indent=indent)

    lines = [
        f"Dear {group.owner},",
        "",
        para(
            f"The {place} register of police-reform actions has "
            f"{counted(len(group.rows), 'item')} of yours to update, as at {uk_date(today)}:"
        ),
        "",
    ]
    for row in group.rows:
        under = " " * (len(row.ref) + 2)  # the item's lines start under its title
        lines.append(para(row.title, under, f"{row.ref}  "))
        lines.append(para(_when(row, today, chase.stale_days), under))
        latest = _latest(row)
        if latest:
            lines.append(para(latest, under))
        lines.append("")
    lines += [para(ASK), "", sender_name, ""]
    return "\n".join(lines)


def _html(group: OwnerChase, chase: ChaseList, place: str, sender_name: str) -> str:
    today = chase.today
    rows: list[dict[str, Any]] = [
        {
            "ref": r.ref,
            "title": r.title,
            "why": _when(r, today, chase.stale_days),
            "latest": f"{uk_date(r.latest_update_on)}: {r.latest_update}"
            if r.latest_update
            else "",
        }
        for r in group.rows
    ]
    return str(
        _template().render(
            owner=group.owner,
            place=place,
            today=uk_date(today),
            count=counted(len(group.rows), "item"),
            rows=rows,
            ask=ASK,
            sender=sender_name,
        )
    )


@cache
def _template() -> Any:
    """The message's HTML template, compiled once for all the run's messages."""
    return templates().get_template("chase_email.html.j2")


def subject(group: OwnerChase, place: str) -> str:
    """'Islington register: 3 items to update (2 overdue)'."""
    overdue = group.counts.get("overdue", 0)
    tail = f" ({overdue} overdue)" if overdue else ""
    return f"{place} register: {counted(len(group.rows), 'item')} to update{tail}"


def messages(
    chase: ChaseList,
    addresses: dict[str, str],
    *,
    place: str,
    sender: str | None,
    sender_name: str,
    store_id: str,
    now: datetime,
) -> tuple[list[OwnerMessage], list[OwnerChase]]:
    """A message for each owner in `chase` with an address, and the owners without one
    (items with no owner at all are neither: nobody can be written to)."""
    from email.mime.multipart import MIMEMultipart
    from email.utils import format_datetime, make_msgid

    built: list[OwnerMessage] = []
    unreachable: list[OwnerChase] = []
    for group in chase.owners:
        if group.owner is None:
            continue
        address = addresses.get(group.owner)
        if not address:
            unreachable.append(group)
            continue
        message = MIMEMultipart("alternative")
        if sender:
            message["From"] = _address(sender)
        else:  # a draft: the mail program that opens it sends it from its own account
            message["X-Unsent"] = "1"
        message["To"] = address
        message["Subject"] = _header(subject(group, place))
        message["Date"] = format_datetime(now)
        digest = hashlib.blake2b(
            f"{group.owner}\n{chase.borough}".encode(), digest_size=6
        ).hexdigest()
        # Unique per message (a resend with --again is a new message), as RFC 5322 asks.
        message["Message-ID"] = make_msgid(f"chase.{chase.today}.{digest}", "casey-cli")
        message.attach(_part(_text(group, chase, place, sender_name), "plain"))
        message.attach(_part(_html(group, chase, place, sender_name), "html"))
        built.append(OwnerMessage(group.owner, address, [r.ref for r in group.rows], message))
    return built, unreachable


def _part(text: str, subtype: str) -> Message:
    """A UTF-8 text part, quoted-printable (readable in the file as text)."""
    from email.charset import QP, Charset
    from email.mime.text import MIMEText

    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    return MIMEText(text, subtype, utf8)  # type: ignore[arg-type]  # a Charset is taken


def _header(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not ASCII."""
    from email.header import Header

    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    """'Name <address>' with the name encoded when it is not ASCII."""
    from email.utils import formataddr, parseaddr

    return formataddr(parseaddr(value), charset="utf-8")


def as_bytes(message: Message) -> bytes:
    """The message as a .eml file holds it: CRLF line ends, as RFC 5322 has them. (The
    message is built with the compat32 classes: the header registry of the newer API
    parses every header again, which was most of the time on a borough's messages.)"""
    from email import policy

    return message.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


class Sender:
    """One SMTP session for a run's messages (STARTTLS and login as the settings say)."""

    def __init__(self, settings: SmtpSettings) -> None:
        import smtplib
        import ssl

        self.settings = settings
        where = f"{settings.host}:{settings.port}"
        try:
            self.smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
            if settings.starttls:
                self.smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                self.smtp.login(settings.user, settings.password or "")
        except smtplib.SMTPAuthenticationError:
            raise InvalidInput(
                f"the SMTP server {where} refused the login of {settings.user}; check "
                "smtp_user and CASEY_SMTP_PASSWORD"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise InvalidInput(
                f"cannot send through the SMTP server {where} ({_reason(exc)}); check "
                "smtp_host, smtp_port and smtp_starttls (`casey config`)"
            ) from None

    def send(self, message: Message) -> str | None:
        """Send one message: None when the server took it, else why it did not."""
        import smtplib

        try:
            refused = self.smtp.send_message(message, from_addr=self.settings.sender)
        except smtplib.SMTPRecipientsRefused as exc:
            return "; ".join(_reason(error) for error in exc.recipients.values())
        except (OSError, smtplib.SMTPException) as exc:
            return _reason(exc)
        if refused:
            return "; ".join(_reason(error) for error in refused.values())
        return None

    def close(self) -> None:
        import smtplib

        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


def _reason(error: object) -> str:
    """An SMTP error as one line: '550 no such user', or the OS's words."""
    if isinstance(error, tuple) and len(error) == 2:
        code, text = error
        words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {' '.join(words.split())}"
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", None)
    if code is not None and text is not None:
        return _reason((code, text))
    return " ".join(str(error).split()) or type(error).__name__
