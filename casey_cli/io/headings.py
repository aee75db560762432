"""A tracker's header row read as item fields (docs/tracker.md#headings): casey's own
columns as `casey export` writes them, or the headings councils write (`Action`, `Lead
officer`, `Target date`, `RAG`, `Update`), through a table of synonyms, `--map` and a map
file. Pure: no store, no files."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from casey_cli.errors import InvalidInput, did_you_mean
from casey_cli.refs import is_rec_ref

# The headings each field is known by, as councils, police bodies and inquiries write them
# (../shared/reference/trackers.md); matched ignoring case, spaces and punctuation.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "tracker_ref": (
        "Ref",
        "Reference",
        "No.",
        "Number",
        "Item",
        "Item no.",
        "Recommendation number",
        "Recommendation no.",
        "Rec no.",
        "Action no.",
        "Minute item",
        "ID",
    ),
    "title": (
        "Action",
        "Actions",
        "Recommendation",
        "Subject and action required",
        "Action required",
        "Agreed action",
        "Subject",
        "Description",
        "Title",
    ),
    "owner": (
        "Owner",
        "Lead officer",
        "Lead Officer/EM",
        "Lead",
        "Responsibility",
        "Responsible officer",
        "Responsible",
        "Action by",
        "Action owner",
    ),
    "due": (
        "Due",
        "Due date",
        "Target date",
        "Target",
        "Target completion",
        "Target completion date",
        "Deadline",
        "Timetable",
        "Timescale",
        "Timescales",
        "Date",
    ),
    "revised_due": (
        "Revised target date",
        "Revised date",
        "Revised due date",
        "Revised deadline",
        "Revised target completion",
        "Revised target completion date",
        "New target date",
    ),
    "status": ("Status", "Current status", "Progress status"),
    "reported_rag": ("RAG", "RAG status", "RAG rating"),
    "update": (
        "Update",
        "Progress update",
        "Latest update",
        "Action taken",
        "Comments",
        "Comment",
        "Commentary",
        "Progress",
    ),
    "progress": ("% complete", "Percent complete", "Percentage complete", "% done"),
    "completed": ("Date completed", "Completed on", "Completion date", "Date closed"),
    "response": ("Response", "Agreed", "Accepted", "Cabinet response"),
    "borough": ("Borough", "London borough"),
}
# Headings that name different things in different trackers: read as shown, and the dry run
# says so, for `--map` to decide otherwise.
AMBIGUOUS = {"date": "a target date in one tracker, a meeting's date in another"}
# What `--map` may name, beyond casey's own columns.
EXTRA_FIELDS = ("tracker_ref", "revised_due", "update")
# Columns casey works out itself, which a tracker's column cannot give.
WORKED_OUT = frozenset(
    {"source", "days_overdue", "rag", "created", "updated", "verification", "latest_update_on"}
)
IGNORE = "ignore"  # `--map "Heading=ignore"` (or `Heading=`): a column to leave out


def heading_key(text: str) -> str:
    """A heading as compared: lower case, letters, digits and % only ('Lead Officer/EM' ->
    'leadofficerem', '% Complete' -> '%complete')."""
    return re.sub(r"[^0-9a-z%]", "", text.lower())


_SYNONYM_KEYS = {heading_key(h): f for f, headings in SYNONYMS.items() for h in headings}


@dataclass
class HeaderMap:
    """A header row read: each column's field (None: left out), and what a dry run says
    about it."""

    fields: list[str | None]
    # Whether the header is casey's own (every cell a column of `casey export` as written).
    own: bool
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The heading each field came from, so errors name the file's own column.
    headings: dict[str, str] = field(default_factory=dict)
    # The header's cells as written.
    names: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.fields


def read_map(text: str, source: str = "--map") -> dict[str, str]:
    """`Heading=field,Heading=field` -> {heading key: field}; fields checked later."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        heading, sep, name = part.partition("=")
        if not sep or not heading.strip():
            raise InvalidInput(
                f"'{part.strip()}' is not Heading=field; write for example "
                f'{source} "Lead officer=owner,Date=due"',
                field=source,
            )
        mapping[heading_key(heading)] = name.strip().lower().replace("-", "_") or IGNORE
    return mapping


