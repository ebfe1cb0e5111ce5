"""``make bench BENCH_ARGS=web`` end to end at a tiny size: a handful of students for a couple
of seconds per phase, against the real ``make serve``, a real worker, PostgreSQL, Redis and
Chromium. It checks that the harness runs and prints its tables, and that every submission it
made was graded exactly once; never a timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_web import ENDPOINTS, LOCUST_PYTHON
from tests.chromium import CHROMIUM
from tests.conftest import need

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 4


def test_the_web_bench_runs_end_to_end_and_prints_its_tables():
    database_url = os.environ.get("DATABASE_URL", "")
    need(database_url.startswith("postgres"), "DATABASE_URL is not a PostgreSQL server")
    need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    need(LOCUST_PYTHON.exists(), f"no {LOCUST_PYTHON} (make bench-tools)")
    need(CHROMIUM.exists(), f"{CHROMIUM} is not installed")
    # The bench's own worker and broker queue: a Redis database of its own, so that a worker
    # the test session started on REDIS_URL never takes the bench's grading tasks.
    # STRIDE_TEST_BENCH_REDIS_URL names it where several checkouts share one Redis server (the
    # default, eight databases on, may be another checkout's own).
    redis_url = os.environ["REDIS_URL"]
    base, _, db = redis_url.rpartition("/")
    bench_redis = os.environ.get("STRIDE_TEST_BENCH_REDIS_URL") or (
        f"{base}/{(int(db) + 8) % 16}" if db.isdigit() else f"{redis_url}/9"
    )
    env = {
        **os.environ,
        "REDIS_URL": bench_redis,
        "BENCH_WEB_STUDENTS": str(STUDENTS),
        "BENCH_WEB_SECONDS": "2",
        "BENCH_WEB_PACING": "1",
        "BENCH_WEB_BOARD_STUDENTS": "10",
        "BENCH_WEB_BOARD_READS": "5",
        "BENCH_WEB_CLICKS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the bench's processes use production settings
    # Interrupted if it overruns (SIGINT: its finally blocks stop the server and the worker it
    # started in sessions of their own), within pytest's own timeout: a bench left running
    # would take later tests' tasks and ports.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench", "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        pytest.fail("the web bench overran 240 s:\n" + out[-3000:] + err[-3000:])
    assert proc.returncode == 0, out[-3000:] + err[-3000:]
    for heading in (
        f"### (a) {STUDENTS} log in at once",
        f"### (b) {STUDENTS} holding tokens",
        "### grading: every submission stored and graded exactly once",
        "### leaderboard read at 10 students",
        "### Chromium: click on Submit -> verdict on screen",
        "### targets",
    ):
        assert heading in out, out
    for endpoint in ENDPOINTS:
        assert f"| {endpoint} " in out, endpoint
    assert f"logins: {STUDENTS} tokens, 0 failed, 0 still trying" in out
    assert "graded twice: 0;" in out
    assert "'queued'" not in out and "'running'" not in out  # everything graded in the end
    for problem in ("conv-layer-params", "implement-conv2d"):
        assert f"| {problem} " in out
    assert "| web " in out and "| postgres " in out  # the CPU split
    assert "`?wait=` answers (" in out  # how the waits ended: final, timeout, busy, none
    assert "| (b) `?wait=` answered busy (the client polled) " in out
