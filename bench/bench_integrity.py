"""The integrity report's analysis of one code problem: 500 conv2d submissions in <= 10 s.

Run: ``make bench BENCH_ARGS=integrity`` (or ``python -m bench integrity``).

The cohort: the 25 hand-written conv2d solutions of ``tests/integrity/conv2d_cohort/``, each
served to about 20 students who rename every identifier of their own and add one to three
lines of their own, with identical wrong outputs on some hidden cases for a few, and a matrix
answer per student for the leak check. That is harder than a real cohort (20-odd near-copies
of each solution share many fingerprints, so the inverted index does the most work).

Phases, timed in one process as a Celery worker would run them: fingerprinting every
submission; ranking every pair (starter and common fingerprints dropped, Jaccard through the
inverted index, evidence terms, top 200 pairs built); the leak check of every answer. The
baseline column is the plain way to compare all pairs (a Python set intersection per pair), for
the pair phase only; the table shows the median of ``ROUNDS`` runs and the ratio.
"""

from __future__ import annotations

import io
import keyword
import random
import statistics
import time
import tokenize
from pathlib import Path

import numpy as np

from exercises.integrity.evidence import CaseOutcome, Submission, analyse_problem
from exercises.integrity.fingerprints import fingerprint
from exercises.integrity.leaks import find_leaks

ROOT = Path(__file__).resolve().parents[1]
COHORT = ROOT / "tests" / "integrity" / "conv2d_cohort"
STARTER = ROOT / "exercises" / "content" / "implement-conv2d" / "starter.py"
STUDENTS = 500
ROUNDS = 3
TARGET_SECONDS = 10.0


def _renamed(source: str, rng: random.Random) -> str:
    """``source`` with every non-keyword identifier given a student's own name."""
    names: dict[str, str] = {}
    out = []
    previous = ""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if (
            tok.type == tokenize.NAME
            and not keyword.iskeyword(text)
            and previous != "."
            and text not in {"np", "numpy", "range", "len", "zip", "float", "int", "conv2d"}
        ):
            text = names.setdefault(text, f"{text}_{rng.randrange(10**6)}")
        out.append((tok.type, text))
        previous = tok.string
    return tokenize.untokenize(out)


def _with_own_lines(source: str, rng: random.Random) -> str:
    lines = source.splitlines()
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(4, len(lines))
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at, f"{indent}check_{rng.randrange(99)} = {rng.randrange(99)}  # mine")
    return "\n".join(lines) + "\n"


def cohort(seed: int = 0) -> tuple[list[Submission], dict, dict]:
    rng = random.Random(seed)
    templates = [p.read_text(encoding="utf-8") for p in sorted(COHORT.glob("*.py"))]
    subs, answers, expected = [], {}, {}
    for i in range(STUDENTS):
        student = f"student{i:03d}"
        source = _with_own_lines(_renamed(templates[i % len(templates)], rng), rng)
        outcomes = {}
        if i % 25 == 0:  # a few students share a wrong output on two hidden cases
            outcomes = {
                f"hidden-{c}": CaseOutcome(False, f"digest-{i // 50}-{c}", "flipped-kernel")
                for c in (1, 2)
            }
        subs.append(Submission(student, source, float(i * 37), outcomes))
        expected[student] = (np.arange(25).reshape(5, 5) + i).tolist()  # one map per variant
    for i, student in enumerate(expected):  # every 40th student copies the next one's map
        answers[student] = [expected[student] if i % 40 else expected[f"student{i + 1:03d}"]]
    return subs, answers, expected


def _naive_pairs(prints: list[frozenset[int]]) -> int:
    shared = 0
    for i in range(len(prints)):
        for j in range(i + 1, len(prints)):
            shared += len(prints[i] & prints[j])
    return shared


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    subs, answers, expected = cohort()
    starter = STARTER.read_text(encoding="utf-8")
    rows: dict[str, list[float]] = {"fingerprint": [], "pairs": [], "leaks": [], "naive": []}
    total: list[float] = []
    for _ in range(ROUNDS):
        t_fp, prints = _timed(lambda: {s.student: fingerprint(s.source) for s in subs})
        t_pairs, report = _timed(
            lambda prints=prints: analyse_problem("implement-conv2d", subs, starter, prints=prints)
        )
        t_leaks, leaks = _timed(lambda: find_leaks("matrix", answers, expected))
        kept = [prints[s.student].hashes for s in sorted(subs, key=lambda s: s.student)]
        t_naive, _ = _timed(lambda kept=kept: _naive_pairs(kept))
        rows["fingerprint"].append(t_fp)
        rows["pairs"].append(t_pairs)
        rows["leaks"].append(t_leaks)
        rows["naive"].append(t_naive)
        total.append(t_fp + t_pairs + t_leaks)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"{STUDENTS} conv2d submissions, {len(report.pairs)} pairs kept, {len(leaks)} leaks")
    print(f"median of {ROUNDS} rounds, one process\n")
    print(f"{'phase':<34}{'ours (s)':>10}{'baseline (s)':>14}{'ratio':>8}")
    print(f"{'fingerprint (tokenise, winnow)':<34}{med['fingerprint']:>10.3f}{'':>14}{'':>8}")
    print(
        f"{'rank all pairs (index, evidence)':<34}{med['pairs']:>10.3f}"
        f"{med['naive']:>14.3f}{med['pairs'] / med['naive']:>8.2f}"
    )
    print(f"{'leak check (every answer)':<34}{med['leaks']:>10.3f}{'':>14}{'':>8}")
    whole = statistics.median(total)
    verdict = "ok" if whole <= TARGET_SECONDS else "OVER TARGET"
    target = f"target <= {TARGET_SECONDS:g} s: {verdict}"
    print(f"{'whole analysis':<34}{whole:>10.3f}{'':>14}{'':>8}  {target}")
    print("\nbaseline: a Python set intersection per pair (similarity counts only, no evidence)")
