"""Plain data returned by services: the contract's item object and the reports built from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from casey_cli.enums import Rag, Status
from casey_cli.text import counted

# The contract's item object (docs/contract.md): its fields, in this order, in every format.
ITEM_COLUMNS = (
    "ref",
    "kind",
    "borough",
    "source",
    "recommendation",
    "title",
    "owner",
    "status",
    "due",
    "original_due",
    "days_overdue",
    "rag",
    "progress",
    "slips",
    "assurance",
    "created",
    "updated",
    "completed",
    "verification",
    "latest_update",
    "latest_update_on",
    "reported_rag",
    "tracker_ref",
    "due_text",
    "as_of",
)


@dataclass
class Item:
    ref: str
    kind: str
    borough: str | None
    source: str | None
    recommendation: str | None
    title: str
    owner: str | None
    status: str
    due: str | None
    original_due: str | None
    days_overdue: int | None
    rag: str
    progress: int | None
    slips: int
    assurance: str | None
    created: str | None
    updated: str | None
    completed: str | None
    verification: str | None = None
    latest_update: str | None = None
    latest_update_on: str | None = None
    reported_rag: str | None = None
    tracker_ref: str | None = None
    due_text: str | None = None
    as_of: str | None = None  # the day of the latest information a register gave

    def to_dict(self) -> dict[str, Any]:
        # Fields are flat values in ITEM_COLUMNS order; asdict() would deep-copy each one
        # and costs most of an export's time.
        return dict(self.__dict__)


@dataclass
class Event:
    id: int
    at: str
    by: str
    kind: str
    ref: str
    field: str
    old: str | None
    new: str | None
    note: str | None
    meeting: str | None
    account: str | None = None  # the store's account that made it; None before schema 0006

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def who(self) -> str:
        """`by` for a person to read, with the account beside it when the two differ:
        'Scrutiny officer (jsmith)'."""
        if self.account is None or self.account == self.by:
            return self.by
        return f"{self.by} ({self.account})"


EVENT_COLUMNS = (
    "id",
    "at",
    "by",
    "kind",
    "ref",
    "field",
    "old",
    "new",
    "note",
    "meeting",
    "account",
)


@dataclass
class ProgressUpdate:
    """One progress update as `show` lists it: its date, text, who gave it and where."""

    on: str
    text: str
    by: str
    meeting: str | None


@dataclass
class ItemDetail:
    """One item with what a person reads on its page: detail fields, its progress updates
    (newest first) and full history."""

    item: Item
    details: dict[str, Any]
    history: list[Event]
    actions: list[Item] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = self.item.to_dict()
        data.update(self.details)
        data["updates"] = [asdict(u) for u in self.updates]
        data["history"] = [e.to_dict() for e in self.history]
        if self.item.kind == "recommendation":
            data["actions"] = [a.to_dict() for a in self.actions]
        return data


@dataclass
class Summary:
    total: int
    by_status: dict[str, int]
    by_rag: dict[str, int]
    overdue: int
    due_soon: int
    gaps: int


def _zeros(values: type[Status] | type[Rag]) -> dict[str, int]:
    return {v.value: 0 for v in values}


# The counts of a London-view row, in the order every format shows them.
LONDON_COUNTS = ("open", "overdue", "due_soon", "gaps", "slipped")
_COUNTED = ("total", *LONDON_COUNTS)


@dataclass
class Counts:
    """Counts over a set of items (a borough, a BCU, London), as the store makes them."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    gaps: int = 0
    slipped: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: _zeros(Status))
    by_rag: dict[str, int] = field(default_factory=lambda: _zeros(Rag))

    def add_group(
        self,
        status: str,
        rag: str,
        n: int,
        *,
        open_: bool,
        overdue: bool,
        due_soon: bool,
        gaps: bool,
        slipped: bool,
    ) -> None:
        """Add n items that share a status, a RAG and whether each rule holds."""
        self.add(
            Counts(
                n,
                n * open_,
                n * overdue,
                n * due_soon,
                n * gaps,
                n * slipped,
                {status: n},
                {rag: n},
            )
        )

    def add(self, other: Counts) -> None:
        for name in _COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.by_status, other.by_status), (self.by_rag, other.by_rag)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n

    def summary(self) -> Summary:
        """The contract's `summary` of `status --format json`."""
        return Summary(
            total=self.total,
            by_status=dict(self.by_status),
            by_rag=dict(self.by_rag),
            overdue=self.overdue,
            due_soon=self.due_soon,
            gaps=self.gaps,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StatusReport:
    today: str
    borough: str | None
    window_days: int
    summary: Summary
    overdue: list[Item]
    due_soon: list[Item]
    gaps: list[Item]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "borough": self.borough,
            "window_days": self.window_days,
            "summary": asdict(self.summary),
            "overdue": [i.to_dict() for i in self.overdue],
            "due_soon": [i.to_dict() for i in self.due_soon],
            "gaps": [i.to_dict() for i in self.gaps],
        }


