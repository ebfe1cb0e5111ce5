"""A run's shared memory (SysV segments, its private /tmp) is freed by the kernel after the run
has exited; the next run must not start while it is still charged to the cgroup."""

import os

import pytest

from grader.sandbox import Limits, RunStatus, run_calls
from grader.sandbox import client as sandbox_client

pytestmark = pytest.mark.sandbox
MB = 1 << 20
ROOMY = Limits(cpu_seconds=5.0, tmp_mb=256, file_mb=256)

# SIZE MB of SysV shared memory and a SIZE MB file in /tmp, all touched, left behind at exit.
LEAVE = """
import ctypes
import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]


def f(x):
    size = SIZE << 20
    shmid = libc.shmget(0, size, 0o1600)
    assert shmid >= 0, ctypes.get_errno()
    addr = libc.shmat(shmid, None, 0)
    assert addr not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
    ctypes.memset(addr, 1, size)
    chunk = b"x" * (1 << 20)
    with open("/tmp/fill", "wb") as fh:
        for _ in range(SIZE):
            fh.write(chunk)
    return x
"""
HONEST_100_MB = """
import numpy as np


def f(x):
    block = np.ones(100 * 2**20 // 8)
    return x + block[:1].sum()
"""


def leave(size_mb: int) -> str:
    """A submission that leaves 2 * ``size_mb`` MB behind."""
    return LEAVE.replace("SIZE", str(size_mb))


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
    leaver = run_calls(leave(100), "f", [{"args": [1.0]}], ROOMY)
    assert leaver.status is RunStatus.OK and leaver.calls[0].ok, (leaver.message, leaver.calls)

    assert memory_stat()["shmem"] < 8 * MB


@pytest.mark.slow
def test_an_honest_100_mb_run_right_after_440_mb_were_left_behind_fits_its_limit():
    """440 MB, and the 100 MB run after it, exceed the 512 MB limit while both are charged."""
    for _ in range(5):
        before = memory_stat()
        leaver = run_calls(leave(220), "f", [{"args": [1.0]}], ROOMY)
        assert leaver.status is RunStatus.OK, (leaver.message, before)
        honest = run_calls(HONEST_100_MB, "f", [{"args": [1.0]}], ROOMY)
        assert honest.status is RunStatus.OK, honest.message
        assert honest.calls[0].value == 2.0
