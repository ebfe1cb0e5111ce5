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
from contextlib import closing
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


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    var = tmp_path_factory.mktemp("demo-var")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(STRIDE_VAR_DIR=str(var), STRIDE_DEMO_BIND=f"127.0.0.1:{port}")
    log = open(var / "demo.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=env,
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
