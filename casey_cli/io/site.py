"""The published site's bytes: its pages (Jinja2, autoescaped), paged to stay small, and the
incremental writer that puts them in a folder (only changed files, a manifest of its own)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casey_cli import __version__
from casey_cli.errors import InvalidInput

MANIFEST = ".casey-publish.json"
MAX_PAGE = 200_000  # bytes: a list longer than this goes on to a second page
# History fields whose values are days: shown as UK dates.
DATE_FIELDS = frozenset(
    {"due", "original_due", "completed", "latest_update_on", "as_of", "verified_on"}
)
_BATCH = 500  # files written between rewrites of the manifest
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def file_name(key: str) -> str:
    """A ref, slug or code as a file name: letters, digits, - and _ as they are, any other
    character as _XX_ (its code point in hex), so every key has its own file."""
    return "".join(c if c in _SAFE else f"_{ord(c):x}_" for c in key) or "_"


# --- links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteIndex:
    """What the site holds: a link is made only to a page that is written."""

    boroughs: frozenset[str]
    sources: frozenset[str]
    recs: frozenset[str]
    actions: frozenset[str]


@dataclass(frozen=True)
class Links:
    """Relative links from one page (`root`: the way back to the site's top, '' or '../')."""

    index: SiteIndex
    root: str

    def home(self) -> str:
        return f"{self.root}index.html"

    def borough(self, slug: str | None) -> str | None:
        if slug is None or slug not in self.index.boroughs:
            return None
        return f"{self.root}boroughs/{file_name(slug)}.html"

    def source(self, code: str | None) -> str | None:
        if code is None or code not in self.index.sources:
            return None
        return f"{self.root}sources/{file_name(code)}.html"

    def item(self, kind: str, ref: str | None) -> str | None:
        if ref is None:
            return None
        if kind == "action" and ref in self.index.actions:
            return f"{self.root}actions/{file_name(ref)}.html"
        if kind != "action" and ref in self.index.recs:
            return f"{self.root}recs/{file_name(ref)}.html"
        return None

    def rec(self, ref: str | None) -> str | None:
        return self.item("recommendation", ref)

    def download(self, name: str) -> str:
        return f"{self.root}downloads/{name}"

    def changes(self, name: str = "index.html") -> str:
        """A file of the 'what changed' folder: its index, a month's page, the feed."""
        return f"{self.root}changes/{name}"


# --- pages ---------------------------------------------------------------------------------


def _environment() -> Any:
    from casey_cli.io.html import templates
    from casey_cli.io.paper import uk_date

    env = templates()

    def stamp(value: str | None) -> str:
        """A stored moment as a UK date and a UTC time: `6 December 2026, 05:34 UTC`."""
        if not value:
            return ""
        time = value[11:16]
        return f"{day(value)}, {time} UTC" if time else day(value)

    def day(value: str | None) -> str:
        """A stored day as a UK date; a value that is not one (an old event's) as it is."""
        try:
            return uk_date(value)
        except ValueError:
            return str(value)

    env.filters["ukdate"] = day
    env.filters["stamp"] = stamp
    env.globals["date_fields"] = DATE_FIELDS
    return env


_ENV: list[Any] = []


def render(template: str, links: Links, **context: Any) -> bytes:
    """One page of the site as UTF-8 bytes."""
    if not _ENV:
        _ENV.append(_environment())
    page = _ENV[0].get_template(f"site/{template}")
    return str(page.render(links=links, version=__version__, **context)).encode()


@dataclass(frozen=True)
class Section:
    """One list of a page: its id, caption and rows (each rendered by the page's template)."""

    id: str
    caption: str
    rows: Sequence[Any]
    empty: str = "None."
    continued: bool = False


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    stem: str  # the first page's file name without .html

    def name(self, number: int) -> str:
        return f"{self.stem}.html" if number == 1 else f"{self.stem}-{number}.html"


def _split(sections: Sequence[Section], per_page: int) -> list[list[Section]]:
    pages: list[list[Section]] = [[]]
    room = per_page
    for section in sections:
        rows, first = list(section.rows), True
        if not rows:
            pages[-1].append(section)
            continue
        while rows:
            if room == 0:
                pages.append([])
                room = per_page
            take, rows = rows[:room], rows[room:]
            pages[-1].append(
                Section(section.id, section.caption, take, section.empty, continued=not first)
            )
            room -= len(take)
            first = False
    return pages


def paged(
    folder: str,
    stem: str,
    sections: Sequence[Section],
    page: Callable[[list[Section], Pager], bytes],
    limit: int | None = None,
) -> Iterator[tuple[str, bytes]]:
    """A page of lists, split over as many pages as keep each under `limit` bytes (else
    MAX_PAGE): the first is `stem.html`, then `stem-2.html` and so on."""
    limit = MAX_PAGE if limit is None else limit
    per_page = max(1, sum(len(s.rows) for s in sections))
    while True:
        chunks = _split(sections, per_page)
        pages = [
            page(chunk, Pager(n, len(chunks), stem)) for n, chunk in enumerate(chunks, start=1)
        ]
        if per_page == 1 or all(len(p) <= limit for p in pages):
            break
        per_page = max(1, per_page // 2)
    for n, data in enumerate(pages, start=1):
        yield f"{folder}{Pager(n, len(pages), stem).name(n)}", data


# --- the folder ----------------------------------------------------------------------------


@dataclass
class Published:
    """What a run did (or, dry, would do) to the folder."""

    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.written) + len(self.unchanged)


def _manifest(paths: Iterable[str]) -> bytes:
    """The manifest: JSON, a file a line (the C encoder per name: it is rewritten a batch
    at a time while a large site is written)."""
    names = ",\n  ".join(json.dumps(p, ensure_ascii=False) for p in sorted(paths))
    return f'{{"made_by": "casey publish", "files": [\n  {names}\n]}}\n'.encode()


def _inside(folder: Path, rel: str) -> Path | None:
    """A manifest's path inside the folder, or None for one that would leave it."""
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        return None
    return folder.joinpath(*parts)


def _old_files(folder: Path) -> set[str]:
    """The files the last run made, from its manifest; a folder holding other files and no
    manifest is refused (publishing would overwrite or mix with what someone else put there)."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        if any(folder.iterdir()):
            raise InvalidInput(
                f"folder {folder} holds files `casey publish` did not make (it has no "
                f"{MANIFEST}); choose an empty or new folder",
                field="--output",
            )
        return set()
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
        if not all(isinstance(f, str) for f in files):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"{manifest} is not a manifest casey publish wrote; remove it and publish to an "
            "empty folder",
            field="--output",
        ) from None
    return set(files)


def check_folder(folder: Path) -> None:
    """Refuse a folder that cannot be published to, before any work."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is a file; give a folder to --output", field="--output")
    parent = folder.parent if str(folder.parent) else Path(".")
    if not folder.exists() and not parent.is_dir():
        raise InvalidInput(
            f"folder {parent} does not exist; create it or choose another --output",
            field="--output",
        )


