"""Settings: flag > environment > config file (TOML, platformdirs) > built-in default."""

from __future__ import annotations

import errno
import getpass
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from casey_cli.enums import (
    DEFAULT_STALE_DAYS,
    DEFAULT_WINDOW_DAYS,
    PUBLISH_HIDEABLE,
    STALE_DAYS_RANGE,
    WINDOW_RANGE,
)
from casey_cli.errors import InvalidInput, did_you_mean

APP_NAME = "casey-cli"
ALL_BOROUGHS = "all"  # `--borough all`: every borough, whatever the config says


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "casey.db"


def config_path() -> Path:
    """The config file: config.toml in the user config folder (platformdirs)."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def stamps_path() -> Path:
    """Where casey remembers which SQLite stores passed their page check (store.health)."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False) / "checked-stores"


def system_today() -> date:
    """The only call to the clock for dates; every rule takes `today` as an argument."""
    return date.today()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def os_account() -> str:
    """The account a change on a SQLite store is recorded under: the OS login name (as
    getpass finds it), else the numeric user id where there is one (a container with no
    passwd entry), so two users without names are still told apart."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        getuid = getattr(os, "getuid", None)
        return f"uid {getuid()}" if getuid else "unknown"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes of another encoding: kept, as escapes, storable text
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


# The longest name one folder entry may have, in bytes: 255 on every file system casey runs on
# (ext4, APFS, NTFS in UTF-16 units, tmpfs); a longer one fails only when the file is opened.
NAME_MAX = 255


def path_problem(text: str) -> str | None:
    """Why `text` cannot name a file, in words that follow it in a message ('is empty'), or
    None. The operating system would refuse each of these mid-command, as an exception with
    no word on how to fix it: an empty or blank name, a NUL character, a name of a folder
    entry over NAME_MAX bytes, a path the file system finds too long (PATH_MAX)."""
    if not text.strip():
        return "is empty"
    if "\x00" in text:
        return "contains a NUL character, which no file name can"
    try:
        parts = [os.fsencode(part) for part in Path(text).parts]
    except UnicodeError:  # a lone surrogate that is no undecodable byte (not from argv)
        return "has a character no file name can hold"
    if any(len(part) > NAME_MAX for part in parts):
        return f"has a name longer than {NAME_MAX} bytes, more than a file system holds"
    try:
        os.stat(os.path.expanduser(text))
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return "is longer than the file system allows"
    return None


def sqlite_file(db: str) -> Path | None:
    """The SQLite file a --db value names, or None for another backend or :memory:."""
    url = db_url(db)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///") :])
    return None


# SQLAlchemy's own reading of a URL's credentials (sqlalchemy.engine.url._parse_url): the
# user name runs to the first ':' or '/', the password from there to the '@' after it, so an
# unencoded '/' or ':' in a password is still the password.
_CREDENTIALS = re.compile(r"^([\w+.-]+://[^:/]*:)[^@]*@")


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages (anything else as it is)."""
    return _CREDENTIALS.sub(r"\1***@", url, count=1)


def db_url(db: str) -> str:
    """A SQLAlchemy URL: URLs pass through, anything else is a SQLite file path. A plain
    PostgreSQL URL (`postgresql://`, `postgres://`, as psql and most hosts write it) means
    psycopg, the one PostgreSQL driver casey installs."""
    for plain in ("postgresql://", "postgres://"):
        if db.startswith(plain):
            return "postgresql+psycopg://" + db[len(plain) :]
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


# --- the settings a user can configure ------------------------------------------------------

