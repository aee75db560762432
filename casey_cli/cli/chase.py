"""`casey chase`: per owner, what to chase (overdue, due soon, stale, gaps), for people, for a
mail merge, for a cron job that alerts when something needs chasing, or as messages to the
owners (written as .eml files, or sent)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output, views
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import (
    DaysOpt,
    OwnerOpt,
    ReadFormatOpt,
    ScopeBoroughOpt,
    SourceOpt,
    StaleDaysOpt,
)
from casey_cli.enums import Format

if TYPE_CHECKING:
    from casey_cli.cli.context import AppContext
    from casey_cli.errors import InvalidInput
    from casey_cli.io.mail import OwnerMessage, SmtpSettings
    from casey_cli.schemas import ChaseList, OwnerChase
    from casey_cli.store.tx import Tx


@errors_as_one_line
def chase(
    ctx: typer.Context,
    borough: ScopeBoroughOpt = None,
    owner: OwnerOpt = None,
    source: SourceOpt = None,
    days: DaysOpt = None,
    stale_days: StaleDaysOpt = None,
    fmt: ReadFormatOpt = Format.TABLE,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            callback=lambda values: _checks(values or []),
            help="Comma list of overdue, stale, gaps: exit 3 (overdue), 4 (stale) or 5 (gaps) "
            "when any is found, after printing (for cron).",
        ),
    ] = None,
    eml: Annotated[
        Path | None,
        typer.Option(
            "--eml",
            metavar="DIR",
            file_okay=False,
            help="Write one message (.eml) per owner with an email address into DIR, to open "
            "in Outlook and send.",
        ),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Send one message per owner with an email address through the SMTP server "
            "in the config (smtp_host, smtp_from...).",
        ),
    ] = False,
    again: Annotated[
        bool,
        typer.Option("--again", help="With --send: also owners already sent this chase today."),
    ] = False,
) -> None:
    """Per owner, their overdue, due-soon, stale and undated items, with the last update;
    or, with --eml or --send, a message to each owner.

    Example: casey chase --borough islington --format csv --fail-on overdue,gaps
    """
    from casey_cli.services import chase as service
    from casey_cli.store import lookup

    if eml and send:
        raise typer.BadParameter("write the messages or send them, not both", param_hint="'--eml'")
    if again and not send:
        raise typer.BadParameter("is for --send only", param_hint="'--again'")
    app = app_context(ctx)
    smtp = _smtp(app) if send else None
    found: list[OwnerMessage] = []
    unreachable: list[OwnerChase] = []
    done: set[str] = set()
    with app.store().read() as tx:
        scope = lookup.filters(
            tx, borough=app.setting("borough", borough), owner=owner, source=source
        )
        settings = app.run_context(window=days, stale_days=stale_days)
        result = service.build(tx, settings, scope)
        if eml or smtp:
            found, unreachable = _messages(app, tx, result, smtp)
            if smtp and not again:
                done = service.chased_today(tx, result.borough)
    failure = None
    if eml:
        _write(eml, found)
    elif smtp:
        failure = _send(app, smtp, found, done, result.borough)
    else:
        output.emit(fmt, views.chase(result))
    if eml or smtp:
        _say_unreachable(unreachable, result)
    if failure is not None:  # after the others were sent, recorded and reported
        raise failure
    service.check(result, fail_on or [])


def _smtp(app: AppContext) -> SmtpSettings:
    """The mail server's settings, checked before anything is read or sent."""
    import os

    from casey_cli.errors import InvalidInput
    from casey_cli.io.mail import SmtpSettings

    value = app.config.value
    host, sender = value("smtp_host"), value("smtp_from")
    for name, given in (("smtp_host", host), ("smtp_from", sender)):
        if given is None:
            example = "smtp.example.org" if name == "smtp_host" else "clerk@example.org"
            raise InvalidInput(
                f"--send needs {name}; set it with `casey config set {name} {example}`"
            )
    starttls = bool(value("smtp_starttls"))
    user = value("smtp_user")
    password = os.environ.get("CASEY_SMTP_PASSWORD") or None
    if user and password is None:
        raise InvalidInput(
            f"smtp_user is {user} but CASEY_SMTP_PASSWORD is not set; set it in the "
            "environment of the command (it is never kept in the config file)"
        )
    port = value("smtp_port") or (587 if starttls else 25)
    return SmtpSettings(str(host), int(port), starttls, user, password, str(sender))


