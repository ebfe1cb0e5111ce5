"""grader.diagnose: every declared misconception, fed a real wrong answer, says what it should.

The table below holds one real wrong answer per (recipe, misconception); the last test checks the
table covers every declared misconception, so a new one cannot ship without a feedback test.
"""

import numpy as np
import pytest

from grader import reference
from grader.diagnose import MISCONCEPTIONS, Diagnosis, fmt, misconception_keys
from grader.kinds import get_kind
from grader.recipes import LECTURE_W3, LECTURE_X, LECTURE_X3, RECIPES
from grader.results import Verdict
from grader.selfcheck import check_problem
from grader.texts import localize
from tests.grader.conftest import spec_for

X = np.array(LECTURE_X, float)
X3 = np.array(LECTURE_X3, float)
W3 = np.array(LECTURE_W3, float)
ASYM = [[1, 0, 0], [0, 1, 1], [-1, 0, 0]]
POOL_X = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
PATCH27 = [[row[:3] for row in channel[:3]] for channel in LECTURE_X3]


def shown(grade) -> str:
    """What a student reads: the feedback paragraph, then the diagnosis (title, explanation)."""
    m = grade.feedback.get("misconception") or {}
    return f"{grade.message} {m.get('title', '')}. {m.get('explanation', '')}"


def conv1(w, stride=1):
    return reference.conv2d_single(X, np.array(w, float), stride=stride).tolist()


def conv3(w=W3, b=1.0, channels=(0, 1, 2)):
    c = list(channels)
    return reference.conv2d(X3[None, c], np.asarray(w)[None, c], np.array([b]))[0, 0].tolist()


