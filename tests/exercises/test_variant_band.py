"""Every recipe problem of the bank, over many seeds: no variant's answer can be read off the
statement (a 1x1 filter at stride 1 for an output size, a filter covering the whole input, no
padding needed), and the output-size questions still mix fitting and not-fitting variants."""

from __future__ import annotations

import pytest

from grader.kinds import get_kind
from grader.recipes import DOES_NOT_FIT, RECIPES
from tests.exercises.test_bank import TABLE, spec_of

SEEDS = range(2000)
RECIPE_PROBLEMS = sorted(s for s in TABLE if "recipe" in spec_of(s))


@pytest.mark.parametrize("slug", RECIPE_PROBLEMS)
def test_no_variant_is_too_easy_over_2000_seeds(slug):
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    recipe = RECIPES[spec["recipe"]]
    for seed in SEEDS:
        params = kind.generate(spec, seed)
        assert recipe.too_easy(params) is None, (seed, params)
        if "f" in params and "n" in params:
            stride, pad = params.get("stride", 1), params.get("pad", 0)
            assert not (params["f"] == 1 and stride == 1 and pad == 0), (seed, params)
            assert params["f"] != params["n"] + 2 * pad, (seed, params)
        if slug == "same-padding":
            assert kind.expected(spec, params) != 0, (seed, params)


@pytest.mark.parametrize("slug", ["output-size-stride", "output-size-padding"])
def test_output_sizes_still_mix_fitting_and_not_fitting(slug):
    spec = spec_of(slug)
    kind = get_kind(spec["kind"])
    answers = [kind.expected(spec, kind.generate(spec, seed)) for seed in SEEDS]
    share = answers.count(DOES_NOT_FIT) / len(answers)
    assert 0.2 < share < 0.45, share  # the problem.yaml's does_not_fit rate, about 1/3
    assert min(a for a in answers if a != DOES_NOT_FIT) >= 2
