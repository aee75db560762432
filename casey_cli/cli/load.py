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
    from rich.console import Group

    from casey_cli.io.register import PreviewRow
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
            help="YAML register files, CSV / JSON / XLSX files of item objects, or a "
            "council's tracker as a CSV, XLSX or Word (.docx) file.",
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
            help="Read only this sheet of an XLSX file. Default: every sheet with a header "
            "row (casey's columns or a tracker's, within its first 10 rows).",
        ),
    ] = None,
    column_map: Annotated[
        str | None,
        typer.Option(
            "--map",
            metavar="<Heading=field,...>",
            help="Read a tracker's columns as these fields, beyond the headings casey knows "
            '(docs/tracker.md): "Date=due,Cabinet Member=owner"; =ignore leaves one out.',
        ),
    ] = None,
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map-file",
            metavar="<file>",
            parser=Path,  # not Typer's path type, which stats a NUL unguarded
            help="A YAML file of `columns:` (Heading: field) and `statuses:` (Word: status) "
            "to read a tracker with, kept beside it for every load.",
        ),
    ] = None,
    map_status: Annotated[
        str | None,
        typer.Option(
            "--map-status",
            metavar="<Word=status,...>",
            help='Read these status words too: "Green=complete,Amber=in-progress".',
        ),
    ] = None,
    borough: Annotated[
        str | None,
        typer.Option(
            "--borough",
            metavar="<slug>",
            help="The borough of every row that does not give one (a borough's tracker).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="<code>",
            help="Load the rows as recommendations of this source (a scrutiny review's "
            "tracker), matched by their reference or title.",
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
    from casey_cli.io.register import ReadOptions, borough_slug
    from casey_cli.services import load as loader

    app = app_context(ctx)
    mapping, statuses = _maps(column_map, map_file, map_status)
    options = ReadOptions(
        encoding=encoding,
        sheet=sheet,
        mapping=mapping,
        statuses=statuses,
        borough=borough_slug(borough) if borough else None,
        source=source.strip().lower() if source else None,
        preview=[] if dry_run and fmt is Format.TEXT else None,
    )
    with _progress() as advance, app.store().write(dry_run=dry_run) as tx:
        result, outcomes = loader.load_files(
            tx, app.run_context(by), files, advance, options, listed=dry_run or fmt is Format.JSON
        )
    if options.preview:
        output.show(_preview(options.preview, outcomes, result.counts()))
    for hint in result.hints:  # owners not in the directory but close to one
        output.info(hint)
    if not dry_run and fmt is Format.TEXT:
        for line in result.left_out:  # a column not read: say so, as the dry run did
            output.info(line)
    output.emit_written(
        fmt,
        {"dry_run": dry_run, **result.to_dict()},
        _summary(result, dry_run),
        "Dry run: nothing was written." if dry_run else None,
    )


def _maps(
    column_map: str | None, map_file: Path | None, map_status: str | None
) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """The headings (heading key -> field) and status words (word key -> status) to read
    with: a map file's, then the options' over them."""
    from casey_cli.errors import InvalidInput
    from casey_cli.io.headings import read_map
    from casey_cli.rules import normalise_status

    columns: dict[str, str] = {}
    statuses: dict[str, str] = {}
    if map_file is not None:
        columns, statuses = _read_map_file(map_file)
    if column_map:
        columns.update(read_map(column_map))
    if map_status:
        for key, status in read_map(map_status, "--map-status").items():
            try:
                statuses[key] = normalise_status(status.replace("_", "-"))
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field="--map-status") from None
    return columns or None, statuses or None


def _read_map_file(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    from casey_cli.config import path_problem
    from casey_cli.errors import InvalidInput
    from casey_cli.io.headings import IGNORE, heading_key
    from casey_cli.io.yamlfile import read_yaml
    from casey_cli.rules import normalise_status

    problem = path_problem(str(path))
    if problem:
        raise InvalidInput(f"this path {problem}; check the path", field="--map-file")
    if not path.is_file():
        raise InvalidInput("file not found; check the path", file=str(path))
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not set(doc) <= {"columns", "statuses"}:
        raise InvalidInput(
            "a map file is a YAML mapping of `columns:` (Heading: field) and `statuses:` "
            "(Word: status), for example columns: {Date: ignore}",
            file=str(path),
        )
    columns: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for key, into in (("columns", columns), ("statuses", statuses)):
        section = doc.get(key) or {}
        if not isinstance(section, dict):
            raise InvalidInput(f"'{key}' must be a mapping of Heading: field", file=str(path))
        for heading, name in section.items():
            value = str(name or "").strip().lower().replace("-", "_") or IGNORE
            if key == "statuses":
                try:
                    value = normalise_status(value.replace("_", "-"))
                except InvalidInput as exc:
                    raise InvalidInput(exc.message, file=str(path), field=str(heading)) from None
            into[heading_key(str(heading))] = value
    return columns, statuses


def _preview(
    rows: "list[PreviewRow]", outcomes: dict[tuple[str, int], str], counts: dict[str, int]
) -> "Group":
    """The dry run's table: what each row becomes (up to the first PREVIEW_ROWS), with the
    words a due date or status was read from when they are not the value itself."""
    import re

    from rich.console import Group
    from rich.text import Text

    from casey_cli.io.headings import heading_key
    from casey_cli.render.common import FitTable

    def given(row: "PreviewRow", *names: str) -> str:
        for name in names:
            value = row.given.get(name)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    extra = [
        header
        for header, names in (("RAG", ("reported_rag",)), ("Update", ("update", "status_update")))
        if any(row.read.get(n) for row in rows for n in names)
    ]
    several = len({row.where for row in rows}) > 1  # sheets or tables: name them
    # With several sheets the row's place says which sheet: keep it over the update.
    table = FitTable(droppable=("Update", "Row") if several else ("Row", "Update"))
    for header in ("Row", "Item", "Title", "Owner", "Due", "Status", *extra):
        table.add_column(
            header,
            no_wrap=header in ("Row", "Item", "RAG"),
            min_width={"Title": 16, "Due": 10, "Status": 11, "Owner": 10}.get(header),
            ratio={"Title": 3, "Owner": 1, "Update": 2}.get(header),
        )
    for row in rows:
        read = row.read
        due = read.get("due")
        due_cell = str(due) if due is not None else (read.get("due_text") or "")
        said = given(row, "revised_due", "due")
        # How a period or words were read ('from Q2 2026/27'); not for a date in figures.
        if due is not None and said and not re.fullmatch(r"[0-9]+([/.-])[0-9]+\1[0-9]+", said):
            due_cell += f"\nfrom {_clip(said, 24)}"
        becomes = outcomes.get((row.where, row.line), "new")
        status = read.get("status") or ("not-started" if becomes.endswith("(new)") else "")
        word = given(row, "status")
        if read.get("status_update"):
            word = word[: len(word) - len(read["status_update"])].rstrip(" .,;:-")
        if word and heading_key(word) != heading_key(status):
            status += f"\nfrom {_clip(word, 24)}"
        cells = [
            f"{_part(row.where) if several else ''}{row.line}",
            becomes.replace(" (new)", " new"),
            read.get("title") or "",
            read.get("owner") or "",
            due_cell,
            status,
        ]
        if "RAG" in extra:
            cells.append(read.get("reported_rag") or "")
        if "Update" in extra:
            cells.append(_clip(read.get("update") or read.get("status_update") or "", 60))
        table.add_row(*cells)
    total = sum(counts.values())
    if total > len(rows):
        return Group(table, Text(f"(the first {len(rows)} rows of {total})"))
    return Group(table)


def _part(where: str) -> str:
    """A sheet's or a Word table's name before a row number ('Actions:4'); none for a CSV."""
    name = where.rpartition(":")[2] if ":" in where else ""
    return f"{name}:" if name and not name.endswith((".csv", ".json")) else ""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
