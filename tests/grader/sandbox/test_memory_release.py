"""A run's shared memory (SysV segments, its private /tmp) is freed by the kernel after the run
has exited; the next run must not start while it is still charged to the cgroup."""

import os

import pytest

from grader.sandbox import Limits, RunStatus, run_calls
from grader.sandbox import client as sandbox_client

pytestmark = pytest.mark.sandbox
MB = 1 << 20
ROOMY = Limits(cpu_seconds=5.0, tmp_mb=256, file_mb=256)

# SHM_MB MB of SysV shared memory and a TMP_MB MB file in /tmp, all touched, left at exit.
LEAVE = """
import ctypes
import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]


def f(x):
    size = SHM_MB << 20
    if size:
        shmid = libc.shmget(0, size, 0o1600)
        if shmid < 0:  # refused (a seccomp allowlist without SysV IPC): say so
            return -1.0
        addr = libc.shmat(shmid, None, 0)
        assert addr not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
        ctypes.memset(addr, 1, size)
    chunk = b"x" * (1 << 20)
    with open("/tmp/fill", "wb") as fh:
        for _ in range(TMP_MB):
            fh.write(chunk)
    return x
"""
HONEST_250_MB = """
import numpy as np


def f(x):
    block = np.ones(250 * 2**20 // 8)
    return x + block[:1].sum()
"""


def leave(shm_mb: int, tmp_mb: int) -> str:
    """A submission that leaves ``shm_mb`` MB of SysV shared memory and ``tmp_mb`` in /tmp."""
    return LEAVE.replace("SHM_MB", str(shm_mb)).replace("TMP_MB", str(tmp_mb))


def run_leaver(source: str, limits: Limits) -> None:
    leaver = run_calls(source, "f", [{"args": [1.0]}], limits)
    assert leaver.status is RunStatus.OK and leaver.calls[0].ok, (leaver.message, leaver.calls)
    if leaver.calls[0].value == -1.0:
        pytest.skip("SysV shared memory is refused here: no run can leave any behind")


def memory_stat() -> dict[str, int]:
    """The zygote's memory cgroup: its memory.stat, and its usage."""
    zygote = sandbox_client.current()
    paths = [p for p in zygote.hello.get("cgroup", []) if "/memory/" in p]
    if not paths:
        pytest.skip("no memory cgroup here")
    with open(os.path.join(paths[0], "memory.stat")) as fh:
        stat = {line.split()[0]: int(line.split()[1]) for line in fh}
    with open(os.path.join(paths[0], "memory.usage_in_bytes")) as fh:
        stat["usage"] = int(fh.read())
    return stat


def test_a_runs_shared_memory_is_uncharged_before_the_next_run_can_start():
    run_leaver(leave(100, 100), ROOMY)
    # The zygote waits after its reply, before it forks again: the next run starts after it.
    assert run_calls("def f(x):\n    return x\n", "f", [{"args": [1.0]}]).status is RunStatus.OK

    assert memory_stat()["shmem"] < 8 * MB


def test_a_runs_full_tmp_is_uncharged_before_the_next_run_can_start():
    """A full 250 MB /tmp, and the 250 MB run after it, exceed a 300 MB limit while both are
    charged (/tmp is a tmpfs: its pages count as the cgroup's shared memory)."""
    memory_stat()  # skips without a memory cgroup
    limits = Limits(cpu_seconds=5.0, memory_mb=300, tmp_mb=256, file_mb=256)
    for _ in range(5):
        run_leaver(leave(0, 250), limits)
        honest = run_calls(HONEST_250_MB, "f", [{"args": [1.0]}], limits)
        assert honest.status is RunStatus.OK, honest.message
        assert honest.calls[0].value == 2.0


@pytest.mark.slow
def test_an_honest_run_right_after_one_that_left_850_mb_behind_fits_its_limit():
    """850 MB left, and the 250 MB run after it, exceed the 1 GB limit while both are charged
    (the leaving run itself peaks near 860 MB, well below it)."""
    limits = Limits(cpu_seconds=5.0, memory_mb=1024, tmp_mb=256, file_mb=256)
    for _ in range(5):
        run_leaver(leave(600, 250), limits)
        honest = run_calls(HONEST_250_MB, "f", [{"args": [1.0]}], limits)
        assert honest.status is RunStatus.OK, honest.message
        assert honest.calls[0].value == 2.0


def test_a_run_allowed_more_memory_than_the_run_before_it_gets_all_of_it():
    memory_stat()  # skips without a memory cgroup
    small = run_calls(HONEST_250_MB, "f", [{"args": [1.0]}], Limits(memory_mb=128))
    assert small.status is RunStatus.MEMORY_LIMIT
    big = run_calls(HONEST_250_MB, "f", [{"args": [1.0]}], Limits(memory_mb=1024))
    assert big.status is RunStatus.OK, big.message
