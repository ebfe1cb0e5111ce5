"""The matrix kind: feature maps and pooled maps, cell by cell."""

import math

import numpy as np
import pytest

from grader import reference
from grader.recipes import LECTURE_W3, LECTURE_X, LECTURE_X3
from grader.results import Verdict
from tests.grader.conftest import spec_for

SINGLE = spec_for("conv-single-channel", "matrix")
THREE = spec_for("conv-three-channels", "matrix")
LECTURE_MAP = [
    [6, 9, 7, 6, 6],
    [9, 7, 7, 6, 5],
    [6, 5, 2, 3, 3],
    [5, 4, 4, 6, 9],
    [5, 6, 6, 8, 4],
]
LECTURE_SUM = [
    [8, 13, 9, 8, 7],
    [12, 10, 10, 9, 7],
    [8, 9, 3, 4, 6],
    [8, 6, 6, 6, 11],
    [7, 6, 11, 10, 6],
]
ASYMMETRIC_W = [[1, 0, 0], [0, 1, 1], [-1, 0, 0]]


def shown(grade) -> str:
    """What a student reads: the feedback paragraph, then the diagnosis (title, explanation)."""
    m = grade.feedback.get("misconception") or {}
    return f"{grade.message} {m.get('title', '')}. {m.get('explanation', '')}"


def test_the_pinned_single_channel_map_is_the_lectures(matrix):
    params = matrix.generate(SINGLE, None)
    assert matrix.expected(SINGLE, params) == LECTURE_MAP
    assert matrix.answer_format(SINGLE, params) == {"type": "matrix", "rows": 5, "cols": 5}
    assert matrix.grade(SINGLE, params, LECTURE_MAP).verdict == Verdict.CORRECT


def test_the_pinned_three_channel_map_is_the_lectures_sum(matrix):
    params = matrix.generate(THREE, None)
    assert params["x"] == LECTURE_X3 and params["w"] == LECTURE_W3 and params["b"] == 0
    assert matrix.expected(THREE, params) == LECTURE_SUM


def test_one_wrong_cell_earns_partial_credit_and_is_located(matrix):
    params = matrix.generate(SINGLE, None)
    answer = [row[:] for row in LECTURE_MAP]
    answer[2][3] = 4
    grade = matrix.grade(SINGLE, params, answer)
    assert grade.verdict == Verdict.PARTIAL and grade.score == pytest.approx(24 / 25)
    assert grade.feedback["cells"] == [[2, 3]]
    assert grade.feedback["diff"][2][3] == 1.0 and sum(map(sum, grade.feedback["diff"])) == 1.0
    assert grade.message == "1 of 25 cells differs."


def test_without_partial_credit_a_wrong_cell_scores_zero(matrix):
    spec = spec_for("conv-single-channel", "matrix", partial_credit=False)
    answer = [row[:] for row in LECTURE_MAP]
    answer[0][0] = 0
    grade = matrix.grade(spec, matrix.generate(spec, None), answer)
    assert grade.verdict == Verdict.INCORRECT and grade.score == 0.0


def test_a_flipped_kernel_map_scores_zero_and_says_convolution(matrix):
    params = {"x": LECTURE_X, "w": ASYMMETRIC_W, "stride": 1}
    flipped = reference.conv2d_single(np.array(LECTURE_X), np.array(ASYMMETRIC_W)[::-1, ::-1])
    grade = matrix.grade(SINGLE, params, flipped.tolist())
    assert grade.verdict == Verdict.INCORRECT and grade.score == 0.0
    assert grade.feedback["misconception"]["key"] == "flipped-kernel"
    assert "True convolution instead of cross-correlation" in shown(grade)
    assert "Top-left cell: 2*1 + 3*0 + 0*0 + 0*0 + 2*1 + 2*1 + 1*(-1) + 2*0 + 1*0 = 5" in (
        shown(grade)
    )
    assert grade.feedback["cells"] and len(grade.feedback["diff"]) == 5


def test_the_lectures_symmetric_filter_never_blames_the_flip(matrix):
    params = matrix.generate(SINGLE, None)
    assert "flipped-kernel" not in matrix.wrong_answers(SINGLE, params)


def test_a_mostly_flipped_map_gets_a_partial_diagnosis(matrix):
    params = {"x": LECTURE_X, "w": ASYMMETRIC_W, "stride": 1}
    flipped = reference.conv2d_single(np.array(LECTURE_X), np.array(ASYMMETRIC_W)[::-1, ::-1])
    flipped[4][4] += 100
    grade = matrix.grade(SINGLE, params, flipped.tolist())
    diagnosis = grade.feedback["misconception"]
    assert diagnosis["key"] == "flipped-kernel" and diagnosis["partial"] is True
    assert (
        "of your" in diagnosis["explanation"]
        and "wrong cells match this mistake" in (diagnosis["explanation"])
    )
    assert grade.score > 0  # not a whole-map match: the right cells still count


def test_a_stride_one_map_for_a_stride_two_problem_is_diagnosed_not_invalid(matrix):
    params = {"x": LECTURE_X, "w": [[1, 0, 1], [0, 1, 0], [1, 0, 1]], "stride": 2}
    assert matrix.answer_format(SINGLE, params) == {"type": "matrix", "rows": 3, "cols": 3}
    grade = matrix.grade(SINGLE, params, LECTURE_MAP)
    assert grade.verdict == Verdict.INCORRECT
    assert grade.feedback["misconception"]["key"] == "stride-ignored"
    assert grade.message.startswith("Your map is 5x5; the answer is 3x3. It matches a known")
    assert "Stride ignored" in shown(grade)