@dataclass
class LondonRow:
    """A row of the London view: what identifies it (`borough`, `name`, `bcu`; or `bcu`,
    `boroughs`), what a person reads, and its counts."""

    keys: dict[str, Any]
    label: str
    counts: Counts

    def to_dict(self) -> dict[str, Any]:
        return {**self.keys, **self.counts.to_dict()}


@dataclass
class LondonReport:
    """`casey status` with no borough: a headline over everything, rows worst first, and
    the force-wide items (borough `london`) apart."""

    today: str
    window_days: int
    by: str
    summary: Counts
    rows: list[LondonRow]
    force_wide: LondonRow
    # The contract's lists over all London, filled for `--format json` only, so scripts
    # written against the one-borough report read the London one the same way.
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    gaps: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "borough": None,
            "window_days": self.window_days,
            "summary": self.summary.to_dict(),
            "overdue": [i.to_dict() for i in self.overdue],
            "due_soon": [i.to_dict() for i in self.due_soon],
            "gaps": [i.to_dict() for i in self.gaps],
            "by": self.by,
            "rows": [r.to_dict() for r in self.rows],
            "force_wide": self.force_wide.to_dict(),
        }


@dataclass
class Row:
    """A generic reference-data row (source, borough, meeting) with its column order."""

    columns: tuple[str, ...]
    values: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {c: self.values.get(c) for c in self.columns}


@dataclass
class LoadResult:
    """What a load did, per record: (kind, key) pairs in the order they were met."""

    created: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    changed_fields: dict[str, list[str]] = field(default_factory=dict)
    # How each file was read, for a dry run: an encoding or delimiter, the sheets.
    notes: list[str] = field(default_factory=list)
    # The headings of a tracker casey left out, said on every load (a column not read).
    left_out: list[str] = field(default_factory=list)
    # Owner names close to, but not in, the owner directory: one hint each, on stderr.
    hints: list[str] = field(default_factory=list)
    # Whether each record is listed (a dry run's lines, JSON's items), or only counted (a
    # million-row load's result then costs nothing).
    listed: bool = True
    counted: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )

    def add(self, verb: str, label: tuple[str, str]) -> None:
        """A record created, updated or unchanged."""
        self.counted[verb] += 1
        if self.listed:
            getattr(self, verb).append(label)

    def add_change(self, kind: str, key: str, fields: list[str]) -> None:
        if fields:
            self.add("updated", (kind, key))
            if self.listed:
                self.changed_fields[key] = fields
        else:
            self.add("unchanged", (kind, key))

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "items": [
                {
                    "action": verb,
                    "kind": kind,
                    "key": key,
                    "fields": self.changed_fields.get(key, []),
                }
                for verb, entries in (
                    ("created", self.created),
                    ("updated", self.updated),
                    ("unchanged", self.unchanged),
                )
                for kind, key in entries
            ],
        }

    def counts(self) -> dict[str, int]:
        return dict(self.counted)

    def created_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for kind, _ in self.created:
            counts[kind] = counts.get(kind, 0) + 1
        return counts


TREND_COLUMNS = ("period", "as_at", "open", "overdue", "completed")


@dataclass
class TrendPoint:
    """Counts as at the end of a period (the last, unfinished period: as at today)."""

    period: str
    as_at: str
    open: int
    overdue: int
    completed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Trend:
    today: str
    borough: str | None
    by: str
    since: str
    points: list[TrendPoint]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "borough": self.borough,
            "by": self.by,
            "since": self.since,
            "periods": [p.to_dict() for p in self.points],
        }


