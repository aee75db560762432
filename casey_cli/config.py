"""Settings resolved once per command: flag > environment > platformdirs default."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

APP_NAME = "casey-cli"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "casey.db"


def system_today() -> date:
    """The only call to the clock for dates; every rule takes `today` as an argument."""
    return date.today()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


@dataclass(frozen=True)
class Settings:
    db: str
    today: date
    today_is_real: bool = True

    @property
    def db_url(self) -> str:
        """A SQLAlchemy URL: URLs pass through, anything else is a SQLite file path."""
        if "://" in self.db:
            return self.db
        return "sqlite:///" + str(Path(self.db).expanduser().resolve())

    @property
    def sqlite_path(self) -> Path | None:
        url = self.db_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            return Path(url[len("sqlite:///"):])
        return None


@dataclass(frozen=True)
class Ctx:
    """What every service needs besides the store: the report date, the rules' window, who."""

    today: date
    user: str = "unknown"
    window: int = 14


def resolve_user(by: str | None) -> str:
    """Who is recorded in history: --by, else CASEY_USER, else the OS user."""
    return (by or "").strip() or os.environ.get("CASEY_USER", "").strip() or os_user()
