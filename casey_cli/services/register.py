"""Load a YAML register (SPEC section 5): validate with file/line/field errors, then upsert
by natural key (borough slug, source code, recommendation ref, meeting name+date, action ref
or borough+title), recording created/updated/unchanged and one history event per change."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from casey_cli import rules
from casey_cli.dates import DATE_HELP, parse_date
from casey_cli.enums import FORCE_WIDE
from casey_cli.errors import CaseyError, InvalidInput, did_you_mean
from casey_cli.io.yamlfile import LineDict, read_yaml
from casey_cli.lookup import MeetingRef
from casey_cli.models import (
    Action,
    Borough,
    HistoryEvent,
    Meeting,
    Recommendation,
    Source,
    utcnow,
)
from casey_cli.schemas import LoadResult
from casey_cli.services.changes import apply_changes
from casey_cli.services.common import Ctx, get_meeting, new_id, parse_action_id, record
from casey_cli.text import clean_text
from casey_cli.writes import ACTION_COLUMNS, SQLAlchemyWriter, append_events, next_id


@dataclass
class Where:
    file: str
    node: LineDict | None

    def fail(self, field: str | None, message: str) -> InvalidInput:
        line = None
        if self.node is not None:
            line = self.node.key_lines.get(field, self.node.line) if field else self.node.line
        return InvalidInput(message, file=self.file, line=line, field=field)


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
        return parse_date(value, today, field=name)
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _status(value: Any, where: Where, name: str, today: date) -> str:
    try:
        return rules.normalise_status(_text(value, where, name, today))
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _response(value: Any, where: Where, name: str, today: date) -> str:
    try:
        return rules.normalise_response(_text(value, where, name, today))
    except InvalidInput as exc:
        raise where.fail(name, exc.message) from None


def _progress(value: Any, where: Where, name: str, today: date) -> int:
    number = _int(value, where, name, today)
    if not 0 <= number <= 100:
        raise where.fail(name, f"{number} is out of range; use a whole number 0-100")
    return number


def _slug(value: Any, where: Where, name: str, today: date) -> str:
    return _text(value, where, name, today).lower()


Parser = Callable[[Any, Where, str, date], Any]


class FieldSpecs(dict[str, tuple[Parser, bool]]):
    """A record kind's fields (name -> (parser, required)), with the required names worked
    out once rather than on every row of a large file."""

    def __init__(self, specs: dict[str, tuple[Parser, bool]]) -> None:
        super().__init__(specs)
        self.required = tuple(name for name, (_, required) in specs.items() if required)


BOROUGH_FIELDS = FieldSpecs({
    "slug": (_slug, True), "name": (_text, True), "gss": (_text, False), "bcu": (_text, False),
})
SOURCE_FIELDS = FieldSpecs({
    "code": (_slug, True), "title": (_text, True), "publisher": (_text, False),
    "published": (_date, False), "url": (_text, False), "borough": (_slug, False),
    "notes": (_text, False), "citation": (_text, False),
    "recommendations": (lambda v, *_: v, False),  # checked item by item below
})
REC_FIELDS = FieldSpecs({
    "number": (_int, True), "title": (_text, True), "summary": (_text, False),
    "theme": (_slug, False), "addressed_to": (_text, False), "response": (_response, False),
    "owner": (_text, False), "due": (_date, False), "original_due": (_date, False),
    "status": (_status, False), "completed": (_date, False), "progress": (_progress, False),
    "slips": (_count, False), "citation": (_text, False),
})
MEETING_FIELDS = FieldSpecs({
    "name": (_text, True), "date": (_date, True), "borough": (_slug, False),
    "citation": (_text, False),
})
ACTION_FIELDS = FieldSpecs({
    "ref": (_text, False), "borough": (_slug, True), "title": (_text, True),
    "owner": (_text, False), "status": (_status, False), "due": (_date, False),
    "original_due": (_date, False), "recommendation": (_slug, False),
    "progress": (_progress, False), "evidence": (_text, False), "note": (_text, False),
    "citation": (_text, False), "completed": (_date, False), "meeting": (_text, False),
    "slips": (_count, False),
})
# The item object (SPEC section 5) as a load format: derived columns are read and ignored,
# `assurance` must match the store (it changes only through `casey action verify`).
ITEM_ROW_FIELDS = FieldSpecs({
    "ref": (_text, False), "kind": (_slug, False), "borough": (_slug, False),
    "source": (_slug, False), "recommendation": (_slug, False), "title": (_text, True),
    "owner": (_text, False), "status": (_status, False), "due": (_date, False),
    "original_due": (_date, False), "days_overdue": (lambda v, *_: v, False),
    "rag": (lambda v, *_: v, False), "progress": (_progress, False), "slips": (_count, False),
    "assurance": (_slug, False), "created": (lambda v, *_: v, False),
    "updated": (lambda v, *_: v, False), "completed": (_date, False),
})
DERIVED = ("kind", "source", "days_overdue", "rag", "created", "updated")
TOP_FIELDS = ("version", "sources", "boroughs", "meetings", "actions")


_BLANK = object()  # a field given empty


def _field(parser: Parser, value: Any, where: Where, key: str, today: date) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _BLANK
    return parser(value, where, key, today)


def _record_fields(node: Any, fields: FieldSpecs, where: Where,
                   what: str, today: date, memo: dict[Any, Any] | None = None) -> dict[str, Any]:
    """Check and convert one record's fields. `memo` (one per file) keeps the value each
    text cell parsed to, by field then text: a large load repeats the same boroughs,
    statuses, owners and dates thousands of times, and parsing is a pure function of them
    (errors are never kept, so each bad cell is reported where it is)."""
    if not isinstance(node, LineDict):
        raise where.fail(None, f"each {what} must be a mapping of field: value")
    where = Where(where.file, node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        spec = fields.get(key)
        if spec is None:
            raise where.fail(key, f"unknown field '{key}' for {what}s"
                                  f"{did_you_mean(key, list(fields))}; "
                                  f"allowed: {', '.join(fields)}")
        if memo is not None and type(value) is str:
            known = memo.get(key)
            if known is None:
                known = memo[key] = {}
            parsed = known.get(value, _MISSING)
            if parsed is _MISSING:
                parsed = known[value] = _field(spec[0], value, where, key, today)
        else:
            parsed = _field(spec[0], value, where, key, today)
        if parsed is _BLANK:
            if key != "slips":  # a count is never 'cleared': blank means not given
                out[key] = None  # present but empty: clears the field on update
            continue
        out[key] = parsed
    for key in fields.required:
        if out.get(key) is None:
            raise where.fail(None, f"{_article(what)} {what} needs '{key}'; add it")
    return out


_MISSING = object()


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


def parse_register(path: Path, today: date) -> Parsed:
    """Validate a whole YAML register file before anything touches the store."""
    name = str(path)
    doc = read_yaml(path)
    top = Where(name, doc if isinstance(doc, LineDict) else None)
    if not isinstance(doc, LineDict):
        raise InvalidInput("a register must be a YAML mapping with 'version: 1' at the top",
                           file=name)
    for key in doc:
        if key not in TOP_FIELDS:
            raise top.fail(key, f"unknown top-level key '{key}'"
                                f"{did_you_mean(key, list(TOP_FIELDS))}; "
                                f"allowed: {', '.join(TOP_FIELDS)}")
    if type(doc.get("version")) is not int or doc.get("version") != 1:
        raise top.fail("version", "unsupported register version; this casey-cli reads version: 1")
    parsed = Parsed([], [], [], [], [])
    seen: dict[Any, int] = {}

    def once(key: Any, where: Where, field: str, label: str) -> None:
        if key in seen:
            raise where.fail(field, f"{label} is repeated in this file (first at line "
                                    f"{seen[key]}); keep one")
        seen[key] = where.node.line if where.node else 0

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
        once(("meeting", mtg["name"], mtg["date"]), where, "name",
             f"meeting '{mtg['name']}' on {mtg['date']}")
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
            once(("action", act["borough"], act["title"].lower()), where, "title",
                 f"action '{act['title']}' in {act['borough']}")
        parsed.actions.append((where, act))
    return parsed


def parse_item_rows(rows: list[LineDict], name: str, today: date,
                    header_line: int | None = None) -> Parsed:
    """Rows of item objects (CSV, JSON, XLSX): actions by ref or borough+title, and
    recommendations by ref."""
    parsed = Parsed([], [], [], [], [])
    seen: dict[str, int] = {}
    top = Where(name, None)
    if header_line is not None and rows:
        for key in rows[0]:
            if key not in ITEM_ROW_FIELDS:
                raise InvalidInput(
                    f"unknown column '{key}'{did_you_mean(key, list(ITEM_ROW_FIELDS))}; the "
                    f"columns are those of `casey export`: {', '.join(ITEM_ROW_FIELDS)}",
                    file=name, line=header_line, field=key)
    memo: dict[Any, Any] = {}
    for row in rows:
        item = _record_fields(row, ITEM_ROW_FIELDS, top, "item", today, memo)
        where = Where(name, row)
        kind = item.get("kind") or "action"
        ref = item.get("ref")
        if kind not in ("action", "recommendation"):
            raise where.fail("kind", f"unknown kind '{kind}'; use action or recommendation")
        data = {k: v for k, v in item.items() if k not in DERIVED}
        if kind == "recommendation":
            code, _, number = (ref or "").rpartition("-")
            if not code or not (number.isascii() and number.isdigit()) or len(number) > 9:
                raise where.fail("ref", f"a recommendation needs its ref, e.g. casey-7, "
                                        f"not {ref!r}")
            data.pop("ref")
            for field in ("borough", "recommendation", "assurance"):
                data.pop(field, None)  # a recommendation's borough comes from its source
            key = f"rec {ref}"
            parsed.recs.append((where, code, {"number": int(number), **data}))
        else:
            if data.get("borough") is None:
                raise where.fail(None, "an action needs 'borough'; add it")
            if ref:
                try:
                    data["ref"] = f"A{parse_action_id(ref)}"
                except InvalidInput as exc:
                    raise where.fail("ref", exc.message) from None
                key = data["ref"]
            else:
                data.pop("ref", None)
                key = f"{data['borough']}/{data['title'].lower()}"
            parsed.actions.append((where, data))
        if key in seen:
            raise where.fail("ref" if ref else "title", f"{key} is repeated in this file "
                                                        f"(first at line {seen[key]}); keep one")
        seen[key] = row.line
    return parsed


class Loader:
    """Applies parsed registers to the store inside the caller's transaction."""

    def __init__(self, session: Session, ctx: Ctx,
                 progress: Callable[[int], None] | None = None) -> None:
        self.session, self.ctx, self.result = session, ctx, LoadResult()
        self.progress = progress or (lambda n: None)
        self.file_meetings: list[tuple[str, date]] = []
        self._keys: dict[Any, set[str]] = {}
        self._by_id: dict[int, Action] = {}
        self._by_title: dict[tuple[str, str], list[Action]] = {}
        self._new: list[tuple[dict[str, Any], str | None, MeetingRef | None]] = []

    def _check_ref(self, model: Any, key: str, where: Where, field: str, hint: str) -> None:
        """Is `key` a row of `model`? The keys are read once per load (a few hundred rows)."""
        known = self._keys.get(model)
        if known is None:
            key_column = next(iter(model.__table__.primary_key.columns))
            with self.session.no_autoflush:
                known = {str(k) for k in self.session.exec(select(key_column)).all()}
            self._keys[model] = known
        if key not in known:
            raise where.fail(field, f"unknown {field} '{key}'"
                                    f"{did_you_mean(key, sorted(known))}; {hint}")

    def _upsert_plain(self, obj: Any, data: dict[str, Any], label: tuple[str, str]) -> None:
        """Reference rows (boroughs, sources, meetings): no history, just counts."""
        changed = False
        for key, value in data.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
                changed = True
        self.session.add(obj)
        (self.result.updated if changed else self.result.unchanged).append(label)

    def apply(self, parsed: Parsed) -> None:
        session = self.session
        self.file_meetings = [(m["name"], m["date"]) for _, m in parsed.meetings]
        for _, b in parsed.boroughs:
            existing = session.get(Borough, b["slug"])
            if existing is None:
                session.add(Borough(**b))
                self.result.created.append(("borough", b["slug"]))
            else:
                self._upsert_plain(existing, {k: b.get(k) for k in BOROUGH_FIELDS if k != "slug"},
                                   ("borough", b["slug"]))
        session.flush()
        for where, s in parsed.sources:
            if s.get("borough"):
                self._check_ref(Borough, s["borough"], where, "borough", "see `casey borough list`")
            source_row = session.get(Source, s["code"])
            if source_row is None:
                session.add(Source(**s))
                self.result.created.append(("source", s["code"]))
            else:
                fields = [k for k in SOURCE_FIELDS if k not in ("code", "recommendations")]
                self._upsert_plain(source_row, {k: s.get(k) for k in fields},
                                   ("source", s["code"]))
        session.flush()
        for where, code, r in parsed.recs:
            self._upsert_rec(where, code, r)
            self.progress(1)
        for where, m in parsed.meetings:
            if m.get("borough"):
                self._check_ref(Borough, m["borough"], where, "borough", "see `casey borough list`")
            meeting_row = session.exec(select(Meeting).where(
                Meeting.name == m["name"], Meeting.date == m["date"])).first()
            label = ("meeting", f"{m['name']} ({m['date']})")
            if meeting_row is None:
                session.add(Meeting(**m, id=new_id(session, Meeting)))
                self.result.created.append(label)
            else:
                self._upsert_plain(meeting_row, {"borough": m.get("borough"),
                                              "citation": m.get("citation")}, label)
        session.flush()
        self._prefetch_actions(parsed.actions)
        with session.no_autoflush:
            for where, a in parsed.actions:
                self._upsert_action(where, a)
                self.progress(1)
        self._insert_new_actions()
        session.flush()

    def _prefetch_actions(self, rows: list[tuple[Where, dict[str, Any]]]) -> None:
        """Find the actions a file names in a few queries, not one per row: by ref, or by
        borough and title whatever their case (as duplicates within a file are found). Titles
        are matched on plain rows, so only the matched actions become ORM objects."""
        ids = {int(a["ref"][1:]) for _, a in rows if "ref" in a}
        titles = {(a["borough"], a["title"].lower()) for _, a in rows if "ref" not in a}
        by_title: dict[tuple[str, str], list[int]] = {}
        if titles:
            boroughs = sorted({borough for borough, _ in titles})
            stmt = sa.select(col(Action.id), col(Action.borough), col(Action.title)).where(
                col(Action.borough).in_(boroughs)).order_by(col(Action.id))
            for number, borough, title in self.session.connection().execute(stmt):
                key = (borough, title.lower())
                if key in titles:
                    by_title.setdefault(key, []).append(number or 0)
            ids.update(n for numbers in by_title.values() for n in numbers)
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            for action in self.session.exec(select(Action).where(col(Action.id).in_(chunk))):
                self._by_id[action.id or 0] = action
        self._by_title = {key: [self._by_id[n] for n in numbers]
                          for key, numbers in by_title.items()}

    def _title_match(self, where: Where, borough: str, title: str) -> Action | None:
        """The stored action a row without a ref names: the one with this title whatever its
        case, or, of several, the one spelt exactly so. Several and none exact: the row must
        say which, never a silent pick."""
        found = self._by_title.get((borough, title.lower()), [])
        if len(found) > 1:
            found = [action for action in found if action.title == title] or found
        if len(found) > 1:
            refs = ", ".join(action.ref for action in found)
            raise where.fail("title", f"{len(found)} actions in {borough} have this title in "
                                      f"some case ({refs}); add a 'ref' column to say which")
        return found[0] if found else None

    def _insert_new_actions(self) -> None:
        """New actions in one positional INSERT (ids in file order), then their 'created'
        events chained in the same order: no ORM object and no dict per row."""
        if not self._new:
            return
        at = utcnow()
        conn = self.session.connection()
        writer = SQLAlchemyWriter(conn)
        stamp = writer.stamp(at)
        first = next_id(writer, "actions")
        rows, events = [], []
        for number, (data, note, meeting) in enumerate(self._new, start=first):
            get = data.get
            rows.append((number, data["borough"], get("recommendation"), data["title"],
                         get("owner"), data["status"], writer.day(get("due")),
                         writer.day(get("original_due")), get("slips", 0), get("progress"),
                         get("evidence"), get("citation"), stamp, stamp,
                         writer.day(get("completed")), "unverified"))
            ref = f"A{number}"
            events.append({"by": self.ctx.user, "kind": "action", "ref": ref,
                           "borough": data["borough"], "field": "created",
                           "new": data["title"], "note": note,
                           "meeting_id": meeting.id if meeting else None})
            self.result.created.append(("action", ref))
        with _indexes_built_after(conn, ("actions", "history"), len(rows)):
            writer.insert_rows("actions", ACTION_COLUMNS, rows)
            append_events(writer, self.session.info, events)
        self._new = []

    def _noted(self, ref: str, note: str) -> bool:
        """Loading the same minutes twice must not record their notes twice."""
        return self.session.exec(select(HistoryEvent.id).where(
            HistoryEvent.ref == ref, HistoryEvent.note == note)).first() is not None

    def _upsert_rec(self, where: Where, code: str, r: dict[str, Any]) -> None:
        ref = f"{code}-{r['number']}"
        rec = self.session.get(Recommendation, ref)
        src = self.session.get(Source, code)
        if src is None:
            self._check_ref(Source, code, where, "source", "see `casey source list`")
        borough = (src.borough if src else None) or FORCE_WIDE
        data = {k: v for k, v in r.items() if k != "number"}
        if rec is None:
            data.setdefault("original_due", data.get("due"))
            data["status"] = data.get("status") or "not-started"
            data["response"] = data.get("response") or "pending"
            self.session.add(Recommendation(ref=ref, source=code, number=r["number"], **data))
            record(self.session, by=self.ctx.user, kind="recommendation", ref=ref,
                   borough=borough, field="created", new=data["title"])
            self.result.created.append(("recommendation", ref))
            return
        changed = apply_changes(self.session, rec, kind="recommendation", ref=ref,
                                borough=borough, changes=_patch(rec, data), ctx=self.ctx,
                                note=f"loaded from {os.path.basename(where.file)}",
                                note_alone=False)
        self.result.add_change("recommendation", ref, changed)

    def _upsert_action(self, where: Where, a: dict[str, Any]) -> None:
        session = self.session
        self._check_ref(Borough, a["borough"], where, "borough", "see `casey borough list`")
        if a.get("recommendation"):
            self._check_ref(Recommendation, a["recommendation"], where, "recommendation",
                            "see `casey rec list`")
        meeting = None
        if a.get("meeting"):
            name = a["meeting"]
            # A minutes file names its own meeting: that one, whatever met before under the name.
            own = [d for n, d in self.file_meetings if n.lower() == name.strip().lower()]
            try:
                meeting = get_meeting(session, f"{name} ({own[0]})" if len(own) == 1 else name)
            except CaseyError as exc:  # not found or ambiguous: say where in the file
                raise where.fail("meeting", str(exc)) from None
        note = a.pop("note", None)
        a.pop("meeting", None)
        assurance = a.pop("assurance", None)
        action: Action | None
        if "ref" in a:
            action = self._by_id.get(int(a["ref"][1:]))
            if action is None:
                raise where.fail("ref", f"no action {a['ref']} in the store; leave 'ref' out "
                                        "to add a new action")
        else:
            action = self._title_match(where, a["borough"], a["title"])
        if assurance is not None and assurance != (action.assurance if action else "unverified"):
            raise where.fail("assurance", "assurance changes only through `casey action "
                                          "verify`; leave the column as it was exported")
        data = {k: v for k, v in a.items() if k != "ref"}
        if action is None:
            data.setdefault("original_due", data.get("due"))
            data["status"] = data.get("status") or "not-started"
            self._new.append((data, note, meeting))
            return
        changed = apply_changes(session, action, kind="action", ref=action.ref,
                                borough=action.borough, changes=_patch(action, data),
                                ctx=self.ctx,
                                note=note or f"loaded from {os.path.basename(where.file)}",
                                meeting=meeting,
                                note_alone=note is not None and not self._noted(action.ref, note))
        self.result.add_change("action", action.ref, changed)


