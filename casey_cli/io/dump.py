"""The dump (docs/formats.md, "Dump"): the whole register as one JSON document, written and
read a row at a time, so neither end holds the register in memory.

    {"format": "casey-cli dump", "version": 7, "casey_cli": "0.6.0", "schema": "0011",
    "store_id": "3aef9a18...",
    "boroughs": [
    {"slug":"barking-and-dagenham","name":"Barking and Dagenham","gss":"E09000002",...},
    ...
    ],
    "sources": [ ... ], "recommendations": [ ... ], "meetings": [ ... ], "owners": [ ... ],
    "owner_aliases": [ ... ], "actions": [ ... ],
    "history": [ ... ],
    "chain_tip": "9c1f..."}

Each table is a list of objects, one a line, with every column of the table in the order
below. The reader takes any JSON layout with the keys in this order: `format` and `version`
first, so a newer dump is refused before anything is read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TextIO

from casey_cli.errors import InvalidInput

FORMAT = "casey-cli dump"
VERSION = 7  # the newest this code writes and reads; it reads every older one too

TEXT, INTEGER, DATE, TIMESTAMP = "text", "integer", "date", "timestamp"
# Every table of the store and its columns, parents before the rows that refer to them.
TABLES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("boroughs", (("slug", TEXT), ("name", TEXT), ("gss", TEXT), ("bcu", TEXT))),
    (
        "sources",
        (
            ("code", TEXT),
            ("title", TEXT),
            ("publisher", TEXT),
            ("published", DATE),
            ("url", TEXT),
            ("borough", TEXT),
            ("notes", TEXT),
            ("citation", TEXT),
            ("limits", TEXT),
        ),
    ),
    (
        "recommendations",
        (
            ("ref", TEXT),
            ("source", TEXT),
            ("number", INTEGER),
            ("title", TEXT),
            ("summary", TEXT),
            ("theme", TEXT),
            ("addressed_to", TEXT),
            ("response", TEXT),
            ("owner", TEXT),
            ("status", TEXT),
            ("due", DATE),
            ("original_due", DATE),
            ("slips", INTEGER),
            ("progress", INTEGER),
            ("completed", DATE),
            ("citation", TEXT),
            ("created", TIMESTAMP),
            ("updated", TIMESTAMP),
            ("latest_update", TEXT),
            ("latest_update_on", DATE),
            ("reported_rag", TEXT),
            ("tracker_ref", TEXT),
            ("due_text", TEXT),
            ("as_of", DATE),
        ),
    ),
    (
        "meetings",
        (("id", INTEGER), ("name", TEXT), ("date", DATE), ("borough", TEXT), ("citation", TEXT)),
    ),
    ("owners", (("id", INTEGER), ("name", TEXT), ("email", TEXT), ("organisation", TEXT))),
    ("owner_aliases", (("alias", TEXT), ("owner_id", INTEGER))),
    (
        "actions",
        (
            ("id", INTEGER),
            ("borough", TEXT),
            ("recommendation", TEXT),
            ("title", TEXT),
            ("owner", TEXT),
            ("status", TEXT),
            ("due", DATE),
            ("original_due", DATE),
            ("slips", INTEGER),
            ("progress", INTEGER),
            ("evidence", TEXT),
            ("citation", TEXT),
            ("created", TIMESTAMP),
            ("updated", TIMESTAMP),
            ("completed", DATE),
            ("assurance", TEXT),
            ("verified_by", TEXT),
            ("verified_on", DATE),
            ("verification_evidence", TEXT),
            ("latest_update", TEXT),
            ("latest_update_on", DATE),
            ("reported_rag", TEXT),
            ("tracker_ref", TEXT),
            ("due_text", TEXT),
            ("as_of", DATE),
        ),
    ),
    (
        "history",
        (
            ("id", INTEGER),
            ("at", TIMESTAMP),
            ("by", TEXT),
            ("kind", TEXT),
            ("ref", TEXT),
            ("borough", TEXT),
            ("field", TEXT),
            ("old", TEXT),
            ("new", TEXT),
            ("note", TEXT),
            ("meeting_id", INTEGER),
            ("prev_hash", TEXT),
            ("hash", TEXT),
            ("state", TEXT),
            ("account", TEXT),
        ),
    ),
)
COLUMNS = {table: tuple(name for name, _ in columns) for table, columns in TABLES}
# The dump version each column joined in (every other column has been there since 1): an
# older dump's rows have no such field, and read as null there.
SINCE = {
    ("history", "account"): 2,
    **{
        (table, name): 3
        for table in ("recommendations", "actions")
        for name in ("latest_update", "latest_update_on", "reported_rag")
    },
    **{
        (table, name): 4
        for table in ("recommendations", "actions")
        for name in ("tracker_ref", "due_text")
    },
    ("sources", "limits"): 7,
    ("recommendations", "as_of"): 7,
    ("actions", "as_of"): 7,
}
# The dump version each table joined in (every other table has been there since 1): an
# older dump has no such list, and restores with the table empty.
TABLE_SINCE = {"owners": 6, "owner_aliases": 6}
# The key of each table, the order its rows are written in.
KEYS = {
    "boroughs": "slug",
    "sources": "code",
    "recommendations": "ref",
    "meetings": "id",
    "owners": "id",
    "owner_aliases": "alias",
    "actions": "id",
    "history": "id",
}

# --- writing ------------------------------------------------------------------------------

_STR: Any = json.encoder.encode_basestring
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def timestamp(value: Any) -> str:
    """A stored time as the dump writes it: ISO 8601 in UTC with a Z, to the second, or to
    the microsecond when the store kept one (so a restore gives back the same value)."""
    if isinstance(value, str):  # SQLite: '2026-11-23 11:12:08.000000', UTC
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            fraction = value[20:]
            return f"{value[:10]}T{value[11:19]}{'' if fraction == '000000' else '.' + fraction}Z"
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(value)
    moment = value.astimezone(UTC) if value.tzinfo else value
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}{f'.{moment.microsecond:06d}' if moment.microsecond else ''}Z"


def _text(value: Any) -> str:
    return "null" if value is None else _STR(value) if type(value) is str else _ENCODE(value)


def _integer(value: Any) -> str:
    return "null" if value is None else str(value) if type(value) is int else _ENCODE(value)


def _date(value: Any) -> str:
    if value is None:
        return "null"
    text: str = _STR(value if isinstance(value, str) else value.isoformat())
    return text


def _timestamp(value: Any) -> str:
    return "null" if value is None else '"' + timestamp(value) + '"'


_WRITERS = {TEXT: _text, INTEGER: _integer, DATE: _date, TIMESTAMP: _timestamp}


def row_writer(table: str) -> Any:
    """A function from a row (values in COLUMNS[table] order, as the store gives them) to
    its line of the dump: compact JSON, UTF-8 unescaped."""
    columns = dict(TABLES)[table]
    keys = [("{" if n == 0 else ",") + _STR(name) + ":" for n, (name, _) in enumerate(columns)]
    writers = [_WRITERS[kind] for _, kind in columns]
    pairs = list(zip(keys, writers, strict=True))

    def line(row: Sequence[Any]) -> str:
        return (
            "".join([key + write(value) for (key, write), value in zip(pairs, row, strict=True)])
            + "}"
        )

    return line


def head(meta: dict[str, Any]) -> str:
    """The document up to its first table: format, version, then what wrote it."""
    fields = {"format": FORMAT, "version": VERSION, **meta}
    return "{" + ", ".join(f"{_STR(k)}: {json.dumps(v)}" for k, v in fields.items()) + ","


def table(name: str, lines: Iterable[str], batch: int = 2000) -> Iterator[str]:
    """One table's key and rows, a row a line, in text chunks of `batch` rows."""
    yield f"\n{_STR(name)}: ["
    chunk: list[str] = []
    separator = "\n"
    for line in lines:
        chunk.append(separator + line)
        separator = ",\n"
        if len(chunk) >= batch:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "\n],"


