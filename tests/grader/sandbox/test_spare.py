"""A root zygote forks the next run's process ahead of its run (its "spare"): it enters fresh
namespaces and the read-only tree while the worker is busy elsewhere, and gets the run's limits
and descriptors only when the run comes."""

import os
import signal
import time

import pytest

from grader.sandbox import Limits, RunStatus, detect_tier, run_calls
from grader.sandbox import client as sandbox_client

pytestmark = pytest.mark.sandbox
HONEST = "def f(x):\n    return x * 2\n"
# Writes ``MB`` MB to /tmp: the private tmpfs of the run, as large as the run's limits say.
FILL_TMP = """
import os

def f(mb):
    chunk = b"x" * (1 << 20)
    try:
        with open("/tmp/fill", "wb") as fh:
            for _ in range(int(mb)):
                fh.write(chunk)
    except OSError as exc:
        return float(-exc.errno)
    return float(os.path.getsize("/tmp/fill") >> 20)
"""


def spare() -> int | None:
    with sandbox_client._lock:
        return sandbox_client.current().spare_pid()


@pytest.fixture
def spare_zygote():
    if detect_tier() != "full":
        pytest.skip("the spare is the full tier's")
    assert run_calls(HONEST, "f", [{"args": [1]}]).status is RunStatus.OK
    if spare() is None:
        pytest.skip("no spare here: the zygote is not root, or its root cannot be a template")


def test_the_spare_waits_in_namespaces_of_its_own(spare_zygote):
    pid, zygote = spare(), sandbox_client.current().pid

    for ns in ("pid", "mnt", "net", "ipc", "uts"):
        assert os.readlink(f"/proc/{pid}/ns/{ns}") != os.readlink(f"/proc/{zygote}/ns/{ns}"), ns
    with open(f"/proc/{pid}/status") as fh:
        status = dict(line.split(":", 1) for line in fh)
    assert status["NSpid"].split()[-1] == "1"  # pid 1 of its own PID namespace
    assert int(status["PPid"]) == zygote


def test_each_run_gets_a_new_spare_and_its_own_tmp_size(spare_zygote):
    """The spare mounts /tmp only once it has the run's limits: 12 MB fit in a 32 MB /tmp and
    not in an 8 MB one, whatever the run before asked for."""
    first = spare()
    small = run_calls(FILL_TMP, "f", [{"args": [12]}], Limits(tmp_mb=8, file_mb=16))
    second = spare()
    large = run_calls(FILL_TMP, "f", [{"args": [12]}], Limits(tmp_mb=32, file_mb=16))

    assert small.calls[0].value == -28.0  # ENOSPC
    assert large.calls[0].value == 12.0
    assert len({first, second, spare()}) == 3


def test_a_spare_killed_while_it_waits_is_replaced(spare_zygote):
    pid = spare()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # a zombie until the zygote reaps it
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)

    result = run_calls(HONEST, "f", [{"args": [3]}])

    assert result.status is RunStatus.OK and result.calls[0].value == 6
    assert spare() not in (None, pid)
