"""The child's filesystem: a read-only root with a private /tmp per run, whether the tree is
built per child or copied from the zygote's template mount namespace (root mode)."""

import os

import pytest

import grader
from grader.sandbox import RunStatus, detect_tier, run_calls
from grader.sandbox import client as sandbox_client

pytestmark = pytest.mark.sandbox

PROBE = """
import os
import numpy as np

def f(name):
    seen = os.path.exists('/tmp/' + name)
    with open('/tmp/' + name, 'w') as fh:
        fh.write('left behind')
    errors = 0
    for path in ('/pwned', '/dev/pwned', '/usr/pwned'):
        try:
            open(path, 'w').close()
        except OSError:
            errors += 1
    # Files only: when the checkout itself lives under /tmp, the read-only NumPy bind mount's
    # parent directories appear in the listing too (the per-child build, pitfall 12).
    files = [n for n in os.listdir('/tmp') if os.path.isfile('/tmp/' + n)]
    return np.array([int(seen), errors, len(files)])
"""


def _probe(name: str) -> list[int]:
    result = run_calls(PROBE, "f", [{"args": [name]}])
    assert result.status is RunStatus.OK, result.message
    assert result.calls[0].ok, result.calls[0].error
    return [int(v) for v in result.calls[0].value]


def test_a_file_left_in_tmp_is_not_seen_by_the_next_run():
    assert _probe("marker") == [0, 3, 1]
    assert _probe("marker") == [0, 3, 1]


def test_the_root_holds_no_proc_etc_or_project_tree():
    src = (
        "import os\nimport numpy as np\n\ndef f(*names):\n"
        "    return np.array([os.path.exists('/' + n) for n in names])\n"
    )
    project = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
    hidden = ["proc", "etc", "sys", "home", project.lstrip("/") + "/grader", "dev/shm"]
    names = [*hidden, "tmp", "dev/null", "usr"]
    result = run_calls(src, "f", [{"args": names}])
    assert result.status is RunStatus.OK, result.message
    present = dict(zip(names, result.calls[0].value.tolist(), strict=True))
    assert present == {**dict.fromkeys(hidden, False), "tmp": True, "dev/null": True, "usr": True}


def test_the_zygote_leaves_the_hosts_mount_table_unchanged():
    sandbox_client.shutdown()
    with open("/proc/self/mountinfo") as fh:
        before = fh.read()
    assert run_calls("def f():\n    return 1\n", "f", [{"args": []}]).status is RunStatus.OK
    with open("/proc/self/mountinfo") as fh:
        assert fh.read() == before


def test_runs_share_the_zygotes_empty_network_namespace_not_the_hosts():
    """Root mode: the zygote makes one network namespace, once, and every run it forks lives
    in it (a namespace per run cost ~3.6 ms of kernel CPU to tear down). It holds only a
    loopback that is down; seccomp kills socket() in the child besides."""
    if os.geteuid() != 0 or detect_tier() != "full":
        pytest.skip("the shared network namespace is the root-mode full tier's")
    assert run_calls("def f():\n    return 1\n", "f", [{"args": []}]).status is RunStatus.OK
    zygote = sandbox_client.current()
    assert zygote is not None and zygote.alive()
    assert os.readlink(f"/proc/{zygote.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    with open(f"/proc/{zygote.pid}/net/dev") as fh:
        interfaces = [line.split(":")[0].strip() for line in fh.readlines()[2:]]
    assert interfaces == ["lo"]
    with open(f"/proc/{zygote.pid}/net/route") as fh:
        assert fh.readlines()[1:] == []  # no route anywhere (at most the header)
