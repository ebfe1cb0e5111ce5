"""``make bench BENCH_ARGS=web`` end to end at a tiny size: a handful of students for a couple
of seconds per phase, against the real ``make serve``, a real worker, PostgreSQL, Redis and
Chromium. It checks that the harness runs and prints its tables, and that every submission it
made was graded exactly once; never a timing. Beside it, the pieces that can be checked alone:
the merge of the Locust processes' results, and the count of submissions the client never
heard of."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.bench_web import (
    ENDPOINTS,
    LOCUST_PYTHON,
    PROBE_ACCOUNT,
    WebBench,
    merge_load_results,
    timeline,
)
from bench.scratch import create_scratch_database, drop_scratch_database
from tests.chromium import CHROMIUM
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 4


def _result(started_at: float, stopped_at: float, epoch: float, **fields) -> dict:
    """One Locust process's result file, as web_locustfile writes it."""
    return {
        "phase": "login",
        "seconds": stopped_at - started_at,
        "started_at": started_at,
        "stopped_at": stopped_at,
        "epoch": epoch,
        "samples": {},
        "outcomes": {},
        "logins": [],
        "login_failed": 0,
        "submitted": [],
        "replayed": 0,
        "verdict_ms": [],
        "tokens": {},
        "lost": 0,
        "graded_in_request": 0,
        "wait_outcomes": {},
        **fields,
    }


def test_two_load_processes_merge_into_one_phase_from_the_first_start_to_the_last_stop():
    epoch = 1_700_000_000.0
    first = _result(
        epoch + 1.0,
        epoch + 71.0,
        epoch,
        samples={"POST /token": [[1.0, 900.0], [1.2, 1100.0]], "GET /healthz": [[2.0, 5.0]]},
        outcomes={"POST /token": {"200": 2}, "GET /healthz": {"200": 1}},
        logins=[2.0, 11.0],
        login_failed=1,
        submitted=[1, 2],
        replayed=1,
        verdict_ms=[150.0],
        tokens={"bench-web-0001": "a", "bench-web-0002": "b"},
        wait_outcomes={"final": 3, "busy": 1},
    )
    second = _result(
        epoch + 1.5,
        epoch + 71.25,
        epoch,
        samples={"POST /token": [[1.5, 700.0]]},
        outcomes={"POST /token": {"200": 1, "503": 2}},
        logins=[11.5],
        submitted=[3],
        lost=2,
        graded_in_request=4,
        verdict_ms=[90.0, 110.0],
        tokens={"bench-web-0003": "c"},
        wait_outcomes={"final": 2, "timeout": 1},
    )

    merged = merge_load_results([first, second])

    assert merged["processes"] == 2
    assert merged["seconds"] == pytest.approx(70.25)  # the first start to the last stop
    assert merged["started_spread"] == pytest.approx(0.5)
    # Times from the first start: the last login is the second process's, at 10.5 s.
    assert max(merged["logins"]) == pytest.approx(10.5)
    assert sorted(merged["logins"]) == pytest.approx([1.0, 10.0, 10.5])
    tokens = sorted(merged["samples"]["POST /token"])
    assert [sent for sent, _ in tokens] == pytest.approx([0.0, 0.2, 0.5])
    assert [rt for _, rt in tokens] == [900.0, 1100.0, 700.0]
    assert [tuple(s) for s in merged["samples"]["GET /healthz"]] == [(1.0, 5.0)]
    assert merged["outcomes"]["POST /token"] == {"200": 3, "503": 2}
    assert merged["wait_outcomes"] == {"final": 5, "busy": 1, "timeout": 1}
    assert sorted(merged["submitted"]) == [1, 2, 3]
    assert sorted(merged["verdict_ms"]) == [90.0, 110.0, 150.0]
    assert (merged["login_failed"], merged["replayed"], merged["lost"]) == (1, 1, 2)
    assert merged["graded_in_request"] == 4
    assert set(merged["tokens"]) == {"bench-web-0001", "bench-web-0002", "bench-web-0003"}


PACED = """
import time
from locust.env import Environment
from web_locustfile import Student

Student.host = "http://127.0.0.1:9"
student = Student(Environment(user_classes=[Student]))  # Locust's clock starts here
time.sleep(0.4)  # on_start's spread: this student's first round begins 0.4 s later
student.round_started = time.monotonic()  # what the round does first
time.sleep(0.05)  # the round's requests
print(student.wait_time())
"""


