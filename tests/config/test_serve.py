"""`make serve`, the production web command: gunicorn as config/gunicorn.conf.py sets it up,
on STRIDE_BIND, stopping cleanly on SIGTERM to make (as `docker stop` sends it), and shedding
a request that waited too long for a thread."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.gunicorn_worker import SHED_BODY, _waited, shed_stale

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def make_serve(tmp_path: Path, **env: str) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """``make serve`` on a free port of this host, its log in a file; stopped at the end."""
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("STRIDE_", "DJANGO_"))}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment.update(
        SECRET_KEY="serve-test-" + "x" * 40,
        STRIDE_HTTPS="0",
        STRIDE_PLAIN_STATIC="1",
        STRIDE_VAR_DIR=str(tmp_path / "var"),
        STRIDE_BIND=f"127.0.0.1:{port}",
        **env,
    )
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while "Booting worker" not in log.read_text():
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield server, port, log
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def http(port: int, request: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        return _read_all(conn)


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


GET_LOGIN = b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


@pytest.mark.slow
def test_make_serve_binds_stride_bind_with_threaded_workers_and_stops_on_sigterm(tmp_path):
    with make_serve(tmp_path, STRIDE_WEB_WORKERS="2", STRIDE_WEB_THREADS="3") as (
        server,
        port,
        log,
    ):
        response = http(port, GET_LOGIN)
        assert response.startswith(b"HTTP/1.1 200"), response[:200]
        text = log.read_text()
        assert f"Listening at: http://127.0.0.1:{port}" in text
        assert "Using worker: config.gunicorn_worker.SheddingThreadWorker" in text
        deadline = time.monotonic() + 10
        while log.read_text().count("Booting worker") < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        server.send_signal(signal.SIGTERM)  # to make alone, as docker stop does to PID 1
        assert server.wait(timeout=20) is not None
        assert "Shutting down: Master" in log.read_text()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.slow
def test_a_request_that_waited_too_long_for_a_thread_is_answered_503_without_running(tmp_path):
    env = {"STRIDE_WEB_WORKERS": "1", "STRIDE_WEB_THREADS": "1", "STRIDE_WEB_QUEUE_TIMEOUT": "1"}
    with make_serve(tmp_path, **env) as (_, port, _log):
        assert http(port, GET_LOGIN).startswith(b"HTTP/1.1 200")  # warm: imports done
        # The one thread is held by a client that sends its body late: the application blocks
        # reading it. That client did not wait for the thread itself, so it is served.
        body = b'{"username": "nobody", "password": "x"}'
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        slow.sendall(
            b"POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        time.sleep(0.3)
        waiting = socket.create_connection(("127.0.0.1", port), timeout=10)
        waiting.sendall(GET_LOGIN)
        time.sleep(2.5)  # well past STRIDE_WEB_QUEUE_TIMEOUT
        slow.sendall(body)
        assert not _read_all(slow).startswith(b"HTTP/1.1 503")
        slow.close()
        shed = _read_all(waiting)
        waiting.close()
        head, _, body = shed.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503"), shed[:300]
        assert b"Retry-After: 1" in head
        assert body == SHED_BODY
        # A request that did not wait is served.
        assert http(port, GET_LOGIN).startswith(b"HTTP/1.1 200")


def test_shed_stale_runs_the_app_unless_the_request_waited_past_the_limit():
    calls = []

    def app(environ, start_response):
        calls.append(environ)
        start_response("200 OK", [])
        return [b"ok"]

    statuses = []
    shedding = shed_stale(app, limit_seconds=1)
    start = lambda status, headers: statuses.append((status, dict(headers)))  # noqa: E731

    assert shedding({}, start) == [b"ok"]  # not stamped (not under the worker): served
    _waited.seconds = 0.2
    assert shedding({}, start) == [b"ok"]
    _waited.seconds = 5.0
    assert shedding({}, start) == [SHED_BODY]
    assert len(calls) == 2
    assert statuses[-1][0].startswith("503")
    assert statuses[-1][1]["Retry-After"] == "1"
    assert shedding({}, start) == [b"ok"]  # the wait was one request's
