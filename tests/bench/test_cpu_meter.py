"""The web bench's CPU split: a process reaped during a phase (gunicorn recycles its workers
every few thousand requests) is counted once, not once by itself and again in its parent's
reaped-children figure; a side may have several roots (the Locust processes); the processes a
side started during the phase are counted."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.bench_web import CpuMeter

# A parent that forks a child burning about a second of CPU, reaps it, then idles.
PARENT = """
import os, sys, time
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
pid = os.fork()
if pid == 0:
    start = time.process_time()
    while time.process_time() - start < 1.0:
        pass
    os._exit(0)
os.waitpid(pid, 0)
sys.stdout.write("reaped\\n"); sys.stdout.flush()
time.sleep(30)
"""


def _meter_a_parent_reaping_its_child(settle: float) -> CpuMeter:
    """A CpuMeter over ``PARENT`` (the web side's root) while it forks, reaps and idles, closed
    ``settle`` seconds after the reap."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout.readline() == "ready\n"
        with CpuMeter({"web": parent.pid}, "no-such-database") as meter:
            parent.stdin.write("go\n")
            parent.stdin.flush()
            assert parent.stdout.readline() == "reaped\n"  # its child lived a second
            time.sleep(settle)
        return meter
    finally:
        parent.kill()
        parent.wait()


def test_a_child_reaped_during_the_phase_counts_once():
    meter = _meter_a_parent_reaping_its_child(settle=0.6)  # a sample after the reap
    # The child's second, plus a little of the parent's own; twice that before the fix.
    assert 0.9 <= meter.seconds["web"] < 1.5, meter.seconds


# Burns about half a second of CPU once told to, then idles.
BURNER = """
import sys, time
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
start = time.process_time()
while time.process_time() - start < 0.5:
    pass
sys.stdout.write("done\\n"); sys.stdout.flush()
time.sleep(30)
"""


def test_a_side_with_several_roots_counts_each_of_them():
    burners = [
        subprocess.Popen(
            [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        for burner in burners:
            assert burner.stdout.readline() == "ready\n"
        roots = {"load": tuple(b.pid for b in burners)}
        with CpuMeter(roots, "no-such-database") as meter:
            for burner in burners:
                burner.stdin.write("go\n")
                burner.stdin.flush()
            for burner in burners:
                assert burner.stdout.readline() == "done\n"
        assert 0.9 <= meter.seconds["load"] < 1.5, meter.seconds
        assert meter.new_processes("load") == 0  # both were there at the start
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_a_process_started_during_the_phase_is_counted_as_started():
    meter = _meter_a_parent_reaping_its_child(settle=0.0)
    assert meter.new_processes("web") == 1
    assert meter.new_processes("web", "no-such-command") == 0
    assert meter.new_processes("load") == 0