BULK_ROWS = 5000


@contextmanager
def _indexes_built_after(conn: Any, tables: tuple[str, ...], new_rows: int) -> Iterator[None]:
    """Adding at least BULK_ROWS rows to a SQLite table no larger than that: drop its indexes
    and build them again afterwards, in the same transaction (an error rolls the drop back
    too). Building an index sorts once; adding rows one by one to five indexes in random
    order costs a third of a large load."""
    rebuild: list[str] = []
    if conn.dialect.name == "sqlite" and new_rows >= BULK_ROWS:
        for table in tables:
            # max(id), not count(*): one index probe, and an upper bound of the row count.
            held = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
            if new_rows < held:
                continue
            for name, sql in conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                    "tbl_name = ? AND sql IS NOT NULL ORDER BY name", (table,)).all():
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                rebuild.append(sql)
    yield
    for sql in rebuild:
        conn.exec_driver_sql(sql)


def _patch(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The fields a file gives, as changes; a later due date counts as a slip unless the
    file says the slips and original due date itself (as an export does)."""
    changes = dict(data)
    if changes.get("status") is None:
        changes.pop("status", None)
    if changes.get("response", "x") is None:
        changes["response"] = "pending"
    due = changes.get("due")
    if "due" in changes and obj.due is not None and due is not None and due > obj.due \
            and "slips" not in changes:
        changes["slips"] = obj.slips + 1
    if "due" in changes and obj.original_due is None and "original_due" not in changes:
        changes["original_due"] = due
    return changes


def bundled_register() -> Path:
    """data/recommendations.yaml: inside the wheel (casey_cli/data) or the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "data" / "recommendations.yaml",
                      here.parent / "data" / "recommendations.yaml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("the bundled register data/recommendations.yaml is missing; "
                            "reinstall casey-cli")


