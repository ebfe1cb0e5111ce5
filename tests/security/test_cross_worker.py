"""Per-uid kernel limits are not shared between workers: one student's run that takes every
thread it may have does not make another worker's honest run fail to start a thread."""

from __future__ import annotations

import pytest

from grader.sandbox import client as sandbox_client
from grader.sandbox import detect_tier, run_calls
from grader.sandbox.isolation import UID_BASE
from tests.conftest import need
from tests.security.containment import (
    X,
    assert_not_starved,
    grade_while_another_worker_starves,
)

pytestmark = pytest.mark.sandbox


def test_a_run_that_takes_every_thread_does_not_starve_another_worker():
    need(detect_tier() == "full", "the full sandbox tier")

    assert_not_starved(grade_while_another_worker_starves())


def test_a_root_zygote_runs_its_children_as_a_uid_of_its_own():
    need(detect_tier() == "full", "the full sandbox tier")
    result = run_calls(
        "import os\ndef f(x):\n    print(os.getuid(), os.getgid())\n    return x\n",
        "f",
        [{"args": [X]}],
    )
    hello = sandbox_client.current().hello
    if hello["mode"] != "root":
        pytest.skip("a user namespace maps the worker's own uid")

    assert result.stdout.split() == [str(hello["uid"])] * 2
    assert hello["uid"] != 65534 and hello["uid"] == UID_BASE + hello["pid"]
