"""Running one corpus attack and everything that can be checked from the running process: its
status, whether it passed as honest work, its output, processes that outlived it, and whether
the same zygote then grades an honest submission. Shared by ``test_attacks`` (the worker's own
user) and ``unprivileged_driver`` (the corpus again as an unprivileged user)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.sandbox import Limits, RunResult, RunStatus, run_calls
from grader.sandbox import client as sandbox_client
from tests.security.attacks import Attack

SHORT = Limits(cpu_seconds=1.0, wall_seconds=2.0)
LONG = Limits(cpu_seconds=2.0, wall_seconds=6.0)  # for attacks that must reach the memory cap
X = np.arange(6, dtype=float).reshape(2, 3)
HONEST = "def f(x):\n    return x * 2\n"


PROJECT = Path(__file__).resolve().parents[2]
SITE = Path(np.__file__).resolve().parents[1]


@contextlib.contextmanager
def hostile_world():
    """What the attacks aim at, reachable by any user (the corpus also runs as nobody): a
    world-writable host directory holding the expected output, a TCP and a unix-socket
    listener. Yields the placeholder values and, under ``_sockets``, the listeners."""
    root = Path(tempfile.mkdtemp(prefix="stride-attacks-"))
    root.chmod(0o755)
    hostdir = root / "host"
    hostdir.mkdir(mode=0o777)
    hostdir.chmod(0o777)
    expected = hostdir / "expected.npy"
    np.save(expected, X * 2)
    tcp = socket.socket()
    unix = socket.socket(socket.AF_UNIX)
    try:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(8)
        tcp.setblocking(False)
        unix_path = str(root / "listener.sock")
        unix.bind(unix_path)
        os.chmod(unix_path, 0o777)
        unix.listen(8)
        unix.setblocking(False)
        yield {
            "PORT": str(tcp.getsockname()[1]),
            "UNIX": unix_path,
            "HOSTDIR": str(hostdir),
            "PROJECT": str(PROJECT),
            "SITE": str(SITE),
            "EXPECTED": str(expected),
            "_sockets": (tcp, unix),
        }
    finally:
        tcp.close()
        unix.close()
        shutil.rmtree(root, ignore_errors=True)


def placeholders(world: dict) -> dict[str, str]:
    return {f"@{k}@": v for k, v in world.items() if not k.startswith("_")}


def assert_host_untouched(world: dict) -> None:
    """No connection reached the listeners, no file appeared on the host."""
    for sock in world["_sockets"]:
        try:
            sock.accept()
        except BlockingIOError:
            continue
        raise AssertionError("a sandboxed run connected to a listener of the host")
    hostdir = Path(world["HOSTDIR"])
    assert sorted(p.name for p in hostdir.iterdir()) == ["expected.npy"]
    for planted in (SITE / "sitecustomize.py", SITE / "pwned", Path("/pwned"), Path("/usr/pwned")):
        assert not planted.exists(), planted


def passed(result: RunResult) -> bool:
    """The checker, in the worker: every call returned the honest answer."""
    return (
        result.status is RunStatus.OK
        and len(result.calls) == 1
        and result.calls[0].ok
        and isinstance(result.calls[0].value, np.ndarray)
        and result.calls[0].value.shape == X.shape
        and bool(np.allclose(result.calls[0].value, X * 2))
    )


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class Outcome:
    status: str
    passed: bool
    texts: list[str]  # stdout, stderr, the message and every call's error
    survivors: list[int]  # processes of the zygote that outlived the run
    honest_after: bool  # the same zygote then graded an honest submission
    same_zygote: bool


def run_attack(attack: Attack, values: dict[str, str]) -> Outcome:
    zygote_pid = sandbox_client.current().pid
    limits = SHORT if attack.short else LONG
    result = run_calls(attack.render(**values), "f", [{"args": [X]}], limits)
    time.sleep(0.01)
    with sandbox_client._lock:
        spare = sandbox_client.current().spare_pid()  # forked for the next run, not a leftover
        survivors = [p for p in descendants(zygote_pid) if p != spare]
    honest = run_calls(HONEST, "f", [{"args": [X]}])
    return Outcome(
        status=result.status.value,
        passed=passed(result),
        texts=[result.stdout, result.stderr, result.message]
        + [call.error or "" for call in result.calls],
        survivors=survivors,
        honest_after=passed(honest),
        same_zygote=sandbox_client.current().pid == zygote_pid,
    )


def assert_contained(attack: Attack, outcome: Outcome, secret: str) -> None:
    """What every attack must end in; the caller checks the host (listeners, files) itself."""
    assert outcome.status in attack.statuses, (attack.name, outcome.status, outcome.texts)
    if "return x * 2" not in attack.source:  # otherwise it is honest once its attack failed
        assert not outcome.passed, f"{attack.name}: a hostile submission must never pass"
    assert outcome.survivors == [], f"{attack.name}: a process outlived the run"
    assert not any(secret in t or "root:x:0:0" in t or "DJANGO" in t for t in outcome.texts)
    assert not any("ESCAPED" in t for t in outcome.texts), (attack.name, outcome.texts)
    assert outcome.honest_after, f"{attack.name}: the zygote no longer grades honest work"
    assert outcome.same_zygote, f"{attack.name}: the zygote was replaced"


# A second worker's run that takes every thread its limits allow, and for 3 s takes again any
# that another process of the same uid frees.
STARVER = """
import threading, time

