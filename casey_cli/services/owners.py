"""`casey owner ...`: the owner directory (a name, an optional email and organisation, and
aliases), and the resolution of owner names given on writes and loads through it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from casey_cli.errors import InvalidInput, NotFound, did_you_mean
from casey_cli.owners import owner_key
from casey_cli.refs import is_action_ref
from casey_cli.schemas import Row
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.run_context import RunContext
    from casey_cli.store.tx import Tx

OWNER_COLUMNS = ("name", "email", "organisation", "aliases")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.][^@\s]*")


def resolve(tx: Tx, owner: str | None, hints: list[str] | None) -> str | None:
    """An owner given on a write, as stored: the directory's name for a name or alias it
    has, else as given (cleaned; '' stays '' to clear). A near miss adds a hint."""
    clean = clean_text(owner, "owner")
    if clean is None:
        return owner if owner is not None and not owner.strip() else None
    from casey_cli.store.lookup import owner_directory

    name, hint = owner_directory(tx).resolve(clean)
    if hint is not None and hints is not None:
        hints.append(hint)
    return name


def _check_email(email: str | None, given_as: str = "--email") -> str | None:
    """The address, trimmed (None for none); `given_as` names where it was given."""
    clean = clean_text(email, "email")
    if clean is not None and not clean.isascii():
        raise InvalidInput(
            f"'{clean}' has letters outside ASCII, which mail headers cannot carry; give the "
            "address the owner's mail system also answers to in plain letters",
            field="--email",
        )
    if clean is not None and not _EMAIL.fullmatch(clean):
        raise InvalidInput(
            f"'{clean}' is not an email address; give {given_as} as name@example.org (one @, "
            "and a domain with a dot)",
            field=given_as,
        )
    return clean


def _owner_of_key(tx: Tx, key: str) -> tuple[int, str, str] | None:
    """The owner a key belongs to, as (id, name, 'name' or 'alias'), or None."""
    for number, name in tx.all("SELECT id, name FROM owners"):
        if owner_key(str(name)) == key:
            return int(number), str(name), "name"
    row = tx.one(
        "SELECT o.id, o.name FROM owner_aliases a JOIN owners o ON o.id = a.owner_id "
        "WHERE a.alias = :key",
        {"key": key},
    )
    return (int(row[0]), str(row[1]), "alias") if row else None


def _check_name(tx: Tx, name: str | None, own: int | None = None) -> str:
    clean = clean_text(name, "name")
    if clean is None or not owner_key(clean):
        raise InvalidInput("the owner's name is empty; give NAME", field="name")
    taken = _owner_of_key(tx, owner_key(clean))
    if taken is not None and taken[0] != own:
        number, other, how = taken
        if how == "name":
            raise InvalidInput(
                f"owner '{other}' is already in the directory; change it with "
                f"`casey owner update '{other}'`"
            )
        raise InvalidInput(
            f"'{clean}' is already an alias of owner '{other}'; give another name, or use '{other}'"
        )
    return clean


def _add_aliases(tx: Tx, number: int, aliases: list[str]) -> None:
    keys: list[str] = []
    for alias in aliases:
        key = owner_key(clean_text(alias, "alias") or "")
        if not key:
            raise InvalidInput("an alias is empty; give --alias TEXT", field="--alias")
        taken = _owner_of_key(tx, key)
        if taken is not None and taken[0] == number:
            continue  # the owner's own name or alias already
        if taken is not None:
            raise InvalidInput(
                f"the alias '{alias}' already belongs to owner '{taken[1]}' (as its "
                f"{taken[2]}); give another alias"
            )
        if key not in keys:
            keys.append(key)
    if keys:
        tx.insert_rows("owner_aliases", ("alias", "owner_id"), [(k, number) for k in keys])


def _row(tx: Tx, number: int) -> Row:
    found = tx.one("SELECT name, email, organisation FROM owners WHERE id = :id", {"id": number})
    assert found is not None
    aliases = [
        str(a)
        for (a,) in tx.all(
            "SELECT alias FROM owner_aliases WHERE owner_id = :id ORDER BY alias", {"id": number}
        )
    ]
    return _as_row(found, aliases)


def _as_row(values: tuple[object, ...], aliases: list[str]) -> Row:
    return Row(
        OWNER_COLUMNS,
        {
            "name": values[0],
            "email": values[1],
            "organisation": values[2],
            "aliases": "; ".join(aliases) or None,
        },
    )


def add(
    tx: Tx,
    *,
    name: str,
    email: str | None = None,
    organisation: str | None = None,
    aliases: list[str] | None = None,
) -> Row:
    """Add an owner and its aliases; a name or alias another owner has is refused."""
    clean = _check_name(tx, name)
    address = _check_email(email)
    number = tx.next_id("owners")
    tx.insert_rows(
        "owners",
        ("id", "name", "email", "organisation"),
        [(number, clean, address, clean_text(organisation, "organisation"))],
    )
    _add_aliases(tx, number, aliases or [])
    return _row(tx, number)


def find(tx: Tx, name: str) -> tuple[int, str]:
    """An owner by its name or an alias (as matched: any case, spacing and punctuation)."""
    taken = _owner_of_key(tx, owner_key(name))
    if taken is None:
        names = [str(n) for (n,) in tx.all("SELECT name FROM owners ORDER BY name")]
        raise NotFound(
            f"no owner '{name}' in the directory{did_you_mean(name, names)}; see "
            "`casey owner list`, or add it with `casey owner add`"
        )
    return taken[0], taken[1]


def update(
    tx: Tx,
    name: str,
    *,
    email: str | None = None,
    organisation: str | None = None,
    aliases: list[str] | None = None,
    rename: str | None = None,
) -> tuple[Row, bool]:
    """Change an owner: email and organisation ('' clears them), more aliases, a new name
    (the old one becomes an alias, so writes that use it still find the owner). Items keep
    the owner name they were given."""
    number, old = find(tx, name)
    before = _row(tx, number)
    if email is None and organisation is None and not aliases and rename is None:
        raise InvalidInput(
            "nothing to change; give at least one of --email, --organisation, --alias or --rename"
        )
    if rename is not None:
        new = _check_name(tx, rename, own=number)
        if new != old:
            tx.execute("UPDATE owners SET name = :n WHERE id = :id", {"n": new, "id": number})
            _add_aliases(tx, number, [old])
    if email is not None:
        tx.execute(
            "UPDATE owners SET email = :e WHERE id = :id", {"e": _check_email(email), "id": number}
        )
    if organisation is not None:
        tx.execute(
            "UPDATE owners SET organisation = :o WHERE id = :id",
            {"o": clean_text(organisation, "organisation"), "id": number},
        )
    _add_aliases(tx, number, aliases or [])
    after = _row(tx, number)
    return after, after.values != before.values


def load(
    tx: Tx,
    *,
    name: str,
    email: str | None = None,
    organisation: str | None = None,
    aliases: list[str] | None = None,
) -> tuple[str, list[str] | None]:
    """An owner as a register file gives it (`casey load`): added when its name is no
    owner's name or alias, else that owner updated: email and organisation set when given
    ('' clears), aliases added, never removed, and the owner never renamed. Returns the
    owner's name and the fields changed (None: added)."""
    _check_email(email, "email")  # named as the file's key, before anything is written
    taken = _owner_of_key(tx, owner_key(name))
    if taken is None:
        row = add(tx, name=name, email=email, organisation=organisation, aliases=aliases)
        return str(row.values["name"]), None
    number, stored, _ = taken
    if email is None and organisation is None and not aliases:
        return stored, []
    before = _row(tx, number)
    after, _ = update(tx, stored, email=email, organisation=organisation, aliases=aliases)
    return stored, [k for k in OWNER_COLUMNS if before.values[k] != after.values[k]]