def tail(chain_tip: str | None) -> str:
    return f"\n{_STR('chain_tip')}: {json.dumps(chain_tip)}}}\n"


# --- reading ------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODE = json.JSONDecoder().raw_decode
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z")
CHUNK = 1 << 20
LONGEST_VALUE = 64 << 20  # a row longer than this is not a dump's


class _Stream:
    """JSON text read a chunk at a time and parsed a value at a time (json's raw_decode), so a
    dump of any size is read in little memory."""

    def __init__(self, handle: TextIO, name: str) -> None:
        self.handle, self.name = handle, name
        self.buf, self.pos, self.eof, self.lines = "", 0, False, 0

    def fail(self, message: str) -> InvalidInput:
        line = self.lines + self.buf.count("\n", 0, self.pos) + 1
        return InvalidInput(f"{message}; nothing was restored", file=self.name, line=line)

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.handle.read(CHUNK)
        except UnicodeDecodeError:
            raise self.fail("not UTF-8 text") from None
        if not chunk:
            self.eof = True
            return False
        self.lines += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            match = _SPACE.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def take(self, char: str, what: str) -> None:
        if self.peek() != char:
            found = self.peek()
            raise self.fail(f"expected {what}, found {repr(found) if found else 'the end'}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODE(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos < LONGEST_VALUE and self._more():
                    continue
                raise self.fail(f"not JSON ({exc.msg})") from None
            if end == len(self.buf) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


class Reader:
    """A dump read in order: the head when made (format and version checked), then each table's
    rows (`tables`), then `chain_tip`. Rows come as tuples in COLUMNS order, dates as dates
    and times as their checked text; a row of the wrong shape or type is refused, naming its
    line."""

    def __init__(self, handle: TextIO, name: str) -> None:
        self.stream = _Stream(handle, name)
        self.name = name
        self.meta: dict[str, Any] = {}
        self.chain_tip: str | None = None
        stream = self.stream
        if stream.peek() != "{":
            raise stream.fail(f"not a {FORMAT} (it is not a JSON object)")
        stream.pos += 1
        for key in ("format", "version"):
            if self._key() != key:
                raise stream.fail(f'not a {FORMAT} (it does not start with "format", "version")')
            self.meta[key] = stream.value()
            stream.take(",", "','")
        if self.meta["format"] != FORMAT:
            raise stream.fail(f"not a {FORMAT} (its format is {json.dumps(self.meta['format'])})")
        version = self.meta["version"]
        self.version = version
        if type(version) is not int or version < 1:
            raise stream.fail(f"version {json.dumps(version)} is not a dump version")
        if version > VERSION:
            raise stream.fail(
                f"dump version {version} was written by a newer casey-cli (this one reads up "
                f"to {VERSION}); upgrade casey-cli (pip install -U casey-cli)"
            )
        self._next = self._key()
        while self._next not in COLUMNS:
            if self._next not in ("casey_cli", "schema", "store_id"):
                raise stream.fail(f"unknown key {json.dumps(self._next)} before the tables")
            self.meta[self._next] = stream.value()
            stream.take(",", "','")
            self._next = self._key()

    def _key(self) -> str:
        stream = self.stream
        if stream.peek() != '"':
            raise stream.fail("expected a key")
        key = stream.value()
        stream.take(":", "':'")
        return str(key)

    def tables(self) -> Iterator[tuple[str, Iterator[tuple[Any, ...]]]]:
        """Each table in TABLES order with its rows; read each table's rows before the next."""
        stream = self.stream
        for name, columns in TABLES:
            if TABLE_SINCE.get(name, 1) > self.version:
                yield name, iter(())  # a table newer than the dump: restored empty
                continue
            if self._next != name:
                raise stream.fail(f'expected "{name}" here, found {json.dumps(self._next)}')
            rows = self._rows(name, columns)
            yield name, rows
            for _ in rows:  # whatever the caller left unread
                pass
            stream.take(",", "','")
            self._next = self._key()
        if self._next != "chain_tip":
            raise stream.fail(f'expected "chain_tip" after the history, found "{self._next}"')
        tip = stream.value()
        if tip is not None and not isinstance(tip, str):
            raise stream.fail("chain_tip is not text")
        self.chain_tip = tip
        stream.take("}", "'}' after chain_tip")
        if stream.peek():
            raise stream.fail("text after the end of the dump")

    def _rows(self, table: str, columns: tuple[tuple[str, str], ...]) -> Iterator[tuple[Any, ...]]:
        stream = self.stream
        stream.take("[", f"the list of {table}")
        if stream.peek() == "]":
            stream.pos += 1
            return
        full = len(columns)
        # The columns this dump's version has; the rest (newer) are null in every row.
        present = [
            n for n, (name, _) in enumerate(columns) if SINCE.get((table, name), 1) <= self.version
        ]
        columns = tuple(columns[n] for n in present)
        older = len(columns) < full
        names = [name for name, _ in columns]
        text = [n for n, (_, kind) in enumerate(columns) if kind == TEXT]
        others = [(n, _READERS[kind]) for n, (_, kind) in enumerate(columns) if kind != TEXT]
        while True:
            row = stream.value()
            if type(row) is not dict or list(row) != names:
                raise stream.fail(self._shape(table, row, names))
            values = list(row.values())
            for n in text:  # most columns: checked inline, a call for each costs twice as much
                value = values[n]
                if value is not None and type(value) is not str:
                    raise stream.fail(f"a row of {table}: {names[n]}: {_quoted(value)} is not text")
            try:
                for n, read in others:
                    values[n] = read(values[n])
            except (TypeError, ValueError) as exc:
                raise stream.fail(f"a row of {table}: {names[n]}: {exc}") from None
            if older:
                padded: list[Any] = [None] * full
                for n, value in zip(present, values, strict=True):
                    padded[n] = value
                values = padded
            yield tuple(values)
            if stream.peek() == ",":
                stream.pos += 1
                continue
            stream.take("]", f"',' or ']' in the list of {table}")
            return

    @staticmethod
    def _shape(table: str, row: Any, names: list[str]) -> str:
        if not isinstance(row, dict):
            return f"a row of {table} is not an object"
        missing = [n for n in names if n not in row]
        unknown = [k for k in row if k not in names]
        if missing:
            return f"a row of {table} has no {json.dumps(missing[0])}"
        if unknown:
            return f"a row of {table} has an unknown field {json.dumps(unknown[0])}"
        return f"a row of {table} has its fields out of order ({', '.join(names)})"


def _quoted(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _read_integer(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    raise TypeError(f"{_quoted(value)} is not a whole number")


def _read_date(value: Any) -> date | None:
    if value is None:
        return None
    if type(value) is str and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    raise ValueError(f"{_quoted(value)} is not a date (YYYY-MM-DD)")


def _read_timestamp(value: Any) -> str | None:
    """A time stays text ('2026-11-23T11:12:08Z', UTC): the store keeps it as text on
    SQLite (stored_stamp) and the hash covers it to the second; checked to be a real time."""
    if value is None:
        return None
    if type(value) is str and _STAMP.fullmatch(value):
        datetime.fromisoformat(value)  # a real day and time, or ValueError
        return value
    raise ValueError(f"{_quoted(value)} is not a time (YYYY-MM-DDTHH:MM:SSZ)")


_READERS = {INTEGER: _read_integer, DATE: _read_date, TIMESTAMP: _read_timestamp}
