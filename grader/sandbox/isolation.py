"""Kernel-level isolation of one sandboxed child: namespaces, the read-only root, rlimits,
privilege drop. Runs in the forked children of the zygote (never in the worker).

Process layout of the *full* tier::

    zygote ── C1 (own process group; unshares the namespaces; waits, reports C2's status)
               └── C2 = pid 1 of the new PID namespace: builds the root, drops privileges,
                        sets rlimits + parent-death signal, loads seccomp, runs the student code

* As **root** (Z2): mount, PID, network, IPC and UTS namespaces, then ``setresuid`` to a real
  unprivileged uid on the host of this zygote's own (``sandbox_uid``); RLIMIT_NPROC applies
  to it, and no other worker's runs share its per-uid budgets. Root mode skips C1: the zygote
  forks the child straight into a fresh PID namespace (``fork_into_new_pid_namespace``), and
  the read-only tree is built once in the zygote's own mount namespace (``prepare_template``)
  so each child's ``unshare(CLONE_NEWNS)`` copies it and only adds its private ``/tmp``. That
  took the per-run CPU from ~10.5 ms to ~6.5 ms with the same layers. The child is forked and
  confined before its run comes (``zygote._Spare``), so most of this is off the worker's clock.
* **Unprivileged** (Z3): the same plus a user namespace that maps only the caller's uid (seen
  as 65534 inside); capabilities in the namespace are dropped after the mounts. The kernel
  counts per-uid budgets per user namespace, so each run has its own (bounded above by the
  worker's own limits).

The root is a tmpfs holding read-only bind mounts of exactly the interpreter's stdlib (its own
``site-packages`` masked by an empty tmpfs), the multiarch shared-library directory, NumPy's
package directories, ``/dev/{null,zero,urandom}`` and a private size-capped ``/tmp``; no
``/proc``, no ``/etc``, no project tree. It is entered with ``pivot_root`` and remounted read-only.

Loaded by file path in the zygote; imports nothing from the project. x86_64 and aarch64.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import platform
import resource
import signal
import sysconfig
from typing import Any

libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
NOBODY = 65534
SIGPENDING = 64  # queued signals per uid
#: Root mode: a zygote's children run as host uid ``UID_BASE`` + the zygote's pid. The default
#: lies in the range systemd leaves unused (above the container ranges, below 2**31);
#: ``STRIDE_SANDBOX_UID_BASE`` moves it (e.g. one base per container sharing a host's uids).
UID_BASE = 0x70000000
_SYSCALLS = {
    "x86_64": {"pivot_root": 155, "capset": 126},
    "aarch64": {"pivot_root": 41, "capset": 91},
}
SYS = _SYSCALLS.get(platform.machine(), _SYSCALLS["x86_64"])


class SetupError(Exception):
    """The sandbox could not be built (an infrastructure fault, never the student's)."""


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)}")


def write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def mount(
    src: str | None, dst: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    ret = libc.mount(
        src.encode() if src else None,
        dst.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(ret, f"mount {src} on {dst}")


def unshare(flags: int) -> None:
    _check(libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(libc.setns(fd, nstype), "setns")


def fork_into_new_pid_namespace(own_pid_ns_fd: int) -> int:
    """``os.fork`` whose child is pid 1 of a fresh PID namespace (root only), without the
    intermediate process that ``unshare(CLONE_NEWPID)`` in a child would need.

    ``unshare(CLONE_NEWPID)`` changes only where the caller's *next* children go, and the
    kernel refuses a second one while that differs from the caller's own namespace; so the
    parent points it back at its own namespace (``own_pid_ns_fd``, ``/proc/self/ns/pid``)
    right after the fork. Returns what ``os.fork`` returns."""
    unshare(CLONE_NEWPID)
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid != 0:
            setns(own_pid_ns_fd, CLONE_NEWPID)
    return pid


def parent_gone(fd: int) -> bool:
    """Whether every reader of the pipe whose write end is ``fd`` has gone, i.e. the zygote
    (the only reader of the status pipe) died: closes the race with ``PR_SET_PDEATHSIG``
    when the parent is outside the PID namespace and ``getppid()`` reads 0."""
    import select

    poller = select.poll()
    poller.register(fd, 0)
    return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))


def set_pdeathsig(sig: int = signal.SIGKILL) -> None:
    _check(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0), "PR_SET_PDEATHSIG")


def set_hostname(name: str = "sandbox") -> None:
    """Name the run's own UTS namespace, so that the host's name is not visible inside."""
    raw = name.encode()
    _check(libc.sethostname(raw, len(raw)), "sethostname")


