"""The shape kind: volumes written height x width x depth, as in the lecture."""

import pytest

from grader.results import Verdict
from tests.grader.conftest import spec_for

FEATURE = spec_for("feature-map-volume", "shape")
LAYER = spec_for("conv-layer-output-volume", "shape")


def shown(grade) -> str:
    """What a student reads: the feedback paragraph, then the diagnosis (title, explanation)."""
    m = grade.feedback.get("misconception") or {}
    return f"{grade.message} {m.get('title', '')}. {m.get('explanation', '')}"


def test_the_lectures_six_filters_make_a_28x28x6_volume(shape):
    params = shape.generate(FEATURE, None)
    assert params == {"n": 32, "c": 3, "f": 5, "k": 6}
    assert shape.expected(FEATURE, params) == [28, 28, 6]
    assert shape.answer_format(FEATURE, params) == {
        "type": "shape",
        "length": 3,
        "order": "height x width x depth",
    }
    assert shape.grade(FEATURE, params, [28, 28, 6]).verdict == Verdict.CORRECT
    assert shape.grade(FEATURE, params, [28.0, 28.0, 6.0]).verdict == Verdict.CORRECT


@pytest.mark.parametrize(
    ("answer", "key", "fragment"),
    [
        ([6, 28, 28], "depth-first", "You wrote the depth first (6 x 28 x 28"),
        ([28, 28, 3], "depth-is-input-depth", "not the input depth (3)"),
        ([28, 28, 18], "depth-times-channels", "6*3 = 18 maps would mean one map per filter"),
        ([27, 27, 6], "forgot-plus-one", "32 - 5 = 27 counts the steps, not the positions"),
    ],
)
def test_feature_map_volume_mistakes(shape, answer, key, fragment):
    grade = shape.grade(FEATURE, shape.generate(FEATURE, None), answer)
    assert grade.verdict == Verdict.INCORRECT and grade.score == 0.0
    assert grade.feedback["misconception"]["key"] == key
    assert fragment in shown(grade)


@pytest.mark.parametrize(
    ("answer", "key", "fragment"),
    [
        ([28, 28, 10], "forgot-padding", "32 - 5 + 1 = 28 leaves out the zero padding"),
        ([30, 30, 10], "padding-once", "adds the padding on one side only"),
        ([31, 31, 10], "forgot-plus-one", "counts the steps the filter takes"),
        ([32, 32, 3], "depth-is-input-depth", "number of filters (10)"),
    ],
)
def test_conv_layer_volume_mistakes_on_the_lectures_layer(shape, answer, key, fragment):
    params = shape.generate(LAYER, None)
    assert params == {"n": 32, "c": 3, "f": 5, "k": 10, "stride": 1, "pad": 2}
    grade = shape.grade(LAYER, params, answer)
    assert grade.feedback["misconception"]["key"] == key
    assert fragment in shown(grade)
    assert "32 x 32 x 10" not in shown(grade)  # the right volume is left to the student


def test_stride_ignored_on_a_volume(shape):
    params = {"n": 7, "c": 3, "f": 3, "k": 4, "stride": 2, "pad": 0}
    grade = shape.grade(LAYER, params, [5, 5, 4])
    assert grade.feedback["misconception"]["key"] == "stride-ignored"
    assert "With stride 2 the filter jumps 2 cells at a time" in shown(grade)


def test_partial_credit_counts_right_entries_but_not_for_a_known_mistake(shape):
    spec = spec_for("feature-map-volume", "shape", partial_credit=True)
    params = shape.generate(spec, None)
    grade = shape.grade(spec, params, [28, 28, 7])
    assert grade.verdict == Verdict.PARTIAL and grade.score == pytest.approx(2 / 3)
    assert grade.feedback["wrong_entries"] == [2]
    assert grade.message == "28 x 28 x 7 is not right: check the depth."
    assert shape.grade(spec, params, [28, 28, 3]).score == 0.0


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("28x28x6", "the answer must be a list of 3 whole numbers written as height x width x"),
        ([28, 28], "the answer must have 3 numbers written as height x width x depth, got 2"),
        ([28, 28, 6, 1], "the answer must have 3 numbers"),
        ([28, True, 6], "entry 2 must be a number, got true"),
        ([28, 28.5, 6], "entry 2 must be a whole number, got 28.5"),
        ([28, 28, 0], "entry 3 must be at least 1, got 0"),
        ([28, -28, 6], "entry 2 must be at least 1, got -28"),
        ([28, 28, 10**20], "entry 3 is too large"),
        ([28, None, 6], "entry 2 must be a number, got nothing (null)"),
    ],
)
def test_bad_shapes_are_invalid(shape, answer, message):
    grade = shape.grade(FEATURE, shape.generate(FEATURE, None), answer)
    assert grade.verdict == Verdict.INVALID
    assert grade.message.startswith(message)