def test_a_map_of_another_size_is_invalid(matrix):
    grade = matrix.grade(SINGLE, matrix.generate(SINGLE, None), [[1, 2], [3, 4]])
    assert grade.verdict == Verdict.INVALID
    assert grade.message == "the map must be 5x5 (5 rows of 5), got 2x2"


@pytest.mark.parametrize(
    ("channel", "fragment"), [(0, "channel 1 is missing"), (2, "channel 3 is missing")]
)
def test_a_missing_channel_is_named(matrix, channel, fragment):
    params = {"x": LECTURE_X3, "w": LECTURE_W3, "b": 1}
    keep = [c for c in range(3) if c != channel]
    x, w = np.array(LECTURE_X3, float), np.array(LECTURE_W3, float)
    answer = reference.conv2d(x[None, keep], w[None, keep], np.array([1.0]))[0, 0]
    grade = matrix.grade(THREE, params, answer.tolist())
    assert grade.feedback["misconception"]["key"] == "missing-channel"
    assert fragment in shown(grade)


@pytest.mark.parametrize(
    ("shift", "key", "fragment"),
    [
        (-2, "forgot-bias", "without the bias. The filter's bias b = 2 is added once"),
        (4, "bias-per-channel", "adds the bias for each of the three channels (3*2 = 6)"),
    ],
)
def test_bias_mistakes_on_the_three_channel_map(matrix, shift, key, fragment):
    params = {"x": LECTURE_X3, "w": LECTURE_W3, "b": 2}
    answer = (np.array(LECTURE_SUM) + 2 + shift).tolist()
    grade = matrix.grade(THREE, params, answer)
    assert grade.feedback["misconception"]["key"] == key
    assert fragment in shown(grade)


def test_a_transposed_map_is_diagnosed(matrix):
    params = matrix.generate(THREE, None)
    grade = matrix.grade(THREE, params, np.array(LECTURE_SUM).T.tolist())
    assert grade.feedback["misconception"]["key"] == "transposed"
    assert "rows and columns swapped" in shown(grade)


POOL_X = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def test_max_pool_lecture_example_and_average_instead(matrix):
    spec = spec_for("max-pool", "matrix")
    params = matrix.generate(spec, None)
    assert params == {"x": POOL_X, "size": 2, "stride": 2}
    assert matrix.expected(spec, params) == [[6, 8], [3, 4]]
    grade = matrix.grade(spec, params, [[3.25, 5.25], [2, 2]])
    assert grade.feedback["misconception"]["key"] == "avg-instead-of-max"
    assert "the top-left window (1, 1, 5, 6) gives 6, not 3.25" in shown(grade)


def test_max_pool_with_overlapping_windows(matrix):
    spec = spec_for("max-pool", "matrix")
    grade = matrix.grade(
        spec, {"x": POOL_X, "size": 2, "stride": 2}, [[6, 7, 8], [6, 7, 8], [3, 3, 4]]
    )
    assert grade.feedback["misconception"]["key"] == "overlapping-windows"
    assert "the 2x2 windows start every 2 cells and the map is 2x2" in shown(grade)


@pytest.mark.parametrize(
    ("answer", "key", "fragment"),
    [
        ([[6, 8], [3, 4]], "max-instead-of-avg", "gives 13 / 4 = 3.25"),
        ([[13, 21], [8, 8]], "sum-instead-of-avg", "Divide by the 4 cells of the window"),
    ],
)
def test_avg_pool_mistakes(matrix, answer, key, fragment):
    spec = spec_for("avg-pool", "matrix")
    grade = matrix.grade(spec, {"x": POOL_X, "size": 2, "stride": 2}, answer)
    assert grade.feedback["misconception"]["key"] == key
    assert fragment in shown(grade)


def test_avg_pool_accepts_two_decimals(matrix):
    spec = spec_for("avg-pool", "matrix")
    params = {"x": [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], "size": 3, "stride": 1}
    assert matrix.expected(spec, params) == [[1 / 9, 0], [0, 0]]
    assert matrix.grade(spec, params, [[0.11, 0], [0, 0]]).verdict == Verdict.CORRECT
    assert matrix.grade(spec, params, [[0.1, 0], [0, 0]]).verdict == Verdict.PARTIAL


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("6 9 7", 'the answer must be a matrix (a list of rows), got the string "6 9 7"'),
        ({"rows": []}, "the answer must be a matrix (a list of rows), got an object"),
        ([], "the matrix is empty: send a list of rows"),
        ([[]], "the matrix rows are empty"),
        ([[1, 2], [3]], "row 2 has 1 cells but row 1 has 2: every row needs the same number"),
        ([[1, 2], 3], "row 2 must be a list of numbers, got an int"),
        ([[1, True]], "cell (1, 2) must be a number, got true"),
        ([[1, "2"]], 'cell (1, 2) must be a number, got the string "2"'),
        ([[1, math.nan]], "cell (1, 2) must be a finite number, got nan"),
        ([[1, 1e300]], "cell (1, 2) is too large"),
        ([[0]] * 65, "the matrix has 65 rows; at most 64 are accepted"),
        ([[0] * 65], "row 1 has 65 cells; at most 64 are accepted"),
    ],
)
def test_bad_matrices_are_invalid_with_a_clear_message(matrix, answer, message):
    grade = matrix.grade(SINGLE, matrix.generate(SINGLE, None), answer)
    assert grade.verdict == Verdict.INVALID
    assert grade.message.startswith(message)
