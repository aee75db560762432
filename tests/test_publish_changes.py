"""`casey publish`: what changed, a page per month (London months) and an Atom feed, through
the real CLI on a real store (both backends). The feed is read back with feedparser, as a
feed reader reads it; the pages with the checks of tests/test_publish.py."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
import pytest
from conftest import at
from test_publish import check_links, check_page, publish, site_files

# Changes on four days (UTC clock; the London day and month in the comments), each command
# with --today the day it ran.
STEPS = [
    # 23:30 UTC on 30 September is 00:30 on 1 October in London (summer time): October's.
    ("2026-09-30T23:30:00", "2026-10-01", ("action", "update", "A3", "--status", "in-progress",
                                           "--note", "Board <met> & agreed")),
    ("2026-10-05T10:00:00", "2026-10-05", ("action", "progress", "A3", "Terms of reference agreed",
                                           "--percent", "20")),
    ("2026-11-02T09:00:00", "2026-11-02", ("action", "reschedule", "A3", "--due", "2027-03-01",
                                           "--reason", "Staff off sick")),
    ("2026-11-02T09:05:00", "2026-11-02", ("action", "update", "A4", "--owner",
                                           "Insp Zelda Quigley", "--by", "Cllr Ursula Vexley")),
    ("2026-11-03T14:00:00", "2026-11-03", ("rec", "update", "casey-1", "--progress", "50",
                                           "--note", "Agreed by the board")),
]  # fmt: skip
# What each month page lists, newest first: (ref, what changed, to).
OCTOBER = [
    ("A3", "Progress update", "Terms of reference agreed"),
    ("A3", "Status", "in-progress"),
]
NOVEMBER = [
    ("casey-1", "Progress", "50%"),
    ("A4", "Owner", "Insp Zelda Quigley"),
    ("A3", "Original due date", "1 March 2027"),
    ("A3", "Due date", "1 March 2027"),
]


class Rows(HTMLParser):
    """The cells of each body row of a page's tables, as text, and each row's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.links: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
            self.links.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []
        elif tag == "a" and self._in_body:
            self.links[-1].append(str(dict(attrs).get("href")))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows(data: bytes) -> Rows:
    parser = Rows()
    parser.feed(data.decode())
    parser.close()
    return parser


def record(casey, add_action) -> None:
    for stamp, day, args in STEPS:
        with at(stamp):
            casey("--today", day, *args)
    with at("2026-11-02T09:10:00"):
        add_action(borough="camden", title="A new action")  # counted as added, not listed


@pytest.fixture
def history(casey, add_action) -> None:
    record(casey, add_action)


def test_each_month_lists_its_changes_newest_first_and_nothing_of_the_seeding(
    casey, history, tmp_path
):
    site = tmp_path / "site"
    publish(casey, site)
    files = site_files(site)
    assert {n for n in files if n.startswith("changes/")} == {
        "changes/index.html",
        "changes/2026-10.html",
        "changes/2026-11.html",
        "changes/feed.atom",
    }
    for name, data in files.items():
        if name.endswith(".html"):
            check_page(name, data)
    check_links(site, files)

    months = rows(files["changes/index.html"])
    assert months.rows == [["November 2026", "4", "3", "1"], ["October 2026", "2", "1", "0"]]
    assert months.links == [["../changes/2026-11.html"], ["../changes/2026-10.html"]]

    for name, expected in (("2026-10", OCTOBER), ("2026-11", NOVEMBER)):
        page = rows(files[f"changes/{name}.html"])
        # When, item, borough, what changed, from, to, note, by.
        assert [(r[1].split(":")[0], r[3], r[5].split("\n")[0]) for r in page.rows] == expected
    october = rows(files["changes/2026-10.html"])
    assert october.rows[1][0] == "1 October 2026, 00:30"  # the London day and time
    assert october.rows[1][1:] == [
        "A3: Local delivery board for the action plan",
        "Islington",
        "Status",
        "not-started",
        "in-progress",
        "Board <met> & agreed",
        "test-clerk",
    ]
    assert october.links[1] == ["../actions/A3.html", "../boroughs/islington.html"]
    # A progress update shows the percent it set (its own progress row is not listed again).
    assert october.rows[0][5] == "Terms of reference agreed\nProgress: 20%"
    november = rows(files["changes/2026-11.html"])
    assert november.rows[0][2] == "London-wide"
    assert november.links[0] == ["../recs/casey-1.html", "../boroughs/london.html"]
    assert november.rows[2][6] == "Staff off sick"
    assert "<met>" not in files["changes/2026-10.html"].decode()  # escaped
    # The pages link to the months and the feed.
    index = files["index.html"].decode()
    assert '<a href="changes/index.html">What changed</a>' in index
    assert 'type="application/atom+xml"' in index and 'href="changes/feed.atom"' in index