def test_a_students_rounds_keep_the_spread_of_their_first_round(tmp_path):
    """The next round begins PACING seconds after this one began, not after the user started:
    counted from the start, every student's second round began at the same instant and the
    class went on in step (a burst every PACING seconds)."""
    need(LOCUST_PYTHON.exists(), f"the bench's Locust ({LOCUST_PYTHON}): make bench-tools")
    users = tmp_path / "users.json"
    users.write_text("[]")
    env = dict(os.environ, BENCH_WEB_USERS=str(users), BENCH_WEB_PACING="1")
    answer = subprocess.run(
        [str(LOCUST_PYTHON), "-c", PACED],
        cwd=Path(__file__).resolve().parents[2] / "bench",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 0, answer.stderr
    waited = float(answer.stdout.split()[-1])
    # 1 s from the round's start, less the round's 0.05 s; from the user's start it was <= 0.55.
    assert 0.7 < waited <= 0.95


def test_the_timeline_puts_each_request_in_the_window_it_was_sent_in():
    """A stall in the middle of a phase is one slow window, not a phase-wide percentile."""
    data = {
        "seconds": 30.0,
        "samples": {
            "GET /problems/<slug>": [[1.0, 20.0], [12.0, 1500.0], [25.0, 30.0]],
            "POST /problems/<slug>/submissions": [[2.0, 40.0], [13.0, 1900.0]],
            "GET /submissions/<id>?wait=": [[14.0, 9000.0]],  # long by design: left out
            "GET /healthz": [[3.0, 4.0], [15.0, 1200.0]],
            "GET /cohorts/<slug>/leaderboard": [[31.0, 10.0]],  # after the phase: left out
        },
    }
    assert timeline(data, step=10.0) == [
        ("0-10", "2", "20", "40", "4"),
        ("10-20", "2", "1500", "1900", "1200"),
        ("20-30", "1", "30", "30", "-"),
    ]


def test_the_probes_own_submissions_are_not_stored_submissions_unknown_to_the_client():
    database_url = os.environ.get("DATABASE_URL", "")
    need(database_url.startswith("postgres"), "DATABASE_URL is not a PostgreSQL server")
    bench = WebBench(database_url, "")
    # A scratch database named after DATABASE_URL's, with just the columns the check reads.
    bench.database = f"{urlsplit(database_url).path.lstrip('/') or 'stride'}_probe_{os.getpid()}"
    bench.scratch_url = create_scratch_database(database_url, bench.database)
    try:
        import psycopg

        with psycopg.connect(bench.scratch_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE auth_user (id int PRIMARY KEY, username text)")
            conn.execute(
                "CREATE TABLE exercises_submission (id bigint PRIMARY KEY, user_id int, "
                "status text, created_at timestamptz DEFAULT now(), "
                "graded_at timestamptz DEFAULT now())"
            )
            conn.execute("CREATE TABLE bench_web_graded (submission_id bigint)")
            conn.execute(
                "INSERT INTO auth_user VALUES (1, 'bench-web-0001'), (2, %s)", [PROBE_ACCOUNT]
            )
            conn.execute(
                "INSERT INTO exercises_submission (id, user_id, status) VALUES "
                "(10, 1, 'graded'), (11, 2, 'graded'), (12, 2, 'graded'), (13, 1, 'graded')"
            )
            conn.execute("INSERT INTO bench_web_graded VALUES (10), (11), (12), (13)")

        # Locust heard of 10 only: 13 is a student's it never heard of; 11 and 12 are the
        # Probe's, answered to the Probe.
        check = bench.drain_and_check([10], [10], timeout=5)
    finally:
        drop_scratch_database(database_url, bench.database)
        shutil.rmtree(bench.tmp, ignore_errors=True)

    assert check["unknown_to_client"] == 1
    assert check["stored"] == 2
    assert check["never_stored"] == 0


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.browser
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
    # The Probe submits too, with its own account: none of its submissions is one Locust
    # should have heard of.
    assert "stored but never answered to the client: 0;" in out
    # The class in two Locust processes, merged; what each phase started.
    assert out.count("load: 2 Locust processes at niceness -10 (students 2 + 2;") == 2, out
    assert re.search(r"\| web +\|.*\| \d+ processes +\|", out), out
    assert re.search(r"\| postgres +\|.*\| \d+ connections +\|", out), out
    assert "'queued'" not in out and "'running'" not in out  # everything graded in the end
    for problem in ("conv-layer-params", "implement-conv2d"):
        assert f"| {problem} " in out
    assert "| web " in out and "| postgres " in out  # the CPU split
    assert "`?wait=` answers (" in out  # how the waits ended: final, timeout, busy, none
    assert "| (b) `?wait=` answered busy (the client polled) " in out