def set_dumpable(on: bool) -> None:
    _check(libc.prctl(PR_SET_DUMPABLE, 1 if on else 0, 0, 0, 0), "PR_SET_DUMPABLE")


# --------------------------------------------------------------------------- the mount plan


def plan_mounts(numpy_dirs: list[str]) -> dict[str, Any]:
    """What the child's root holds, computed once in the zygote (paths kept as on the host)."""
    stdlib = sysconfig.get_paths()["stdlib"]
    ro_dirs = [stdlib]
    multiarch = sysconfig.get_config_var("MULTIARCH") or f"{platform.machine()}-linux-gnu"
    for d in (f"/usr/lib/{multiarch}", f"/lib/{multiarch}"):
        real = os.path.realpath(d)
        if os.path.isdir(real) and real not in ro_dirs:
            ro_dirs.append(real)
    ro_dirs.extend(d for d in numpy_dirs if os.path.isdir(d))
    masks = [p for p in (os.path.join(stdlib, "site-packages"),) if os.path.isdir(p)]
    links = {p: os.readlink(p) for p in ("/lib", "/lib64") if os.path.islink(p)}
    sources = [*ro_dirs, "/dev/null"]
    for candidate in ("/mnt", "/media", "/srv", "/opt", "/tmp", "/var/tmp"):  # noqa: S108
        if os.path.isdir(candidate) and not any(
            s == candidate or s.startswith(candidate + "/") for s in sources
        ):
            root = candidate
            break
    else:
        raise SetupError("no directory to build the sandbox root on")
    return {"root": root, "ro_dirs": ro_dirs, "masks": masks, "links": links}


def _flags_of(path: str) -> int:
    """Mount flags already on ``path`` that a user namespace is not allowed to clear."""
    st = os.statvfs(path).f_flag
    flags = st & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)
    if st & 4096:  # ST_RELATIME
        flags |= MS_RELATIME
    return flags


def _bind_ro(src: str, dst: str, extra: int) -> None:
    mount(src, dst, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | extra | _flags_of(src)
    mount(None, dst, None, flags)


def _populate_root(plan: dict[str, Any], tmp_mb: int | None) -> None:
    """Mount the tmpfs root at ``plan["root"]`` and everything the child may see below it.
    With ``tmp_mb`` None the mount point ``/tmp`` is left empty (the template case)."""
    root = plan["root"]
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # The private /tmp first: a bind mount below /tmp (a venv there) must land on top of it.
    os.mkdir(root + "/tmp", 0o1777)  # noqa: S108
    if tmp_mb is not None:
        mount_private_tmp(root, tmp_mb)
    for d in plan["ro_dirs"]:
        target = root + d
        os.makedirs(target, exist_ok=True)
        _bind_ro(d, target, MS_NODEV)
    for d in plan["masks"]:
        mount("tmpfs", root + d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=555")
    for link, target in plan["links"].items():
        os.symlink(target, root + link)
    os.mkdir(root + "/dev", 0o755)
    for dev in ("null", "zero", "urandom"):
        target = f"{root}/dev/{dev}"
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o666))
        _bind_ro(f"/dev/{dev}", target, MS_NOEXEC)


def mount_private_tmp(root: str, tmp_mb: int) -> None:
    """A fresh size-capped tmpfs on ``root``/tmp: a new superblock, so no other run sees it."""
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=1777")  # noqa: S108


