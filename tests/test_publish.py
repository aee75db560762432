"""`casey publish`: the static site, through the real CLI on a real store (both backends).
Pages are checked with the standard library's html.parser: one h1, headings in order,
captioned tables with scoped headers, a skip link, no script and nothing from elsewhere,
every internal link resolving."""

from __future__ import annotations

import csv
import io
import json
import os
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
    assert len(page.feeds) == 1 and not urlsplit(page.feeds[0]).netloc, name  # the site's feed
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
    expected = {"index.html", MANIFEST, "downloads/register.csv", "downloads/register.json"}
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
    assert [h for h in index.links if h.startswith("boroughs/")] == ["boroughs/islington.html"]

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