# `casey chase`: one row per item to chase, in this column order in every format (docs/guide.md).
CHASE_COLUMNS = (
    "owner",
    "ref",
    "kind",
    "borough",
    "title",
    "status",
    "due",
    "days_late",
    "reasons",
    "last_update",
    "last_by",
    "last_note",
    "latest_update",
    "latest_update_on",
)
CHASE_CHECKS = ("overdue", "stale", "gaps")
NO_OWNER = "(no owner)"  # how people's views head the items nobody's name is on


@dataclass
class ChaseRow:
    owner: str | None
    ref: str
    kind: str
    borough: str | None
    title: str
    status: str
    due: str | None
    days_late: int | None
    reasons: str
    last_update: str | None
    last_by: str | None
    last_note: str | None
    latest_update: str | None = None  # the item's latest progress update, and its date
    latest_update_on: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class OwnerChase:
    """One owner's items (owner None: nobody's name is on them), most late first."""

    owner: str | None
    rows: list[ChaseRow]
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, **self.counts, "items": [r.to_dict() for r in self.rows]}


@dataclass
class ChaseList:
    today: str
    borough: str | None
    window_days: int
    stale_days: int
    summary: dict[str, int]
    owners: list[OwnerChase]

    def sentence(self) -> str:
        s = self.summary
        return (
            f"{counted(s['items'], 'item')} for {counted(s['owners'], 'owner')}: "
            f"{s['overdue']} overdue, {s['due_soon']} due within "
            f"{counted(self.window_days, 'day')}, {s['stale']} with no update for over "
            f"{counted(self.stale_days, 'day')}, {s['gaps']} with no owner or no due date."
        )

    def rows(self) -> list[ChaseRow]:
        return [row for group in self.owners for row in group.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "borough": self.borough,
            "window_days": self.window_days,
            "stale_days": self.stale_days,
            "summary": self.summary,
            "owners": [g.to_dict() for g in self.owners],
        }


# --- the committee paper (`casey report`) ---------------------------------------------------


@dataclass
class Slip:
    item: Item
    days_slipped: int
    reasons: list[tuple[str, str, str | None]]  # each later move: from, to (ISO), reason


@dataclass
class DueMove:
    """A due date moved in the period (the extensions a committee approves): from `old` to
    `new` (ISO dates), with the reason and the meeting that agreed it."""

    item: Item
    at: str
    old: str
    new: str
    reason: str | None
    meeting: str | None
    by: str


@dataclass
class PeriodUpdate:
    """A progress update recorded in the period: its date, text and the progress it set."""

    item: Item
    on: str
    text: str
    progress: str | None
    by: str


@dataclass
class RagChange:
    """The reporting officer's RAG changed in the period (None: no RAG given)."""

    item: Item
    at: str
    old: str | None
    new: str | None
    reason: str | None
    by: str


@dataclass
class Report:
    title: str
    borough: str | None
    borough_name: str
    today: str
    since: str
    window_days: int
    stale_days: int
    totals: dict[str, int]
    rag: dict[str, int]
    by_source: dict[str, dict[str, int]]  # by the source's title
    by_theme: dict[str, dict[str, int]]  # by the theme as a name ("Vulnerable people")
    overdue: list[tuple[str, Item]]
    ageing: dict[str, int]
    due_soon: list[Item]
    slipped: list[Slip]
    gaps: list[Item]
    completed: list[Item]
    stale: list[Item]
    changes: list[Event] = field(default_factory=list)  # newest first, creations left out
    as_at: str | None = None  # rebuilt from the history as at the end of this day
    trend: Trend | None = None
    comparison: Comparison | None = None
    added: list[Item] = field(default_factory=list)  # created in the period, newest last
    # Items the bundled register brought in the period (the store's seeding): one line.
    added_with_register: int = 0
    moved: list[DueMove] = field(default_factory=list)
    updates: list[PeriodUpdate] = field(default_factory=list)
    rag_changes: list[RagChange] = field(default_factory=list)
    disagree: list[Item] = field(default_factory=list)  # reported RAG is not the rule's
    changes_left_out: int = 0  # changes in the period beyond those listed


@dataclass
class Comparison:
    """Each headline count then (as at the end of `since`) and at the report's date."""

    since: str
    rows: list[tuple[str, int, int, int]]  # measure, then, now, change
