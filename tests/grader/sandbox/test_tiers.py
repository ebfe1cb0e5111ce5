"""Tier detection and the reduced (no namespaces) tier."""

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, SandboxUnavailable, detect_tier, health, run_calls
from grader.sandbox import client as sandbox_client
from grader.sandbox.tiers import probe

pytestmark = pytest.mark.sandbox


def test_this_machine_reports_the_best_tier_it_supports():
    found = probe()
    assert found.get("seccomp"), found
    expected = "full" if found.get("namespaces") or found.get("userns") else "reduced"
    assert detect_tier() == expected
    assert health()["tier"] == expected


def test_the_unsafe_tier_needs_both_flags(monkeypatch):
    monkeypatch.setenv("STRIDE_SANDBOX_TIER", "unsafe")
    monkeypatch.setenv("STRIDE_SANDBOX_ALLOW_UNSAFE", "1")
    monkeypatch.delenv("STRIDE_DEBUG", raising=False)
    assert detect_tier() == "unavailable"
    with pytest.raises(SandboxUnavailable):
        run_calls("def f(x):\n    return x\n", "f", [{"args": [1]}])
    monkeypatch.setenv("STRIDE_DEBUG", "1")
    assert detect_tier() == "unsafe"


def test_the_unsafe_tier_marks_every_result(monkeypatch):
    monkeypatch.setenv("STRIDE_SANDBOX_TIER", "unsafe")
    monkeypatch.setenv("STRIDE_SANDBOX_ALLOW_UNSAFE", "1")
    monkeypatch.setenv("STRIDE_DEBUG", "1")
    try:
        result = run_calls("def f(x):\n    return x * 2\n", "f", [{"args": [np.arange(3)]}])
    finally:
        sandbox_client.shutdown()
    assert result.status is RunStatus.OK and result.unsafe and result.tier == "unsafe"
    assert "UNSAFE" in result.message
    np.testing.assert_array_equal(result.calls[0].value, [0, 2, 4])


@pytest.fixture
def reduced(monkeypatch):
    if "reduced" not in __import__("grader.sandbox.tiers", fromlist=["x"]).capable_tiers():
        pytest.skip("no seccomp here")
    monkeypatch.setenv("STRIDE_SANDBOX_TIER", "reduced")
    yield
    sandbox_client.shutdown()


def test_the_reduced_tier_runs_a_correct_submission(reduced):
    result = run_calls(
        "import numpy as np\ndef f(x):\n    return np.cumsum(x)\n", "f", [{"args": [np.arange(4)]}]
    )
    assert result.status is RunStatus.OK and result.tier == "reduced"
    np.testing.assert_array_equal(result.calls[0].value, [0, 1, 3, 6])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("import os\n    return os.fork()", "PermissionError"),
        ("import os, signal\n    os.kill(os.getppid(), 0)", "PermissionError"),
        ("return open('/etc/passwd').read()", "PermissionError"),
    ],
)
def test_the_reduced_tier_blocks_forks_signals_and_foreign_files(reduced, body, expected):
    result = run_calls(f"def f(x):\n    {body}\n", "f", [{"args": [1]}])
    assert result.status is RunStatus.OK
    assert expected in result.calls[0].error


def test_the_reduced_tier_kills_sockets_and_loops(reduced):
    src = "import socket\ndef f(x):\n    socket.socket()\n"
    assert run_calls(src, "f", [{"args": [1]}]).status is RunStatus.CRASHED
    loop = "def f(x):\n    while True:\n        pass\n"
    assert run_calls(loop, "f", [{"args": [1]}], Limits(cpu_seconds=1)).status is RunStatus.TIMEOUT
