"""Register files (docs/formats.md) read and checked before anything touches the store: a
YAML register, or CSV / JSON / XLSX rows of item objects, each error naming its file, line and
field. Pure: no store here (services.load applies what this returns)."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from casey_cli import rules
from casey_cli.dates import DATE_HELP, RelativeDate, TrackerDate, parse_file_date, tracker_date
from casey_cli.errors import InvalidInput, ManyProblems, did_you_mean
from casey_cli.io.headings import HeaderMap, holds_casey_refs
from casey_cli.io.yamlfile import LineDict, read_yaml
from casey_cli.owners import owner_key
from casey_cli.refs import is_rec_ref, parse_action_id
from casey_cli.text import clean_text


@dataclass
class Where:
    file: str
    node: LineDict | None
    # The file's own heading for each field (a tracker's 'Target date' for due).
    headings: dict[str, str] | None = None

    def fail(self, field: str | None, message: str) -> InvalidInput:
        line = None
        if self.node is not None:
            line = self.node.key_lines.get(field, self.node.line) if field else self.node.line
        shown = self.headings.get(field, field) if self.headings and field else field
        return InvalidInput(message, file=self.file, line=line, field=shown)


def _text(value: Any, where: Where, name: str, today: date) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise where.fail(name, f"expected text, got {type(value).__name__}")
    try:
        return clean_text(str(value), name) or ""
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _int(value: Any, where: Where, name: str, today: date) -> int:
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(value.strip())  # CSV cells are text
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 10**9:
        shown = value if isinstance(value, (int, float)) else type(value).__name__
        if isinstance(value, str):
            shown = repr(value[:20] + ("..." if len(value) > 20 else ""))
        raise where.fail(name, f"expected a whole number, got {shown}")
    return value


def _count(value: Any, where: Where, name: str, today: date) -> int:
    number = _int(value, where, name, today)
    if number < 0:
        raise where.fail(name, f"{name} cannot be negative")
    return number


def _date(value: Any, where: Where, name: str, today: date) -> date:
    if not isinstance(value, str) or len(value) > 40:
        # Only text is a date; str() of a list could be huge (a YAML alias bomb).
        got = "a long text" if isinstance(value, str) else type(value).__name__
        raise where.fail(name, f"expected a date ({DATE_HELP}), got {got}")
    try:
        return parse_file_date(value, today, field=name)
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _due(value: Any, where: Where, name: str, today: date) -> date | TrackerDate:
    """A due date, or a tracker's words in its place ('TBC', 'Ongoing', 'Completed'): a
    TrackerDate that _record_fields turns into no due date and, for a status word, the
    status (docs/formats.md#words-in-a-date-column; the words themselves are not kept yet)."""
    if not isinstance(value, str):
        return _date(value, where, name, today)
    try:
        read = tracker_date(value, today, field=name)
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None
    return read.day if read.day is not None else read


@dataclass(frozen=True)
class StatusRead:
    """A status cell that is a status word and prose after it ('Completed. The meeting took
    place on 10 February 2021.'): the status, and the prose, which is a progress update."""

    status: str
    update: str


def _status(value: Any, where: Where, name: str, today: date) -> str | StatusRead:
    text = _text(value, where, name, today)
    try:
        return rules.normalise_status(text)
    except InvalidInput as exc:
        status, rest = rules.read_status(text)
        if status is None or not rest:
            raise where.fail(name, exc.message) from None
        return StatusRead(status, rest)


def status_parser(words: dict[str, str]) -> Parser:
    """_status with a file's own status words first (`--map-status "Word=status"`)."""
    from casey_cli.io.headings import heading_key

    def parse(value: Any, where: Where, name: str, today: date) -> str | StatusRead:
        if isinstance(value, str):
            status = words.get(heading_key(value))
            if status is not None:
                return status
        return _status(value, where, name, today)

    return parse


def _aliases(value: Any, where: Where, name: str, today: date) -> list[str]:
    """An owner's aliases: a list of names, each with a letter or digit."""
    if not isinstance(value, list):
        raise where.fail(name, "'aliases' must be a list of names, e.g. [CN BCU, Central North]")
    aliases = []
    for one in value:
        text = _text(one, where, name, today) if one is not None else ""
        if not owner_key(text):
            raise where.fail(
                name, "an alias is empty (no letters or digits); give a name or leave it out"
            )
        aliases.append(text)
    return aliases


def _updates(value: Any, where: Where, name: str, today: date) -> list[tuple[date, str]]:
    """An item's progress updates, each a mapping of its `date` and `text`, oldest first
    as recorded (a date after today is refused: an update is recorded once given)."""
    shape = "a list of updates, each with a date and a text, e.g. [{date: 2024-09-26, text: ...}]"
    if not isinstance(value, list):
        raise where.fail(name, f"'updates' must be {shape}")
    updates = []
    for one in value:
        if not isinstance(one, dict) or set(one) != {"date", "text"}:
            raise where.fail(name, f"each of 'updates' must have a date and a text only: {shape}")
        day = _date(one["date"], where, name, today)
        if day > today:
            raise where.fail(name, f"the update of {day.isoformat()} is after today")
        text = _text(one["text"], where, name, today)
        if not text:
            raise where.fail(name, "an update's text is empty; give what was done")
        updates.append((day, text))
    return sorted(updates, key=lambda update: update[0])


def _rag(value: Any, where: Where, name: str, today: date) -> str:
    """A tracker's RAG (Red, R, amber ...): the officer's RAG beside the rule's."""
    try:
        return rules.read_rag(_text(value, where, name, today))
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _response(value: Any, where: Where, name: str, today: date) -> str:
    try:
        return rules.normalise_response(_text(value, where, name, today))
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _progress(value: Any, where: Where, name: str, today: date) -> int:
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]  # '50%', as a tracker's % complete column writes it
    number = _int(value, where, name, today)
    try:
        rules.check_progress(number)
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None
    return number


