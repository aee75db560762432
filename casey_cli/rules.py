"""The contract's rules (docs/contract.md): status normalisation, overdue, due soon, gaps,
RAG, slips."""

from __future__ import annotations

import re
from datetime import date, timedelta

from casey_cli.enums import CLOSED_STATUSES, Rag, Response, Status
from casey_cli.errors import InvalidInput, did_you_mean

AGEING_BANDS = ((1, 30, "1-30"), (31, 90, "31-90"), (91, 180, "91-180"), (181, None, ">180"))


def _slug(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def _choose(text: str, values: list[str], field: str) -> str:
    value = _slug(text)
    if value not in values:
        raise InvalidInput(
            f"unknown {field} '{text}'{did_you_mean(value, values)}; "
            f"use one of {', '.join(values)}",
            field=field,
        )
    return value


_STATUSES = [s.value for s in Status]
_RESPONSES = [r.value for r in Response]


# The words trackers use for a status (docs/contract.md#status-words), each read without
# case, spaces or punctuation ('On-going' = 'ongoing' = 'On going'). The contract's own
# words (`in-progress`) read as themselves; nothing else is a status.
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    Status.COMPLETE.value: (
        "Complete",
        "Completed",
        "Closed",
        "Discharged",
        "Achieved",
        "Implemented",
    ),
    Status.IN_PROGRESS.value: (
        "Ongoing",
        "On-going",
        "In progress",
        "On track",
        "Under implementation",
        "Agreed - further work required",
    ),
    Status.NOT_STARTED.value: ("Not started", "Awaiting allocation", "Not yet due"),
    Status.BLOCKED.value: ("Paused", "Suspended", "On hold", "Delayed", "At risk"),
    Status.DROPPED.value: (
        "Superseded",
        "Overtaken by events",
        "No longer feasible",
        "Withdrawn",
        "Rejected",
    ),
}
_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits


def _key(text: str) -> str:
    return "".join(_WORD.findall(text.lower()))


_STATUS_BY_KEY = {_key(s): s for s in _STATUSES} | {
    _key(word): status for status, words in STATUS_WORDS.items() for word in words
}
_LONGEST = max(len(_WORD.findall(w)) for words in STATUS_WORDS.values() for w in words)


def normalise_status(text: str) -> str:
    """`In Progress`, `in_progress`, `IN-PROGRESS` -> `in-progress`, and a tracker's word
    (STATUS_WORDS: `On track` -> `in-progress`); anything else is an error."""
    if text in _STATUSES:  # the common case, on every row of a load
        return text
    status = _STATUS_BY_KEY.get(_key(text))
    if status is not None:
        return status
    return _choose(text, _STATUSES, "status")


def read_status(text: str) -> tuple[str | None, str]:
    """A tracker's status cell: the status its first words give (the longest status word it
    starts with) and the rest, the prose after it ('Completed. The meeting took place on 10
    February 2021.' -> ('complete', 'The meeting took place on 10 February 2021.')); or
    (None, the text) when it starts with no status word."""
    words = list(_WORD.finditer(text))
    for count in range(min(_LONGEST, len(words)), 0, -1):
        status = _STATUS_BY_KEY.get("".join(m.group() for m in words[:count]).lower())
        if status is not None:
            end = words[count - 1].end()
            rest = text[end:].lstrip(" \t\n.,;:!?-\u2013\u2014").strip()
            return status, rest if any(c.isalnum() for c in rest) else ""
    return None, text.strip()


# A tracker's RAG word or letter (docs/contract.md#rag-words).
_RAG_WORDS = {r.value: r.value for r in Rag} | {
    "gray": "grey",
    "r": "red",
    "a": "amber",
    "g": "green",
    "b": "blue",
}


