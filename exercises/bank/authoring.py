"""What an author checks before students see a problem: any variant rendered, its reference
answer, what each declared misconception would answer (and how the grader then diagnoses it),
and the result of a self-check that the problem is sound.

The preview goes through the problem kind's own interface (``grader.kinds``): ``generate``,
``expected(spec, params)``, ``wrong_answers(spec, params)`` (``{misconception key: answer}``) and
``grade``. The self-check itself runs on a worker (``exercises.bank.soundness``, queued by
``request_self_check``): a code problem's check runs its starter in the sandbox, which a web
process never loads. Its result travels back through the ``workers`` cache, keyed by the spec
it was computed for, so an edit in the admin asks for a new one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.cache import caches

import grader.kinds as kinds
from exercises import dispatch, grading_texts
from exercises.models import Problem
from exercises.rendering import markdown_to_html

# How long a finished self-check is shown without running again, and how long the page waits
# for a queued one before it queues another (a worker that died, a lost message).
RESULT_SECONDS = 24 * 3600
PENDING_SECONDS = 5 * 60


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SelfCheck:
        return cls([Check(**c) for c in data["checks"]], data["available"])


def _render(statement: str, params: dict[str, Any]) -> str:
    return markdown_to_html(kinds.render_statement(statement, params))


def preview_problem(problem: Problem, seed: int | None) -> Preview:
    """Render one variant; a kind that raises is reported on the page, not as a 500."""
    try:
        kind = kinds.get_kind(problem.kind)
        params = kind.generate(problem.spec, seed)
    except Exception as exc:
        return Preview(problem, seed, {}, "", error=f"{exc.__class__.__name__}: {exc}")
    # In the reader's language, as the students reading it would see it (else English).
    preview = Preview(problem, seed, params, _render(problem.text().statement, params))
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
            shown = grading_texts.shown_feedback(grade.feedback)
            diagnosis = shown.get("misconception") or {}
            item.verdict = grade.verdict.value
            item.diagnosed_as = diagnosis.get("key")
            item.title = str(diagnosis.get("title") or key)
            item.message = str(shown.get("message", ""))
            preview.misconceptions.append(item)
    except Exception as exc:
        preview.error = f"{exc.__class__.__name__}: {exc}"
    return preview


def spec_digest(problem: Problem) -> str:
    """What a self-check result was computed for: the kind and the spec (an admin edit of
    either makes the stored result stale)."""
    text = json.dumps([problem.kind, problem.spec], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(problem: Problem, digest: str, what: str) -> str:
    return f"selfcheck:{what}:{problem.pk}:{digest}"


def self_check_result(problem: Problem) -> SelfCheck | None:
    """The stored self-check of the problem's current spec, or None while there is none."""
    data = caches["workers"].get(_key(problem, spec_digest(problem), "result"))
    return SelfCheck.from_dict(data) if data is not None else None


def store_self_check(problem: Problem, check: SelfCheck) -> None:
    """Called by the worker that ran the check."""
    data = {"checks": [asdict(c) for c in check.checks], "available": check.available}
    caches["workers"].set(_key(problem, spec_digest(problem), "result"), data, RESULT_SECONDS)


def request_self_check(problem: Problem) -> SelfCheck | None:
    """The self-check of the problem's current spec if a worker has finished it; otherwise
    queue one (at most one every ``PENDING_SECONDS`` per spec) and return None."""
    found = self_check_result(problem)
    if found is not None:
        return found
    digest = spec_digest(problem)
    if not caches["workers"].add(_key(problem, digest, "pending"), True, PENDING_SECONDS):
        return None
    dispatch.publish(dispatch.SELF_CHECK_PROBLEM, problem.pk, digest)
    return self_check_result(problem)  # an eager run (tests, no worker) has stored it already
