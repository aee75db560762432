"""What every service needs besides the store: the report date, the rules' windows, who."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

# The name a new store's seeding from the bundled register is recorded under; the paper
# counts those creations in one line instead of listing them.
SEED_USER = "casey-cli"


@dataclass(frozen=True)
class RunContext:
    """One command's run: built once by the CLI from flags and settings (no defaults here:
    the policy values are resolved in one place, cli.context)."""

    today: date
    user: str
    window: int
    stale_days: int

    def on(self, day: date | None) -> RunContext:
        """The same run as at `day` (None: as it is): every rule computed for that date."""
        return self if day is None else replace(self, today=day)
