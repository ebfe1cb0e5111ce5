"""The seccomp allowlist as data, and the script that measures it (``scripts/seccomp_syscalls.py``):
what the filter allows never overlaps what it kills, and the measurement counts only what a
child calls after loading its filter."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from grader.sandbox import seccomp_filter as policy

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "seccomp_syscalls.py"


def _script():
    spec = importlib.util.spec_from_file_location("seccomp_syscalls", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_is_both_allowed_and_killed():
    allowed = set(policy.ALLOWED) | set(policy.BY_ARGUMENT)
    assert not allowed & set(policy.KILLED)
    assert len(policy.ALLOWED) == len(set(policy.ALLOWED))


def test_prctl_set_dumpable_is_not_an_allowed_option():
    assert 4 not in policy.PRCTL_ALLOWED.values()  # PR_SET_DUMPABLE


def test_the_host_wide_and_per_uid_interfaces_are_not_allowed():
    for name in ("io_setup", "inotify_init1", "fanotify_init", "mq_open", "timer_create"):
        assert name not in policy.ALLOWED
    for name in ("rt_sigqueueinfo", "sync", "syncfs", "memfd_secret", "modify_ldt", "vmsplice"):
        assert name not in policy.ALLOWED


TRACE = """\
100 mount("tmpfs", "/mnt/tmp", "tmpfs", MS_NOSUID|MS_NODEV, "size=64m") = 0
100 seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_LOG]) = 0
101 pivot_root(".", ".")              = 0
101 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=191, filter=0x5600}) = 0
101 ioctl(1, TCGETS, 0x7ffc)          = -1 ENOTTY (Inappropriate ioctl for device)
101 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_THREAD <unfinished ...>
102 rseq(0x7fdb, 0x20, 0, 0x53053053 <unfinished ...>
101 <... clone resumed>, tls=0x7f00) = 2 /* 102 in strace's PID NS */
102 <... rseq resumed>)               = 0
102 futex(0x56, FUTEX_WAKE_PRIVATE, 1) = 1
101 exit_group(0)                     = ?
100 wait4(101, [{WIFEXITED(s)}], 0, NULL) = 101
"""


def test_the_measurement_counts_only_calls_after_the_filter_loaded(tmp_path):
    trace = tmp_path / "trace"
    trace.write_text(TRACE)

    counts = _script().sandboxed_calls(str(trace))

    assert counts == {
        "ioctl": 1,
        "ioctl(TCGETS)": 1,
        "clone": 1,
        "rseq": 1,
        "futex": 1,
        "exit_group": 1,
    }
