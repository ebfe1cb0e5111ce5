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
        preview.expected = kind.expected(problem.spec, params)
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
    """Is the problem sound? Every defect ``grader.selfcheck`` finds becomes a failed check."""
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
