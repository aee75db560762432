"""The one place output is written: machine formats as plain text, people's through Rich."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casey_cli.enums import ReadFormat

if TYPE_CHECKING:
    from rich.console import RenderableType

    from casey_cli.schemas import Item, Row


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def check_output(path: Path | None) -> None:
    """Refuse an --output in a missing folder before any work (or store creation) starts."""
    if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
        from casey_cli.errors import InvalidInput

        raise InvalidInput(f"folder {path.parent} does not exist; create it or choose another "
                           "--output", field="--output")


def deliver(data: bytes | Iterable[bytes], path: Path | None, *, binary: bool = False) -> None:
    """Bytes for scripts (whole or streamed): atomically to --output, or to stdout (never
    binary to a terminal)."""
    if path is not None:
        from casey_cli.io.atomic import write_atomic

        size = write_atomic(path, data)
        info(f"Wrote {path} ({size:,} bytes).")
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


def info(message: str) -> None:
    """A hint or confirmation for people: stderr, so stdout stays the result. Plain text
    (as Rich printed it with markup, highlighting and emoji off), so a streamed export does
    not import Rich (~0.1 s) just to say where it wrote."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def emit_records(fmt: str, columns: Sequence[str], records: Sequence[dict[str, Any]],
                 table: Any, *, document: Any = None, markdown: Any = None) -> None:
    """Dispatch one list of records to the chosen format; `table` builds the Rich view. A
    result with more than its rows gives JSON its `document` and Markdown its `markdown()`
    (else the records themselves)."""
    from casey_cli.io import formats

    if fmt == ReadFormat.JSON.value:
        write(formats.to_json(list(records) if document is None else document))
    elif fmt == ReadFormat.CSV.value:
        write(formats.to_csv(columns, records))
    elif fmt == ReadFormat.MARKDOWN.value:
        write(markdown() if markdown else formats.to_markdown(columns, records))
    else:
        show(table())


def emit_items(fmt: str, items: Sequence[Item], title: str, empty: str) -> None:
    from casey_cli.schemas import ITEM_COLUMNS

    def table() -> RenderableType:
        from casey_cli.render.tables import section

        return section(items, title, empty)

    emit_records(fmt, ITEM_COLUMNS, [i.to_dict() for i in items], table)


def emit_rows(fmt: str, rows: Sequence[Row], columns: Sequence[str], title: str) -> None:
    def table() -> RenderableType:
        from casey_cli.render.tables import rows_table

        return rows_table(rows, title)

    emit_records(fmt, columns, [r.to_dict() for r in rows], table)