def _messages(
    app: AppContext, tx: Tx, result: ChaseList, smtp: SmtpSettings | None
) -> tuple[list[OwnerMessage], list[OwnerChase]]:
    """The messages to the owners in `result` who have an address, and those who have none."""
    from casey_cli.io.mail import messages
    from casey_cli.services import chase as service

    names = {slug: name for slug, name, _ in tx.boroughs()}
    place = names.get(result.borough or "", "London")
    sender = smtp.sender if smtp else app.config.value("smtp_from")
    return messages(
        result,
        service.addresses(tx),
        place=place,
        sender=sender,
        sender_name=app.setting("user"),
        store_id=tx.store_id(),
        now=tx.now(),
    )


def _write(folder: Path, found: list[OwnerMessage]) -> None:
    """Each message as FOLDER/owner-name.eml (made if missing), one path a line on stdout."""
    from casey_cli.atomic import write_atomic
    from casey_cli.errors import InvalidInput
    from casey_cli.io.mail import as_bytes
    from casey_cli.text import counted

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"cannot make folder {folder} ({exc.strerror}); give --eml a folder you can write in"
        ) from None
    taken: set[str] = set()
    for message in found:
        stem, n = message.file_stem, 1
        while stem in taken:
            n += 1
            stem = f"{message.file_stem}-{n}"
        taken.add(stem)
        path = folder / f"{stem}.eml"
        write_atomic(path, as_bytes(message.message))
        output.write(f"{path}\n")
    output.info(
        f"Wrote {counted(len(found), 'message')} to {folder}: open each in your mail "
        "program and send it."
        if found
        else "No owner to chase has an email address: no message written."
    )


def _send(
    app: AppContext,
    smtp: SmtpSettings,
    found: list[OwnerMessage],
    done: set[str],
    borough: str | None,
) -> InvalidInput | None:
    """Send each message not sent today; each owner sent is recorded at once (its own
    transaction), so a failure later in the run leaves the earlier owners' events right.
    Returns the error naming the owners a send failed for, raised once the rest is said."""
    from casey_cli.errors import InvalidInput
    from casey_cli.io.mail import Sender
    from casey_cli.services import chase as service
    from casey_cli.text import counted

    to_send = [m for m in found if m.owner not in done]
    skipped = [m.owner for m in found if m.owner in done]
    failed: list[str] = []
    sent = 0
    if to_send:
        session = Sender(smtp)
        try:
            for message in to_send:
                why = session.send(message.message)
                if why is not None:
                    failed.append(f"{message.owner} <{message.address}> ({why})")
                    continue
                with app.store().write() as tx:
                    service.record_chased(
                        tx,
                        app.run_context(),
                        message.owner,
                        message.address,
                        message.refs,
                        borough,
                    )
                sent += 1
                output.write(f"{message.address}\n")
        finally:
            session.close()
    if skipped:
        output.info(
            f"Already sent today, so not again: {'; '.join(skipped)} (--again sends them too)."
        )
    output.info(f"Sent {counted(sent, 'message')} through {smtp.host}.")
    if not failed:
        return None
    return InvalidInput(
        f"could not send to {'; '.join(failed)}"
        + (
            f"; {counted(sent, 'other message')} {'was' if sent == 1 else 'were'} sent and recorded"
            if sent
            else ""
        )
        + ": fix the address (`casey owner update NAME --email ADDRESS`) and run again"
    )


def _say_unreachable(unreachable: list[OwnerChase], result: ChaseList) -> None:
    """Owners with items to chase but no address, and items nobody owns, on stderr."""
    from casey_cli.text import counted

    if unreachable:
        names = "; ".join(f"{g.owner} ({counted(len(g.rows), 'item')})" for g in unreachable)
        output.info(
            f"No email address for {counted(len(unreachable), 'owner')}, so no message: "
            f"{names}; add one with `casey owner add NAME --email ADDRESS` (or `owner update`)."
        )
    nobody = sum(len(g.rows) for g in result.owners if g.owner is None)
    if nobody:
        output.info(
            f"{counted(nobody, 'item')} to chase {'has' if nobody == 1 else 'have'} no owner: "
            "see `casey chase`."
        )


def _checks(values: list[str]) -> list[str]:
    """`--fail-on overdue,stale` (or the option repeated): known names only; anything else
    is a bad option value (exit 2), caught before the store is read."""
    from casey_cli.errors import did_you_mean
    from casey_cli.schemas import CHASE_CHECKS

    checks = [name.strip().lower() for value in values for name in value.split(",") if name.strip()]
    for name in checks:
        if name not in CHASE_CHECKS:
            raise typer.BadParameter(
                f"unknown check '{name}'{did_you_mean(name, list(CHASE_CHECKS))}; use a comma "
                f"list of {', '.join(CHASE_CHECKS)}"
            )
    return checks
