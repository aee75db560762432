"""Value sets of the SPEC (statuses, responses, RAG, formats): light, no SQLModel import."""

from __future__ import annotations

from enum import Enum

# The borough slug of force-wide items: a source with no borough (SPEC section 1).
FORCE_WIDE = "london"
# Defaults and bounds of the settings in whole days (flag, variable or config file). Kept
# here, with the enums the options use, so `casey --help` does not import the rules.
DEFAULT_WINDOW_DAYS = 14
DEFAULT_STALE_DAYS = 90
WINDOW_RANGE = (0, 3650)
STALE_DAYS_RANGE = (1, 36500)


class Status(str, Enum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    BLOCKED = "blocked"
    COMPLETE = "complete"
    DROPPED = "dropped"


CLOSED_STATUSES = (Status.COMPLETE.value, Status.DROPPED.value)


class Response(str, Enum):
    ACCEPTED = "accepted"
    ACCEPTED_IN_PRINCIPLE = "accepted-in-principle"
    REJECTED = "rejected"
    PENDING = "pending"


class Rag(str, Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    GREY = "grey"


class ReadFormat(str, Enum):
    """Output of reading commands."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class StatusFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class GroupBy(str, Enum):
    """Rows of the London view (`casey status` with no borough)."""

    BOROUGH = "borough"
    BCU = "bcu"


class ShowFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


class WriteFormat(str, Enum):
    """Output of writing commands."""

    TEXT = "text"
    JSON = "json"


class ExportFormat(str, Enum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    MARKDOWN = "markdown"
    HTML = "html"
    ICS = "ics"


class ReportFormat(str, Enum):
    MARKDOWN = "markdown"
    HTML = "html"


class TrendFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class Period(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
