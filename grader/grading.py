"""The one function that turns a stored submission into a Grade: rebuild the student's
variant from its seed, hand the answer to the problem kind, return its verdict.

Pure: the same (kind, spec, seed, payload) always gives the same Grade, whichever worker runs it.
"""

from __future__ import annotations

from typing import Any

from grader.kinds import get_kind
from grader.results import Grade


def params_for(kind: str, spec: dict[str, Any], seed: int | None) -> dict[str, Any]:
    """The params of one variant (``seed=None``: the lecture's pinned numbers)."""
    return get_kind(kind).generate(spec, seed)


def grade_payload(
    kind: str, spec: dict[str, Any], seed: int | None, payload: dict[str, Any]
) -> Grade:
    """Grade ``{"answer": ...}`` or ``{"code": "..."}`` against the variant ``seed`` names."""
    problem_kind = get_kind(kind)
    params = problem_kind.generate(spec, seed)
    answer = payload.get("code") if kind == "code" else payload.get("answer")
    return problem_kind.grade(spec, params, answer)
