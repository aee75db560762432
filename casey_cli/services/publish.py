"""`casey publish`: the register as a static website, page by page, as (path, bytes) pairs in
a fixed order; io.site renders each page and puts the files in the folder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from casey_cli.enums import FORCE_WIDE, RAG_ORDER
from casey_cli.errors import InvalidInput, did_you_mean
from casey_cli.run_context import RunContext
from casey_cli.schemas import ITEM_COLUMNS, Event, Item
from casey_cli.store.items import Filters

if TYPE_CHECKING:
    from casey_cli.io.site import Pager, Section
    from casey_cli.store.tx import Tx

# The fields a publishing policy may withhold, and how a page says they are withheld.
HIDEABLE = {
    "owner": "owners' names",
    "note": "notes and reasons in the change history",
    "by": "who recorded each change and update",
    "verified_by": "who verified an action",
}
WITHHELD = "(withheld)"
_WHOLE = 1 << 62  # a page's byte limit that never splits it
DEFAULT_TITLE = "Police reform in London: the register"


def hidden_fields(given: Iterable[str]) -> tuple[str, ...]:
    """The fields of `--hide`, checked, each once, in a fixed order."""
    names = set()
    for raw in given:
        name = raw.strip().lower().replace("-", "_")
        if name not in HIDEABLE:
            raise InvalidInput(
                f"'{raw}' is not a field that can be hidden{did_you_mean(name, list(HIDEABLE))}; "
                f"give one of {', '.join(HIDEABLE)}",
                field="--hide",
            )
        names.add(name)
    return tuple(n for n in HIDEABLE if n in names)


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


def site_files(tx: Tx, run: RunContext, opts: SiteOptions) -> Iterator[tuple[str, bytes]]:
    """Every file of the site, as (path inside the folder, bytes), in a fixed order; the
    same store, options and day give the same files, byte for byte."""
    from casey_cli.io import site as io
    from casey_cli.io.html import RAG_COLOUR
    from casey_cli.services import recs as rec_service
    from casey_cli.services import reference, status

    today, window, hidden = run.today, run.window, opts.hide
    info = _Site(
        title=opts.title,
        today=today.isoformat(),
        window=window,
        borough=opts.borough,
        base_url=(opts.base_url.rstrip("/") + "/") if opts.base_url else None,
        hidden=hidden,
        hidden_words="; ".join(HIDEABLE[h] for h in hidden),
        hidden_columns=[c for c in ITEM_COLUMNS if c in hidden],
    )
    boroughs = [b for b in tx.boroughs() if opts.borough in (None, b[0])]
    # Each borough's items (its actions, its own plans' recommendations; `london`: the
    # force-wide ones) and its status lists, in the contract's order.
    lists: dict[str, Any] = {}
    items: dict[str, list[Item]] = {}
    for slug, _name, _bcu in boroughs:
        scope = Filters(borough=slug)
        lists[slug] = status.report(tx, run, scope)
        items[slug] = list(tx.items(scope, today=today, window=window))
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

    def page(
        folder: str,
        stem: str,
        template: str,
        sections: Sequence[Section],
        limit: int | None = None,
        **context: Any,
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
    for slug, name, bcu in boroughs:
        report = lists[slug]
        label = london.force_wide.label if slug == FORCE_WIDE else name
        yield from page(
            "boroughs/",
            io.file_name(slug),
            "borough.html.j2",
            [
                io.Section("overdue", "Overdue", report.overdue, "Nothing is overdue."),
                io.Section(
                    "due-soon", f"Due in the next {window} days", report.due_soon, "Nothing."
                ),
                io.Section(
                    "gaps",
                    "Without an owner or a due date",
                    report.gaps,
                    "Every item has an owner and a due date.",
                ),
                io.Section("items", "Every item", items[slug], "No items recorded."),
            ],
            heading=label,
            bcu=bcu,
            counts=tx.count_items(Filters(borough=slug), today=today, window=window),
            file=io.file_name(slug),
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
            heading=s.values["title"],
            source=s.values,
            grouping=grouping,
        )

    # The page on the data's limits.
    yield from _limits_page(page, [s.values for s in sources])

    # A page per recommendation.
    names = {slug: name for slug, name, _bcu in boroughs}
    for ref in sorted(rec_refs):
        detail = rec_service.show(tx, run, ref)
        d = detail.details
        actions = [a for a in detail.actions if a.ref in action_refs]
        yield from page(
            "recs/",
            io.file_name(ref),
            "rec.html.j2",
            [
                io.Section(
                    "actions",
                    "Actions against it",
                    actions,
                    "No actions against it are published here.",
                )
            ],
            rollup=_rollup(actions, names),
            heading=f"{ref}: {detail.item.title}",
            item=_item(detail.item, hidden),
            details={
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
            history=[_event(e, hidden) for e in detail.history],
        )

    # A page per action: the details, history and titles read once for them all.
    yield from _action_pages(tx, run, opts, published, page)

    # Downloads: the item object, as `casey export` writes it, less the hidden fields.
    yield from _downloads(tx, run, Filters(borough=opts.borough), "register", hidden)
    for slug, _name, _bcu in boroughs:
        yield from _downloads(
            tx, run, Filters(borough=slug), f"boroughs/{io.file_name(slug)}", hidden
        )


def _item(item: Item, hidden: Sequence[str]) -> Item:
    return replace(item, owner=None) if "owner" in hidden else item


def _action_pages(
    tx: Tx, run: RunContext, opts: SiteOptions, published: list[Item], page: Any
) -> Iterator[tuple[str, bytes]]:
    from casey_cli.io import site as io
    from casey_cli.services.progress import updates
    from casey_cli.services.report import ref_sort_key

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
    history: dict[str, list[Event]] = defaultdict(list)
    for event in tx.events(borough=opts.borough):
        if event.kind == "action":
            history[event.ref].append(event)
    for item in sorted(
        (i for i in published if i.kind == "action"), key=lambda i: ref_sort_key(i.ref)
    ):
        evidence, citation, verified_by, verified_on, verification_evidence = details[item.ref]
        events = history.get(item.ref, [])
        verification = {
            "by": WITHHELD if "verified_by" in hidden and verified_by else verified_by,
            # A day: a date from PostgreSQL, its ISO text from SQLite (to_iso took only the
            # first, so a verified action failed the whole run on SQLite).
            "on": str(verified_on)[:10] if verified_on else None,
            "evidence": (verification_evidence or "").splitlines(),
        }
        yield from page(
            "actions/",
            io.file_name(item.ref),
            "action.html.j2",
            [],
            heading=f"{item.ref}: {item.title}",
            item=_item(item, hidden),
            details={
                "recommendation_title": rec_titles.get(item.recommendation),
                "after": [("Citation", citation)] if citation else [],
            },
            evidence=(evidence or "").splitlines(),
            verification=verification,
            updates=[replace(u, by="") if "by" in hidden else u for u in updates(events)],
            due_changes=[_event(e, hidden) for e in events if e.field == "due"],
            history=[_event(e, hidden) for e in events],
        )


def _downloads(
    tx: Tx, run: RunContext, scope: Filters, name: str, hidden: Sequence[str]
) -> Iterator[tuple[str, bytes]]:
    """`name.csv` and `name.json`: the items in scope as `casey export` gives them, without
    the hidden fields' columns."""
    from casey_cli.io.formats import CSV_GUARD, csv_row_chunks, json_row_chunks

    keep = [n for n, column in enumerate(ITEM_COLUMNS) if column not in hidden]
    columns = [ITEM_COLUMNS[n] for n in keep]

    def values(guard: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
        for row in tx.item_values(scope, today=run.today, window=run.window, guard=guard):
            yield tuple(row[n] for n in keep)

    yield f"downloads/{name}.csv", "".join(csv_row_chunks(columns, values(CSV_GUARD))).encode()
    yield f"downloads/{name}.json", "".join(json_row_chunks(columns, values(()))).encode()


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


def _limits_page(page: Any, sources: list[dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """`limits.html`: what the register does and does not show, then every source's limits,
    notes and citation (as `casey source show` prints them)."""
    from casey_cli.io import site as io

    stem = io.LIMITS_PAGE.removesuffix(".html")
    sections = [io.Section("sources", "Each source's limits", sources, "No sources recorded.")]
    yield from page("", stem, "limits.html.j2", sections, heading="About the data")


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
