"""The register's items as plain SQL on every backend: the one query behind status, lists,
exports and chase lists, counts made by the store, and the item object built from a row.
Rows stream in the contract's order (due date, undated last, then ref), so exports never hold the
whole register."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from casey_cli import rules
from casey_cli.dates import stamp_text
from casey_cli.enums import FORCE_WIDE
from casey_cli.schemas import ITEM_COLUMNS, Counts, Item

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):  # a server hands back its own zone: the UTC day, as
        return (value.astimezone(UTC) if value.tzinfo else value).date()  # SQLite
    return date.fromisoformat(str(value)[:10])


def as_stamp(value: Any) -> str | None:
    """A stored timestamp as the item object shows it: ISO 8601 UTC, to the second, 'Z'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return stamp_text(value)  # a server hands back its own time zone: stamp_text is UTC
    text = str(value)  # SQLite keeps '2026-11-23 11:12:08.000000' (UTC)
    return f"{text[:10]}T{text[11:19]}Z"


def last_known(as_of: Any, updated: Any) -> date | None:
    """The day an item was last known about: the register's date of its latest information
    while it holds one, else the day of its latest change."""
    return as_date(as_of) or as_date(updated)


def make_item(
    *,
    ref: str,
    kind: str,
    borough: str | None,
    source: str | None,
    recommendation: str | None,
    title: str,
    owner: str | None,
    status: str,
    due: date | None,
    original_due: date | None,
    progress: int | None,
    slips: int,
    assurance: str | None,
    created: Any,
    updated: Any,
    completed: date | None,
    today: date,
    window: int,
    verification: str | None = None,
    latest_update: str | None = None,
    latest_update_on: date | None = None,
    reported_rag: str | None = None,
    tracker_ref: str | None = None,
    due_text: str | None = None,
    as_of: date | None = None,
) -> Item:
    """The one place an item object is built (from ORM rows and from SQL rows alike)."""
    return Item(
        ref=ref,
        kind=kind,
        borough=borough,
        source=source,
        recommendation=recommendation,
        title=title,
        owner=owner,
        status=status,
        due=due.isoformat() if due else None,
        original_due=original_due.isoformat() if original_due else None,
        days_overdue=rules.days_overdue(status, due, today),
        rag=rules.rag(status, due, today, window),
        progress=progress,
        slips=slips or 0,
        assurance=assurance,
        created=as_stamp(created),
        updated=as_stamp(updated),
        completed=completed.isoformat() if completed else None,
        verification=verification,
        latest_update=latest_update,
        latest_update_on=latest_update_on.isoformat() if latest_update_on else None,
        reported_rag=reported_rag,
        tracker_ref=tracker_ref,
        due_text=due_text,
        as_of=as_of.isoformat() if as_of else None,
    )


# How an action's verification was recorded, from the history's accounts: the account of its
# verification (its latest `assurance` event) against the account of its completion (its
# latest change of status to complete, else its creation, for an action created complete):
# 'same-account' or 'other-account'; NULL unless the action is verified, and when either
# event is older than the accounts (schema 0006). Two look-ups on the history index, made
# only for verified actions. `ref` is the SQL of the action's ref.
VERIFICATION_WORDS = ("same-account", "other-account")


def verification_sql(ref: str) -> str:
    last = "(SELECT max(id) FROM history WHERE ref = " + ref + " AND {})"
    verified = last.format("field = 'assurance'")
    completed = last.format("(field = 'created' OR field = 'status' AND new = 'complete')")
    return (
        "CASE WHEN a.assurance = 'verified' THEN (SELECT CASE WHEN v.account = c.account "
        "THEN 'same-account' ELSE 'other-account' END FROM history v, history c "
        f"WHERE v.id = {verified} AND c.id = {completed} "
        "AND v.account IS NOT NULL AND c.account IS NOT NULL) END"
    )


@dataclass(frozen=True)
class Filters:
    """What `action list`, `status` and `export` filter on (all optional, all ANDed)."""

    borough: str | None = None
    owner: str | None = None  # a part of the owner's name, any case
    # Stored owner names `owner` stands for through the owner directory (lookup.filters).
    owner_spellings: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    source: str | None = None
    recommendation: str | None = None
    due_before: date | None = None
    overdue: bool = False
    due_soon_days: int | None = None  # due soon within this window (rules.is_due_soon)
    gaps: bool = False  # no owner or no due date (rules.is_gap)
    theme: str | None = None
    actions: bool = True
    recommendations: bool = True


