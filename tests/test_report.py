"""`casey report`: the committee paper in Markdown and HTML, checked in a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from browser import QUIET_CHROMIUM


def seed_story(casey, verifier):
    """An overdue action, a slipped one with a reason, a completed and verified one."""
    casey(
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "Late one",
        "--owner",
        "A",
        "--due",
        "2026-06-01",
        "--recommendation",
        "islington-plan-2",
    )
    casey(
        "action",
        "add",
        "-b",
        "islington",
        "-t",
        "<script>alert('x')</script>",
        "--owner",
        "B",
        "--due",
        "2026-12-01",
    )
    casey("action", "reschedule", "A33", "--due", "2027-01-15", "--reason", "Budget & staffing")
    casey(
        "action", "add", "-b", "islington", "-t", "Done one", "--owner", "C", "--due", "2026-11-20"
    )
    casey("action", "done", "A34", "--evidence", "minutes")
    verifier("action", "verify", "A34", "--by", "Auditor")


def sections(paper: str) -> list[str]:
    return re.findall(r"^#{2,3} (.+)$", paper, flags=re.MULTILINE)


def section(paper: str, heading: str) -> str:
    """The Markdown of one section, from its heading to the next heading."""
    start = paper.index(f"\n{heading}\n")
    following = re.search(r"^#{2,3} ", paper[start + len(heading) + 2 :], flags=re.MULTILINE)
    end = start + len(heading) + 2 + (following.start() if following else len(paper))
    return paper[start:end]


def test_markdown_paper_reads_as_a_council_paper(casey, verifier):
    seed_story(casey, verifier)
    paper = casey("report", "--borough", "islington").stdout
    assert paper.startswith("# Police reform tracker: Islington\n")
    assert "Progress report as at 23 November 2026, covering changes since 25 August 2026." in paper
    assert sections(paper) == [
        "1. Summary",
        "By source",
        "By theme",
        "Trend by month",
        "2. Since 25 August 2026",
        "Completed (1)",
        "Added (38)",
        "Due dates moved (1)",
        "Changes of an officer's RAG (0)",
        "Progress updates (0)",
        "3. Overdue (1)",
        "4. Due in the next 14 days (0)",
        "5. Gaps: no owner or no due date (25)",
        "6. Officer's RAG and the rule's RAG differ (0)",
        "7. Due dates that slipped (1)",
        # the bundled items whose latest information (as_of) is over 90 days old
        "8. No update for over 90 days (25)",
        "9. Recent changes (7)",
    ]
    # Counts and shares by RAG, names (not slugs) for sources and themes.
    assert "| Red | 1 | 3% | overdue |" in paper
    assert "| Total | 38 | 100% |  |" in paper
    assert "| A New Met for London (2023-25) | 1 (3%) | 0 | 0 | 0 | 0 | 1 |" in paper
    assert "| Standards | 2 (5%) | 1 | 0 | 0 | 0 | 1 |" in paper  # islington-plan-2's theme
    assert "new-met-for-london" not in paper and "| standards |" not in paper
    # Overdue: band, status, owner, the latest update (none yet) and the due date.
    assert (
        "| A32 | Late one | A | not started | 175 days (91-180)<br>due 1 June 2026 "
        "| None recorded |"
    ) in paper
    assert (
        "By how long overdue: 1-30 days: 0; 31-90 days: 0; 91-180 days: 1; over 180 days: 0."
        in paper
    )
    # Since the period began: the extension with its reason, what was added and completed.
    assert (
        "| A33 | <script>alert('x')</script> | 1 December 2026 → 15 January 2027 (45 days later) "
        "| Budget & staffing | by test-clerk"
    ) in paper
    assert "35 items came with the bundled register when this store was created" in paper
    assert "| A32 | Late one | A | 1 June 2026 | Red |" in section(paper, "### Added (38)")
    assert "| A34 | Done one | C | 23 November 2026 | verified |" in paper
    assert (
        "| A33 | <script>alert('x')</script> | 1 December 2026 | 15 January 2027 "
        "| 1 slip, 45 days |" in paper
    )
    # Recent changes: newest first, fields named in words, no creations (they are "Added").
    changes = section(paper, "## 9. Recent changes (7)")
    rows = [line for line in changes.splitlines() if line.startswith("| ") and "---" not in line][
        1:
    ]
    assert [row.split(" | ")[3] for row in rows] == [
        "Verified on: 23 November 2026",
        "Verified by: Auditor",
        "Assurance: unverified → verified",
        "Evidence: minutes",
        "Completed on: 23 November 2026",
        "Status: not started → complete",
        "Due date: 1 December 2026 → 15 January 2027",  # its slip is said in section 7
    ]
    assert "created" not in changes and "casey-cli" not in changes
    # Grammar: no ISO dates, no "1 items", no "time(s)".
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", paper)
    assert not re.search(r"\b1 (items|gaps|days|slips)\b", paper)
    assert "(s)" not in paper


def test_counts_take_the_right_number(casey, add_action):
    add_action("--due", "2026-11-24", "--owner", "X")
    paper = casey("report", "-b", "islington", "--days", "1", "--stale-days", "1").stdout
    assert "## 4. Due in the next 1 day (1)" in paper
    assert "1 due in the next 1 day" in paper
    assert "## 8. No update for over 1 day (" in paper
    assert not re.search(r"\b1 (items|gaps|days|slips|due dates|progress updates)\b", paper)


@pytest.mark.parametrize("fmt", ["markdown", "html", "docx"])
def test_a_borough_with_nothing_recorded_says_so(casey, tmp_path, fmt):
    out = tmp_path / f"camden.{fmt}"
    casey("report", "--borough", "camden", "--format", fmt, "--output", str(out))
    text = document_text(out)
    assert "Nothing is recorded for Camden yet" in text
    assert "No gaps" not in text and "every open item" not in text.lower()
    assert "Nothing is overdue" not in text


def document_text(path) -> str:
    """A paper's words: Markdown and HTML as written, Word read back with python-docx."""
    if path.suffix != ".docx":
        return path.read_text()
    import docx

    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_since_and_stale(casey, verifier):
    seed_story(casey, verifier)
    paper = casey(
        "--today", "2027-06-01", "report", "-b", "islington", "--since", "2027-01-01"
    ).stdout
    assert "## 2. Since 1 January 2027" in paper
    assert "### Completed (0)\n\nNothing was completed since 1 January 2027." in paper
    assert "No due date was moved since 1 January 2027." in paper
    # Nothing changed for > 90 days by then: every open item is stale.
    assert re.search(r"## 8\. No update for over 90 days \([1-9]", paper)


