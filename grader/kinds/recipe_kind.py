"""What the number, matrix and shape kinds share: a named recipe and its misconceptions.

Spec keys (beyond ``kind`` and the bank's metadata):

``recipe`` (required): a name from ``grader.recipes.RECIPES`` whose answer type is this kind's;
a number problem may give ``answer:`` (a formula over its params) instead, see
``grader.kinds.number_formula``.
``params``: generator per parameter, over the recipe's defaults (see ``grader.recipes``).
``pinned``: the variant with no seed (defaults: the lecture's numbers).
``tolerance``: ``{abs: 1e-9, rel: 1e-9}`` by default (the recipe may set its own, e.g. avg-pool
accepts two decimals); an answer ``a`` is right when ``|a - e| <= abs + rel*|e|``.
``misconceptions``: which of the recipe's misconceptions to diagnose: a list of keys, ``all``
(default) or ``[]`` for none.
``partial_credit`` (matrix, shape): score the fraction of right cells / entries.
``does_not_fit`` (number, output-size recipes): share of variants that don't fit (default 1/3).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from grader import diagnose as dx
from grader.kinds import number_formula
from grader.kinds.base import (
    ProblemKind,
    SpecError,
    Tolerance,
    require_bool,
    require_number,
    require_seed,
)
from grader.recipes import (
    DOES_NOT_FIT,
    Recipe,
    check_generators,
    check_params,
    expected_answer,
    generate_params,
    get_recipe,
    json_number,
    read_generators,
    read_pinned,
)


class RecipeKind(ProblemKind):
    spec_keys: ClassVar[frozenset[str]] = frozenset(
        {"recipe", "params", "pinned", "tolerance", "misconceptions"}
    )
    #: whether ``partial_credit`` applies and its default
    partial_credit_default: ClassVar[bool | None] = None

    # --- reading the spec ---------------------------------------------------------------------

    def recipe(self, spec: Mapping[str, Any]) -> Recipe:
        if self.name == "number" and number_formula.is_formula_spec(spec):
            return number_formula.formula_recipe(spec)
        recipe = get_recipe(spec.get("recipe"))
        if recipe.answer != self.name:
            raise SpecError(
                "recipe",
                f"recipe {recipe.name!r} answers a {recipe.answer}; use kind: {recipe.answer}",
            )
        return recipe

    def tolerance(self, spec: Mapping[str, Any], recipe: Recipe) -> Tolerance:
        return Tolerance.from_spec(spec.get("tolerance"), recipe.tolerance)

    def misconception_keys(self, spec: Mapping[str, Any], recipe: Recipe) -> tuple[str, ...]:
        if recipe.diagnosis is not None:  # a formula problem diagnoses all it declares
            return tuple(m.key for m in recipe.diagnosis.misconceptions)
        known = dx.misconception_keys(recipe.name)
        value = spec.get("misconceptions", "all")
        if value == "all":
            return known
        if not isinstance(value, list):
            raise SpecError("misconceptions", f"expected a list of keys or 'all', got {value!r}")
        for i, key in enumerate(value):
            if key not in known:
                raise SpecError(
                    f"misconceptions[{i}]",
                    f"unknown misconception {key!r} for {recipe.name}; known: {', '.join(known)}",
                )
        return tuple(k for k in known if k in value)

    def diagnosable(self, spec: Mapping[str, Any]) -> tuple[str, ...]:
        return self.misconception_keys(spec, self.recipe(spec))

    def does_not_fit_rate(self, spec: Mapping[str, Any], recipe: Recipe) -> float:
        if "does_not_fit" not in spec or recipe.diagnosis is not None:
            return recipe.does_not_fit_rate
        if recipe.fits is None:
            raise SpecError("does_not_fit", f"recipe {recipe.name!r} always fits")
        rate = require_number(spec["does_not_fit"], "does_not_fit", lo=0.0)
        if rate > 1:
            raise SpecError("does_not_fit", f"a share between 0 and 1, got {rate}")
        return rate

    def partial_credit(self, spec: Mapping[str, Any]) -> bool:
        if "partial_credit" not in spec:
            return bool(self.partial_credit_default)
        return require_bool(spec["partial_credit"], "partial_credit")

    def params(self, spec: Mapping[str, Any], recipe: Recipe, params: Any) -> dict[str, Any]:
        """Params as stored with a submission, checked (a changed spec must not grade garbage)."""
        return check_params(recipe, params, "params")

    # --- the interface -------------------------------------------------------------------------

    def _validate(self, spec: Mapping[str, Any]) -> None:
        recipe = self.recipe(spec)
        if recipe.diagnosis is not None:
            # first: it names the formula at fault rather than "no usable variant"
            number_formula.check_formula_spec(spec)
        gens = read_generators(recipe, spec.get("params"))
        rate = self.does_not_fit_rate(spec, recipe)
        check_generators(recipe, gens, rate)
        read_pinned(recipe, spec.get("pinned"))
        self.tolerance(spec, recipe)
        self.misconception_keys(spec, recipe)
        self.partial_credit(spec)

    def generate(self, spec: Mapping[str, Any], seed: int | None) -> dict[str, Any]:
        seed = require_seed(seed)
        recipe = self.recipe(spec)
        if seed is None:
            return read_pinned(recipe, spec.get("pinned"))
        gens = read_generators(recipe, spec.get("params"))
        return generate_params(recipe, gens, seed, self.does_not_fit_rate(spec, recipe))

    def expected(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        recipe = self.recipe(spec)
        return expected_answer(recipe, self.params(spec, recipe, params))

    def wrong_answers(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        recipe = self.recipe(spec)
        params = self.params(spec, recipe, params)
        keys = set(self.misconception_keys(spec, recipe))
        out: dict[str, Any] = {}
        for m in dx.table_for(recipe).misconceptions:
            if m.key not in keys:
                continue
            wrong = dx.wrong_answer_for(recipe, params, m)
            if wrong is not None:
                out[m.key] = to_json_answer(recipe, wrong)
        return out


def to_json_answer(recipe: Recipe, answer: Any) -> Any:
    """A normalised answer (Fraction, ndarray, ...) as a client would send it."""
    if recipe.answer == "matrix":
        return [[json_number(v) for v in row] for row in np.asarray(answer, dtype=float)]
    if recipe.answer == "shape":
        return [int(v) for v in answer]
    if answer == DOES_NOT_FIT:
        return DOES_NOT_FIT
    if isinstance(answer, Fraction):
        return float(answer)
    return json_number(answer)
