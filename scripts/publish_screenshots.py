"""The screenshots of the published site in docs/publishing.md.

    python scripts/publish_screenshots.py

Publishes the bundled register as docs/publishing.md's first example does (a new store on
the docs' day, 23 November 2026, with `--hide owner`) into a temporary folder, under a
temporary HOME and CASEY_DB, then has headless Chromium take the London overview and the
Islington page, each 1200 CSS pixels wide and cut to a height that keeps the file small:
docs/images/publish-overview.png and docs/images/publish-borough.png. The same code gives
the same pages; the pictures can differ by a pixel with another Chromium or its fonts.

Needs chromium (Debian: `apt-get install chromium`); nothing is fetched from the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DAY = "2026-11-23"  # the day of every example in docs/ (docs/contributing.md)
WIDTH = 1200
# (page of the site, picture, height in CSS pixels)
SHOTS = [
    ("index.html", "publish-overview.png", 1450),
    ("boroughs/islington.html", "publish-borough.png", 1400),
]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import QUIET_CHROMIUM  # noqa: E402  (the tests' flags: no network)

FLAGS = [*QUIET_CHROMIUM, "--hide-scrollbars"]


def casey(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "casey_cli", "--today", DAY, *args], env=env, check=True)


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        env = {
            **os.environ,
            "HOME": str(tmp / "home"),
            "CASEY_DB": str(tmp / "casey.db"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
        }
        for name in ("CASEY_TODAY", "CASEY_BOROUGH", "CASEY_WINDOW", "CASEY_STALE_DAYS"):
            env.pop(name, None)
        casey(env, "init")
        site = tmp / "site"
        casey(env, "publish", "--output", str(site), "--hide", "owner")
        for page, picture, height in SHOTS:
            out = IMAGES / picture
            subprocess.run(
                [
                    browser,
                    *FLAGS,
                    f"--user-data-dir={tmp / 'profile'}",
                    f"--window-size={WIDTH},{height}",
                    f"--screenshot={out}",
                    (site / page).as_uri(),
                ],
                capture_output=True,
                timeout=120,
                check=True,
            )
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