def f(x):
    threading.stack_size(1 << 16)  # small stacks: the address-space limit is not what stops it
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            threading.Thread(target=time.sleep, args=(4,), daemon=True).start()
        except RuntimeError:
            time.sleep(0.001)
    return x * 2
"""
STARVER_WORKER = f"""
import numpy as np
from grader.sandbox import Limits, run_calls

run_calls({STARVER!r}, "f", [{{"args": [np.zeros(2)]}}], Limits(cpu_seconds=1, wall_seconds=6))
"""
# Honest work that starts one thread (as a ThreadPoolExecutor would).
THREADED = """
import threading

def f(x):
    out = []
    worker = threading.Thread(target=lambda: out.append(x * 2))
    worker.start()
    worker.join()
    return out[0]
"""


def most_threads(pid: int) -> int:
    """The largest thread count among the descendants of ``pid``."""
    counts = [0]
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            counts.append(len(os.listdir(f"/proc/{child}/task")))
    return max(counts)


def grade_while_another_worker_starves() -> dict:
    """Another worker (its own process, so its own zygote) runs a submission that fills its
    thread limit; while it holds the threads, this process's zygote grades ``THREADED``.
    Per-uid kernel limits shared between the two zygotes' children make the honest run fail
    with "can't start new thread". Returns what the honest run saw, JSON-ready."""
    assert run_calls(HONEST, "f", [{"args": [X]}]).status is RunStatus.OK  # our zygote is up
    starver = subprocess.Popen(
        [sys.executable, "-c", STARVER_WORKER],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Filled: more than one thread, and no new one for 0.3 s (the loop takes milliseconds).
        deadline, filled, steady_since = time.monotonic() + 60, 0, time.monotonic()
        while filled < 2 or time.monotonic() - steady_since < 0.3:
            assert starver.poll() is None, starver.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the other worker's run never filled its threads"
            time.sleep(0.02)
            now = most_threads(starver.pid)
            if now != filled:
                filled, steady_since = now, time.monotonic()
        honest = run_calls(THREADED, "f", [{"args": [X]}])
        still_held = most_threads(starver.pid)
    finally:
        _, err = starver.communicate(timeout=60)
    assert starver.returncode == 0, err.decode()[-2000:]
    return {
        "filled": filled,
        "still_held": still_held,
        "status": honest.status.value,
        "passed": passed(honest),
        "texts": [honest.stdout, honest.stderr, honest.message]
        + [call.error or "" for call in honest.calls],
    }


def assert_not_starved(seen: dict) -> None:
    assert seen["filled"] >= 2 and seen["still_held"] >= seen["filled"], seen  # held throughout
    assert seen["status"] == "ok" and seen["passed"], seen
