"""Reference CNN (``grader/reference.py``) against ``torch.nn.functional``, side by side.

Run: ``make bench BENCH_ARGS=reference`` (or ``python -m bench reference`` with torch==2.13.0).

Method: float64, one thread for both (threadpoolctl caps NumPy's OpenBLAS, and
``torch.set_num_threads(1)``). Every case is timed in interleaved rounds: one block of ours,
then one block of torch, round after round, so that load from other processes on this shared
2-core machine hits both alike; each block's mean per-call time is one sample, and the table
shows the median over rounds. A round during which other processes used more than 10 % of the
machine (read from /proc/stat) is rerun, up to 3 times, keeping the quietest attempt; the
"others" column shows how busy the machine still was, so a loaded run can be recognised (the
absolute target below suffers most from a busy machine: rerun when it fails with "others" high).

Targets: conv2d <= 1.5x torch, except the lecture-sized layer, whose
target is absolute (<= 20 us per call: call overhead dominates there); max-pool <= 1.0x and
avg-pool <= 2.5x torch.

The fifth conv layer is (32,16,29,29) with stride 2 / pad 2, not 28x28: (28 - 5 + 4)/2 + 1 = 14.5
does not fit, our reference raises and torch floors. Likewise the 3x3/stride-2 pooling rows use a
55x55 input, since (56 - 3)/2 + 1 = 27.5 does not fit.

A second table repeats the cases in float32 mode (a float32 x keeps the whole call in float32),
whose target is conv <= 5x torch (torch's float32 path is oneDNN).

A third table sweeps stride-1 layers over the input channel count to show where the flat-shift
scheme overtakes im2col; ``reference.uses_flat_shift`` (its rule and threshold) was set from it.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from grader import reference as ref

ROUNDS = 7
BLOCK_SECONDS = 0.08  # target duration of one timed block
BUSY_LIMIT = 0.10  # rerun a round if other processes used more than this share of the machine
RETRIES = 3


@dataclass
class Case:
    name: str
    ours: Callable[[], np.ndarray]
    theirs: Callable[[], np.ndarray]
    ops: float  # floating-point operations (conv: 2 per MAC; pooling: 1 per window element)
    target: str  # "ratio<=1.5" or "abs<=20us"
    note: str = ""


def _reps_for(fn: Callable[[], object]) -> int:
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, min(20000, int(BLOCK_SECONDS / once)))


def _machine_busy_seconds() -> float:
    """CPU seconds all processes have used so far (Linux /proc/stat; 0 where it is missing)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _block(fn: Callable[[], object], reps: int) -> tuple[float, float]:
    """(seconds per call, share of the machine other processes used meanwhile)."""
    busy0, own0, start = _machine_busy_seconds(), time.process_time(), time.perf_counter()
    for _ in range(reps):
        fn()
    wall = time.perf_counter() - start
    others = _machine_busy_seconds() - busy0 - (time.process_time() - own0)
    return wall / reps, max(0.0, others) / (wall * (os.cpu_count() or 1))


def _time_pair(a: Callable[[], object], b: Callable[[], object]) -> tuple[float, float, float]:
    """Median per-call seconds of a and b over interleaved rounds, and the median share of the
    machine other processes used during the kept rounds.

    The machine is shared: a round during which other processes used more than
    BUSY_LIMIT of it is run again (up to RETRIES times; the quietest attempt is kept).
    """
    ra, rb = _reps_for(a), _reps_for(b)
    sa, sb, busy = [], [], []
    for _ in range(ROUNDS):
        best: tuple[float, float, float] | None = None
        for _ in range(1 + RETRIES):
            (ta, ba), (tb, bb) = _block(a, ra), _block(b, rb)
            if best is None or max(ba, bb) < best[2]:
                best = (ta, tb, max(ba, bb))
            if best[2] <= BUSY_LIMIT:
                break
        sa.append(best[0])
        sb.append(best[1])
        busy.append(best[2])
    return statistics.median(sa), statistics.median(sb), statistics.median(busy)


def _cases(torch: object, rng: np.random.Generator, dtype: type = np.float64) -> list[Case]:
    F = torch.nn.functional  # type: ignore[attr-defined]
    cases: list[Case] = []
    conv_target = "ratio<=1.5" if dtype == np.float64 else "ratio<=5.0"
    convs = [
        ((1, 3, 7, 7), (1, 3, 3, 3), 1, 0, "abs<=20us", "lecture-sized"),
        ((1, 3, 32, 32), (10, 3, 5, 5), 1, 2, conv_target, ""),
        ((16, 3, 32, 32), (32, 3, 3, 3), 1, 1, conv_target, ""),
        ((8, 64, 56, 56), (64, 64, 3, 3), 1, 1, conv_target, "flat-shift"),
        ((32, 16, 29, 29), (32, 16, 5, 5), 2, 2, conv_target, "29x29: 28 does not fit"),
    ]
    for xs, ws, s, p, target, note in convs:
        x, w = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype)
        b = rng.standard_normal(ws[0]).astype(dtype)
        tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))  # type: ignore[attr-defined]
        ho = ref.conv_output_size(xs[2], ws[2], s, p)
        wo = ref.conv_output_size(xs[3], ws[3], s, p)
        ops = 2.0 * xs[0] * ws[0] * ho * wo * ws[1] * ws[2] * ws[3]
        cases.append(
            Case(
                f"conv {xs}x{ws} s{s} p{p}",
                lambda x=x, w=w, b=b, s=s, p=p: ref.conv2d(x, w, b, s, p),
                lambda tx=tx, tw=tw, tb=tb, s=s, p=p: F.conv2d(tx, tw, tb, stride=s, padding=p),
                ops,
                target,
                note,
            )
        )
    for kind, ours, theirs, target in (
        ("max", ref.max_pool2d, F.max_pool2d, "ratio<=1.0"),
        ("avg", ref.avg_pool2d, F.avg_pool2d, "ratio<=2.5"),
    ):
        for k, hw in ((2, 56), (3, 55)):
            x = rng.standard_normal((16, 64, hw, hw)).astype(dtype)
            tx = torch.from_numpy(x)  # type: ignore[attr-defined]
            out = ref.pool_output_size(hw, k, 2)
            note = "55x55: 56 does not fit" if hw == 55 else ""
            cases.append(
                Case(
                    f"{kind}pool (16, 64, {hw}, {hw}) {k}x{k} s2",
                    lambda x=x, k=k, ours=ours: ours(x, k, 2),
                    lambda tx=tx, k=k, theirs=theirs: theirs(tx, k, 2),
                    16.0 * 64 * out * out * k * k,
                    target,
                    note,
                )
            )
    return cases


