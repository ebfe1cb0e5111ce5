"""The web process's threads and waits come from one rule (``config.serving``): all but four
threads may wait for a grade, so that four always serve; fewer than eight threads, half."""

from __future__ import annotations

import pytest

from config import serving


@pytest.mark.parametrize(
    ("threads", "waits"),
    [(None, 16), ("20", 16), ("32", 28), ("8", 4), ("4", 2), ("2", 1), ("1", 1)],
)
def test_all_but_four_threads_may_wait(monkeypatch, threads, waits):
    monkeypatch.delenv("STRIDE_MAX_WAITS_PER_PROCESS", raising=False)
    if threads is None:
        monkeypatch.delenv("STRIDE_WEB_THREADS", raising=False)
    else:
        monkeypatch.setenv("STRIDE_WEB_THREADS", threads)
    assert serving.max_waits() == waits


def test_the_waits_can_be_set_alone(monkeypatch):
    monkeypatch.setenv("STRIDE_WEB_THREADS", "20")
    monkeypatch.setenv("STRIDE_MAX_WAITS_PER_PROCESS", "0")
    assert serving.max_waits() == 0