CASES = [
    # recipe, params (None = pinned), wrong answer, misconception key, text it must contain
    (
        "dot-product-3x3",
        {
            "patch": [[0, 3, 3], [1, 1, 1], [2, 3, 0]],
            "filter": [[-1, 1, 0], [1, -1, 0], [1, -1, 1]],
        },
        3,
        "flipped-kernel",
        "A CNN multiplies cells in the same place: 0*(-1) + 3*1 + 3*0 + 1*1 + 1*(-1) + 1*0 + "
        "2*1 + 3*(-1) + 0*1 = 2.",
    ),
    (
        "dot-product-27",
        {"patch": PATCH27, "filter": LECTURE_W3, "bias": 1},
        8,
        "forgot-bias",
        "8 is the 27-dimensional dot product alone; the filter's bias comes on top: 8 + 1 = 9.",
    ),
    (
        "dot-product-27",
        {"patch": PATCH27, "filter": LECTURE_W3, "bias": 1},
        11,
        "bias-per-channel",
        "You added the bias for each of the three channels (3 in all).",
    ),
    (
        "dot-product-27",
        {"patch": PATCH27, "filter": LECTURE_W3, "bias": 1},
        3,
        "missing-channel",
        "Your number leaves out channel 1. The filter is 3x3x3: all 27 products count, channel by "
        "channel 6 + 0 + 2, plus the bias 1: 9.",
    ),
    (
        "dot-product-27",
        {"patch": PATCH27, "filter": LECTURE_W3, "bias": 1},
        10,
        "flipped-kernel",
        "A CNN multiplies cells in the same place",
    ),
    (
        "conv-single-channel",
        {"x": LECTURE_X, "w": ASYM, "stride": 1},
        conv1(np.array(ASYM)[::-1, ::-1]),
        "flipped-kernel",
        "1*(-1) + 2*0 + 1*0 = 5 (the flipped filter gives 3)",
    ),
    (
        "conv-single-channel",
        {"x": LECTURE_X, "w": ASYM, "stride": 2},
        conv1(ASYM),
        "stride-ignored",
        "Your map is the stride-1 map (5x5). With stride 2 the window jumps 2 cells at a time",
    ),
    (
        "conv-single-channel",
        None,
        np.array(conv1([[1, 0, 1], [0, 1, 0], [1, 0, 1]])).T.tolist(),
        "transposed",
        "Your map is the right one with rows and columns swapped.",
    ),
    (
        "conv-three-channels",
        {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1},
        conv3(W3[:, ::-1, ::-1]),
        "flipped-kernel",
        "Top-left cell: (2*1 + 3*0 + 0*1 + 0*0 + 2*1 + 2*0 + 1*1 + 2*0 + 1*1) + (0*1",
    ),
    (
        "conv-three-channels",
        {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1},
        conv3(channels=(0, 1)),
        "missing-channel",
        "channel 3 is missing",
    ),
    (
        "conv-three-channels",
        {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1},
        conv3(b=0),
        "forgot-bias",
        "top-left cell 6 + 0 + 2 + 1 = 9",
    ),
    (
        "conv-three-channels",
        {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1},
        conv3(b=3),
        "bias-per-channel",
        "One filter has one bias, added once after the three channels are summed",
    ),
    (
        "conv-three-channels",
        {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1},
        np.array(conv3()).T.tolist(),
        "transposed",
        "rows and columns swapped",
    ),
    (
        "output-size-stride",
        {"n": 7, "f": 3, "stride": 2},
        2,
        "forgot-plus-one",
        "(7 - 3) / 2 = 2 counts the steps the filter takes, not the positions it visits: the first "
        "position is not a step, so add 1: (7 - 3) / 2 + 1 = 3.",
    ),
    (
        "output-size-stride",
        None,
        5,
        "stride-ignored",
        "4 + 1 = 5 counts every position at stride 1",
    ),
    (
        "output-size-stride",
        None,
        2,
        "rounded-down",
        "rounding it down to 2 hides that the last step",
    ),
    ("output-size-stride", None, 3, "rounded-up", "rounding it up to 3 would need input"),
    (
        "output-size-stride",
        None,
        2.33,
        "fractional-size",
        "(7 - 3) / 3 + 1 = 2.333: an output has a whole number of cells",
    ),
    (
        "output-size-padding",
        None,
        5,
        "forgot-padding",
        "7 - 3 + 1 = 5 leaves out the zero padding",
    ),
    (
        "output-size-padding",
        None,
        6,
        "padding-once",
        "7 + 1 - 3 + 1 = 6 adds the padding on one side",
    ),
    (
        "output-size-padding",
        {"n": 8, "f": 3, "stride": 1, "pad": 2},
        9,
        "forgot-plus-one",
        "add 1: 8 + 2*2 - 3 + 1 = 10.",
    ),
    (
        "output-size-padding",
        {"n": 7, "f": 3, "stride": 2, "pad": 1},
        7,
        "stride-ignored",
        "With stride 2 the filter jumps 2 cells at a time, so divide by the stride: "
        "(7 + 2*1 - 3) / 2 + 1 = 4.",
    ),
    (
        "output-size-padding",
        {"n": 8, "f": 3, "stride": 2, "pad": 1},
        4,
        "rounded-down",
        "(8 + 2*1 - 3) / 2 + 1 = 4.5 is not a whole number, and rounding it down to 4",
    ),
    (
        "output-size-padding",
        {"n": 8, "f": 3, "stride": 2, "pad": 1},
        5,
        "rounded-up",
        "rounding it up to 5",
    ),
    (
        "output-size-padding",
        {"n": 8, "f": 3, "stride": 2, "pad": 1},
        4.5,
        "fractional-size",
        "no output at all: the filter doesn't fit. Answer that it does not fit: tick "
        '“It does not fit” in the form, or send "does-not-fit" through the API.',
    ),
    (
        "same-padding",
        {"f": 5},
        4,
        "total-padding",
        "5 - 1 = 4 is the total the input must grow by. Padding is added on both sides, so each "
        "side gets (5 - 1) / 2 = 2",
    ),
    (
        "same-padding",
        {"f": 5},
        3,
        "half-filter-rounded-up",
        "With pad 3 the output is n + 2*3 - 5 + 1 = n + 1: one cell too big.",
    ),
    ("same-padding", {"f": 5}, 2.5, "forgot-plus-one", "5 / 2 = 2.5 solves n + 2*pad - 5 = n"),
    (
        "shrinking-volumes",
        None,
        22,
        "forgot-plus-one",
        "it shrinks by 5 - 1 = 4, not 5. 32 -> 28 -> 24.",
    ),
    (
        "shrinking-volumes",
        None,
        28,
        "single-layer",
        "32 - 5 + 1 = 28 is the size after one layer; there are 2",
    ),
    ("shrinking-volumes", None, 16, "shrink-both-sides", "not 4 on each side: 32 -> 28 -> 24."),
    ("feature-map-volume", None, [28, 28, 3], "depth-is-input-depth", "not the input depth (3)"),
    ("feature-map-volume", None, [28, 28, 18], "depth-times-channels", "6*3 = 18 maps"),
    (
        "feature-map-volume",
        None,
        [6, 28, 28],
        "depth-first",
        "height x width x depth: 28 x 28 x 6.",
    ),
    ("feature-map-volume", None, [27, 27, 6], "forgot-plus-one", "32 - 5 + 1 = 28"),
    (
        "conv-layer-params",
        None,
        750,
        "forgot-bias",
        "(5*5*3)*10 = 750: each filter also has one bias, so 5*5*3 + 1 = 76 parameters per filter, "
        "and 76*10 = 760.",
    ),
    (
        "conv-layer-params",
        None,
        260,
        "forgot-input-depth",
        "(5*5 + 1)*10 = 260 counts 5x5 filters. A filter reaches through the whole input depth",
    ),
    ("conv-layer-params", None, 1500, "bias-per-weight", "2*(5*5*3)*10 = 1500 gives every weight"),
    (
        "conv-layer-params",
        None,
        751,
        "single-bias",
        "5*5*3*10 + 1 = 751 gives the layer a single bias",
    ),
    ("conv-layer-params-in-volume", None, 750, "forgot-bias", "76*10 = 760"),
    ("conv-layer-params-in-volume", None, 260, "forgot-input-depth", "5*5*3 + 1 = 76 per filter"),
    ("conv-layer-params-in-volume", None, 1500, "bias-per-weight", "one bias for its whole 5x5x3"),
    ("conv-layer-params-in-volume", None, 751, "single-bias", "Each of the 10 filters has its own"),
    (
        "conv-layer-params-in-volume",
        None,
        778240,
        "times-output-size",
        "76*10*32*32 = 778240 counts a new set of weights for every one of the 32x32 output "
        "positions. The weights are shared",
    ),
    (
        "conv-layer-output-volume",
        None,
        [28, 28, 10],
        "forgot-padding",
        "Padding adds 2 on each side",
    ),
    ("conv-layer-output-volume", None, [30, 30, 10], "padding-once", "32 + 2 - 5 + 1 = 30"),
    (
        "conv-layer-output-volume",
        None,
        [31, 31, 10],
        "forgot-plus-one",
        "The volume is 32 x 32 x 10.",
    ),
    (
        "conv-layer-output-volume",
        {"n": 7, "c": 3, "f": 3, "k": 4, "stride": 2, "pad": 0},
        [5, 5, 4],
        "stride-ignored",
        "(7 - 3) / 2 + 1 = 3. The volume is 3 x 3 x 4.",
    ),
    (
        "conv-layer-output-volume",
        None,
        [32, 32, 3],
        "depth-is-input-depth",
        "number of filters (10)",
    ),
    ("conv-layer-output-volume", None, [32, 32, 30], "depth-times-channels", "10*3 = 30 maps"),
    ("conv-layer-output-volume", None, [10, 32, 32], "depth-first", "You wrote the depth first"),
    ("max-pool", None, [[3.25, 5.25], [2, 2]], "avg-instead-of-max", "gives 6, not 3.25"),
    (
        "max-pool",
        None,
        [[6, 7, 8], [6, 7, 8], [3, 3, 4]],
        "overlapping-windows",
        "Your map moves the window one cell at a time, so the windows overlap.",
    ),
    ("max-pool", None, [[6, 3], [8, 4]], "transposed", "rows and columns swapped"),
    ("avg-pool", None, [[6, 8], [3, 4]], "max-instead-of-avg", "gives 13 / 4 = 3.25"),
    ("avg-pool", None, [[13, 21], [8, 8]], "sum-instead-of-avg", "Divide by the 4 cells"),
    (
        "avg-pool",
        None,
        [[3.25, 4, 5.25], [4, 4, 4], [2, 2, 2]],
        "overlapping-windows",
        "the map is 2x2",
    ),
    ("avg-pool", None, [[3.25, 2], [5.25, 2]], "transposed", "rows and columns swapped"),
    ("pool-output-size", None, 111, "forgot-plus-one", "(224 - 2) / 2 = 111 counts the steps"),
    (
        "pool-output-size",
        None,
        223,
        "stride-ignored",
        "224 - 2 + 1 = 223 moves the window one cell",
    ),
    (
        "pool-output-size",
        {"n": 15, "size": 3, "stride": 2},
        5,
        "divided-by-size",
        "(15 - 3) / 3 + 1 divides by the window size. The window moves by the stride, 2: "
        "(15 - 3) / 2 + 1 = 7.",
    ),
    ("flatten-size", None, 4704, "forgot-pool", "28*28*6 = 4704 is the volume before pooling"),
    ("flatten-size", None, 588, "depth-is-input-depth", "14*14*3 = 588 uses the input depth"),
    ("flatten-size", None, 1014, "forgot-plus-one", "The conv output is 32 - 5 + 1 = 28"),
    ("flatten-size", None, 2352, "pooled-one-side", "28*14*6 = 2352 pools only one of height"),
    ("fc-layer-params", None, 11760, "forgot-bias", "(1176 + 1)*10 = 11770."),
    ("fc-layer-params", None, 23520, "bias-per-weight", "2*1176*10 = 23520 gives every weight"),
    ("fc-layer-params", None, 11761, "single-bias", "1176*10 + 1 = 11761 gives the layer one bias"),
    ("fc-layer-params", None, 12936, "bias-per-input", "1176*10 + 1176 = 12936 gives each input"),
]


