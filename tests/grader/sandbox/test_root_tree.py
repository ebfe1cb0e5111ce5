"""The child's filesystem: a read-only root with a private /tmp per run, whether the tree is
built per child or copied from the zygote's template mount namespace (root mode)."""

import os
import threading
import time

import pytest

import grader
from grader.sandbox import RunStatus, detect_tier, run_calls
from grader.sandbox import client as sandbox_client
from tests.security.containment import descendants

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
    # parent directories appear in the listing too (the per-child build).
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


def test_each_run_gets_a_network_namespace_of_its_own_with_only_a_loopback():
    """Seen from the host while the run sleeps: its network namespace is neither the host's nor
    the zygote's, and holds nothing but ``lo``."""
    if detect_tier() != "full":
        pytest.skip("namespaces are the full tier's")
    src = "import time\n\ndef f():\n    time.sleep(1.0)\n    return 1\n"
    assert run_calls("def f():\n    return 1\n", "f", [{"args": []}]).status is RunStatus.OK
    zygote = sandbox_client.current()
    done = []
    runner = threading.Thread(target=lambda: done.append(run_calls(src, "f", [{"args": []}])))
    runner.start()
    try:
        # The zygote's descendants come and go (the last run's process exiting, the next
        # run's spare being forked): read the newest one that is still there when looked at.
        deadline = time.monotonic() + 5
        own = interfaces = None
        while own is None and time.monotonic() < deadline:
            for child in reversed(descendants(zygote.pid)):
                try:
                    own = os.readlink(f"/proc/{child}/ns/net")
                    with open(f"/proc/{child}/net/dev") as fh:
                        interfaces = [line.split(":")[0].strip() for line in fh.readlines()[2:]]
                    break
                except (FileNotFoundError, ProcessLookupError):
                    own = None
            time.sleep(0.01)
        assert own is not None, "no run appeared under the zygote"
    finally:
        runner.join()
    assert done and done[0].status is RunStatus.OK
    assert own not in (os.readlink("/proc/self/ns/net"), os.readlink(f"/proc/{zygote.pid}/ns/net"))
    assert interfaces == ["lo"]