def _verdict(target: str, ours: float, ratio: float) -> bool:
    kind, limit = target.split("<=")
    if kind == "abs":
        return ours <= float(limit.removesuffix("us")) * 1e-6
    return ratio <= float(limit)


def _flat_shift_sweep(rng: np.random.Generator) -> None:
    print("\nstride-1 conv, im2col vs flat-shift (float64, 1 thread, median ms):\n")
    print(f"| {'layer':44} | {'im2col':>8} | {'flat':>8} | {'flat/im2col':>11} | {'uses':>6} |")
    print(f"|{'-' * 46}|{'-' * 10}:|{'-' * 10}:|{'-' * 13}:|{'-' * 8}:|")
    layers = [((1, 3, 32, 32), (10, 3, 5, 5), 2), ((16, 3, 32, 32), (32, 3, 3, 3), 1)]
    layers += [((8, c, 28, 28), (c, c, 3, 3), 1) for c in (4, 8, 12, 16, 24, 32, 64)]
    layers += [((8, c, 28, 28), (64, c, 3, 3), 1) for c in (8, 12, 16)]
    layers += [((8, c, 28, 28), (c, c, 5, 5), 2) for c in (8, 12, 16)]
    layers += [((16, 16, 14, 14), (32, 16, 3, 3), 1), ((8, 64, 56, 56), (64, 64, 3, 3), 1)]
    for xs, ws, p in layers:
        x, w = rng.standard_normal(xs), rng.standard_normal(ws)
        ho, wo = xs[2] + 2 * p - ws[2] + 1, xs[3] + 2 * p - ws[3] + 1
        t_col, t_flat, _ = _time_pair(
            lambda x=x, w=w, p=p, ho=ho, wo=wo: ref._conv_im2col(x, w, 1, p, ho, wo),
            lambda x=x, w=w, p=p, ho=ho, wo=wo: ref._conv_flat_shift(x, w, p, ho, wo),
        )
        uses = "flat" if ref.uses_flat_shift(xs[1], ws[0], 1) else "im2col"
        label = f"{xs}x{ws} p{p}"
        print(
            f"| {label:44} | {t_col * 1e3:8.3f} | {t_flat * 1e3:8.3f} | "
            f"{t_flat / t_col:11.2f} | {uses:>6} |"
        )


def main() -> None:
    import torch

    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        print(f"WARNING: OPENBLAS_CORETYPE={coretype} is set; OpenBLAS may run slower kernels")
    rng = np.random.default_rng(2026)
    torch.set_num_threads(1)
    with threadpool_limits(limits=1), torch.inference_mode():
        _table(torch, rng, np.float64)
        print(
            "\nfloat32 mode (a float32 x keeps the call in float32; the target for it: "
            "conv <= 5x torch, whose float32 path is oneDNN):\n"
        )
        _table(torch, rng, np.float32)
        _flat_shift_sweep(rng)


def _table(torch: object, rng: np.random.Generator, dtype: type) -> None:
    print(
        f"{np.dtype(dtype).name}, 1 thread, median of {ROUNDS} interleaved rounds; "
        f"numpy {np.__version__}, torch {torch.__version__}\n"  # type: ignore[attr-defined]
    )
    header = (
        f"| {'case':50} | {'ours ms':>9} | {'torch ms':>9} | {'ratio':>6} | "
        f"{'target':>11} | {'GFLOP/s':>7} | {'max|diff|':>9} | {'others':>6} | {'':4} | note"
    )
    print(header)
    print(
        f"|{'-' * 52}|{'-' * 10}:|{'-' * 10}:|{'-' * 7}:|{'-' * 12}:|"
        f"{'-' * 8}:|{'-' * 10}:|{'-' * 7}:|{'-' * 6}|------"
    )
    failures = 0
    for case in _cases(torch, rng, dtype):
        diff = float(np.max(np.abs(case.ours() - case.theirs().numpy())))
        t_ours, t_torch, busy = _time_pair(case.ours, case.theirs)
        ratio = t_ours / t_torch
        ok = _verdict(case.target, t_ours, ratio)
        failures += not ok
        print(
            f"| {case.name:50} | {t_ours * 1e3:9.4f} | {t_torch * 1e3:9.4f} | "
            f"{ratio:6.2f} | {case.target:>11} | {case.ops / t_ours / 1e9:7.2f} | "
            f"{diff:9.1e} | {busy:6.0%} | {'PASS' if ok else 'FAIL'} | {case.note}"
        )
    print(
        f"\n{failures} case(s) outside target. 'others': median share of the machine that other "
        f"processes used during the kept rounds (rounds above {BUSY_LIMIT:.0%} were rerun up to "
        f"{RETRIES} times)."
    )
