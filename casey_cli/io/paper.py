"""The committee paper as one document, sections of paragraphs and tables, that the
Markdown, HTML and Word writers each render: the three formats say the same, in the same
order, in the words a council paper uses (names, UK dates, counts in the right number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from casey_cli.enums import RAG_ORDER
from casey_cli.schemas import Event, Item, Report
from casey_cli.text import counted

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What each RAG means under casey's rules (rules.rag), for the reader of the summary.
RAG_MEANING = {
    "red": "overdue",
    "amber": "due soon, or blocked",
    "green": "open, due later",
    "blue": "complete",
    "grey": "dropped, or no due date",
}

# History fields as a paper names them.
FIELD_NAMES = {
    "due": "due date",
    "original_due": "original due date",
    "completed": "completed on",
    "verified_by": "verified by",
    "verified_on": "verified on",
    "verification_evidence": "verification evidence",
    "latest_update": "progress update",
    "latest_update_on": "update date",
    "reported_rag": "officer's RAG",
    "recommendation": "recommendation",
}
DATE_FIELDS = frozenset(
    {"due", "original_due", "completed", "verified_on", "latest_update_on", "as_of"}
)
ISO_DAY = 10  # len("2026-12-05")

# A column narrower than 12 characters on an A4 page is unreadable: the narrowest share of
# the width a column gets (the HTML and Word papers set every column's width from these).
REF_W = 13


def uk_date(iso: str | None) -> str:
    """`2026-12-05` as a UK paper writes it: `5 December 2026` ('' for none)."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:ISO_DAY])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def due_words(item: Item) -> str:
    """An item's due date as a paper writes it, or its tracker's words where it gave none."""
    return uk_date(item.due) or (item.due_text or "")


def london_day(stamp: str) -> str:
    """A history moment (ISO UTC) as the London day it fell on, written the UK way."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return uk_date(moment.astimezone(ZoneInfo("Europe/London")).date().isoformat())


def words(value: str | None) -> str:
    """A status or other slug as words: `in-progress` is `in progress`."""
    return (value or "").replace("-", " ")


def meeting_text(meeting: str | None) -> str | None:
    """A cited meeting, `M5 NAME (YYYY-MM-DD)`, with its date as the paper writes dates."""
    if meeting and meeting.endswith(")") and meeting[-12:-11] == "(":
        return f"{meeting[:-12]}({uk_date(meeting[-11:-1])})"
    return meeting


def rag_word(rag: str | None) -> str:
    """A RAG as the paper names it; an officer's RAG not given (or cleared) says so."""
    return rag.capitalize() if rag else "Not given"


def month_name(period: str) -> str:
    """A trend period `2026-11` as `November 2026` (a quarter stays as it is)."""
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return f"{MONTHS[int(period[5:]) - 1]} {period[:4]}"
    return period


@dataclass
class Column:
    label: str
    width: int  # percent of the text width
    numeric: bool = False
    rag: bool = False  # cells are RAG words: shaded, and labelled in words


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]  # a line break in a cell is a new line in it


@dataclass
class Para:
    text: str
    kind: str = "text"  # text | meta | empty (an empty list, said in words)


@dataclass
class Chart:
    kind: str  # rag | trend (the HTML page draws it; the others give the same as a table)


Block = Para | Table | Chart


@dataclass
class Section:
    heading: str
    level: int = 2
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Paper:
    title: str
    meta: list[str]
    sections: list[Section]
    footer: str


def cols(*spec: tuple[str, int] | Column) -> list[Column]:
    out = [c if isinstance(c, Column) else Column(*c) for c in spec]
    assert sum(c.width for c in out) == 100, [c.label for c in out]
    return out


