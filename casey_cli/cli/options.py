"""Shared option aliases: declared once, with help and environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casey_cli.dates import DATE_HELP
from casey_cli.enums import ReadFormat, ShowFormat, StatusFormat, WriteFormat

BoroughOpt = Annotated[str | None, typer.Option(
    "--borough", "-b", help="Borough slug, e.g. islington (see `casey borough list`).")]
OwnerOpt = Annotated[str | None, typer.Option(
    "--owner", help="Owner: case-insensitive part of the owner's name or role.")]
SourceOpt = Annotated[str | None, typer.Option(
    "--source", help="Source code, e.g. casey, new-met-for-london, islington-plan.")]
DaysOpt = Annotated[int, typer.Option(
    "--days", min=0, max=3650, help="'Due soon' window in days.")]
ByOpt = Annotated[str | None, typer.Option(
    "--by", envvar="CASEY_USER", show_envvar=True,
    help="Who makes the change, for the audit trail (default: the OS user).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Note recorded in the history.")]
MeetingOpt = Annotated[str | None, typer.Option(
    "--meeting", help="Meeting that agreed this: its ref (M3) or its exact name.")]
EvidenceOpt = Annotated[str | None, typer.Option(
    "--evidence", help="Evidence (a link or text); added to any evidence already kept.")]
DueOpt = Annotated[str | None, typer.Option("--due", help=f"Due date: {DATE_HELP}.")]
ReadFormatOpt = Annotated[ReadFormat, typer.Option(
    "--format", "-f", case_sensitive=False, help="Output format.")]
StatusFormatOpt = Annotated[StatusFormat, typer.Option(
    "--format", "-f", case_sensitive=False, help="Output format.")]
ShowFormatOpt = Annotated[ShowFormat, typer.Option(
    "--format", "-f", case_sensitive=False, help="Output format.")]
WriteFormatOpt = Annotated[WriteFormat, typer.Option(
    "--format", "-f", case_sensitive=False,
    help="text: the ref only; json: the item object.")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (atomically) instead of standard output.",
    dir_okay=False)]
AsAtOpt = Annotated[str | None, typer.Option(
    "--as-at", help=f"Show the register as it stood at the end of this day, London time, "
                    f"rebuilt from the history ({DATE_HELP}).")]