def _slug(value: Any, where: Where, name: str, today: date) -> str:
    return _text(value, where, name, today).lower()


def borough_slug(text: str) -> str:
    """A borough as a tracker names it ('Kensington and Chelsea', 'Hammersmith & Fulham')
    as its slug (`kensington-and-chelsea`); a slug is itself."""
    return re.sub(r"[^0-9a-z]+", "-", text.lower().replace("&", " and ")).strip("-")


def _borough(value: Any, where: Where, name: str, today: date) -> str:
    return borough_slug(_text(value, where, name, today))


Parser = Callable[[Any, Where, str, date], Any]


class FieldSpecs(dict[str, tuple[Parser, bool]]):
    """A record kind's fields (name -> (parser, required)), with the required names worked
    out once rather than on every row of a large file."""

    def __init__(self, specs: dict[str, tuple[Parser, bool]]) -> None:
        super().__init__(specs)
        self.required = tuple(name for name, (_, required) in specs.items() if required)


BOROUGH_FIELDS = FieldSpecs(
    {
        "slug": (_slug, True),
        "name": (_text, True),
        "gss": (_text, False),
        "bcu": (_text, False),
    }
)
SOURCE_FIELDS = FieldSpecs(
    {
        "code": (_slug, True),
        "title": (_text, True),
        "publisher": (_text, False),
        "published": (_date, False),
        "url": (_text, False),
        "borough": (_borough, False),
        "notes": (_text, False),
        "citation": (_text, False),
        "limits": (_text, False),
        "recommendations": (lambda v, *_: v, False),  # checked item by item below
    }
)
REC_FIELDS = FieldSpecs(
    {
        "number": (_int, True),
        "title": (_text, True),
        "summary": (_text, False),
        "theme": (_slug, False),
        "addressed_to": (_text, False),
        "response": (_response, False),
        "owner": (_text, False),
        "due": (_due, False),
        "original_due": (_date, False),
        "status": (_status, False),
        "completed": (_date, False),
        "progress": (_progress, False),
        "slips": (_count, False),
        "citation": (_text, False),
        "reason": (_text, False),
        "as_of": (_date, False),
        "updates": (_updates, False),
    }
)
MEETING_FIELDS = FieldSpecs(
    {
        "name": (_text, True),
        "date": (_date, True),
        "borough": (_borough, False),
        "citation": (_text, False),
    }
)
OWNER_FIELDS = FieldSpecs(
    {
        "name": (_text, True),
        "email": (_text, False),
        "organisation": (_text, False),
        "aliases": (_aliases, False),
    }
)
ACTION_FIELDS = FieldSpecs(
    {
        "ref": (_text, False),
        "borough": (_borough, True),
        "title": (_text, True),
        "owner": (_text, False),
        "status": (_status, False),
        "due": (_due, False),
        "original_due": (_date, False),
        "recommendation": (_slug, False),
        "progress": (_progress, False),
        "evidence": (_text, False),
        "note": (_text, False),
        "citation": (_text, False),
        "completed": (_date, False),
        "meeting": (_text, False),
        "slips": (_count, False),
        "reason": (_text, False),
        "as_of": (_date, False),
        "updates": (_updates, False),
    }
)
# The item object (docs/formats.md) as a load format: derived columns are read and ignored,
# `assurance` must match the store (it changes only through `casey action verify`); then
# `reason`, not an item field: why the row moves a due date (services/load.py).
ITEM_ROW_FIELDS = FieldSpecs(
    {
        "ref": (_text, False),
        "kind": (_slug, False),
        "borough": (_borough, False),
        "source": (_slug, False),
        "recommendation": (_slug, False),
        "title": (_text, True),
        "owner": (_text, False),
        "status": (_status, False),
        "due": (_due, False),
        "original_due": (_date, False),
        "days_overdue": (lambda v, *_: v, False),
        "rag": (lambda v, *_: v, False),
        "progress": (_progress, False),
        "slips": (_count, False),
        "assurance": (_slug, False),
        "created": (lambda v, *_: v, False),
        "updated": (lambda v, *_: v, False),
        "completed": (_date, False),
        "verification": (lambda v, *_: v, False),
        "latest_update": (_text, False),
        "latest_update_on": (lambda v, *_: v, False),
        "reported_rag": (_rag, False),
        "tracker_ref": (_text, False),
        "due_text": (_text, False),
        "as_of": (lambda v, *_: v, False),
        "reason": (_text, False),
        # A tracker's columns beyond the item object's (io/headings.py); a response is a
        # recommendation's (an action row leaves it out).
        "response": (_response, False),
        "revised_due": (_due, False),
        "update": (_text, False),
    }
)
# Read and ignored: worked out by casey, or (the update's date) recorded as the load's day;
# `as_of` is a register's date, which an exported row only repeats (an edited row is news).
DERIVED = (
    "kind",
    "source",
    "days_overdue",
    "rag",
    "created",
    "updated",
    "verification",
    "latest_update_on",
    "as_of",
)
# Given empty, these are not given: a load never clears an update or the officer's RAG.
NOT_CLEARED = frozenset({"slips", "update", "latest_update", "reported_rag", "revised_due"})
TOP_FIELDS = ("version", "owners", "sources", "boroughs", "meetings", "actions")


