"""`casey db dump` and `casey db restore`: the whole register as one JSON document
(io.dump), written a row at a time from one snapshot, and read back into an empty store with
the history chain verified event by event as it goes in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from casey_cli.chain import FOLLOW, HASH, link_problem
from casey_cli.errors import InvalidInput
from casey_cli.io import dump as fmt

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

BATCH = 1000  # rows a restore inserts at a time


@dataclass
class Counts:
    """Rows of each table, in dump order, and the chain tip; filled as a dump streams."""

    rows: dict[str, int] = field(default_factory=dict)
    chain_tip: str | None = None

    def summary(self) -> str:
        """The counts for people; the owner directory's only when it has rows (most
        registers keep none)."""
        return ", ".join(
            f"{n} {'history events' if table == 'history' else table.replace('_', ' ')}"
            for table, n in self.rows.items()
            if n or table not in fmt.TABLE_SINCE
        )


def _order(tx: Tx, table: str) -> str:
    """Rows by key; text keys in byte order on both backends, so a dump of the same register
    is the same bytes whichever store it came from."""
    key = fmt.KEYS[table]
    collate = ' COLLATE "C"' if tx.dialect == "postgresql" and key != "id" else ""
    return f"ORDER BY {key}{collate}"


def _column(tx: Tx, name: str, kind: str) -> str:
    """A column as the dump reads it: a server's times as UTC text in SQLite's layout, which
    fmt.timestamp reads without a datetime (a third of a PostgreSQL dump's time)."""
    if kind == fmt.TIMESTAMP and tx.dialect == "postgresql":
        return f"to_char(\"{name}\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return f'"{name}"'


_HASH = fmt.COLUMNS["history"].index("hash")


def dump(tx: Tx, counts: Counts) -> Iterator[bytes]:
    """The dump's bytes, streamed from the transaction's snapshot; `counts` is filled as it
    goes (complete once the last chunk is out)."""
    from casey_cli import __version__
    from casey_cli.store.versions import HEAD

    meta = {"casey_cli": __version__, "schema": HEAD, "store_id": tx.store_id()}
    yield fmt.head(meta).encode("utf-8")
    for table, columns in fmt.TABLES:
        line = fmt.row_writer(table)
        selected = ", ".join(_column(tx, name, kind) for name, kind in columns)
        counts.rows[table] = 0

        def lines(table: str = table, line: Any = line, selected: str = selected) -> Iterator[str]:
            for row in tx.rows(f"SELECT {selected} FROM {table} {_order(tx, table)}"):
                counts.rows[table] += 1
                if table == "history":
                    counts.chain_tip = row[_HASH]
                yield line(row)

        for chunk in fmt.table(table, lines()):
            yield chunk.encode("utf-8")
    yield fmt.tail(counts.chain_tip).encode("utf-8")


def restore(tx: Tx, reader: fmt.Reader) -> Counts:
    """Insert every row of the dump into the empty store `tx` writes to, table by table in
    batches, checking the history chain event by event; the row counts. A dump whose chain
    does not verify, or that the store's rules refuse, raises InvalidInput (the caller's
    transaction then writes nothing)."""
    counts = Counts()
    where = reader.name
    day = tx.day
    stamp = _sqlite_stamp if tx.dialect == "sqlite" else datetime.fromisoformat
    rebuild = _drop_indexes(tx)
    for table, rows in reader.tables():
        kinds = [kind for _, kind in dict(fmt.TABLES)[table]]
        dates = [n for n, kind in enumerate(kinds) if kind == fmt.DATE]
        stamps = [n for n, kind in enumerate(kinds) if kind == fmt.TIMESTAMP]
        columns = [f'"{c}"' for c in fmt.COLUMNS[table]]
        chain = _Chain(where) if table == "history" else None
        batch: list[list[Any]] = []
        counts.rows[table] = 0
        for row in rows:
            if chain is not None:
                chain.add(row)
            values = list(row)
            for n in dates:
                values[n] = day(values[n])
            for n in stamps:
                if values[n] is not None:
                    values[n] = stamp(values[n])
            batch.append(values)
            if len(batch) >= BATCH:
                _insert(tx, where, table, columns, batch, counts)
        _insert(tx, where, table, columns, batch, counts)
        if chain is not None:
            counts.chain_tip = chain.tip
    if reader.chain_tip != counts.chain_tip:
        raise InvalidInput(
            "its chain_tip is not the hash of its last history event; the dump was changed "
            "after it was written; nothing was restored",
            file=where,
        )
    for sql in rebuild:
        tx.execute(sql)
    store_id = reader.meta.get("store_id")
    if isinstance(store_id, str) and store_id:  # the same register, moved: its id too
        tx.execute("UPDATE store_info SET value = :id WHERE name = 'store_id'", {"id": store_id})
    return counts


def _sqlite_stamp(text: str) -> str:
    """A dump's time as SQLite keeps it: '2026-11-23T11:12:08Z' -> '2026-11-23 11:12:08.000000'
    (tx.stamp's form, without a datetime in between)."""
    fraction = text[20:26] if text[19] == "." else "000000"
    return f"{text[:10]} {text[11:19]}.{fraction}"


def _drop_indexes(tx: Tx) -> list[str]:
    """On SQLite, the new store's indexes, dropped to be built again once every row is in:
    building an index sorts once, where adding a million rows to it one by one costs a
    third of the restore. (The transaction undoes the drop too if the restore fails.)"""
    if tx.dialect != "sqlite":
        return []
    found = tx.all("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    for name, _ in found:
        tx.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _insert(
    tx: Tx, where: str, table: str, columns: list[str], batch: list[list[Any]], counts: Counts
) -> None:
    if not batch:
        return
    try:
        tx.insert_rows(table, columns, batch)
    except tx.integrity_errors as exc:
        first = counts.rows[table] + 1
        raise InvalidInput(
            f"the store refused {table} rows {first}-{first + len(batch) - 1} "
            f"({' '.join(str(exc).split())}); nothing was restored",
            file=where,
        ) from None
    counts.rows[table] += len(batch)
    batch.clear()


class _Chain:
    """The history chain of a dump, checked one event at a time as it is read."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.tip: str | None = None
        self.last_id = 0

    def add(self, row: tuple[Any, ...]) -> None:
        """One event, in the dump's column order: id, at, by ... meeting_id, prev_hash, hash,
        state, account."""
        number, at, ref, field, prev, digest = row[0], row[1], row[4], row[6], row[11], row[12]
        if number is None or number <= self.last_id:
            self._fail(f"history event {number} comes after event {self.last_id}: out of order")
        if at is None:
            self._fail(f"history event {number} has no time")
        # the time to the second, as the chain hashes it
        problem = link_problem(self.tip, at[:19] + "Z", prev, digest, (*row[2:11], *row[13:]))
        if problem == FOLLOW:
            self._fail(
                f"history event {number} does not follow the event before it: an event was "
                "removed or changed"
            )
        if problem == HASH:
            self._fail(f"history event {number} ({ref} {field}) does not match its hash")
        self.tip, self.last_id = digest, number

    def _fail(self, message: str) -> None:
        raise InvalidInput(
            f"{message}; the dump was changed after it was written; nothing was restored",
            file=self.where,
        )
