"""The shape of a grading outcome, shared by every problem kind, the sandbox and the tasks.

A ``Grade`` is what a kind's ``grade()`` returns and what
``exercises.submissions.services.record_grade`` stores. It is plain data (JSON-ready through
``to_dict``) so that it can cross the Celery boundary and land in a ``JSONField`` without a custom
encoder.
"""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.texts import Text, settle


class Verdict(enum.StrEnum):
    """What the student sees first. ``invalid`` = we could not read the answer (no attempt lost
    is decided by the caller's policy, not here)."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    INVALID = "invalid"


@dataclass(frozen=True)
class TestOutcome:
    """One check of a submission (one hidden case of a code problem, one part of an answer).

    ``hidden`` tests report only name, pass/fail and points: never their inputs or expected data.
    ``data`` holds what a page may draw (e.g. a diff map); it must already respect ``hidden``.
    """

    __test__ = False  # a result, not a pytest test class

    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    hidden: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A message written as a ``Text`` is stored as its English, its key and facts in
        # ``data["texts"]["message"]`` so that a page renders it in its reader's language.
        if isinstance(self.message, Text):
            texts = {**(self.data.get("texts") or {}), "message": self.message.to_json()}
            object.__setattr__(self, "data", {**self.data, "texts": texts})
            object.__setattr__(self, "message", str.__str__(self.message))


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one answer.

    score: fraction of the problem's points earned, in [0, 1].
    verdict: ``Verdict``.
    feedback: ``{"message": str, ...}``; kinds add keys such as ``misconception``
        (``{"key", "title", "explanation"}``), ``cells`` (matrix cells that differ) or ``diff``.
        Texts (``grader.texts.Text``) are stored as their English, with their keys and facts
        under ``texts`` (``grader.texts.settle``), for the reader's language at read time.
    tests: per-test outcomes (empty for single-value kinds).
    """

    score: float
    verdict: Verdict
    feedback: dict[str, Any] = field(default_factory=dict)
    tests: tuple[TestOutcome, ...] = ()

    def __post_init__(self) -> None:
        if not (isinstance(self.score, int | float) and math.isfinite(self.score)):
            raise ValueError(f"score must be a finite number, got {self.score!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must lie in [0, 1], got {self.score}")
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        object.__setattr__(self, "tests", tuple(self.tests))
        object.__setattr__(self, "feedback", settle(self.feedback))

    @property
    def message(self) -> str:
        return str(self.feedback.get("message", ""))

    @classmethod
    def invalid(cls, message: str | Text, **feedback: Any) -> Grade:
        """An answer we could not read: wrong type, NaN, ragged matrix, ..."""
        return cls(0.0, Verdict.INVALID, {"message": message, **feedback})

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "verdict": self.verdict.value,
            "feedback": self.feedback,
            "tests": [asdict(t) for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grade:
        return cls(
            score=data["score"],
            verdict=Verdict(data["verdict"]),
            feedback=data.get("feedback", {}),
            tests=tuple(TestOutcome(**t) for t in data.get("tests", [])),
        )


def verdict_for(score: float) -> Verdict:
    """The verdict a score earns on its own: 1 is correct, 0 incorrect, between is partial."""
    if score >= 1.0 - 1e-12:
        return Verdict.CORRECT
    if score <= 0.0:
        return Verdict.INCORRECT
    return Verdict.PARTIAL