_BLANK = object()  # a field given empty


def _field(parser: Parser, value: Any, where: Where, key: str, today: date) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _BLANK
    return parser(value, where, key, today)


def _record_fields(
    node: Any,
    fields: FieldSpecs,
    where: Where,
    what: str,
    today: date,
    memo: dict[Any, Any] | None = None,
    problems: Problems | None = None,
) -> dict[str, Any]:
    """Check and convert one record's fields. `memo` (one per file) keeps the value each
    text cell parsed to, by field then text: a large load repeats the same boroughs,
    statuses, owners and dates thousands of times, and parsing is a pure function of them
    (errors are never kept, so each bad cell is reported where it is). With `problems`,
    every bad cell of the record is added there and RowSkipped raised after them."""
    if not isinstance(node, LineDict):
        raise where.fail(None, f"each {what} must be a mapping of field: value")
    where = Where(where.file, node, where.headings)
    out: dict[str, Any] = {}
    failed: set[str] = set()
    for key, value in node.items():
        spec = fields.get(key)
        if spec is None:
            raise where.fail(
                key,
                f"unknown field '{key}' for {what}s"
                f"{did_you_mean(key, list(fields))}; "
                f"allowed: {', '.join(fields)}",
            )
        try:
            if memo is not None and type(value) is str:
                known = memo.get(key)
                if known is None:
                    known = memo[key] = {}
                parsed = known.get(value, _MISSING)
                if parsed is _MISSING:
                    parsed = _field(spec[0], value, where, key, today)
                    if len(known) < MEMO_VALUES:  # titles are all different: keep a few
                        known[value] = parsed
            else:
                parsed = _field(spec[0], value, where, key, today)
        except InvalidInput as exc:
            if problems is None:
                raise
            problems.add(exc)
            failed.add(key)
            continue
        if parsed is _BLANK:
            if key not in NOT_CLEARED:  # blank means not given
                out[key] = None  # present but empty: clears the field on update
            continue
        out[key] = parsed
    if failed:
        raise RowSkipped(out, failed)
    status = out.get("status")
    if isinstance(status, StatusRead):
        out["status"], out["status_update"] = status.status, status.update
    revised = out.pop("revised_due", None)
    if isinstance(revised, TrackerDate):
        revised = None  # words in a revised-date column ('-', 'N/A'): no revision
    if revised is not None:
        # A revised date is the due date now; the tracker's first date is the original.
        target = out.get("due")
        out["due"], out["revised"] = revised, True
        if isinstance(target, date) and target != revised:
            out["original_due"], out["slips"] = target, max(out.get("slips") or 0, 1)
    due = out.get("due", _MISSING)
    if isinstance(due, TrackerDate):
        # Words in the due column give no date: not given, so a new item has none (a gap)
        # and an existing one keeps its date (no load clears a due date); the words are
        # kept as its due_text.
        del out["due"]
        out["due_text"] = due.text
        if due.status is not None and out.get("status") is None:
            out["status"] = due.status
    elif due is not _MISSING and due is not None and "due_text" not in out:
        out["due_text"] = None  # a date where the tracker had words: the words go
    for key in fields.required:
        if out.get(key) is None:
            raise where.fail(None, f"{_article(what)} {what} needs '{key}'; add it")
    return out