def map_header(
    header: Sequence[str],
    item_columns: Iterable[str],
    mapping: dict[str, str] | None = None,
) -> HeaderMap:
    """The fields a header row's columns give. casey's own header (every cell a column of
    `casey export`, exactly) is taken as it is. Any other is a tracker's: each heading by
    `mapping` first, then SYNONYMS, then casey's own column names in any case; a heading
    none of them knows is left out (listed for the dry run)."""
    columns = tuple(item_columns)
    names = [h.strip() for h in header]
    for n, written in enumerate(names):
        if written and written in names[:n]:
            raise InvalidInput(
                f"the column '{written}' is there twice; keep one, or leave one out with "
                f'--map "{written}=ignore"',
                field=written,
            )
    if not mapping and all(h in columns for h in names if h) and any(names):
        own = {h: h for h in names if h}
        return HeaderMap([h or None for h in names], own=True, headings=own, names=names)
    mapping = mapping or {}
    allowed = {*columns, *EXTRA_FIELDS} - WORKED_OUT
    for wanted in mapping.values():
        if wanted != IGNORE and wanted not in allowed:
            raise InvalidInput(
                f"'{wanted}' is not a field a column can give"
                f"{did_you_mean(wanted, sorted(allowed))}"
                f"; use one of {', '.join(sorted(allowed))}, or ignore",
                field="--map",
            )
    own_keys = {heading_key(c): c for c in columns}
    result = HeaderMap([], own=False, names=names)
    for heading in names:
        key = heading_key(heading)
        # casey's own column as written first: `recommendation` is the link to one, while a
        # tracker's `Recommendation` is the item's text.
        name: str | None = mapping.get(key) or (heading if heading in columns else None)
        name = name or _SYNONYM_KEYS.get(key) or own_keys.get(key)
        if name == IGNORE or not heading:
            result.fields.append(None)
            continue
        if name is None:
            result.fields.append(None)
            result.unmapped.append(heading)
            continue
        if name in result.headings:
            raise InvalidInput(
                f"the columns '{result.headings[name]}' and '{heading}' both give "
                f'{name}; say which with --map "{heading}=ignore" (or another field)',
                field=heading,
            )
        if key in AMBIGUOUS and key not in mapping:
            result.notes.append(
                f"read the column '{heading}' as {name} ({AMBIGUOUS[key]}); if it is not, "
                f'--map "{heading}=ignore" or --map "{heading}=FIELD"'
            )
        result.fields.append(name)
        result.headings[name] = heading
    # A tracker's RAG column is its author's rating; casey's own `rag` is the rule's, derived.
    if (
        result.has("rag")
        and not result.has("reported_rag")
        and not any(h.strip() == "rag" for h in names)
    ):
        result.fields = ["reported_rag" if f == "rag" else f for f in result.fields]
        result.headings["reported_rag"] = result.headings.pop("rag")
    return result


def misspelt(header: HeaderMap, item_columns: Iterable[str]) -> InvalidInput | None:
    """A heading left out that looks like a misspelling of a field no column gives ('titel'):
    an error naming the field, rather than a column quietly left out."""
    names = {**{h.lower(): f for f, hs in SYNONYMS.items() for h in hs}}
    names.update({c: c for c in item_columns})
    for heading in header.unmapped:
        close = difflib.get_close_matches(heading.lower(), sorted(names), n=1, cutoff=0.8)
        if not close or header.has(names[close[0]]):
            continue
        return InvalidInput(
            f"unknown column '{heading}' (did you mean '{close[0]}'?); rename it, or read "
            f'it with --map "{heading}=FIELD" (or leave it out with --map "{heading}=ignore")',
            field=heading,
        )
    return None


def describe(header: HeaderMap) -> str:
    """What a dry run says of a tracker's header: each column's field, and the ones left out."""
    read = ", ".join(f"'{heading}' -> {name}" for name, heading in header.headings.items())
    text = f"columns {read}"
    if header.unmapped:
        text += "; left out: " + ", ".join(f"'{h}'" for h in header.unmapped)
        text += ' (--map "Heading=field" to read one)'
    return text


# An action's ref as casey writes it, with its A: a tracker's bare `14` is its own number.
_WRITTEN_ACTION_REF = re.compile(r"^[Aa][0-9]{1,9}$")


def holds_casey_refs(values: Iterable[object]) -> bool:
    """Does a reference column hold casey's own refs (every value given looks like one)? A
    tracker's `1` or `113.6` never does, so it is never taken for A1."""
    seen = False
    for value in values:
        if value is None or value == "":
            continue
        if not isinstance(value, str) or not (
            _WRITTEN_ACTION_REF.match(value.strip()) or is_rec_ref(value)
        ):
            return False
        seen = True
    return seen
