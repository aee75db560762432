"""Domain errors: each names the problem and the fix; the CLI maps them to exit codes."""

from __future__ import annotations


class CaseyError(Exception):
    """A problem the user can fix; printed as one line on stderr."""

    exit_code = 1

    def said(self) -> list[str]:
        """What stderr says of it: one line (ManyProblems: one for each problem, then the
        count)."""
        return [str(self)]


class NotFound(CaseyError):
    """A ref, slug or code that is not in the store."""


class InvalidInput(CaseyError):
    """A value that cannot be accepted, optionally located in a file."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ""
        if file is not None:
            where = file + (f":{line}" if line is not None else "")
            where += f": {field}: " if field else ": "
        elif field:
            where = f"{field}: "
        super().__init__(where + message)
        self.message, self.file, self.line, self.field = message, file, line, field


class ManyProblems(InvalidInput):
    """Several problems in a load's files, each on its own line, and a count of `more`
    found after them and not shown."""

    def __init__(self, problems: list[InvalidInput], more: int = 0) -> None:
        lines = [str(p) for p in problems]
        if more:
            lines.append(f"... and {more} more problem{'s' if more != 1 else ''}")
        total = len(problems) + more
        counted = f"{total} problem{'s' if total != 1 else ''}"
        lines.append(f"{counted} in the files; nothing was written")
        CaseyError.__init__(self, "\n".join(lines))
        self.message, self.file, self.line, self.field = lines[-1], None, None, None
        self.lines, self.problems = lines, problems

    def said(self) -> list[str]:
        return self.lines


class StoreError(CaseyError):
    """The store cannot be opened or is of an unknown schema."""


class StoreReadOnly(StoreError):
    """A write to a store this user may only read (a file, folder or server that refuses)."""


class StoreDamaged(StoreError):
    """The store's file is damaged (SQLite found a malformed page); `detail` says where."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


class OverdueFound(CaseyError):
    """`--fail-on-overdue` found overdue items."""

    exit_code = 3


class StaleFound(CaseyError):
    """`chase --fail-on stale` found items with no recorded change for too long."""

    exit_code = 4


class GapsFound(CaseyError):
    """`chase --fail-on gaps` found open items with no owner or no due date."""

    exit_code = 5


def did_you_mean(value: str, choices: list[str]) -> str:
    """Return ' (did you mean X?)' for the closest choice, or ''."""
    import difflib

    needle = value.strip().lower()
    # A typed first word ('kensington') means the slug that starts with it, not a look-alike.
    close = sorted(c for c in choices if needle and c.startswith(needle))[:1]
    if not close:
        close = difflib.get_close_matches(needle, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
