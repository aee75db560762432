"""Load register files (docs/formats.md): every file is checked first (io.register), then all
are applied in the caller's one transaction, upserting by natural key (borough slug, source
code, recommendation ref, meeting name+date, action ref or borough+title) with plain SQL,
recording created/updated/unchanged and one history event per changed field."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casey_cli.dates import RelativeDate
from casey_cli.enums import CLOSED_STATUSES, FORCE_WIDE
from casey_cli.errors import CaseyError, InvalidInput, did_you_mean
from casey_cli.io.register import (
    BOROUGH_FIELDS,
    SOURCE_FIELDS,
    Parsed,
    PreviewRow,
    Problems,
    ReadOptions,
    Where,
    bundled_register,
    count,
    parse_file,
    parse_register,
)
from casey_cli.owners import Directory
from casey_cli.refs import is_action_ref
from casey_cli.run_context import RunContext
from casey_cli.schemas import LoadResult
from casey_cli.store.items import as_date
from casey_cli.store.lookup import MeetingRef
from casey_cli.store.rows import ACTION_FIELDS, DATE_FIELDS, REC_FIELDS, Tracked, due_changes
from casey_cli.store.tx import Tx
from casey_cli.store.writes import (
    ACTION_COLUMNS,
    REC_STATE,
    UPDATE_COLUMNS,
    action_state,
    state_text,
)

# The columns a new row is inserted with; boroughs and sources have their key first.
BOROUGH_COLUMNS = tuple(BOROUGH_FIELDS)  # slug, name, gss, bcu
SOURCE_COLUMNS = tuple(k for k in SOURCE_FIELDS if k != "recommendations")
# The columns each reference table's key is checked against (`_check_ref`).
KEYS = {"boroughs": "slug", "sources": "code", "recommendations": "ref"}
PREFETCH_CHUNK = 500  # ids bound in one look-up of stored actions
# An item's record of its due date's moves: a file gives them to a new item (its starting
# record); on an existing item casey keeps them from the moves it records, and ignores them.
HISTORY_FIELDS = ("slips", "original_due")
# An item's dates, which a file may write relative to the day (`+2w`), and how errors name
# the dates a relative one may not move.
ITEM_DATES = ("due", "original_due", "completed")
DATE_NAMES = {"due": "due date", "completed": "completion date", "published": "published date"}
_ABSENT = object()  # a field the row leaves out
# What a tracker's row says beyond an item's fields, recorded as their commands would:
# progress updates (the prose after a status word, then the update column), the officer's
# RAG, and whether its due date is a revised one (a reschedule with the file's reason).
# A register's dated updates and the day of its latest information (`as_of`) are recorded
# after them.
EXTRAS = ("status_update", "update", "reported_rag", "revised", "updates", "as_of")


def _take_extras(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.pop(name) for name in EXTRAS if name in data}


class Loader:
    """Applies parsed registers to the store inside the caller's transaction."""

    def __init__(
        self,
        tx: Tx,
        run: RunContext,
        progress: Callable[[int], None] | None = None,
        problems: Problems | None = None,
        listed: bool = True,
    ) -> None:
        self.tx, self.run, self.result = tx, run, LoadResult(listed=listed)
        self.problems = problems
        # What each previewed row became (a ref, "A20 (new)"), by (file, line).
        self.outcomes: dict[tuple[str, int], str] = {}
        self.preview: list[PreviewRow] | None = None
        self._previewed: set[tuple[str, int]] = set()
        self._by_tracker: dict[tuple[str, str], list[Tracked]] = {}
        self._numbers: dict[str, int] = {}
        self._boroughs_read: set[str] = set()
        self._title_ids: dict[tuple[str, str], list[int]] = {}
        self._tracker_ids: dict[tuple[str, str], list[int]] = {}
        # How many rows the files hold (about), and the SQL of the indexes a large load
        # dropped before its first new actions, which finish() builds again.
        self.expected = 0
        self._rebuild: list[str] | None = None
        self.progress = progress or (lambda n: None)
        self.file_meetings: list[tuple[str, date]] = []
        self._keys: dict[str, set[str]] = {}
        self._by_id: dict[int, Tracked] = {}
        self._by_title: dict[tuple[str, str], list[Tracked]] = {}
        self._meetings: dict[str, MeetingRef] = {}
        self._new: list[
            tuple[Where, dict[str, Any], str | None, MeetingRef | None, dict[str, Any]]
        ] = []
        self._owners: Directory | None = None  # the owner directory, read once per load

    def _resolve_owner(self, data: dict[str, Any]) -> None:
        """A row's owner as the directory names it (read once per load; a name it does not
        have is kept as given, and a near miss hinted at once)."""
        owner = data.get("owner")
        if not isinstance(owner, str):
            return
        if self._owners is None:
            from casey_cli.store.lookup import owner_directory

            self._owners = owner_directory(self.tx)
        name, hint = self._owners.resolve(owner)
        data["owner"] = name
        if hint is not None and hint not in self.result.hints:
            self.result.hints.append(hint)

    def _check_ref(self, table: str, key: str, where: Where, field: str, hint: str) -> None:
        """Is `key` a row of `table`? The keys are read once per load (a few hundred rows),
        and the rows this load creates are added as it goes."""
        known = self._known(table)
        if key not in known:
            raise where.fail(
                field, f"unknown {field} '{key}'{did_you_mean(key, sorted(known))}; {hint}"
            )

    def _known(self, table: str) -> set[str]:
        known = self._keys.get(table)
        if known is None:
            known = {str(k) for (k,) in self.tx.all(f"SELECT {KEYS[table]} FROM {table}")}
            self._keys[table] = known
        return known

    def _created(self, table: str, key: str, label: tuple[str, str]) -> None:
        if table in self._keys:
            self._keys[table].add(key)
        self.result.add("created", label)

    def _stored(self, value: Any) -> Any:
        """A field value as the store keeps it (timestamps come already stamped)."""
        if isinstance(value, date) and not isinstance(value, datetime):
            return self.tx.day(value)
        return value

    def _insert(self, table: str, columns: Sequence[str], values: dict[str, Any]) -> None:
        self.tx.insert_rows(table, columns, [tuple(self._stored(values.get(c)) for c in columns)])

    def _upsert_plain(
        self,
        table: str,
        key: tuple[str, Any],
        stored: dict[str, Any],
        data: dict[str, Any],
        label: tuple[str, str],
    ) -> None:
        """Reference rows (boroughs, sources, meetings): no history, just counts; the fields
        a dry run names."""
        changed = {k: v for k, v in data.items() if stored[k] != v}
        if changed:
            sets = ", ".join(f'"{k}" = :v_{k}' for k in changed)
            self.tx.execute(
                f"UPDATE {table} SET {sets} WHERE {key[0]} = :key",
                {**{f"v_{k}": self._stored(v) for k, v in changed.items()}, "key": key[1]},
            )
        self.result.add_change(label[0], label[1], list(changed))

    def _upsert_keyed(
        self,
        where: Where,
        table: str,
        columns: tuple[str, ...],
        data: dict[str, Any],
        label: tuple[str, str],
    ) -> None:
        """A borough or a source by its key (the first column): added, or its fields set."""
        key = columns[0]
        row = self.tx.one(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = :key", {"key": data[key]}
        )
        if row is None:
            self._insert(table, columns, _plain_dates(data, ("published",)))
            self._created(table, data[key], label)
            return
        stored = {
            c: as_date(v) if c == "published" else v for c, v in zip(columns, row, strict=True)
        }
        given = {c: data[c] for c in columns[1:] if c in data}  # a key left out is kept
        published = given.get("published")
        if isinstance(published, RelativeDate):
            given["published"] = _read_once(where, "published", published, stored)
        self._upsert_plain(table, (key, data[key]), stored, given, label)

    def _upsert_owner(self, where: Where, owner: dict[str, Any]) -> None:
        """An `owners:` entry: added to the directory, or its owner updated
        (services/owners.py `load`); a key given empty clears that field."""
        from casey_cli.services import owners

        def given(key: str) -> str | None:
            return "" if key in owner and owner[key] is None else owner.get(key)

        try:
            name, changed = owners.load(
                self.tx,
                name=owner["name"],
                email=given("email"),
                organisation=given("organisation"),
                aliases=owner.get("aliases"),
            )
        except InvalidInput as exc:
            # The email's check names its key; all else the directory refuses of a file's
            # entry (its name and aliases checked already) is an alias another owner has.
            raise where.fail("email" if exc.field == "email" else "aliases", exc.message) from None
        if changed is None:
            self.result.add("created", ("owner", name))
        else:
            self.result.add_change("owner", name, changed)

    def apply(self, parsed: Parsed) -> None:
        tx = self.tx
        for where, o in parsed.owners:  # first: the items below resolve through them
            self._row(self._upsert_owner, where, o)
        if parsed.owners:
            self._owners = None  # read again, as this file leaves it, by the first item
        self.file_meetings = [(m["name"], m["date"]) for _, m in parsed.meetings]
        self._meetings = {}
        for where, b in parsed.boroughs:
            self._upsert_keyed(where, "boroughs", BOROUGH_COLUMNS, b, ("borough", b["slug"]))
        for where, s in parsed.sources:
            if s.get("borough"):
                self._check_ref(
                    "boroughs", s["borough"], where, "borough", "see `casey borough list`"
                )
            self._upsert_keyed(where, "sources", SOURCE_COLUMNS, s, ("source", s["code"]))
        for where, code, r in parsed.recs:
            self._row(self._upsert_rec, where, code, r)
            self.progress(1)
        for where, m in parsed.meetings:
            if m.get("borough"):
                self._check_ref(
                    "boroughs", m["borough"], where, "borough", "see `casey borough list`"
                )
            row = tx.one(
                "SELECT id, borough, citation FROM meetings WHERE name = :name AND date = :date",
                {"name": m["name"], "date": tx.day(m["date"])},
            )
            label = ("meeting", f"{m['name']} ({m['date']})")
            if row is None:
                self._insert(
                    "meetings",
                    ("id", "name", "date", "borough", "citation"),
                    {**m, "id": tx.next_id("meetings")},
                )
                self.result.add("created", label)
            else:
                self._upsert_plain(
                    "meetings",
                    ("id", row[0]),
                    {"borough": row[1], "citation": row[2]},
                    {k: m[k] for k in ("borough", "citation") if k in m},
                    label,
                )
        self._prefetch_actions(parsed.actions)
        for where, a in parsed.actions:
            self._row(self._upsert_action, where, a)
            self.progress(1)
        if self.problems is None or not self.problems.found:
            self._insert_new_actions()
        else:
            self._new = []

    def _row(self, apply: Callable[..., None], where: Where, *args: Any) -> None:
        """Apply one row; with a problems list, a row's problem is kept and the load goes on
        to find the rest (the transaction is rolled back at the end)."""
        if self.problems is None:
            apply(where, *args)
            return
        try:
            apply(where, *args)
        except InvalidInput as exc:
            self.problems.add(exc)

    def _outcome(self, where: Where, text: str) -> None:
        """What a row became, kept for the rows a dry run previews."""
        if self.preview is None or where.node is None:
            return
        if len(self._previewed) != len(self.preview):
            self._previewed = {(row.where, row.line) for row in self.preview}
        key = (where.file, where.node.line)
        if key in self._previewed:
            self.outcomes[key] = text

    def finish(self) -> None:
        """Build again the indexes a large load dropped."""
        for sql in self._rebuild or []:
            self.tx.execute(sql)
        self._rebuild = []

    def new_file(self) -> None:
        """Forget the stored actions' titles and references read so far: the next file
        sees what the files before it changed."""
        self._boroughs_read = set()
        self._title_ids = {}
        self._tracker_ids = {}

    def _read_boroughs(self, boroughs: set[str]) -> None:
        """The (id, title, tracker reference) of every stored action in these boroughs,
        read once a file for each borough (a large file's batches share them)."""
        wanted = sorted(boroughs - self._boroughs_read)
        if not wanted:
            return
        self._boroughs_read.update(wanted)
        params = {f"b{n}": borough for n, borough in enumerate(wanted)}
        marks = ", ".join(f":{name}" for name in params)
        for number, borough, title, tracker_ref in self.tx.rows(
            f"SELECT id, borough, title, tracker_ref FROM actions "
            f"WHERE borough IN ({marks}) ORDER BY id",
            params,
        ):
            self._title_ids.setdefault((borough, title.lower()), []).append(number)
            if tracker_ref is not None:
                self._tracker_ids.setdefault((borough, tracker_ref), []).append(number)

    def _prefetch_actions(self, rows: list[tuple[Where, dict[str, Any]]]) -> None:
        """Find the actions a batch of rows names in a few queries, not one per row: by ref,
        by the tracker's reference, or by borough and title whatever their case (as
        duplicates within a file are found). Only the matched actions are read whole."""
        ids = {int(a["ref"][1:]) for _, a in rows if "ref" in a}
        unnamed = [a for _, a in rows if "ref" not in a]
        self._read_boroughs({a["borough"] for a in unnamed})
        titles, trackers = self._title_ids, self._tracker_ids
        by_title: dict[tuple[str, str], list[int]] = {}
        by_tracker: dict[tuple[str, str], list[int]] = {}
        for a in unnamed:
            key = (a["borough"], (a.get("title") or "").lower())
            if key in titles:
                by_title[key] = titles[key]
            tracker_key = (a["borough"], a.get("tracker_ref"))
            if tracker_key in trackers:
                by_tracker[tracker_key] = trackers[tracker_key]
        ids.update(n for numbers in by_title.values() for n in numbers)
        ids.update(n for numbers in by_tracker.values() for n in numbers)
        ordered = sorted(ids)
        columns = ", ".join(f"a.{c}" for c in ACTION_FIELDS)
        dates = [n for n, name in enumerate(ACTION_FIELDS) if name in DATE_FIELDS]
        self._by_id = {}
        for start in range(0, len(ordered), PREFETCH_CHUNK):
            chunk = ordered[start : start + PREFETCH_CHUNK]
            params = {f"i{n}": number for n, number in enumerate(chunk)}
            marks = ", ".join(f":{name}" for name in params)
            for row in self.tx.all(
                f"SELECT {columns}, r.source FROM actions a LEFT JOIN recommendations r "
                f"ON r.ref = a.recommendation WHERE a.id IN ({marks})",
                params,
            ):
                values = list(row[:-1])
                for n in dates:
                    values[n] = as_date(values[n])
                fields = dict(zip(ACTION_FIELDS, values, strict=True))
                self._by_id[fields["id"]] = Tracked(
                    "action", f"A{fields['id']}", fields["borough"], row[-1], fields
                )
        self._by_title = {
            key: [self._by_id[n] for n in numbers] for key, numbers in by_title.items()
        }
        self._by_tracker = {
            key: [self._by_id[n] for n in numbers] for key, numbers in by_tracker.items()
        }

    def _match(
        self, where: Where, borough: str, title: str | None, tracker_ref: str | None
    ) -> Tracked | None:
        """The stored action a row without casey's ref names: the one with the tracker's
        reference in the borough; else the one with the title (one not given another
        tracker reference)."""
        if tracker_ref:
            found = self._by_tracker.get((borough, tracker_ref), [])
            if len(found) > 1:
                refs = ", ".join(action.ref for action in found)
                raise where.fail(
                    "tracker_ref",
                    f"{len(found)} actions in {borough} have the tracker reference "
                    f"{tracker_ref!r} ({refs}); add casey's ref to the row to say which",
                )
            if found:
                action = found[0]
                _same_item(where, action.ref, action.fields["title"], title, tracker_ref)
                return found[0]
        if not title:
            return None
        return self._title_match(where, borough, title, tracker_ref)

    def _title_match(
        self, where: Where, borough: str, title: str, tracker_ref: str | None = None
    ) -> Tracked | None:
        """The stored action a row without a ref names: the one with this title whatever its
        case, or, of several, the one spelt exactly so. Several and none exact: the row must
        say which, never a silent pick."""
        found = self._by_title.get((borough, title.lower()), [])
        if tracker_ref:
            found = [a for a in found if a.fields["tracker_ref"] in (None, tracker_ref)]
        else:  # a row with no reference: an item no reference claims, if there is one
            found = [a for a in found if a.fields["tracker_ref"] is None] or found
        if len(found) > 1:
            found = [action for action in found if action.fields["title"] == title] or found
        if len(found) > 1:
            refs = ", ".join(action.ref for action in found)
            raise where.fail(
                "title",
                f"{len(found)} actions in {borough} have this title in "
                f"some case ({refs}); add a 'ref' column to say which",
            )
        return found[0] if found else None

    def _insert_new_actions(self) -> None:
        """New actions in one positional INSERT (ids in file order), then their 'created'
        events chained in the same order: no dict per row."""
        if not self._new:
            return
        tx = self.tx
        stamp = tx.stamp(tx.now())
        day = tx.day
        first = tx.next_id("actions")
        rows, events = [], []
        dated: list[tuple[str, Where, dict[str, Any]]] = []
        today = self.run.today
        for number, (where, data, note, meeting, extras) in enumerate(self._new, start=first):
            get = data.get
            row = (
                number,
                data["borough"],
                get("recommendation"),
                data["title"],
                get("owner"),
                data["status"],
                day(get("due")),
                day(get("original_due")),
                get("slips", 0),
                get("progress"),
                get("evidence"),
                get("citation"),
                stamp,
                stamp,
                day(get("completed")),
                "unverified",
                get("tracker_ref"),
                get("due_text"),
            )
            ref = f"A{number}"
            events.append(
                {
                    "by": self.run.user,
                    "kind": "action",
                    "ref": ref,
                    "borough": data["borough"],
                    "field": "created",
                    "new": data["title"],
                    "note": note,
                    "meeting_id": meeting.id if meeting else None,
                    "state": action_state(row),
                }
            )
            # A tracker's update and RAG: the events `action progress` and `--rag` write,
            # after the item's creation (its state has none).
            latest = rag = None
            if extras:
                base = {"by": self.run.user, "kind": "action", "ref": ref}
                base["borough"] = data["borough"]
                for text in (extras.get("status_update"), extras.get("update")):
                    if text and text != latest:
                        events.append(
                            {**base, "field": "latest_update", "old": latest, "new": text}
                        )
                        events.append(
                            {
                                **base,
                                "field": "latest_update_on",
                                "old": today if latest else None,
                                "new": today,
                            }
                        )
                        latest = text
                rag = extras.get("reported_rag")
                if rag:
                    loaded_from = f"loaded from {os.path.basename(where.file)}"
                    events.append(
                        {**base, "field": "reported_rag", "new": rag, "note": loaded_from}
                    )
            rows.append((*row, latest, day(today) if latest else None, rag))
            if extras.get("updates") or extras.get("as_of"):
                dated.append((ref, where, extras))
            self._outcome(where, f"{ref} (new)")
            self.result.add("created", ("action", ref))
        if self._rebuild is None:
            new_rows = max(len(rows), self.expected)
            self._rebuild = _drop_indexes(tx, ("actions", "history"), new_rows)
        tx.insert_rows("actions", (*ACTION_COLUMNS, *UPDATE_COLUMNS), rows)
        tx.append_events(events)
        for ref, where, extras in dated:  # a register's own items: a few, one at a time
            self._dated(where, tx.action(ref), extras, new=True)
        self._new = []

    def _noted(self, ref: str, note: str) -> bool:
        """Loading the same minutes twice must not record their notes twice."""
        return (
            self.tx.one(
                "SELECT 1 FROM history WHERE ref = :ref AND note = :note LIMIT 1",
                {"ref": ref, "note": note},
            )
            is not None
        )

    def _rec_number(self, where: Where, code: str, r: dict[str, Any]) -> int:
        """A tracker's recommendation of source `code` (`--source`): the stored one with its
        tracker reference, else with its title (one not given another tracker reference),
        else the source's next number."""
        tracker_ref = r.get("tracker_ref")
        select = "SELECT number, tracker_ref, title FROM recommendations WHERE source = :code AND "
        if tracker_ref:
            found = self.tx.all(select + "tracker_ref = :t", {"code": code, "t": tracker_ref})
            if found:
                number, _, old = found[0]
                _same_item(where, f"{code}-{number}", old, r.get("title"), tracker_ref)
                return int(number)
        if not r.get("title"):
            raise where.fail(
                "tracker_ref",
                f"no recommendation of {code} has the reference {tracker_ref!r}, and a new one "
                f"needs a title; {_title_fix(where)}",
            )
        if r.get("title"):
            found = [
                row
                for row in self.tx.all(
                    select + "lower(title) = :title ORDER BY number",
                    {"code": code, "title": r["title"].lower()},
                )
                if row[1] in (None, tracker_ref)
            ]
            if len(found) > 1:
                numbers = ", ".join(f"{code}-{n}" for n, *_ in found)
                raise where.fail(
                    "title",
                    f"{len(found)} recommendations of {code} have this title ({numbers}); "
                    "add a reference column to say which",
                )
            if found:
                return int(found[0][0])
        number = self._numbers.get(code)
        if number is None:
            number = self.tx.scalar(
                "SELECT coalesce(max(number), 0) FROM recommendations WHERE source = :code",
                {"code": code},
            )
        self._numbers[code] = int(number) + 1
        return int(number) + 1

    def _upsert_rec(self, where: Where, code: str, r: dict[str, Any]) -> None:
        tx = self.tx
        self._resolve_owner(r)
        src = tx.one("SELECT borough FROM sources WHERE code = :code", {"code": code})
        if src is None:
            self._check_ref("sources", code, where, "source", "see `casey source list`")
        if r["number"] is None:
            r["number"] = self._rec_number(where, code, r)
        ref = f"{code}-{r['number']}"
        row = self._rec_row(ref)
        borough = (src[0] if src else None) or FORCE_WIDE
        data = {k: v for k, v in r.items() if k != "number"}
        extras = _take_extras(data)
        if extras.get("revised") and not data.get("reason"):
            data["reason"] = f"revised date in {os.path.basename(where.file)}"
        self._outcome(where, ref if row is not None else f"{ref} (new)")
        if row is None:
            data.pop("reason", None)
            _plain_dates(data, ITEM_DATES)
            data.setdefault("original_due", data.get("due"))
            data["status"] = data.get("status") or "not-started"
            data["response"] = data.get("response") or "pending"
            stamp = tx.stamp(tx.now())
            values = {
                "slips": 0,
                **data,
                "ref": ref,
                "source": code,
                "number": r["number"],
                "created": stamp,
                "updated": stamp,
            }
            self._insert("recommendations", REC_FIELDS, values)
            tx.append_events(
                [
                    {
                        "by": self.run.user,
                        "kind": "recommendation",
                        "ref": ref,
                        "borough": borough,
                        "field": "created",
                        "new": data["title"],
                        "state": state_text(
                            REC_STATE, [self._stored(values.get(n)) for n in REC_STATE]
                        ),
                    }
                ]
            )
            self._created("recommendations", ref, ("recommendation", ref))
            if extras:
                created = self._rec_row(ref)
                assert created is not None
                self._record_extras(where, self._rec(created, borough), extras, None, new=True)
            return
        self._update(where, self._rec(row, borough), data, note=None, meeting=None, extras=extras)

    def _rec_row(self, ref: str) -> Any:
        return self.tx.one(
            f"SELECT {', '.join(REC_FIELDS)} FROM recommendations WHERE ref = :ref", {"ref": ref}
        )

    def _rec(self, row: Any, borough: str) -> Tracked:
        fields: dict[str, Any] = {
            name: as_date(value) if name in DATE_FIELDS else value
            for name, value in zip(REC_FIELDS, row, strict=True)
        }
        return Tracked("recommendation", fields["ref"], borough, fields["source"], fields)

    def _record_extras(
        self,
        where: Where,
        item: Tracked,
        extras: dict[str, Any],
        meeting: MeetingRef | None,
        new: bool = False,
    ) -> list[str]:
        """A tracker's progress updates and officer's RAG on a stored item, as `action
        progress` and `--rag` record them: an update once (the same text again, in any
        later load, adds nothing), the RAG when it differs."""
        from casey_cli.services.progress import record_rag, record_update

        changed: list[str] = []
        for text in (extras.get("status_update"), extras.get("update")):
            if not text or text == item.fields["latest_update"] or self._updated(item.ref, text):
                continue
            try:
                if record_update(self.tx, self.run, item, text):
                    changed.append("latest_update")
            except InvalidInput as exc:
                raise where.fail("update", exc.message) from None
        rag = extras.get("reported_rag")
        if rag and rag != item.fields["reported_rag"]:
            reason = f"loaded from {os.path.basename(where.file)}"
            changed += record_rag(self.tx, self.run, item, {"reported_rag": rag}, reason, meeting)
        return changed + self._dated(where, item, extras, new)

    def _dated(
        self, where: Where, item: Tracked, extras: dict[str, Any], new: bool = False
    ) -> list[str]:
        """A register's dated progress updates (each once, oldest first, on its own date),
        then the day of the item's latest information (`as_of`), recorded with the date in
        its note: the events' times stay the real clock. An item changed since the
        register's date (its `as_of` cleared) keeps its newer history: the file's date is
        set again only when it is later than that change."""
        from casey_cli.services.progress import record_update

        held = item.fields.get("as_of")
        last_change = as_date(item.fields.get("updated"))
        changed: list[str] = []
        for day, text in extras.get("updates") or ():
            if self._updated(item.ref, text):
                continue
            try:
                if record_update(self.tx, self.run, item, text, on=day):
                    changed.append("latest_update")
            except InvalidInput as exc:
                raise where.fail("updates", exc.message) from None
        as_of: date | None = extras.get("as_of")
        if as_of is None or as_of == item.fields.get("as_of"):
            return changed
        if new or held is not None or last_change is None or as_of > last_change:
            changed += self.tx.update(
                item,
                {"as_of": as_of},
                by=self.run.user,
                today=self.run.today,
                note=f"information as at {as_of.isoformat()} (its latest source)",
            )
        return changed

    def _updated(self, ref: str, text: str) -> bool:
        """Was this text ever recorded as the item's progress update?"""
        return (
            self.tx.one(
                "SELECT 1 FROM history WHERE ref = :ref AND field = 'latest_update' "
                "AND new = :text LIMIT 1",
                {"ref": ref, "text": text},
            )
            is not None
        )

    def _meeting(self, where: Where, name: str) -> MeetingRef:
        # A minutes file names its own meeting: that one, whatever met before under the name.
        own = [d for n, d in self.file_meetings if n.lower() == name.strip().lower()]
        text = f"{name} ({own[0]})" if len(own) == 1 else name
        meeting = self._meetings.get(text)
        if meeting is None:  # meetings are all in place before the first action: keep each
            try:
                meeting = self._meetings[text] = self.tx.meeting(text)
            except CaseyError as exc:  # not found or ambiguous: say where in the file
                raise where.fail("meeting", str(exc)) from None
        return meeting

    def _upsert_action(self, where: Where, a: dict[str, Any]) -> None:
        self._resolve_owner(a)
        if a.get("borough") is not None:
            self._check_ref("boroughs", a["borough"], where, "borough", "see `casey borough list`")
        if a.get("recommendation"):
            self._check_ref(
                "recommendations",
                a["recommendation"],
                where,
                "recommendation",
                "see `casey rec list`",
            )
        meeting = self._meeting(where, a["meeting"]) if a.get("meeting") else None
        note = a.pop("note", None)
        a.pop("meeting", None)
        assurance = a.pop("assurance", None)
        action: Tracked | None
        if "ref" in a:
            action = self._by_id.get(int(a["ref"][1:]))
            if action is None:
                raise where.fail(
                    "ref", f"no action {a['ref']} in the store; leave 'ref' out to add a new action"
                )
        else:
            action = self._match(where, a["borough"], a.get("title"), a.get("tracker_ref"))
        if assurance is not None and assurance != (
            action.fields["assurance"] if action else "unverified"
        ):
            raise where.fail(
                "assurance",
                "assurance changes only through `casey action "
                "verify`; leave the column as it was exported",
            )
        data = {k: v for k, v in a.items() if k != "ref"}
        if data.get("borough") is None:
            data.pop("borough", None)  # a row with casey's ref alone: the action's own
        extras = _take_extras(data)
        if extras.get("revised") and not data.get("reason"):
            data["reason"] = f"revised date in {os.path.basename(where.file)}"
        if action is None and not data.get("title"):
            raise where.fail(
                "tracker_ref",
                f"no action in {data['borough']} has the reference {data['tracker_ref']!r}, and "
                f"a new one needs a title; {_title_fix(where)}",
            )
        if action is None:
            data.pop("reason", None)
            _plain_dates(data, ITEM_DATES)
            data.setdefault("original_due", data.get("due"))
            data["status"] = data.get("status") or "not-started"
            self._new.append((where, data, note, meeting, extras))
            return
        self._outcome(where, action.ref)
        self._update(where, action, data, note=note, meeting=meeting, extras=extras)

    def _update(
        self,
        where: Where,
        item: Tracked,
        data: dict[str, Any],
        *,
        note: str | None,
        meeting: MeetingRef | None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        """A row naming an existing item changes it as the commands would: its due date
        moves only as `reschedule` moves it (`_due_move`), evidence gains the lines it lacks,
        its slips and original due date are its own, and a relative date is read once."""
        reason = data.pop("reason", None) or note
        if data.get("due_text") and "due" not in data and item.fields["due"] is not None:
            del data["due_text"]  # words where the item has a date: the date stands
        for name in HISTORY_FIELDS:
            data.pop(name, None)
        if "evidence" in data:
            data["evidence"] = _with_lines(item.fields["evidence"], data["evidence"])
        if isinstance(data.get("completed"), RelativeDate):
            data["completed"] = _read_once(where, "completed", data["completed"], item.fields)
        move = self._due_move(where, item, data.pop("due", _ABSENT), reason)
        changes = _patch(data)
        loaded = f"loaded from {os.path.basename(where.file)}"
        # A note with nothing else to carry it is recorded on its own, once; a move whose
        # reason is the note carries it already.
        alone = (
            note is not None
            and (move is None or reason != note)
            and all(item.fields[k] == v for k, v in changes.items())
            and not self._noted(item.ref, note)
        )
        run, tx = self.run, self.tx
        changed = tx.update(
            item,
            changes,
            by=run.user,
            today=run.today,
            note=note or loaded,
            meeting=meeting,
            note_alone=alone,
        )
        if move is not None:
            changed += tx.update(
                item,
                move,
                by=run.user,
                today=run.today,
                note=reason or loaded,
                meeting=meeting,
                note_alone=False,
            )
        if extras:
            changed += self._record_extras(where, item, extras, meeting)
        self.result.add_change(item.kind, item.ref, changed)

    def _due_move(
        self, where: Where, item: Tracked, due: Any, reason: str | None
    ) -> dict[str, Any] | None:
        """The changes a row's due date makes, under `casey action reschedule`'s rules: none
        for the date the item has; a first date freely; a move only of an open item, with a
        reason (the row's, or its note); never a clearing. A relative date stands for the date
        it gave when first read, if it can have given it (`_read_once`)."""
        if due is _ABSENT:
            return None
        old, ref = item.fields["due"], item.ref
        yaml = where.file.lower().endswith((".yaml", ".yml"))
        if due is None:
            if old is None:
                return None
            raise where.fail(
                "due",
                f"{ref} is due {old} and no command clears a due date; leave the "
                f"{'key' if yaml else 'cell'} as it was, or give the new date and a reason",
            )
        if isinstance(due, RelativeDate):
            due = _read_once(where, "due", due, item.fields)
        if due == old:
            return None
        status = item.fields["status"]
        command = "action" if item.kind == "action" else "rec"
        if status in CLOSED_STATUSES:
            raise where.fail(
                "due",
                f"{ref} is {status}; a load moves the due date of an open item only: "
                f"reopen it first (`casey {command} update {ref} --status in-progress`)",
            )
        if old is not None and not reason:
            how = "a `reason` or a `note`" if yaml and item.kind == "action" else "a `reason`"
            if not yaml:  # a tracker: its way of moving a date is a revised-date column
                how = (
                    "a `reason` column saying why, or keep the first date and give the new "
                    "one in a revised-date column (Revised target date)"
                )
            raise where.fail(
                "due", f"moving {ref}'s due date from {old} to {due} needs a reason; add {how}"
            )
        return due_changes(item, due)


BULK_ROWS = 5000


def _drop_indexes(tx: Tx, tables: tuple[str, ...], new_rows: int) -> list[str]:
    """Adding at least BULK_ROWS rows to a SQLite table no larger than that: drop its indexes
    and return the SQL that builds them (Loader.finish runs it, in the same transaction; an
    error rolls the drop back too). Building an index sorts once; adding rows one by one
    to five indexes in random order costs a third of a large load."""
    rebuild: list[str] = []
    if tx.dialect == "sqlite" and new_rows >= BULK_ROWS:
        for table in tables:
            # max(id), not count(*): one index probe, and an upper bound of the row count.
            held = tx.scalar(f"SELECT coalesce(max(id), 0) FROM {table}")
            if new_rows < held:
                continue
            for name, sql in tx.all(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                "tbl_name = :table AND sql IS NOT NULL ORDER BY name",
                {"table": table},
            ):
                tx.execute(f'DROP INDEX "{name}"')
                rebuild.append(sql)
    return rebuild


# How alike a row's title and its item's must be for the tracker's reference alone to match
# them (difflib's ratio): an edited title is alike; another tracker's item 1 is not.
SAME_TITLE = 0.5


def _same_item(where: Where, ref: str, old: str, title: str | None, tracker_ref: str) -> None:
    """A row matched by its tracker reference whose title is nothing like its item's is
    another tracker's row (two trackers of a borough both number theirs 1, 2, 3...): refuse
    it rather than retitle the item."""
    import difflib

    if not title or title.lower() == old.lower():
        return
    if difflib.SequenceMatcher(None, title.lower(), old.lower()).ratio() >= SAME_TITLE:
        return
    command = "action" if is_action_ref(ref) else "rec"
    raise where.fail(
        "tracker_ref",
        f"the reference {tracker_ref!r} is {ref} ({old!r}), whose title is nothing like "
        f"this row's: if the row is another tracker's, give its references a prefix (or "
        f'--map "{(where.headings or {}).get("tracker_ref", "Ref")}=ignore" to match by title); '
        f"if the title was rewritten, change it first: casey {command} update {ref} "
        "--title TEXT",
    )


def _title_fix(where: Where) -> str:
    """How to give a row its title: fill in the file's title cell, or add a title column."""
    heading = (where.headings or {}).get("title")
    return f"fill in its {heading} cell" if heading else "add a title column"


def _patch(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a file gives an existing item, as changes (its due date aside): an empty
    status is not given, an empty response is `pending`."""
    changes = dict(data)
    if changes.get("status") is None:
        changes.pop("status", None)
    if changes.get("response", "x") is None:
        changes["response"] = "pending"
    return changes


def _plain_dates(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A new record's dates as they will be stored: a relative date is read now, once."""
    for name in names:
        value = data.get(name)
        if isinstance(value, RelativeDate):
            data[name] = value.plain()
    return data


def _read_once(where: Where, name: str, value: RelativeDate, stored: dict[str, Any]) -> date:
    """A relative date (`+2w`, `today`) on a record that exists: read today only when it
    sets the field first; otherwise it stands for the date it gave when it was first read.
    It can have given the stored date on an earlier day only if today it gives that date or
    a later one (every form, `-7d` too, gives a later date on a later day), and, for a due
    date, only if that is still the first due date (not moved since). Anything else would
    move the date: written out, it says which date is meant."""
    old: date | None = stored[name]
    if old is None:
        return value.plain()
    if value == old or (value > old and (name != "due" or old == stored["original_due"])):
        return old
    raise where.fail(
        name,
        f"'{value.text}' is {value} today, and would move the {DATE_NAMES[name]} "
        f"{old}: a relative date is read once, when it first sets a date; write the date "
        "out (YYYY-MM-DD)",
    )


def _with_lines(old: str | None, given: str | None) -> str | None:
    """Evidence a file gives: the lines the item lacks are added, in the file's order; none
    is removed (an empty value adds nothing), as `--evidence` only ever adds."""
    have = {line.strip() for line in (old or "").splitlines()}
    extra: list[str] = []
    for line in (given or "").splitlines():
        line = line.strip()
        if line and line not in have:
            have.add(line)
            extra.append(line)
    if not extra:
        return old
    return "\n".join([old, *extra] if old else extra)


def load_files(
    tx: Tx,
    run: RunContext,
    paths: list[Path],
    progress: Callable[[int], None] | None = None,
    options: ReadOptions | None = None,
    listed: bool = True,
) -> tuple[LoadResult, dict[tuple[str, int], str]]:
    """Validate every file first, then apply them all in the caller's one transaction; every
    problem in every file is reported together, and then nothing is written. `options`
    say how to read a tracker (its encoding, sheet, headings, status words, borough or
    source). Returns the result, and what each row became (for a dry run's preview)."""
    problems = Problems()
    options = options or ReadOptions()
    if options.borough is not None or options.source is not None:
        _check_defaults(tx, options)
    with _collector_paused():
        parsed = []
        for path in paths:
            try:
                parsed.append(parse_file(path, run.today, options, problems))
            except InvalidInput as exc:
                problems.add(exc)
        if tx.dialect == "sqlite" and count(parsed) > 1000:
            # A large load touches every page of the five action indexes in random order:
            # SQLite's 2 MB default page cache would spill to the WAL mid-transaction and
            # re-read pages (this connection only; pages are freed when it closes).
            tx.execute("PRAGMA cache_size=-262144")
        loader = Loader(tx, run, progress, problems, listed)
        loader.expected = count(parsed)
        loader.preview = options.preview
        for p in parsed:
            loader.new_file()
            try:
                for batch in p.each_batch():
                    loader.apply(batch)
            except InvalidInput as exc:
                problems.add(exc)
            loader.result.notes += p.notes
            loader.result.left_out += p.left_out
        problems.check()
        loader.finish()
        return loader.result, loader.outcomes


def _check_defaults(tx: Tx, options: ReadOptions) -> None:
    """`--borough` and `--source` name a borough and a source the store has."""
    for table, key, value, option in (
        ("boroughs", "slug", options.borough, "--borough"),
        ("sources", "code", options.source, "--source"),
    ):
        if value is None:
            continue
        known = [str(k) for (k,) in tx.all(f"SELECT {key} FROM {table} ORDER BY {key}")]
        if value not in known:
            listing = "borough list" if table == "boroughs" else "source list"
            raise InvalidInput(
                f"unknown {table[:-1]} '{value}'{did_you_mean(value, known)}; see "
                f"`casey {listing}`",
                field=option,
            )


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


def seed(tx: Tx, run: RunContext, *, boroughs_only: bool = False) -> LoadResult:
    """Fill a new store from the bundled register (only the boroughs with --no-seed)."""
    parsed = parse_register(bundled_register(), run.today)
    if boroughs_only:
        parsed = Parsed(parsed.boroughs, [], [], [], [])
    loader = Loader(tx, run)
    loader.apply(parsed)
    return loader.result
