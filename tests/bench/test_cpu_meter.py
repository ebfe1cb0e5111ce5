"""The web bench's CPU split: a process reaped during a phase (gunicorn recycles its workers
every few thousand requests) is counted once, not once by itself and again in its parent's
reaped-children figure."""

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


def test_a_child_reaped_during_the_phase_counts_once():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout.readline() == "ready\n"
        with CpuMeter({"web": parent.pid}, "no-such-database") as meter:
            parent.stdin.write("go\n")
            parent.stdin.flush()
            assert parent.stdout.readline() == "reaped\n"
            time.sleep(0.6)  # a sample after the reap
        # The child's second, plus a little of the parent's own; twice that before the fix.
        assert 0.9 <= meter.seconds["web"] < 1.5, meter.seconds
    finally:
        parent.kill()
        parent.wait()
