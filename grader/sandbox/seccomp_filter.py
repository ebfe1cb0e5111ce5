"""The seccomp filter of the sandboxed child: compiled once in the zygote, loaded per child.

Compiling with libseccomp (``pyseccomp``) costs ~2.4 ms; loading precompiled BPF with ``prctl``
costs ~0.7 ms (sandbox.md). Policy (default: allow):

* **kill the process** on sockets, exec, ptrace, cross-process memory access, mounts and
  namespaces, bpf, io_uring, keys, perf, userfaultfd, kexec and kernel modules, and on any
  syscall of a foreign architecture (i386 ``int 0x80``, x32) — libseccomp's bad-arch action;
* **fail with EPERM** on creating processes (``fork``, ``vfork``, ``clone`` without
  ``CLONE_THREAD``). Threads stay allowed (``clone3`` answers ENOSYS so glibc falls back to
  ``clone``, whose flags a filter can inspect); their number is bounded by RLIMIT_NPROC and the
  pids cgroup. Blocking processes makes fork bombs and sleepers that outlive the run impossible
  even in the reduced tier, and no exercise needs a subprocess.
* **fail with EPERM** on ``prctl(PR_SET_DUMPABLE)``: with RLIMIT_CORE at (1, 1) no core is
  written, and the process cannot make itself dumpable again.
* In the reduced tier (no PID namespace) ``kill``/``tkill``/``tgkill`` may only target the
  process itself; that rule needs the child's pid, so it is compiled per child.

Loaded by file path in the zygote; imports nothing from the project.
"""

from __future__ import annotations

import ctypes
import errno
import os

import pyseccomp as seccomp

KILLED = [
    "socket",
    "socketpair",
    "connect",
    "accept",
    "accept4",
    "bind",
    "listen",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "open_by_handle_at",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "kcmp",
    "lookup_dcookie",
    "swapon",
    "swapoff",
    "reboot",
    "iopl",
    "ioperm",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
]
CLONE_THREAD = 0x00010000
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def build_filter(*, only_self_pid: int | None = None) -> seccomp.SyscallFilter:
    """The policy above; ``only_self_pid`` adds the reduced tier's signal rule."""
    f = seccomp.SyscallFilter(seccomp.ALLOW)
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    for name in KILLED:
        try:
            f.add_rule(seccomp.KILL_PROCESS, name)
        except (ValueError, OSError):  # not a syscall on this architecture
            continue
    eperm = seccomp.ERRNO(errno.EPERM)
    for name in ("fork", "vfork"):
        try:
            f.add_rule(eperm, name)
        except (ValueError, OSError):
            continue
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # A dumpable child could hand its memory image to a core_pattern pipe helper on the host.
    f.add_rule(eperm, "prctl", seccomp.Arg(0, seccomp.EQ, _PR_SET_DUMPABLE))
    f.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    if only_self_pid is not None:
        for name in ("kill", "tkill", "tgkill"):
            f.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, only_self_pid))
    return f


def compile_bpf(*, only_self_pid: int | None = None) -> bytes:
    """The filter as raw BPF (an array of 8-byte ``sock_filter``)."""
    fd = os.memfd_create("seccomp-bpf")
    try:
        build_filter(only_self_pid=only_self_pid).export_bpf(_FdFile(fd))
        size = os.lseek(fd, 0, os.SEEK_END)
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)


class _FdFile:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_bpf(bpf: bytes, libc: ctypes.CDLL) -> None:
    """Install the filter on the calling thread (and so on everything it creates)."""
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = _SockFprog(len(bpf) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP failed")
