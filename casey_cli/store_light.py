"""Store settings shared by the SQLAlchemy engine and the stdlib sqlite3 read path."""

BUSY_TIMEOUT_MS = 10_000