def test_html_report_is_self_contained_and_escaped(casey, tmp_path, verifier):
    seed_story(casey, verifier)
    out = tmp_path / "paper.html"
    casey("report", "-b", "islington", "--format", "html", "--output", str(out))
    page = out.read_text()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=", page)  # no network fetches
    assert "<svg" in page and "@page { size: A4 portrait" in page
    assert "Budget &amp; staffing" in page
    assert '<td class="rag rag-red">Red</td>' in page  # shaded and named
    assert "<h2>3. Overdue (1)</h2>" in page


def test_the_three_formats_have_the_same_sections(casey, tmp_path, verifier):
    import docx

    seed_story(casey, verifier)
    md = casey("report", "-b", "islington").stdout
    html = casey("report", "-b", "islington", "--format", "html").stdout
    out = tmp_path / "paper.docx"
    casey("report", "-b", "islington", "--format", "docx", "--output", str(out))
    word = [
        p.text
        for p in docx.Document(str(out)).paragraphs
        if p.style.name in ("Heading 1", "Heading 2")
    ]
    assert sections(md) == re.findall(r"<h[23]>(.+?)</h[23]>", html.replace("&#39;", "'")) == word


def test_report_errors(casey):
    casey.error("report", "--borough", "islingtn")
    casey.error("report", "--since", "2026-02-30")
    casey("report", "--format", "pdf", code=2)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (CI installs it and never skips)",
)
def test_report_renders_in_a_real_browser(casey, tmp_path, verifier):
    browser = chromium()
    assert browser, "CI must install chromium"
    seed_story(casey, verifier)
    page = tmp_path / "paper.html"
    casey("report", "-b", "islington", "--format", "html", "--output", str(page))
    flags = [*QUIET_CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "<title>Police reform tracker: Islington</title>" in dom
    assert "&lt;script&gt;" in dom and "<script>alert" not in dom
    pdf = tmp_path / "paper.pdf"
    subprocess.run(
        [browser, *flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


def readme_clerk_session(casey) -> None:
    """The README's worked session, command by command (its `export CASEY_TODAY=2026-11-23`
    is the tests' own today)."""
    casey("status", "--borough", "islington")
    casey(
        "action",
        "add",
        "--borough",
        "islington",
        "--title",
        "Example: publish ward panel dates",
        "--owner",
        "Example: ward panel lead",
        "--due",
        "2026-12-04",
    )
    casey("status", "--borough", "islington")


# Measures, in the page's own layout, each column of every paper table in characters of its
# font ('0' widths), as laid out on A4 less the page margins (the print width).
MEASURE = """
<style>@media screen { body { margin: 0; width: %s; } }</style>
<script>
const out = [];
for (const table of document.querySelectorAll("table.paper")) {
  const probe = document.createElement("span");
  probe.style.whiteSpace = "nowrap";
  probe.textContent = "0".repeat(100);
  table.querySelector("td, th").appendChild(probe);
  const ch = probe.getBoundingClientRect().width / 100;
  probe.remove();
  for (const th of table.querySelectorAll("thead th")) {
    const style = getComputedStyle(th);
    const inner = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    out.push([th.textContent, inner / ch]);
  }
}
const pre = document.createElement("pre");
pre.id = "widths";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
"""


def print_width(page: str) -> str:
    """A4's width less the @page rule's left and right margins, as CSS."""
    margins = re.search(r"@page \{ size: A4 portrait; margin: ([^;]+);", page)
    assert margins, "the paper sets its A4 page"
    parts = margins[1].split()
    right = parts[1] if len(parts) > 1 else parts[0]
    left = parts[3] if len(parts) > 3 else right
    return f"calc(210mm - {left} - {right})"


@pytest.mark.skipif(
    (chromium() is None or shutil.which("pdfinfo") is None) and not os.environ.get("CI"),
    reason="chromium or pdfinfo is not installed (CI installs them and never skips)",
)
def test_html_paper_prints_on_at_most_five_a4_pages(casey, tmp_path):
    """The bundled Islington paper after the README's session: at most 5 A4 portrait pages
    printed by Chromium, no table column narrower than 12 characters."""
    browser = chromium()
    assert browser and shutil.which("pdfinfo"), "CI must install chromium and poppler-utils"
    readme_clerk_session(casey)
    page = tmp_path / "islington.html"
    casey("report", "-b", "islington", "--format", "html", "--output", str(page))
    flags = [*QUIET_CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}"]
    pdf = tmp_path / "islington.pdf"
    subprocess.run(
        [browser, *flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.MULTILINE)[1])
    assert 1 <= pages <= 5, info
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595) < 2 and abs(height - 842) < 2, info  # A4 portrait
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Example: publish ward panel" in text and "4 December" in text

    html = page.read_text()
    measured = tmp_path / "measured.html"
    measured.write_text(html.replace("</body>", MEASURE % print_width(html) + "</body>"))
    dom = subprocess.run(
        [browser, *flags, "--window-size=1200,1000", "--dump-dom", measured.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    widths = json.loads(re.search(r'<pre id="widths">(.*?)</pre>', dom, flags=re.DOTALL)[1])
    assert len(widths) > 30  # every table's columns were measured
    narrow = [(label, round(chars, 1)) for label, chars in widths if chars < 12]
    assert not narrow, f"columns narrower than 12 characters: {narrow}"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_word_paper_reads_back_with_python_docx(casey, tmp_path, verifier):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    seed_story(casey, verifier)
    out = tmp_path / "paper.docx"
    casey("report", "-b", "islington", "--format", "docx", "--output", str(out))
    doc = docx.Document(str(out))
    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4 portrait
    assert Mm(12) <= page.left_margin <= Mm(25) and Mm(12) <= page.right_margin <= Mm(25)
    assert doc.core_properties.title == "Police reform tracker: Islington"
    assert doc.tables, "the paper's tables are Word tables"
    for table in doc.tables:
        header, *rows = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
        for row in rows:
            assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    overdue = next(t for t in doc.tables if "Overdue" in [c.text for c in t.rows[0].cells][4:5])
    assert [c.text for c in overdue.rows[1].cells] == [
        "A32",
        "Late one",
        "A",
        "not started",
        "175 days (91-180)\ndue 1 June 2026",
        "None recorded",
    ]
    # RAG cells are shaded and say their RAG in words.
    fills = {}
    for table in doc.tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
                if cell.text in ("Red", "Amber", "Green", "Blue", "Grey"):
                    assert shd is not None, cell.text
                    fills[cell.text] = shd.get(qn("w:fill"))
    assert fills["Red"] == "F4B6B6" and fills["Blue"] == "BDD7EE" and fills["Green"] == "C6E7C1"
    # The same store and day give the same bytes.
    again = tmp_path / "again.docx"
    casey("report", "-b", "islington", "--format", "docx", "--output", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_word_paper_is_refused_on_a_terminal_without_output(casey):
    """A binary paper goes to --output or a pipe (CliRunner's stdout is a pipe)."""
    data = casey("report", "-b", "islington", "--format", "docx").stdout_bytes
    assert data[:2] == b"PK"


@pytest.mark.skipif(
    (soffice() is None or shutil.which("pdftotext") is None) and not os.environ.get("CI"),
    reason="LibreOffice or pdftotext is not installed (CI installs them and never skips)",
)
def test_word_paper_opens_in_libreoffice(casey, tmp_path, verifier):
    office = soffice()
    assert office and shutil.which("pdftotext"), "CI must install libreoffice and poppler"
    seed_story(casey, verifier)
    out = tmp_path / "paper.docx"
    casey("report", "-b", "islington", "--format", "docx", "--output", str(out))
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        capture_output=True,
        timeout=240,
        check=True,
    )
    pdf = tmp_path / "paper.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "Police reform tracker: Islington",
        "3. Overdue (1)",
        "Late one",
        "Budget & staffing",
        "15 January 2027",
        "Nothing is due in the next 14 days.",
    ):
        assert words in text, words
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info


def test_latest_update_and_a_reported_rag_that_differs(casey, verifier, tmp_path):
    """A progress update and the officer's RAG, recorded through their commands: the paper
    shows the update beside the overdue item, lists the RAG that disagrees, and counts both
    in what changed since the last meeting, in all three formats."""
    seed_story(casey, verifier)
    casey(
        "--today",
        "2026-11-20",
        "action",
        "progress",
        "A32",
        "Waiting for the ward data",
        "--percent",
        "30",
    )
    casey("action", "update", "A32", "--rag", "green", "--reason", "Data promised by Friday")
    paper = casey("report", "-b", "islington", "--since", "-1w").stdout
    assert "| Waiting for the ward data (20 November 2026) |" in section(paper, "## 3. Overdue (1)")
    disagree = section(paper, "## 6. Officer's RAG and the rule's RAG differ (1)")
    row = "| A32 | Late one | Green | Red | not started, 30% | 1 June 2026<br>175 days overdue |"
    assert row in disagree
    since = paper[paper.index("## 2. ") : paper.index("## 3. ")]
    assert "Waiting for the ward data (progress 30%)" in since
    assert "Data promised by Friday" in since
    for fmt in ("html", "docx"):
        out = tmp_path / f"paper.{fmt}"
        casey("report", "-b", "islington", "--since", "-1w", "--format", fmt, "--output", str(out))
        text = document_text(out)
        for words in ("Waiting for the ward data", "Data promised by Friday", "20 November 2026"):
            assert words in text, (fmt, words)
