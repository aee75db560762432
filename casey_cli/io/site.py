"""The published site's bytes: its pages (Jinja2, autoescaped), paged to stay small, and the
incremental writer that puts them in a folder (only changed files, a manifest of its own)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from casey_cli import __version__
from casey_cli.errors import InvalidInput

MANIFEST = ".casey-publish.json"
MAX_PAGE = 200_000  # bytes: a list longer than this goes on to a second page
# History fields whose values are days: shown as UK dates.
DATE_FIELDS = frozenset(
    {"due", "original_due", "completed", "latest_update_on", "as_of", "verified_on"}
)
LIMITS_PAGE = "limits.html"
_BATCH = 2000  # files written between rewrites of the manifest
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_PLAIN = re.compile(r"[A-Za-z0-9-]+")


def file_name(key: str) -> str:
    """A ref, slug or code as a file name: letters, digits and - as they are, any other
    character (_ too) as _XX_, its code point in hex, so no two keys share a file."""
    if _PLAIN.fullmatch(key):
        return key
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
    # The page on the data's limits, linked from every page twice: a value, not a method,
    # as a call from a template costs more than a lookup (a page per action adds up).
    limits: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", f"{self.root}{LIMITS_PAGE}")

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

# A web address in text a user typed: http or https only (never javascript:, data: ...),
# up to a space, a quote or an angle bracket; punctuation that ends a sentence is not part
# of it.
_URL = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?'"


def linked(text: object) -> Markup:
    """Text with each http(s) address in it made a link, everything else escaped: the way
    evidence and citations are shown. Any other scheme (javascript:, data:) stays text."""
    value = "" if text is None else str(text)
    out: list[str] = []
    end = 0
    for match in _URL.finditer(value):
        url = match.group().rstrip(_TRAILING)
        if url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(_TRAILING)
        if "://" not in url or url.endswith("://"):
            continue
        start = match.start()
        out.append(str(escape(value[end:start])))
        out.append(f'<a href="{escape(url)}" rel="nofollow">{escape(url)}</a>')
        end = start + len(url)
    out.append(str(escape(value[end:])))
    return Markup("".join(out))


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
    env.filters["linked"] = linked
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
    total = sum(len(s.rows) for s in sections)
    # No row is under 200 bytes, so a first try of more rows than fit would only be thrown
    # away; after a page too big, the next try scales the rows a page to the bytes they took.
    per_page = max(1, min(total, limit // 200))
    while True:
        chunks = _split(sections, per_page)
        pages: list[bytes] = []
        for n, chunk in enumerate(chunks, start=1):
            pages.append(page(chunk, Pager(n, len(chunks), stem)))
            if len(pages[-1]) > limit and per_page > 1:
                break  # the rest of this try would be thrown away too
        biggest = max(len(p) for p in pages)
        if per_page == 1 or biggest <= limit:
            break
        per_page = max(1, min(per_page - 1, int(per_page * limit * 0.9 / biggest)))
    for n, data in enumerate(pages, start=1):
        yield f"{folder}{Pager(n, len(pages), stem).name(n)}", data


@dataclass(frozen=True)
class Part:
    """A page (over as many files as it takes) or a set of downloads, made only when its
    `key` (what its bytes are made from) differs from the one its files were made from last
    time; a part without a key is always made."""

    name: str  # the part's first file
    key: str | None
    # Its files: a page's bytes, or a download's in chunks (never held whole in memory).
    make: Callable[[], Iterable[tuple[str, bytes | Iterable[bytes]]]]


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


# A part -> its key, and each of its files with its size. (Not its mtime: the manifest's
# bytes, like every other file's, are the same for the same store and day.)
Made = dict[str, tuple[str, list[tuple[str, int]]]]


def _manifest(paths: Iterable[str], made: Made | None = None) -> bytes:
    """The manifest: the files the site is made of and, once a run has finished, what each
    part was made from. JSON, in one call of the C encoder (the file list is rewritten a
    batch at a time while a large site is written)."""
    data: dict[str, Any] = {"made_by": "casey publish", "files": sorted(paths)}
    if made is not None:
        # A part of one file named as the part: [key, size]; else [key, [[file, size], ...]].
        data["parts"] = {
            n: [key, *files[0][1:]] if len(files) == 1 and files[0][0] == n else [key, files]
            for n, (key, files) in made.items()
        }
    return (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _same_size(path: str, size: int) -> bool:
    try:
        return os.stat(path).st_size == size
    except OSError:
        return False


class Previous:
    """What the last finished run of the folder made each part from (the manifest's
    `parts`), read once; nothing when it has none or is unreadable (every part is then made
    again: the keys only save work)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: Made = {}
        self._checked: dict[tuple[str, str | None], list[tuple[str, int]] | None] = {}
        try:
            data = json.loads((folder / MANIFEST).read_bytes())
            self.made = {
                str(name): (
                    str(part[0]),
                    [(name, part[1])]
                    if isinstance(part[1], int)
                    else [(str(f), int(n)) for f, n in part[1]],
                )
                for name, part in data["parts"].items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            self.made = {}

    def files(self, name: str, key: str | None) -> list[tuple[str, int]] | None:
        """The files a part made last time, when they were made from this key and are still
        there at the size they had (a page deleted, or edited to another size, is made
        again); else None."""
        if (name, key) in self._checked:
            return self._checked[name, key]
        before = self.made.get(name)
        found = None
        if key is not None and before is not None and before[0] == key:
            top = os.fspath(self.folder)
            if all(_same_size(os.path.join(top, f), n) for f, n in before[1]):
                found = before[1]
        self._checked[name, key] = found
        return found

    def fresh(self, name: str, key: str | None) -> bool:
        return self.files(name, key) is not None


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


def publish(
    folder: Path,
    files: Iterable[tuple[str, bytes] | Part],
    *,
    dry_run: bool,
    previous: Previous | None = None,
) -> Published:
    """Put `files` (relative path and bytes, or a Part that makes them) in `folder`: a file
    whose bytes are already there is left alone (its mtime too), and so is a part whose key
    is the one its files were last made from; files of the last run that are no longer in
    the site are removed; nothing else in the folder is touched. `dry_run`: only say what
    would change."""
    from casey_cli.atomic import write_atomic

    check_folder(folder)
    old = _old_files(folder) if folder.is_dir() else set()
    previous = previous or Previous(folder)
    made: Made = {}
    new_parts: list[tuple[str, str, list[str]]] = []
    sizes: dict[str, int] = {}
    listed = set(old)  # what the manifest on disk names
    result = Published(folder)
    seen: set[str] = set()
    pending: list[tuple[str, bytes]] = []

    vouched = bool(previous.made)  # the manifest on disk has the last run's keys
    made_folders: set[Path] = set()

    def flush() -> None:
        # A file is named in the manifest before it is written, so a run cut short can
        # still remove it later; the manifest is rewritten once a batch, not once a file.
        # The last run's keys go before the first file changes: a run cut short would leave
        # them vouching for files it had rewritten.
        nonlocal vouched
        new = {rel for rel, _ in pending} - listed
        if new or (pending and vouched):
            listed.update(new)
            write_atomic(folder / MANIFEST, _manifest(listed), durable=False)
            vouched = False
        for rel, data in pending:
            path = folder / rel
            if path.parent not in made_folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_folders.add(path.parent)
            write_atomic(path, data, durable=False)
        pending.clear()

    def put_chunks(rel: str, chunks: Iterable[bytes]) -> int:
        """A large file, compared with the one there as it is written beside it."""
        nonlocal vouched
        path = folder / rel
        try:
            there = path.open("rb")
        except OSError:
            there = None
        same = there is not None

        def compared() -> Iterator[bytes]:
            nonlocal same
            for chunk in chunks:
                if same and there is not None and there.read(len(chunk)) != chunk:
                    same = False
                yield chunk
            if same and there is not None and there.read(1):
                same = False

        try:
            if dry_run:
                size = sum(len(chunk) for chunk in compared())
            else:
                flush()
                if rel not in listed or vouched:
                    listed.add(rel)
                    write_atomic(folder / MANIFEST, _manifest(listed), durable=False)
                    vouched = False
                path.parent.mkdir(parents=True, exist_ok=True)
                size = write_atomic(path, compared(), durable=False, keep=lambda: same)
        finally:
            if there is not None:
                there.close()
        (result.unchanged if same else result.written).append(rel)
        return size

    def put(rel: str, data: bytes | Iterable[bytes]) -> int:
        if rel in seen:
            raise AssertionError(f"two pages of the site are both {rel}")
        seen.add(rel)
        if not isinstance(data, bytes):
            return put_chunks(rel, data)
        path = folder / rel
        try:
            same = os.stat(path).st_size == len(data) and path.read_bytes() == data
        except OSError:  # not there, or not a file
            same = False
        if same:
            result.unchanged.append(rel)
            return len(data)
        result.written.append(rel)
        if not dry_run:
            pending.append((rel, data))
            if len(pending) >= _BATCH:
                flush()
        return len(data)

    if not dry_run:
        folder.mkdir(exist_ok=True)
    for entry in files:
        if not isinstance(entry, Part):
            put(*entry)
            continue
        kept = previous.files(entry.name, entry.key)
        if kept is not None and not seen.intersection(f for f, _ in kept):
            seen.update(f for f, _ in kept)
            result.unchanged.extend(f for f, _ in kept)
            made[entry.name] = (str(entry.key), kept)
            continue
        files_made = []
        for rel, data in entry.make():
            sizes[rel] = put(rel, data)
            files_made.append(rel)
        if entry.key is not None:
            new_parts.append((entry.name, entry.key, files_made))
    if not dry_run:
        flush()
        for name, key, names in new_parts:
            made[name] = (key, [(rel, sizes[rel]) for rel in names])
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
        data = _manifest(seen, made)
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
