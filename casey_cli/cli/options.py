"""Shared option aliases: declared once, with help and environment variables."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from casey_cli.cli import completion
from casey_cli.dates import DATE_HELP, SINCE_HELP
from casey_cli.enums import (
    DEFAULT_STALE_DAYS,
    DEFAULT_WINDOW_DAYS,
    STALE_DAYS_RANGE,
    WINDOW_RANGE,
    Format,
)

BoroughOpt = Annotated[
    str | None,
    typer.Option(
        "--borough",
        "-b",
        autocompletion=completion.boroughs,
        help="Borough slug, e.g. islington (see `casey borough list`).",
    ),
]
# Where a configured default borough applies (status, action list, export, report):
ScopeBoroughOpt = Annotated[
    str | None,
    typer.Option(
        "--borough",
        "-b",
        autocompletion=completion.boroughs,
        help="Borough slug, e.g. islington, or 'all' for every borough (else CASEY_BOROUGH, else "
        "`casey config set borough`, else all London).",
    ),
]
OwnerOpt = Annotated[
    str | None,
    typer.Option(
        "--owner",
        autocompletion=completion.owners,
        help="Owner: case-insensitive part of the owner's name or role.",
    ),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        autocompletion=completion.sources,
        help="Source code, e.g. casey, new-met-for-london, islington-plan.",
    ),
]
DaysOpt = Annotated[
    int | None,
    typer.Option(
        "--days",
        min=WINDOW_RANGE[0],
        max=WINDOW_RANGE[1],
        show_default=False,
        help="'Due soon' window in days (else CASEY_WINDOW, else `casey config set window`, "
        f"else {DEFAULT_WINDOW_DAYS}).",
    ),
]
StaleDaysOpt = Annotated[
    int | None,
    typer.Option(
        "--stale-days",
        min=STALE_DAYS_RANGE[0],
        max=STALE_DAYS_RANGE[1],
        show_default=False,
        help="No recorded change for more than this many days is stale (else CASEY_STALE_DAYS, "
        f"else `casey config set stale_days`, else {DEFAULT_STALE_DAYS}).",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Who makes the change, for the audit trail (else CASEY_USER, else `casey "
        "config set user`, else the OS user).",
    ),
]
StatusesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        autocompletion=completion.statuses,
        help="Only these statuses (repeat the option for several).",
    ),
]
RecommendationOpt = Annotated[
    str | None,
    typer.Option(
        "--recommendation",
        "-r",
        autocompletion=completion.recommendations,
        help="Recommendation ref, e.g. casey-7 (see `casey rec list`).",
    ),
]
ActionRefArg = Annotated[
    str,
    typer.Argument(
        help="Action ref: A14 (or 14).", show_default=False, autocompletion=completion.actions
    ),
]
RecRefArg = Annotated[
    str,
    typer.Argument(
        help="Recommendation ref, e.g. casey-7.",
        show_default=False,
        autocompletion=completion.recommendations,
    ),
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Note recorded in the history.")]
MeetingOpt = Annotated[
    str | None,
    typer.Option("--meeting", help="Meeting that agreed this: its ref (M3) or its exact name."),
]
EvidenceOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence", help="Evidence (a link or text); added to any evidence already kept."
    ),
]
DueOpt = Annotated[str | None, typer.Option("--due", help=f"Due date: {DATE_HELP}.")]


def _given_path(value: str | Path, what: str) -> str:
    """A file or folder path given on the command line, checked before any work: one the
    operating system would refuse mid-command (empty, a NUL character, a name too long; see
    config.path_problem), or a folder where a file is wanted, is a usage error (exit 2)
    saying so, not a traceback. (Typer's own path type stats the value unguarded: a NUL
    character raised ValueError.)"""
    from casey_cli.config import path_problem

    text = str(value)
    problem = path_problem(text)
    if problem is None and what == "file" and os.path.isdir(os.path.expanduser(text)):
        problem = "is a folder"
    if problem:
        shown = repr(text[:80]) + ("..." if len(text) > 80 else "")
        raise typer.BadParameter(f"the {what} path {shown} {problem}; give a {what} path")
    return text


def file_path(value: str | Path) -> Path:
    """A file path (--output, `db backup`, `load`), checked as _given_path says."""
    return Path(_given_path(value, "file"))


def folder_path(value: str | Path) -> Path:
    """A folder path (`publish --output`), checked as _given_path says; `~` expanded."""
    return Path(_given_path(value, "folder")).expanduser()


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        parser=file_path,
        metavar="<file>",
        help="Write to this file (atomically) instead of standard output.",
    ),
]
AsAtOpt = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="Show the register as it stood at the end of this day, London time, "
        "rebuilt from the history (YYYY-MM-DD, DD/MM/YYYY, 'today', 'yesterday', -1w ...; "
        "not after today).",
    ),
]


def since_option(what: str, *, default: str = "") -> Any:
    """`--since` as every command that has one takes it: a date or a meeting ref (resolved by
    store.lookup.since), `what` saying what the day is to this command."""
    shown = f" Default: {default}." if default else ""
    return typer.Option("--since", metavar="<date|M5>", help=f"{what}: {SINCE_HELP}.{shown}")


def format_option(*offered: Format, help: str = "Output format.") -> Any:
    """`--format`/`-f` offering only these formats, in this order, as help, completion and
    errors list them; the option is typed `Format` (the one enum), its default given where
    the option is used. A value not offered is a usage error (exit 2) naming the ones that
    are, in the words Typer uses for a choice."""
    by_value = {f.value: f for f in offered}
    names = ", ".join(repr(name) for name in by_value)

    def parse(value: str | Format) -> Format:
        # A value from the command line, or the default (already a member): case-insensitive.
        text = value.value if isinstance(value, Format) else value
        found = by_value.get(text.casefold())
        if found is None:
            raise typer.BadParameter(f"{text!r} is not one of {names}.")
        return found

    def complete(incomplete: str) -> list[str]:
        return [name for name in by_value if name.startswith(incomplete.lower())]

    return typer.Option(
        "--format",
        "-f",
        parser=parse,
        autocompletion=complete,
        metavar=f"<{'|'.join(by_value)}>",
        help=help,
    )


AllOpt = Annotated[
    bool,
    typer.Option(
        "--all",
        help="Every row in the table, not only the first screenfuls (the other formats "
        "always have every row).",
    ),
]

# Formats offered by several commands (a command offering its own set declares it in place).
ReadFormatOpt = Annotated[
    Format, format_option(Format.TABLE, Format.JSON, Format.CSV, Format.MARKDOWN)
]
ShowFormatOpt = Annotated[Format, format_option(Format.TABLE, Format.JSON)]
WriteFormatOpt = Annotated[
    Format,
    format_option(Format.TEXT, Format.JSON, help="text: the ref only; json: the item object."),
]


RagOpt = Annotated[
    str | None,
    typer.Option(
        "--rag",
        help="The reporting officer's own RAG: red, amber, green, blue, grey, or none to "
        "clear it; needs --reason. Counts still follow the rule's RAG.",
        autocompletion=completion.rags,
    ),
]
UpdateTextArg = Annotated[
    str, typer.Argument(help="What was done: the progress update, as the committee reads it.")
]
PercentOpt = Annotated[
    int | None, typer.Option("--percent", help="Also set progress, 0-100, in the same change.")
]
