"""Reads as plain SQL, for every backend: the stdlib sqlite3 driver on a SQLite store (no
SQLAlchemy import on the hot paths) or a SQLAlchemy connection elsewhere. Rows stream in
SPEC order (due date, undated last, then ref), so exports never hold the whole register."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Protocol

from casey_cli import rules
from casey_cli.enums import CLOSED_STATUSES
from casey_cli.schemas import Item


class Reader(Protocol):
    dialect: str

    def rows(self, sql: str, params: dict[str, Any]) -> Iterable[Sequence[Any]]: ...


class SqliteReader:
    dialect = "sqlite"

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def rows(self, sql: str, params: dict[str, Any]) -> Iterable[Sequence[Any]]:
        cursor = self.conn.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


class SQLAlchemyReader:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def rows(self, sql: str, params: dict[str, Any]) -> Iterable[Sequence[Any]]:
        import sqlalchemy as sa

        # Per statement: Connection.execution_options() would change the connection itself,
        # and a later INSERT on it would then run through a server-side cursor.
        yield from self.conn.execute(sa.text(sql), params,
                                     execution_options={"yield_per": 2000})


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_stamp(value: Any) -> str | None:
    """A stored timestamp as the item object shows it: ISO 8601 UTC, to the second, 'Z'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is not None:  # a server may hand back its own time zone
            moment = moment.astimezone(timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value)  # SQLite keeps '2026-11-23 11:12:08.000000' (UTC)
    return f"{text[:10]}T{text[11:19]}Z"


def make_item(*, ref: str, kind: str, borough: str | None, source: str | None,
              recommendation: str | None, title: str, owner: str | None, status: str,
              due: date | None, original_due: date | None, progress: int | None, slips: int,
              assurance: str | None, created: Any, updated: Any, completed: date | None,
              today: date, window: int) -> Item:
    """The one place an item object is built (from ORM rows and from SQL rows alike)."""
    return Item(
        ref=ref, kind=kind, borough=borough, source=source, recommendation=recommendation,
        title=title, owner=owner, status=status,
        due=due.isoformat() if due else None,
        original_due=original_due.isoformat() if original_due else None,
        days_overdue=rules.days_overdue(status, due, today),
        rag=rules.rag(status, due, today, window),
        progress=progress, slips=slips or 0, assurance=assurance,
        created=as_stamp(created), updated=as_stamp(updated),
        completed=completed.isoformat() if completed else None,
    )


@dataclass(frozen=True)
class Filters:
    """What `action list`, `status` and `export` filter on (all optional, all ANDed)."""

    borough: str | None = None
    owner: str | None = None
    statuses: tuple[str, ...] = ()
    source: str | None = None
    recommendation: str | None = None
    due_before: date | None = None
    overdue: bool = False
    theme: str | None = None
    actions: bool = True
    recommendations: bool = True


_ACTIONS = """
SELECT 'A' || a.id, 'action', a.borough, r.source, a.recommendation, a.title, a.owner,
       a.status, a.due, a.original_due, a.progress, a.slips, a.assurance, a.created,
       a.updated, a.completed, 'A'{collate}, a.id, CASE WHEN a.due IS NULL THEN 1 ELSE 0 END
FROM actions a LEFT JOIN recommendations r ON r.ref = a.recommendation
"""
_RECS = """
SELECT r.ref, 'recommendation', COALESCE(s.borough, 'london'), r.source, NULL, r.title,
       r.owner, r.status, r.due, r.original_due, r.progress, r.slips, NULL, r.created,
       r.updated, r.completed, (r.source || '-'){collate}, r.number,
       CASE WHEN r.due IS NULL THEN 1 ELSE 0 END
FROM recommendations r JOIN sources s ON s.code = r.source
"""


def _where(f: Filters, kind: str, today: date, params: dict[str, Any]) -> str:
    alias = "a" if kind == "action" else "r"
    clauses = []
    if f.borough:
        params["borough"] = f.borough
        clauses.append("a.borough = :borough" if kind == "action"
                       else "COALESCE(s.borough, 'london') = :borough")
    if f.owner:
        params["owner"] = "%" + f.owner.strip().lower().replace("\\", "\\\\") \
            .replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(f"lower({alias}.owner) LIKE :owner ESCAPE '\\'")
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
    if f.overdue:
        params["today"] = today.isoformat()
        closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
        clauses.append(f"{alias}.due < :today AND {alias}.status NOT IN ({closed})")
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def items_sql(f: Filters, today: date, dialect: str) -> tuple[str, dict[str, Any]]:
    """The one query behind status, lists and exports (tests EXPLAIN it)."""
    params: dict[str, Any] = {}
    parts = []
    # Byte order for the ref prefix everywhere, as SQLite and Python compare text.
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    if f.actions:
        parts.append(_ACTIONS.format(collate=collate) + _where(f, "action", today, params))
    if f.recommendations:
        parts.append(_RECS.format(collate=collate) + _where(f, "recommendation", today, params))
    if not parts:
        return "", params
    # 19 = undated, 9 = due, then 17 and 18 (ref prefix and number): 'A2 before A10'.
    return " UNION ALL ".join(parts) + " ORDER BY 19, 9, 17, 18", params


def raw_items(reader: Reader, f: Filters, today: date) -> Iterable[Sequence[Any]]:
    """The rows behind `items`, for callers that only count most of them."""
    sql, params = items_sql(f, today, reader.dialect)
    return reader.rows(sql, params) if sql else ()


def item_from_row(row: Sequence[Any], today: date, window: int) -> Item:
    return make_item(
        ref=row[0], kind=row[1], borough=row[2], source=row[3], recommendation=row[4],
        title=row[5], owner=row[6], status=row[7], due=as_date(row[8]),
        original_due=as_date(row[9]), progress=row[10], slips=row[11], assurance=row[12],
        created=row[13], updated=row[14], completed=as_date(row[15]),
        today=today, window=window,
    )


def items(reader: Reader, f: Filters, *, today: date,
          window: int = rules.DEFAULT_WINDOW_DAYS) -> Iterator[Item]:
    """Items matching `f`, streamed in SPEC order: due date (undated last), then ref."""
    for row in raw_items(reader, f, today):
        yield item_from_row(row, today, window)


def names(reader: Reader, table: str, column: str) -> list[str]:
    """Every value of a key column (for checks and 'did you mean')."""
    return [str(r[0]) for r in reader.rows(f"SELECT {column} FROM {table}", {}) if r[0]]


def exists(reader: Reader, table: str, column: str, value: str) -> bool:
    sql = f"SELECT 1 FROM {table} WHERE {column} = :v"
    return any(True for _ in reader.rows(sql, {"v": value}))


def meetings(reader: Reader, borough: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT id, name, date, borough FROM meetings"
    params: dict[str, Any] = {}
    if borough:
        sql += " WHERE borough = :borough"
        params["borough"] = borough
    return [{"ref": f"M{r[0]}", "name": r[1], "date": str(r[2])[:10], "borough": r[3]}
            for r in reader.rows(sql + " ORDER BY date, id", params)]
