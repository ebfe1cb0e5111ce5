"""The fork server ("zygote"): a clean interpreter that has imported NumPy once and forks one
sandboxed child per submission (a few ms of the worker's time instead of >= 76 ms for a fresh
Python, ``bench/bench_sandbox.py``).

Run by path as ``python -I zygote.py '<json config>'`` from ``grader.sandbox.client`` with a
minimal environment (no secrets, BLAS threads pinned to 1 *before* NumPy is imported) and
``close_fds``: it never shares memory with the Celery worker. It loads its sibling modules by
file path under private names, so the project is not importable from inside the sandbox.

Channel: a unix ``SOCK_SEQPACKET`` socket from the worker on fd 0 (moved to an fd >= 10 at
start; 0/1 then point to /dev/null), one JSON message per packet. A ``run`` message carries only
the limits, plus, by ``SCM_RIGHTS``, the child's ends of four pipes the worker made for this run
(request, stdout, stderr, results). The zygote forks (as root: forked before the run came, the
"spare", ``_fork_spare``), hands them to the child, closes its copies and waits, obeying ``kill``
from the worker; it replies with how the run ended, then cleans up and forks the next spare
(``settle``). It never reads or
writes a student's bytes: every child is forked from this process, so whatever its heap ever
held would be readable by every later run (``grader.sandbox.client`` has the worker's side).
stderr is the worker's, for infrastructure diagnostics only. At EOF on the socket the zygote
removes its cgroups and exits. ``--probe`` prints which isolation features work here, as JSON,
and exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib.util
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "_stride_sandbox_"
CGROUP_ROOT = "/sys/fs/cgroup"
MB = 1 << 20


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(PREFIX + name, os.path.join(HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- probe


def probe() -> dict[str, Any]:
    """Which layers work here (run in a throwaway process; forks once per namespace test)."""
    isolation = _load("isolation")
    result: dict[str, Any] = {"root": os.geteuid() == 0}
    flags = (
        isolation.CLONE_NEWNS
        | isolation.CLONE_NEWPID
        | isolation.CLONE_NEWNET
        | isolation.CLONE_NEWIPC
        | isolation.CLONE_NEWUTS
    )
    result["namespaces"] = (
        _try_in_child(lambda: isolation.unshare(flags)) if result["root"] else False
    )
    result["userns"] = _try_in_child(lambda: isolation.unshare(flags | isolation.CLONE_NEWUSER))
    try:
        seccomp_filter = _load("seccomp_filter")
        result["seccomp"] = len(seccomp_filter.compile_bpf()) > 0
    except Exception as exc:
        result["seccomp"] = False
        result["seccomp_error"] = repr(exc)
    try:
        result["landlock_abi"] = _load("landlock").abi_version()
    except Exception:
        result["landlock_abi"] = 0
    return result


def _try_in_child(action: Any) -> bool:
    pid = os.fork()
    if pid == 0:
        try:
            action()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


# --------------------------------------------------------------------------- cgroups


class Cgroup:
    """A cgroup v1 memory + pids pair that the zygote joins once, so children start inside it
    without paying the 13-15 ms a move into a cgroup costs each. ``None`` paths when unavailable."""

    def __init__(self, name: str) -> None:
        self.paths: dict[str, str] = {}
        self.last: dict[str, int] = {}
        for ctl in ("memory", "pids"):
            base = os.environ.get("STRIDE_SANDBOX_CGROUP_PARENT", "")
            parent = os.path.join(CGROUP_ROOT, ctl, base)
            path = os.path.join(parent, name)
            try:
                os.makedirs(path, exist_ok=True)
                with open(os.path.join(path, "cgroup.procs"), "w") as fh:
                    fh.write(str(os.getpid()))
            except OSError:
                continue
            self.paths[ctl] = path
        self.baseline = self._read_int("memory", "memory.usage_in_bytes") or 0
        self.shmem_baseline = self.shmem()

    def _read_int(self, ctl: str, name: str) -> int | None:
        if ctl not in self.paths:
            return None
        try:
            with open(os.path.join(self.paths[ctl], name)) as fh:
                return int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _write(self, ctl: str, name: str, value: int) -> None:
        key = f"{ctl}/{name}"
        if ctl not in self.paths or self.last.get(key) == value:
            return
        try:
            with open(os.path.join(self.paths[ctl], name), "w") as fh:
                fh.write(str(value))
        except OSError:  # the kernel refused it (reported at close): not in effect
            return
        self.last[key] = value

    def configure(self, memory_mb: int, processes: int) -> None:
        """Set this run's limits. The kernel keeps memory.limit_in_bytes <= memsw's limit and
        refuses a write that would break it, so a raise writes memsw first and a cut last:
        else a problem with more memory, after one with less, got the smaller limit."""
        limit = self.baseline + memory_mb * MB
        names = ["memory.limit_in_bytes"]
        if os.path.exists(
            os.path.join(self.paths.get("memory", "/nonexistent"), "memory.memsw.limit_in_bytes")
        ):
            raising = limit > self.last.get("memory/memory.limit_in_bytes", 0)
            names.insert(0 if raising else 1, "memory.memsw.limit_in_bytes")
        for name in names:
            self._write("memory", name, limit)
        self._write("pids", "pids.max", processes + 3)

    def oom_kills(self) -> int:
        if "memory" not in self.paths:
            return 0
        try:
            with open(os.path.join(self.paths["memory"], "memory.oom_control")) as fh:
                for line in fh:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def tasks(self) -> int | None:
        """How many tasks the cgroup holds now (the pids controller's counter), or None."""
        return self._read_int("pids", "pids.current")

    def wait_empty(self, timeout: float, tasks_before: int | None) -> None:
        """Wait until only the zygote is left (zombies still hold pids until reaped).

        With the pids controller: until its counter is back at ``tasks_before`` (read before
        the fork), one small read. Reading ``cgroup.procs`` instead makes the kernel build a
        pid list for every read (and free it later from a kworker), so that file is only the
        fallback when there is no pids controller.
        """
        end = time.monotonic() + timeout
        if tasks_before is not None:
            while time.monotonic() < end:
                now = self.tasks()
                if now is None or now <= tasks_before:
                    return
                time.sleep(0.001)
            return
        path = self.paths.get("memory")
        if path is None:
            return
        me = str(os.getpid())
        while time.monotonic() < end:
            try:
                with open(os.path.join(path, "cgroup.procs")) as fh:
                    procs = fh.read().split()
            except OSError:
                return
            if procs in ([me], []):
                return
            time.sleep(0.002)

    def shmem(self) -> int | None:
        """Bytes of shared memory charged to the cgroup now: SysV segments and tmpfs files."""
        if "memory" not in self.paths:
            return None
        try:
            fd = os.open(os.path.join(self.paths["memory"], "memory.stat"), os.O_RDONLY)
            try:
                data = os.read(fd, 1 << 16)
            finally:
                os.close(fd)
        except OSError:
            return None
        for line in data.splitlines():
            if line.startswith(b"shmem "):
                return int(line.split()[1])
        return None

    def wait_released(self, timeout: float) -> None:
        """Wait until the shared memory of the run that just ended is uncharged.

        A run's SysV segments (its IPC namespace) and its private /tmp (a tmpfs) are freed by
        the kernel asynchronously after its last process exits, tens of milliseconds later for
        a few hundred MB; until then they count against the cgroup's limit, and the next run
        would start with less memory than promised (an honest 100 MB run after one that left
        480 MB failed with memory_limit). One read of ``memory.stat`` when nothing is left."""
        if self.shmem_baseline is None:
            return
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            now = self.shmem()
            if now is None or now <= self.shmem_baseline + MB:
                return
            time.sleep(0.002)

    def remove(self) -> None:
        for path in self.paths.values():
            with contextlib.suppress(OSError):
                with open(os.path.join(os.path.dirname(path), "cgroup.procs"), "w") as fh:
                    fh.write(str(os.getpid()))
                os.rmdir(path)


# --------------------------------------------------------------------------- the server


def _record(fd: int, tag: bytes, payload: bytes) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, tag + struct.pack("<I", len(payload)) + payload)