def test_the_atom_feed_parses_with_every_change_newest_first(casey, history, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    data = (site / "changes" / "feed.atom").read_bytes()
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Police reform in London: the register: what changed"
    assert feed.feed.updated == "2026-11-03T14:00:00Z"  # the newest change's time, not the clock
    entries = feed.entries
    assert [e.title.split(":")[0] for e in entries] == [r for r, _, _ in NOVEMBER + OCTOBER]
    assert entries[0].title == "casey-1: Progress: 50%"
    assert entries[0].updated == "2026-11-03T14:00:00Z"
    assert entries[-1].title == "A3: Status: not started → in progress"
    assert entries[-1].content[0].value == (
        "A3: Local delivery board for the action plan (Islington)\n"
        "1 October 2026, 00:30 London time: Status: not started → in progress\n"
        "Note: Board <met> & agreed"
    )
    assert entries[-1].author == "test-clerk"
    assert entries[1].author == "Cllr Ursula Vexley"
    assert all(e.id.startswith("urn:uuid:") for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    # Links are relative to the feed: a reader resolves them against where it fetched it.
    served = feedparser.parse(
        data,
        response_headers={
            "content-location": "https://example.org/register/changes/feed.atom",
            "content-type": "application/atom+xml",
        },
    )
    assert not served.bozo
    assert served.entries[0].link == "https://example.org/register/recs/casey-1.html"
    assert served.entries[-1].link == "https://example.org/register/actions/A3.html"
    assert served.feed.links[0].href == "https://example.org/register/changes/feed.atom"
    for entry in entries:  # ...and to a file of the site
        assert (site / "changes" / entry.link).resolve().is_file()


def test_the_feed_and_pages_are_the_same_bytes_and_ids_on_every_run(casey, history, tmp_path):
    publish(casey, tmp_path / "one")
    with at("2027-01-15T12:00:00"):  # later, by the clock: nothing in the site follows it
        publish(casey, tmp_path / "two")
    one, two = site_files(tmp_path / "one"), site_files(tmp_path / "two")
    assert one == two
    ids = [e.id for e in feedparser.parse(one["changes/feed.atom"]).entries]
    with at("2027-01-16T12:00:00"):
        casey("--today", "2027-01-16", "action", "update", "A5", "--status", "blocked")
    publish(casey, tmp_path / "three")
    three = feedparser.parse((tmp_path / "three" / "changes" / "feed.atom").read_bytes())
    assert [e.id for e in three.entries] == [three.entries[0].id, *ids]  # a new entry on top
    assert three.entries[0].title == "A5: Status: not started → blocked"
    assert three.feed.updated == "2027-01-16T12:00:00Z"
    assert (tmp_path / "three" / "changes" / "2027-01.html").is_file()


def test_base_url_makes_the_feed_links_absolute(casey, history, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--base-url", "https://example.org/register")
    feed = feedparser.parse((site / "changes" / "feed.atom").read_bytes())
    assert not feed.bozo
    assert feed.entries[0].link == "https://example.org/register/recs/casey-1.html"
    assert [link.href for link in feed.feed.links] == [
        "https://example.org/register/changes/feed.atom",
        "https://example.org/register/changes/index.html",
    ]


def test_withheld_fields_stay_out_of_the_changes_and_the_feed(casey, history, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--hide", "owner", "--hide", "note", "--hide", "by")
    files = site_files(site)
    secrets = (
        "Zelda Quigley",
        "Ursula Vexley",
        "test-clerk",
        "Staff off sick",
        "Board <met>",
        "the board",
    )
    for name in ("changes/2026-10.html", "changes/2026-11.html", "changes/feed.atom"):
        text = files[name].decode()
        assert not [s for s in secrets if s in text], name
    november = rows(files["changes/2026-11.html"])
    assert november.rows[1][1:] == [
        "A4: Consider KPIs to monitor actions in the plan",
        "Islington",
        "Owner",
        "",
        "(withheld)",
    ]  # no note or by column
    feed = feedparser.parse(files["changes/feed.atom"])
    assert not feed.bozo
    assert feed.entries[1].title == "A4: Owner: (withheld)"
    assert feed.feed.author == "Police reform in London: the register"
    assert all(e.get("author") in (None, feed.feed.author) for e in feed.entries)
    for name, data in files.items():
        if name.endswith(".html"):
            check_page(name, data)


def test_a_borough_site_has_only_its_boroughs_changes(casey, history, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--borough", "camden")
    files = site_files(site)
    # Camden's one new action is counted, and it has no change to list.
    assert rows(files["changes/index.html"]).rows == [["November 2026", "0", "0", "1"]]
    assert "No change to an item was recorded in November 2026" in (
        files["changes/2026-11.html"].decode()
    )
    assert feedparser.parse(files["changes/feed.atom"]).entries == []
    check_links(site, files)
    islington = tmp_path / "islington"
    publish(casey, islington, "--borough", "islington")
    feed = feedparser.parse((islington / "changes" / "feed.atom").read_bytes())
    assert {e.title.split(":")[0] for e in feed.entries} == {"A3", "A4"}


def test_the_feed_keeps_the_latest_changes_and_a_long_month_goes_on_to_more_pages(
    casey, history, tmp_path, monkeypatch
):
    from casey_cli.io import site as io_site
    from casey_cli.services import publish as service

    for n in range(1, 41):  # forty more changes in November, a minute apart
        with at(f"2026-11-20T10:{n:02d}:00"):
            casey("--today", "2026-11-20", "action", "update", "A5", "--progress", str(n))
    monkeypatch.setattr(service, "FEED_ENTRIES", 3)
    monkeypatch.setattr(io_site, "MAX_PAGE", 10_000)
    site = tmp_path / "site"
    publish(casey, site, "--borough", "islington")
    files = site_files(site)
    feed = feedparser.parse(files["changes/feed.atom"])
    assert [e.title for e in feed.entries] == [
        "A5: Progress: 39% → 40%",
        "A5: Progress: 38% → 39%",
        "A5: Progress: 37% → 38%",
    ]
    pages = sorted((n for n in files if n.startswith("changes/2026-11")), key=len)
    assert pages[0] == "changes/2026-11.html" and len(pages) >= 2
    assert pages[1:] == [f"changes/2026-11-{n}.html" for n in range(2, len(pages) + 1)]
    listed = []
    for name in pages:
        assert len(files[name]) <= 10_000
        check_page(name, files[name])
        listed += [(r[1].split(":")[0], r[5]) for r in rows(files[name]).rows]
    assert listed == [("A5", f"{n}%") for n in range(40, 0, -1)] + [
        (ref, to)
        for ref, _, to in NOVEMBER
        if ref != "casey-1"  # islington's only
    ]
    check_links(site, files)


def test_the_bundled_register_alone_has_no_changes(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    page = (site / "changes" / "index.html").read_text()
    assert "No change has been recorded yet." in page
    feed = feedparser.parse((site / "changes" / "feed.atom").read_bytes())
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated.startswith("20")  # the register's own last event: no clock
