"""The seccomp filter of the sandboxed child: compiled once in the zygote, loaded per child.

Compiling with libseccomp (``pyseccomp``) costs ~2.4 ms; loading precompiled BPF with ``prctl``
costs ~0.7 ms. Policy: an **allowlist** (``ALLOWED``) of what CPython, NumPy and the harness
were measured to call after the filter is loaded (``scripts/seccomp_syscalls.py``, see
docs/sandbox.md, "seccomp allowlist"), plus the neighbours glibc and CPython reach on other
paths of the same operations (``mremap`` when ``realloc`` grows a large block, ``rt_sigreturn``
after a signal handler, ``nanosleep`` for ``clock_nanosleep``...). Everything else:

* **fails with EPERM** (the default): an honest program gets an ``OSError`` it can report,
  and host-wide kernel quotas and shared state stay out of reach — AIO contexts
  (``fs.aio-max-nr``), inotify/fanotify watches on the read-only tree (bind mounts of the
  host's own files), POSIX message queues, POSIX timers and queued signals (per-uid budgets),
  ``sync``, ``memfd_secret``, ``modify_ldt``, ``vmsplice``, SysV IPC, ``sysinfo``...;
* **kills the process** on the clearly hostile (``KILLED``): sockets, exec, ptrace,
  cross-process memory access, mounts and namespaces, bpf, io_uring, keys, perf, userfaultfd,
  kexec and kernel modules, and any syscall of a foreign architecture (i386 ``int 0x80``, x32)
  — libseccomp's bad-arch action;
* **processes** cannot be created: ``clone`` is allowed only with ``CLONE_THREAD`` (``clone3``
  answers ENOSYS so glibc falls back to ``clone``, whose flags a filter can inspect); the number
  of threads is bounded by RLIMIT_NPROC and the pids cgroup. No fork bombs, no sleepers that
  outlive the run, even in the reduced tier; no exercise needs a subprocess;
* **argument filters**: ``prctl`` only reads or names (``PR_SET_DUMPABLE`` fails with EPERM: with
  RLIMIT_CORE at (1, 1) no core is written, and the process cannot make itself dumpable again);
  ``ioctl`` only the terminal and close-on-exec requests CPython makes on its own fds;
* in the reduced tier (no PID namespace) ``kill``/``tkill``/``tgkill`` may only target the
  process itself; that rule needs the child's pid, so it is compiled per child.

Loaded by file path in the zygote; imports nothing from the project. x86_64 and aarch64 (names
a libseccomp does not know on an architecture are skipped).
"""

from __future__ import annotations

import contextlib
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
#: What student code may call. Measured: ``scripts/seccomp_syscalls.py`` (the syscalls seen after
#: the filter is loaded, over the bank's code problems and a list of honest behaviours), plus
#: the neighbours named in the module docstring. None of them reaches beyond the process, its
#: private /tmp and the read-only tree.
ALLOWED = [
    # memory
    "brk",
    "madvise",
    "mmap",
    "mprotect",
    "mremap",
    "munmap",
    # files: the root is read-only and /tmp is a private tmpfs, so these reach nothing shared
    "access",
    "chdir",
    "chmod",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "faccessat",
    "faccessat2",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fcntl",
    "fdatasync",
    "fstat",
    "fsync",
    "ftruncate",
    "getcwd",
    "getdents64",
    "lseek",
    "lstat",
    "mkdir",
    "mkdirat",
    "newfstatat",
    "open",
    "openat",
    "pipe",
    "pipe2",
    "poll",
    "ppoll",
    "pread64",
    "preadv",
    "pselect6",
    "pwrite64",
    "pwritev",
    "read",
    "readlink",
    "readlinkat",
    "readv",
    # a spare (zygote._Spare) waits for its run's descriptors under the filter; no socket
    # can be made here, and the spare's own is closed before student code runs
    "recvmsg",
    "rename",
    "renameat",
    "renameat2",
    "rmdir",
    "select",
    "sendfile",
    "stat",
    "statx",
    "truncate",
    "umask",
    "unlink",
    "unlinkat",
    "utimensat",
    "write",
    "writev",
    # threads (clone: CLONE_THREAD only, below)
    "exit",
    "futex",
    "get_robust_list",
    "gettid",
    "rseq",
    "sched_getaffinity",
    "sched_yield",
    "set_robust_list",
    "set_tid_address",
    # signals (kill/tkill/tgkill: only itself in the reduced tier, below)
    "kill",
    "restart_syscall",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "sigaltstack",
    "tgkill",
    "tkill",
    # time
    "alarm",
    "clock_getres",
    "clock_gettime",
    "clock_nanosleep",
    "getitimer",
    "gettimeofday",
    "nanosleep",
    "setitimer",
    "time",
    "times",
    # identity and limits of the process itself
    "exit_group",
    "getegid",
    "geteuid",
    "getgid",
    "getgroups",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresuid",
    "getrlimit",
    "getrusage",
    "getuid",
    "prlimit64",
    "uname",
]
#: ``prctl`` options allowed (reads and thread names); the rest fail with EPERM.
PRCTL_ALLOWED = {"PR_GET_DUMPABLE": 3, "PR_SET_NAME": 15, "PR_GET_NAME": 16}
#: ``ioctl`` requests allowed: what CPython makes on its own fds (``isatty``, the terminal size,
#: ``os.set_inheritable``, bytes pending on a pipe).
IOCTL_ALLOWED = {
    "TCGETS": 0x5401,
    "TIOCGWINSZ": 0x5413,
    "FIONREAD": 0x541B,
    "FIONCLEX": 0x5450,
    "FIOCLEX": 0x5451,
}
#: Allowed only with some arguments (``build_filter``); otherwise EPERM (clone3: ENOSYS).
BY_ARGUMENT = ("clone", "clone3", "ioctl", "prctl")
CLONE_THREAD = 0x00010000
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def _rule(f: seccomp.SyscallFilter, action: int, name: str, *args: seccomp.Arg) -> None:
    with contextlib.suppress(ValueError, OSError):  # not a syscall on this architecture
        f.add_rule(action, name, *args)


def build_filter(*, only_self_pid: int | None = None) -> seccomp.SyscallFilter:
    """The policy above; ``only_self_pid`` adds the reduced tier's signal rule."""
    eperm = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(eperm)
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    for name in KILLED:
        _rule(f, seccomp.KILL_PROCESS, name)
    signals = ("kill", "tkill", "tgkill")
    for name in ALLOWED:
        if only_self_pid is not None and name in signals:
            continue
        _rule(f, seccomp.ALLOW, name)
    if only_self_pid is not None:
        for name in signals:
            _rule(f, seccomp.ALLOW, name, seccomp.Arg(0, seccomp.EQ, only_self_pid))
    f.add_rule(
        seccomp.ALLOW, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, CLONE_THREAD)
    )
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # PR_SET_DUMPABLE is not among these, so it takes the default, EPERM: a dumpable child
    # could hand its memory image to a core_pattern pipe helper on the host. (libseccomp
    # refuses a rule whose action is the default, so the argument filter is this allowlist.)
    assert _PR_SET_DUMPABLE not in PRCTL_ALLOWED.values()
    for option in PRCTL_ALLOWED.values():
        f.add_rule(seccomp.ALLOW, "prctl", seccomp.Arg(0, seccomp.EQ, option))
    for request in IOCTL_ALLOWED.values():
        f.add_rule(seccomp.ALLOW, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, request))
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
