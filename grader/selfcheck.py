"""Prove a problem spec grades itself: the check the bank import and the tests both run.

``check_problem(spec)`` validates the spec, then for the pinned variant and each seed: params are
JSON-ready and the same when generated twice; the expected answer, sent as a client would send
it (through JSON), grades ``correct`` with score 1; and every answer the kind's declared
misconceptions produce (``ProblemKind.wrong_answers``) grades not correct and, for recipe kinds,
names that misconception (or lists it in ``also``). It returns a list of problems, empty when
the spec is sound; it never raises for a bad spec.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from grader.kinds import get_kind
from grader.kinds.base import SpecError
from grader.results import Verdict


def _round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value, allow_nan=False))


def check_problem(spec: Mapping[str, Any], seeds: Iterable[int] = range(50)) -> list[str]:
    """Every way ``spec`` fails to grade its own answers, as readable strings."""
    try:
        kind = get_kind(spec.get("kind") if isinstance(spec, Mapping) else None)
        kind.validate_spec(spec)
    except SpecError as exc:
        return [f"spec: {exc}"]
    problems: list[str] = []
    for seed in [None, *seeds]:
        label = "pinned" if seed is None else f"seed {seed}"
        try:
            problems += _check_variant(kind, spec, seed, label)
        except (SpecError, ValueError, TypeError) as exc:
            problems.append(f"{label}: {type(exc).__name__}: {exc}")
    return problems


def _check_variant(kind: Any, spec: Mapping[str, Any], seed: int | None, label: str) -> list[str]:
    problems = []
    params = kind.generate(spec, seed)
    if kind.generate(spec, seed) != params:
        problems.append(f"{label}: generating twice gave different params")
    if _round_trip(params) != params:
        problems.append(f"{label}: params are not JSON-ready")
    params = _round_trip(params)
    _round_trip(kind.answer_format(spec, params))
    expected = _round_trip(kind.expected(spec, params))
    grade = kind.grade(spec, params, expected)
    if grade.verdict != Verdict.CORRECT or grade.score != 1.0:
        problems.append(f"{label}: the expected answer {expected!r} graded {grade.verdict}")
    _round_trip(grade.to_dict())
    for key, wrong in kind.wrong_answers(spec, params).items():
        wrong = _round_trip(wrong)
        grade = kind.grade(spec, params, wrong)
        _round_trip(grade.to_dict())
        if grade.verdict in (Verdict.CORRECT, Verdict.INVALID):
            problems.append(f"{label}: misconception {key} ({wrong!r}) graded {grade.verdict}")
            continue
        named = grade.feedback.get("misconception", {}).get("key")
        also = [a["key"] for a in grade.feedback.get("also", [])]
        if kind.name != "choice" and key != named and key not in also:
            problems.append(f"{label}: misconception {key} ({wrong!r}) was diagnosed as {named!r}")
    return problems