def read_rag(text: str) -> str:
    """`R`, `Red`, `RED` -> `red`; Red, Amber, Green, Blue, Grey (or Gray) and R, A, G, B in
    any case; anything else is an error."""
    rag = _RAG_WORDS.get(_key(text))
    if rag is None:
        raise InvalidInput(
            f"unknown RAG '{text}'; use Red, Amber, Green, Blue or Grey (or R, A, G, B)",
            field="rag",
        )
    return rag


# The words trackers use for a response to a recommendation (docs/contract.md#response-words),
# read as status words are.
RESPONSE_WORDS: dict[str, tuple[str, ...]] = {
    Response.ACCEPTED.value: ("Accepted", "Agreed", "Yes", "Accept", "Agree"),
    Response.ACCEPTED_IN_PRINCIPLE.value: (
        "Accepted in principle",
        "Agreed in principle",
        "In principle",
        "In part",
        "Partially accepted",
        "Partly accepted",
        "Accepted in part",
        "Agreed in part",
    ),
    Response.REJECTED.value: ("Rejected", "No", "Not accepted", "Not agreed", "Declined"),
    Response.PENDING.value: ("Pending", "Awaiting response", "Under consideration", "TBC"),
}
_RESPONSE_BY_KEY = {_key(r): r for r in _RESPONSES} | {
    _key(word): response for response, words in RESPONSE_WORDS.items() for word in words
}


def normalise_response(text: str) -> str:
    """`accepted-in-principle` and a tracker's word for it (`In part`, `Agreed`: RESPONSE_WORDS);
    anything else is an error."""
    response = _RESPONSE_BY_KEY.get(_key(text))
    if response is not None:
        return response
    return _choose(text, _RESPONSES, "response")


def check_progress(progress: int | None) -> int | None:
    if progress is not None and not 0 <= progress <= 100:
        raise InvalidInput(
            f"{progress} is out of range; use a whole number 0-100", field="progress"
        )
    return progress


def is_open(status: str) -> bool:
    return status not in CLOSED_STATUSES


def is_overdue(status: str, due: date | None, today: date) -> bool:
    return is_open(status) and due is not None and due < today


def days_overdue(status: str, due: date | None, today: date) -> int | None:
    return (today - due).days if is_overdue(status, due, today) and due else None


def is_due_soon(status: str, due: date | None, today: date, window: int) -> bool:
    return is_open(status) and due is not None and today <= due <= today + timedelta(days=window)


def is_gap(status: str, owner: str | None, due: date | None) -> bool:
    return is_open(status) and (not (owner or "").strip() or due is None)


def slips_after(old_due: date | None, new_due: date | None, slips: int) -> int:
    """The slip count after a due date moves: a later date than the one set is a slip (a
    first date, an earlier one or none is not)."""
    if old_due is not None and new_due is not None and new_due > old_due:
        return slips + 1
    return slips


def has_slipped(slips: int | None) -> bool:
    """The due date moved later at least once (whatever the status)."""
    return bool(slips)


def is_stale(status: str, last_change: date | None, today: date, stale_days: int) -> bool:
    """Open with no recorded change for more than `stale_days` (no record: not stale)."""
    return is_open(status) and last_change is not None and (today - last_change).days > stale_days


def rag(status: str, due: date | None, today: date, window: int) -> str:
    """blue complete; grey dropped; red overdue; amber blocked or due soon; grey no due date."""
    if status == Status.COMPLETE.value:
        return Rag.BLUE.value
    if status == Status.DROPPED.value:
        return Rag.GREY.value
    if due is not None and due < today:
        return Rag.RED.value
    # A blocked item needs attention whether or not it has a date, so amber beats grey.
    if status == Status.BLOCKED.value:
        return Rag.AMBER.value
    if due is None:
        return Rag.GREY.value
    if due <= today + timedelta(days=window):
        return Rag.AMBER.value
    return Rag.GREEN.value


