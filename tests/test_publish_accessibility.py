"""`casey publish` in a real browser: every page of the bundled register's site is loaded in
Debian's headless Chromium (Selenium driving its chromedriver), 1200 CSS pixels wide, and
checked by axe-core at WCAG 2.2 AA. Pages are found by walking the published folder, so a
new kind of page is checked without a change here. A rule axe-core could not decide on a
page (an "incomplete" result, such as a contrast it cannot compute) fails as a violation
does: a page nobody reviews is not a page that passed. Two AA criteria axe-core has no rule
for are checked here too: text reflows in a window 320 CSS pixels wide, and the keyboard
focus is always seen. Each check is shown failing a page made to fail it.

tests/test_publish.py checks the same pages' structure with a parser; this file checks them
as rendered, with their styles."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_selenium_python import Axe
from browser import QUIET_CHROMIUM
from conftest import in_ci
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromedriver() -> str | None:
    return shutil.which("chromedriver")


pytestmark = [
    pytest.mark.skipif(
        (chromium() is None or chromedriver() is None) and not in_ci(),
        reason="chromium or chromium-driver is not installed (CI installs them and never skips)",
    ),
    pytest.mark.sqlite_only(reason="the pages are the same bytes from either backend"),
]

# WCAG 2.0, 2.1 and 2.2, levels A and AA, as axe-core tags them (axe-core has no rule for
# the two new level A criteria of 2.2, so no wcag22a tag).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
# Only the first node of a passing or inapplicable rule comes back (resultTypes); every node
# of a violation or an incomplete one does.
RUN = """
const done = arguments[arguments.length - 1];
if (typeof axe === "undefined") { done({error: "axe-core is not in the page"}); return; }
axe.run(document, arguments[0]).then(done, (e) => done({error: String(e)}));
"""
FLAGS = [*QUIET_CHROMIUM, "--window-size=1200,900"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """One headless Chromium for the module, with axe-core (as axe-selenium-python-nhsuk
    bundles it) put into every page it opens before the page's own content."""
    binary, driver = chromium(), chromedriver()
    assert binary and driver, "CI must install chromium and chromium-driver"
    options = Options()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    # The driver's path is given, so Selenium Manager never looks for (or downloads) one.
    with webdriver.Chrome(service=Service(driver), options=options) as chrome:
        chrome.set_script_timeout(60)
        axe_js = Path(Axe(chrome).script_url).read_text(encoding="utf-8")
        chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": axe_js})
        yield chrome


@dataclass(frozen=True)
class Problem:
    """One rule axe-core failed (or could not decide) on one page, and where."""

    page: str
    rule: str
    outcome: str  # "violation" or "needs review"
    impact: str
    help: str
    nodes: list[tuple[str, str]]  # (CSS target, axe-core's summary of what is wrong)

    def __str__(self) -> str:
        lines = [f"{self.page}: {self.rule} ({self.outcome}, {self.impact}): {self.help}"]
        for target, summary in self.nodes:
            lines.append(f"    {target}: {' '.join(summary.split())}")
        return "\n".join(lines)


def audit(chrome: webdriver.Chrome, path: Path, name: str) -> list[Problem]:
    """axe-core's violations and undecided rules on the page at `path` (shown as `name`)."""
    chrome.get(path.as_uri())
    results: dict[str, Any] = chrome.execute_async_script(RUN, OPTIONS)
    assert "error" not in results, f"{name}: {results['error']}"
    assert results["url"] == path.as_uri(), f"{name}: the browser showed {results['url']}"
    problems = []
    for key, outcome in (("violations", "violation"), ("incomplete", "needs review")):
        for rule in results[key]:
            nodes = [
                (" >>> ".join(n["target"]), n.get("failureSummary") or "") for n in rule["nodes"]
            ]
            problems.append(
                Problem(name, rule["id"], outcome, rule["impact"] or "", rule["help"], nodes)
            )
    return problems


def audit_all(chrome: webdriver.Chrome, folder: Path, names: list[str], shown: int = 20) -> str:
    """The problems on the pages `names` (relative to `folder`): '' for none, else how many
    pages each rule failed on, then the first `shown` problems in full (a fault in the shared
    template would otherwise print once for every page)."""
    problems = [p for name in names for p in audit(chrome, folder / name, name)]
    if not problems:
        return ""
    pages: dict[str, set[str]] = {}
    for p in problems:
        pages.setdefault(f"{p.rule} ({p.outcome})", set()).add(p.page)
    lines = [f"{rule}: on {len(on)} of {len(names)} pages" for rule, on in sorted(pages.items())]
    lines += [str(p) for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"... and {len(problems) - shown} more")
    return "\n".join(lines)


