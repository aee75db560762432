"""`casey publish`: the register as a static website, page by page, as (path, bytes) pairs in
a fixed order; io.site renders each page and puts the files in the folder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casey_cli.enums import FORCE_WIDE, PUBLISH_HIDEABLE, RAG_ORDER
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import ITEM_COLUMNS, Event, Item
from casey_cli.store.items import Filters

if TYPE_CHECKING:
    from casey_cli.io.site import Links, Pager, Part, Section
    from casey_cli.store.tx import Tx

LATEST_UPDATES = 20  # a borough page's latest progress updates
WITHHELD = "(withheld)"
_WHOLE = 1 << 62  # a page's byte limit that never splits it
_HISTORY_BATCH = 1000  # actions whose history is read in one query
DEFAULT_TITLE = "Police reform in London: the register"


def hidden_fields(given: Iterable[str], policy: Iterable[str] | None = None) -> tuple[str, ...]:
    """The fields withheld: `--hide`'s, checked, added to the configured policy's (a flag
    never publishes what the policy withholds), each once, in a fixed order."""
    from casey_cli.config import hideable_fields

    try:  # the policy was checked as the config was read: a bad name is --hide's
        return hideable_fields([*given, *(policy or ())])
    except ValueError as exc:
        raise InvalidInput(str(exc), field="--hide") from None


@dataclass(frozen=True)
class SiteOptions:
    borough: str | None = None  # a borough slug the store knows: only its pages
    title: str = DEFAULT_TITLE
    base_url: str | None = None
    hide: tuple[str, ...] = ()


@dataclass
class _Site:
    """What every page is told about the site."""

    title: str
    today: str
    window: int
    stale_days: int
    borough: str | None
    base_url: str | None
    hidden: tuple[str, ...]
    hidden_words: str = ""
    hidden_columns: list[str] = field(default_factory=list)


def _event(e: Event, hidden: Sequence[str]) -> Event:
    """An event as the site shows it: a withheld field's values and, with `note`
    withheld, its note left out."""
    if e.field in hidden:
        e = replace(e, old=WITHHELD if e.old is not None else None, new=WITHHELD)
    if "verified_by" in hidden and _verifying(e):
        e = replace(e, by=WITHHELD)  # who recorded a verification is the verifier
    if "note" in hidden:
        e = replace(e, note=None)
    return e


def _verifying(e: Event) -> bool:
    """An event a verification records (`casey action verify` sets these, by the verifier)."""
    if e.field == "assurance":
        return e.new == "verified"
    return e.field in ("verified_by", "verified_on", "verification_evidence")


def _hasher(*parts: object) -> Any:
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x00")
    return h


def _salt(tx: Tx, info: _Site, index: Any) -> str:
    """What every page is made from besides its own items: the options, the day, this
    version's templates and code, and the small tables a page shows or links to (boroughs,
    sources, meetings, the owner directory). Any change to them makes every page again."""
    from importlib import resources

    from casey_cli import __version__
    from casey_cli.io import cartogram
    from casey_cli.io import site as io

    h = _hasher(__version__, info, sorted(index.boroughs), sorted(index.sources))
    h.update(repr(sorted(index.recs)).encode())
    folder = resources.files("casey_cli") / "templates" / "site"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        h.update(entry.name.encode() + b"\x00" + entry.read_bytes())
    for module in (io.__file__, cartogram.__file__, __file__):
        h.update(Path(str(module)).read_bytes())
    for table in ("boroughs", "sources", "meetings", "owners", "owner_aliases"):
        h.update(repr(sorted(tx.rows(f"SELECT * FROM {table}", {}), key=repr)).encode())
    return str(h.hexdigest())[:20]


def _versions(tx: Tx) -> dict[tuple[str, str], str]:
    """Each item's place in the history: its count of events and its latest event's id.
    Every change to an item is an event of its own, so a page made from the same items at
    the same versions (and the same salt) has the same bytes."""
    return {
        (kind, ref): f"{count}.{last}"
        for kind, ref, count, last in tx.rows(
            "SELECT kind, ref, count(*), max(id) FROM history GROUP BY kind, ref", {}
        )
    }


def site_files(
    tx: Tx,
    run: RunContext,
    opts: SiteOptions,
    fresh: Callable[[str, str], bool] | None = None,
) -> Iterator[tuple[str, bytes] | Part]:
    """Every file of the site, as (path inside the folder, bytes) or a Part that makes
    them, in a fixed order; the same store, options and day give the same files, byte for
    byte. A Part carries the key it is made from; `fresh(name, key)` says whether the
    folder already holds a part made from that key (its pages are then not made at all)."""
    from casey_cli.io import site as io
    from casey_cli.io.html import RAG_COLOUR
    from casey_cli.services import recs as rec_service
    from casey_cli.services import reference, status

    today, window, hidden = run.today, run.window, opts.hide
    fresh = fresh or (lambda name, key: False)
    info = _Site(
        title=opts.title,
        today=today.isoformat(),
        window=window,
        stale_days=run.stale_days,
        borough=opts.borough,
        base_url=(opts.base_url.rstrip("/") + "/") if opts.base_url else None,
        hidden=hidden,
        hidden_words="; ".join(PUBLISH_HIDEABLE[h] for h in hidden),
        hidden_columns=[c for c in ITEM_COLUMNS if c in hidden],
    )
    boroughs = [b for b in tx.boroughs() if opts.borough in (None, b[0])]
    # Each borough's items (its actions, its own plans' recommendations; `london`: the
    # force-wide ones).
    items: dict[str, list[Item]] = {
        slug: list(tx.items(Filters(borough=slug), today=today, window=window))
        for slug, _name, _bcu in boroughs
    }
    published = [i for slug in items for i in items[slug]]
    action_refs = {i.ref for i in published if i.kind == "action"}
    rec_refs = {i.ref for i in published if i.kind != "action"} | {
        i.recommendation for i in published if i.kind == "action" and i.recommendation
    }
    sources = reference.sources(tx)
    index = io.SiteIndex(
        boroughs=frozenset(items),
        sources=frozenset(s.values["code"] for s in sources),
        recs=frozenset(rec_refs),
        actions=frozenset(action_refs),
    )
    top, below = io.Links(index, ""), io.Links(index, "../")
    common = {"site": info, "rag_order": RAG_ORDER, "colours": RAG_COLOUR}
    salt = _salt(tx, info, index)
    versions = _versions(tx)

    def key_of(*parts: object, items: Iterable[Item] = ()) -> str:
        """A part's key: the salt, `parts`, and the history versions of `items`; as it is
        when short (most pages show one item), else its hash."""
        text = "|".join(
            [salt, *map(str, parts), *(f"{i.ref}={versions.get((i.kind, i.ref))}" for i in items)]
        )
        return text if len(text) <= 100 else str(_hasher(text).hexdigest())

    def render(
        folder: str,
        stem: str,
        template: str,
        sections: Sequence[Section],
        context: Any,
        limit: int | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        links = below if folder else top

        def one(chunk: list[Section], pager: Pager) -> bytes:
            return io.render(
                template,
                links,
                sections=chunk,
                pager=pager,
                path=folder + pager.name(pager.number),
                **common,
                **context,
            )

        return io.paged(folder, stem, sections, one, limit)

    def render_later(
        folder: str,
        stem: str,
        template: str,
        build: Callable[[], tuple[Sequence[Section], dict[str, Any]]],
        limit: int | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        sections, context = build()
        return render(folder, stem, template, sections, context, limit)

    def later(
        folder: str,
        stem: str,
        template: str,
        key: str | None,
        build: Callable[[], tuple[Sequence[Section], dict[str, Any]]],
        limit: int | None = None,
    ) -> Iterator[Part]:
        """A page whose sections and context are read only if it is made (`limit`: its
        bytes a file, as io.paged)."""
        yield io.Part(
            f"{folder}{stem}.html",
            key,
            partial(render_later, folder, stem, template, build, limit),
        )

    def page(
        folder: str,
        stem: str,
        template: str,
        sections: Sequence[Section],
        key: str | None = None,
        limit: int | None = None,
        **context: Any,
    ) -> Iterator[Part]:
        """A page whose sections and context are at hand."""
        return later(folder, stem, template, key, lambda: (sections, context), limit)

    # The one stylesheet every page links to.
    yield "style.css", io.render("style.css.j2", top)

    # The London overview.
    london = status.london(tx, run, Filters(borough=opts.borough))
    rows = [
        {"slug": r.keys["borough"], "name": r.label, "counts": r.counts}
        for r in london.rows
        if r.keys["borough"] in items
    ]
    if FORCE_WIDE in items:
        rows.append(
            {
                "slug": FORCE_WIDE,
                "name": london.force_wide.label,
                "counts": london.force_wide.counts,
            }
        )
    yield from page(
        "",
        "index",
        "index.html.j2",
        [
            io.Section("boroughs", "Boroughs", rows),
            io.Section("sources", "Sources", [s.values for s in sources]),
        ],
        # One page however large: its lists are a row per borough and per source, and the
        # site's menu links to its sections (#sources, #downloads).
        limit=_WHOLE,
        heading=opts.title,
        summary=london.summary,
        **_cartogram(london, index),
    )

    # A page per borough.
    def borough_page(
        slug: str, label: str, bcu: str | None
    ) -> tuple[Sequence[Section], dict[str, Any]]:
        from casey_cli.rules import is_stale
        from casey_cli.store.items import last_known

        report = status.report(tx, run, Filters(borough=slug))
        mine = items[slug]
        stale = sorted(
            (
                i
                for i in mine
                if is_stale(i.status, last_known(i.as_of, i.updated), today, run.stale_days)
            ),
            key=lambda i: (last_known(i.as_of, i.updated) or today, i.ref),
        )
        updated = sorted(
            (i for i in mine if i.latest_update_on),
            key=lambda i: (str(i.latest_update_on), i.ref),
            reverse=True,
        )[:LATEST_UPDATES]
        force_wide = slug == FORCE_WIDE
        sections = [
            io.Section("overdue", "Overdue", report.overdue, "Nothing is overdue."),
            io.Section("due-soon", f"Due in the next {window} days", report.due_soon, "Nothing."),
            io.Section(
                "stale",
                f"Open, with nothing new in {run.stale_days} days",
                stale,
                f"Every open item has news from the last {run.stale_days} days.",
            ),
            io.Section(
                "gaps",
                "Without an owner or a due date",
                report.gaps,
                "Every item has an owner and a due date.",
            ),
            io.Section(
                "updates",
                "Latest progress updates",
                updated,
                "No progress update has been recorded.",
            ),
            io.Section(
                "plan",
                "Recommendations to the Met as a whole" if force_wide else "Its own plan",
                [i for i in mine if i.kind != "action"],
                "None recorded." if force_wide else "No plan of its own is recorded.",
            ),
            io.Section(
                "actions", "Its actions", [i for i in mine if i.kind == "action"], "No actions."
            ),
        ]
        context = {
            "heading": label,
            "bcu": bcu,
            "counts": tx.count_items(Filters(borough=slug), today=today, window=window),
            "file": io.file_name(slug),
        }
        return sections, context

    for slug, name, bcu in boroughs:
        label = london.force_wide.label if slug == FORCE_WIDE else name
        yield from later(
            "boroughs/",
            io.file_name(slug),
            "borough.html.j2",
            key_of("borough", slug, items=items[slug]),
            partial(borough_page, slug, label, bcu),
        )

    # A page per source.
    recs_of: dict[str, list[Item]] = defaultdict(list)
    for item in published:
        if item.kind != "action" and item.source:
            recs_of[item.source].append(item)
    headings = _Headings(tx)
    for s in sources:
        code = s.values["code"]
        sections, grouping = headings.sections(code, recs_of.get(code, []))
        yield from page(
            "sources/",
            io.file_name(code),
            "source.html.j2",
            sections,
            key_of("source", code, items=recs_of.get(code, [])),
            heading=s.values["title"],
            source=s.values,
            grouping=grouping,
        )

    # The page on the data's limits: made from the sources (in the salt) and the options.
    yield from _limits_page(page, [s.values for s in sources], key_of("limits"))

    # A page per recommendation.
    actions_of: dict[str, list[Item]] = defaultdict(list)
    for item in published:
        if item.kind == "action" and item.recommendation:
            actions_of[item.recommendation].append(item)

    names = {slug: name for slug, name, _bcu in boroughs}

    def rec_page(ref: str) -> tuple[Sequence[Section], dict[str, Any]]:
        detail = rec_service.show(tx, run, ref, actions=False)
        d = detail.details
        # As `rec show` lists them: by borough, each borough's in the contract's order.
        actions = sorted(actions_of[ref], key=lambda i: i.borough or "")
        sections = [
            io.Section(
                "actions",
                "Actions against it",
                actions,
                "No actions against it are published here.",
            )
        ]
        context = {
            "rollup": _rollup(actions, names),
            "heading": f"{ref}: {detail.item.title}",
            "item": _item(detail.item, hidden),
            "details": {
                "text": [
                    (label, d[key])
                    for label, key in (
                        ("Number", "number"),
                        ("Summary", "summary"),
                        ("Theme", "theme"),
                        ("Addressed to", "addressed_to"),
                        ("Response", "response"),
                        ("Citation", "citation"),
                    )
                    if d.get(key) is not None
                ]
            },
            "history": [_event(e, hidden) for e in detail.history],
        }
        return sections, context

    for ref in sorted(rec_refs):
        yield from later(
            "recs/",
            io.file_name(ref),
            "rec.html.j2",
            key_of("rec", ref, versions.get(("recommendation", ref)), items=actions_of[ref]),
            partial(rec_page, ref),
        )

    # A page per action: the details, history and titles read once for them all.
    yield from _action_pages(tx, run, opts, published, render_later, key_of, fresh)

    # What changed: a page per month and an Atom feed, from one pass over the history,
    # made again whenever the history has grown.
    everything = next(iter(tx.rows("SELECT count(*), max(id) FROM history", {})))

    def change_files() -> Iterator[tuple[str, bytes | Iterable[bytes]]]:
        for entry in _change_pages(tx, info, items, boroughs, top, page):
            if isinstance(entry, io.Part):
                yield from entry.make()
            else:
                yield entry

    yield io.Part("changes/index.html", key_of("changes", everything), change_files)

    # Downloads: the item object, as `casey export` writes it, less the hidden fields.
    yield io.Part(
        "downloads/register.csv",
        key_of("register", everything),
        partial(_downloads, tx, run, Filters(borough=opts.borough), "register", hidden),
    )
    for slug, _name, _bcu in boroughs:
        stem = f"boroughs/{io.file_name(slug)}"
        yield io.Part(
            f"downloads/{stem}.csv",
            key_of("downloads", slug, items=items[slug]),
            partial(_downloads, tx, run, Filters(borough=slug), stem, hidden),
        )


def _item(item: Item, hidden: Sequence[str]) -> Item:
    return replace(item, owner=None) if "owner" in hidden else item


def _action_pages(
    tx: Tx,
    run: RunContext,
    opts: SiteOptions,
    published: list[Item],
    render_later: Callable[..., Iterator[tuple[str, bytes]]],
    key_of: Callable[..., str],
    fresh: Callable[[str, str], bool],
) -> Iterator[Part]:
    """A page per action. The details and titles are read once for them all; the history
    a batch of actions at a time, and only for those whose pages are to be made."""
    from casey_cli.dates import to_iso
    from casey_cli.io import site as io
    from casey_cli.services.progress import updates
    from casey_cli.services.report import ref_sort_key
    from casey_cli.store.items import as_date

    hidden = opts.hide
    where = " WHERE borough = :b" if opts.borough else ""
    params = {"b": opts.borough} if opts.borough else {}
    details = {
        f"A{r[0]}": r[1:]
        for r in tx.rows(
            "SELECT id, evidence, citation, verified_by, verified_on, verification_evidence "
            f"FROM actions{where}",
            params,
        )
    }
    rec_titles = dict(tx.rows("SELECT ref, title FROM recommendations", {}))
    actions = sorted(
        (i for i in published if i.kind == "action"), key=lambda i: ref_sort_key(i.ref)
    )

    def context(item: Item, events: list[Event]) -> tuple[Sequence[Section], dict[str, Any]]:
        evidence, citation, verified_by, verified_on, verification_evidence = details[item.ref]
        verification = {
            "by": WITHHELD if "verified_by" in hidden and verified_by else verified_by,
            "on": to_iso(as_date(verified_on)),  # a date on PostgreSQL, its text on SQLite
            "evidence": (verification_evidence or "").splitlines(),
        }
        return [], {
            "heading": f"{item.ref}: {item.title}",
            "item": _item(item, hidden),
            "details": {
                "recommendation_title": rec_titles.get(item.recommendation),
                "after": [("Citation", citation)] if citation else [],
            },
            "evidence": (evidence or "").splitlines(),
            "verification": verification,
            "updates": [replace(u, by="") if "by" in hidden else u for u in updates(events)],
            "due_changes": [_event(e, hidden) for e in events if e.field == "due"],
            "history": [_event(e, hidden) for e in events],
        }

    for start in range(0, len(actions), _HISTORY_BATCH):
        batch = actions[start : start + _HISTORY_BATCH]
        keys = {item.ref: key_of("action", item.recommendation, items=[item]) for item in batch}
        wanted = [
            item.ref
            for item in batch
            if not fresh(f"actions/{io.file_name(item.ref)}.html", keys[item.ref])
        ]
        history: dict[str, list[Event]] = defaultdict(list)
        if wanted:
            for event in tx.events(refs=wanted):
                if event.kind == "action":
                    history[event.ref].append(event)
        for item in batch:
            name = io.file_name(item.ref)
            yield io.Part(
                f"actions/{name}.html",
                keys[item.ref],
                partial(
                    render_later,
                    "actions/",
                    name,
                    "action.html.j2",
                    partial(context, item, history.get(item.ref, [])),
                ),
            )


# --- what changed ---------------------------------------------------------------------------

FEED_ENTRIES = 100  # the feed's entries: the latest changes, newest first


@dataclass(frozen=True)
class _Change:
    """One row of a month's changes: the event as the site shows it, with its London day and
    time, its item and borough, and (a progress update) the percent set and the day given."""

    event: Event
    day: str  # the London date, YYYY-MM-DD
    time: str  # the London time, HH:MM
    title: str
    borough: str  # the slug of the borough page that lists the item
    borough_name: str
    what: str  # the field in words: 'Due date', 'Progress update'
    change: str  # the change in one line, as the committee paper says it
    percent: str | None = None
    given_on: str | None = None


@dataclass
class _Month:
    key: str  # YYYY-MM
    name: str  # 'November 2026'
    changes: list[_Change] = field(default_factory=list)
    added: int = 0  # items created in the month (not listed: each is on its borough's page)

    @property
    def items(self) -> int:
        return len({(c.event.kind, c.event.ref) for c in self.changes})


def _change_pages(
    tx: Tx,
    info: _Site,
    items: dict[str, list[Item]],
    boroughs: list[tuple[str, str, str | None]],
    top: Links,
    page: Any,
) -> Iterator[tuple[str, bytes] | Part]:
    """`changes/index.html` (the months, newest first), `changes/YYYY-MM.html` (each month's
    changes, newest first) and `changes/feed.atom` (the latest FEED_ENTRIES changes). A
    change is what the committee paper lists as one (services.report: not the bundled
    register's seeding, creations, as_of, an update's date or a move's slip count), to an
    item this site publishes; months are London months. Items added are counted per month."""
    import re
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from casey_cli.io import site as io
    from casey_cli.io.paper import FIELD_NAMES, MONTHS, change_text
    from casey_cli.services.progress import update_events
    from casey_cli.services.report import listed_changes, seeded_refs, without_seeding
    from casey_cli.store.as_at import ZONE

    where: dict[tuple[str, str], tuple[Item, str]] = {}  # (kind, ref): the item, its page's borough
    for slug in items:
        for item in items[slug]:
            where[(item.kind, item.ref)] = (item, slug)
    names = {slug: name for slug, name, _bcu in boroughs}
    events = [
        e for e in tx.events(borough=info.borough) if (e.kind, e.ref) in where
    ]  # the one pass over the history
    kept = without_seeding(events, seeded_refs(events))
    zone = ZoneInfo(ZONE)
    # A UTC stamp as London 'YYYY-MM-DD HH:MM', once a stamp (a load's events share one).
    london: dict[str, str] = {}

    def local(stamp: str) -> str:
        if stamp not in london:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            london[stamp] = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return london[stamp]

    months: dict[str, _Month] = {}

    def month(key: str) -> _Month:
        if key not in months:
            months[key] = _Month(key, f"{MONTHS[int(key[5:7]) - 1]} {key[:4]}")
        return months[key]

    for e in kept:
        if e.field == "created":
            month(local(e.at)[:7]).added += 1
    # Each update's day and percent, read from the histories of the items with an update
    # only (a large register's loaded items have none).
    with_update = {e.ref for e in kept if e.field == "latest_update"}
    paired = update_events([e for e in kept if e.ref in with_update])
    updates = {e.id: (day, percent) for e, day, percent in paired}
    for e in listed_changes(kept):
        item, slug = where[(e.kind, e.ref)]
        shown = _event(e, info.hidden)
        moment = local(e.at)
        day, percent = updates.get(e.id, (None, None))
        name = FIELD_NAMES.get(e.field, e.field.replace("_", " "))
        month(moment[:7]).changes.append(
            _Change(
                event=shown,
                day=moment[:10],
                time=moment[11:],
                title=item.title,
                borough=slug,
                borough_name=names.get(slug, slug),
                what=name[:1].upper() + name[1:],
                change=f"Note: {shown.new}" if e.field == "note" else change_text(shown),
                percent=percent,
                given_on=day if day and day != moment[:10] else None,
            )
        )
    ordered = [months[k] for k in sorted(months, reverse=True)]
    for m in ordered:
        m.changes.reverse()  # newest first
    yield from page(
        "changes/",
        "index",
        "changes.html.j2",
        [io.Section("months", "Months", ordered, "No change has been recorded yet.")],
        heading="What changed",
    )
    for n, m in enumerate(ordered):
        yield from page(
            "changes/",
            m.key,
            "changes_month.html.j2",
            [io.Section("changes", f"Changes in {m.name}", m.changes, "")],
            heading=f"What changed in {m.name}",
            month=m,
            newer=ordered[n - 1] if n else None,
            older=ordered[n + 1] if n + 1 < len(ordered) else None,
        )
    store = tx.store_id()
    entries = [
        (c, _urn(f"urn:casey-cli:{store}:history:{c.event.id}"), _entry_text(c, info.hidden))
        for c in [c for m in ordered for c in m.changes][:FEED_ENTRIES]
    ]
    # The feed's time is its newest entry's (else the newest event's, else the site's day),
    # never the clock: the same store gives the same bytes.
    newest = (
        entries[0][0].event.at
        if entries
        else max((e.at for e in events), default=f"{info.today}T00:00:00Z")
    )
    scope = info.borough or "all"
    feed = io.render(
        "feed.atom.j2",
        replace(top, root=info.base_url or "../"),
        site=info,
        entries=entries,
        updated=newest,
        feed_id=_urn(f"urn:casey-cli:{store}:changes:{scope}"),
    )
    # XML 1.0 cannot carry some characters a stored text might (clean_text refuses them
    # now; an old event may hold one): left out, so the feed always parses.
    yield (
        "changes/feed.atom",
        re.sub(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]", b"", feed),
    )


def _entry_text(c: _Change, hidden: Sequence[str]) -> str:
    """A feed entry's text: the item, the change, and its note and meeting unless notes are
    withheld (the pages show the meeting in the note's column too)."""
    from casey_cli.io.paper import uk_date

    e = c.event
    lines = [
        f"{e.ref}: {c.title} ({c.borough_name})",
        f"{uk_date(c.day)}, {c.time} London time: {c.change}"
        + (f" (progress {c.percent}%)" if c.percent is not None else ""),
    ]
    if "note" not in hidden:
        if e.note and e.field != "note":
            lines.append(f"Note: {e.note}")
        if e.meeting:
            lines.append(f"At {e.meeting}")
    return "\n".join(lines)


def _urn(name: str) -> str:
    """A stable id for a feed or an entry: a name-based UUID (the same name, the same id)."""
    import uuid

    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _downloads(
    tx: Tx, run: RunContext, scope: Filters, name: str, hidden: Sequence[str]
) -> Iterator[tuple[str, Iterable[bytes]]]:
    """`name.csv` and `name.json`: the items in scope as `casey export` gives them, without
    the hidden fields' columns, in chunks."""
    from casey_cli.io.formats import CSV_GUARD, csv_row_chunks, json_row_chunks

    keep = [n for n, column in enumerate(ITEM_COLUMNS) if column not in hidden]
    columns = [ITEM_COLUMNS[n] for n in keep]

    def values(guard: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
        for row in tx.item_values(scope, today=run.today, window=run.window, guard=guard):
            yield tuple(row[n] for n in keep)

    yield f"downloads/{name}.csv", (c.encode() for c in csv_row_chunks(columns, values(CSV_GUARD)))
    yield f"downloads/{name}.json", (c.encode() for c in json_row_chunks(columns, values(())))


# --- the London overview's cartogram --------------------------------------------------------


def _cartogram(london: Any, index: Any) -> dict[str, Any]:
    """The index page's square-grid map: each London authority coloured by its worst RAG
    (io/cartogram.py), from the London view's counts already made (no query of its own)."""
    from casey_cli.io import cartogram

    counts = {r.keys["borough"]: (r.label, r.counts.by_rag) for r in london.rows}
    return {
        "cartogram": cartogram.squares(counts, index.boroughs),
        "cartogram_columns": cartogram.COLUMNS,
        "marks": cartogram.MARK,
    }


# --- a recommendation's roll-up ----------------------------------------------------------


def _rollup(actions: Sequence[Item], names: dict[str, str]) -> dict[str, Any]:
    """What the actions against a recommendation add up to, from the items its page lists
    (no query of its own): counts by status and RAG, complete, overdue, verified, progress
    where given (average and median), and a row per borough with its worst RAG."""
    from statistics import median

    from casey_cli.enums import Status
    from casey_cli.io.cartogram import worst_rag

    by_status = {s.value: 0 for s in Status}
    by_rag = dict.fromkeys(RAG_ORDER, 0)
    per_borough: dict[str, dict[str, Any]] = {}
    progress = []
    for a in actions:
        by_status[a.status] = by_status.get(a.status, 0) + 1
        by_rag[a.rag] = by_rag.get(a.rag, 0) + 1
        if a.progress is not None:
            progress.append(a.progress)
        slug = a.borough or ""
        row = per_borough.setdefault(
            slug,
            {
                "slug": slug,
                "name": names.get(slug, slug),
                "actions": 0,
                "complete": 0,
                "overdue": 0,
                "by_rag": {},
            },
        )
        row["actions"] += 1
        row["complete"] += a.status == Status.COMPLETE.value
        row["overdue"] += a.days_overdue is not None
        row["by_rag"][a.rag] = row["by_rag"].get(a.rag, 0) + 1
    for row in per_borough.values():
        row["worst"] = worst_rag(row.pop("by_rag"))
    return {
        "total": len(actions),
        "by_status": by_status,
        "by_rag": by_rag,
        "complete": by_status[Status.COMPLETE.value],
        "overdue": sum(a.days_overdue is not None for a in actions),
        "verified": sum(a.assurance == "verified" for a in actions),
        "progress_given": len(progress),
        "progress_mean": round(sum(progress) / len(progress), 1) if progress else None,
        "progress_median": float(median(progress)) if progress else None,
        "boroughs": sorted(per_borough.values(), key=lambda r: (r["name"], r["slug"])),
    }


# --- the page on the data's limits -----------------------------------------------------------


def _limits_page(page: Any, sources: list[dict[str, Any]], key: str) -> Iterator[Part]:
    """`limits.html`: what the register does and does not show, then every source's limits,
    notes and citation (as `casey source show` prints them)."""
    from casey_cli.io import site as io

    stem = io.LIMITS_PAGE.removesuffix(".html")
    sections = [io.Section("sources", "Each source's limits", sources, "No sources recorded.")]
    yield from page("", stem, "limits.html.j2", sections, key, heading="About the data")


# --- a source's recommendations under its headings ---------------------------------------------

# The headings a source itself sets out, in its order, for the register's themes: the Casey
# Review's contents page ("Fixing the Met - Recommendations") groups its recommendations
# under these seven (the bundled register's `casey` source, its notes and citation; the
# theme slugs are the register's). Any other source is grouped by its themes as the
# register names them.
REVIEW_HEADINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "casey": (
        ("cleaning-up-the-met", "Cleaning up the Met"),
        ("new-offer-to-women-and-children", "A new offer to women and children"),
        ("building-trust", "Building trust with London's communities to restore consent"),
        ("new-police-deal", "A new police deal for Londoners"),
        ("new-leadership-and-management", "New leadership and new management"),
        ("new-oversight-and-accountability", "New oversight and accountability"),
        ("showing-reform-is-working", "Showing London that reform is working"),
    )
}
_UNDER_HEADINGS = (
    "Under the review's own headings, in its order. The heading each recommendation is "
    "placed under is its theme in the register: the limits above say how certain that is."
)
_BY_THEME = (
    "Grouped by their theme in the register (the register's own labels, not necessarily "
    "headings of the document), in the order of each theme's first recommendation."
)
_NONE_PUBLISHED = "No recommendations of this source are published here."


class _Headings:
    """Each source's recommendations as sections of its page: one list when none has a
    theme (as before), else a list per heading (REVIEW_HEADINGS) or per theme, each in
    number order. Numbers and themes are read once for every source."""

    def __init__(self, tx: Tx) -> None:
        self.info = {
            ref: (number, theme)
            for ref, number, theme in tx.rows("SELECT ref, number, theme FROM recommendations")
        }

    def sections(self, code: str, recs: list[Item]) -> tuple[list[Section], str | None]:
        from casey_cli.io.site import Section
        from casey_cli.services.report import ref_sort_key, theme_name

        def theme(item: Item) -> str | None:
            return self.info.get(item.ref, (None, None))[1] or None

        if not any(theme(r) for r in recs):
            return [Section("recommendations", "Recommendations", recs, _NONE_PUBLISHED)], None

        def by_number(item: Item) -> tuple[bool, int, Any]:
            number = self.info.get(item.ref, (None, None))[0]
            return (number is None, number or 0, ref_sort_key(item.ref))

        groups: dict[str | None, list[Item]] = {}
        for r in sorted(recs, key=by_number):  # a theme's place: its first recommendation's
            groups.setdefault(theme(r), []).append(r)
        known = dict(REVIEW_HEADINGS.get(code, ()))
        if not any(t in known for t in groups):
            known = {}
        order: list[str | None] = [*known, *(t for t in groups if t and t not in known)]
        order += [None] if None in groups else []
        return [
            Section(
                f"heading-{(slug or 'none').replace(' ', '_')}",
                known.get(slug or "") or (theme_name(slug) if slug else "No heading recorded"),
                groups.get(slug, []),
                "No recommendation under this heading is published here.",
            )
            for slug in order
        ], _UNDER_HEADINGS if known else _BY_THEME