_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def _borough(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError('must be a borough slug in quotes, e.g. "islington"')
    slug = value.strip().lower()
    if not _SLUG.match(slug) or len(slug) > 60:
        raise ValueError(
            f"{value!r} is not a borough slug; use one like islington or "
            "kensington-and-chelsea (see `casey borough list`)"
        )
    return slug


def _user(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError('must be a name in quotes, e.g. "J. Clerk"')
    name = value.strip()
    if not name or len(name) > 100 or any(c < " " or c == "\x7f" for c in name):
        raise ValueError(f"{value!r} is not a usable name; give 1 to 100 printable characters")
    try:
        name.encode("utf-8")  # it is hashed into the history chain as UTF-8
    except UnicodeEncodeError:
        raise ValueError(
            f"{value!r} is not UTF-8 text (a byte of another encoding); give the name in UTF-8"
        ) from None
    return name


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ValueError(
                    f"'{value}' is not a whole number; give one from {low} to {high}"
                ) from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"must be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range; give a number from {low} to {high}")
        return value

    return check


def _db(value: object) -> str:
    """A --db value: a file path (relative to where the command runs, as the contract has it for
    --db and CASEY_DB) or a database URL; a SQLite file's path must be one a file can have."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a file path or a database URL in quotes")
    text = value.strip()
    path = text.removeprefix("sqlite:///") if "://" in text else text
    problem = None if "://" in path or path == ":memory:" else path_problem(path)
    if problem:
        raise ValueError(
            f"the file path {text[:80]!r}{'...' if len(text) > 80 else ''} {problem}; "
            "give another file path or a database URL"
        )
    if "\x00" in text:  # in a URL: no driver takes one
        raise ValueError("the database URL contains a NUL character; give the URL without it")
    return text


def checked_db(value: str, given_by: str) -> str:
    """A store named on the command line other than by --db (`db copy --to`), checked as
    --db is; an error names the option."""
    try:
        return _db(value)
    except ValueError as exc:
        raise InvalidInput(f"{given_by}: {exc}") from None


def _db_kept(value: object) -> str:
    """A db kept in the config file: relative to which folder? the one a command happens to
    run in, never what is meant; so an absolute path (or ~/...) or a URL."""
    text = _db(value)
    if "://" not in text and not Path(text).expanduser().is_absolute():
        raise ValueError(
            f"'{value}' is a relative path; give an absolute path (or ~/...) or a database URL"
        )
    return text


def _host(value: object) -> str:
    """An SMTP server's name or address."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        raise ValueError("must be a server name such as smtp.example.org, in quotes")
    return value.strip()


def _switch(value: object) -> bool:
    """true/false (TOML), or yes/no, on/off, 1/0 given as text."""
    if isinstance(value, bool):
        return value
    words = {"true": True, "yes": True, "on": True, "1": True}
    words |= {"false": False, "no": False, "off": False, "0": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError(f"{value!r} is not true or false; give true or false")


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be text in quotes")
    return value.strip()


def _address(value: object) -> str:
    """A From address: 'clerk@example.org' or 'Scrutiny Team <clerk@example.org>'."""
    from email.utils import parseaddr

    text = _text(value)
    name, address = parseaddr(text)
    if "@" not in address or "." not in address.rpartition("@")[2]:
        raise ValueError(
            f"{text!r} is not an email address; give one such as clerk@example.org or "
            "'Scrutiny Team <clerk@example.org>'"
        )
    return text


def hideable_fields(given: object) -> tuple[str, ...]:
    """The fields `casey publish` withholds, each once, in a fixed order: a list of names
    (the config file's `[publish] hide`, repeated `--hide`) or names separated by commas
    (the environment, `casey config set`)."""
    if isinstance(given, str):
        names: list[object] = [n for n in given.split(",") if n.strip()]
    elif isinstance(given, list | tuple):
        names = list(given)
    else:
        raise ValueError('give a list of field names, e.g. ["owner", "note"]')
    chosen = set()
    for raw in names:
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a field name; give names such as owner or note")
        name = raw.strip().lower().replace("-", "_")
        if name not in PUBLISH_HIDEABLE:
            raise ValueError(
                f"'{raw.strip()}' is not a field that can be hidden"
                f"{did_you_mean(name, list(PUBLISH_HIDEABLE))}; give one of "
                f"{', '.join(PUBLISH_HIDEABLE)}"
            )
        chosen.add(name)
    return tuple(n for n in PUBLISH_HIDEABLE if n in chosen)


@dataclass(frozen=True)
class Key:
    name: str
    flag: str
    env: str
    check: Callable[[object], Any]  # a value kept in the config file
    default: Callable[[], Any]
    env_check: Callable[[object], Any] | None = None  # an environment value, when different

    def from_env(self, value: str) -> Any:
        return (self.env_check or self.check)(value)


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("borough", "--borough", "CASEY_BOROUGH", _borough, lambda: None),
        Key("user", "--by", "CASEY_USER", _user, os_user),
        Key("window", "--days", "CASEY_WINDOW", _whole(*WINDOW_RANGE), lambda: DEFAULT_WINDOW_DAYS),
        Key(
            "stale_days",
            "--stale-days",
            "CASEY_STALE_DAYS",
            _whole(*STALE_DAYS_RANGE),
            lambda: DEFAULT_STALE_DAYS,
        ),
        Key("db", "--db", "CASEY_DB", _db_kept, lambda: os.fspath(default_db_path()), _db),
        # `casey chase --send`: the mail server. The password is never a setting: only the
        # CASEY_SMTP_PASSWORD variable gives it, so it is never written to the file.
        Key("smtp_host", "", "CASEY_SMTP_HOST", _host, lambda: None),
        Key("smtp_port", "", "CASEY_SMTP_PORT", _whole(1, 65535), lambda: None),
        Key("smtp_starttls", "", "CASEY_SMTP_STARTTLS", _switch, lambda: True),
        Key("smtp_user", "", "CASEY_SMTP_USER", _text, lambda: None),
        Key("smtp_from", "", "CASEY_SMTP_FROM", _address, lambda: None),
        # `casey publish`: fields never published. A section of its own in the file
        # ([publish] hide = [...]); --hide adds to it and never takes a field out.
        Key("publish.hide", "--hide", "CASEY_PUBLISH_HIDE", hideable_fields, lambda: None),
    )
}