_MISSING = object()
MEMO_VALUES = 4096  # the parsed values kept per field (boroughs, statuses, dates repeat)


class RowSkipped(Exception):
    """A row whose cells' problems were added to the load's problems: the fields it read,
    and the ones it could not."""

    def __init__(self, read: dict[str, Any], failed: set[str]) -> None:
        super().__init__()
        self.read, self.failed = read, failed


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _list(doc: LineDict, key: str, where: Where) -> list[Any]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise where.fail(key, f"'{key}' must be a list")
    return value


@dataclass
class Parsed:
    boroughs: list[tuple[Where, dict[str, Any]]]
    sources: list[tuple[Where, dict[str, Any]]]
    recs: list[tuple[Where, str, dict[str, Any]]]
    meetings: list[tuple[Where, dict[str, Any]]]
    actions: list[tuple[Where, dict[str, Any]]]
    # How the file was read, for a dry run (an encoding, a delimiter, the sheets).
    notes: list[str] = field(default_factory=list)
    # A tracker's headings left out (file: 'Heading', ...), said on every load.
    left_out: list[str] = field(default_factory=list)
    # A file of item rows: its records, a batch at a time, read as they are applied
    # (the lists above are then empty).
    batches: Iterator[Parsed] | None = None
    # About how many records it has, before they are read.
    estimate: int = 0
    # A register's owner directory entries (applied before everything else).
    owners: list[tuple[Where, dict[str, Any]]] = field(default_factory=list)

    def each_batch(self) -> Iterator[Parsed]:
        if self.batches is None:
            yield self
        else:
            yield from self.batches


