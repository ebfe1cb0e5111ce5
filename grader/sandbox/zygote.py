"""The fork server ("zygote"): a clean interpreter that has imported NumPy once and forks one
sandboxed child per submission (6-10 ms instead of >= 76 ms for a fresh Python,
``bench/bench_sandbox.py``).

Run by path as ``python -I zygote.py '<json config>'`` from ``grader.sandbox.client`` with a
minimal environment (no secrets, BLAS threads pinned to 1 *before* NumPy is imported) and
``close_fds``: it never shares memory with the Celery worker. It loads its sibling modules by
file path under private names, so the project is not importable from inside the sandbox.

Channel: requests arrive on fd 0 and responses leave on fd 1 (both moved to fds >= 10 at start,
0/1 then point to /dev/null), one message at a time (``protocol``). stderr is the worker's, for
infrastructure diagnostics only. At EOF on the request channel the zygote removes its cgroups
and exits. ``--probe`` prints which isolation features work here, as JSON, and exits.
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
        with contextlib.suppress(OSError), open(os.path.join(self.paths[ctl], name), "w") as fh:
            fh.write(str(value))
            self.last[key] = value

    def configure(self, memory_mb: int, processes: int) -> None:
        self._write("memory", "memory.limit_in_bytes", self.baseline + memory_mb * MB)
        if os.path.exists(
            os.path.join(self.paths.get("memory", "/nonexistent"), "memory.memsw.limit_in_bytes")
        ):
            self._write("memory", "memory.memsw.limit_in_bytes", self.baseline + memory_mb * MB)
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


def _high_pipe() -> tuple[int, int]:
    r, w = os.pipe()
    hr = fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 10)
    hw = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(r)
    os.close(w)
    return hr, hw


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

    # ----------------------------------------------------------------- one request

    def handle(
        self, header: dict[str, Any], blobs: list[bytes]
    ) -> tuple[dict[str, Any], list[bytes]]:
        limits = dict(header["limits"])
        calls = self.proto.unpack_value(header["calls"], blobs)
        limits["as_bytes"] = self.vm_base + (limits["memory_mb"] + 128) * MB
        if self.cgroup:
            self.cgroup.configure(limits["memory_mb"], limits["processes"])
        oom_before = self.cgroup.oom_kills() if self.cgroup else 0
        tasks_before = self.cgroup.tasks() if self.cgroup else None
        tmpdir = None
        if self.tier != "full":
            tmpdir = tempfile.mkdtemp(prefix="stride-sbx-")
            if self.root and self.nobody_reaches_python:
                os.chown(tmpdir, self.uid, self.uid)
        out_r, out_w = _high_pipe()
        err_r, err_w = _high_pipe()
        res_r, res_w = _high_pipe()
        st_r, st_w = _high_pipe()
        start = time.monotonic()
        if self.pidns_fd >= 0:
            pid = self.isolation.fork_into_new_pid_namespace(self.pidns_fd)
        else:
            pid = os.fork()
        if pid == 0:
            try:
                for fd in (out_r, err_r, res_r, st_r):
                    os.close(fd)
                args = (
                    header["source"],
                    header["entry"],
                    calls,
                    limits,
                    (out_w, err_w, res_w, st_w),
                )
                if self.pidns_fd >= 0:
                    self._pid1(*args)
                elif self.tier == "full":
                    self._c1(*args)
                else:
                    self._flat_child(*args, tmpdir=tmpdir)
            finally:
                os._exit(71)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        for fd in (out_w, err_w, res_w, st_w):
            os.close(fd)
        del calls
        report = self._collect(pid, limits, out_r, err_r, res_r, st_r, start)
        if self.cgroup:
            self.cgroup.wait_empty(1.0, tasks_before)
            report["oom"] = self.cgroup.oom_kills() > oom_before
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        stdout, stderr, results = report.pop("streams")
        return report, [stdout, stderr, results]

    def _collect(
        self,
        pid: int,
        limits: dict[str, Any],
        out_r: int,
        err_r: int,
        res_r: int,
        st_r: int,
        start: float,
    ) -> dict[str, Any]:
        wall = limits["wall_seconds"]
        deadline = start + wall
        bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray(), st_r: bytearray()}
        poller = select.poll()
        for fd in bufs:
            poller.register(fd, select.POLLIN)
        open_fds = set(bufs)
        flags = {"timed_out": False, "output_capped": False, "result_capped": False}
        killed = False
        c2_pid = None
        while open_fds:
            now = time.monotonic()
            if now >= deadline:
                if killed:
                    break
                flags["timed_out"] = not any(flags.values())
                killed = True
                self._kill(pid, c2_pid)
                deadline = now + 2.0
            for fd, _ in poller.poll(max(1, int((deadline - now) * 1000))):
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                    continue
                bufs[fd] += chunk
                if fd == st_r and c2_pid is None and bufs[fd][:1] == b"P":
                    c2_pid = _parse_records(bytes(bufs[fd])).get(b"P")
                    c2_pid = int(c2_pid) if c2_pid else None
                if killed:
                    continue
                if (
                    fd in (out_r, err_r)
                    and len(bufs[out_r]) + len(bufs[err_r]) > limits["output_bytes"]
                ):
                    flags["output_capped"] = True
                elif fd == res_r and len(bufs[res_r]) > limits["result_bytes"]:
                    flags["result_capped"] = True
                else:
                    continue
                killed = True
                self._kill(pid, c2_pid)
                deadline = time.monotonic() + 2.0
        for fd in bufs:
            os.close(fd)
        if killed:
            self._kill(pid, c2_pid)
        status, usage = self._reap(pid, deadline)
        if status is None:  # every pipe is closed, but the process ran on past the deadline
            flags["timed_out"] = flags["timed_out"] or not killed
            killed = True
            self._kill(pid, c2_pid)
            _, status, usage = os.wait4(pid, 0)
        records = _parse_records(bytes(bufs[st_r]))
        exit_info: dict[str, Any] = {"status": status, "cpu": usage.ru_utime + usage.ru_stime}
        if b"W" in records and len(records[b"W"]) == 12:
            c2_status, cpu = struct.unpack("<id", records[b"W"])
            exit_info = {"status": c2_status, "cpu": cpu}
        return {
            **flags,
            "exit": exit_info,
            "setup_ok": b"S" in records,
            "setup_error": records.get(b"E", b"").decode("utf-8", "replace") or None,
            "wall": time.monotonic() - start,
            "streams": (
                bytes(bufs[out_r][: limits["output_bytes"]]),
                bytes(bufs[err_r][: limits["output_bytes"]]),
                bytes(bufs[res_r]),
            ),
        }

    @staticmethod
    def _reap(pid: int, deadline: float) -> tuple[int | None, Any]:
        """Wait for ``pid`` until ``deadline``: (status, rusage), or (None, None) if it still
        runs. A pidfd wakes us the moment it exits (no polling loop); without pidfd support
        (kernel < 5.3) poll ``wait4`` every 0.5 ms."""
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = -1
        try:
            while True:
                reaped, status, usage = os.wait4(pid, os.WNOHANG)
                if reaped:
                    return status, usage
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, None
                if pidfd >= 0:
                    waiter = select.poll()
                    waiter.register(pidfd, select.POLLIN)
                    waiter.poll(max(1, int(left * 1000)))
                else:
                    time.sleep(0.0005)
        finally:
            if pidfd >= 0:
                os.close(pidfd)

    def _kill(self, pid: int, c2_pid: int | None) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        if c2_pid:
            with contextlib.suppress(OSError):
                os.kill(c2_pid, signal.SIGKILL)

    # ----------------------------------------------------------------- children

    def _c1(
        self, source: str, entry: str, calls: Any, limits: dict[str, Any], fds: tuple[int, ...]
    ) -> None:
        iso = self.isolation
        out_w, err_w, res_w, st_w = fds
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
            self._c2(source, entry, calls, limits, fds)
        _record(st_w, b"P", str(child).encode())
        for fd in (out_w, err_w, res_w):
            os.close(fd)
        _, status, usage = os.wait4(child, 0)
        _record(st_w, b"W", struct.pack("<id", status, usage.ru_utime + usage.ru_stime))
        os._exit(0)

    def _pid1(
        self, source: str, entry: str, calls: Any, limits: dict[str, Any], fds: tuple[int, ...]
    ) -> None:
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
        self._c2(source, entry, calls, limits, fds)

    def _c2(
        self, source: str, entry: str, calls: Any, limits: dict[str, Any], fds: tuple[int, ...]
    ) -> None:
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
        self._run_student(source, entry, calls, limits, st)

    def _flat_child(
        self,
        source: str,
        entry: str,
        calls: Any,
        limits: dict[str, Any],
        fds: tuple[int, ...],
        tmpdir: str | None,
    ) -> None:
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
        self._run_student(source, entry, calls, limits, st)

    def _run_student(
        self, source: str, entry: str, calls: Any, limits: dict[str, Any], st: int
    ) -> None:
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
        harness.run_submission(proto, source, entry, calls, limits["memory_mb"])

    # ----------------------------------------------------------------- main loop

    def serve(self, req_fd: int, resp_fd: int) -> None:
        def read_exact(n: int) -> bytes:
            parts = []
            while n:
                chunk = os.read(req_fd, min(n, 1 << 20))
                if not chunk:
                    raise EOFError
                parts.append(chunk)
                n -= len(chunk)
            return b"".join(parts)

        self.private_modules = [n for n in sys.modules if n.startswith(PREFIX)]
        _send(resp_fd, self.proto.encode_message(self.hello()))
        while True:
            try:
                header, blobs = self.proto.read_message(read_exact, max_blob=1 << 31)
            except EOFError:
                return
            try:
                reply, out = self.handle(header, blobs)
            except Exception as exc:  # an infrastructure fault: say so, keep serving
                reply, out = {"error": repr(exc)}, []
            _send(resp_fd, self.proto.encode_message(reply, out))


def _setup_fds_flat(out_w: int, err_w: int, res_w: int, st_w: int) -> int:
    null = os.open(os.devnull, os.O_RDONLY)
    for src, dst in ((null, 0), (out_w, 1), (err_w, 2), (res_w, 3), (st_w, 4)):
        os.dup2(src, dst)
    os.closerange(5, 1 << 16)
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


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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
    req_fd = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 10)
    resp_fd = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 10)
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
        zygote.serve(req_fd, resp_fd)
    finally:
        if zygote.cgroup:
            zygote.cgroup.remove()


if __name__ == "__main__":
    main()
