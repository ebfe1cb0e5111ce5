"""Debian's Chromium for the browser tests, launched one way everywhere (never Playwright's own
browser download, which this network cannot fetch)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import need

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and quiet: without the background-networking flags Chromium keeps trying
# hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright):
    """A headless Chromium from ``playwright`` (a started sync_playwright); skips on a laptop
    without Chromium, fails in CI (``tests.conftest.need``)."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