@pytest.mark.parametrize(
    ("recipe", "params", "answer", "key", "fragment"),
    CASES,
    ids=[f"{c[0]}:{c[3]}" for c in CASES],
)
def test_each_misconception_names_itself_with_the_students_numbers(
    recipe, params, answer, key, fragment
):
    kind_name = RECIPES[recipe].answer
    kind, spec = get_kind(kind_name), spec_for(recipe, kind_name)
    params = kind.generate(spec, None) if params is None else params
    grade = kind.grade(spec, params, answer)
    assert grade.verdict in (Verdict.INCORRECT, Verdict.PARTIAL), grade.message
    assert grade.score < 1
    assert grade.feedback["misconception"]["key"] == key, grade.message
    # The explanation's own calculation, its last result (the right answer) left as "?".
    right = kind.expected(spec, params)
    assert Diagnosis("", "", fragment, "").hiding(right).explanation in shown(grade)
    assert grade.feedback["misconception"]["step"]
    if kind_name == "matrix":
        assert "cells" in grade.feedback or "Your map is" in shown(grade)


def test_the_table_covers_every_declared_misconception():
    covered = {(c[0], c[3]) for c in CASES}
    declared = {(r, k) for r in MISCONCEPTIONS for k in misconception_keys(r)}
    assert declared - covered == set()
    assert set(MISCONCEPTIONS) == set(RECIPES)


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_recipe_grades_itself_over_50_seeds(recipe):
    """The bank check, per recipe: expected answers correct, every mistake caught."""
    assert check_problem(spec_for(recipe, RECIPES[recipe].answer), range(50)) == []


