"""Is a problem sound? The self-check the preview page asks for, run on a worker only.

A code problem's check executes its author's ``tests.py`` and runs the starter code in the
sandbox: ``exercises.bank.tasks.self_check_problem`` calls this in a worker process, and the page
reads the stored result (``authoring.self_check_result``). The other kinds' check is
``grader.selfcheck.check_problem``: the reference answer grades correct on the pinned variant
and 50 seeds, every misconception's answer grades wrong and is diagnosed as that misconception.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import grader.kinds as kinds
from exercises.bank.authoring import Check, SelfCheck
from exercises.models import Problem
from grader import selfcheck
from grader.kinds.code import _load_tests  # the kind's own loader: one exec per text

SELF_CHECK_SEEDS = range(50)
CODE_SEEDS = range(8)


def self_check(problem: Problem, seeds: range = SELF_CHECK_SEEDS) -> SelfCheck:
    """Is the problem sound? Every defect ``grader.selfcheck`` finds becomes a failed check;
    code problems get ``code_self_check``."""
    if problem.kind == "code":
        return code_self_check(problem)
    try:
        problems = selfcheck.check_problem(problem.spec, seeds=seeds)
    except Exception as exc:  # a kind that crashes is a defect of the problem too
        problems = [f"{exc.__class__.__name__}: {exc}"]
    summary = Check(
        f"the reference answer grades correct and every misconception is caught "
        f"(pinned variant and {len(seeds)} seeds)",
        not problems,
        f"{len(problems)} defect(s)" if problems else "",
    )
    return SelfCheck([summary, *(Check(text, False) for text in problems[:30])])


def code_self_check(problem: Problem, seeds: range = CODE_SEEDS) -> SelfCheck:
    """The soundness of a code problem, checked in the worker (no student code involved):

    - its ``tests.py`` builds the cases of the pinned variant and of several seeds, and the
      reference answers every case with finite numbers;
    - each misconception ``variants()`` declares differs from the reference on at least one case
      of every variant (otherwise no test could ever catch it);
    - the starter code, run in the sandbox, does not already earn full marks (skipped, and said
      so, when no sandbox is available here).
    """
    kind = kinds.get_kind("code")
    spec = problem.spec
    checks: list[Check] = []
    try:
        kind.validate_spec(spec)
        namespace = _load_tests(spec["tests_source"])
    except Exception as exc:
        return SelfCheck([Check("the spec and tests.py load", False, str(exc))])
    broken: list[str] = []
    uncaught: dict[str, int] = {}
    variants = namespace.get("variants")
    labels = [None, *seeds]
    for seed in labels:
        label = "pinned" if seed is None else f"seed {seed}"
        try:
            cases = kind._cases(spec, kind.generate(spec, seed))
        except Exception as exc:
            broken.append(f"{label}: {exc}")
            continue
        for case in cases:
            if not np.all(np.isfinite(case["expected"])):
                broken.append(f"{label}: the reference gives non-finite values on {case['name']}")
        if callable(variants):
            caught: set[str] = set()
            for case in cases:
                for key, value in variants(*case["args"], **case["kwargs"]).items():
                    value = np.asarray(value, dtype=np.float64)
                    same = value.shape == case["expected"].shape and np.allclose(
                        value, case["expected"]
                    )
                    if not same:
                        caught.add(key)
                    uncaught.setdefault(key, 0)
            for key in uncaught:
                if key not in caught:
                    uncaught[key] += 1
    checks.append(
        Check(
            f"the tests build and the reference answers every case ({len(labels)} variants)",
            not broken,
            "; ".join(broken[:5]),
        )
    )
    if callable(variants):
        missed = {k: n for k, n in uncaught.items() if n}
        checks.append(
            Check(
                f"each declared misconception ({', '.join(uncaught) or 'none'}) is caught by "
                "at least one case of every variant",
                not missed,
                "; ".join(f"{k} goes unnoticed in {n} variant(s)" for k, n in missed.items()),
            )
        )
    checks.append(_starter_check(kind, spec))
    return SelfCheck(checks)


def _starter_check(kind: Any, spec: dict[str, Any]) -> Check:
    name = "the starter code does not already pass"
    starter = spec.get("starter", "")
    if not starter.strip():
        return Check(name, True, "no starter code")
    try:
        grade = kind.grade(spec, kind.generate(spec, None), starter)
    except Exception as exc:  # SandboxUnavailable and friends: say so, do not fail the author
        return Check(name, True, f"skipped: no sandbox here ({exc.__class__.__name__})")
    return Check(name, grade.score < 1.0, f"the starter scores {grade.score:.0%}")
