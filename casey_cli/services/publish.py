"""`casey publish`: the register as a static website, page by page, as (path, bytes) pairs in
a fixed order; io.site renders each page and puts the files in the folder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from casey_cli.enums import FORCE_WIDE, PUBLISH_HIDEABLE, RAG_ORDER
from casey_cli.errors import InvalidInput
from casey_cli.run_context import RunContext
from casey_cli.schemas import ITEM_COLUMNS, Event, Item
from casey_cli.store.items import Filters

if TYPE_CHECKING:
    from casey_cli.io.site import Pager, Section
    from casey_cli.store.tx import Tx

HIDEABLE = PUBLISH_HIDEABLE
WITHHELD = "(withheld)"
DEFAULT_TITLE = "Police reform in London: the register"


def hidden_fields(given: Iterable[str], policy: Iterable[str] | None = None) -> tuple[str, ...]:
    """The fields withheld: `--hide`'s, checked, added to the configured policy's (a flag
    never publishes what the policy withholds), each once, in a fixed order."""
    from casey_cli.config import hideable_fields

    try:
        flagged = hideable_fields(list(given))
    except ValueError as exc:
        raise InvalidInput(str(exc), field="--hide") from None
    chosen = set(flagged) | set(policy or ())
    return tuple(n for n in HIDEABLE if n in chosen)


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
    if "note" in hidden:
        e = replace(e, note=None)
    return e


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
        folder: str, stem: str, template: str, sections: Sequence[Section], **context: Any
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

        return io.paged(folder, stem, sections, one)

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
        heading=opts.title,
        summary=london.summary,
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
    for s in sources:
        code = s.values["code"]
        yield from page(
            "sources/",
            io.file_name(code),
            "source.html.j2",
            [
                io.Section(
                    "recommendations",
                    "Recommendations",
                    recs_of.get(code, []),
                    "No recommendations of this source are published here.",
                )
            ],
            heading=s.values["title"],
            source=s.values,
        )

    # A page per recommendation.
    for ref in sorted(rec_refs):
        detail = rec_service.show(tx, run, ref)
        d = detail.details
        yield from page(
            "recs/",
            io.file_name(ref),
            "rec.html.j2",
            [
                io.Section(
                    "actions",
                    "Actions against it",
                    [a for a in detail.actions if a.ref in action_refs],
                    "No actions against it are published here.",
                )
            ],
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
    from casey_cli.dates import to_iso
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
        after = [
            ("Evidence of completion", evidence),
            ("Verified by", WITHHELD if "verified_by" in hidden and verified_by else verified_by),
            ("Verified on", to_iso(verified_on)),
            ("Verification evidence", verification_evidence),
            ("Citation", citation),
        ]
        yield from page(
            "actions/",
            io.file_name(item.ref),
            "action.html.j2",
            [],
            heading=f"{item.ref}: {item.title}",
            item=_item(item, hidden),
            details={
                "recommendation_title": rec_titles.get(item.recommendation),
                "after": [(label, value) for label, value in after if value],
            },
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
