"""The one function that turns a stored submission into a Grade: rebuild the student's
variant from its seed, hand the answer to the problem kind, return its verdict.

Pure: the same (kind, spec, seed, payload) always gives the same Grade, whichever worker runs it.
"""

from __future__ import annotations

from typing import Any

from grader.kinds import get_kind
from grader.results import Grade, Verdict
from grader.texts import Text


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


def unreadable_reason(
    kind: str, spec: dict[str, Any], seed: int | None, payload: dict[str, Any]
) -> str | None:
    """Why ``kind`` cannot read this answer at all (its ``invalid`` message), else ``None``.

    The reason is the kind's ``grader.texts.Text`` (English as a string, any language on
    ``render``). Kinds read an answer inside ``grade()``, so this grades and keeps only whether
    the answer was readable: a pure, cheap call for every kind but code, which is never run
    here (its readability is the envelope's: a string, checked by
    ``exercises.submissions.payloads``).
    """
    if kind == "code":
        return None
    grade = grade_payload(kind, spec, seed, payload)
    if grade.verdict != Verdict.INVALID:
        return None
    stored = (grade.feedback.get("texts") or {}).get("message")
    if stored:  # the kind's text, so that the caller may say it in its reader's language
        return Text.from_json(stored)
    return grade.message or "the answer cannot be read"
