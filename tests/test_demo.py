"""`make demo` from nothing: SQLite, the embedded broker, a real worker; the lecture's problems,
the demo accounts; a number problem submitted as student1 comes back graded from the worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, path: str, body: dict | None = None, token: str | None = None):
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


def demo_env(var: Path, bind: str) -> dict:
    """The environment of a fresh machine (no services, no secret) with the demo's state in
    ``var`` and its server on ``bind``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(STRIDE_VAR_DIR=str(var), STRIDE_DEMO_BIND=bind)
    return env


@contextmanager
def running_demo(var: Path) -> Iterator[dict]:
    """``scripts/demo.py`` on a free port, once ``/healthz`` answers; stopped (SIGINT, what
    Ctrl-C sends) and killed if still there when the block ends."""
    port = free_port()
    log = open(var / "demo.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=demo_env(var, f"127.0.0.1:{port}"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while time.monotonic() - started < 60:
            if proc.poll() is not None:
                pytest.fail("demo exited early:\n" + (var / "demo.log").read_text()[-3000:])
            try:
                status, health = call(base, "/healthz")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        else:
            pytest.fail(
                "demo did not answer /healthz within a minute:\n"
                + (var / "demo.log").read_text()[-3000:]
            )
        yield {
            "base": base,
            "port": port,
            "health": health,
            "startup": time.monotonic() - started,
            "proc": proc,
            "log": var / "demo.log",
        }
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("demo-var")) as running:
        yield running


def test_the_demo_answers_healthz_within_a_minute(demo):
    assert demo["startup"] < 60
    assert demo["health"]["database"] == "ok"
    assert demo["health"]["broker"] == "ok"


def test_the_login_page_shows_the_demo_accounts(demo):
    with urllib.request.urlopen(demo["base"] + "/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    assert "student1" in page and "stride-demo" in page


def test_student1_gets_a_number_problem_graded_by_the_worker(demo):
    base = demo["base"]
    _, body = call(base, "/api/v1/token", {"username": "student1", "password": "stride-demo"})
    token = body["token"]
    _, problems = call(base, "/api/v1/problems", token=token)
    slugs = {p["slug"] for p in problems}
    assert "conv-layer-params" in slugs
    _, detail = call(base, "/api/v1/problems/conv-layer-params", token=token)
    p = detail["params"]
    answer = (p["f"] * p["f"] * p["c"] + 1) * p["k"]
    status, created = call(
        base, "/api/v1/problems/conv-layer-params/submissions", {"answer": answer}, token=token
    )
    assert status == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, result = call(base, created["url"], token=token)
        if result["status"] == "graded":
            break
        time.sleep(0.2)
    assert result["status"] == "graded", result
    assert result["verdict"] == "correct"


def test_ctrl_c_stops_the_server_and_the_worker(demo):
    proc = demo["proc"]
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert "Stride demo stopped." in demo["log"].read_text()


# --- Stopped by a process manager, `timeout` or a closed terminal; a port already taken --------


def sessions_of_children(pid: int) -> set[int]:
    """The sessions of ``pid``'s children: the demo starts gunicorn and the Celery worker each in
    a session of its own, which their own worker processes share."""
    return {int(fields[5]) for fields in proc_stats() if int(fields[3]) == pid}


def proc_stats() -> list[list[str]]:
    """``/proc/<pid>/stat`` of every process, split into fields (the name, in parentheses,
    counted as one)."""
    stats = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            head, _, rest = text.rpartition(")")
            stats.append([head.split(" (", 1)[0], "name", *rest.split()])
    return stats


def alive_in(sessions: set[int]) -> list[str]:
    """Processes of those sessions still running (zombies are done: nothing reaps orphans in
    some containers)."""
    return [
        f"{fields[0]} ({fields[2]})"
        for fields in proc_stats()
        if int(fields[5]) in sessions and fields[2] != "Z"
    ]


def port_is_free(port: int) -> bool:
    with closing(socket.socket()) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_stops_the_server_and_the_worker_and_frees_the_port(tmp_path_factory, signum):
    with running_demo(tmp_path_factory.mktemp("demo-signal")) as running:
        proc = running["proc"]
        sessions = sessions_of_children(proc.pid)
        try:
            assert len(sessions) == 2, sessions  # gunicorn and the Celery worker
            assert alive_in(sessions)
            os.kill(proc.pid, signum)  # the script alone, as `timeout` and process managers do
            assert proc.wait(timeout=30) == 128 + signum
            deadline = time.monotonic() + 5
            while alive_in(sessions) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert alive_in(sessions) == []
            assert port_is_free(running["port"])
            log = running["log"].read_text()
            assert f"{signum.name} received" in log
            assert "Stride demo stopped." in log
        finally:
            for session in sessions:  # a leader's session id is its process group's too
                with suppress(ProcessLookupError):
                    os.killpg(session, signal.SIGKILL)


def test_a_busy_port_fails_at_once_and_names_stride_demo_bind(tmp_path):
    with closing(socket.create_server(("127.0.0.1", 0))) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "scripts/demo.py"],
            cwd=ROOT,
            env=demo_env(tmp_path, f"127.0.0.1:{port}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "Stride demo on" not in result.stdout
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert f"STRIDE_DEMO_BIND=127.0.0.1:{port + 1} make demo" in result.stderr
    assert not (tmp_path / "stride.sqlite3").exists()  # it stopped before setting anything up


def test_a_server_that_dies_stops_the_worker_and_the_demo_fails(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("demo-crash")) as running:
        proc = running["proc"]
        sessions = sessions_of_children(proc.pid)
        web = next(s for s in sessions if b"gunicorn" in Path(f"/proc/{s}/cmdline").read_bytes())
        try:
            os.killpg(web, signal.SIGKILL)  # as the kernel's OOM killer would
            assert proc.wait(timeout=30) == 1
            deadline = time.monotonic() + 5
            while alive_in(sessions) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert alive_in(sessions) == []
            log = running["log"].read_text()
            assert "the web server (gunicorn) stopped by itself (status -9)" in log
        finally:
            for session in sessions:
                with suppress(ProcessLookupError):
                    os.killpg(session, signal.SIGKILL)
