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
from grader.kinds.answers import ENTRY, read_int_list
from grader.kinds.base import InvalidAnswer
from grader.kinds.recipe_kind import RecipeKind
from grader.results import Grade, verdict_for
from grader.texts import Text, define

_CORRECT = define("verdict.correct", "Correct.", "정답입니다.")
_NOT_RIGHT = define("shape.not-right", "{text} is not right.", "{text}: 틀렸습니다.")
_CHECK = define(
    "shape.check",
    "{text} is not right: check the {which}.",
    "{text}: 틀렸습니다. {which}을(를) 확인하세요.",
)
#: The lecture's names of a volume's entries, in each language.
_ENTRY_NAMES = {
    "height": define("entry.height", "height", "높이"),
    "width": define("entry.width", "width", "너비"),
    "depth": define("entry.depth", "depth", "깊이"),
}
_LIST = define("shape.which", "{first}, {rest}", "{first}, {rest}")


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
            return Grade.invalid(exc.text)
        if got == right:
            return Grade(1.0, "correct", {"message": Text(_CORRECT)})
        keys = self.misconception_keys(spec, recipe)
        diagnosis = dx.diagnose(recipe, params, got, keys=keys, tolerance=recipe.tolerance)
        wrong = [i for i, (a, b) in enumerate(zip(got, right, strict=True)) if a != b]
        feedback: dict[str, Any] = {"wrong_entries": wrong}
        text = " x ".join(str(v) for v in got)
        score = 0.0
        if diagnosis is None and self.partial_credit(spec):
            score = round(1.0 - len(wrong) / len(right), 6)
        if diagnosis is not None:
            feedback["message"] = Text.join([Text(_NOT_RIGHT, {"text": text}), diagnosis.message])
            feedback["misconception"] = diagnosis.to_feedback()
            if diagnosis.also:
                feedback["also"] = [{"key": k, "title": t} for k, t in diagnosis.also]
        else:
            names = recipe.order.split(" x ") if recipe.order else []
            which = _which([_entry_name(names, i) for i in wrong])
            feedback["message"] = Text(_CHECK, {"text": text, "which": which})
        return Grade(score, verdict_for(score), feedback)


def _entry_name(names: list[str], i: int) -> Text:
    if i < len(names):
        name = names[i]
        return Text(_ENTRY_NAMES[name]) if name in _ENTRY_NAMES else Text.literal(name)
    return Text(ENTRY, {"i": i + 1})


def _which(names: list[Text]) -> Text:
    """``height, width``: the entries to check, listed."""
    out = names[0]
    for name in names[1:]:
        out = Text(_LIST, {"first": out, "rest": name})
    return out


KIND = ShapeKind()