def _parse_records(data: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    pos = 0
    while pos + 5 <= len(data):
        tag = data[pos : pos + 1]
        (size,) = struct.unpack_from("<I", data, pos + 1)
        out[tag] = data[pos + 5 : pos + 5 + size]
        pos += 5 + size
    return out


def _high_fd(fd: int) -> int:
    """``fd`` moved to a close-on-exec descriptor >= 10 (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _c2_pid(status: bytes) -> int | None:
    """The inner child's pid from C1's ``P`` record, once it has arrived whole."""
    raw = _parse_records(status).get(b"P")
    return int(raw) if raw and raw.isdigit() else None


def _high_pipe() -> tuple[int, int]:
    r, w = os.pipe()
    hr = fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 10)
    hw = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(r)
    os.close(w)
    return hr, hw


class _Spare:
    """The zygote's side of a process forked before its run (``Zygote._fork_spare``)."""

    def __init__(
        self, pid: int, sock: socket.socket, st_r: int, tasks_before: int | None, tmp_mb: int
    ) -> None:
        self.pid, self.sock, self.st_r, self.tasks_before = pid, sock, st_r, tasks_before
        self.tmp_mb = tmp_mb  # the size of its /tmp, mounted before its run
        self.st = b""  # status records read so far (``R``, or ``E`` and its exit)
        self.mnt_fd = -1

    def wait_ready(self, deadline: float) -> None:
        """Until it says ``R`` (or fails): then hold its mount namespace open, so that the
        kernel tears the namespace down when ``settle`` closes it, after the reply, and not in
        the run's exit, which the worker waits for (~1.6 ms: the unmount waits for RCU)."""
        while b"R" not in _parse_records(self.st):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.st_r], [], [], left)[0]:
                return
            chunk = os.read(self.st_r, 4096)
            if not chunk:
                return
            self.st += chunk
        with contextlib.suppress(OSError):
            fd = os.open(f"/proc/{self.pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
            if os.fstat(fd).st_ino == os.stat("/proc/self/ns/mnt").st_ino:
                os.close(fd)  # not its own yet: nothing to hold
            else:
                self.mnt_fd = fd

    def alive(self) -> bool:
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def start(self, limits: dict[str, Any], fds: list[int]) -> None:
        """Hand it the run: the limits and the worker's four descriptors (which the caller
        then closes). If it has died meanwhile, ``_watch`` reaps it and reports why."""
        with contextlib.suppress(OSError):
            socket.send_fds(self.sock, [json.dumps({"limits": limits}).encode()], fds)
        self.sock.close()

    def close(self) -> None:
        """Its descriptors, when it is dropped without a run."""
        self.sock.close()
        os.close(self.st_r)
        if self.mnt_fd >= 0:
            os.close(self.mnt_fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, os.WNOHANG)


def _receive_run(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """In a spare: block until the zygote sends the run, (limits, [request read end, stdout,
    stderr and result write ends]) moved to descriptors >= 10."""
    try:
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 8)
    finally:
        sock.close()
    fds = [_high_fd(f) for f in fds]
    if len(fds) != 4:
        raise ValueError(f"a run needs 4 descriptors, got {len(fds)}")
    return json.loads(data)["limits"], fds


class Zygote:
    def __init__(self, config: dict[str, Any]) -> None:
        self.tier = config["tier"]
        self.proto = _load("protocol")
        self.harness = _load("harness")
        self.isolation = _load("isolation") if self.tier != "unsafe" else None
        self.seccomp = _load("seccomp_filter") if self.tier != "unsafe" else None
        self.landlock = _load("landlock") if self.tier == "reduced" else None
        self.root = os.geteuid() == 0
        self.mode = "root" if self.root else "userns"
        self.pid = os.getpid()
        import numpy

        numpy_dir = os.path.dirname(numpy.__file__)
        numpy_dirs = [numpy_dir, numpy_dir + ".libs"]
        self.read_dirs = [d for d in numpy_dirs if os.path.isdir(d)]
        if self.isolation is not None:
            self.isolation.set_dumpable(False)
            self.plan = self.isolation.plan_mounts(numpy_dirs)
            self.read_dirs = self.plan["ro_dirs"]
        # As root, the child's read-only tree is built once here and copied by each child's
        # unshare(CLONE_NEWNS); the user-namespace mode still builds it per child.
        self.template = (
            self.tier == "full" and self.root and self.isolation.template_possible(self.plan)
        )
        if self.template:
            self.isolation.prepare_template(self.plan)
        # As root, each run is one process: pid 1 of its own PID namespace, forked directly
        # (no intermediate C1). The user-namespace mode keeps C1 -> C2.
        self.pidns_fd = -1
        if self.tier == "full" and self.root:
            self.pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        self.bpf = self.seccomp.compile_bpf() if self.tier == "full" else b""
        self.landlock_abi = self.landlock.abi_version() if self.landlock else 0
        self.cgroup = Cgroup(f"stride-sandbox-{self.pid}") if config.get("cgroup", True) else None
        self.vm_base = _vm_size()
        self.nobody_reaches_python = all(_others_can_reach(d) for d in self.read_dirs)
        self.uid = self.isolation.sandbox_uid(self.pid) if self.isolation and self.root else -1
        # Root, full tier, template root: the next run's process is forked ahead of its run.
        self.prefork = self.template and self.pidns_fd >= 0
        self.spare: _Spare | None = None
        #: The /tmp size the next spare mounts: the last run's (at first the default limits').
        self.tmp_mb = int(config.get("tmp_mb", 64))
        #: What ``settle`` cleans after the reply: (tasks before the run, its flat-tier
        #: directory, its mount namespace).
        self.after: tuple[int | None, str | None, int] = (None, None, -1)
        self.control: Any = None
        _forget_project_paths()

    def hello(self) -> dict[str, Any]:
        return {
            "ready": True,
            "pid": self.pid,
            "tier": self.tier,
            "mode": self.mode,
            "cgroup": sorted(self.cgroup.paths.values()) if self.cgroup else [],
            "landlock_abi": self.landlock_abi,
            "uid": self.uid,
        }

    # ----------------------------------------------------------------- one run

    def handle(self, header: dict[str, Any], fds: list[int], control: Any) -> dict[str, Any]:
        """Start one run on the worker's pipes, reap it, and say how it ended.

        ``fds`` are the worker's request read end and its stdout, stderr and result write
        ends: handed to the child, closed here at once, never read or written by the zygote.
        ``control`` is the worker's socket, watched for ``kill`` while the run lasts. What is
        left to clean up is done by ``settle`` once the reply has been sent.
        """
        fds = [_high_fd(fd) for fd in fds]
        st_r = -1
        st = b""
        try:
            if len(fds) != 4:
                raise ValueError(f"a run needs 4 descriptors, got {len(fds)}")
            limits = dict(header["limits"])
            limits["as_bytes"] = self.vm_base + (limits["memory_mb"] + 128) * MB
            if self.cgroup:
                self.cgroup.configure(limits["memory_mb"], limits["processes"])
            oom_before = self.cgroup.oom_kills() if self.cgroup else 0
            if self.prefork:
                spare = self._take_spare(limits["tmp_mb"])
                pid, st_r, st = spare.pid, spare.st_r, spare.st
                self.after = (spare.tasks_before, None, spare.mnt_fd)
                start = time.monotonic()
                spare.start(limits, fds)
            else:
                pid, st_r, start = self._fork_run(limits, fds, control)
        except BaseException:
            if st_r >= 0:
                os.close(st_r)
            raise
        finally:  # the zygote keeps none of the run's descriptors (the child has its own)
            for fd in fds:
                os.close(fd)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        report = self._watch(pid, limits, st_r, control, start, st)
        # Read once the run's process is reaped: the kernel counts an OOM kill when it sends
        # the signal, before the victim exits.
        report["oom"] = bool(self.cgroup) and self.cgroup.oom_kills() > oom_before
        return report

    def _fork_run(self, limits: dict[str, Any], fds: list[int], control: Any) -> tuple:
        """Fork the run's process now (every mode but the root full tier's spare); ``fds``
        gets the status pipe's write end, for the caller to close. (pid, status read end,
        start time)."""
        req_r, out_w, err_w, res_w = fds
        tasks_before = self.cgroup.tasks() if self.cgroup else None
        tmpdir = None
        if self.tier != "full":
            tmpdir = tempfile.mkdtemp(prefix="stride-sbx-")
            if self.root and self.nobody_reaches_python:
                os.chown(tmpdir, self.uid, self.uid)
        self.after = (tasks_before, tmpdir, -1)
        st_r, st_w = _high_pipe()
        fds.append(st_w)
        child_fds = (out_w, err_w, res_w, st_w, req_r)
        start = time.monotonic()
        try:
            if self.pidns_fd >= 0:
                pid = self.isolation.fork_into_new_pid_namespace(self.pidns_fd)
            else:
                pid = os.fork()
        except BaseException:
            os.close(st_r)
            raise
        if pid == 0:
            try:
                os.close(st_r)
                control.detach()
                if self.pidns_fd >= 0:
                    self._pid1(limits, child_fds)
                elif self.tier == "full":
                    self._c1(limits, child_fds)
                else:
                    self._flat_child(limits, child_fds, tmpdir=tmpdir)
            finally:
                os._exit(71)
        return pid, st_r, start

    def settle(self) -> None:
        """After the reply: what the last run left, off the worker's clock. Its mount namespace
        (held open here, so that its exit did not wait for the tear-down) is released; then,
        before anything is forked again, wait (bounded) until the run's processes are gone and
        its shared memory is uncharged, and fork the next run's spare."""
        tasks_before, tmpdir, mnt_fd = self.after
        self.after = (None, None, -1)
        if mnt_fd >= 0:
            os.close(mnt_fd)
        if self.cgroup:
            self.cgroup.wait_empty(1.0, tasks_before)
            self.cgroup.wait_released(3.0)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if self.prefork and self.spare is None:
            with contextlib.suppress(OSError):  # else forked at the next run, which reports why
                self.spare = self._fork_spare()

    # ----------------------------------------------------------------- the spare

    def _take_spare(self, tmp_mb: int) -> _Spare:
        """The spare forked after the last run, or a new one if it is gone (or was never
        forked: ``settle`` could not), or if its /tmp is not the size this run asks for
        (mounted before it dropped its privileges: the size the run before asked for)."""
        spare, self.spare = self.spare, None
        if spare is not None and spare.alive() and spare.tmp_mb == tmp_mb:
            return spare
        if spare is not None:
            self._kill(spare.pid, None)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(spare.pid, 0)
            spare.close()
        self.tmp_mb = tmp_mb
        return self._fork_spare()

    def _fork_spare(self) -> _Spare:
        """Fork the next run's process ahead of its run (root, full tier, template root): pid 1
        of a new PID namespace that enters its mount, network, IPC and UTS namespaces and the
        read-only tree with a private /tmp, drops its privileges, loads the seccomp filter,
        says ``R`` and blocks until the run's limits and descriptors arrive.

        It is forked where a run's process was forked before, from this zygote that holds no
        student's bytes, after the last run's processes are gone and its memory released; it
        learns nothing before its run but the run's limits, and waits already as confined as
        the run. Forking, the namespaces and the filter (~3.5 ms of the ~7 a trivial run took)
        so happen while the worker is busy elsewhere."""
        tasks_before = self.cgroup.tasks() if self.cgroup else None
        st_r, st_w = _high_pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        run_fd = _high_fd(theirs.detach())
        try:
            pid = self.isolation.fork_into_new_pid_namespace(self.pidns_fd)
        except BaseException:
            for fd in (st_r, st_w, run_fd):
                os.close(fd)
            ours.close()
            raise
        if pid == 0:
            try:
                os.close(st_r)
                ours.close()
                os.close(self.control.detach())
                self._spare_child(run_fd, st_w)
            finally:
                os._exit(71)
        os.close(st_w)
        os.close(run_fd)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        spare = _Spare(pid, ours, st_r, tasks_before, self.tmp_mb)
        spare.wait_ready(time.monotonic() + 10.0)
        return spare

    def _spare_child(self, run_fd: int, st_w: int) -> None:
        """Everything a run's process does that does not need its run, then wait for it. After
        the filter only ``recvmsg`` on the zygote's socketpair is left of what the run does not
        do itself (the socket object is made before: that queries the socket)."""
        iso = self.isolation
        try:
            os.setpgid(0, 0)
            iso.set_pdeathsig()
            if iso.parent_gone(st_w):
                os._exit(1)
            iso.raise_oom_score()
            iso.unshare(iso.CLONE_NEWNS | iso.CLONE_NEWNET | iso.CLONE_NEWIPC | iso.CLONE_NEWUTS)
            iso.enter_template(self.plan, self.tmp_mb)
            iso.set_hostname()
            iso.drop_privileges(False, self.uid)
            iso.set_pdeathsig()  # cleared by the change of uid
            if iso.parent_gone(st_w):
                os._exit(1)
            run_sock = socket.socket(fileno=run_fd)
            self.seccomp.load_bpf(self.bpf, iso.libc)
        except BaseException as exc:
            _record(st_w, b"E", f"sandbox setup failed: {exc!r}".encode())
            os._exit(70)
        _record(st_w, b"R", b"")
        try:
            limits, (req_r, out_w, err_w, res_w) = _receive_run(run_sock)
            st = iso.setup_fds(out_w, err_w, res_w, st_w, req_r)
            os.chdir("/tmp")  # noqa: S108 - the private tmpfs
            iso.apply_rlimits(limits, nproc=True)
        except BaseException as exc:
            _record(st_w, b"E", f"sandbox setup failed: {exc!r}".encode())
            os._exit(70)
        self._run_student(limits, st)

    def drop_spare(self) -> None:
        """Kill and reap the spare (the worker has gone)."""
        spare, self.spare = self.spare, None
        if spare is not None:
            self._kill(spare.pid, None)
            with contextlib.suppress(OSError):
                os.waitpid(spare.pid, 0)
            spare.close()

    def _watch(
        self, pid: int, limits: dict[str, Any], st_r: int, control: Any, start: float, st: bytes
    ) -> dict[str, Any]:
        """Until the child is reaped: read its setup records, kill it when the worker says so
        (deadline, output cap) or goes away. The worker owns the deadline; ``wall + 10 s`` here
        is only a backstop for a worker that stopped watching."""
        backstop = start + limits["wall_seconds"] + 10.0
        c2_pid: int | None = None
        killed = False
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = -1
        poller = select.poll()
        # The status records are read as they come only where C1 sends the inner pid (needed
        # to kill it); else after the exit, so that the child's "setup done" does not wake the
        # zygote (a context switch taken from the run on a busy machine).
        if self.tier == "full" and self.pidns_fd < 0:
            poller.register(st_r, select.POLLIN)
        poller.register(control.fileno(), select.POLLIN)
        if pidfd >= 0:
            poller.register(pidfd, select.POLLIN)
        try:
            while True:
                reaped, status_word, usage = os.wait4(pid, os.WNOHANG)
                if reaped:
                    break
                left = backstop - time.monotonic()
                if left <= 0:
                    self._kill(pid, c2_pid)
                    killed = True
                    _, status_word, usage = os.wait4(pid, 0)
                    break
                # Without a pidfd (kernel < 5.3) nothing wakes us when the child exits: poll.
                timeout = 1 if pidfd < 0 else max(1, int(left * 1000))
                for fd, _ in poller.poll(timeout):
                    if fd == st_r:
                        chunk = os.read(st_r, 4096)
                        if chunk:
                            st += chunk
                            c2_pid = c2_pid or _c2_pid(st)
                        else:
                            poller.unregister(st_r)
                    elif fd == control.fileno():
                        try:
                            data = control.recv(4096)
                        except ConnectionResetError:
                            data = b""
                        if not data or json.loads(data).get("op") == "kill":
                            self._kill(pid, c2_pid)
                            killed = True
                        if not data:
                            poller.unregister(fd)
        finally:
            if pidfd >= 0:
                os.close(pidfd)
        # Whatever the child left in its process group (flat tiers: no PID namespace) must
        # not outlive the run.
        self._kill(pid, c2_pid)
        os.set_blocking(st_r, False)  # records written before the exit are there already
        with contextlib.suppress(OSError):
            while True:
                chunk = os.read(st_r, 4096)
                if not chunk:
                    break
                st += chunk
        os.close(st_r)
        records = _parse_records(st)
        exit_info: dict[str, Any] = {
            "status": status_word,
            "cpu": usage.ru_utime + usage.ru_stime,
        }
        if b"W" in records and len(records[b"W"]) == 12:
            c2_status, cpu = struct.unpack("<id", records[b"W"])
            exit_info = {"status": c2_status, "cpu": cpu}
        return {
            "exit": exit_info,
            "killed": killed,
            "setup_ok": b"S" in records,
            "setup_error": records.get(b"E", b"").decode("utf-8", "replace") or None,
        }

    def _kill(self, pid: int, c2_pid: int | None) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        if c2_pid:
            with contextlib.suppress(OSError):
                os.kill(c2_pid, signal.SIGKILL)

    # ----------------------------------------------------------------- children

    def _c1(self, limits: dict[str, Any], fds: tuple[int, ...]) -> None:
        iso = self.isolation
        out_w, err_w, res_w, st_w, req_r = fds
        try:
            os.setpgid(0, 0)
            flags = (
                iso.CLONE_NEWNS
                | iso.CLONE_NEWPID
                | iso.CLONE_NEWNET
                | iso.CLONE_NEWIPC
                | iso.CLONE_NEWUTS
            )
            if self.mode == "userns":
                iso.set_dumpable(True)
                iso.raise_oom_score()
                iso.unshare(flags | iso.CLONE_NEWUSER)
                iso.map_user_namespace(os.getuid(), os.getgid())
            else:
                iso.raise_oom_score()
                iso.unshare(flags)
            iso.set_pdeathsig()
            if os.getppid() != self.pid:
                os._exit(1)
            child = os.fork()
        except BaseException as exc:
            _record(st_w, b"E", f"namespace setup failed: {exc!r}".encode())
            os._exit(70)
        if child == 0:
            self._c2(limits, fds)
        _record(st_w, b"P", str(child).encode())
        for fd in (out_w, err_w, res_w, req_r):
            os.close(fd)
        _, status, usage = os.wait4(child, 0)
        _record(st_w, b"W", struct.pack("<id", status, usage.ru_utime + usage.ru_stime))
        os._exit(0)

    def _pid1(self, limits: dict[str, Any], fds: tuple[int, ...]) -> None:
        """Root mode: already pid 1 of a new PID namespace (the zygote forked it there); add the
        other namespaces, then continue as C2 does. The zygote reaps it and reads its status
        and CPU time directly."""
        iso = self.isolation
        try:
            os.setpgid(0, 0)
            iso.set_pdeathsig()
            if iso.parent_gone(fds[3]):
                os._exit(1)
            iso.raise_oom_score()
            iso.unshare(iso.CLONE_NEWNS | iso.CLONE_NEWNET | iso.CLONE_NEWIPC | iso.CLONE_NEWUTS)
        except BaseException as exc:
            _record(fds[3], b"E", f"namespace setup failed: {exc!r}".encode())
            os._exit(70)
        self._c2(limits, fds)

    def _c2(self, limits: dict[str, Any], fds: tuple[int, ...]) -> None:
        iso = self.isolation
        try:
            if self.template:
                iso.enter_template(self.plan, limits["tmp_mb"])
            else:
                iso.build_root(self.plan, limits["tmp_mb"])
            iso.set_hostname()
            iso.drop_privileges(self.mode == "userns", self.uid)
            iso.set_pdeathsig()
            if iso.parent_gone(fds[3]):
                os._exit(1)
            st = iso.setup_fds(*fds)
            os.chdir("/tmp")  # noqa: S108 - the private tmpfs
            iso.apply_rlimits(limits, nproc=True)
            self.seccomp.load_bpf(self.bpf, iso.libc)
        except BaseException as exc:
            _record(
                fds[3] if "st" not in locals() else st,
                b"E",
                f"sandbox setup failed: {exc!r}".encode(),
            )
            os._exit(70)
        self._run_student(limits, st)

    def _flat_child(self, limits: dict[str, Any], fds: tuple[int, ...], tmpdir: str | None) -> None:
        """Reduced and unsafe tiers: one process, no namespaces."""
        try:
            os.setpgid(0, 0)
            if self.isolation is not None:
                self.isolation.raise_oom_score()
                if self.root:
                    # The zygote's uid when it can still reach the interpreter, else uid 0 with
                    # every capability dropped (Landlock and seccomp confine it either way).
                    self.isolation.drop_privileges(not self.nobody_reaches_python, self.uid)
                self.isolation.set_pdeathsig()
                if os.getppid() != self.pid:
                    os._exit(1)
            st = _setup_fds_flat(*fds)
            if tmpdir:
                os.chdir(tmpdir)
            if self.isolation is not None:
                self.isolation.apply_rlimits(limits, nproc=self.root)
            else:
                _unsafe_rlimits(limits)
            if self.tier == "reduced":
                if self.landlock_abi:
                    self.landlock.restrict(read_dirs=self.read_dirs, write_dirs=[tmpdir])
                bpf = self.seccomp.compile_bpf(only_self_pid=os.getpid())
                self.seccomp.load_bpf(bpf, self.isolation.libc)
        except BaseException as exc:
            _record(
                fds[3] if "st" not in locals() else st,
                b"E",
                f"sandbox setup failed: {exc!r}".encode(),
            )
            os._exit(70)
        self._run_student(limits, st)

    def _run_student(self, limits: dict[str, Any], st: int) -> None:
        _record(st, b"S", b"")
        os.close(st)
        harness, proto = self.harness, self.proto
        for name in self.private_modules:  # listed once in the zygote: iterating sys.modules
            sys.modules.pop(name, None)  # here would copy-on-write ~130 pages per run
        self.__dict__.clear()
        import io

        sys.stdin = None  # type: ignore[assignment]
        sys.stdout = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), "utf-8", "backslashreplace", line_buffering=True
        )
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), "utf-8", "backslashreplace", line_buffering=True
        )
        harness.run_submission(proto)

    # ----------------------------------------------------------------- main loop

    def serve(self, control: Any) -> None:
        """One run per ``run`` message until the worker closes the socket. A ``kill`` that
        arrives after its run ended is ignored; ``spare`` is answered with the pid of the
        process forked for the next run, if any."""
        self.private_modules = [n for n in sys.modules if n.startswith(PREFIX)]
        self.control = control
        self.settle()  # the first spare
        control.send(json.dumps(self.hello()).encode())
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(control, 1 << 16, 8)
            except ConnectionResetError:  # the worker closed with our last report unread
                data, fds = b"", []
            if not data:
                self.drop_spare()
                return
            try:
                header = json.loads(data)
            except ValueError:
                header = {}
            if isinstance(header, dict) and header.get("op") == "spare" and not fds:
                # Which process waits for the next run (it is no run's leftover).
                control.send(json.dumps({"spare": self.spare.pid if self.spare else None}).encode())
                continue
            if not isinstance(header, dict) or header.get("op") != "run":
                for fd in fds:  # a late ``kill`` (its run already ended), or noise
                    os.close(fd)
                continue
            try:
                reply = self.handle(header, fds, control)
            except Exception as exc:  # an infrastructure fault: say so, keep serving
                reply = {"error": repr(exc)}
            try:
                control.send(json.dumps(reply).encode())
            except OSError:  # the worker has gone (it need not wait for a run's report)
                self.drop_spare()
                return
            self.settle()


