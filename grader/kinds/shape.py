"""The ``shape`` kind: a volume written as in the lecture, height x width x depth.

```yaml
kind: shape
recipe: conv-layer-output-volume
params: {n: {min: 8, max: 64}, stride: {choices: [1, 2]}, pad: {min: 0, max: 2}}
pinned: {n: 32, c: 3, f: 5, k: 10, stride: 1, pad: 2}
partial_credit: false     # default; true scores the fraction of right entries
```

The answer is a list of whole numbers (``[32, 32, 10]``). A list that matches a misconception
as a whole (depth first, depth from the input, padding forgotten, ...) scores 0 even with
partial credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from grader import diagnose as dx
from grader.kinds.answers import read_int_list
from grader.kinds.base import InvalidAnswer
from grader.kinds.recipe_kind import RecipeKind
from grader.results import Grade, verdict_for


class ShapeKind(RecipeKind):
    name = "shape"
    spec_keys: ClassVar[frozenset[str]] = RecipeKind.spec_keys | {"partial_credit"}
    partial_credit_default = False

    def answer_format(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        recipe = self.recipe(spec)
        return {
            "type": "shape",
            "length": len(self.expected(spec, params)),
            "order": recipe.order,
        }

    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade:
        recipe = self.recipe(spec)
        params = self.params(spec, recipe, params)
        right = [int(v) for v in recipe.solve(params)]
        try:
            got = read_int_list(answer, len(right), recipe.order)
        except InvalidAnswer as exc:
            return Grade.invalid(str(exc))
        if got == right:
            return Grade(1.0, "correct", {"message": "Correct."})
        keys = self.misconception_keys(spec, recipe)
        diagnosis = dx.diagnose(recipe, params, got, keys=keys, tolerance=recipe.tolerance)
        wrong = [i for i, (a, b) in enumerate(zip(got, right, strict=True)) if a != b]
        feedback: dict[str, Any] = {"wrong_entries": wrong}
        text = " x ".join(str(v) for v in got)
        score = 0.0
        if diagnosis is None and self.partial_credit(spec):
            score = round(1.0 - len(wrong) / len(right), 6)
        if diagnosis is not None:
            feedback["message"] = f"{text} is not right. {diagnosis.message}"
            feedback["misconception"] = diagnosis.to_feedback()
            if diagnosis.also:
                feedback["also"] = [{"key": k, "title": t} for k, t in diagnosis.also]
        else:
            names = recipe.order.split(" x ") if recipe.order else []
            which = ", ".join(names[i] if i < len(names) else f"entry {i + 1}" for i in wrong)
            feedback["message"] = f"{text} is not right: check the {which}."
        return Grade(score, verdict_for(score), feedback)


KIND = ShapeKind()
