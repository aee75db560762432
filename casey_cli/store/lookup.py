"""Look-ups: names are checked, unknown ones get a 'did you mean', meetings are found by ref,
by 'NAME (DATE)' or by a unique name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from casey_cli import rules
from casey_cli.dates import SINCE_HELP, parse_date, parse_written_date
from casey_cli.errors import InvalidInput, NotFound, did_you_mean
from casey_cli.store.items import Filters, exists, names

if TYPE_CHECKING:
    from casey_cli.owners import Directory
    from casey_cli.store.tx import Tx

_MEETING_REF = re.compile(r"^[Mm]?([0-9]{1,9})$")
_SINCE_MEETING = re.compile(r"^[Mm][0-9]{1,9}$")
# NAME (2026-11-19), or with the date day first: NAME (19/11/2026).
_NAME_ON_DATE = re.compile(
    r"^(.*\S)\s*\(([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2}))\)$"
)


def known(tx: Tx, table: str, column: str, value: str, what: str, hint: str) -> str:
    key = value.strip().lower()
    if not exists(tx, table, column, key):
        choices = names(tx, table, column)
        raise NotFound(f"unknown {what} '{value}'{did_you_mean(key, choices)}; see `{hint}`")
    return key


def recommendation(tx: Tx, ref: str) -> tuple[str, str]:
    """(ref, source code) of a recommendation."""
    key = ref.strip().lower()
    rows = list(tx.rows("SELECT ref, source FROM recommendations WHERE ref = :r", {"r": key}))
    if not rows:
        choices = names(tx, "recommendations", "ref")
        raise NotFound(
            f"no recommendation '{ref}'{did_you_mean(key, choices)}; see `casey rec list`"
        )
    return str(rows[0][0]), str(rows[0][1])


@dataclass(frozen=True)
class MeetingRef:
    id: int
    name: str
    date: str

    @property
    def ref(self) -> str:
        return f"M{self.id}"


def meeting(tx: Tx, text: str) -> MeetingRef:
    """A meeting by ref (M3 or 3), by 'NAME (YYYY-MM-DD)' (or DD/MM/YYYY), or by a name only
    one meeting has."""
    value = text.strip()
    sql = "SELECT id, name, date FROM meetings WHERE "
    if match := _MEETING_REF.match(value):
        found = list(tx.rows(sql + "id = :id", {"id": int(match.group(1))}))
        if not found:
            raise NotFound(f"no meeting M{match.group(1)}; see `casey meeting list`")
    elif dated := _NAME_ON_DATE.match(value):
        found = list(
            tx.rows(
                sql + "lower(name) = :n AND date = :d ORDER BY date, id",
                {
                    "n": dated.group(1).lower(),
                    "d": parse_written_date(dated.group(2), field="meeting").isoformat(),
                },
            )
        )
    else:
        found = list(tx.rows(sql + "lower(name) = :n ORDER BY date, id", {"n": value.lower()}))
    if not found:
        choices = names(tx, "meetings", "name")
        raise NotFound(
            f"no meeting '{text}'{did_you_mean(text, choices)}; add it with "
            "`casey meeting add NAME --date D` or see `casey meeting list`"
        )
    meetings = [MeetingRef(int(r[0]), str(r[1]), str(r[2])[:10]) for r in found]
    if len(meetings) > 1:
        refs = ", ".join(f"{m.ref} ({m.date})" for m in meetings)
        last = meetings[-1]
        raise InvalidInput(
            f"several meetings are named '{text}': {refs}; give its ref or "
            f"'{last.name} ({last.date})'"
        )
    return meetings[0]


def since(tx: Tx, text: str, today: date, *, field: str = "--since") -> date:
    """The day a --since value gives: a meeting ref (M5, any case) is that meeting's date;
    anything else is a date (dates.parse_date), counted from `today`."""
    if _SINCE_MEETING.match(text.strip()):
        return date.fromisoformat(meeting(tx, text).date)
    return parse_date(text, today, field=field, forms=SINCE_HELP)


def borough_slug(tx: Tx, value: str) -> str:
    """A borough slug the store knows (any case), or NotFound with a did-you-mean."""
    return known(tx, "boroughs", "slug", value, "borough", "casey borough list")


def filters(
    tx: Tx,
    *,
    borough: str | None = None,
    owner: str | None = None,
    statuses: Sequence[str] = (),
    source: str | None = None,
    recommendation: str | None = None,
    theme: str | None = None,
    **rest: object,
) -> Filters:
    """Filters with every named borough, source, recommendation and theme checked, and an
    owner matched through the owner directory too."""
    if theme:
        theme = known(tx, "recommendations", "theme", theme, "theme", "casey rec list")
    return Filters(
        borough=borough_slug(tx, borough) if borough else None,
        owner=owner or None,
        owner_spellings=owner_spellings(tx, owner, owner_directory(tx)) if owner else (),
        statuses=tuple(rules.normalise_status(s) for s in statuses),
        source=known(tx, "sources", "code", source, "source", "casey source list")
        if source
        else None,
        recommendation=known(
            tx, "recommendations", "ref", recommendation, "recommendation", "casey rec list"
        )
        if recommendation
        else None,
        theme=theme,
        **rest,  # type: ignore[arg-type]
    )


def owner_directory(tx: Tx) -> Directory:
    """The owner directory as it stands: every owner's name and alias keys, in two queries."""
    from casey_cli.owners import Directory, owner_key

    names: dict[str, str] = {}
    by_id: dict[int, str] = {}
    for number, name in tx.all("SELECT id, name FROM owners"):
        by_id[int(number)] = str(name)
        names[owner_key(str(name))] = str(name)
    for alias, number in tx.all("SELECT alias, owner_id FROM owner_aliases"):
        names.setdefault(str(alias), by_id[int(number)])
    return Directory(names)


def owner_spellings(tx: Tx, owner: str, directory: Directory) -> tuple[str, ...]:
    """`--owner` with a directory: the stored owner names that the plain match (a part of
    the stored name) misses but that stand for a directory owner matched by `owner`: its
    name or an alias given in full, or a part of its name. 'Supt, Central North' given for
    an owner whose items say 'Met CN BCU' finds those items."""
    from casey_cli.owners import owner_key

    if not directory.names:
        return ()
    part = owner.strip().lower()
    named = directory.names.get(owner_key(owner))
    found = []
    for (stored,) in tx.all(
        "SELECT DISTINCT owner FROM actions WHERE owner IS NOT NULL "
        "UNION SELECT DISTINCT owner FROM recommendations WHERE owner IS NOT NULL"
    ):
        text = str(stored)
        shown = directory.name_of(text) or text
        if part in text.lower():
            if not text.isascii():  # SQLite's lower() folds ASCII letters only
                found.append(text)
            continue  # the plain match finds it
        if shown == named or (shown != text and part in shown.lower()):
            found.append(text)
    return tuple(sorted(found))
