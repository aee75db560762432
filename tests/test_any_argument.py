"""Arguments that ended in a traceback (issue 15), each now one `Error:` line: found by
driving every command with random values, the property test that joins this file once
every crash it finds is fixed."""

from __future__ import annotations

from conftest import snapshot

# ------------------------------------------- crashes this test found (fixed; kept as guards)
# Each case was a traceback before its fix. Cases that reach the store run on both backends,
# looped in one test each (a PostgreSQL test costs a new database); the rest on SQLite.

LONG_NAME = "x" * 300  # a folder entry may have 255 bytes


def test_reschedule_to_an_empty_date(casey, isolated):
    """The crash reported in issue 15: `--due ""` ended in an AssertionError traceback."""
    before = snapshot(isolated)
    for due in ("", "   "):
        err = casey.error("action", "reschedule", "A1", "--due", due, "--reason", "x")
        assert err.startswith("Error: due: ") and "is not a date; use YYYY-MM-DD" in err
    assert snapshot(isolated) == before
