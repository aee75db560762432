"""Contract tests of the store interface (casey_cli.store: Store, Tx), run on both backends
against the seeded register: what every service relies on, checked below the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import sql, store_url

from casey_cli.chain import event_hash
from casey_cli.errors import InvalidInput, NotFound
from casey_cli.store.connection import open_current
from casey_cli.store.items import Filters, as_date, as_stamp
from casey_cli.store.rows import reschedule

TODAY = date(2026, 11, 23)


@pytest.fixture
def store(isolated):
    opened = open_current(store_url(isolated))
    assert opened is not None, "the seeded store is current"
    yield opened
    opened.close()


def test_a_missing_or_foreign_database_is_not_opened(tmp_path):
    assert open_current(f"sqlite:///{tmp_path / 'none.db'}") is None
    foreign = tmp_path / "foreign.db"
    import sqlite3

    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE other (x)")
    assert open_current(f"sqlite:///{foreign}") is None


def test_plain_sql_takes_named_parameters_on_every_backend(store):
    with store.read() as tx:
        assert (
            tx.scalar("SELECT name FROM boroughs WHERE slug = :s", {"s": "islington"})
            == "Islington"
        )
        rows = tx.all("SELECT slug FROM boroughs WHERE slug LIKE :p ORDER BY slug", {"p": "is%"})
        assert rows == [("islington",)]
        assert tx.one("SELECT slug FROM boroughs WHERE slug = :s", {"s": "nowhere"}) is None
        streamed = list(tx.rows("SELECT slug FROM boroughs ORDER BY slug"))
        assert len(streamed) == len(tx.all("SELECT slug FROM boroughs")) > 30


def test_a_write_commits_and_an_error_rolls_everything_back(store, isolated):
    with store.write() as tx:
        tx.execute("UPDATE boroughs SET bcu = :b WHERE slug = 'camden'", {"b": "CN"})
    assert sql(isolated, "SELECT bcu FROM boroughs WHERE slug = 'camden'") == [("CN",)]
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.execute("UPDATE boroughs SET bcu = 'XX' WHERE slug = 'camden'")
        raise RuntimeError("stop")
    assert sql(isolated, "SELECT bcu FROM boroughs WHERE slug = 'camden'") == [("CN",)]
    with store.write(dry_run=True) as tx:
        tx.execute("UPDATE boroughs SET bcu = 'YY' WHERE slug = 'camden'")
        assert tx.scalar("SELECT bcu FROM boroughs WHERE slug = 'camden'") == "YY"
    assert sql(isolated, "SELECT bcu FROM boroughs WHERE slug = 'camden'") == [("CN",)]


def test_stamps_and_days_read_back_as_written(store):
    moment = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # the next day in Tokyo
    with store.write(dry_run=True) as tx:
        number = tx.next_id("meetings")
        tx.insert_rows(
            "meetings",
            ("id", "name", "date", "borough", "citation"),
            [(number, "Stamp test", tx.day(date(2026, 6, 1)), None, None)],
        )
        tx.execute("UPDATE actions SET updated = :u WHERE id = 1", {"u": tx.stamp(moment)})
        assert (
            as_stamp(tx.scalar("SELECT updated FROM actions WHERE id = 1"))
            == "2026-06-01T23:30:00Z"
        )
        assert as_date(tx.scalar("SELECT date FROM meetings WHERE id = :n", {"n": number})) == date(
            2026, 6, 1
        )
        assert tx.next_id("meetings") == number + 1


def test_items_and_counts_take_an_explicit_window(store):
    with store.read() as tx:
        wide = Filters(borough="islington")
        narrow_amber = tx.count_items(wide, today=TODAY, window=1).by_rag["amber"]
        broad_amber = tx.count_items(wide, today=TODAY, window=365).by_rag["amber"]
        assert broad_amber >= narrow_amber
        listed = list(tx.items(wide, today=TODAY, window=365))
        assert sum(i.rag == "amber" for i in listed) == broad_amber
        values = list(tx.item_values(wide, today=TODAY, window=365))
        assert [v[0] for v in values] == [i.ref for i in listed]


def test_an_update_writes_one_chained_event_per_changed_field(store, isolated):
    with store.write() as tx:
        action = tx.action("A3")
        as_of = action["as_of"]  # the bundled register's date of A3's latest information
        assert as_of is not None
        changed = tx.update(
            action,
            {"progress": 55, "owner": action["owner"]},
            by="tester",
            today=TODAY,
            note="contract",
        )
        # the change supersedes the register's date: as_of is cleared, with an event of its own
        assert changed == ["progress", "as_of"]
        again = tx.update(action, {"progress": 55}, by="tester", today=TODAY)
        assert again == []
    with store.read() as tx:
        assert tx.action("A3")["progress"] == 55
        assert tx.action("A3")["as_of"] is None
        events = tx.events(ref="A3")
        assert [(e.field, e.old, e.new, e.note) for e in events[-2:]] == [
            ("progress", None, "55", "contract"),
            ("as_of", str(as_of), None, "contract"),
        ]
    [(prev, at, by, kind, ref, borough, field, old, new, note, meeting, digest, account)] = sql(
        isolated,
        'SELECT prev_hash, at, "by", kind, ref, borough, field, old, new, note, '
        "meeting_id, hash, account FROM history ORDER BY id DESC LIMIT 1",
    )
    assert account  # recorded under the transaction's account, which the hash covers
    assert digest == event_hash(
        prev,
        as_stamp(at) or "",
        by,
        kind,
        ref,
        borough,
        field,
        old,
        new,
        note,
        meeting,
        None,  # an update has no state
        account,
    )


@pytest.mark.sqlite_only(reason="the hash's canonical form; no store")
def test_a_state_and_an_account_cannot_stand_in_for_each_other():
    """Each is hashed only when present, in places of their own: an event's state moved into
    its account (or back) changes the hash, and neither changes an event that has none."""
    fields = ("", "2026-11-23T10:00:00Z", "t", "action", "A1", "camden", "created")
    rest = (None, "x", None, None)
    plain = event_hash(*fields, *rest)
    assert event_hash(*fields, *rest, None, None) == plain
    with_state = event_hash(*fields, *rest, "s")
    with_account = event_hash(*fields, *rest, None, "s")
    assert len({plain, with_state, with_account, event_hash(*fields, *rest, "s", "s")}) == 4


def test_a_reschedule_keeps_the_first_date_and_counts_a_later_one_as_a_slip(store):
    with store.write(dry_run=True) as tx:
        action = tx.action(f"A{tx.next_id('actions') - 1}")
        tx.update(action, {"status": "in-progress"}, by="t", today=TODAY)
        reschedule(tx, action, due=date(2027, 1, 31), reason=None, by="t", today=TODAY)
        assert (action["due"], action["original_due"], action["slips"]) == (
            date(2027, 1, 31),
            date(2027, 1, 31),
            0,
        )  # a first date: no reason, no slip
        with pytest.raises(InvalidInput, match="needs a reason"):
            reschedule(tx, action, due=date(2027, 6, 1), reason=None, by="t", today=TODAY)
        reschedule(tx, action, due=date(2027, 6, 1), reason="later", by="t", today=TODAY)
        reschedule(tx, action, due=date(2027, 3, 1), reason="sooner", by="t", today=TODAY)
        stored = tx.action(action.ref)
        assert (stored["due"], stored["original_due"], stored["slips"]) == (
            date(2027, 3, 1),
            date(2027, 1, 31),
            1,
        )


def test_unknown_refs_name_the_fix(store):
    with store.read() as tx:
        with pytest.raises(NotFound, match="casey action list"):
            tx.action("A99999")
        with pytest.raises(NotFound, match="did you mean 'casey-1'"):
            tx.recommendation("casey-1x")
        with pytest.raises(NotFound, match="did you mean 'islington'"):
            tx.borough_slug("islingtn")
