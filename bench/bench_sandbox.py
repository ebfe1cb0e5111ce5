"""Sandbox overhead per submission against a fresh ``python -c "import numpy"`` subprocess, and
optionally against the sandbox of another checkout, side by side in the same run.

Run: ``make bench BENCH_ARGS=sandbox`` (or ``python -m bench sandbox``). With
``BENCH_SANDBOX_BASELINE=<checkout>`` (e.g. a clone of ``main`` in /tmp) a second process runs
that checkout's ``grader.sandbox`` (its own zygote) with this venv's interpreter, and every
round times both sandboxes and the baseline subprocess, in an order that alternates per round,
so that noise from the shared machine hits all alike: compare the ratios.

Rounds: half of them are preceded by 50 ms of untimed idle, as a grading worker sees sparse
tasks (between two tasks it also writes to the database). A second series runs trivial
submissions back to back, with nothing in between, the worst case for work the zygote does
between runs. Per run it also reports the CPU time spent by the worker's side, the zygote and
the run's process (the zygote's own and its reaped children's, from ``/proc``), from the start
of the run to the start of the next one of the same sandbox: the zygote reaps a run and forks
the next run's process after the worker has its result. Load inflates CPU times less than
wall-clock times. ``BENCH_SANDBOX_ROUNDS`` (default 100) makes shorter runs.

Targets, with the isolation between runs in place (the zygote never holds a student's bytes,
one case at a time): trivial submission median <= 8 ms, p95 <= 15 ms, >= 5x faster than the
baseline. Also times a conv2d submission with 4 cases (1x3x32x32 input, 8 filters 3x3) against
the same four calls made in-process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROUNDS = int(os.environ.get("BENCH_SANDBOX_ROUNDS", "100"))
BURSTS, BURST = max(1, ROUNDS // 3), 5
TRIVIAL = "def f(x):\n    return x\n"
CONV2D = """
import numpy as np

def conv2d(x, w, b, stride=1, pad=0):
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - hh) // stride + 1
    wo = (wd + 2 * pad - ww) // stride + 1
    cols = np.empty((n, c, hh, ww, ho, wo))
    for i in range(hh):
        for j in range(ww):
            cols[:, :, i, j] = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
    return np.einsum("nchwij,fchw->nfij", cols, w) + b[None, :, None, None]
