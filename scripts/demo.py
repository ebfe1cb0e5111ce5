"""`make demo`: migrate, load the lecture's problems and the demo accounts, then serve
http://127.0.0.1:8000 (``STRIDE_DEMO_BIND``) with one grading worker (and the sweeper).

Needs nothing but Python: SQLite and an embedded broker unless DATABASE_URL / REDIS_URL are set.

Stopping: Ctrl-C (SIGINT) stops the server and the worker and exits 0. SIGTERM (a process
manager, ``timeout``) and SIGHUP (a closed terminal) stop them the same way and exit 128 + the
signal's number, as a shell reports a process killed by it. The server and the worker run in
their own sessions, so a terminal's signals reach only this script, which always stops both:
without that they would outlive it and keep holding the port. If either of them stops by
itself (a port taken in the meantime, a crash), the other is stopped too and the exit is 1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_BIND = "127.0.0.1:8000"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """SIGTERM or SIGHUP arrived; ``signum`` says which."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum, frame):
    raise Stopped(signum)


def run(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def bind_problem(bind: str) -> str | None:
    """Why gunicorn could not listen on ``bind`` (``host:port``), with what to do, or None when
    it can.

    Checked before anything starts, with the ``SO_REUSEADDR`` gunicorn sets (so a port that only
    has connections in TIME_WAIT counts as free): gunicorn would otherwise fail only after the
    set-up, once the demo had already said where it is."""
    host, sep, port = bind.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit():
        return (
            f"STRIDE_DEMO_BIND={bind!r} is not host:port; "
            f"for example: STRIDE_DEMO_BIND={DEFAULT_BIND} make demo"
        )
    elsewhere = f"STRIDE_DEMO_BIND={bind[: -len(port)]}{int(port) + 1} make demo"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"{bind} is already in use (another `make demo`, or another server?). "
                f"Stop it, or serve the demo on another address: {elsewhere}"
            )
        return f"cannot listen on {bind} ({exc.strerror or exc}); try another address: {elsewhere}"
    return None


def start(args: list[str]) -> subprocess.Popen:
    # A session of its own: a terminal's Ctrl-C or hang-up reaches only this script, which then
    # stops the whole process group (gunicorn's and celery's own workers included).
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True)


def stop(children: list[subprocess.Popen], grace: float = 10) -> None:
    """SIGTERM each child's process group; SIGKILL what is still there after ``grace``."""
    for p in children:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in children:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        # The group may outlive its leader (a worker process still exiting): end it too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)


def serve(bind: str, children: list[subprocess.Popen]) -> int:
    """Start the worker and the server into ``children``; wait until one of them stops."""
    children.append(
        start(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-B",
                "-Q",
                "grading,regrade",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "-s",
                str(ROOT / "var" / "celerybeat-schedule"),
            ]
        )
    )
    children.append(
        start(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                bind,
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        )
    )
    print(f"\nStride demo on http://{bind}  (Ctrl-C stops the server and the worker)\n", flush=True)
    while all(p.poll() is None for p in children):
        time.sleep(0.5)
    worker, web = children
    died = web if web.returncode is not None else worker
    name = "the web server (gunicorn)" if died is web else "the grading worker (celery)"
    print(
        f"stride: {name} stopped by itself (status {died.returncode}); see above", file=sys.stderr
    )
    return 1


def main() -> int:
    os.environ.setdefault("STRIDE_DEMO", "1")
    os.environ.setdefault("STRIDE_HTTPS", "0")
    os.environ.setdefault("STRIDE_PLAIN_STATIC", "1")
    bind = os.environ.get("STRIDE_DEMO_BIND") or DEFAULT_BIND
    problem = bind_problem(bind)
    if problem:
        print(f"stride: {problem}", file=sys.stderr)
        return 1
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stopped)
    (ROOT / "var").mkdir(exist_ok=True)
    children: list[subprocess.Popen] = []
    status = 0
    try:
        run("compile_translations", "-v", "0")
        run("migrate", "--noinput", "-v", "0")
        run("import_problems")
        run("setup_demo")
        run("collectstatic", "--noinput", "-v", "0")
        status = serve(bind, children)
    except subprocess.CalledProcessError as exc:
        print(f"stride: demo set-up failed at: {' '.join(exc.cmd[2:])}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        status = 0
    except Stopped as stopped:
        status = 128 + stopped.signum
        print(f"stride: {signal.Signals(stopped.signum).name} received", file=sys.stderr)
    finally:
        # Stopping is bounded (SIGKILL after the grace period): a second signal must not cut it
        # short and leave the children running.
        for signum in (signal.SIGINT, *STOP_SIGNALS):
            signal.signal(signum, signal.SIG_IGN)
        stop(children)
    print("Stride demo stopped.")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