def parse_register(path: Path, today: date) -> Parsed:
    """Validate a whole YAML register file before anything touches the store."""
    name = str(path)
    doc = read_yaml(path)
    top = Where(name, doc if isinstance(doc, LineDict) else None)
    if not isinstance(doc, LineDict):
        raise InvalidInput(
            "a register must be a YAML mapping with 'version: 1' at the top", file=name
        )
    for key in doc:
        if key not in TOP_FIELDS:
            raise top.fail(
                key,
                f"unknown top-level key '{key}'"
                f"{did_you_mean(key, list(TOP_FIELDS))}; "
                f"allowed: {', '.join(TOP_FIELDS)}",
            )
    if type(doc.get("version")) is not int or doc.get("version") != 1:
        raise top.fail("version", "unsupported register version; this casey-cli reads version: 1")
    parsed = Parsed([], [], [], [], [])
    seen: dict[Any, int] = {}

    def once(key: Any, where: Where, field: str, label: str) -> None:
        if key in seen:
            raise where.fail(
                field, f"{label} is repeated in this file (first at line {seen[key]}); keep one"
            )
        seen[key] = where.node.line if where.node else 0

    _owners(doc, top, today, parsed)
    for node in _list(doc, "boroughs", top):
        rec = _record_fields(node, BOROUGH_FIELDS, top, "borough", today)
        where = Where(name, node)
        once(("borough", rec["slug"]), where, "slug", f"borough '{rec['slug']}'")
        parsed.boroughs.append((where, rec))
    for node in _list(doc, "sources", top):
        src = _record_fields(node, SOURCE_FIELDS, top, "source", today)
        where = Where(name, node)
        once(("source", src["code"]), where, "code", f"source '{src['code']}'")
        items = src.pop("recommendations", None) or []
        if not isinstance(items, list):
            raise where.fail("recommendations", "'recommendations' must be a list")
        parsed.sources.append((where, src))
        for rnode in items:
            rec = _record_fields(rnode, REC_FIELDS, where, "recommendation", today)
            rwhere = Where(name, rnode)
            ref = f"{src['code']}-{rec['number']}"
            once(("rec", ref), rwhere, "number", f"recommendation {ref}")
            parsed.recs.append((rwhere, src["code"], rec))
    for node in _list(doc, "meetings", top):
        mtg = _record_fields(node, MEETING_FIELDS, top, "meeting", today)
        where = Where(name, node)
        if isinstance(mtg["date"], RelativeDate):
            raise where.fail(
                "date",
                f"'{mtg['date'].text}' is {mtg['date']} today but another day on a later load: "
                "a meeting is found again by its name and date, so write the date out "
                "(YYYY-MM-DD)",
            )
        once(
            ("meeting", mtg["name"], mtg["date"]),
            where,
            "name",
            f"meeting '{mtg['name']}' on {mtg['date']}",
        )
        parsed.meetings.append((where, mtg))
    memo: dict[Any, Any] = {}
    for node in _list(doc, "actions", top):
        act = _record_fields(node, ACTION_FIELDS, top, "action", today, memo)
        where = Where(name, node)
        if "ref" in act:
            try:
                act["ref"] = f"A{parse_action_id(act['ref'])}"
            except InvalidInput as exc:
                raise where.fail("ref", exc.message) from None
            once(("action", act["ref"]), where, "ref", f"action {act['ref']}")
        else:
            once(
                ("action", act["borough"], act["title"].lower()),
                where,
                "title",
                f"action '{act['title']}' in {act['borough']}",
            )
        parsed.actions.append((where, act))
    return parsed


def _owners(doc: LineDict, top: Where, today: date, parsed: Parsed) -> None:
    """The `owners:` section. Names and aliases are matched as the directory matches them,
    so no two entries of one file may share one: an owner given twice, or one entry's name
    another's alias, is a mistake to point at, not to guess about."""
    first: dict[str, tuple[int, int, str]] = {}  # key -> (line, entry, the entry's name)
    for entry, node in enumerate(_list(doc, "owners", top)):
        owner = _record_fields(node, OWNER_FIELDS, top, "owner", today)
        where = Where(top.file, node)
        name = owner["name"]
        if not owner_key(name):
            raise where.fail("name", f"'{name}' has no letters or digits; give the owner's name")
        given = [("name", name)] + [("aliases", a) for a in owner.get("aliases") or []]
        for key_name, text in given:
            key = owner_key(text)
            line = node.key_lines.get(key_name, node.line)
            seen = first.setdefault(key, (line, entry, name))
            if seen[1] == entry:
                continue  # an entry may list its own name among its aliases
            if key_name == "name" and key == owner_key(seen[2]):
                message = f"owner '{name}' is repeated in this file (first at line {seen[0]})"
            else:
                message = (
                    f"'{text}' is repeated in this file (first at line {seen[0]}, for owner "
                    f"'{seen[2]}')"
                )
            raise where.fail(key_name, f"{message}; keep one")
        parsed.owners.append((where, owner))


@dataclass
class ReadOptions:
    """How `casey load` reads a tracker: the CSV's encoding, the sheet, the headings and
    status words the file uses beyond casey's tables, and the borough or source of rows
    that do not say."""

    encoding: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] | None = None
    statuses: dict[str, str] | None = None
    borough: str | None = None
    source: str | None = None
    # Rows kept for a dry run's preview (up to PREVIEW_ROWS of them), when not None.
    preview: list[PreviewRow] | None = None


@dataclass
class PreviewRow:
    """A row as the file gave it and as read, for the dry run's table."""

    where: str
    line: int
    given: dict[str, Any]
    read: dict[str, Any]


PREVIEW_ROWS = 50
MAX_PROBLEMS = 50


