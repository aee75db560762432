"""`casey load`: bulk entry from YAML registers or CSV / JSON / XLSX item files."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casey_cli.cli import output
from casey_cli.cli.context import app_context
from casey_cli.cli.errors import errors_as_one_line
from casey_cli.cli.options import ByOpt, format_option
from casey_cli.enums import Format

if TYPE_CHECKING:
    from casey_cli.schemas import LoadResult


def _encoding(value: str) -> str:
    """An encoding Python knows, by any of its names; another is a usage error (exit 2)."""
    import codecs

    try:
        b"a".decode(value, "replace")  # refuses a codec that is not a text encoding (base64)
        return codecs.lookup(value).name
    except LookupError:
        raise typer.BadParameter(
            f"unknown encoding {value!r}; give one such as utf-8 or cp1252 (Windows-1252)"
        ) from None


@errors_as_one_line
def load(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="YAML register files, or CSV / JSON / XLSX files of item objects.",
            show_default=False,
            # Not Typer's path type, which stats the value unguarded (a NUL character raised
            # ValueError): the loader checks each path and names it in its error.
            parser=Path,
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show what would be created, updated or left unchanged; write nothing.",
        ),
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            parser=_encoding,
            metavar="<name>",
            help="A CSV file's text encoding (utf-8, cp1252 ...). Default: UTF-8 when the "
            "file is valid UTF-8 (with or without a byte-order mark), else Windows-1252.",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar="<name>",
            help="Read only this sheet of an XLSX file. Default: every sheet whose first "
            "row is item columns.",
        ),
    ] = None,
    by: ByOpt = None,
    fmt: Annotated[
        Format,
        format_option(
            Format.TEXT,
            Format.JSON,
            help="text: what a dry run would create, update or leave unchanged, then the "
            "counts; json: one object with dry_run, the counts (created, updated, unchanged) "
            "and items (each with action, kind, key and changed fields).",
        ),
    ] = Format.TEXT,
) -> None:
    """Load files into the register in one transaction: all of them or nothing.

    Example: casey load minutes-2026-11-19.yaml --dry-run
    """
    from casey_cli.services import load as loader

    app = app_context(ctx)
    with _progress() as advance, app.store().write(dry_run=dry_run) as tx:
        result = loader.load_files(
            tx, app.run_context(by), files, advance, encoding=encoding, sheet=sheet
        )
    output.emit_written(
        fmt,
        {"dry_run": dry_run, **result.to_dict()},
        _summary(result, dry_run),
        "Dry run: nothing was written." if dry_run else None,
    )


def _summary(result: "LoadResult", dry_run: bool) -> str:
    """What a load did, for text: each record's fate on a dry run, then the counts."""
    lines = []
    if dry_run:
        lines = list(result.notes)
        lines += [f"would create {kind} {key}" for kind, key in result.created]
        lines += [
            f"would update {kind} {key}: {', '.join(result.changed_fields[key])}"
            for kind, key in result.updated
        ]
        lines += [f"unchanged {kind} {key}" for kind, key in result.unchanged]
    counts, verb = result.counts(), "would be " if dry_run else ""
    lines.append(
        f"{counts['created']} {verb}created, {counts['updated']} {verb}updated, "
        f"{counts['unchanged']} unchanged"
    )
    return "\n".join(lines)


class _progress:
    """A progress bar on stderr for large loads, only when stderr is a terminal."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("Loading"),
                BarColumn(),
                TextColumn("{task.completed} items"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("Loading", total=None)
        return self.advance

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
