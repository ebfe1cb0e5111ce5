"""`make test` on a machine without Chromium: every browser test is skipped before any of its
fixtures starts Playwright, with one line saying how to enable them, and the tests after them
still use the ORM normally (a Playwright event loop left running in the main thread would make
them fail with ``SynchronousOnlyOperation``). Under ``STRIDE_REQUIRE_SERVICES=1`` they fail.

Each case runs a small pytest session in a subprocess, with ``STRIDE_CHROMIUM`` pointing at a
path that does not exist, on SQLite in its own scratch folder (never this session's database).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One browser test module of each fixture family (instructor, quizzes, the browser package),
# then ordinary database tests, which must still pass after them.
BROWSER_MODULES = [
    "tests/instructor/test_browser.py",
    "tests/quizzes/test_browser.py",
    "tests/browser/test_formula_problem.py",
]
AFTER = "tests/exercises/test_access.py"

pytestmark = pytest.mark.slow


def run_suite(tmp_path: Path, *paths: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "STRIDE_REQUIRE_SERVICES", "PYTEST_ADDOPTS"}
        and not k.startswith("PYTEST_")
    }
    clean.update(STRIDE_CHROMIUM="/nonexistent/chromium", STRIDE_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra", *paths],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=600,
    )


def browser_tests_in(*paths: str) -> int:
    """How many tests of ``paths`` drive the browser (collected, not run)."""
    collect = ["-p", "no:cacheprovider", "-q", "--collect-only", "-m", "browser"]
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", *collect, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return sum("::" in line for line in listed.splitlines())


def test_without_chromium_browser_tests_skip_in_one_line_and_later_tests_pass(tmp_path):
    browser = browser_tests_in(*BROWSER_MODULES)
    assert browser > 0
    result = run_suite(tmp_path, *BROWSER_MODULES, AFTER)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    summary = out.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), summary
    assert re.search(rf"\b{browser} skipped\b", summary), summary
    assert "error" not in summary and "failed" not in summary, summary
    assert "SynchronousOnlyOperation" not in out and "asyncio loop" not in out
    skip_lines = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(skip_lines) == 1, skip_lines
    assert skip_lines[0].startswith(f"SKIPPED [{browser}] ")
    assert "no Chromium at /nonexistent/chromium" in skip_lines[0]
    assert "STRIDE_CHROMIUM=" in skip_lines[0] and ".ci/install-browser" in skip_lines[0]


def test_without_chromium_under_require_services_browser_tests_fail(tmp_path):
    result = run_suite(tmp_path, BROWSER_MODULES[-1], STRIDE_REQUIRE_SERVICES="1")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out[-4000:]
    assert "required service missing: no Chromium at /nonexistent/chromium" in out
    assert "1 error" in out.strip().splitlines()[-1]  # a fixture fails: an error
