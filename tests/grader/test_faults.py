"""Fault tests with real processes: the database is the source of truth, the broker only
carries ids, so a lost broker or a killed worker loses no submission and grades none twice."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import closing

import pytest

from exercises.models import Status, Submission
from exercises.submissions.tasks import grade_submission
from tests import factories
from tests.conftest import need
from tests.workers import running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server (no persistence, like the machine's), restartable at will."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, message="private redis did not start")

    def _answers(self) -> bool:
        try:
            with closing(socket.create_connection(("127.0.0.1", self.port), timeout=0.2)) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def queue_length(self, name: str = "grading") -> int:
        with closing(socket.create_connection(("127.0.0.1", self.port), timeout=1)) as s:
            s.sendall(f"LLEN {name}\r\n".encode())
            return int(s.recv(64).decode().strip().lstrip(":"))


@pytest.fixture
def private_redis(tmp_path):
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def make_queued(n: int) -> list[Submission]:
    cohort = factories.make_cohort()
    problem = factories.make_problem(kind="number", spec={"recipe": "conv-layer-params"})
    assignment = factories.make_assignment(cohort, [problem])
    rows = []
    for i in range(n):
        user = factories.make_user()
        factories.add_member(user, cohort)
        rows.append(
            Submission.objects.create(
                user=user,
                problem=problem,
                assignment=assignment,
                payload={"answer": i},
                variant_seed=i,
                status=Status.QUEUED,
            )
        )
    return rows


def test_a_redis_restart_with_submissions_queued_loses_none(private_redis):
    from config.celery import app

    submissions = make_queued(12)
    with app.connection_for_write(private_redis.url) as conn:
        for sub in submissions:
            grade_submission.apply_async(args=[sub.pk], connection=conn)
    assert private_redis.queue_length() == 12

    private_redis.restart()  # no persistence: every queued message is gone
    assert private_redis.queue_length() == 0

    env = {
        "REDIS_URL": private_redis.url,
        "STRIDE_STUCK_AFTER_SECONDS": "1",
        "STRIDE_SWEEP_EVERY_SECONDS": "1",
    }
    time.sleep(1.1)  # the queued rows are now older than the stuck threshold
    with running_worker("sweeper", beat=True, **env):
        wait_for(
            lambda: not Submission.objects.exclude(status=Status.GRADED).exists(),
            timeout=90,
            message="the sweeper did not recover every submission",
        )
    graded = Submission.objects.filter(pk__in=[s.pk for s in submissions])
    assert graded.filter(status=Status.GRADED).count() == 12
    assert all(s.requeue_count == 1 for s in graded)  # each re-queued once, graded once


SLOW_TESTS_SOURCE = """
import numpy as np

def cases(rng):
    return [
        {"name": f"case {i}", "args": [rng.standard_normal((2, 3))], "hidden": i > 0}
        for i in range(3)
    ]

def reference(x):
    return np.maximum(x, 0)
"""

SLOW_BUT_RIGHT = """
import time
import numpy as np

def relu(x):
    time.sleep(0.6)  # long enough for the test to kill the worker mid-grading
    return np.maximum(x, 0)
"""


def student_with_slow_code_problem():
    """A student of a cohort whose one assignment holds a code problem that grades slowly."""
    cohort = factories.make_cohort()
    student = factories.make_user()
    factories.add_member(student, cohort)
    problem = factories.make_problem(
        "implement-relu",
        kind="code",
        spec={
            "entry": "relu",
            "signature": "def relu(x)",
            "starter": "def relu(x):\n    ...\n",
            "tests_source": SLOW_TESTS_SOURCE,
        },
    )
    factories.make_assignment(cohort, [problem])
    return student


def submit_slow_code_and_wait_until_running(client) -> dict:
    """Submit the slow right answer; return once a worker has claimed it (it is now running)."""
    body = client.post(
        "/api/v1/problems/implement-relu/submissions", {"code": SLOW_BUT_RIGHT}, format="json"
    ).json()
    wait_for(
        lambda: Submission.objects.filter(pk=body["id"], status=Status.RUNNING).exists(),
        timeout=30,
        message="no worker claimed the submission",
    )
    return body


def test_a_worker_killed_mid_grading_is_graded_exactly_once_by_another(api):
    from grader.sandbox import detect_tier
    from tests.conftest import need

    need(detect_tier() != "unavailable", "no sandbox tier on this machine")
    student = student_with_slow_code_problem()

    with running_worker("doomed") as doomed:
        body = submit_slow_code_and_wait_until_running(api(student))
        first_claim = Submission.objects.get(pk=body["id"]).worker_id
        doomed.kill()  # SIGKILL mid-grading: no ack, no result, no clean-up

    sub = Submission.objects.get(pk=body["id"])
    assert sub.status == Status.RUNNING and sub.worker_id == first_claim

    env = {"STRIDE_STUCK_AFTER_SECONDS": "2", "STRIDE_SWEEP_EVERY_SECONDS": "1"}
    with running_worker("rescuer", beat=True, **env):
        wait_for(
            lambda: Submission.objects.filter(pk=body["id"], status=Status.GRADED).exists(),
            timeout=90,
            message="nobody graded the submission after the worker died",
        )
        time.sleep(2)  # a late duplicate would land now; it must find the work done
    sub.refresh_from_db()
    assert sub.verdict == "correct"
    assert sub.worker_id != first_claim
    assert sub.requeue_count == 1
    assert sub.tests.count() == 3  # one set of test rows, not two


def test_the_database_vanishing_while_the_result_is_written_loses_nothing(api):
    """The worker reaches PostgreSQL through a proxy the test cuts while the submission runs in
    the sandbox: writing the result fails, the task retries with backoff, and once the database
    is back the submission is graded exactly once."""
    from django.db import connection

    from grader.sandbox import detect_tier
    from tests.conftest import need
    from tests.tcp_proxy import TcpProxy

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no connection to lose")
    need(detect_tier() != "unavailable", "no sandbox tier on this machine")
    student = student_with_slow_code_problem()

    settings_dict = connection.settings_dict
    proxy = TcpProxy(
        int(settings_dict.get("PORT") or 5432), settings_dict.get("HOST") or "127.0.0.1"
    )
    through_proxy = (
        f"postgres://{settings_dict.get('USER') or 'postgres'}@127.0.0.1:{proxy.port}/"
        f"{settings_dict['NAME']}"
    )
    try:
        with running_worker("cut-off", DATABASE_URL=through_proxy) as worker:
            body = submit_slow_code_and_wait_until_running(api(student))
            proxy.cut()  # the student's code is sleeping in the sandbox right now
            wait_for(
                lambda: any("retry in" in line for line in worker.log),
                timeout=30,
                message="the worker never noticed the database was gone",
            )
            assert Submission.objects.get(pk=body["id"]).status == Status.RUNNING
            proxy.restore()
            wait_for(
                lambda: Submission.objects.filter(pk=body["id"], status=Status.GRADED).exists(),
                timeout=60,
                message="the result was lost after the database came back",
            )
            time.sleep(1)
    finally:
        proxy.close()
    sub = Submission.objects.get(pk=body["id"])
    assert sub.verdict == "correct"
    assert sub.tests.count() == 3
    assert sub.requeue_count == 0  # recovered by the task's own retries, not the sweeper
