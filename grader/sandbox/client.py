"""The worker's handle on its zygote: start it (by ``exec``, never by forking the worker),
send one request at a time, read the reply under a deadline, restart it if it died.

One zygote per worker process, started lazily. A lock serialises requests, which is what a
Celery prefork child needs (it runs one task at a time); threads of one process queue behind
it. After ``fork()`` the child process notices the pid change and starts its own zygote.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from grader.sandbox import protocol
from grader.sandbox.outcome import SandboxUnavailable
from grader.sandbox.tiers import ZYGOTE, minimal_env

START_TIMEOUT = 30.0


class ZygoteDied(Exception):
    """The zygote exited or stopped answering."""


class ZygoteClient:
    def __init__(self, tier: str) -> None:
        self.tier = tier
        self.owner = os.getpid()
        self.proc: subprocess.Popen[bytes] | None = None
        self.hello: dict[str, Any] = {}
        self.started = 0

    def start(self) -> None:
        config = json.dumps({"tier": self.tier, "cgroup": True})
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE, config],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=minimal_env(),
                close_fds=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start the sandbox zygote: {exc}") from exc
        try:
            self.hello, _ = self._read(time.monotonic() + START_TIMEOUT)
        except (ZygoteDied, protocol.ProtocolError) as exc:
            self.stop()
            raise SandboxUnavailable(f"the sandbox zygote did not start: {exc}") from exc
        if not self.hello.get("ready"):
            self.stop()
            raise SandboxUnavailable(f"the sandbox zygote refused to start: {self.hello}")
        self.started += 1

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(
        self, header: dict[str, Any], blobs: list[bytes], timeout: float
    ) -> tuple[dict[str, Any], list[bytes]]:
        if not self.alive():
            raise ZygoteDied("not running")
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(protocol.encode_message(header, blobs))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise ZygoteDied(f"request not delivered: {exc}") from exc
        try:
            return self._read(time.monotonic() + timeout)
        except protocol.ProtocolError as exc:
            raise ZygoteDied(f"garbled reply: {exc}") from exc

    def _read(self, deadline: float) -> tuple[dict[str, Any], list[bytes]]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()

        def read_exact(n: int) -> bytes:
            parts = []
            while n:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    raise ZygoteDied("no reply before the deadline")
                chunk = os.read(fd, min(n, 1 << 20))
                if not chunk:
                    raise ZygoteDied("the zygote exited")
                parts.append(chunk)
                n -= len(chunk)
            return b"".join(parts)

        return protocol.read_message(read_exact, max_blob=1 << 31)

    def stop(self) -> None:
        """Kill the zygote's session (it and any child still running) and clean its cgroups."""
        proc, self.proc = self.proc, None
        if proc is None or os.getpid() != self.owner:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # type: ignore[union-attr]
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError, AttributeError):
                stream.close()  # type: ignore[union-attr]
        for path in self.hello.get("cgroup", []):
            with contextlib.suppress(OSError):
                os.rmdir(path)
        self.hello = {}

    def kill(self) -> None:
        """Hard stop (deadline missed): SIGKILL the whole session, then clean up."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.stop()


_lock = threading.RLock()
_client: ZygoteClient | None = None


def current() -> ZygoteClient | None:
    return _client if _client is not None and _client.owner == os.getpid() else None


def ensure(tier: str) -> ZygoteClient:
    """The running zygote of this process for ``tier``, started or restarted as needed."""
    global _client
    client = current()
    if client is not None and (client.tier != tier or not client.alive()):
        client.stop()
        client = None
    if client is None:
        client = ZygoteClient(tier)
        client.start()
        _client = client
    return client


def shutdown() -> None:
    global _client
    with _lock:
        client = current()
        if client is not None:
            client.stop()
        _client = None


atexit.register(shutdown)


def cleanup_stale_cgroups() -> None:
    """Remove empty ``stride-sandbox-*`` cgroups left by zygotes that were killed."""
    for ctl in ("memory", "pids"):
        base = os.path.join(
            "/sys/fs/cgroup", ctl, os.environ.get("STRIDE_SANDBOX_CGROUP_PARENT", "")
        )
        with contextlib.suppress(OSError):
            for name in os.listdir(base):
                if name.startswith("stride-sandbox-"):
                    with contextlib.suppress(OSError):
                        os.rmdir(os.path.join(base, name))


__all__ = ["ZygoteClient", "ZygoteDied", "cleanup_stale_cgroups", "current", "ensure", "shutdown"]
