"""A tiny problem kind for the instructor tests: ``tally`` asks for ``a + b``.

It follows the interface every ``grader.kinds`` kind offers (validate_spec, generate, grade,
answer_format, expected, wrong_answers) so the instructor code can be tested without depending
on how the real kinds phrase their specs. Declared misconception: ``forgot-b`` (answered ``a``).
"""

from __future__ import annotations

import random
from typing import Any

from grader.kinds.base import SpecError
from grader.results import Grade, Verdict


class TallyKind:
    name = "tally"

    def validate_spec(self, spec: dict[str, Any]) -> None:
        for key in ("a", "b"):
            value = spec.get(key)
            if not (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                and value[0] <= value[1]
            ):
                raise SpecError(key, "must be a range [low, high] of whole numbers")

    def generate(self, spec: dict[str, Any], seed: int | None) -> dict[str, Any]:
        if seed is None:
            return {"a": spec["a"][0], "b": spec["b"][0]}
        rng = random.Random(seed)
        return {"a": rng.randint(*spec["a"]), "b": rng.randint(*spec["b"])}

    def expected(self, spec: dict[str, Any], params: dict[str, Any]) -> int:
        return self._right(spec, params)

    def _right(self, spec: dict[str, Any], params: dict[str, Any]) -> int:
        return params["a"] + params["b"] + int(spec.get("offset", 0))

    def wrong_answers(self, spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        return {"forgot-b": params["a"]}

    def answer_format(self, spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        return {"type": "number"}

    def grade(self, spec: dict[str, Any], params: dict[str, Any], answer: Any) -> Grade:
        if not isinstance(answer, int | float) or isinstance(answer, bool):
            return Grade.invalid("Send a number.")
        want = self._right(spec, params)
        if answer == want:
            return Grade(1.0, Verdict.CORRECT, {"message": "Correct."})
        if answer == params["a"]:
            return Grade(
                0.0,
                Verdict.INCORRECT,
                {
                    "message": "You left out b.",
                    "misconception": {"key": "forgot-b", "title": "Forgot to add b"},
                },
            )
        if abs(answer - want) == 1:
            return Grade(0.5, Verdict.PARTIAL, {"message": "Off by one."})
        return Grade(0.0, Verdict.INCORRECT, {"message": "Not the sum."})


TALLY = TallyKind()
