"""Owner names as the directory matches them (`casey owner`): lower case, spaces collapsed,
punctuation left out, so 'Supt, Central North' and 'supt central  north' are one owner. Pure:
the directory's names come from the store (services/owners.py)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_APOSTROPHES = re.compile(r"['\u2019]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
# How close a name must be to a directory name or alias to be hinted at (difflib's ratio).
CLOSE = 0.8


def owner_key(text: str) -> str:
    """A name as compared: 'Supt, Central North' -> 'supt central north', 'Met CN-BCU' ->
    'met cn bcu', "Children's Services" -> 'childrens services'."""
    return " ".join(_PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text.casefold())).split())


@dataclass
class Directory:
    """The directory read once: each owner's name and alias keys -> the owner's name."""

    names: dict[str, str] = field(default_factory=dict)
    # What each name given resolved to, and its hint: a load meets the same names again.
    _seen: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _shown: dict[str, str] = field(default_factory=dict)
    _close: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, text: str | None) -> tuple[str | None, str | None]:
        """The name to store for an owner given as `text` (cleaned already): the directory's
        name for a name or alias it has, else `text` as given; and a one-line hint when
        `text` is not in the directory but close to a name or alias that is."""
        if text is None or not self.names:
            return text, None
        seen = self._seen.get(text)
        if seen is None:
            seen = self._seen[text] = self._resolve(text)
        return seen

    def name_of(self, text: str | None) -> str | None:
        """The owner an item's stored name stands for, as views group and show it: the
        directory's name when `text` is one of its names or aliases, else `text`."""
        if text is None or not self.names:
            return text
        shown = self._shown.get(text)
        if shown is None:
            shown = self._shown[text] = self.names.get(owner_key(text), text)
        return shown

    def _resolve(self, text: str) -> tuple[str, str | None]:
        key = owner_key(text)
        found = self.names.get(key)
        if found is not None:
            return found, None
        close = self._close.get(key)
        if close is None:  # one search per spelling compared, not per spelling given
            close = self._close[key] = (
                difflib.get_close_matches(key, self.names, n=1, cutoff=CLOSE) if key else []
            )
        if not close:
            return text, None
        return text, (
            f"'{text}' is not in the owner directory (did you mean '{self.names[close[0]]}'?); "
            "kept as given"
        )