def html_pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


def test_the_bundled_axe_core_checks_every_wcag_2_2_aa_tag(browser, tmp_path):
    """axe-core takes a tag it has no rule for without a word, so an axe-core too old for
    WCAG 2.2 would check less and still pass: each tag asked for must have rules."""
    page = tmp_path / "empty.html"
    page.write_text('<!DOCTYPE html><html lang="en"><title>t</title><main><h1>t</h1></main>')
    browser.get(page.as_uri())
    version = browser.execute_script("return axe.version")
    for tag in WCAG_22_AA:
        rules = browser.execute_script("return axe.getRules([arguments[0]])", tag)
        assert rules, f"axe-core {version} has no rule tagged {tag}"
    assert audit(browser, page, "empty.html") == []


def test_every_page_of_the_site_passes_axe_core_at_wcag_2_2_aa(casey, tmp_path, browser):
    site = tmp_path / "site"
    casey("publish", "--output", str(site))
    pages = html_pages(site)
    kinds = {name.split("/")[0] for name in pages}
    assert {"index.html", "boroughs", "sources", "recs", "actions"} <= kinds, kinds
    problems = audit_all(browser, site, pages)
    assert not problems, f"axe-core at WCAG 2.2 AA:\n{problems}"


def test_a_list_split_over_pages_passes_too(casey, tmp_path, browser, monkeypatch):
    """The pages of a long list, with their links between pages (only a register larger than
    the bundled one has them; a small page limit makes them from the bundled one)."""
    from casey_cli.io import site as io_site

    monkeypatch.setattr(io_site, "MAX_PAGE", 16_000)
    site = tmp_path / "site"
    casey("publish", "--output", str(site), "--borough", "islington", "--hide", "owner")
    pages = [n for n in html_pages(site) if n.startswith("boroughs/islington")]
    assert "boroughs/islington-2.html" in pages
    problems = audit_all(browser, site, pages)
    assert not problems, problems


# WCAG 2.2's reflow (1.4.10) and visible, unobscured focus (2.4.7, 2.4.11) are criteria
# axe-core has no rule for; these two checks stand in for them.

# Elements, outside data tables (which reflow exempts), whose right edge passes the window's.
WIDER_THAN_WINDOW = """
const width = document.documentElement.clientWidth;
const wide = [];
for (const e of document.body.querySelectorAll("*")) {
  if (e.closest("table")) continue;
  const right = e.getBoundingClientRect().right;
  if (right > width + 0.5) {
    wide.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} (${Math.round(right)}px)`);
  }
}
return wide;
"""