class Problems:
    """Every problem found in a load's files, reported together (up to MAX_PROBLEMS)."""

    def __init__(self) -> None:
        self.found: list[InvalidInput] = []  # the first MAX_PROBLEMS, to show
        self.more = 0  # and how many after them, only counted
        self._said: set[str] = set()

    def add(self, problem: InvalidInput) -> None:
        for one in problem.problems if isinstance(problem, ManyProblems) else [problem]:
            if len(self.found) >= MAX_PROBLEMS:
                self.more += 1
            elif str(one) not in self._said:  # a file named twice has its problems once
                self._said.add(str(one))
                self.found.append(one)

    def check(self) -> None:
        if len(self.found) == 1 and not self.more:
            raise self.found[0]
        if self.found:
            raise ManyProblems(self.found, self.more)


# A row with casey's own ref names its item: it needs no other column.
_ROW_FIELDS_BY_REF = FieldSpecs({k: (v[0], False) for k, v in ITEM_ROW_FIELDS.items()})


def _fields_for(options: ReadOptions) -> FieldSpecs:
    if not options.statuses:
        return _ROW_FIELDS_BY_REF
    return FieldSpecs({**_ROW_FIELDS_BY_REF, "status": (status_parser(options.statuses), False)})


BATCH_ROWS = 5000  # rows checked and applied together, so a file is never held whole


def parse_item_rows(
    rows: Iterable[LineDict | InvalidInput],
    name: str,
    today: date,
    seen: dict[bytes, int] | None = None,
    *,
    places: list[str] | None = None,
    header: HeaderMap | None = None,
    options: ReadOptions | None = None,
    problems: Problems | None = None,
) -> Iterator[Parsed]:
    """Rows of item objects (CSV, JSON, XLSX, DOCX), checked BATCH_ROWS at a time: actions
    by ref, by the tracker's own reference or by borough+title; recommendations by ref, or
    (with a source) by the tracker's reference or title. `seen` is shared by the parts of
    one file, so a key repeated on another sheet is found too; every row's problem goes to
    `problems` (raised at the end when none is given)."""
    options = options or ReadOptions()
    collected = problems is not None
    problems = problems if problems is not None else Problems()
    if seen is None:
        seen = {}
    if places is None:
        places = []
    part = len(places)  # this part's number in `seen`
    places.append(name)
    headings = dict(header.headings) if header is not None else None
    # An action has no response: a tracker's response column is a recommendation's.
    no_response = header is not None and not header.own and options.source is None
    fields = _fields_for(options)
    top = Where(name, None, headings)
    memo: dict[Any, Any] = {}
    preview = options.preview
    batch = Parsed([], [], [], [], [])
    for row in rows:
        if isinstance(row, InvalidInput):  # a row the file itself gets wrong
            problems.add(row)
            continue
        if no_response:
            row.pop("response", None)
        where = Where(name, row, headings)
        try:
            item = _record_fields(row, fields, top, "item", today, memo, problems)
            key, add = _place_row(item, where, options)
        except InvalidInput as exc:
            problems.add(exc)
            continue
        except RowSkipped as skipped:
            # The row's own problems too (no borough, no title), unless a bad cell of the
            # field they are about is why: every problem in one run.
            if not skipped.failed & {"ref", "kind", "title", "tracker_ref", "borough"}:
                try:
                    _place_row(skipped.read, where, options)
                except InvalidInput as exc:
                    problems.add(exc)
            continue
        if preview is not None and len(preview) < PREVIEW_ROWS:
            preview.append(PreviewRow(name, row.line, dict(row), dict(item)))
        # Kept as a digest of the key with where it was (part and line packed in one int),
        # so a million rows' keys cost tens of megabytes, not their text.
        hashed = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
        first_at = seen.get(hashed)
        if first_at is not None:
            first_part, first_line = divmod(first_at, 1 << 32)
            at = f"line {first_line}"
            if first_part != part:  # another sheet of the workbook, or table of the document
                label = places[first_part].rpartition(":")[2]
                at = f"{label} {at}" if label.startswith("table ") else f"sheet {label!r} {at}"
            field = {"ref": "ref", "rec": "ref", "reference": "tracker_ref"}.get(key[0], "title")
            problems.add(
                where.fail(
                    field, f"{_shown_key(key)} is repeated in this file (first at {at}); keep one"
                )
            )
            continue
        seen[hashed] = (part << 32) + row.line
        add(batch)
        if len(batch.actions) + len(batch.recs) >= BATCH_ROWS:
            yield batch
            batch = Parsed([], [], [], [], [])
    if batch.actions or batch.recs:
        yield batch
    if not collected:
        problems.check()


