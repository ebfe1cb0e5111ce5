"""The worker's handle on its zygote: start it (by ``exec``, never by forking the worker),
run one submission at a time, restart it if it died.

One zygote per worker process, started lazily. A lock serialises runs, which is what a Celery
prefork child needs (it runs one task at a time); threads of one process queue behind it. After
``fork()`` the child process notices the pid change and starts its own zygote.

**The zygote never holds a student's bytes.** Every child is forked from it, so whatever its
heap ever held (freed or not) is readable by every later run. Per run, this side creates four
pipes (request, stdout, stderr, results) and passes the child's ends to the zygote over a unix
``SOCK_SEQPACKET`` socket (``SCM_RIGHTS``) with a message that holds only the limits. The zygote
forks, closes its copies and reaps; the child reads its source and inputs from the request pipe
and writes its output and result frames straight to the worker, which enforces the output and
result caps and the deadline here and asks the zygote (``kill``) to end a run. The zygote's reply
is how the run ended: exit status and CPU time, setup failure, the cgroup's OOM counter. A run
whose child reported ``done`` and closed its pipes is over without it (``_Run.wait``).

**One case at a time.** The request pipe brings the source and entry first; case *i* is written
only once the child has reported the step before it (``loaded``, or case *i - 1*'s result), and
the pipe is closed after the last case. Nothing of a case is in the child while it imports the
module, nor while it works on an earlier case.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from grader.limits import Limits
from grader.sandbox import protocol
from grader.sandbox.outcome import SandboxUnavailable
from grader.sandbox.tiers import ZYGOTE, minimal_env

START_TIMEOUT = 30.0
#: How long the zygote may take to report a run once it was told to kill it.
KILL_GRACE = 15.0


class ZygoteDied(Exception):
    """The zygote exited or stopped answering."""


class ZygoteClient:
    def __init__(self, tier: str) -> None:
        self.tier = tier
        self.owner = os.getpid()
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.hello: dict[str, Any] = {}
        self.started = 0
        self.owed = False  # a report the zygote still owes for a run already returned

    def start(self) -> None:
        config = json.dumps({"tier": self.tier, "cgroup": True, "tmp_mb": Limits().tmp_mb})
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE, config],
                stdin=theirs,
                stdout=subprocess.DEVNULL,
                env=minimal_env(),
                close_fds=True,
                start_new_session=True,
            )
        except OSError as exc:
            mine.close()
            raise SandboxUnavailable(f"cannot start the sandbox zygote: {exc}") from exc
        finally:
            theirs.close()
        self.sock = mine
        try:
            self.hello = json.loads(self._recv(time.monotonic() + START_TIMEOUT))
        except (ZygoteDied, ValueError) as exc:
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

    def run(
        self, request: bytes, cases: list[bytes], limits: dict[str, Any]
    ) -> tuple[dict[str, Any], list[bytes]]:
        """Run one submission: ``request`` (source and entry) then ``cases`` (one message each)
        go to the child; returns the report ``interpret`` reads and [stdout, stderr, results].
        ``report["cases_sent"]`` says how many cases the child was given."""
        if not self.alive() or self.sock is None:
            raise ZygoteDied("not running")
        self._collect()
        pipes = [_pipe() for _ in range(4)]
        (req_r, req_w), (out_r, out_w), (err_r, err_w), (res_r, res_w) = pipes
        try:
            message = json.dumps({"op": "run", "limits": limits}).encode()
            socket.send_fds(self.sock, [message], [req_r, out_w, err_w, res_w])
        except OSError as exc:
            for r, w in pipes:
                os.close(r)
                os.close(w)
            raise ZygoteDied(f"request not delivered: {exc}") from exc
        for fd in (req_r, out_w, err_w, res_w):
            os.close(fd)
        return _Run(self, req_w, out_r, err_r, res_r, request, cases, limits).wait()

    def spare_pid(self) -> int | None:
        """The pid of the process the zygote forked ahead for the next run (root, full tier),
        None if there is none: a descendant of the zygote that is not a run's leftover."""
        if not self.alive() or self.sock is None:
            raise ZygoteDied("not running")
        self._collect()
        self.sock.send(b'{"op":"spare"}')
        try:
            pid = json.loads(self._recv(time.monotonic() + START_TIMEOUT)).get("spare")
        except (ValueError, AttributeError) as exc:
            raise ZygoteDied(f"garbled reply: {exc}") from exc
        return pid if isinstance(pid, int) else None

    def _collect(self) -> None:
        """Read the zygote's report of the last run if it returned before it (``_Run.wait``):
        the zygote answers in order, and says how a run ended once it has reaped it."""
        if self.owed:
            self.owed = False
            self._recv(time.monotonic() + KILL_GRACE)

    def kill_run(self) -> None:
        """Ask the zygote to kill the current run (ignored if it has already ended)."""
        with contextlib.suppress(OSError):
            assert self.sock is not None
            self.sock.send(b'{"op":"kill"}')

    def _recv(self, deadline: float) -> bytes:
        assert self.sock is not None
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.sock], [], [], left)[0]:
            raise ZygoteDied("no reply before the deadline")
        try:
            data = self.sock.recv(1 << 16)
        except OSError as exc:
            raise ZygoteDied(f"the control socket failed: {exc}") from exc
        if not data:
            raise ZygoteDied("the zygote exited")
        return data

    def stop(self) -> None:
        """Kill the zygote's session (it and any child still running) and clean its cgroups."""
        proc, self.proc = self.proc, None
        sock, self.sock = self.sock, None
        if proc is None or os.getpid() != self.owner:
            return
        if sock is not None:
            sock.close()  # the zygote sees EOF: it removes its cgroups and exits
        if proc.poll() is None:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
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