# The rules in SQL, for the store to filter and count without a Python loop over every row.
# Parameters `:today` and `:soon` (today + window) come from sql_params().
# tests/test_status_counts.py checks, on varied registers, that what the store finds and
# counts is exactly what the functions above decide.
_CLOSED_SQL = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)


def sql_params(today: date, window: int) -> dict[str, str]:
    return {"today": today.isoformat(), "soon": (today + timedelta(days=window)).isoformat()}


def sql_is_open(status: str) -> str:
    return f"{status} NOT IN ({_CLOSED_SQL})"


def sql_is_overdue(status: str, due: str) -> str:
    return f"({sql_is_open(status)} AND {due} < :today)"


def sql_is_due_soon(status: str, due: str, soon: str = ":soon") -> str:
    return f"({sql_is_open(status)} AND {due} >= :today AND {due} <= {soon})"


def sql_is_gap(status: str, owner: str, due: str) -> str:
    # Owners are stored trimmed (text.clean_text), so TRIM is only a guard for old rows.
    return f"({sql_is_open(status)} AND ({_sql_no_owner(owner)} OR {due} IS NULL))"


def _sql_no_owner(owner: str) -> str:
    return f"({owner} IS NULL OR TRIM({owner}) = '')"


# days_overdue and rag, for exports that SQLite computes whole (julianday: SQLite only);
# tests/test_export.py compares them with make_item, field by field, on every RAG.
def sql_days_overdue(status: str, due: str) -> str:
    return (
        f"CASE WHEN {sql_is_overdue(status, due)} "
        f"THEN CAST(julianday(:today) - julianday({due}) AS INTEGER) END"
    )


def sql_rag(status: str, due: str) -> str:
    s, r = Status, Rag
    return (
        f"CASE WHEN {status} = '{s.COMPLETE.value}' THEN '{r.BLUE.value}'"
        f" WHEN {status} = '{s.DROPPED.value}' THEN '{r.GREY.value}'"
        f" WHEN {due} < :today THEN '{r.RED.value}'"
        f" WHEN {status} = '{s.BLOCKED.value}' THEN '{r.AMBER.value}'"
        f" WHEN {due} IS NULL THEN '{r.GREY.value}'"
        f" WHEN {due} <= :soon THEN '{r.AMBER.value}'"
        f" ELSE '{r.GREEN.value}' END"
    )


# Counting: the store puts each row in a class (its status; where its due date falls: none,
# before today, today..today+window, later; whether it has an owner; whether it slipped) and
# counts each class. Every rule above depends on nothing else, so applying the rules once to
# a representative of each class (representative()) counts exactly what applying them to
# every row would: the rules keep one definition, and Python never loops over the rows.
NO_DUE, PAST, SOON, LATER = 0, 1, 2, 3


def sql_count_class(status: str, due: str, owner: str, slips: str) -> str:
    """The class columns: status, due class, no owner, slipped."""
    return (
        f"{status}, CASE WHEN {due} IS NULL THEN {NO_DUE} WHEN {due} < :today THEN {PAST} "
        f"WHEN {due} <= :soon THEN {SOON} ELSE {LATER} END, {_sql_no_owner(owner)}, "
        f"(COALESCE({slips}, 0) > 0)"
    )


def representative(
    due_class: int, no_owner: bool, slipped: bool, today: date, window: int
) -> tuple[date | None, str | None, int]:
    """A (due, owner, slips) that every row of the class shares for every rule."""
    due = {
        NO_DUE: None,
        PAST: today - timedelta(days=1),
        SOON: today,
        LATER: today + timedelta(days=window + 1),
    }[due_class]
    return due, None if no_owner else "owner", 1 if slipped else 0


def ageing_band(days: int) -> str:
    for low, high, label in AGEING_BANDS:
        if days >= low and (high is None or days <= high):
            return label
    raise ValueError(f"{days} days is not overdue")


def days_slipped(due: date | None, original_due: date | None) -> int:
    return (due - original_due).days if due and original_due and due > original_due else 0
