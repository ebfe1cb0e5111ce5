"""Cross-variant leaks: a student's answer that is another student's right answer, not theirs.

Every student gets their own variant, so a wrong answer that equals exactly what *another*
variant expects, and only that variant, is hard to explain except by copying. The check is a
pure function over the cohort's expected answers (student -> their variant's right answer):
nothing here reads the database, and it runs at grading time on one answer
(``check_answer``) or over a whole problem afterwards (``find_leaks``).

What can flag: matrices (a 5x5 feature map is practically unique to its variant) and numbers
of at least ``MIN_DISTINCT_NUMBER`` in size (parameter counts). What never flags: shapes and
output sizes (``kind="size"``) and small numbers, which many variants share by chance, and any
value two or more variants expect (then it says nothing about whose it was).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

#: The answer kinds: "matrix" and "number" may leak; "size" (an output size, a pooled size, a
#: padding) and "shape" never flag.
AnswerKind = Literal["matrix", "number", "size", "shape"]
MIN_DISTINCT_NUMBER = 100
#: Two answers are the same value when they differ by at most this (answers are typed by hand).
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Leak:
    """``student`` answered the expected answer of ``source``'s variant (``answer``), not
    their own. ``sources``: every student holding that variant (``source`` is the first)."""

    student: str
    source: str
    answer: Any
    sources: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.student} answered the expected answer of {self.source}'s variant"


def can_leak(kind: AnswerKind, value: Any) -> bool:
    """Whether a right answer of this kind is distinctive enough to point at one variant."""
    if kind == "matrix":
        try:
            return np.asarray(value, dtype=float).size > 1
        except (TypeError, ValueError):
            return False
    if kind == "number":
        return isinstance(value, int | float) and abs(value) >= MIN_DISTINCT_NUMBER
    return False


def _key(value: Any) -> Any:
    """A hashable, rounded form of an answer, so equal answers meet in one dict slot."""
    array = np.asarray(value, dtype=float)
    return (array.shape, tuple(np.round(array.ravel() / TOLERANCE).astype(np.int64).tolist()))


def index(kind: AnswerKind, expected: Mapping[str, Any]) -> dict[Any, list[str]]:
    """Who expects which answer (rounded): the ``owners`` ``check_answer`` takes, built once
    for many checks against the same variants."""
    owners: dict[Any, list[str]] = {}
    for student, value in expected.items():
        if can_leak(kind, value):
            owners.setdefault(_key(value), []).append(student)
    return owners


def check_answer(
    kind: AnswerKind,
    student: str,
    answer: Any,
    expected: Mapping[str, Any],
    *,
    variants: Mapping[str, Hashable] | None = None,
    owners: Mapping[Any, list[str]] | None = None,
) -> Leak | None:
    """The leak ``answer`` shows, if any: it differs from ``expected[student]`` and equals the
    expected answer of exactly one variant, another student's. ``variants`` (student ->
    variant id, e.g. the seed) tells students who share a variant apart from two variants with
    the same answer; without it every student's variant counts as their own."""
    if answer is None or not can_leak(kind, answer):
        return None
    owners = owners if owners is not None else index(kind, expected)
    try:
        key = _key(answer)
    except (TypeError, ValueError):
        return None  # a malformed answer matches nobody's
    own = expected.get(student)
    if own is not None and _key(own) == key:
        return None
    others = [s for s in owners.get(key, []) if s != student]
    if not others:
        return None
    variant_of = variants or {s: s for s in others}
    if len({variant_of.get(s, s) for s in others}) != 1:
        return None  # several variants expect this value: it points at nobody
    return Leak(student, others[0], answer, tuple(others))


def find_leaks(
    kind: AnswerKind,
    answers: Mapping[str, Iterable[Any]],
    expected: Mapping[str, Any],
    variants: Mapping[str, Hashable] | None = None,
) -> list[Leak]:
    """Every leak in a problem's answers (student -> the answers they submitted), one per
    (student, source) pair, sorted."""
    owners = index(kind, expected)
    out: dict[tuple[str, str], Leak] = {}
    for student, submitted in answers.items():
        for answer in submitted:
            leak = check_answer(kind, student, answer, expected, variants=variants, owners=owners)
            if leak is not None:
                out.setdefault((leak.student, leak.source), leak)
    return [out[k] for k in sorted(out)]