def key(name: str) -> Key:
    """A configurable setting by name; an unknown one is an error with a did-you-mean."""
    found = KEYS.get(name.strip().lower().replace("-", "_"))
    if found is None:
        raise InvalidInput(
            f"unknown setting '{name}'{did_you_mean(name, list(KEYS))}; the "
            f"settings are {', '.join(KEYS)}"
        )
    return found


@dataclass(frozen=True)
class Resolved:
    """A setting's value and where it came from."""

    name: str
    value: Any
    origin: str  # flag, env, config or default
    where: str | None = None  # the flag, the variable or the file

    def describe(self) -> str:
        if self.origin == "config":
            return f"config file {self.where}"
        return f"{self.origin} {self.where}" if self.where else self.origin


@dataclass
class ConfigFile:
    """The values of config.toml, checked; a missing file has none."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)


def _line_of(text: str, name: str) -> int | None:
    """The line that sets `name` (`section.key`: the key's line under its [section])."""
    section, _, key = name.rpartition(".")
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    heading = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
    inside = ""
    for number, line in enumerate(text.splitlines(), 1):
        found = heading.match(line)
        if found:
            inside = found.group(1)
        elif inside == section and pattern.match(line):
            return number
    return None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The raw table of a TOML file and its text; bad TOML is an error naming file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        raise InvalidInput(
            f"cannot read it ({exc.strerror}); check its permissions", file=str(path)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text; fix or delete the file", file=str(path)) from None
    import tomllib

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column \d+\)|\(at end of document\)", message)
        line = int(at.group(1)) if at and at.group(1) else len(text.splitlines()) or None
        what = message[: at.start()].strip() if at else message
        raise InvalidInput(
            f"not valid TOML ({what.lower()}); fix the file, or delete it "
            "and then use `casey config set`",
            file=str(path),
            line=line,
        ) from None


def flat(table: dict[str, Any]) -> dict[str, Any]:
    """A config file's keys with a section's keys named `section.key` ([publish] hide is
    `publish.hide`)."""
    keys: dict[str, Any] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            keys.update({f"{name}.{sub}": v for sub, v in value.items()})
        else:
            keys[name] = value
    return keys


def read_config(path: Path | None = None) -> ConfigFile:
    """Read and check the config file: unknown keys and bad values name the file and line."""
    path = path or config_path()
    table, text = read_toml(path)
    values: dict[str, Any] = {}
    for name, value in flat(table).items():
        if name not in KEYS:
            raise InvalidInput(
                f"unknown setting '{name}'{did_you_mean(name, list(KEYS))}; "
                f"remove it with `casey config unset {name}`",
                file=str(path),
                line=_line_of(text, name),
            )
        try:
            values[name] = KEYS[name].check(value)
        except ValueError as exc:
            raise InvalidInput(
                f"{name}: {exc}", file=str(path), line=_line_of(text, name)
            ) from None
    return ConfigFile(path, values)


class Config:
    """Resolves settings (flag > environment > config file > default); the file is read on
    first need, once, and not at all when flags and environment decide everything."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._file: ConfigFile | None = None

    @property
    def path(self) -> Path:
        return self._path or config_path()

    @property
    def file(self) -> ConfigFile:
        if self._file is None:
            self._file = read_config(self.path)
        return self._file

    def resolve(self, name: str, flag: Any = None) -> Resolved:
        """The ONE resolver every command uses for borough, user, window, stale_days, db.
        `--borough all` (or CASEY_BOROUGH=all) means every borough, whatever is configured."""
        spec = KEYS[name]
        if flag is not None and (not isinstance(flag, str) or flag.strip()):
            try:  # a flag is checked as its variable is (Typer has checked the numbers)
                value = spec.from_env(flag) if isinstance(flag, str) else flag
            except ValueError as exc:
                raise InvalidInput(f"{spec.flag}: {exc}") from None
            return self._all(Resolved(name, value, "flag", spec.flag))
        env = os.environ.get(spec.env, "").strip()
        if env:
            try:
                return self._all(Resolved(name, spec.from_env(env), "env", spec.env))
            except ValueError as exc:
                raise InvalidInput(f"{spec.env}: {exc}") from None
        config = self.file
        if name in config.values:
            return self._all(Resolved(name, config.values[name], "config", str(config.path)))
        return Resolved(name, spec.default(), "default")

    def value(self, name: str, flag: Any = None) -> Any:
        return self.resolve(name, flag).value

    @staticmethod
    def _all(found: Resolved) -> Resolved:
        if found.name == "borough" and str(found.value).strip().lower() == ALL_BOROUGHS:
            return Resolved(found.name, None, found.origin, found.where)
        return found


def write_setting(name: str, value: Any, path: Path | None = None) -> Path:
    """Set (or, with value None, remove) one key of the config file, keeping the others;
    written atomically, readable by its owner only. Comments are not kept (tomli-w writes
    data, not the text around it)."""
    import tomli_w

    from casey_cli.atomic import write_atomic

    path = path or config_path()
    table, _ = read_toml(path)
    section_name, _, key = name.rpartition(".")
    section = table.setdefault(section_name, {}) if section_name else table
    if value is None:
        section.pop(key, None)
        if section_name and not section:
            table.pop(section_name)
    else:
        section[key] = list(value) if isinstance(value, tuple) else value
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomic(path, tomli_w.dumps(table).encode(), mode=0o600)
    return path


def check_value(name: str, text: str) -> Any:
    """A value given to `casey config set`, checked and typed ('all' is for flags only)."""
    spec = key(name)
    if spec.name == "borough" and text.strip().lower() == ALL_BOROUGHS:
        raise InvalidInput(
            "'all' is not a default borough; to have none, use `casey config unset borough`"
        )
    try:
        checked = spec.check(text)
    except ValueError as exc:
        raise InvalidInput(f"{spec.name}: {exc}") from None
    try:
        str(checked).encode("utf-8")
    except UnicodeEncodeError:  # bytes of another encoding, given on the command line
        raise InvalidInput(
            f"{spec.name}: {text!r} is not UTF-8 text, and the config file is; give the value "
            f"in UTF-8{', or name the store with CASEY_DB' if spec.name == 'db' else ''}"
        ) from None
    return checked