def _setup_fds_flat(out_w: int, err_w: int, res_w: int, st_w: int, req_r: int) -> int:
    null = os.open(os.devnull, os.O_RDONLY)
    for src, dst in ((null, 0), (out_w, 1), (err_w, 2), (res_w, 3), (st_w, 4), (req_r, 5)):
        os.dup2(src, dst)
    os.closerange(6, 1 << 16)
    return 4


def _unsafe_rlimits(limits: dict[str, Any]) -> None:
    import math
    import resource

    cpu = max(1, math.ceil(limits["cpu_seconds"]))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] * MB,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (1, 1))


def _others_can_reach(path: str) -> bool:
    """Whether a uid with no special rights can open ``path`` (every ancestor o+x, itself o+r)."""
    import stat

    parts = os.path.abspath(path).split("/")
    for i in range(2, len(parts) + 1):
        mode = os.stat("/".join(parts[:i]) or "/").st_mode
        if not mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def _warm_numpy(proto: Any) -> None:
    """Run the lazy first-use paths of NumPy once here so every child inherits them warm
    (submodule imports, ufunc loops, einsum/pad/save/load), instead of paying them per run."""
    import numpy as np

    x = np.arange(2 * 3 * 4 * 4, dtype=float).reshape(2, 3, 4, 4)
    w = np.ones((2, 3, 3, 3))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    np.einsum("nchw,fchw->nf", xp[:, :, :3, :3], w)
    np.tensordot(xp[:, :, :3, :3], w, axes=([1, 2, 3], [1, 2, 3]))
    (x.reshape(2, -1) @ x.reshape(2, -1).T).sum()
    np.maximum(x, 0).max(axis=(2, 3)).argmax()
    np.exp(x).mean()
    np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))
    proto.npy_to_array(proto.array_to_npy(x))


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 512 * MB


def _forget_project_paths() -> None:
    """Drop the editable-install finder and any project directory from the import system, so
    that ``import grader`` fails inside the sandbox whatever is mounted there."""
    sys.meta_path[:] = [
        f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")
    ]
    project = os.path.dirname(os.path.dirname(HERE))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != project]
    sys.path_importer_cache.clear()
    for name in [n for n in sys.modules if n.startswith("__editable__")]:
        del sys.modules[name]


def main() -> None:
    if sys.argv[1:] == ["--probe"]:
        print(json.dumps(probe()))
        return
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"tier": "full"}
    control = socket.socket(fileno=fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 10))
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    zygote = Zygote(config)
    try:
        # Preload what the harness and typical submissions import lazily: after pivot_root the
        # child can still read the stdlib, but every import there costs time.
        import linecache  # noqa: F401
        import math  # noqa: F401
        import traceback  # noqa: F401

        _warm_numpy(zygote.proto)
        # Every object alive now is shared with each child: out of the collector's sight, a
        # child's collections do not write to (and so copy) the pages that hold them.
        gc.collect()
        gc.freeze()
        zygote.serve(control)
    finally:
        if zygote.cgroup:
            zygote.cgroup.remove()


if __name__ == "__main__":
    main()