def _enter_root(root: str) -> None:
    """``pivot_root`` into ``root``, detach the old root, make the new root read-only."""
    os.chdir(root)
    _check(libc.syscall(SYS["pivot_root"], b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_root(plan: dict[str, Any], tmp_mb: int) -> None:
    """In a fresh mount namespace: build the tmpfs root, pivot into it, make it read-only."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    _populate_root(plan, tmp_mb)
    _enter_root(plan["root"])


def template_possible(plan: dict[str, Any]) -> bool:
    """A shared template root cannot hold bind mounts below ``/tmp``: each child's private
    /tmp is mounted on top of the template and would hide them."""
    return not any(d == "/tmp" or d.startswith("/tmp/") for d in plan["ro_dirs"] + plan["masks"])  # noqa: S108


def prepare_template(plan: dict[str, Any]) -> None:
    """Once, in the zygote (root only): move it into a private mount namespace of its own and
    build the child's whole read-only tree there, so that each child's ``unshare(CLONE_NEWNS)``
    copies it instead of redoing every bind mount (saves ~1 ms of CPU per run).

    The template tmpfs is made read-only at the *superblock* level (not only per mount), so a
    child could not write to it even with ``CAP_SYS_ADMIN``. Per run only a fresh ``/tmp``
    tmpfs is added (``enter_template``); that tmpfs is never shared between runs. The zygote's
    namespace is private: nothing here shows up on the host, and it vanishes with the zygote.
    """
    unshare(CLONE_NEWNS)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    _populate_root(plan, None)
    mount(None, plan["root"], None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def enter_template(plan: dict[str, Any], tmp_mb: int) -> None:
    """In the child, after ``unshare(CLONE_NEWNS)`` copied the zygote's template: add the
    private /tmp, pivot into the template root and make it read-only (as ``build_root``)."""
    root = plan["root"]
    mount_private_tmp(root, tmp_mb)
    _enter_root(root)


def map_user_namespace(uid: int, gid: int) -> None:
    """Map only the caller's ids (seen as 65534 inside): the one mapping an unprivileged
    process may write. Needs dumpable=1 first, else /proc/self belongs to root and the write
    is refused."""
    set_dumpable(True)
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"{NOBODY} {uid} 1")
    write_file("/proc/self/gid_map", f"{NOBODY} {gid} 1")


def sandbox_uid(zygote_pid: int) -> int:
    """The host uid of this zygote's children (root mode), its gid the same number.

    The kernel counts threads (RLIMIT_NPROC), queued signals and message queue bytes per uid:
    with one uid for every worker, one student's run holding its 32 threads made another
    worker's honest run fail with "can't start new thread". ``UID_BASE`` + the zygote's pid is
    unique among the live zygotes of a PID namespace and needs no bookkeeping; once a zygote
    and its children are gone nothing is left owned by that uid (the root is read-only, /tmp
    private). Where that uid cannot be taken (a user namespace mapping few uids), falls back
    to the shared 65534. Forks once to find out."""
    uid = int(os.environ.get("STRIDE_SANDBOX_UID_BASE", UID_BASE)) + zygote_pid
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os._exit(0)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return uid if os.waitstatus_to_exitcode(status) == 0 else NOBODY


def drop_privileges(userns: bool, uid: int = NOBODY) -> None:
    """Leave no capability behind. As root: become ``uid`` (and the same gid) on the host. In
    a user namespace: empty the bounding set and all capability sets."""
    if not userns:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        return
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()
    _check(libc.syscall(SYS["capset"], header, data), "capset")


def apply_rlimits(limits: dict[str, Any], *, nproc: bool) -> None:
    """CPU soft = the limit, hard = soft + 1 s (pid 1 ignores SIGXCPU: the hard limit kills);
    address space, file size, open files, processes (counted per uid), no core dumps, and the
    other per-uid budgets (pending signals, message queues, locked memory) near zero."""
    cpu = max(1, math.ceil(limits["cpu_seconds"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["as_bytes"], limits["as_bytes"]))
    fsize = limits["file_mb"] << 20
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    # (1, 1), not (0, 0): the kernel ignores a zero limit when core_pattern is a pipe
    # (systemd-coredump, apport) but treats exactly 1 as "never dump", pipe or file.
    resource.setrlimit(resource.RLIMIT_CORE, (1, 1))
    # Budgets the kernel counts per uid: a few queued signals, no message queue bytes, no
    # locked memory (nothing CPython or NumPy needs); seccomp refuses most ways to spend them.
    resource.setrlimit(resource.RLIMIT_SIGPENDING, (SIGPENDING, SIGPENDING))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    if nproc:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))


def raise_oom_score() -> None:
    """Make the child, not the zygote, the OOM killer's first choice (pitfall: CAP_SYS_RESOURCE
    is withheld here, so the zygote cannot lower its own score)."""
    with contextlib.suppress(OSError):
        write_file("/proc/self/oom_score_adj", "1000")


def setup_fds(out_fd: int, err_fd: int, res_fd: int, status_fd: int, req_fd: int) -> int:
    """fd 0 = /dev/null, 1/2 = capture pipes, 3 = result pipe, 4 = the setup-status pipe
    (closed by the caller before student code runs), 5 = the request pipe, nothing else open.
    Every pipe arrives at fd >= 10, so the ``dup2`` calls cannot overwrite one another."""
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.dup2(res_fd, 3)
    os.dup2(status_fd, 4)
    os.dup2(req_fd, 5)
    os.closerange(6, 1 << 16)
    return 4
