"""The kinds registry, spec validation, determinism and statement rendering."""

import sys
import types

import pytest

from grader.kinds import KIND_NAMES, _load, get_kind, render_statement
from grader.kinds.base import ProblemKind, SpecError
from grader.recipes import RECIPES, Draw
from grader.results import Grade
from tests.grader.conftest import spec_for


def test_every_builtin_kind_is_registered():
    for name in ("number", "matrix", "shape", "choice"):
        assert get_kind(name).name == name
    assert "code" in KIND_NAMES


def test_an_unknown_kind_is_a_spec_error():
    with pytest.raises(SpecError) as info:
        get_kind("essay")
    assert info.value.path == "kind" and "unknown kind 'essay'" in str(info.value)
    with pytest.raises(SpecError):
        get_kind(["number"])


def test_the_code_kind_is_picked_up_when_its_module_exists(monkeypatch):
    class FakeCode(ProblemKind):
        name = "code"

        def _validate(self, spec):
            pass

        def generate(self, spec, seed):
            return {}

        def expected(self, spec, params):
            return None

        def answer_format(self, spec, params):
            return {"type": "code"}

        def grade(self, spec, params, answer):
            return Grade(1.0, "correct")

    module = types.ModuleType("grader.kinds.code")
    module.FakeCode = FakeCode
    monkeypatch.setitem(sys.modules, "grader.kinds.code", module)
    _load.cache_clear()
    try:
        assert isinstance(get_kind("code"), FakeCode)
    finally:
        _load.cache_clear()


@pytest.mark.parametrize(
    ("spec", "path", "fragment"),
    [
        ({"kind": "number"}, "recipe", "unknown recipe None"),
        (spec_for("max-pools"), "recipe", "unknown recipe 'max-pools'"),
        (spec_for("max-pool"), "recipe", "answers a matrix; use kind: matrix"),
        (spec_for("conv-layer-params", tolerence={"abs": 1}), "tolerence", "unknown key"),
        (spec_for("conv-layer-params", params={"n": 3}), "params.n", "unknown key"),
        (spec_for("conv-layer-params", params={"c": {"min": 5, "max": 2}}), "params.c", "min (5)"),
        (spec_for("conv-layer-params", params={"c": {"min": 0}}), "params.c.min", ">= 1"),
        (
            spec_for("conv-layer-params", params={"c": {"choices": []}}),
            "params.c.choices",
            "non-empty",
        ),
        (
            spec_for("conv-layer-params", params={"c": {"choices": [1, "3"]}}),
            "params.c.choices[1]",
            "integer",
        ),
        (spec_for("conv-layer-params", params={"c": {"mn": 1}}), "params.c.mn", "unknown key"),
        (spec_for("conv-layer-params", params={"c": True}), "params.c", "integer"),
        (spec_for("conv-layer-params", pinned={"c": 2.5}), "pinned.c", "integer"),
        (spec_for("conv-layer-params", pinned={"k": 0}), "pinned.k", ">= 1"),
        (
            spec_for("conv-layer-params", misconceptions=["forgot-bias", "nope"]),
            "misconceptions[1]",
            "unknown misconception 'nope'",
        ),
        (spec_for("conv-layer-params", misconceptions="some"), "misconceptions", "list of keys"),
        (spec_for("conv-layer-params", does_not_fit=0.5), "does_not_fit", "always fits"),
        (spec_for("output-size-stride", does_not_fit=1.5), "does_not_fit", "between 0 and 1"),
        (spec_for("conv-layer-params", tolerance={"abs": -1}), "tolerance.abs", ">= 0"),
        (spec_for("conv-layer-params", tolerance=0.1), "tolerance", "mapping"),
        (spec_for("conv-layer-params", partial_credit=True), "partial_credit", "unknown key"),
        (spec_for("same-padding", params={"f": {"choices": [2, 4]}}), "params", "no usable"),
        (spec_for("output-size-stride", params={"stride": 1}), "params", "no non-fitting"),
        (spec_for("conv-single-channel", "matrix", pinned={"stride": 3}), "pinned", "doesn't fit"),
        (spec_for("conv-single-channel", "matrix", pinned={"x": [[1, 2], [3]]}), "pinned.x", "7x7"),
        (
            spec_for("conv-single-channel", "matrix", pinned={"w": [[1, 2, 3]] * 2}),
            "pinned.w",
            "3x3",
        ),
        (
            spec_for(
                "conv-single-channel", "matrix", pinned={"w": [[1, 2, 3]] * 2 + [[1, 2, 1000]]}
            ),
            "pinned.w[2, 2]",
            "<= 99",
        ),
        (
            spec_for("conv-single-channel", "matrix", partial_credit="yes"),
            "partial_credit",
            "true or false",
        ),
    ],
)
def test_spec_errors_name_the_path(spec, path, fragment):
    with pytest.raises(SpecError) as info:
        get_kind(spec["kind"]).validate_spec(spec)
    assert info.value.path == path
    assert fragment in info.value.message


