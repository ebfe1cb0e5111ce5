"""``make bench BENCH_ARGS=webcpu`` end to end at a tiny size: a few rounds of every request type
through the WSGI handler on PostgreSQL and Redis with a real solo worker, its table, the count
of how the waits ended and a profile of each type. It checks the harness, never a timing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_webcpu import MIXED, TYPES
from tests.conftest import need

pytestmark = [pytest.mark.slow, pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]


def test_the_webcpu_bench_prints_a_row_and_a_profile_per_request_type(tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    need(database_url.startswith("postgres"), "DATABASE_URL is not a PostgreSQL server")
    need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    # A Redis database of its own: the bench's worker takes the grading queue there.
    # STRIDE_TEST_BENCH_REDIS_URL names it where several checkouts share one Redis server (the
    # default, nine databases on, may be another checkout's own).
    base, _, db = os.environ["REDIS_URL"].rpartition("/")
    bench_redis = os.environ.get("STRIDE_TEST_BENCH_REDIS_URL") or (
        f"{base}/{(int(db) + 9) % 16}" if db.isdigit() else f"{base}/10"
    )
    env = {
        **os.environ,
        "REDIS_URL": bench_redis,
        "BENCH_WEBCPU_ROUNDS": "3",
        "BENCH_WEBCPU_PROFILE": "3",
        "BENCH_WEBCPU_PROFILE_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the bench uses production settings
    done = subprocess.run(
        [sys.executable, "-m", "bench", "webcpu"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    for name in (*TYPES, MIXED):
        assert re.search(rf"\| {re.escape(name)} +\| 3 +\|", out), name
        assert f"#### {name}: own CPU time of the top functions" in out, name
    assert "`?wait=20` sent right after its submit ended: " in out
    assert len(list(tmp_path.glob("*.prof"))) == len(TYPES) + 1