def _named_by(scope: str, tracker_ref: str | None, title: str | None) -> RowKey:
    """A row without casey's ref: named by its tracker reference, else its title, in its
    borough (or `source CODE`)."""
    if tracker_ref:
        return ("reference", scope, tracker_ref)
    return ("title", scope, (title or "").lower())


def _shown_key(key: RowKey) -> str:
    """A row's key as an error shows it: `A12`, `rec casey-7`, `camden/same` (its title),
    `camden reference 'R7'`."""
    if key[0] == "reference":
        return f"{key[1]} reference {key[2]!r}"
    if key[0] == "title":
        return f"{key[1]}/{key[2]}"
    return key[1] if key[0] == "ref" else f"rec {key[1]}"


def _casey_refs(
    header: HeaderMap, rows: Iterable[LineDict | InvalidInput]
) -> Iterable[LineDict | InvalidInput]:
    """A tracker's reference column that holds casey's own refs (A12, casey-7), judged on
    its first batch of rows, is casey's `ref`: the header says so (for the dry run and
    errors) and the rows are read so."""
    if not header.has("tracker_ref"):
        return rows
    stream = iter(rows)
    first = list(itertools.islice(stream, BATCH_ROWS))
    if not holds_casey_refs(r.get("tracker_ref") for r in first if isinstance(r, LineDict)):
        return itertools.chain(first, stream)
    header.fields = ["ref" if name == "tracker_ref" else name for name in header.fields]
    header.headings = {
        ("ref" if name == "tracker_ref" else name): heading
        for name, heading in header.headings.items()
    }
    return (_renamed(r, "tracker_ref", "ref") for r in itertools.chain(first, stream))


def _renamed(row: LineDict | InvalidInput, old: str, new: str) -> LineDict | InvalidInput:
    if isinstance(row, LineDict) and old in row:
        row[new] = row.pop(old)
    return row


# What names a row's item in its file: ("ref", "A12"), ("rec", "casey-7"), ("title", borough
# or source, lower-case title) or ("reference", borough or source, the tracker's reference).
RowKey = tuple[str, ...]


def _place_row(
    item: dict[str, Any], where: Where, options: ReadOptions
) -> tuple[RowKey, Callable[[Parsed], None]]:
    """A row read as an action or a recommendation: its key in the file, and how to add it
    to a batch."""
    ref = item.get("ref")
    if ref and not item.get("kind"):
        item["kind"] = "recommendation" if is_rec_ref(ref) else "action"
    if options.source and not ref and not item.get("kind"):
        item["kind"] = "recommendation"
    kind = item.get("kind") or "action"
    if kind not in ("action", "recommendation"):
        raise where.fail("kind", f"unknown kind '{kind}'; use action or recommendation")
    if not ref and not item.get("title") and not item.get("tracker_ref"):
        raise where.fail("title", "this row has no title; add it (or casey's ref, to name an item)")
    data = {k: v for k, v in item.items() if k not in DERIVED}
    if "latest_update" in data:  # casey's own column for the latest update
        text = data.pop("latest_update")
        data.setdefault("update", text)
    if kind == "recommendation":
        if ref:
            code, _, number = ref.rpartition("-")
            if not code or not (number.isascii() and number.isdigit()) or len(number) > 9:
                raise where.fail(
                    "ref", f"a recommendation needs its ref, e.g. casey-7, not {ref!r}"
                )
            data.pop("ref")
            rec = {"number": int(number), **data}
            key: RowKey = ("rec", ref)
        else:
            code = options.source or ""
            if not code:
                raise where.fail(
                    "ref", "a recommendation needs its ref, e.g. casey-7, or --source CODE"
                )
            data.pop("ref", None)
            rec = {"number": None, **data}
            tracker_ref = data.get("tracker_ref")
            key = _named_by(f"source {code}", tracker_ref, data.get("title"))
        for field in ("borough", "recommendation", "assurance"):
            rec.pop(field, None)  # a recommendation's borough comes from its source
        return key, lambda batch: batch.recs.append((where, code, rec))
    if data.get("borough") is None and options.borough:
        data["borough"] = options.borough
    data.pop("response", None)
    if ref:
        try:
            data["ref"] = f"A{parse_action_id(ref)}"
        except InvalidInput as exc:
            raise where.fail("ref", exc.message) from None
        key = ("ref", data["ref"])
    else:
        if data.get("borough") is None:
            raise where.fail(
                None, "an action needs 'borough'; add a Borough column, or --borough SLUG"
            )
        data.pop("ref", None)
        tracker_ref = data.get("tracker_ref")
        key = _named_by(data["borough"], tracker_ref, data.get("title"))
    return key, lambda batch: batch.actions.append((where, data))


