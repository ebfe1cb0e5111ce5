"""The ``number`` kind: one number (an output size, a parameter count, a dot product); for output
sizes also the string ``"does-not-fit"``.

```yaml
kind: number
recipe: output-size-stride
params: {n: {min: 5, max: 15}, f: {choices: [3, 5]}, stride: {min: 1, max: 3}}
pinned: {n: 7, f: 3, stride: 3}      # the lecture's "doesn't fit!" example
does_not_fit: 0.33                    # share of variants that don't fit (output-size recipes)
tolerance: {abs: 0, rel: 0}
misconceptions: all                   # or a list of keys, or []
```

Or, instead of ``recipe:``, the answer as a formula over the params (``answer: "1 + n*(k - 1)"``)
with misconceptions as named wrong formulas: see ``grader.kinds.number_formula``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from grader import diagnose as dx
from grader.kinds import number_formula
from grader.kinds.answers import read_size_or_number, recipe_summary, typed_number
from grader.kinds.base import InvalidAnswer, SpecError
from grader.kinds.recipe_kind import RecipeKind
from grader.recipes import DOES_NOT_FIT, Recipe, asking_does_not_fit
from grader.results import Grade, Verdict
from grader.texts import Text, define

CORRECT = define("verdict.correct", "Correct.", "정답입니다.")
_NOT_RIGHT = define("number.not-right", "{value} is not right.", "{value}: 틀렸습니다.")
_NOT_RIGHT_STEPS = define(
    "number.not-right-steps",
    "{value} is not right. Go through it again step by step: {summary}.",
    "{value}: 틀렸습니다. 한 단계씩 다시 따라가 보세요: {summary}.",
)
_IT_FITS = define(
    "fit.fits",
    "It fits: {span} is divisible by the stride {stride}, so {formula} is a whole number, and "
    "that size is the answer.",
    "들어맞습니다: {span}은(는) 스트라이드 {stride}(으)로 나누어떨어지므로 {formula}은(는) "
    "정수이고, 그 크기가 답입니다.",
)
_DOES_NOT_FIT = define(
    "fit.does-not-fit",
    **asking_does_not_fit(
        "It doesn't fit: {formula} = {exact} is not a whole number ({span} is not divisible by "
        "the stride {stride}).",
        "들어맞지 않습니다: {formula} = {exact}, 정수가 아닙니다({span}은(는) 스트라이드 "
        "{stride}(으)로 나누어떨어지지 않습니다).",
    ),
)


class NumberKind(RecipeKind):
    name = "number"
    spec_keys: ClassVar[frozenset[str]] = (
        RecipeKind.spec_keys | {"does_not_fit"} | number_formula.FORMULA_KEYS
    )

    def _validate(self, spec: Mapping[str, Any]) -> None:
        if not number_formula.is_formula_spec(spec):
            for key in sorted(number_formula.FORMULA_KEYS & set(spec)):
                raise SpecError(key, "only formula problems (with answer:) read this key")
        super()._validate(spec)

    def answer_format(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        recipe = self.recipe(spec)
        accepts = ["number", DOES_NOT_FIT] if recipe.fits is not None else ["number"]
        return {"type": "number", "accepts": accepts}

    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade:
        recipe = self.recipe(spec)
        params = self.params(spec, recipe, params)
        tol = self.tolerance(spec, recipe)
        try:
            value = read_size_or_number(answer, allow_does_not_fit=recipe.fits is not None)
        except InvalidAnswer as exc:
            return Grade.invalid(exc.text)
        right = recipe.solve(params)
        if dx.same_answer("number", value, right, tol):
            return Grade(1.0, Verdict.CORRECT, {"message": Text(CORRECT)})
        keys = self.misconception_keys(spec, recipe)
        diagnosis = dx.diagnose(recipe, params, value, keys=keys, tolerance=tol)
        feedback: dict[str, Any] = {}
        parts: list[Text] = []
        if recipe.fits is not None and (value == DOES_NOT_FIT) != (right == DOES_NOT_FIT):
            fit = _fit_feedback(recipe, params, fits=right != DOES_NOT_FIT)
            feedback["fit"] = fit
            if diagnosis is None or right != DOES_NOT_FIT:
                parts.append(fit["message"])
        if diagnosis is not None:
            if not parts:
                parts.append(Text(_NOT_RIGHT, {"value": typed_number(value)}))
            parts.append(diagnosis.message)
            feedback["misconception"] = diagnosis.to_feedback()
            if diagnosis.also:
                feedback["also"] = [{"key": k, "title": t} for k, t in diagnosis.also]
        if not parts:
            parts.append(
                Text(
                    _NOT_RIGHT_STEPS,
                    {"value": typed_number(value), "summary": recipe_summary(recipe)},
                )
            )
        feedback["message"] = Text.join(parts)
        return Grade(0.0, Verdict.INCORRECT, feedback)


def _fit_feedback(recipe: Recipe, params: Mapping[str, Any], *, fits: bool) -> dict[str, Any]:
    """Why the geometry does or doesn't fit, with the student's numbers."""
    if recipe.diagnosis is not None:
        return number_formula.fit_feedback(recipe, params, fits=fits)
    facts = dx.MISCONCEPTIONS[recipe.name].facts(params)
    formula, exact = facts["formula"], facts["exact"]
    message = Text(_IT_FITS if fits else _DOES_NOT_FIT, facts)
    return {"fits": fits, "message": message, "step": f"{formula} = {exact}"}


KIND = NumberKind()