def publish(folder: Path, files: Iterable[tuple[str, bytes]], *, dry_run: bool) -> Published:
    """Put `files` (relative path, bytes) in `folder`: a file whose bytes are already there
    is left alone (its mtime too); files of the last run that are no longer in the site are
    removed; nothing else in the folder is touched. `dry_run`: only say what would change."""
    from casey_cli.atomic import write_atomic

    check_folder(folder)
    old = _old_files(folder) if folder.is_dir() else set()
    listed = set(old)  # what the manifest on disk names
    result = Published(folder)
    seen: set[str] = set()
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        # A file is named in the manifest before it is written, so a run cut short can
        # still remove it later; the manifest is rewritten once a batch, not once a file.
        new = {rel for rel, _ in pending} - listed
        if new:
            listed.update(new)
            write_atomic(folder / MANIFEST, _manifest(listed), durable=False)
        for rel, data in pending:
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, durable=False)
        pending.clear()

    if not dry_run:
        folder.mkdir(exist_ok=True)
    for rel, data in files:
        if rel in seen:
            raise AssertionError(f"two pages of the site are both {rel}")
        seen.add(rel)
        path = folder / rel
        try:
            same = path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if same:
            result.unchanged.append(rel)
            continue
        result.written.append(rel)
        if not dry_run:
            pending.append((rel, data))
            if len(pending) >= _BATCH:
                flush()
    if not dry_run:
        flush()
    for rel in sorted(old - seen):
        gone = _inside(folder, rel)
        if gone is None or not gone.is_file():
            continue
        result.removed.append(rel)
        if not dry_run:
            gone.unlink()
            _drop_empty(folder, gone.parent)
    if not dry_run:
        manifest = folder / MANIFEST
        data = _manifest(seen)
        if not manifest.is_file() or manifest.read_bytes() != data:
            write_atomic(manifest, data, durable=False)
    return result


def _drop_empty(folder: Path, where: Path) -> None:
    """Remove folders the site no longer uses, up to (not including) the site's own."""
    top = folder.resolve()
    while where.resolve() != top and top in where.resolve().parents:
        try:
            where.rmdir()
        except OSError:
            return
        where = where.parent
