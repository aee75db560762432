"""Value sets of the contract (statuses, responses, RAG, formats): light, no SQLModel import."""

from __future__ import annotations

from enum import Enum

# The borough slug of force-wide items: a source with no borough (docs/contract.md).
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


RAG_ORDER = tuple(r.value for r in Rag)  # how counts and papers list them, worst first

# The fields a publishing policy (`casey publish --hide`, the config's [publish] hide) may
# withhold from the site, and how a page says they are withheld.
PUBLISH_HIDEABLE = {
    "owner": "owners' names",
    "note": "notes and reasons in the change history",
    "by": "who recorded each change and update",
    "verified_by": "who verified an action",
}


class Format(str, Enum):
    """Every output format; each command offers some of them (cli/options.py's
    format_option), and cli/output.py dispatches on them in one place."""

    TABLE = "table"
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"
    XLSX = "xlsx"
    ICS = "ics"
    DOCX = "docx"

    def __str__(self) -> str:
        # The value, as StrEnum gives (3.11+): Typer maps an option's parsed value back to
        # the member by str(), and str() of a plain str-mixin member is 'Format.JSON'.
        return self.value


class GroupBy(str, Enum):
    """Rows of the London view (`casey status` with no borough)."""

    BOROUGH = "borough"
    BCU = "bcu"


class Period(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
