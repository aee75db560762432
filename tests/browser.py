"""Headless Chromium as the tests (and scripts/publish_screenshots.py) start it."""

# No network: Chromium is told to fetch nothing of its own. Each caller adds a new empty
# --user-data-dir.
QUIET_CHROMIUM = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
