"""Start real Celery worker processes for tests: the same command production runs.

The worker sees the test database (PostgreSQL's ``test_*`` database, or SQLite's test file)
and the test broker (Redis, or the embedded filesystem broker in the per-checkout scratch folder).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")


def database_url_for_workers() -> str:
    """A URL for the database this test session created."""
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


class WorkerProcess:
    """A running ``celery worker``; its log is collected for assertions and failures."""

    def __init__(self, name: str, env: dict[str, str], concurrency: int = 1, beat: bool = False):
        self.name = name
        args = [
            CELERY,
            "-A",
            "config",
            "worker",
            "-Q",
            "grading,regrade",
            "-n",
            f"{name}@%h",
            "--concurrency",
            str(concurrency),
            "--prefetch-multiplier",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if beat:
            args += ["-B", "-s", str(Path(env["STRIDE_VAR_DIR"]) / f"beat-{name}")]
        self.log: list[str] = []
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line.rstrip())
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 60) -> None:
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"worker {self.name} did not start:\n" + "\n".join(self.log[-40:]))

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker dies mid-task, acknowledging nothing."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    env["DATABASE_URL"] = database_url_for_workers()
    env.update(overrides)
    return env


@contextmanager
def running_worker(
    name: str = "test", *, beat: bool = False, **overrides: str
) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(name, worker_env(**overrides), beat=beat)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def wait_for(predicate, timeout: float = 30, interval: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s: {message}")