def test_every_misconception_is_exercised_by_some_seed():
    for recipe, kind_name in ((r, RECIPES[r].answer) for r in RECIPES):
        kind, spec = get_kind(kind_name), spec_for(recipe, kind_name)
        seen = set()
        for seed in [None, *range(60)]:
            seen |= set(kind.wrong_answers(spec, kind.generate(spec, seed)))
        assert seen == set(misconception_keys(recipe)), recipe


def test_a_spec_can_limit_the_misconceptions_it_diagnoses():
    spec = spec_for("conv-layer-params", misconceptions=["forgot-input-depth"])
    number = get_kind("number")
    grade = number.grade(spec, {"c": 3, "f": 5, "k": 10}, 750)
    assert "misconception" not in grade.feedback
    assert set(number.wrong_answers(spec, {"c": 3, "f": 5, "k": 10})) == {"forgot-input-depth"}
    assert (
        get_kind("number").wrong_answers(
            spec_for("conv-layer-params", misconceptions=[]), {"c": 3, "f": 5, "k": 10}
        )
        == {}
    )


def test_selfcheck_reports_a_broken_spec_instead_of_raising():
    assert check_problem({"kind": "number", "recipe": "nope"}) == [
        "spec: recipe: unknown recipe 'nope'; known: " + ", ".join(sorted(RECIPES))
    ]
    assert check_problem({"kind": "essay"})[0].startswith("spec: kind: unknown kind 'essay'")


