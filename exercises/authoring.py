"""What an author checks before students see a problem: any variant rendered, its reference
answer, what each declared misconception would answer, and a self-check that the problem is
sound (the reference answer grades correct on many variants; no misconception's answer does).

Everything goes through the problem kind's own interface (``grader.kinds``): ``generate``,
``grade``, and where the kind offers them ``expected(spec, params)`` and
``wrong_answers(spec, params)`` (a list of ``{"key", "title", "answer"}``). Code problems are
checked by ``grader.selfcheck`` when that module exists (it runs the problem's tests against
its reference solution in the sandbox).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import grader.kinds as kinds
from exercises.models import Problem
from exercises.rendering import markdown_to_html

SELF_CHECK_SEEDS: tuple[int | None, ...] = (None, *range(1, 25))


@dataclass
class Misconception:
    key: str
    title: str
    answer: Any
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
    render = getattr(kinds, "render_statement", None)
    text = render(statement, params) if render else statement
    return markdown_to_html(text)


def preview_problem(problem: Problem, seed: int | None) -> Preview:
    """Render one variant; a kind that raises is reported, not a 500."""
    kind = kinds.get_kind(problem.kind)
    try:
        params = kind.generate(problem.spec, seed)
    except Exception as exc:
        return Preview(problem, seed, {}, "", error=f"generate failed: {exc}")
    preview = Preview(problem, seed, params, _render(problem.statement, params))
    try:
        if hasattr(kind, "expected"):
            preview.expected = kind.expected(problem.spec, params)
            preview.has_expected = True
        for wrong in getattr(kind, "wrong_answers", lambda s, p: [])(problem.spec, params):
            item = Misconception(
                key=str(wrong.get("key")),
                title=str(wrong.get("title", wrong.get("key"))),
                answer=wrong.get("answer"),
            )
            grade = kind.grade(problem.spec, params, item.answer)
            item.verdict = grade.verdict.value
            item.diagnosed_as = (grade.feedback.get("misconception") or {}).get("key")
            item.message = grade.message
            preview.misconceptions.append(item)
    except Exception as exc:
        preview.error = f"{exc.__class__.__name__}: {exc}"
    return preview


def self_check(problem: Problem, seeds: tuple[int | None, ...] = SELF_CHECK_SEEDS) -> SelfCheck:
    """Is the problem sound? See the module docstring for what is checked."""
    kind = kinds.get_kind(problem.kind)
    if problem.kind == "code" or not hasattr(kind, "expected"):
        return _external_self_check(problem)
    checks: list[Check] = []
    failures: list[str] = []
    collisions: list[str] = []
    undiagnosed: list[str] = []
    for seed in seeds:
        label = "pinned" if seed is None else f"seed {seed}"
        try:
            params = kind.generate(problem.spec, seed)
            expected = kind.expected(problem.spec, params)
            grade = kind.grade(problem.spec, params, expected)
        except Exception as exc:
            failures.append(f"{label}: {exc.__class__.__name__}: {exc}")
            continue
        if grade.score < 1.0:
            failures.append(f"{label}: the reference answer {expected!r} scored {grade.score}")
        for wrong in getattr(kind, "wrong_answers", lambda s, p: [])(problem.spec, params):
            answer = wrong.get("answer")
            if answer == expected:
                # Some variants make a misconception harmless (e.g. padding 0); not a defect.
                continue
            result = kind.grade(problem.spec, params, answer)
            if result.score >= 1.0:
                collisions.append(f"{label}: {wrong.get('key')} answer {answer!r} grades correct")
            diagnosed = (result.feedback.get("misconception") or {}).get("key")
            if diagnosed != wrong.get("key"):
                undiagnosed.append(f"{label}: {wrong.get('key')} diagnosed as {diagnosed!r}")
    n = len(seeds)
    checks.append(
        Check(
            f"the reference answer grades correct on {n} variants",
            not failures,
            "; ".join(failures[:5]),
        )
    )
    checks.append(
        Check("no misconception's answer grades correct", not collisions, "; ".join(collisions[:5]))
    )
    checks.append(
        Check(
            "each misconception's answer is diagnosed as that misconception",
            not undiagnosed,
            "; ".join(undiagnosed[:5]),
        )
    )
    return SelfCheck(checks)


def _external_self_check(problem: Problem) -> SelfCheck:
    try:
        module = importlib.import_module("grader.selfcheck")
    except ImportError:
        module = None
    run = getattr(module, "self_check", None) if module else None
    if run is None:
        return SelfCheck(
            [Check("self-check", False, "grader.selfcheck is not installed for this kind")],
            available=False,
        )
    try:
        outcome = run(problem.kind, problem.spec)
    except Exception as exc:
        return SelfCheck([Check("self-check", False, f"{exc.__class__.__name__}: {exc}")])
    return SelfCheck(
        [
            Check(
                str(getattr(c, "name", c)), bool(getattr(c, "ok", False)), getattr(c, "message", "")
            )
            for c in outcome
        ]
    )
