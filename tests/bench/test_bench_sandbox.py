"""The sandbox bench runs end to end, beside a baseline checkout (here this one), and prints
its table with a ratio column."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import detect_tier

pytestmark = pytest.mark.sandbox
PROJECT = Path(__file__).resolve().parents[2]


def test_the_sandbox_bench_prints_both_columns_and_their_ratio():
    if detect_tier() == "unavailable":
        pytest.skip("no sandbox tier here")
    env = {**os.environ, "BENCH_SANDBOX_ROUNDS": "4", "BENCH_SANDBOX_BASELINE": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "sandbox"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    rows = {line.split(" | ")[0].strip("| "): line for line in done.stdout.splitlines()}
    assert "| this checkout | baseline | ratio |" in rows["metric"]
    for metric in ("trivial submission, median (ms)", "trivial, CPU per run, mean (ms)"):
        cells = rows[metric].strip("|").split("|")
        assert all(float(c.strip()) > 0 for c in cells[1:4]), rows[metric]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