def bundled_register() -> Path:
    """data/recommendations.yaml: inside the wheel (casey_cli/data) or the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (
        here / "data" / "recommendations.yaml",
        here.parent / "data" / "recommendations.yaml",
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "the bundled register data/recommendations.yaml is missing; reinstall casey-cli"
    )


LOADABLE = (".yaml", ".yml", ".csv", ".json", ".xlsx", ".docx")


def parse_file(
    path: Path,
    today: date,
    options: ReadOptions | None = None,
    problems: Problems | None = None,
) -> Parsed:
    """A file's records, checked; its rows' problems go to `problems` (raised here when
    none is given)."""
    from casey_cli.config import path_problem

    options = options or ReadOptions()
    name = str(path)
    problem = path_problem(name)
    if problem:  # the system would refuse it when opened: say so, naming it printably
        shown = repr(name[:80]) + ("..." if len(name) > 80 else "")
        raise InvalidInput(f"this path {problem}; check the path", file=shown)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_register(path, today)
    from casey_cli.io.tabular import TABULAR, read_table

    if suffix not in TABULAR:
        raise InvalidInput(
            f"cannot load a '{suffix or path.name}' file; use one of {', '.join(LOADABLE)}",
            file=str(path),
        )
    if not path.is_file():
        raise InvalidInput("file not found; check the path", file=str(path))
    table = read_table(path, suffix, options.encoding, options.sheet, options.mapping)
    collect = problems if problems is not None else Problems()
    parsed = Parsed([], [], [], [], [])
    parts = []
    for part in table.parts:
        if part.header is not None and not part.header.own:
            from casey_cli.io.headings import describe, misspelt

            part.rows = _casey_refs(part.header, part.rows)
            wrong = misspelt(part.header, ITEM_ROW_FIELDS)
            if wrong is not None:
                where = InvalidInput(
                    wrong.message, file=part.where, line=part.header_line, field=wrong.field
                )
                collect.add(where)
                continue
            if options.source is None and part.header.has("response"):
                # An action has no response (a recommendation's, with --source): say so.
                at = part.header.fields.index("response")
                part.header.fields[at] = None
                part.header.unmapped.append(part.header.headings.pop("response"))
            table.notes.append(f"{part.where}: {describe(part.header)}")
            table.notes += [f"{part.where}: {note}" for note in part.header.notes]
            if part.header.unmapped:
                shown = ", ".join(f"'{h}'" for h in part.header.unmapped)
                parsed.left_out.append(f"{part.where}: left out the columns {shown}")
        parts.append(part)
        parsed.estimate += part.estimate
    if options.mapping:
        from casey_cli.io.headings import heading_key

        given = {heading_key(h) for part in table.parts if part.header for h in part.header.names}
        for key in options.mapping:
            if key not in given:
                collect.add(
                    InvalidInput(
                        f"--map names a heading this file does not have ({key!r}, compared "
                        "without case, spaces or punctuation); check its spelling",
                        file=str(path),
                    )
                )
    seen: dict[bytes, int] = {}
    places: list[str] = []
    parsed.batches = itertools.chain.from_iterable(
        parse_item_rows(
            part.rows,
            part.where,
            today,
            seen,
            places=places,
            header=part.header,
            options=options,
            problems=collect,
        )
        for part in parts
    )
    parsed.notes = table.notes
    if problems is None:  # no caller collecting: read it all now, and raise what it finds
        batches = list(parsed.batches)
        collect.check()
        parsed.batches = iter(batches)
    return parsed


def count(parsed: list[Parsed]) -> int:
    """About how many records the files have (a file of item rows: its estimate)."""
    return sum(
        p.estimate if p.batches is not None else len(p.recs) + len(p.actions) for p in parsed
    )