def _pipe() -> tuple[int, int]:
    return os.pipe2(os.O_CLOEXEC)


class _Run:
    """The worker's side of one run: feed the request pipe one step at a time, collect
    stdout, stderr and the result frames under their caps and the wall-clock deadline."""

    def __init__(
        self,
        client: ZygoteClient,
        req_w: int,
        out_r: int,
        err_r: int,
        res_r: int,
        request: bytes,
        cases: list[bytes],
        limits: dict[str, Any],
    ) -> None:
        self.client, self.limits, self.cases = client, limits, cases
        self.req_w: int | None = req_w
        self.out_r, self.err_r, self.res_r = out_r, err_r, res_r
        self.bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
        self.open = set(self.bufs)
        self.pending = memoryview(request)
        self.sent = 0  # cases written so far
        self.reports = 0  # complete messages the child has sent
        self.parsed = 0  # where the first message not yet complete starts in the result stream
        self.done = False  # the last complete report is ``done``
        self.flags = {"timed_out": False, "output_capped": False, "result_capped": False}
        self.killed = False
        self.start = time.monotonic()
        self.deadline = self.start + limits["wall_seconds"]
        self.poller = select.poll()
        for fd in self.bufs:
            self.poller.register(fd, select.POLLIN)
        fcntl.fcntl(req_w, fcntl.F_SETFL, fcntl.fcntl(req_w, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.poller.register(req_w, select.POLLOUT)

    def wait(self) -> tuple[dict[str, Any], list[bytes]]:
        sock = self.client.sock
        assert sock is not None
        self.poller.register(sock, select.POLLIN)
        report: dict[str, Any] | None = None
        try:
            # Until every pipe is at EOF and either the zygote has said how the run ended or
            # the child has reported done: the harness closes its pipes right after, so the
            # results and output are whole, and the exit (its tear-down, the zygote's reaping)
            # need not be waited for. Such a run is then killed, in case it lingers; the
            # zygote's report is collected before the next request (``_collect``).
            while self.open or (report is None and not self.done):
                now = time.monotonic()
                if now >= self.deadline:
                    if report is not None:
                        break  # the run is over; something it left holds a pipe open
                    if self.killed:
                        raise ZygoteDied("no report from the zygote after a kill")
                    self.flags["timed_out"] = not any(self.flags.values())
                    self._kill()
                    continue
                for fd, event in self.poller.poll(max(1, int((self.deadline - now) * 1000))):
                    if fd == sock.fileno():
                        report = self._report()
                        self.poller.unregister(fd)
                    elif fd == self.req_w:
                        self._write(event)
                    elif fd in self.open:  # not the request pipe closed earlier in this batch
                        self._read(fd)
        finally:
            self._close_request()
            for fd in self.bufs:
                os.close(fd)
        if report is None:
            self.client.kill_run()
            self.client.owed = True
            report = {"setup_ok": True, "exit": None, "oom": False, "killed": False}
        report.update(self.flags)
        report["wall"] = time.monotonic() - self.start
        report["cases_sent"] = self.sent
        cap = self.limits["output_bytes"]
        streams = [
            bytes(self.bufs[self.out_r][:cap]),
            bytes(self.bufs[self.err_r][:cap]),
            bytes(self.bufs[self.res_r]),
        ]
        return report, streams

    def _report(self) -> dict[str, Any]:
        try:
            report = json.loads(self.client._recv(time.monotonic() + 1.0))
        except ValueError as exc:
            raise ZygoteDied(f"garbled reply: {exc}") from exc
        if not isinstance(report, dict):
            raise ZygoteDied("garbled reply")
        if self.open:  # the child is gone: give its pipes a moment to drain, not the whole wall
            self.deadline = time.monotonic() + 1.0
        return report

    def _kill(self) -> None:
        self.killed = True
        self.client.kill_run()
        self._close_request()
        self.deadline = time.monotonic() + KILL_GRACE

    def _write(self, event: int) -> None:
        if event & (select.POLLERR | select.POLLHUP):  # the child closed its end
            self._close_request()
            return
        try:
            n = os.write(self.req_w, self.pending)  # type: ignore[arg-type]
        except BlockingIOError:
            return
        except OSError:
            self._close_request()
            return
        self.pending = self.pending[n:]
        if not self.pending:
            if self.sent == len(self.cases) and self.reports:
                # The last case is written: close now, so the child reads EOF as soon as it
                # has reported it instead of waiting for one more round trip through here.
                self._close_request()
                return
            self.poller.modify(self.req_w, 0)  # type: ignore[arg-type]
            self._step()  # reports that arrived while this was being written

    def _read(self, fd: int) -> None:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            self.poller.unregister(fd)
            self.open.discard(fd)
            return
        self.bufs[fd] += chunk
        if fd == self.res_r:
            self._step()
        if self.killed:
            return
        if fd != self.res_r:
            if (
                len(self.bufs[self.out_r]) + len(self.bufs[self.err_r])
                > self.limits["output_bytes"]
            ):
                self.flags["output_capped"] = True
                self._kill()
        elif len(self.bufs[self.res_r]) > self.limits["result_bytes"]:
            self.flags["result_capped"] = True
            self._kill()

    def _step(self) -> None:
        """Count the child's complete reports; after each, send the next case (or close the
        request pipe after the last one, or when the run cannot go on). Once the request pipe
        is closed, only notes whether the last report so far is ``done``."""
        stream = self.bufs[self.res_r]
        while self.req_w is None or not self.pending:
            try:
                found = protocol.message_end(stream, self.parsed)
            except protocol.ProtocolError:
                self._close_request()  # interpret() rejects the stream; nothing more to send
                self.done = False
                return
            if found is None:
                return
            header, self.parsed = found
            self.reports += 1
            self.done = header.get("event") == "done"
            if self.req_w is None:
                continue
            if self.reports == 1 and header.get("event") != "loaded":
                self._close_request()
            elif self.reports == self.sent + 1 and self.sent < len(self.cases):
                self.pending = memoryview(self.cases[self.sent])
                self.sent += 1
                self.poller.modify(self.req_w, select.POLLOUT)
            elif self.reports > self.sent:
                self._close_request()

    def _close_request(self) -> None:
        if self.req_w is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.poller.unregister(self.req_w)
            os.close(self.req_w)
            self.req_w = None
            self.pending = memoryview(b"")


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