def query(tx: Tx) -> list[Row]:
    """Every owner by name, with its aliases."""
    aliases: dict[int, list[str]] = {}
    for alias, number in tx.all("SELECT alias, owner_id FROM owner_aliases ORDER BY alias"):
        aliases.setdefault(int(number), []).append(str(alias))
    return [
        _as_row((r[1], r[2], r[3]), aliases.get(int(r[0]), []))
        for r in tx.all("SELECT id, name, email, organisation FROM owners ORDER BY name, id")
    ]


def merge(tx: Tx, run: RunContext, old: str, new: str) -> tuple[str, str, list[str]]:
    """Merge owner `old` into `new` (in the directory): every item whose owner is `old` (by
    its name or an alias, or `old` as items carry it when the directory lacks it) gets
    `new`'s name, one history event each noting the merge; `old`'s name and aliases become
    `new`'s aliases, and its email and organisation fill the ones `new` lacks. An alias of
    `new` as `old` moves the items that carry that spelling. Returns the two names and the
    refs of the items moved."""
    into, target = find(tx, new)
    keys = {owner_key(old)}
    if not owner_key(old):
        raise InvalidInput("the owner to merge is empty; give OLD", field="OLD")
    known = _owner_of_key(tx, owner_key(old))
    source = clean_text(old, "OLD") or old
    if owner_key(old) == owner_key(target):
        raise InvalidInput(f"'{old}' is {target}'s own name; nothing to merge")
    if known is not None and known[0] == into:
        known = None  # already NEW's alias: only its items, spelt so, move
    if known is not None:
        number, source, _ = known
        keys.add(owner_key(source))
        keys.update(
            str(a)
            for (a,) in tx.all(
                "SELECT alias FROM owner_aliases WHERE owner_id = :id", {"id": number}
            )
        )
        email, organisation = tx.one(
            "SELECT email, organisation FROM owners WHERE id = :id", {"id": number}
        ) or (None, None)
        tx.execute("DELETE FROM owner_aliases WHERE owner_id = :id", {"id": number})
        tx.execute("DELETE FROM owners WHERE id = :id", {"id": number})
        tx.execute(
            "UPDATE owners SET email = coalesce(email, :e), organisation = coalesce(organisation, "
            ":o) WHERE id = :id",
            {"e": email, "o": organisation, "id": into},
        )
    _add_aliases(tx, into, [source])
    refs = [
        str(ref)
        for ref, owner in tx.all(
            "SELECT 'A' || id, owner FROM actions WHERE owner IS NOT NULL "
            "UNION ALL SELECT ref, owner FROM recommendations WHERE owner IS NOT NULL"
        )
        if owner_key(str(owner)) in keys and owner != target
    ]
    if known is None and not refs:  # a typo, not an owner: never make it an alias
        raise NotFound(
            f"no owner or item owner '{old}'; see `casey owner list`, or the owners of "
            "`casey action list`"
        )
    note = f"owner '{source}' merged into '{target}'"
    for ref in refs:
        item = tx.action(ref) if is_action_ref(ref) else tx.recommendation(ref)
        tx.update(
            item,
            {"owner": target},
            by=run.user,
            today=run.today,
            note=note,
            note_alone=False,
            keep_as_of=True,  # a merge is bookkeeping, not news of the item
        )
    return source, target, refs
