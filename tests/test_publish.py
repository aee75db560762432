"""`casey publish`: the static site, through the real CLI on a real store (both backends).
Pages are checked with the standard library's html.parser: one h1, headings in order,
captioned tables with scoped headers, a skip link, no script and nothing from elsewhere,
every internal link resolving."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import at

from casey_cli.schemas import ITEM_COLUMNS

MANIFEST = ".casey-publish.json"


def publish(casey, folder: Path, *extra: str) -> str:
    return casey("publish", "--output", str(folder), *extra).stdout


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


class Page(HTMLParser):
    """What the checks need of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.first_link: str | None = None
        self.tags: list[str] = []
        self.sources: list[str] = []  # src= and <link href=> values, but a feed's
        self.feeds: list[str] = []  # <link rel="alternate" type="application/atom+xml">
        self.problems: list[str] = []
        self._table_open: list[bool] = []  # per open table: has it had its caption?
        self._last_start: str | None = None
        self.text: list[str] = []
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        if tag == "a" and a.get("href") is not None:
            self.links.append(str(a["href"]))
            if self.first_link is None:
                self.first_link = str(a["href"])
        if "src" in a:
            self.sources.append(str(a["src"]))
        if tag == "link" and a.get("type") == "application/atom+xml":
            self.feeds.append(str(a.get("href")))  # a file of the site: check_links checks it
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.feeds.append(str(a.get("href")))  # the site's own stylesheet, checked so too
            self.styles += 1
        elif tag == "link":
            self.sources.append(f"{a.get('rel')}:{a.get('href')}")
        if tag == "table":
            self._table_open.append(False)
        elif self._table_open and self._last_start == "table":
            if tag != "caption":
                self.problems.append("a table without a caption first")
            else:
                self._table_open[-1] = True
        if tag == "th" and a.get("scope") not in ("col", "row"):
            self.problems.append("a th without scope")
        self._last_start = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table_open:
            self._table_open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(data: bytes) -> Page:
    page = Page()
    page.feed(data.decode("utf-8"))
    page.close()
    return page


def check_page(name: str, data: bytes) -> Page:
    page = parse(data)
    assert page.headings.count(1) == 1, name
    assert page.headings[0] == 1, name
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"{name}: h{before} then h{after}"
    assert page.problems == [], (name, page.problems)
    assert page.first_link == "#main" and "main" in page.ids, name
    assert "script" not in page.tags and "img" not in page.tags, name
    assert page.sources == [], name  # nothing loaded: no scripts, images, styles or fonts
    # The site's feed and its stylesheet: files of the site, nothing from elsewhere.
    assert len(page.feeds) == 2 and page.styles == 1, name
    assert not any(urlsplit(f).netloc or urlsplit(f).scheme for f in page.feeds), name
    text = data.decode()
    assert "url(" not in text and "@import" not in text, name
    assert len(data) <= 200_000, name
    return page


def check_links(folder: Path, files: dict[str, bytes]) -> int:
    """Every href that is not to another site resolves to a file of the site (and its
    fragment to an id in that page); the number of links checked."""
    pages = {n: parse(d) for n, d in files.items() if n.endswith(".html")}
    checked = 0
    for name, page in pages.items():
        for href in page.links + page.feeds:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = name if not parts.path else None
            if parts.path:
                resolved = (folder / name).parent / unquote(parts.path)
                target = resolved.resolve().relative_to(folder.resolve()).as_posix()
            assert target in files, f"{name}: {href}"
            if parts.fragment and target.endswith(".html"):
                assert parts.fragment in pages[target].ids, f"{name}: {href}"
            checked += 1
    return checked


