"""Each hostile submission must get its expected status, never a pass, and leave no trace:
no connection to the test's listeners, no file on the host, no surviving process, no secret in
the output, and the same zygote still grades the next honest submission."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, detect_tier, run_calls
from grader.sandbox import client as sandbox_client
from tests.security.attacks import ATTACKS, Attack

pytestmark = pytest.mark.sandbox
PROJECT = Path(__file__).resolve().parents[2]
SITE = Path(np.__file__).resolve().parents[1]
SECRET = "stride-secret-" + os.urandom(8).hex()
SHORT = Limits(cpu_seconds=1.0, wall_seconds=2.0)
LONG = Limits(cpu_seconds=2.0, wall_seconds=6.0)  # for attacks that must reach the memory cap
X = np.arange(6, dtype=float).reshape(2, 3)
HONEST = "def f(x):\n    return x * 2\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    if detect_tier() != "full":
        pytest.skip("the security corpus is written against the full tier")
    os.environ["STRIDE_TEST_SECRET"] = SECRET
    hostdir = tmp_path_factory.mktemp("host")
    hostdir.chmod(0o777)
    expected = hostdir / "expected.npy"
    np.save(expected, X * 2)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    unix_path = os.path.join(tempfile.mkdtemp(), "listener.sock")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix.listen(8)
    unix.setblocking(False)
    assert run_calls(HONEST, "f", [{"args": [X]}]).status is RunStatus.OK
    yield {
        "PORT": str(tcp.getsockname()[1]),
        "UNIX": unix_path,
        "HOSTDIR": str(hostdir),
        "PROJECT": str(PROJECT),
        "SITE": str(SITE),
        "EXPECTED": str(expected),
        "_sockets": (tcp, unix),
    }
    tcp.close()
    unix.close()
    os.environ.pop("STRIDE_TEST_SECRET", None)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def passed(result) -> bool:
    """The checker, in the worker: every call returned the honest answer."""
    return (
        result.status is RunStatus.OK
        and len(result.calls) == 1
        and result.calls[0].ok
        and isinstance(result.calls[0].value, np.ndarray)
        and result.calls[0].value.shape == X.shape
        and bool(np.allclose(result.calls[0].value, X * 2))
    )


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_the_attack_is_contained(world, attack: Attack):
    zygote_pid = sandbox_client.current().pid
    values = {f"@{k}@": v for k, v in world.items() if not k.startswith("_")}
    result = run_calls(
        attack.render(**values), "f", [{"args": [X]}], SHORT if attack.short else LONG
    )

    assert result.status.value in attack.statuses, (result.status, result.message, result.calls)
    if "return x * 2" not in attack.source:  # otherwise it is honest once its attack failed
        assert not passed(result), "a hostile submission must never pass"
    # Nothing escaped.
    for sock in world["_sockets"]:
        with pytest.raises(BlockingIOError):
            sock.accept()
    hostdir = Path(world["HOSTDIR"])
    assert sorted(p.name for p in hostdir.iterdir()) == ["expected.npy"]
    for planted in (SITE / "sitecustomize.py", SITE / "pwned", Path("/pwned"), Path("/usr/pwned")):
        assert not planted.exists()
    time.sleep(0.01)
    assert descendants(zygote_pid) == [], "a process outlived the run"
    texts = [result.stdout, result.stderr, result.message, *(c.error or "" for c in result.calls)]
    assert not any(SECRET in t or "root:x:0:0" in t or "DJANGO" in t for t in texts)
    # The same zygote still grades an honest submission.
    honest = run_calls(HONEST, "f", [{"args": [X]}])
    assert passed(honest), honest
    assert sandbox_client.current().pid == zygote_pid


def test_the_corpus_covers_at_least_37_attacks():
    assert len(ATTACKS) >= 37