def test_a_spec_must_match_its_kind():
    with pytest.raises(SpecError) as info:
        get_kind("shape").validate_spec(spec_for("conv-layer-params"))
    assert info.value.path == "kind"
    with pytest.raises(SpecError):
        get_kind("number").validate_spec(["kind", "number"])


def test_metadata_keys_of_the_bank_are_allowed():
    spec = spec_for("conv-layer-params", uuid="x", title="t", points=2, tags=["a"], limits={})
    get_kind("number").validate_spec(spec)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_validates_with_its_defaults(name):
    recipe = RECIPES[name]
    get_kind(recipe.answer).validate_spec(spec_for(name, recipe.answer))


def test_generated_params_respect_the_spec_ranges():
    spec = spec_for("conv-layer-params", params={"c": {"choices": [1, 3]}, "k": 4, "f": {"min": 3}})
    kind = get_kind("number")
    for seed in range(40):
        params = kind.generate(spec, seed)
        assert params["c"] in (1, 3) and params["k"] == 4 and params["f"] in (3, 5, 7)


def test_seeds_must_be_non_negative_ints():
    kind = get_kind("number")
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="seed must be"):
            kind.generate(spec_for("conv-layer-params"), bad)


def test_the_draws_are_pinned_across_machines():
    """Built only on random.Random.random(), whose sequence Python guarantees per seed."""
    draw = Draw(12345)
    assert [draw.int(1, 6) for _ in range(8)] == [3, 1, 5, 2, 3, 2, 4, 1]


@pytest.mark.parametrize(
    ("kind", "recipe", "seed", "params"),
    [
        ("number", "conv-layer-params", 1, {"c": 3, "f": 7, "k": 49}),
        ("number", "conv-layer-params", 2, {"c": 16, "f": 7, "k": 4}),
        ("number", "output-size-padding", 1, {"n": 5, "f": 6, "stride": 2, "pad": 3}),
        ("number", "output-size-padding", 2, {"n": 31, "f": 1, "stride": 1, "pad": 3}),
        (
            "matrix",
            "max-pool",
            1,
            {"x": [[1, 8, 7, 2], [4, 4, 6, 7], [0, 0, 8, 4], [7, 0, 4, 7]], "size": 2, "stride": 2},
        ),
        (
            "shape",
            "conv-layer-output-volume",
            2,
            {"n": 45, "c": 5, "f": 5, "k": 39, "stride": 2, "pad": 0},
        ),
    ],
)
def test_golden_params_for_two_seeds(kind, recipe, seed, params):
    """If this fails, a student's variant changed: a library or algorithm changed the draws."""
    assert get_kind(kind).generate(spec_for(recipe, kind), seed) == params


def test_the_same_seed_gives_the_same_params_for_every_recipe():
    for name, recipe in RECIPES.items():
        kind, spec = get_kind(recipe.answer), spec_for(name, recipe.answer)
        assert kind.generate(spec, 77) == kind.generate(spec, 77)
        assert kind.generate(spec, 77) != kind.generate(spec, 78) or name == "same-padding"


# --- statements -----------------------------------------------------------------------------


def test_it_renders_numbers_and_shapes():
    text = render_statement(
        "N={{n}}, F={{ f }}, volume {{ v }} / {{ v | list }}", {"n": 7, "f": 3, "v": [28, 28, 6]}
    )
    assert text == "N=7, F=3, volume 28 x 28 x 6 / 28, 28, 6"
    assert render_statement("{{ x }}", {"x": 0.25}) == "0.25"


def test_it_renders_a_matrix_as_a_pipe_table_or_latex():
    params = {"w": [[1, 0], [0, -1]]}
    assert render_statement("{{ w }}", params) == "|   |   |\n|:-:|:-:|\n| 1 | 0 |\n| 0 | -1 |"
    assert render_statement("{{ w | latex }}", params) == (
        r"$$\begin{bmatrix} 1 & 0 \\ 0 & -1 \end{bmatrix}$$"
    )


def test_it_renders_a_volume_channel_by_channel():
    text = render_statement("{{ x }}", {"x": [[[1]], [[2]]]})
    assert text == "*channel 1*\n\n|   |\n|:-:|\n| 1 |\n\n*channel 2*\n\n|   |\n|:-:|\n| 2 |"


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{ m }}", "unknown parameter 'm'; this problem has: n"),
        ("{{ n + 1 }}", "a placeholder is a parameter name"),
        ("{{ __import__('os') }}", "a placeholder is a parameter name"),
        ("{{ n | upper }}", "unknown filter 'upper'"),
        ("{{ n | latex }}", "applies to arrays, not numbers"),
        ("x^{{2}}", "a placeholder is a parameter name"),
    ],
)
def test_bad_placeholders_are_spec_errors(template, fragment):
    with pytest.raises(SpecError) as info:
        render_statement(template, {"n": 7})
    assert fragment in info.value.message
    assert info.value.path.startswith("statement: {{")


def test_text_without_placeholders_is_left_alone():
    text = r"Output size: $\{(N - F) / \text{stride}\} + 1$ and {single} braces"
    assert render_statement(text, {}) == text
