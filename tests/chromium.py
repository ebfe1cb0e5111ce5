"""Debian's Chromium for the browser tests, launched one way everywhere (never Playwright's own
browser download, which this network cannot fetch).

Whether the browser tests can run is decided once, before any Playwright is started
(``missing_chromium``): a fixture that started Playwright and then skipped would leave
Playwright's event loop running in the main thread, and every later test touching the ORM would
fail with ``SynchronousOnlyOperation``. Without Chromium the root ``tests/conftest.py`` skips
every browser test at collection with the one reason below; under ``STRIDE_REQUIRE_SERVICES=1``
(CI) the fixtures fail instead (``tests.conftest.need``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from tests.conftest import need

#: Debian's Chromium; ``STRIDE_CHROMIUM`` points elsewhere (or at a path that does not exist, to
#: run the suite as a machine without a browser does).
CHROMIUM = Path(os.environ.get("STRIDE_CHROMIUM") or "/usr/bin/chromium")
HOW_TO_ENABLE = (
    "install Debian's chromium and fonts-noto-cjk (as root: .ci/install-browser), "
    "or set STRIDE_CHROMIUM=/path/to/chromium"
)
#: The fixtures that start a browser; a test using any of them (directly or through another
#: fixture) is a browser test, marked or not.
BROWSER_FIXTURES = frozenset({"browser", "browser_for", "browser_page"})
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


def missing_chromium() -> str | None:
    """Why the browser tests cannot run on this machine (one line, with how to enable them),
    or None when Chromium and Playwright are both there."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}; to run the browser tests, {HOW_TO_ENABLE}"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed; to run the browser tests, make install"
    return None


def require_chromium() -> None:
    """Skip (laptop) or fail (CI) unless the browser tests can run; call it before starting
    Playwright."""
    reason = missing_chromium()
    need(reason is None, reason or "")


def launch_chromium(playwright):
    """A headless Chromium from ``playwright`` (a started sync_playwright)."""
    require_chromium()
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
