"""The one place output is written: machine formats as plain text, people's through Rich."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casey_cli.enums import Format

if TYPE_CHECKING:
    import typer
    from rich.console import RenderableType


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def check_output(path: Path | None) -> None:
    """Refuse an --output in a missing folder before any work (or store creation) starts."""
    if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
        from casey_cli.errors import InvalidInput

        raise InvalidInput(
            f"folder {path.parent} does not exist; create it or choose another --output",
            field="--output",
        )


def deliver(data: bytes | Iterable[bytes], path: Path | None, *, binary: bool = False) -> None:
    """Bytes for scripts (whole or streamed): atomically to --output, or to stdout (never
    binary to a terminal)."""
    if path is not None:
        from casey_cli.atomic import write_atomic

        size = write_atomic(path, data)
        info(f"Wrote {printable(path)} ({size:,} bytes).")
        return
    if binary and sys.stdout.isatty():
        from casey_cli.errors import InvalidInput

        raise InvalidInput("this format is binary; give --output FILE")
    sys.stdout.flush()
    for chunk in [data] if isinstance(data, bytes) else data:
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


def show(renderable: RenderableType) -> None:
    from rich.console import Console

    Console().print(renderable)


def printable(name: str | Path) -> str:
    """A file name or URL as a message shows it: as it is, or quoted with escapes when it
    holds a line break, another control character or bytes of another encoding, so a
    notice stays on one line and writes nothing a terminal would act on."""
    text = str(name)
    return text if text.isprintable() else repr(text)


def info(message: str) -> None:
    """A hint or confirmation for people: stderr, so stdout stays the result. Plain text
    (as Rich printed it with markup, highlighting and emoji off), so a streamed export does
    not import Rich (~0.1 s) just to say where it wrote."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass(frozen=True)
class View:
    """What one result offers the formats, each part built only for the format chosen: its
    rows as records under `columns` (JSON, CSV, Markdown tables), a JSON `document` and
    `markdown` text for a result that is more than its rows, and the Rich `table` for
    people. cli/views.py builds one for each kind of result."""

    table: Callable[[], RenderableType]
    columns: Sequence[str] = ()
    records: Sequence[dict[str, Any]] = ()
    document: Callable[[], Any] | None = None
    markdown: Callable[[], str] | None = None


def emit(fmt: Format, view: View) -> None:
    """A result on stdout in the chosen format: machine formats as plain text (no Rich),
    the table through Rich."""
    if fmt is Format.TABLE:
        show(view.table())
        return
    from casey_cli.io import formats

    if fmt is Format.JSON:
        write(formats.to_json(view.document() if view.document else list(view.records)))
    elif fmt is Format.CSV:
        write(formats.to_csv(view.columns, view.records))
    elif fmt is Format.MARKDOWN:
        write(view.markdown() if view.markdown else formats.to_markdown(view.columns, view.records))
    else:
        raise ValueError(
            f"a result has no {fmt.value} output; offer only table, json, csv or markdown"
        )


def emit_written(fmt: Format, record: dict[str, Any], ref: str, message: str | None = None) -> None:
    """What a write made or changed: json prints its object; text prints `ref` on stdout
    (what a script keeps: the ref, or the lines that stand for it) and the message for
    people on stderr."""
    if fmt is Format.JSON:
        from casey_cli.io.formats import to_json

        write(to_json(record))
    elif fmt is Format.TEXT:
        write(ref + "\n")
        if message:
            info(message)
    else:
        raise ValueError(f"a write has no {fmt.value} output; offer only text or json")


# Rows of a long list (`action list`, `history`) a person sees unless they ask for --all:
# about two screens at 80 columns, and Rich lays out only these (30,000 rows took 49 s).
SCREENFUL = 50


def screenful(fmt: Format, every: bool) -> int | None:
    """How many rows a list shows: SCREENFUL in a person's table, else (--all, or a format
    for scripts) all of them (None)."""
    return SCREENFUL if for_people(fmt) and not every else None


def rerun(ctx: typer.Context, *extra: str) -> str:
    """The command line that ran `ctx` (its arguments and the options given on it, quoted
    for a shell) with `extra` after it: what to type to see the rest."""
    import shlex

    names: list[str] = []
    at: Any = ctx
    while at.parent is not None:  # the root's own name is how it was started: say casey
        names.insert(0, at.info_name or "")
        at = at.parent
    words = ["casey", *names]
    for param in ctx.command.params:
        name = param.name or ""
        source = ctx.get_parameter_source(name)
        value = ctx.params.get(name)
        if source is None or source.name != "COMMANDLINE" or value in (None, False, ()):
            continue
        values = list(value) if isinstance(value, list | tuple) else [value]
        for one in values:
            text = getattr(one, "value", one)
            if param.param_type_name == "argument":
                words.append(str(text))
            elif value is True:
                words.append(param.opts[0])
            else:
                words += [param.opts[0], str(text)]
    return shlex.join([*words, *extra])


def for_people(fmt: Format) -> bool:
    """Whether a person reads the output (a Rich table, cut to what a screen holds) rather
    than a script (everything, as plain text)."""
    return fmt is Format.TABLE


def progress_message(item: Any, changed: bool) -> str:
    """What `action progress` and `rec progress` say on stderr."""
    if changed:
        return f"Recorded an update on {item.ref} ({item.latest_update_on})."
    return (
        f"{item.ref} unchanged: its latest update already says that, on "
        f"{item.latest_update_on} (nothing recorded)."
    )


def update_message(ref: str, changed: bool) -> str:
    """What an update says on stderr: that it changed the item, or that nothing was recorded."""
    if changed:
        return f"Updated {ref}."
    return f"{ref} unchanged: it already has those values (nothing recorded)."