# An item row's stored columns per kind (ITEM_COLUMNS less days_overdue and rag), then the
# sort keys: ref prefix, number and 'undated'.
_ROW = (
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
_ACTION_ROW = (
    "'A' || a.id",
    "'action'",
    "a.borough",
    "r.source",
    "a.recommendation",
    "a.title",
    "a.owner",
    "a.status",
    "a.due",
    "a.original_due",
    "a.progress",
    "a.slips",
    "a.assurance",
    "a.created",
    "a.updated",
    "a.completed",
    verification_sql("'A' || a.id"),
    "a.latest_update",
    "a.latest_update_on",
    "a.reported_rag",
    "a.tracker_ref",
    "a.due_text",
    "a.as_of",
    "'A'{collate}",
    "a.id",
    "CASE WHEN a.due IS NULL THEN 1 ELSE 0 END",
)
_REC_ROW = (
    "r.ref",
    "'recommendation'",
    f"COALESCE(s.borough, '{FORCE_WIDE}')",
    "r.source",
    "NULL",
    "r.title",
    "r.owner",
    "r.status",
    "r.due",
    "r.original_due",
    "r.progress",
    "r.slips",
    "NULL",
    "r.created",
    "r.updated",
    "r.completed",
    "NULL",
    "r.latest_update",
    "r.latest_update_on",
    "r.reported_rag",
    "r.tracker_ref",
    "r.due_text",
    "r.as_of",
    "(r.source || '-'){collate}",
    "r.number",
    "CASE WHEN r.due IS NULL THEN 1 ELSE 0 END",
)
_ACTIONS_FROM = " FROM actions a LEFT JOIN recommendations r ON r.ref = a.recommendation"
_RECS_FROM = " FROM recommendations r JOIN sources s ON s.code = r.source"
# Force-wide sources (no borough) count as borough `london`.
_BOROUGH = {"action": "a.borough", "recommendation": f"COALESCE(s.borough, '{FORCE_WIDE}')"}
# The item's latest history event (columns 27-31), one index seek per row (ix_history_ref_id).
_LAST = ("h.at", 'h."by"', "h.note", "h.field", "h.new")
_LAST_JOIN = " LEFT JOIN history h ON h.id = (SELECT max(id) FROM history WHERE ref = {ref})"


def _where(f: Filters, kind: str, today: date, params: dict[str, Any]) -> str:
    alias = "a" if kind == "action" else "r"
    clauses = []
    if f.borough:
        params["borough"] = f.borough
        clauses.append(f"{_BOROUGH[kind]} = :borough")
    if f.owner:
        params["owner"] = (
            "%"
            + f.owner.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        match = f"lower({alias}.owner) LIKE :owner ESCAPE '\\'"
        if f.owner_spellings:
            marks = []
            for n, spelling in enumerate(f.owner_spellings):
                params[f"owner{n}"] = spelling
                marks.append(f":owner{n}")
            match = f"({match} OR {alias}.owner IN ({', '.join(marks)}))"
        clauses.append(match)
    if f.statuses:
        names = []
        for n, status in enumerate(f.statuses):
            params[f"status{n}"] = status
            names.append(f":status{n}")
        clauses.append(f"{alias}.status IN ({', '.join(names)})")
    if f.source:
        params["source"] = f.source
        clauses.append("r.source = :source")
    if f.recommendation:
        params["rec"] = f.recommendation
        clauses.append("a.recommendation = :rec" if kind == "action" else "r.ref = :rec")
    if f.theme:
        params["theme"] = f.theme
        clauses.append("r.theme = :theme")
    if f.due_before:
        params["due_before"] = f.due_before.isoformat()
        clauses.append(f"{alias}.due < :due_before")
    status, due = f"{alias}.status", f"{alias}.due"
    if f.overdue:
        params["today"] = today.isoformat()
        clauses.append(rules.sql_is_overdue(status, due))
    if f.due_soon_days is not None:  # its own end, apart from the :soon a count or export uses
        params["today"] = today.isoformat()
        params["filter_soon"] = (today + timedelta(days=f.due_soon_days)).isoformat()
        clauses.append(rules.sql_is_due_soon(status, due, ":filter_soon"))
    if f.gaps:
        clauses.append(rules.sql_is_gap(status, f"{alias}.owner", due))
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def _union(
    f: Filters,
    today: date,
    dialect: str,
    select: Callable[[dict[str, str]], list[str]] | None = None,
    last_event: bool = False,
) -> tuple[str, dict[str, Any]]:
    """Actions and recommendations matching `f`, each row `select`ed from the stored
    columns by name (default: the stored columns and sort keys, in _ROW order); with
    `last_event`, each row also carries its latest history event (_LAST)."""
    params: dict[str, Any] = {}
    parts = []
    # Byte order for the ref prefix everywhere, as SQLite and Python compare text.
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    for kind, wanted, row, source in (
        ("action", f.actions, _ACTION_ROW, _ACTIONS_FROM),
        ("recommendation", f.recommendations, _REC_ROW, _RECS_FROM),
    ):
        if not wanted:
            continue
        stored, keys = row[: len(_ROW)], [k.format(collate=collate) for k in row[len(_ROW) :]]
        columns = select(dict(zip(_ROW, stored, strict=True))) if select else list(stored)
        extra, join = [], ""
        if last_event:
            extra, join = list(_LAST), _LAST_JOIN.format(ref=row[0])
        parts.append(
            "SELECT "
            + ", ".join(columns + keys + extra)
            + source
            + join
            + _where(f, kind, today, params)
        )
    return " UNION ALL ".join(parts), params


def stored_items_sql(
    f: Filters, today: date, dialect: str, last_event: bool = False, limit: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The one query behind status, lists, exports and chase lists (tests EXPLAIN it); with
    `last_event`, each row also carries its latest history event (at, by, note, field, new);
    `limit`: only the first rows in that order."""
    union, params = _union(f, today, dialect, last_event=last_event)
    if not union:
        return "", params
    # 26 = undated, 9 = due, then 24 and 25 (ref prefix and number): 'A2 before A10'.
    query = union + " ORDER BY 26, 9, 24, 25"
    if limit is not None:
        params["limit"] = limit
        query += " LIMIT :limit"
    return query, params


def stored_items(
    tx: Tx, f: Filters, today: date, last_event: bool = False, limit: int | None = None
) -> Iterable[Sequence[Any]]:
    """The rows behind `items`."""
    sql, params = stored_items_sql(f, today, tx.dialect, last_event, limit)
    return tx.rows(sql, params) if sql else ()


def item_from_stored(
    row: Sequence[Any], today: date, window: int, owner: Callable[[str | None], str | None]
) -> Item:
    """An item from its stored row; `owner` gives the name its stored owner stands for."""
    return make_item(
        ref=row[0],
        kind=row[1],
        borough=row[2],
        source=row[3],
        recommendation=row[4],
        title=row[5],
        owner=owner(row[6]),
        status=row[7],
        due=as_date(row[8]),
        original_due=as_date(row[9]),
        progress=row[10],
        slips=row[11],
        assurance=row[12],
        created=row[13],
        updated=row[14],
        completed=as_date(row[15]),
        today=today,
        window=window,
        verification=row[16],
        latest_update=row[17],
        latest_update_on=as_date(row[18]),
        reported_rag=row[19],
        tracker_ref=row[20],
        due_text=row[21],
        as_of=as_date(row[22]),
    )


def items(
    tx: Tx, f: Filters, *, today: date, window: int, limit: int | None = None
) -> Iterator[Item]:
    """Items matching `f`, streamed in the contract's order: due date (undated last), then
    ref; each owner as the owner directory names it."""
    from casey_cli.store.lookup import owner_directory

    owner = owner_directory(tx).name_of
    for row in stored_items(tx, f, today, limit=limit):
        yield item_from_stored(row, today, window, owner)


def _count_sql(
    f: Filters, today: date, window: int, by_borough: bool
) -> tuple[str, dict[str, Any]]:
    """Items counted by (borough, rules.sql_count_class) in one query."""
    params: dict[str, Any] = {}
    parts = []
    # An action's recommendation is joined only to filter on its source or theme: without
    # the join, the counts are read from the covering (borough, status, due, ...) index.
    actions_from = _ACTIONS_FROM if f.source or f.theme else " FROM actions a"
    for kind, alias, from_, wanted in (
        ("action", "a", actions_from, f.actions),
        ("recommendation", "r", _RECS_FROM, f.recommendations),
    ):
        if wanted:
            grp = _BOROUGH[kind] if by_borough else "''"
            cls = rules.sql_count_class(
                *(f"{alias}.{c}" for c in ("status", "due", "owner", "slips"))
            )
            parts.append(
                f"SELECT {grp}, {cls}, COUNT(*) {from_}"
                f"{_where(f, kind, today, params)} GROUP BY 1, 2, 3, 4, 5"
            )
    params.update(rules.sql_params(today, window))
    return " UNION ALL ".join(parts), params


def _counts(tx: Tx, f: Filters, today: date, window: int, by_borough: bool) -> dict[str, Counts]:
    """The rules applied once per class of items (rules.representative), not per item."""
    counts: dict[str, Counts] = {}
    if not (f.actions or f.recommendations):
        return counts
    sql, params = _count_sql(f, today, window, by_borough)
    for grp, status, due_class, no_owner, slipped, n in tx.rows(sql, params):
        due, owner, slips = rules.representative(
            int(due_class), bool(no_owner), bool(slipped), today, window
        )
        counts.setdefault(str(grp), Counts()).add_group(
            status,
            rules.rag(status, due, today, window),
            n,
            open_=rules.is_open(status),
            overdue=rules.is_overdue(status, due, today),
            due_soon=rules.is_due_soon(status, due, today, window),
            gaps=rules.is_gap(status, owner, due),
            slipped=rules.has_slipped(slips),
        )
    return counts


def count_items(tx: Tx, f: Filters, *, today: date, window: int) -> Counts:
    """Counts over every item matching `f` (total, open, by status and RAG, overdue, due
    soon, gaps, slipped), made by the store in one query."""
    return _counts(tx, f, today, window, by_borough=False).get("", Counts())


def count_by_borough(tx: Tx, f: Filters, *, today: date, window: int) -> dict[str, Counts]:
    """count_items per borough slug (force-wide items under `london`), in one GROUP BY;
    boroughs with no matching item are absent."""
    return _counts(tx, f, today, window, by_borough=True)


# The item object computed by SQLite itself, for exports of the whole register: the same
# values as make_item (tests compare them field by field), with no Python object per row.
def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Columns a CHECK constraint or their SQL limits to fixed words (rules.Status,
# unverified/verified, VERIFICATION_WORDS), none of which starts with a character the CSV
# guard is for. (Texts that start with a constant,
# such as 'A' || a.id, are known safe from their SQL.)
_CLOSED_WORDS = frozenset({"status", "assurance", "verification", "reported_rag"})


def _item_values_sql(
    f: Filters, today: date, window: int, guard: tuple[str, ...], raw_owner: bool = False
) -> tuple[str, dict[str, Any]]:
    starts = ", ".join(_sql_text(c) for c in guard)

    def select(c: dict[str, str]) -> list[str]:
        def text(name: str) -> str:
            value = c[name]
            if (
                not guard
                or value == "NULL"
                or name in _CLOSED_WORDS
                or (value[:1] == "'" and value[1:2] not in guard)
            ):
                return value  # cannot start with a guarded character: no CASE per row
            return (
                f"CASE WHEN substr({value}, 1, 1) IN ({starts}) THEN '''' || {value} "
                f"ELSE {value} END"
            )

        def stamp(name: str) -> str:  # as_stamp
            return f"substr({c[name]}, 1, 10) || 'T' || substr({c[name]}, 12, 8) || 'Z'"

        status, due = c["status"], c["due"]
        return [
            text("ref"),
            c["kind"],
            text("borough"),
            text("source"),
            text("recommendation"),
            text("title"),
            c["owner"] if raw_owner else text("owner"),
            text("status"),
            f"substr({due}, 1, 10)",
            f"substr({c['original_due']}, 1, 10)",
            rules.sql_days_overdue(status, due),
            rules.sql_rag(status, due),
            c["progress"],
            f"coalesce({c['slips']}, 0)",
            text("assurance"),
            stamp("created"),
            stamp("updated"),
            f"substr({c['completed']}, 1, 10)",
            text("verification"),
            text("latest_update"),
            f"substr({c['latest_update_on']}, 1, 10)",
            text("reported_rag"),
            text("tracker_ref"),
            text("due_text"),
            f"substr({c['as_of']}, 1, 10)",
        ]

    union, params = _union(f, today, "sqlite", select)
    params.update(rules.sql_params(today, window))
    # 28 = undated, 9 = due, then 26 and 27 (ref prefix and number), as in stored_items_sql.
    return (union + " ORDER BY 28, 9, 26, 27" if union else ""), params


_ITEM_FIELDS = operator.itemgetter(slice(0, len(ITEM_COLUMNS)))


def item_values(
    tx: Tx, f: Filters, *, today: date, window: int, guard: tuple[str, ...] = ()
) -> Iterable[Sequence[Any]]:
    """Item objects as tuples in ITEM_COLUMNS order, streamed in the contract's order (on
    SQLite with no Python step per row); a text cell that starts with one of `guard` gets a
    leading "'" (the CSV export's guard against spreadsheet formulas)."""
    from casey_cli.store.lookup import owner_directory

    directory = owner_directory(tx)
    if tx.dialect == "sqlite":
        sql, params = _item_values_sql(f, today, window, guard, raw_owner=bool(directory.names))
        values = map(_ITEM_FIELDS, tx.cursor(sql, params)) if sql else ()
        if not directory.names:
            return values
        return (_owner_named(row, directory.name_of, guard) for row in values)
    rows = (tuple(i.to_dict().values()) for i in items(tx, f, today=today, window=window))
    if not guard:
        return rows
    return (
        tuple("'" + v if isinstance(v, str) and v.startswith(guard) else v for v in row)
        for row in rows
    )


_OWNER = ITEM_COLUMNS.index("owner")


def _owner_named(
    row: Sequence[Any], name_of: Callable[[str | None], str | None], guard: tuple[str, ...]
) -> tuple[Any, ...]:
    """A row of item values with its owner as the directory names it (and guarded)."""
    owner = name_of(row[_OWNER])
    if guard and owner and owner.startswith(guard):
        owner = "'" + owner
    return (*row[:_OWNER], owner, *row[_OWNER + 1 :])


def names(tx: Tx, table: str, column: str) -> list[str]:
    """Every value of a key column (for checks and 'did you mean')."""
    return [str(r[0]) for r in tx.rows(f"SELECT {column} FROM {table}", {}) if r[0]]


def boroughs(tx: Tx) -> list[tuple[str, str, str | None]]:
    """Every borough as (slug, name, Met BCU), by slug."""
    return [
        (str(r[0]), str(r[1]), r[2])
        for r in tx.rows("SELECT slug, name, bcu FROM boroughs ORDER BY slug", {})
    ]


def exists(tx: Tx, table: str, column: str, value: str) -> bool:
    sql = f"SELECT 1 FROM {table} WHERE {column} = :v"
    return any(True for _ in tx.rows(sql, {"v": value}))


def meetings(tx: Tx, borough: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT id, name, date, borough FROM meetings"
    params: dict[str, Any] = {}
    if borough:
        sql += " WHERE borough = :borough"
        params["borough"] = borough
    return [
        {"ref": f"M{r[0]}", "name": r[1], "date": str(r[2])[:10], "borough": r[3]}
        for r in tx.rows(sql + " ORDER BY date, id", params)
    ]


def recommendations_for(tx: Tx, borough: str) -> list[tuple[str, str]]:
    """(ref, title) of the recommendations a borough's actions answer: force-wide sources'
    and the borough's own plans', in source then number order."""
    sql = (
        "SELECT r.ref, r.title FROM recommendations r JOIN sources s ON s.code = r.source "
        "WHERE s.borough IS NULL OR s.borough = :b ORDER BY r.source, r.number"
    )
    return [(str(r[0]), str(r[1])) for r in tx.rows(sql, {"b": borough})]