def test_the_bundled_register_publishes_every_page_plainly(casey, tmp_path):
    site = tmp_path / "site"
    out = publish(casey, site)
    files = site_files(site)
    actions = casey.json("action", "list", "--all")
    items = casey.json("export")
    sources = casey.json("source", "list")
    boroughs = casey.json("borough", "list")
    expected = {"index.html", "limits.html", "style.css", MANIFEST}
    expected |= {"downloads/register.csv", "downloads/register.json"}
    # The bundled register's own history is not a change: no month has a page.
    expected |= {"changes/index.html", "changes/feed.atom"}
    expected |= {f"actions/{a['ref']}.html" for a in actions}
    expected |= {f"recs/{i['ref']}.html" for i in items if i["kind"] == "recommendation"}
    expected |= {f"sources/{s['code']}.html" for s in sources}
    for b in boroughs:
        expected |= {
            f"boroughs/{b['slug']}.html",
            f"downloads/boroughs/{b['slug']}.csv",
            f"downloads/boroughs/{b['slug']}.json",
        }
    assert expected <= set(files)
    assert set(files) - expected == set(), "recs/ holds only recommendations in the register"
    assert (
        out == f"Published {len(files) - 1} pages to {site} ({len(files) - 1} written, 0 "
        "unchanged, 0 removed).\n"
    )
    for name, data in files.items():
        if name.endswith(".html"):
            check_page(name, data)
    assert check_links(site, files) > 1000
    manifest = json.loads(files[MANIFEST])
    assert manifest["files"] == sorted(set(files) - {MANIFEST})
    # UK dates, the day of the register, and the limits of a source.
    index = files["index.html"].decode()
    assert "23 November 2026" in index and "2026-11-23" not in index
    rec = files["recs/casey-1.html"].decode()  # a day in the history, too
    assert "<td>22 September 2023</td>" in rec and "2023-09-22" not in rec
    [casey_source] = casey.json("source", "show", "casey")
    assert casey_source["limits"]
    page = files["sources/casey.html"].decode()
    assert "Limits of what is known" in page
    assert "".join(parse(files["sources/casey.html"]).text).count(casey_source["limits"]) == 1


