"""A damaged SQLite store stops every command before it reads. SQLite notices a damaged page
only when a query reads it, so a command that happens to miss it would carry on; PRAGMA
quick_check reads every page, which costs time in proportion to the store (0.2 s at 100,000
actions). So it runs only when the store's files changed since they last passed: the stamp
of each store that passed (inode, size, modification and change times of the file and its
WAL) is kept in the user's cache folder, and casey stamps a store again after its own
commands. Anything else that touches the file (a disk fault, a copy, a stray `dd`) changes
the stamp, and the next command checks every page again. `casey db check` checks in full
every time."""

from __future__ import annotations

import os
from pathlib import Path

KEEP = 32  # stores remembered; a forgotten one is only checked again


def stamp(path: Path) -> str:
    """What changes whenever the store's bytes do: its file's and WAL's identity, size and
    times (the change time cannot be set back by hand, as a modification time can). An
    empty WAL holds nothing: it counts as none, as SQLite opens and removes one freely."""
    marks = []
    for file in (path, Path(f"{path}-wal")):
        try:
            st = file.stat()
        except OSError:
            marks.append("-")
            continue
        if file != path and st.st_size == 0:
            marks.append("-")
            continue
        numbers = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        marks.append(",".join(map(str, numbers)))
    return ";".join(marks)


class Stamps:
    """The stamps of stores that passed their check, in one small file: a line per store,
    its stamp, a tab and its path (a path with a line break in it is never remembered)."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._known: dict[str, str] | None = None

    @property
    def known(self) -> dict[str, str]:
        if self._known is None:
            self._known = {}
            try:
                text = self.file.read_text(encoding="utf-8", errors="surrogateescape")
            except (OSError, ValueError):
                text = ""
            for line in text.splitlines():
                mark, tab, path = line.partition("\t")
                if tab:
                    self._known[path] = mark
        return self._known

    def passed(self, path: Path) -> bool:
        """The store is as it was when it last passed its check."""
        return self.known.get(str(path)) == stamp(path)

    def record(self, path: Path) -> None:
        """The store as it is now passed (or was changed by casey after it passed)."""
        now = stamp(path)
        if "\n" not in str(path) and self.known.get(str(path)) != now:
            self.known.pop(str(path), None)
            self.known[str(path)] = now
            self._save()

    def forget(self, path: Path) -> None:
        if self.known.pop(str(path), None) is not None:
            self._save()

    def _save(self) -> None:
        """Best effort: a cache folder that cannot be written means checking every time."""
        kept = list(self.known.items())[-KEEP:]
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write("".join(f"{mark}\t{path}\n" for path, mark in kept))
            os.replace(tmp, self.file)
        except (OSError, UnicodeError):  # a name no encoding writes: just not cached
            tmp.unlink(missing_ok=True)