LOADABLE = (".yaml", ".yml", ".csv", ".json", ".xlsx")


def parse_file(path: Path, today: date) -> Parsed:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_register(path, today)
    from casey_cli.io.tabular import READERS

    if suffix not in READERS:
        raise InvalidInput(f"cannot load a '{suffix or path.name}' file; use one of "
                           f"{', '.join(LOADABLE)}", file=str(path))
    if not path.is_file():
        raise InvalidInput("file not found; check the path", file=str(path))
    header = None if suffix == ".json" else 1
    return parse_item_rows(READERS[suffix](path), str(path), today, header)


def count(parsed: list[Parsed]) -> int:
    return sum(len(p.recs) + len(p.actions) for p in parsed)


def load_files(session: Session, ctx: Ctx, paths: list[Path],
               progress: Callable[[int], None] | None = None) -> LoadResult:
    """Validate every file first, then apply them all in the caller's one transaction."""
    with _collector_paused():
        parsed = [parse_file(p, ctx.today) for p in paths]
        conn = session.connection()
        if conn.dialect.name == "sqlite" and count(parsed) > 1000:
            # A large load touches every page of the five action indexes in random order:
            # SQLite's 2 MB default page cache would spill to the WAL mid-transaction and
            # re-read pages (this connection only; pages are freed when it closes).
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
        loader = Loader(session, ctx, progress)
        for p in parsed:
            loader.apply(p)
        return loader.result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a load runs. A file's rows, cells and parsed
    values all live until the load ends, so each of the collector's passes re-walks millions
    of live objects and frees none: that cost a third of a 100,000-item YAML load (parse
    13.3 s -> 5.1 s with it paused, bench/). Cycles made meanwhile are freed afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def seed(session: Session, ctx: Ctx, *, boroughs_only: bool = False) -> LoadResult:
    """Fill a new store from the bundled register (only the boroughs with --no-seed)."""
    parsed = parse_register(bundled_register(), ctx.today)
    if boroughs_only:
        parsed = Parsed(parsed.boroughs, [], [], [], [])
    loader = Loader(session, ctx)
    loader.apply(parsed)
    return loader.result