def test_rag_is_never_shown_by_colour_alone(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    index = parse((site / "index.html").read_bytes())
    assert "By RAG: Red 1, Amber 0, Green 0, Blue 12, Grey 54." in "".join(index.text)
    islington = "".join(parse((site / "boroughs" / "islington.html").read_bytes()).text)
    assert "Red 0, Amber 0, Green 0, Blue 10, Grey 25" in islington


def test_user_text_is_escaped(casey, add_action, tmp_path):
    ref = add_action(title="<script>alert('x')</script> & <b>bold</b>")["ref"]
    casey("action", "update", ref, "--note", '<img src="http://evil.example/x.png">')
    site = tmp_path / "site"
    publish(casey, site)
    for name, data in site_files(site).items():
        if name.endswith(".html"):
            check_page(name, data)  # no script tag, no img, nothing loaded
    page = (site / "actions" / f"{ref}.html").read_text()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=&#34;http://evil.example/x.png&#34;&gt;" in page


def test_hide_owner_and_note_leave_them_out_of_pages_and_downloads(casey, add_action, tmp_path):
    ref = add_action("--owner", "Insp Zelda Quigley")["ref"]
    casey("action", "update", ref, "--owner", "Sgt Yannick Ortez", "--note", "Quietly agreed")
    casey("action", "reschedule", ref, "--due", "2027-03-01", "--reason", "Staff off sick")
    secrets = ("Zelda Quigley", "Yannick Ortez", "Quietly agreed", "Staff off sick")

    shown = tmp_path / "shown"
    publish(casey, shown)
    everything = b"".join(site_files(shown).values()).decode()
    assert all(s in everything for s in secrets)

    hidden = tmp_path / "hidden"
    out = publish(casey, hidden, "--hide", "owner", "--hide", "note")
    assert out.endswith(" removed). Hidden: owner, note.\n")
    files = site_files(hidden)
    for name, data in files.items():
        text = data.decode()
        assert not [s for s in secrets if s in text], name
        if name.endswith(".html"):
            check_page(name, data)
    # The downloads leave the column out (an empty owner would read as "no owner").
    header = files["downloads/register.csv"].decode().splitlines()[0].split(",")
    assert header == [c for c in ITEM_COLUMNS if c != "owner"]
    assert all("owner" not in i for i in json.loads(files["downloads/register.json"]))
    page = files[f"actions/{ref}.html"].decode()
    assert "(withheld)" in page and "Reason" not in page
    assert "owners&#39; names; notes and reasons in the change history" in page


def test_an_unknown_hidden_field_is_refused(casey, tmp_path):
    err = casey.error("publish", "--output", str(tmp_path / "site"), "--hide", "owners")
    assert "'owners' is not a field that can be hidden" in err
    assert "owner, note, by, verified_by" in err
    assert not (tmp_path / "site").exists()


def test_the_configured_policy_is_kept_and_a_flag_only_adds_to_it(casey, add_action, tmp_path):
    ref = add_action("--owner", "Insp Zelda Quigley", "--by", "Cllr Ursula Vexley")["ref"]
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "casey-cli" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[publish]\nhide = ["owner"]\n')
    out = publish(casey, tmp_path / "site", "--hide", "by")
    assert out.endswith(" Hidden: owner, by.\n")
    page = (tmp_path / "site" / "actions" / f"{ref}.html").read_text()
    assert "Zelda Quigley" not in page and "Ursula Vexley" not in page
    assert casey("config", "get", "publish.hide").stdout == "owner\n"
    casey("config", "set", "publish.hide", "note,verified-by")
    assert tomllib.loads(config.read_text()) == {"publish": {"hide": ["note", "verified_by"]}}
    casey("config", "unset", "publish.hide")
    assert tomllib.loads(config.read_text()) == {}
    publish(casey, tmp_path / "site")
    assert "Zelda Quigley" in (tmp_path / "site" / "actions" / f"{ref}.html").read_text()


def test_a_bad_policy_in_the_config_names_its_line(casey, tmp_path):
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "casey-cli" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('window = 14\n\n[publish]\nhide = ["owner", "ownrs"]\n')
    err = casey.error("publish", "--output", str(tmp_path / "site"))
    assert f"{config}:4: publish.hide: 'ownrs' is not a field that can be hidden" in err
    assert not (tmp_path / "site").exists()


def test_hide_by_leaves_out_who_recorded_changes_and_updates(casey, add_action, tmp_path):
    ref = add_action("--by", "Cllr Ursula Vexley")["ref"]
    casey("action", "progress", ref, "Terms of reference agreed", "--by", "Insp Wilf Drummond")
    shown, hidden = tmp_path / "shown", tmp_path / "hidden"
    publish(casey, shown)
    page = (shown / "actions" / f"{ref}.html").read_text()
    assert "Ursula Vexley" in page and "Wilf Drummond" in page
    publish(casey, hidden, "--hide", "by")
    for name, data in site_files(hidden).items():
        assert b"Vexley" not in data and b"Drummond" not in data, name
        if name.endswith(".html"):
            check_page(name, data)
    assert "Terms of reference agreed" in (hidden / "actions" / f"{ref}.html").read_text()


def test_an_impossible_folder_name_is_a_usage_error(casey):
    err = casey("publish", "--output", "si\x00te", code=2).stderr
    assert "NUL character" in err


def test_a_second_run_writes_nothing_and_keeps_mtimes(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    before, times = site_files(site), mtimes(site)
    out = publish(casey, site)
    assert f"(0 written, {len(before) - 1} unchanged, 0 removed" in out
    assert site_files(site) == before
    assert mtimes(site) == times


def test_a_change_to_one_action_rewrites_only_the_pages_that_show_it(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    before, times = site_files(site), mtimes(site)
    with at("2026-11-23T10:00:00"):
        casey("action", "update", "A3", "--progress", "40")
    out = publish(casey, site)
    after = site_files(site)
    changed = {n for n in after if after[n] != before.get(n)}
    assert changed == {
        MANIFEST,  # what each page was made from
        "actions/A3.html",
        "boroughs/islington.html",
        "downloads/register.csv",
        "downloads/register.json",
        "downloads/boroughs/islington.csv",
        "downloads/boroughs/islington.json",
        # ...and what changed: the month's new page, the months and the feed
        "changes/2026-11.html",
        "changes/index.html",
        "changes/feed.atom",
        MANIFEST,  # names the new page
    }
    assert "(9 written," in out
    now = mtimes(site)
    assert {n for n in now if now[n] != times.get(n)} == changed


def test_a_page_deleted_or_edited_in_the_folder_is_made_again(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    before = site_files(site)
    (site / "actions" / "A3.html").unlink()
    (site / "boroughs" / "camden.html").write_text("edited by hand")
    out = publish(casey, site)
    assert "(2 written," in out
    assert site_files(site) == before


def test_a_new_name_in_the_owner_directory_reaches_the_pages_that_show_it(
    casey, add_action, tmp_path
):
    ref = add_action("--owner", "CN Neighbourhoods")["ref"]
    site = tmp_path / "site"
    publish(casey, site)
    assert "CN Neighbourhoods" in (site / "actions" / f"{ref}.html").read_text()
    # No event of the action changes: the directory alone names its owner anew.
    casey("owner", "add", "Supt Central North", "--alias", "CN Neighbourhoods")
    publish(casey, site)
    page = (site / "actions" / f"{ref}.html").read_text()
    assert "<dt>Owner</dt><dd>Supt Central North</dd>" in page


def test_a_run_on_another_day_makes_every_page_again(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    before = site_files(site)
    out = casey("--today", "2031-01-01", "publish", "--output", str(site)).stdout
    after = site_files(site)
    pages = [n for n in before if n.endswith(".html")]
    assert all(after[n] != before[n] for n in pages)
    assert "1 January 2031" in after["actions/A3.html"].decode()
    written = int(out.split("(")[1].split(" written")[0])
    assert written >= len(pages)


def section_refs(page: str, section: str) -> list[str]:
    """The refs listed in one section of a borough page, in order."""
    part = page.split(f'<h2 id="{section}">', 1)[1].split("<h2 ", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', part)


def test_a_borough_page_lists_what_to_chase_its_latest_updates_its_plan_and_actions(
    casey, add_action, tmp_path
):
    quiet = add_action("--due", "2027-09-01", title="Quiet since it was added")["ref"]
    busy = add_action("--due", "2027-09-01", title="Reported on")["ref"]
    casey("action", "progress", busy, "Terms of reference agreed")
    site = tmp_path / "site"
    # Months on, with nothing new: the quiet action is stale, the reported one is not.
    casey("--today", "2027-05-01", "publish", "--output", str(site))
    page = (site / "boroughs" / "islington.html").read_text()
    stale = section_refs(page, "stale")
    assert quiet in stale and busy in stale  # both are older than 90 days by then
    assert section_refs(page, "updates")[0] == busy
    assert "Terms of reference agreed" in page.split('<h2 id="updates">', 1)[1]
    plan, actions = section_refs(page, "plan"), section_refs(page, "actions")
    assert plan and all(not r.startswith("A") for r in plan)
    assert quiet in actions and busy in actions and all(r.startswith("A") for r in actions)
    casey("--today", "2026-12-10", "publish", "--output", str(site))
    page = (site / "boroughs" / "islington.html").read_text()
    assert quiet not in section_refs(page, "stale")


def test_a_borough_site_then_all_london_then_the_borough_again(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--borough", "islington")
    one = site_files(site)
    assert "boroughs/islington.html" in one and "boroughs/camden.html" not in one
    assert "downloads/boroughs/islington.csv" in one and "actions/A3.html" in one
    for name, data in one.items():
        if name.endswith(".html"):
            check_page(name, data)
    check_links(site, one)
    index = parse(one["index.html"])
    assert {h for h in index.links if h.startswith("boroughs/")} == {"boroughs/islington.html"}

    out = publish(casey, site)
    london = site_files(site)
    added = set(london) - set(one)
    assert "boroughs/camden.html" in added and "removed" in out and "0 removed" in out
    check_links(site, london)

    (site / "notes-of-mine.txt").write_text("not the site's")  # a file the command did not make
    out = publish(casey, site, "--borough", "islington")
    assert f"{len(added)} removed" in out
    assert site_files(site) == {**one, "notes-of-mine.txt": b"not the site's"}
    assert not (site / "boroughs" / "camden.html").exists()


def test_the_same_store_and_day_give_the_same_bytes(casey, tmp_path):
    publish(casey, tmp_path / "one")
    publish(casey, tmp_path / "two")
    assert site_files(tmp_path / "one") == site_files(tmp_path / "two")


def test_the_csv_download_parses_with_the_item_columns(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    rows = list(csv.DictReader(io.StringIO((site / "downloads/register.csv").read_text())))
    assert tuple(rows[0]) == ITEM_COLUMNS
    exported = list(csv.DictReader(io.StringIO(casey("export").stdout)))
    assert rows == exported
    islington = list(
        csv.DictReader(io.StringIO((site / "downloads/boroughs/islington.csv").read_text()))
    )
    assert islington and {r["borough"] for r in islington} == {"islington"}
    assert json.loads((site / "downloads/register.json").read_text()) == casey.json("export")


def test_dry_run_writes_nothing(casey, tmp_path):
    site = tmp_path / "site"
    out = casey("publish", "--output", str(site), "--dry-run", "--hide", "owner").stdout
    assert not site.exists()
    assert "write index.html\n" in out and "hidden: owner\n" in out
    assert out.splitlines()[-1].startswith("Would publish ")
    publish(casey, site)
    before, times = site_files(site), mtimes(site)
    casey("action", "update", "A3", "--progress", "40")
    out = casey("publish", "--output", str(site), "--dry-run").stdout
    assert "write actions/A3.html\n" in out and "write index.html" not in out
    assert site_files(site) == before and mtimes(site) == times


def test_a_folder_of_other_files_is_refused(casey, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("someone else's")
    err = casey.error("publish", "--output", str(site))
    assert "holds files `casey publish` did not make" in err
    assert (site / "index.html").read_text() == "someone else's"
    err = casey.error("publish", "--output", str(tmp_path / "missing" / "site"))
    assert "does not exist" in err


def test_long_lists_go_on_to_more_pages(casey, tmp_path, monkeypatch):
    from casey_cli.io import site as io_site

    monkeypatch.setattr(io_site, "MAX_PAGE", 16_000)
    site = tmp_path / "site"
    publish(casey, site, "--borough", "islington")
    files = site_files(site)
    pages = sorted(n for n in files if n.startswith("boroughs/islington"))
    assert len(pages) >= 2
    assert pages == sorted(
        ["boroughs/islington.html"]
        + [f"boroughs/islington-{n}.html" for n in range(2, len(pages) + 1)]
    )
    for name in pages:
        assert len(files[name]) <= 16_000
        page = check_page(name, files[name])
        assert "Page 1" in "".join(page.text)
    check_links(site, files)


def test_base_url_gives_a_canonical_link(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--base-url", "https://example.org/register/", "--title", "Our <register>")
    page = (site / "boroughs" / "islington.html").read_text()
    assert (
        '<link rel="canonical" href="https://example.org/register/boroughs/islington.html">' in page
    )
    assert "Our &lt;register&gt;" in page


@pytest.mark.parametrize("name", ["index.html", "boroughs/islington.html"])
def test_pages_say_what_day_they_are_for(casey, tmp_path, name):
    site = tmp_path / "site"
    publish(casey, site)
    assert "The register as at 23 November 2026" in (site / name).read_text()


@pytest.mark.sqlite_only(reason="the page-size guard at scale, once: a 10,000-action register")
def test_a_ten_thousand_action_register_keeps_every_page_small(casey, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    actions_csv, _, _ = generate.write(10_000, tmp_path / "data", seed=5)
    casey("load", str(actions_csv))
    site = tmp_path / "site"
    out = publish(casey, site)
    pages = list(site.rglob("*.html"))
    files = [p for p in site.rglob("*") if p.is_file() and p.name != MANIFEST]
    assert len(pages) > 10_000 and out.startswith(f"Published {len(files)} pages")
    assert max(p.stat().st_size for p in pages) <= 200_000
    second = publish(casey, site)
    assert "(0 written," in second


# ---------------------------------------------------------------- the London cartogram

_SQUARE = re.compile(
    r'<li style="grid-row: (\d+); grid-column: (\d+)">'
    r'(?:<a class="sq ([^"]+)" href="([^"]+)"|<span class="sq ([^"]+)") title="([^"]+)">'
)


def squares(index: str) -> dict[str, dict[str, str | None]]:
    """The cartogram's squares by the authority's name: position, class, link and words."""
    found = {}
    for row, col, a_class, href, span_class, words in _SQUARE.findall(index):
        name = html.unescape(words).split(":")[0]
        found[name] = {
            "at": f"{row},{col}",
            "class": a_class or span_class,
            "href": href or None,
            "words": html.unescape(words),
        }
    return found


def contrast(one: str, two: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_cartogram_has_a_linked_square_per_london_authority(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    index = (site / "index.html").read_text()
    found = squares(index)
    boroughs = {b["slug"]: b["name"] for b in casey.json("borough", "list")}
    assert len(found) == 33 and set(found) == {n for s, n in boroughs.items() if s != "london"}
    assert len({s["at"] for s in found.values()}) == 33  # one square a place
    for slug, name in boroughs.items():
        if slug != "london":
            assert found[name]["href"] == f"boroughs/{slug}.html", name
    # The bundled register: Islington's items are grey (no due dates) or blue (complete).
    assert found["Islington"]["words"] == "Islington: worst RAG grey, 35 items"
    assert found["Islington"]["class"] == "rag-grey"
    assert found["Barnet"]["words"] == "Barnet: no items"
    assert found["Barnet"]["class"] == "sq-empty"
    # The words are the link's text for a screen reader, the visible letters beside them.
    page = parse(index.encode())
    text = "".join(page.text)
    assert "Islington: worst RAG grey, 35 items" in text and "ISLGy" in text
    assert "Red: at least one item overdue" in text  # the key
    check_page("index.html", index.encode())


def test_a_square_shows_its_boroughs_worst_rag(casey, add_action, tmp_path):
    # Camden: one overdue among others -> red. Hackney: due soon and no date -> amber.
    # Brent: due later and complete -> green. Harrow: complete and no date -> grey.
    # Ealing: every item complete -> blue.
    add_action("--due", "2026-10-01", borough="camden")
    add_action("--due", "2027-06-01", borough="camden")
    add_action("--status", "complete", borough="camden")
    add_action("--due", "+7d", borough="hackney")
    add_action(borough="hackney")
    add_action("--due", "2027-06-01", borough="brent")
    add_action("--status", "complete", borough="brent")
    add_action("--status", "complete", borough="harrow")
    add_action(borough="harrow")
    add_action("--status", "complete", borough="ealing")
    add_action("--status", "complete", borough="ealing")
    site = tmp_path / "site"
    publish(casey, site)
    found = squares((site / "index.html").read_text())
    assert found["Camden"]["words"] == "Camden: worst RAG red, 3 items"
    assert found["Hackney"]["words"] == "Hackney: worst RAG amber, 2 items"
    assert found["Brent"]["words"] == "Brent: worst RAG green, 2 items"
    assert found["Harrow"]["words"] == "Harrow: worst RAG grey, 2 items"
    assert found["Ealing"]["words"] == "Ealing: worst RAG blue, 2 items"
    assert [found[n]["class"] for n in ("Camden", "Hackney", "Brent", "Harrow", "Ealing")] == [
        "rag-red",
        "rag-amber",
        "rag-green",
        "rag-grey",
        "rag-blue",
    ]


def test_the_cartogram_links_only_published_boroughs(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--borough", "islington")
    found = squares((site / "index.html").read_text())
    assert len(found) == 33
    assert [n for n, s in found.items() if s["href"]] == ["Islington"]
    assert found["Camden"]["words"] == "Camden: not published on this site"
    assert found["Camden"]["class"] == "sq-unpublished"
    check_links(site, site_files(site))


def test_cartogram_text_is_readable_on_every_square_colour(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    index = (site / "index.html").read_text()
    css = " ".join(re.findall(r"<style>(.*?)</style>", index, re.S))
    css += (site / "style.css").read_text()  # the site's stylesheet, linked from every page
    text = re.search(r"\.cartogram \.sq, \.cartogram-key \.sq \{[^}]*?color: (#[0-9a-f]{6})", css)
    assert text, "the squares' text colour"
    for rag in ("red", "amber", "green", "blue", "grey"):
        background = re.search(rf"\.rag-{rag} \{{ background: (#[0-9a-f]{{6}})", css)
        assert background, rag
        assert contrast(text.group(1), background.group(1)) >= 4.5, rag
    assert contrast(text.group(1), "#ffffff") >= 4.5  # no items
    focus = re.search(r"\.cartogram a\.sq:focus[^{]*\{([^}]*)\}", css)
    assert focus and "outline: 3px solid" in focus.group(1)
    assert contrast(text.group(1), "#fff3c4") >= 4.5
    assert "@media print" in css and "print-color-adjust: exact" in css


# ---------------------------------------------------------------- evidence and verification


def test_evidence_addresses_become_links_and_nothing_else_does(
    casey, add_action, verifier, tmp_path
):
    ref = add_action("--owner", "Insp Ada Stone", "--evidence", "https://example.org/minutes.pdf")[
        "ref"
    ]
    casey("action", "update", ref, "--evidence", "javascript:alert(1)")
    casey(
        "action", "update", ref, "--evidence", "Logged <b>here</b>: http://example.org/a?b=1&c=2."
    )
    casey("action", "update", ref, "--status", "complete")
    verifier(
        "action",
        "verify",
        ref,
        "--by",
        "Scrutiny officer",
        "--evidence",
        "https://example.org/check",
    )
    site = tmp_path / "site"
    publish(casey, site)
    data = (site / "actions" / f"{ref}.html").read_bytes()
    page = check_page(f"actions/{ref}.html", data)
    outside = [h for h in page.links if "://" in h or ":" in h.split("/")[0]]
    assert outside == [
        "https://example.org/minutes.pdf",
        "http://example.org/a?b=1&c=2",
        "https://example.org/check",
    ]
    text = data.decode()
    assert "javascript:alert(1)" in text and 'href="javascript' not in text
    assert "Logged &lt;b&gt;here&lt;/b&gt;: <a href=" in text and "&amp;c=2</a>." in text
    # Verification is a section of its own, after the evidence.
    assert {"evidence", "verification"} <= page.ids
    assert text.index('id="evidence"') < text.index('id="verification"')
    words = "".join(page.text)
    assert "Verified by" in words and "Scrutiny officer" in words
    assert "Verified on23 November 2026" in words


def test_an_unverified_action_says_so_and_hide_verified_by_withholds_the_verifier(
    casey, add_action, verifier, tmp_path
):
    open_ref = add_action()["ref"]
    done = add_action("--owner", "Insp Ada Stone", "--status", "complete")["ref"]
    verifier("action", "verify", done, "--by", "Cllr Wanda Pike")
    site = tmp_path / "site"
    publish(casey, site, "--hide", "verified_by")
    words = "".join(parse((site / "actions" / f"{open_ref}.html").read_bytes()).text)
    assert "Not verified: only a completed action can be." in words
    page = (site / "actions" / f"{done}.html").read_text()
    assert "Wanda Pike" not in page and "<dt>Verified by</dt><dd>(withheld)</dd>" in page


# ---------------------------------------------------------------- a recommendation's roll-up


def test_a_recommendation_page_rolls_up_the_actions_against_it(
    casey, add_action, verifier, tmp_path
):
    rec = ("--recommendation", "casey-3")
    add_action(*rec, "--due", "2026-10-01", "--progress", "20", borough="camden")
    done = add_action(*rec, "--owner", "Insp Ada Stone", "--status", "complete", borough="camden")
    casey("action", "update", done["ref"], "--progress", "100")
    verifier("action", "verify", done["ref"], "--by", "Scrutiny officer")
    add_action(
        *rec, "--status", "in-progress", "--due", "+7d", "--progress", "50", borough="hackney"
    )
    add_action(*rec, "--status", "dropped", borough="hackney")
    site = tmp_path / "site"
    publish(casey, site)
    data = (site / "recs" / "casey-3.html").read_bytes()
    page = check_page("recs/casey-3.html", data)
    words = " ".join("".join(page.text).split())
    assert "4 actions in 2 boroughs: 1 complete, 1 overdue." in words
    assert "By status: Not started 1, In progress 1, Blocked 0, Complete 1, Dropped 1." in words
    assert "By RAG: Red 1, Amber 1, Green 0, Blue 1, Grey 1." in words
    assert "Progress: given for 3 of 4; average 56.7%, median 50%." in words
    assert "Verified (checked by someone other than the owner): 1 of the 1 complete." in words
    rows = re.findall(
        r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td><td class="num">(\d+)</td><td class="rag-(\w+)">',
        data.decode(),
    )
    assert rows == [
        ("../boroughs/camden.html", "Camden", "2", "1", "1", "red"),
        ("../boroughs/hackney.html", "Hackney", "2", "0", "0", "amber"),
    ]
    # A recommendation with no actions against it has no roll-up.
    assert 'id="rollup"' not in (site / "recs" / "casey-4.html").read_text()


# ---------------------------------------------------------------- the data's limits


def test_the_limits_page_gives_every_sources_limits_and_every_page_links_to_it(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--hide", "owner")
    files = site_files(site)
    data = files["limits.html"]
    page = check_page("limits.html", data)
    words = " ".join("".join(page.text).split())
    sources = casey.json("source", "list")
    assert len(sources) == 10
    for s in sources:
        [shown] = casey.json("source", "show", s["code"])
        for field in ("limits", "notes", "citation"):
            if shown[field]:
                assert " ".join(shown[field].split()) in words, (s["code"], field)
        assert f"sources/{s['code']}.html" in page.links
    assert "Only what the register holds." in words
    assert "RAG is worked out from dates, not reported." in words
    assert "This site withholds owners' names: they are on no page and in no download." in words
    # Linked from every page: the menu and the footer.
    for name, body in files.items():
        if name.endswith(".html"):
            links = parse(body).links
            to_limits = [h for h in links if h.rsplit("/", 1)[-1] == "limits.html"]
            assert len(to_limits) == 2, name
    check_links(site, files)


def test_the_limits_page_of_a_borough_site_says_it_covers_one_borough(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site, "--borough", "islington")
    words = " ".join("".join(parse((site / "limits.html").read_bytes()).text).split())
    assert "This site covers islington only" in words
    assert "No field is withheld from this site." in words


# ---------------------------------------------------------------- a source's headings


def test_the_casey_review_page_groups_its_recommendations_under_the_seven_headings(casey, tmp_path):
    site = tmp_path / "site"
    publish(casey, site)
    text = (site / "sources" / "casey.html").read_text()
    headings = [html.unescape(h) for h in re.findall(r'<h3 id="heading-[^"]+">([^<]+)</h3>', text)]
    assert headings == [
        "Cleaning up the Met",
        "A new offer to women and children",
        "Building trust with London's communities to restore consent",
        "A new police deal for Londoners",
        "New leadership and new management",
        "New oversight and accountability",
        "Showing London that reform is working",
    ]
    # Under each heading, the recommendations whose theme it is, in number order.
    themes = {
        r["ref"]: casey.json("rec", "show", r["ref"])["theme"]
        for r in casey.json("rec", "list", "--source", "casey")
    }
    blocks = re.split(r'<h3 id="heading-', text)[1:]
    for block in blocks:
        slug = block.split('"', 1)[0]
        refs = re.findall(r'<th scope="row"><a href="../recs/([^"]+)\.html"', block)
        expected = [r for r in themes if themes[r] == slug]
        assert refs == sorted(expected, key=lambda r: int(r.rsplit("-", 1)[1])), slug
        assert refs, slug  # every heading has some in the bundled register
    assert sum(len(re.findall(r"\.\./recs/", b)) for b in blocks) == len(themes) == 18
    assert "Under the review's own headings, in its order." in html.unescape(text)
    check_page("sources/casey.html", text.encode())
    # Another source's themes are the register's labels, and its page says so.
    plan = html.unescape((site / "sources" / "islington-plan.html").read_text())
    assert "Grouped by their theme in the register" in plan
    # A plan whose recommendations have no theme keeps one list.
    brent = (site / "sources" / "brent-motion.html").read_text()
    assert 'id="heading-' not in brent and '<h2 id="recommendations">' in brent


def test_a_verification_remakes_the_rollup_and_a_policy_change_the_limits_page(
    casey, add_action, verifier, tmp_path
):
    ref = add_action(
        "--recommendation", "casey-3", "--owner", "Insp Ada Stone", "--status", "complete"
    )["ref"]
    site = tmp_path / "site"
    publish(casey, site)
    before = site_files(site)
    assert "Verified (checked by someone other than the owner): 0 of the 1 complete." in (
        " ".join("".join(parse(before["recs/casey-3.html"]).text).split())
    )
    verifier("action", "verify", ref, "--by", "Scrutiny officer")
    publish(casey, site)
    after = site_files(site)
    changed = {n for n in after if after[n] != before.get(n)}
    assert {f"actions/{ref}.html", "recs/casey-3.html"} <= changed
    assert "limits.html" not in changed and "sources/casey.html" not in changed
    assert "1 of the 1 complete." in after["recs/casey-3.html"].decode()
    publish(casey, site, "--hide", "note")
    assert b"notes and reasons in the change history" in (site / "limits.html").read_bytes()