def too_wide(chrome: webdriver.Chrome, folder: Path, names: list[str]) -> dict[str, list[str]]:
    """The elements of each page that make a reader scroll sideways in a window 320 CSS pixels
    wide (1280 pixels zoomed to 400%), outside data tables."""
    size = {"width": 320, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", size)
    try:
        found = {}
        for name in names:
            chrome.get((folder / name).as_uri())
            wide = chrome.execute_script(WIDER_THAN_WINDOW)
            if wide:
                found[name] = wide[:5]
        return found
    finally:
        chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_every_page_reflows_at_320_css_pixels(casey, tmp_path, browser):
    site = tmp_path / "site"
    casey("publish", "--output", str(site))
    wide = too_wide(browser, site, html_pages(site))
    assert not wide, "\n".join(f"{page}: {', '.join(e)}" for page, e in wide.items())


# The focused element, its outline, and whether it can be seen: the middle of some part of
# it (a link over two lines has a box for each) in the window and not under anything else.
FOCUSED = """
const e = document.activeElement;
if (!e || e === document.body) return null;
const style = getComputedStyle(e);
let seen = false;
for (const box of e.getClientRects()) {
  const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
  if (left >= right || top >= bottom) continue;
  const there = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  seen = seen || (there !== null && e.contains(there));
}
return {
  element: e.outerHTML.slice(0, 80), outline: style.outlineStyle,
  width: parseFloat(style.outlineWidth), seen: seen,
};
"""


def focus_problems(chrome: webdriver.Chrome, path: Path, name: str) -> list[str]:
    """Tab through the page from its top: each element that takes the focus must show an
    outline at least 2px wide and be in the window, not under anything."""
    chrome.get(path.as_uri())
    problems, seen = [], []
    for _ in range(500):
        chrome.switch_to.active_element.send_keys(Keys.TAB)
        stop = chrome.execute_script(FOCUSED)
        if stop is None or stop in seen[:1]:
            break
        seen.append(stop)
        if stop["outline"] == "none" or stop["width"] < 2 or not stop["seen"]:
            problems.append(f"{name}: tab stop {len(seen)}: {stop}")
    assert seen and seen[0]["element"].startswith('<a class="skip"'), (name, seen[:1])
    return problems


def test_the_keyboard_focus_is_always_seen(casey, tmp_path, browser):
    """One page of each kind (the folder's first), tabbed through link by link."""
    site = tmp_path / "site"
    casey("publish", "--output", str(site))
    first = {}
    for name in html_pages(site):
        first.setdefault(name.split("/")[0], name)
    assert len(first) >= 5, first
    problems = [p for name in first.values() for p in focus_problems(browser, site / name, name)]
    assert not problems, "\n".join(problems)


# What a page can get wrong, one rule of each WCAG version's tags: text too faint to read
# (2.0 AA), an image with no text alternative (2.0 A), an autocomplete value browsers do not
# know (2.1 AA), and two small controls side by side (2.2 AA, target size). Then text on a
# gradient, whose contrast axe-core cannot work out: it needs review, and fails the check too.
FAULTS = """
<p id="faint" style="color: #aaaaaa">Faint grey text on white</p>
<img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input id="odd-autocomplete" type="text" aria-label="Postcode" autocomplete="postcode-please">
<div><button id="tiny-1" aria-label="Previous" style="width: 12px; height: 12px"></button><button
 id="tiny-2" aria-label="Next" style="width: 12px; height: 12px"></button></div>
<p id="on-gradient" style="background: linear-gradient(#ffffff, #777777)">Text on a gradient</p>
"""


def test_the_check_fails_a_page_with_faults(casey, tmp_path, browser):
    site = tmp_path / "site"
    casey("publish", "--output", str(site), "--borough", "islington")
    page = site / "boroughs" / "islington.html"
    assert audit(browser, page, "boroughs/islington.html") == []
    broken = site / "boroughs" / "broken.html"
    data = page.read_text(encoding="utf-8")
    assert data.count("</main>") == 1
    broken.write_text(data.replace("</main>", FAULTS + "</main>"), encoding="utf-8")

    problems = audit(browser, broken, "boroughs/broken.html")
    found = {(p.outcome, p.rule): sorted(t for t, _ in p.nodes) for p in problems}
    assert found == {
        ("violation", "color-contrast"): ["#faint"],
        ("violation", "image-alt"): ["#no-alt"],
        ("violation", "autocomplete-valid"): ["#odd-autocomplete"],
        ("violation", "target-size"): ["#tiny-1", "#tiny-2"],
        ("needs review", "color-contrast"): ["#on-gradient"],
    }
    # What a failing run prints: the page, the rule, the element and what is wrong with it.
    report = audit_all(browser, site, ["boroughs/islington.html", "boroughs/broken.html"])
    assert report.startswith("autocomplete-valid (violation): on 1 of 2 pages\n")
    assert "boroughs/broken.html: color-contrast (violation, serious): " in report
    assert "    #faint: Fix any of the following: Element has insufficient color contrast" in (
        report
    )


# What the reflow and focus checks must find: a block wider than a phone, a link whose
# outline is taken away, and a link under a banner fixed over it.
LAYOUT_FAULTS = """
<div id="wide" style="width: 600px">A block wider than a phone</div>
<p><a id="no-ring" href="#main" style="outline: none">A link with no outline</a></p>
<a id="covered" href="#main" style="position: fixed; bottom: 0; left: 0">A covered link</a>
<div style="position: fixed; bottom: 0; left: 0; width: 300px; height: 60px; background: #fff">
A banner</div>
"""


def test_the_reflow_and_focus_checks_fail_a_page_with_faults(casey, tmp_path, browser):
    site = tmp_path / "site"
    casey("publish", "--output", str(site), "--borough", "islington")
    page = site / "boroughs" / "islington.html"
    assert too_wide(browser, site, ["boroughs/islington.html"]) == {}
    assert focus_problems(browser, page, "boroughs/islington.html") == []
    broken = site / "boroughs" / "broken.html"
    data = page.read_text(encoding="utf-8")
    broken.write_text(data.replace("</main>", LAYOUT_FAULTS + "</main>"), encoding="utf-8")

    assert too_wide(browser, site, ["boroughs/broken.html"]) == {
        "boroughs/broken.html": ["div#wide (616px)"]
    }
    problems = focus_problems(browser, broken, "boroughs/broken.html")
    [no_ring] = [p for p in problems if 'id="no-ring"' in p]
    assert "'outline': 'none'" in no_ring
    [covered] = [p for p in problems if 'id="covered"' in p]
    assert "'seen': False" in covered
    # The banner hides the page's own links too, as the browser scrolls each to the bottom.
    others = [p for p in problems if p not in (no_ring, covered)]
    assert others and all("'seen': False" in p for p in others)
