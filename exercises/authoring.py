"""What an author checks before students see a problem: any variant rendered, its reference
answer, what each declared misconception would answer (and how the grader then diagnoses it),
and a self-check that the problem is sound.

Everything goes through the problem kind's own interface (``grader.kinds``): ``generate``,
``expected(spec, params)``, ``wrong_answers(spec, params)`` (``{misconception key: answer}``) and
``grade``; the self-check is ``grader.selfcheck.check_problem`` (the reference answer grades
correct on the pinned variant and 50 seeds, every misconception's answer grades wrong and is
diagnosed as that misconception).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grader.kinds as kinds
from exercises.models import Problem
from exercises.rendering import markdown_to_html

SELF_CHECK_SEEDS = range(50)


@dataclass
class Misconception:
    key: str
    answer: Any
    title: str = ""
    verdict: str | None = None
    diagnosed_as: str | None = None
    message: str = ""


@dataclass
class Preview:
    problem: Problem
    seed: int | None
    params: dict[str, Any]
    statement_html: str
    expected: Any = None
    has_expected: bool = False
    misconceptions: list[Misconception] = field(default_factory=list)
    error: str | None = None


@dataclass
class Check:
    name: str
    ok: bool
    message: str = ""


@dataclass
class SelfCheck:
    checks: list[Check]
    available: bool = True

    @property
    def sound(self) -> bool:
        return self.available and all(c.ok for c in self.checks)


def _render(statement: str, params: dict[str, Any]) -> str:
    return markdown_to_html(kinds.render_statement(statement, params))


def preview_problem(problem: Problem, seed: int | None) -> Preview:
    """Render one variant; a kind that raises is reported on the page, not as a 500."""
    try:
        kind = kinds.get_kind(problem.kind)
        params = kind.generate(problem.spec, seed)
    except Exception as exc:
        return Preview(problem, seed, {}, "", error=f"{exc.__class__.__name__}: {exc}")
    preview = Preview(problem, seed, params, _render(problem.statement, params))
    try:
        expected = kind.expected(problem.spec, params)
        if problem.kind == "code":
            # Whole output arrays would bury the page: show each case's output shape.
            import numpy as np

            expected = {name: list(np.shape(out)) for name, out in expected.items()}
        preview.expected = expected
        preview.has_expected = True
        for key, answer in kind.wrong_answers(problem.spec, params).items():
            item = Misconception(key=str(key), answer=answer)
            grade = kind.grade(problem.spec, params, answer)
            diagnosis = grade.feedback.get("misconception") or {}
            item.verdict = grade.verdict.value
            item.diagnosed_as = diagnosis.get("key")
            item.title = str(diagnosis.get("title") or key)
            item.message = grade.message
            preview.misconceptions.append(item)
    except Exception as exc:
        preview.error = f"{exc.__class__.__name__}: {exc}"
    return preview


def self_check(problem: Problem, seeds: range = SELF_CHECK_SEEDS) -> SelfCheck:
    """Is the problem sound? Every defect ``grader.selfcheck`` finds becomes a failed check;
    code problems get ``code_self_check``."""
    if problem.kind == "code":
        return code_self_check(problem)
    try:
        from grader import selfcheck
    except ImportError:
        return SelfCheck([Check("self-check", False, "grader.selfcheck is missing")], False)
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


CODE_SEEDS = range(8)


def code_self_check(problem: Problem, seeds: range = CODE_SEEDS) -> SelfCheck:
    """The soundness of a code problem, checked in the worker (no student code involved):

    - its ``tests.py`` builds the cases of the pinned variant and of several seeds, and the
      reference answers every case with finite numbers;
    - each misconception ``variants()`` declares differs from the reference on at least one case
      of every variant (otherwise no test could ever catch it);
    - the starter code, run in the sandbox, does not already earn full marks (skipped, and said
      so, when no sandbox is available here).
    """
    import numpy as np

    from grader.kinds.code import _load_tests  # the kind's own loader: one exec per text

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