def _share(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "0%"


def _latest(item: Item) -> str:
    if not item.latest_update:
        return "None recorded"
    on = f" ({uk_date(item.latest_update_on)})" if item.latest_update_on else ""
    return f"{item.latest_update}{on}"


def _status(item: Item) -> str:
    text = words(item.status)
    if item.progress is not None and item.status not in ("complete", "dropped"):
        text += f", {item.progress}%"
    return text


def assurance(item: Any) -> str:
    """An item's assurance as a paper shows it: `verified (same account)` when the account
    that completed it also recorded its verification."""
    if item.verification == "same-account":
        return f"{item.assurance} (same account)"
    return str(item.assurance or "")


# A verification the store cannot tell from the completion (docs/design.md): marked wherever
# a paper shows assurance.
SAME_ACCOUNT_NOTE = (
    "the verification was recorded by the account that completed the action, so the store "
    "cannot tell the verifier from whoever completed it."
)


def change_text(e: Event) -> str:
    """`Status: not started → in progress`, with the field's name and values in words."""
    name = FIELD_NAMES.get(e.field, e.field.replace("_", " "))

    def value(v: str | None) -> str:
        if v is None:
            return ""
        if e.field in DATE_FIELDS:
            return uk_date(v)
        if e.field in ("status", "reported_rag", "assurance", "response"):
            return words(v)
        if e.field == "progress":
            return f"{v}%"
        return v

    old, new = value(e.old), value(e.new)
    label = name[:1].upper() + name[1:]
    if e.field == "note":
        return "Note"
    if not old or e.field == "latest_update":  # an update replaces the last; it is news
        return f"{label}: {new}"
    if not new:
        return f"{label} cleared (was {old})"
    return f"{label}: {old} → {new}"


def _rag_summary(r: Report) -> list[Block]:
    total = sum(r.rag.values())
    rows = [
        [rag_word(rag), str(r.rag[rag]), _share(r.rag[rag], total), RAG_MEANING[rag]]
        for rag in RAG_ORDER
    ]
    rows.append(["Total", str(total), "100%", ""])
    return [
        Table(
            cols(
                Column("RAG", 20, rag=True),
                Column("Items", 15, numeric=True),
                Column("Share", 15, numeric=True),
                ("What it means", 50),
            ),
            rows,
        ),
        Chart("rag"),
    ]


def _groups(groups: dict[str, dict[str, int]], label: str, total: int) -> Table:
    rows = []
    for name, counts in groups.items():
        n = sum(counts.values())
        rows.append([name, f"{n} ({_share(n, total)})", *(str(counts[c]) for c in RAG_ORDER)])
    return Table(
        cols(
            (label, 22),
            Column("Items", 13, numeric=True),
            *(Column(rag_word(c), 13, numeric=True, rag=True) for c in RAG_ORDER),
        ),
        rows,
    )


def _comparison(r: Report) -> list[Section]:
    """With --compare: each headline count then and now."""
    sections: list[Section] = []
    if r.comparison is not None:
        c = r.comparison
        sections.append(
            Section(
                f"Change since {uk_date(c.since)}",
                3,
                [
                    Table(
                        cols(
                            ("Measure", 40),
                            Column(uk_date(c.since), 20, numeric=True),
                            Column(uk_date(r.today), 20, numeric=True),
                            Column("Change", 20, numeric=True),
                        ),
                        [
                            [name.replace("_", " "), str(then), str(now), f"{change:+d}"]
                            for name, then, now, change in c.rows
                        ],
                    )
                ],
            )
        )
    return sections


def _summary(r: Report) -> list[Section]:
    t = r.totals
    open_items = t["open"]
    blocks: list[Block] = [
        Para(
            f"The register holds {counted(t['items'], 'item')} for {r.borough_name}, "
            f"{open_items} of them open: {t['overdue']} overdue, {t['due_soon']} due in the "
            f"next {counted(r.window_days, 'day')}, {counted(t['gaps'], 'gap')} (no owner or "
            f"no due date), {t['slipped']} with a due date that slipped, and {t['stale']} "
            f"with no update for over {counted(r.stale_days, 'day')}."
        ),
        Para(
            f"Since {uk_date(r.since)}: {t['completed_since']} completed"
            + (
                f" ({t['verified_since']} verified"
                + (
                    f", {t['same_account_since']} by the same account"
                    if t["same_account_since"]
                    else ""
                )
                + ")"
                if t["completed_since"]
                else ""
            )
            + f", {len(r.added)} added"
            + (
                f" (and {counted(r.added_with_register, 'item')} from the bundled register)"
                if r.added_with_register
                else ""
            )
            + f", {counted(len(r.moved), 'due date')} moved, "
            f"{counted(len(r.updates), 'progress update')}, "
            f"{counted(len(r.rag_changes), 'change')} of an officer's RAG."
        ),
        *_rag_summary(r),
    ]
    sections = [Section("1. Summary", blocks=blocks)]
    total = t["items"]
    sections.append(Section("By source", 3, [_groups(r.by_source, "Source", total)]))
    sections.append(Section("By theme", 3, [_groups(r.by_theme, "Theme", total)]))
    sections.extend(_comparison(r))
    if r.trend is not None:
        sections.append(
            Section(
                f"Trend by {r.trend.by}",
                3,
                [
                    *([Chart("trend")] if len(r.trend.points) > 1 else []),
                    Table(
                        cols(
                            ("Period", 24),
                            ("As at", 22),
                            Column("Open", 18, numeric=True),
                            Column("Overdue", 18, numeric=True),
                            Column("Completed", 18, numeric=True),
                        ),
                        [
                            [
                                month_name(p.period),
                                uk_date(p.as_at),
                                str(p.open),
                                str(p.overdue),
                                str(p.completed),
                            ]
                            for p in r.trend.points
                        ],
                    ),
                ],
            )
        )
    return sections


def _counted_heading(title: str, n: int, level: int = 2) -> Section:
    return Section(f"{title} ({n})", level)


def _ref_item(item: Item) -> list[str]:
    return [item.ref, item.title]


def _since(r: Report) -> list[Section]:
    since = uk_date(r.since)
    out = [
        Section(
            f"2. Since {since}",
            blocks=[Para(f"What changed from {since} to {uk_date(r.today)}.", "meta")],
        )
    ]

    done = _counted_heading("Completed", len(r.completed), 3)
    if r.completed:
        done.blocks.append(
            Table(
                cols(
                    ("Ref", REF_W),
                    ("Item", 37),
                    ("Owner", 18),
                    ("Completed", 16),
                    ("Assurance", 16),
                ),
                [
                    [*_ref_item(i), i.owner or "", uk_date(i.completed), assurance(i)]
                    for i in r.completed
                ],
            )
        )
        if r.totals["same_account_since"]:
            done.blocks.append(Para(f"Same account: {SAME_ACCOUNT_NOTE}", "meta"))
    else:
        done.blocks.append(Para(f"Nothing was completed since {since}.", "empty"))
    out.append(done)

    added = _counted_heading("Added", len(r.added) + r.added_with_register, 3)
    if r.added_with_register:
        added.blocks.append(
            Para(
                f"{counted(r.added_with_register, 'item')} came with the bundled register "
                "when this store was created; they are not listed one by one.",
                "meta",
            )
        )
    if r.added:
        added.blocks.append(
            Table(
                cols(
                    ("Ref", REF_W),
                    ("Item", 37),
                    ("Owner", 20),
                    ("Due", 15),
                    Column("RAG", 15, rag=True),
                ),
                [[*_ref_item(i), i.owner or "", due_words(i), rag_word(i.rag)] for i in r.added],
            )
        )
    elif not r.added_with_register:
        added.blocks.append(Para(f"Nothing was added since {since}.", "empty"))
    out.append(added)

    moved = _counted_heading("Due dates moved", len(r.moved), 3)
    if r.moved:
        moved.blocks.append(
            Para(
                "Each move of a due date since the period began, with the reason given: the "
                "extensions the committee is asked to note or approve.",
                "meta",
            )
        )
        rows = []
        for m in r.moved:
            days = (date.fromisoformat(m.new) - date.fromisoformat(m.old)).days
            shift = f"{counted(abs(days), 'day')} {'later' if days > 0 else 'earlier'}"
            rows.append(
                [
                    *_ref_item(m.item),
                    f"{uk_date(m.old)} → {uk_date(m.new)} ({shift})",
                    m.reason or "No reason recorded",
                    "\n".join(x for x in (meeting_text(m.meeting), f"by {m.by}") if x),
                ]
            )
        moved.blocks.append(
            Table(
                cols(("Ref", REF_W), ("Item", 24), ("Moved", 20), ("Reason", 24), ("Agreed", 19)),
                rows,
            )
        )
    else:
        moved.blocks.append(Para(f"No due date was moved since {since}.", "empty"))
    out.append(moved)

    rag = _counted_heading("Changes of an officer's RAG", len(r.rag_changes), 3)
    if r.rag_changes:
        rag.blocks.append(
            Table(
                cols(
                    ("Ref", REF_W),
                    ("Item", 24),
                    Column("From", 13, rag=True),
                    Column("To", 13, rag=True),
                    ("Reason", 24),
                    ("By", 13),
                ),
                [
                    [
                        *_ref_item(c.item),
                        rag_word(c.old),
                        rag_word(c.new),
                        c.reason or "",
                        f"{c.by}\n{london_day(c.at)}",
                    ]
                    for c in r.rag_changes
                ],
            )
        )
    else:
        rag.blocks.append(Para(f"No officer's RAG was given or changed since {since}.", "empty"))
    out.append(rag)

    updates = _counted_heading("Progress updates", len(r.updates), 3)
    if r.updates:
        updates.blocks.append(
            Table(
                cols(("Date", 16), ("Ref", REF_W), ("Item", 22), ("Update", 36), ("By", 13)),
                [
                    [
                        uk_date(u.on),
                        *_ref_item(u.item),
                        u.text + (f" (progress {u.progress}%)" if u.progress else ""),
                        u.by,
                    ]
                    for u in reversed(r.updates)
                ],
            )
        )
    else:
        updates.blocks.append(Para(f"No progress update was recorded since {since}.", "empty"))
    out.append(updates)
    return out


def _overdue(r: Report) -> Section:
    section = _counted_heading("3. Overdue", len(r.overdue))
    if not r.overdue:
        section.blocks.append(Para("Nothing is overdue.", "empty"))
        return section
    bands = "; ".join(
        f"{'over 180' if band == '>180' else band} days: {n}" for band, n in r.ageing.items()
    )
    section.blocks.append(Para(f"By how long overdue: {bands}.", "meta"))
    section.blocks.append(
        Table(
            cols(
                ("Ref", REF_W),
                ("Item", 22),
                ("Owner", 14),
                ("Status", 13),
                ("Overdue", 14),
                ("Latest update", 24),
            ),
            [
                [
                    *_ref_item(i),
                    i.owner or "No owner",
                    _status(i),
                    f"{counted(i.days_overdue or 0, 'day')} ({band})\ndue {due_words(i)}",
                    _latest(i),
                ]
                for band, i in r.overdue
            ],
        )
    )
    return section


def _due_soon(r: Report) -> Section:
    section = _counted_heading(
        f"4. Due in the next {counted(r.window_days, 'day')}", len(r.due_soon)
    )
    if not r.due_soon:
        section.blocks.append(
            Para(f"Nothing is due in the next {counted(r.window_days, 'day')}.", "empty")
        )
        return section
    section.blocks.append(
        Table(
            cols(
                ("Ref", REF_W),
                ("Item", 30),
                ("Owner", 17),
                ("Status", 13),
                ("Due", 14),
                Column("RAG", 13, rag=True),
            ),
            [
                [*_ref_item(i), i.owner or "No owner", _status(i), due_words(i), rag_word(i.rag)]
                for i in r.due_soon
            ],
        )
    )
    return section


def _gaps(r: Report) -> Section:
    section = _counted_heading("5. Gaps: no owner or no due date", len(r.gaps))
    if not r.gaps:
        text = (
            "No gaps: every open item has an owner and a due date."
            if r.totals["open"]
            else "No item is open, so none lacks an owner or a due date."
        )
        section.blocks.append(Para(text, "empty"))
        return section
    rows = []
    for i in r.gaps:
        no_date = f"no due date ({i.due_text})" if i.due_text else "no due date"
        missing = [m for m, ok in (("no owner", i.owner), (no_date, i.due)) if not ok]
        rows.append([*_ref_item(i), i.owner or "", _status(i), ", ".join(missing)])
    section.blocks.append(
        Table(
            cols(("Ref", REF_W), ("Item", 37), ("Owner", 20), ("Status", 15), ("Missing", 15)),
            rows,
        )
    )
    return section


def _disagree(r: Report) -> Section:
    section = _counted_heading("6. Officer's RAG and the rule's RAG differ", len(r.disagree))
    if not r.disagree:
        section.blocks.append(
            Para("No item has an officer's RAG that differs from the rule's.", "empty")
        )
        return section
    section.blocks.append(
        Para(
            "The RAG the reporting officer gave beside the one casey's rules give from the "
            "status and dates; the rule's RAG is the one every count in this paper uses.",
            "meta",
        )
    )
    section.blocks.append(
        Table(
            cols(
                ("Ref", REF_W),
                ("Item", 22),
                Column("Officer's RAG", 13, rag=True),
                Column("Rule's RAG", 13, rag=True),
                ("Status", 13),
                ("Due", 26),
            ),
            [
                [
                    *_ref_item(i),
                    rag_word(i.reported_rag),
                    rag_word(i.rag),
                    _status(i),
                    due_words(i)
                    + (f"\n{counted(i.days_overdue, 'day')} overdue" if i.days_overdue else "")
                    or "No due date",
                ]
                for i in r.disagree
            ],
        )
    )
    return section


def _slipped(r: Report) -> Section:
    section = _counted_heading("7. Due dates that slipped", len(r.slipped))
    if not r.slipped:
        section.blocks.append(Para("No due date has slipped.", "empty"))
        return section
    section.blocks.append(
        Table(
            cols(
                ("Ref", REF_W),
                ("Item", 21),
                ("Original due", 14),
                ("Due now", 14),
                ("Slipped", 14),
                ("Reasons", 24),
            ),
            [
                [
                    *_ref_item(s.item),
                    uk_date(s.item.original_due),
                    due_words(s.item),
                    f"{counted(s.item.slips, 'slip')}, {counted(s.days_slipped, 'day')}",
                    "\n".join(
                        f"{uk_date(old)} → {uk_date(new)}: {note or 'no reason recorded'}"
                        for old, new, note in s.reasons
                    ),
                ]
                for s in r.slipped
            ],
        )
    )
    return section


def _stale(r: Report) -> Section:
    days = counted(r.stale_days, "day")
    section = _counted_heading(f"8. No update for over {days}", len(r.stale))
    if not r.stale:
        section.blocks.append(Para(f"Every open item was updated in the last {days}.", "empty"))
        return section
    section.blocks.append(
        Table(
            cols(
                ("Ref", REF_W),
                ("Item", 30),
                ("Owner", 17),
                ("Status", 13),
                ("Last known", 14),
                Column("RAG", 13, rag=True),
            ),
            [
                [
                    *_ref_item(i),
                    i.owner or "No owner",
                    _status(i),
                    # a register's item: the day of its latest source, not of the load
                    uk_date(i.as_of) if i.as_of else london_day(i.updated or ""),
                    rag_word(i.rag),
                ]
                for i in r.stale
            ],
        )
    )
    return section


def _changes(r: Report) -> Section:
    since = uk_date(r.since)
    shown = len(r.changes)
    total = shown + r.changes_left_out
    section = _counted_heading("9. Recent changes", total)
    if not total:
        section.blocks.append(
            Para(
                f"No change since {since} besides the items added (section 2)."
                if r.added or r.added_with_register
                else f"No change was recorded since {since}.",
                "empty",
            )
        )
        return section
    scope = f" --borough {r.borough}" if r.borough else ""
    intro = "Newest first; items added are in section 2."
    if r.changes_left_out:
        intro = (
            f"The latest {shown} of {total}, newest first; items added are in section 2. "
            f"Every change: casey history{scope} --since {r.since}"
        )
    section.blocks.append(Para(intro, "meta"))
    section.blocks.append(
        Table(
            cols(("When", 15), ("Who", 15), ("Ref", REF_W), ("Change", 31), ("Note", 26)),
            [
                [
                    london_day(e.at),
                    e.who,
                    e.ref,
                    change_text(e),
                    "\n".join(x for x in (e.note, meeting_text(e.meeting)) if x),
                ]
                for e in r.changes
            ],
        )
    )
    return section


def build_paper(r: Report, version: str) -> Paper:
    """The paper's sections, in order, from the report."""
    meta = [f"Progress report as at {uk_date(r.today)}, covering changes since {uk_date(r.since)}."]
    if r.as_at:
        meta.append(
            f"Rebuilt from the history as the register stood at the end of {uk_date(r.as_at)} "
            "(London time)."
        )
    footer = f"Generated by casey-cli {version} for {uk_date(r.today)}."
    if not r.totals["items"]:
        place = r.borough_name if r.borough else "London"
        said = (
            f"Nothing was recorded for {place} by the end of {uk_date(r.as_at)}: the "
            "register held no recommendation or action for it then"
            if r.as_at
            else f"Nothing is recorded for {place} yet: the register holds no "
            "recommendation or action for it"
        )
        empty = Section("1. Summary", blocks=[Para(f"{said}, so there is nothing to report.")])
        return Paper(r.title, meta, [empty, *_comparison(r)], footer)
    meta.append(
        f"RAG is worked out from each item's status and dates: red overdue, amber due in the "
        f"next {counted(r.window_days, 'day')} or blocked, green open and due later, blue "
        "complete, grey dropped or with no due date."
    )
    sections = [
        *_summary(r),
        *_since(r),
        _overdue(r),
        _due_soon(r),
        _gaps(r),
        _disagree(r),
        _slipped(r),
        _stale(r),
        _changes(r),
    ]
    return Paper(r.title, meta, sections, footer)
