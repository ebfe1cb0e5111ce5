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
from tests.security.attacks import AFTER, BESIDE, HIDDEN, STARVER, THEN_BIG, Attack
from tests.security.heap_scan import victim_run

SHORT = Limits(cpu_seconds=1.0, wall_seconds=2.0)
LONG = Limits(cpu_seconds=2.0, wall_seconds=6.0)  # for attacks that must reach the memory cap
SCAN = Limits(cpu_seconds=20.0, wall_seconds=40.0)  # for a run that reads all of its memory
X = np.arange(6, dtype=float).reshape(2, 3)
#: The hidden case's input: what no text or visible output may carry, and what the attacks
#: recognise it by (a first element above 1000).
H = np.array([[31337.25, 2718.5, 4.0], [217.0, 30.0, 6.0]])
#: How H would show: its numbers, the exit code taken from it, the signal a bit of it chose.
H_TOKENS = ("31337", "2718", "217", "segmentation")
HONEST = "def f(x):\n    return x * 2\n"
#: Honest work that needs 400 of the default 512 MB: fails if a run before left memory charged.
HONEST_BIG = (
    "import numpy as np\n\ndef f(x):\n    block = np.ones(400 * 2**20 // 8)\n"
    "    return x * 2 + block[:1].sum() - 1\n"
)


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


def passed(result: RunResult, inputs: tuple[np.ndarray, ...] = (X,)) -> bool:
    """The checker, in the worker: every call returned the honest answer."""
    return (
        result.status is RunStatus.OK
        and len(result.calls) == len(inputs)
        and all(
            call.ok
            and isinstance(call.value, np.ndarray)
            and call.value.shape == x.shape
            and bool(np.allclose(call.value, x * 2))
            for call, x in zip(result.calls, inputs, strict=True)
        )
    )


def unhandled_value(value: object) -> str | None:
    """What the worker could not compare, in a call's value: anything but a numeric ndarray, a
    bool, None, a float or an integer a float can hold."""
    if value is None or isinstance(value, bool | float):
        return None
    if isinstance(value, int):
        return None if value.bit_length() <= 1023 else f"an integer of {value.bit_length()} bits"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return None
    return f"a value of type {type(value).__name__}"


def hidden_shown(result: RunResult) -> list[str]:
    """Where H shows in what the student sees of a run with a visible case and a hidden one:
    the message, every call's error, the visible call's value (its diff map) and its shape.
    (Printed output is withheld when a case is hidden: ``grader.kinds.code``.)"""
    seen = {"message": result.message}
    seen |= {f"call {i} error": call.error or "" for i, call in enumerate(result.calls)}
    if result.calls and result.calls[0].ok:
        value = result.calls[0].value
        seen["visible value"] = repr(np.asarray(value).tolist())[:100000]
        seen["visible shape"] = repr(np.shape(value))
    return [
        f"{where} shows {token}"
        for where, text in seen.items()
        for token in H_TOKENS
        if token in text
    ]


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
    #: What the attack got that it must not, by its setting: another run's bytes, a hidden
    #: input in what the student sees, a value the worker cannot compare, a failed honest run
    #: in another worker.
    exposed: list[str]


def run_attack(attack: Attack, values: dict[str, str]) -> Outcome:
    zygote_pid = sandbox_client.current().pid
    source = attack.render(**values)
    if attack.setting == BESIDE:
        return _beside(source, zygote_pid)
    limits = SCAN if attack.setting == AFTER else SHORT if attack.short else LONG
    secrets = victim_run() if attack.setting == AFTER else {}
    inputs = (X, H) if attack.setting == HIDDEN else (X,)
    hidden = [False, True] if attack.setting == HIDDEN else None
    result = run_calls(source, "f", [{"args": [x]} for x in inputs], limits, hidden=hidden)
    time.sleep(0.01)
    with sandbox_client._lock:
        spare = sandbox_client.current().spare_pid()  # forked for the next run, not a leftover
        survivors = [p for p in descendants(zygote_pid) if p != spare]
    honest = run_calls(HONEST_BIG if attack.setting == THEN_BIG else HONEST, "f", [{"args": [X]}])
    texts = [result.stdout, result.stderr, result.message] + [c.error or "" for c in result.calls]
    exposed = [
        f"call {i}: {what}"
        for i, c in enumerate(result.calls)
        if c.ok and (what := unhandled_value(c.value))
    ]
    if attack.setting == HIDDEN:
        exposed += hidden_shown(result)
    if secrets:
        dump = b"".join(t.encode() for t in texts) + b"".join(
            c.value.tobytes() for c in result.calls if isinstance(c.value, np.ndarray)
        )
        exposed += [
            f"the victim's {kind}"
            for kind, items in secrets.items()
            if any(s in dump for s in items)
        ]
    return Outcome(
        status=result.status.value,
        passed=passed(result, inputs),
        texts=texts,
        survivors=survivors,
        honest_after=passed(honest),
        same_zygote=sandbox_client.current().pid == zygote_pid,
        exposed=exposed,
    )


def _beside(source: str, zygote_pid: int) -> Outcome:
    """The attack in another worker (its own process and zygote) while this one grades honest
    threaded work."""
    seen = grade_while_another_worker_starves(source)
    return Outcome(
        status=seen["other_status"],
        passed=False,
        texts=seen["texts"],
        survivors=[],
        honest_after=seen["passed"],
        same_zygote=sandbox_client.current().pid == zygote_pid,
        exposed=[]
        if seen["status"] == "ok" and seen["passed"]
        else [f"the honest run beside it: {seen}"],
    )


def assert_contained(attack: Attack, outcome: Outcome, secret: str) -> None:
    """What every attack must end in; the caller checks the host (listeners, files) itself."""
    assert outcome.status in attack.statuses, (attack.name, outcome.status, outcome.texts)
    if "return x * 2" not in attack.source:  # otherwise it is honest once its attack failed
        assert not outcome.passed, f"{attack.name}: a hostile submission must never pass"
    assert outcome.survivors == [], f"{attack.name}: a process outlived the run"
    assert not any(secret in t or "root:x:0:0" in t or "DJANGO" in t for t in outcome.texts)
    assert not any("ESCAPED" in t for t in outcome.texts), (attack.name, outcome.texts)
    assert outcome.exposed == [], (attack.name, outcome.exposed)
    assert outcome.honest_after, f"{attack.name}: the zygote no longer grades honest work"
    assert outcome.same_zygote, f"{attack.name}: the zygote was replaced"


# Another worker: runs the submission in sys.argv[1] and prints its status.
OTHER_WORKER = """
import sys
import numpy as np
from grader.sandbox import Limits, run_calls

limits = Limits(cpu_seconds=1, wall_seconds=6)
result = run_calls(sys.argv[1], "f", [{"args": [np.zeros(2)]}], limits)
print(result.status.value)
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


def grade_while_another_worker_starves(starver_source: str = STARVER) -> dict:
    """Another worker (its own process, so its own zygote) runs a submission that fills its
    thread limit; while it holds the threads, this process's zygote grades ``THREADED``.
    Per-uid kernel limits shared between the two zygotes' children make the honest run fail
    with "can't start new thread". Returns what the honest run saw, JSON-ready."""
    assert run_calls(HONEST, "f", [{"args": [X]}]).status is RunStatus.OK  # our zygote is up
    starver = subprocess.Popen(
        [sys.executable, "-c", OTHER_WORKER, starver_source],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
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
        out, err = starver.communicate(timeout=60)
    assert starver.returncode == 0, err.decode()[-2000:]
    return {
        "other_status": out.decode().strip(),
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