def test_selfcheck_reports_a_misconception_that_grades_correct(monkeypatch):
    from grader.kinds.number import NumberKind

    monkeypatch.setattr(NumberKind, "wrong_answers", lambda self, spec, params: {"fake": 760})
    problems = check_problem(spec_for("conv-layer-params"), seeds=[])
    assert problems == ["pinned: misconception fake (760) graded correct"]


def test_numbers_are_written_as_a_student_writes_them():
    assert [fmt(6.0), fmt(2.3333333), fmt(0.25), fmt("does-not-fit")] == [
        "6",
        "2.333",
        "0.25",
        '"does-not-fit"',
    ]


def test_the_catalog_lists_every_recipe_with_its_lecture_answer():
    import json

    from grader.catalog import catalog

    data = json.loads(json.dumps(catalog()))
    assert set(data) == set(RECIPES)
    assert data["conv-layer-params"]["pinned_answer"] == 760
    assert data["output-size-stride"]["pinned_answer"] == "does-not-fit"
    assert data["conv-three-channels"]["params"]["x"]["shape"] == [3, 7, 7]
    assert {"key": "forgot-bias", "title": "Forgot the bias"} in data["fc-layer-params"][
        "misconceptions"
    ]


@pytest.mark.parametrize(
    ("params", "answer", "english", "korean"),
    [
        (
            {"n": 13, "f": 3, "stride": 1},
            10,
            "13 - 3 = 10 counts the steps the filter takes, not the positions it visits: the "
            "first position is not a step, so add 1: 13 - 3 + 1 = ?.",
            "13 - 3 = 10: 필터가 움직인 걸음 수이지, 필터가 놓이는 자리의 수가 아닙니다. 첫 자리는 "
            "걸음이 아니므로 1을 더합니다: 13 - 3 + 1 = ?.",
        ),
        (
            {"n": 13, "f": 3, "stride": 2},
            5,
            "(13 - 3) / 2 = 5 counts the steps the filter takes, not the positions it visits: "
            "the first position is not a step, so add 1: (13 - 3) / 2 + 1 = ?.",
            "(13 - 3) / 2 = 5: 필터가 움직인 걸음 수이지, 필터가 놓이는 자리의 수가 아닙니다. "
            "첫 자리는 걸음이 아니므로 1을 더합니다: (13 - 3) / 2 + 1 = ?.",
        ),
    ],
)
def test_an_output_size_formula_divides_by_the_stride_only_when_it_is_not_1(
    params, answer, english, korean
):
    """At stride 1 a diagnosis writes ``13 - 3 + 1``, never ``(13 - 3) / 1 + 1`` or
    ``(10) / 1 = 10``; at stride 2 it divides, in both languages. (The right size is
    left for the student: ``= ?``.)"""
    grade = get_kind("number").grade(spec_for("output-size-stride"), params, answer)
    misconception = grade.feedback["misconception"]
    korean_one = localize(grade.feedback, "ko")["misconception"]
    assert misconception["key"] == "forgot-plus-one"
    assert misconception["explanation"] == english
    assert korean_one["explanation"] == korean
    formula = "13 - 3 + 1 = ?" if params["stride"] == 1 else "(13 - 3) / 2 + 1 = ?"
    assert misconception["step"] == f"{formula}: add the +1 for the first position"
    assert korean_one["step"] == f"{formula}: 첫 자리를 위한 +1을 더하세요"


def test_a_number_equal_to_the_right_answer_stays_where_it_does_not_end_the_calculation():
    """The lecture's 7x7 input, padded by 1 with a 3x3 filter: the right answer is 7 too. Only
    the calculation's result is left as "?", never the input size the text computes from."""
    kind, spec = get_kind("number"), spec_for("output-size-padding", "number")
    params = {"n": 7, "f": 3, "stride": 1, "pad": 1}
    grade = kind.grade(spec, params, 5)  # the padding left out: 7 - 3 + 1
    assert grade.feedback["misconception"]["key"] == "forgot-padding"
    for language, padded in (("en", "the padded input is 7 + 2*1"), ("ko", "크기는 7 + 2*1")):
        text = localize(grade.feedback, language)["misconception"]["explanation"]
        assert padded in text, text
        assert text.rstrip(".").endswith("= ?"), text
