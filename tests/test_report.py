"""`casey report`: the committee paper in Markdown and HTML, checked in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest


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
    casey("action", "reschedule", "A20", "--due", "2027-01-15", "--reason", "Budget & staffing")
    casey(
        "action", "add", "-b", "islington", "-t", "Done one", "--owner", "C", "--due", "2026-11-20"
    )
    casey("action", "done", "A21", "--evidence", "minutes")
    verifier("action", "verify", "A21", "--by", "Auditor")


def test_markdown_report_sections(casey, verifier):
    seed_story(casey, verifier)
    paper = casey("report", "--borough", "islington").stdout
    assert paper.startswith("# Police reform tracker: Islington")
    assert "- Overdue: 1; due within 14 days: 0" in paper
    assert "| 0 | 0 | 1 | 0 |" in paper  # A19 is 175 days late: the 91-180 band
    assert "| A19 | Late one | A | 2026-06-01 | 175 | 91-180 |" in paper
    assert "2026-12-01 → 2027-01-15: Budget & staffing" in paper
    assert "| A21 | Done one | C | 2026-11-23 | verified |" in paper
    assert "- Completed since 2026-08-25: 1 (1 verified)" in paper
    assert "| standards | 1 | 0 | 0 | 0 | 1 | 2 |" in paper  # islington-plan-2's theme


def test_since_and_stale(casey, verifier):
    seed_story(casey, verifier)
    paper = casey(
        "--today", "2027-06-01", "report", "-b", "islington", "--since", "2027-01-01"
    ).stdout
    assert "Completed since 2027-01-01: 0" in paper
    # Nothing changed for > 90 days by then: every open item is stale.
    assert re.search(r"no update for over 90 days: [1-9]", paper)


def test_html_report_is_self_contained_and_escaped(casey, tmp_path, verifier):
    seed_story(casey, verifier)
    out = tmp_path / "paper.html"
    casey("report", "-b", "islington", "--format", "html", "--output", str(out))
    page = out.read_text()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=", page)  # no network fetches
    assert "<svg" in page and "@page { size: A4" in page
    assert "Budget &amp; staffing" in page


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
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
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