"""

# What runs in each sandbox's process (this one, and the baseline checkout's helper): one timed
# submission per command read on stdin, answered as one JSON line. Written against the API that
# every checkout has (run_calls, client.current), so that any two can be compared.
RUNNER = r'''
import json, os, sys, time
import numpy as np
from grader.sandbox import RunStatus, run_calls
from grader.sandbox import client as sandbox_client

TICK = os.sysconf("SC_CLK_TCK")


def zygote_cpu():
    """The zygote's CPU seconds, its own and its reaped children's (every run's process)."""
    zyg = sandbox_client.current()
    if zyg is None or zyg.pid is None:
        return 0.0
    with open(f"/proc/{zyg.pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICK


def conv_cases():
    rng = np.random.default_rng(0)
    return [
        {
            "args": [
                rng.standard_normal((1, 3, 32, 32)),
                rng.standard_normal((8, 3, 3, 3)),
                rng.standard_normal(8),
            ],
            "kwargs": {"stride": 1, "pad": 1},
        }
        for _ in range(4)
    ]


def timed(kind, trivial, conv):
    """The run's wall time, and the CPU seconds this process and the zygote (with its reaped
    children) had used when it started: a run's process may be reaped, and the spare for the
    next one forked, after the run returned, so a run's CPU is the difference to the next
    run's start (``cpu_per_run``)."""
    source, entry, calls = (trivial, "f", [{"args": [1]}]) if kind == "trivial" else (
        conv, "conv2d", conv_cases())
    cpu_at_start = (time.process_time() + zygote_cpu()) * 1000
    start = time.perf_counter()
    result = run_calls(source, entry, calls)
    elapsed = (time.perf_counter() - start) * 1000
    if result.status is not RunStatus.OK or not all(c.ok for c in result.calls):
        raise SystemExit(f"benchmark submission failed: {result.status} {result.message}")
    return {"ms": elapsed, "cpu_at_start": cpu_at_start, "kind": kind}
'''
HELPER = (
    RUNNER
    + r"""
import grader
trivial, conv = json.loads(sys.argv[1])
print(json.dumps({"grader": grader.__file__}), flush=True)
for line in sys.stdin:
    print(json.dumps(timed(line.strip(), trivial, conv)), flush=True)
"""
)


class Sandbox:
    """A sandbox to time: a checkout's ``grader.sandbox`` in a helper process of its own (this
    checkout's too, so that both are measured alike: the worker's CPU is the helper's only)."""

    def __init__(self, checkout: str, name: str) -> None:
        self.checkout, self.name = checkout, name
        self.last: dict[str, Any] | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HELPER, json.dumps([TRIVIAL, CONV2D])],
            cwd=checkout,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        where = json.loads(self.proc.stdout.readline())["grader"]
        if not os.path.realpath(where).startswith(os.path.realpath(checkout) + os.sep):
            raise SystemExit(f"the baseline imported {where}, not {checkout}'s grader")

    def run(self, kind: str) -> dict[str, Any]:
        """One timed run; the run before it gets its ``cpu_ms`` (see ``timed``)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(kind + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name}: the helper died")
        result = json.loads(line)
        if self.last is not None:
            self.last["cpu_ms"] = result["cpu_at_start"] - self.last["cpu_at_start"]
        self.last = result
        return result

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed_baseline() -> float:
    from grader.sandbox.tiers import minimal_env

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy"], env=minimal_env(), check=True)
    return (time.perf_counter() - start) * 1000


def in_process() -> float:
    namespace: dict = {}
    exec(CONV2D, namespace)  # our own benchmark code
    rng = np.random.default_rng(0)
    x, w, b = (
        rng.standard_normal((1, 3, 32, 32)),
        rng.standard_normal((8, 3, 3, 3)),
        rng.standard_normal(8),
    )
    start = time.perf_counter()
    for _ in range(4):
        namespace["conv2d"](x, w, b, stride=1, pad=1)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from grader.sandbox import detect_tier

    tier = detect_tier()
    load_before = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    baseline_checkout = os.environ.get("BENCH_SANDBOX_BASELINE")
    here = str(Path(__file__).resolve().parents[1])
    boxes = [Sandbox(here, "this checkout")]
    if baseline_checkout:
        boxes.append(Sandbox(baseline_checkout, f"baseline {baseline_checkout}"))
    names = [b.name for b in boxes]
    trivial: dict[str, list[dict]] = {n: [] for n in names}
    conv: dict[str, list[dict]] = {n: [] for n in names}
    burst: dict[str, list[dict]] = {n: [] for n in names}
    base, direct = [], []
    try:
        for box in boxes:  # start the zygotes, warm both paths
            box.run("trivial")
            box.run("conv")
        for i in range(ROUNDS):
            order = boxes if i % 2 == 0 else boxes[::-1]
            for box in order:
                if i % 2:
                    time.sleep(0.05)
                trivial[box.name].append(box.run("trivial"))
            if i % 2:
                time.sleep(0.05)
            base.append(timed_baseline())
            if i % 4 == 0:
                for box in order:
                    time.sleep(0.05)
                    conv[box.name].append(box.run("conv"))
                direct.append(in_process())
        for i in range(BURSTS):
            for box in boxes if i % 2 == 0 else boxes[::-1]:
                time.sleep(0.05)
                burst[box.name] += [box.run("trivial") for _ in range(BURST)]
    finally:
        for box in boxes:
            box.close()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"tier: {tier}; {ROUNDS} rounds of one trivial run per sandbox and one baseline")
    print(f"subprocess; {len(direct)} conv2d runs per sandbox; {BURSTS} bursts of {BURST} trivial")
    print(f"runs back to back. Load average before/after: {load_before} / {load}, {os.cpu_count()}")
    print(f"CPUs. Sandboxes: {'; '.join(names)}.\n")
    print_table(names, trivial, conv, burst, base, direct)


def print_table(
    names: list[str],
    trivial: dict[str, list[dict]],
    conv: dict[str, list[dict]],
    burst: dict[str, list[dict]],
    base: list[float],
    direct: list[float],
) -> None:
    """One column per sandbox (this checkout first), their ratio, and the targets."""
    two = len(names) == 2
    columns = ["this checkout", "baseline", "ratio"] if two else ["this checkout"]
    print("| metric | " + " | ".join(columns) + " | target | result |")
    print("|---" * (len(columns) + 3) + "|")

    def row(metric: str, values: list[float], unit: str, target: str = "", ok: Any = None):
        cells = [f"{v:.1f}{unit}" for v in values]
        if two:
            cells.append(f"{values[0] / values[1]:.2f}" if values[1] else "-")
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"| {metric} | " + " | ".join(cells) + f" | {target} | {verdict} |")

    def of(series: dict[str, list[dict]], key: str = "ms") -> list[list[float]]:
        return [[r[key] for r in series[n] if key in r] for n in names]

    med = [statistics.median(v) for v in of(trivial)]
    p95 = [pct(v, 0.95) for v in of(trivial)]
    bmed = statistics.median(base)
    row("trivial submission, median (ms)", med, "", "<= 8", med[0] <= 8)
    row("trivial submission, p95 (ms)", p95, "", "<= 15", p95[0] <= 15)
    row(
        "python -c 'import numpy' / trivial (medians)",
        [bmed / m for m in med],
        "x",
        ">= 5x",
        bmed / med[0] >= 5,
    )
    row("trivial, CPU per run, mean (ms)", [statistics.mean(v) for v in of(trivial, "cpu_ms")], "")
    row("trivial back to back, median (ms)", [statistics.median(v) for v in of(burst)], "")
    row("trivial back to back, p95 (ms)", [pct(v, 0.95) for v in of(burst)], "")
    row("conv2d 4 cases, median (ms)", [statistics.median(v) for v in of(conv)], "")
    row("conv2d 4 cases, p95 (ms)", [pct(v, 0.95) for v in of(conv)], "")
    row(
        "conv2d 4 cases, CPU per run, mean (ms)",
        [statistics.mean(v) for v in of(conv, "cpu_ms")],
        "",
    )
    dmed = statistics.median(direct)
    print(f"\npython -c 'import numpy': median {bmed:.1f} ms; conv2d in-process: {dmed:.1f} ms")
