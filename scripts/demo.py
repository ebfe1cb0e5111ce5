"""`make demo`: migrate, load the lecture's problems and the demo accounts, then serve
http://127.0.0.1:8000 with one grading worker (and the sweeper). Ctrl-C stops both.

Needs nothing but Python: SQLite and an embedded broker unless DATABASE_URL / REDIS_URL are set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    os.environ.setdefault("STRIDE_DEMO", "1")
    os.environ.setdefault("STRIDE_HTTPS", "0")
    os.environ.setdefault("STRIDE_PLAIN_STATIC", "1")
    (ROOT / "var").mkdir(exist_ok=True)
    try:
        run("compile_translations", "-v", "0")
        run("migrate", "--noinput", "-v", "0")
        run("import_problems")
        run("setup_demo")
        run("collectstatic", "--noinput", "-v", "0")
    except subprocess.CalledProcessError as exc:
        print(f"stride: demo set-up failed at: {' '.join(exc.cmd[2:])}", file=sys.stderr)
        return 1
    host = os.environ.get("STRIDE_DEMO_BIND", "127.0.0.1:8000")
    worker = subprocess.Popen(
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
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            host,
            "--workers",
            "2",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    print(f"\nStride demo on http://{host}  (Ctrl-C stops the server and the worker)\n", flush=True)
    children = [web, worker]
    try:
        while all(p.poll() is None for p in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in children:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in children:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    print("Stride demo stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
