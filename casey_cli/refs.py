"""Action refs (A14, or 14) and recommendation refs (casey-7): read by the file parsers (io)
and the store alike, so they live below both."""

from __future__ import annotations

import re

from casey_cli.errors import InvalidInput

_ACTION_REF = re.compile(r"^[Aa]?([0-9]{1,9})$")


# A recommendation's ref: its source's code, a dash, its number (casey-7, islington-plan-2).
_REC_REF = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[0-9]{1,9}$")


def is_action_ref(ref: str) -> bool:
    return _ACTION_REF.match(ref.strip()) is not None


def is_rec_ref(ref: str) -> bool:
    return _REC_REF.match(ref.strip()) is not None


def parse_action_id(ref: str) -> int:
    match = _ACTION_REF.match(ref.strip())
    if not match:
        raise InvalidInput(f"'{ref}' is not an action ref; use A<number> such as A14 (or 14)")
    return int(match.group(1))
