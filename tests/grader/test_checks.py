"""grader.checks: the array comparison that code problems use, stage by stage."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from grader import reference
from grader.checks import (
    ARRAY_MISCONCEPTIONS,
    DIFF_MAP_MAX,
    compare_arrays,
    conv2d_variants,
    diagnose_array,
    pool_variants,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_it_accepts_an_equal_array():
    exp = np.arange(12.0).reshape(3, 4)
    check = compare_arrays(exp.copy(), exp)
    assert check.ok and check.stage == "values" and check.max_abs_diff == 0.0


def test_it_accepts_float32_work_within_the_default_tolerance(rng):
    x = rng.standard_normal((2, 3, 9, 9))
    w = rng.standard_normal((4, 3, 3, 3))
    exp = reference.conv2d(x, w)
    windows = sliding_window_view(x.astype(np.float32), (3, 3), axis=(2, 3))
    got = np.einsum("nchwij,fcij->nfhw", windows, w.astype(np.float32))
    assert got.dtype == np.float32
    assert compare_arrays(got, exp).ok
    assert not compare_arrays(got, exp, rtol=1e-10).ok


def test_it_accepts_small_absolute_error_on_cells_near_zero():
    exp = np.array([[100.0, 0.0]])
    got = np.array([[100.0, 1e-5]])
    assert compare_arrays(got, exp).ok
    assert not compare_arrays(got, exp, scale="elementwise").ok


def test_it_accepts_an_integer_array_for_float_expected():
    assert compare_arrays(np.array([[1, 2]]), np.array([[1.0, 2.0]])).ok


def test_it_accepts_a_plain_number_for_a_0d_expected():
    assert compare_arrays(3.0, np.float64(3.0)).ok


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
@pytest.mark.parametrize(
    ("got", "fragment"),
    [
        ([[1.0, 2.0]], "got list, expected numpy.ndarray: wrap it in np.array"),
        (None, "got None, expected numpy.ndarray: is a return missing?"),
        ("12", "got str, expected numpy.ndarray"),
        (True, "got bool, expected numpy.ndarray"),
        (np.asmatrix(np.ones((1, 2))), "got numpy.matrix, expected numpy.ndarray"),
        (np.array([[1.0], "a"], dtype=object), "dtype=object"),
    ],
)
def test_it_rejects_what_is_not_a_numeric_array_at_the_type_stage(got, fragment):
    check = compare_arrays(got, np.zeros((1, 2)))
    assert not check.ok and check.stage == "type"
    assert fragment in check.message


@pytest.mark.parametrize(
    ("got_shape", "exp_shape", "context", "hint"),
    [
        ((1, 28, 28, 10), (1, 10, 28, 28), None, "channels are last (NHWC)"),
        ((1, 10, 28, 28), (1, 10, 32, 32), {"pad": 2}, "is padding missing?"),
        ((1, 10, 32, 32), (1, 10, 28, 28), {"pad": 2}, "padding is counted twice"),
        ((1, 2, 5, 5), (1, 2, 3, 3), None, "is the stride ignored"),
        ((4, 3), (3, 4), None, "is the result transposed?"),
        ((10, 28, 28), (1, 10, 28, 28), None, "is the batch axis N missing?"),
        ((1, 1, 6, 6), (1, 1, 5, 5), None, "+1 counted twice"),
        ((1, 1, 4, 4), (1, 1, 5, 5), None, "+1 of (n - f) / stride + 1 missing"),
    ],
)
def test_it_explains_a_wrong_shape(got_shape, exp_shape, context, hint):
    check = compare_arrays(np.zeros(got_shape), np.zeros(exp_shape), context=context)
    assert check.stage == "shape" and not check.ok
    assert check.message.startswith(f"output: got shape {got_shape}, expected {exp_shape}: ")
    assert hint in check.message


@pytest.mark.parametrize(
    ("dtype", "word"), [(bool, "booleans"), (complex, "complex numbers"), ("U3", "strings")]
)
def test_it_rejects_non_real_dtypes(dtype, word):
    check = compare_arrays(np.zeros((2, 2), dtype=dtype), np.zeros((2, 2)))
    assert check.stage == "dtype" and word in check.message
    assert "expected a real number dtype such as float64" in check.message


def test_it_names_the_first_non_finite_value_and_its_position():
    got = np.zeros((1, 2, 3, 3))
    got[0, 1, 2, 0] = np.nan
    got[0, 1, 2, 2] = np.inf
    check = compare_arrays(got, np.zeros((1, 2, 3, 3)), name="conv2d(x, w)")
    assert check.stage == "finite"
    assert check.message == (
        "conv2d(x, w): got NaN at (0, 1, 2, 0) (2 non-finite values), expected finite numbers"
    )
    assert check.mismatch_index == (0, 1, 2, 0)


def test_it_reports_wrong_values_with_a_diff_map_of_the_first_wrong_channel():
    exp = np.zeros((1, 3, 4, 4))
    got = exp.copy()
    got[0, 1, 2, 3] = 0.5
    got[0, 2, 0, 0] = 2.0
    check = compare_arrays(got, exp)
    assert check.stage == "values" and not check.ok
    assert check.mismatch_index == (0, 1, 2, 3) and check.mismatch_count == 2
    assert check.max_abs_diff == 2.0
    assert check.message == (
        "output: 2 of 48 values differ; first at (0, 1, 2, 3): got 0.5, expected 0 "
        "(max |got - expected| = 2)"
    )
    assert check.diff_map_slice == (0, 1) and check.diff_map_origin == (0, 0)
    assert np.array_equal(np.array(check.diff_map), np.abs(got - exp)[0, 1])
    assert check.to_dict()["mismatch_index"] == [0, 1, 2, 3]


def test_it_caps_the_diff_map_around_the_first_mismatch():
    exp = np.zeros((200, 300))
    got = exp.copy()
    got[150, 250] = 1.0
    check = compare_arrays(got, exp)
    assert len(check.diff_map) == DIFF_MAP_MAX and len(check.diff_map[0]) == DIFF_MAP_MAX
    r0, c0 = check.diff_map_origin
    assert check.diff_map[150 - r0][250 - c0] == 1.0


@pytest.fixture
def conv_inputs(rng):
    x = rng.integers(-3, 4, (1, 3, 7, 7)).astype(float)
    w = rng.integers(-2, 3, (2, 3, 3, 3)).astype(float)
    b = np.array([1.0, -2.0])
    return x, w, b


@pytest.mark.parametrize(
    ("key", "make"),
    [
        ("flipped-kernel", lambda x, w, b: reference.conv2d(x, w[:, :, ::-1, ::-1], b, 2, 1)),
        ("missing-bias", lambda x, w, b: reference.conv2d(x, w, None, 2, 1)),
        ("bias-per-channel", lambda x, w, b: reference.conv2d(x, w, 3 * b, 2, 1)),
        ("last-channel-only", lambda x, w, b: reference.conv2d(x[:, 2:], w[:, 2:], b, 2, 1)),
        ("ignored-padding", lambda x, w, b: reference.conv2d(x, w, b, 2, 0)),
        ("ignored-stride", lambda x, w, b: reference.conv2d(x, w, b, 1, 1)),
        ("transposed", lambda x, w, b: reference.conv2d(x, w, b, 2, 1).swapaxes(2, 3)),
    ],
)
def test_it_diagnoses_each_conv2d_mistake(conv_inputs, key, make):
    x, w, b = conv_inputs
    expected = reference.conv2d(x, w, b, 2, 1)
    variants = conv2d_variants(x, w, b, stride=2, pad=1)
    assert diagnose_array(make(x, w, b), variants, expected=expected) == key
    assert key in ARRAY_MISCONCEPTIONS


def test_it_does_not_diagnose_a_right_answer_even_when_a_variant_equals_it():
    x = np.arange(49.0).reshape(1, 1, 7, 7)
    w = np.array([[[[1.0, 0, 1], [0, 1, 0], [1, 0, 1]]]])  # symmetric: flipping changes nothing
    expected = reference.conv2d(x, w)
    variants = conv2d_variants(x, w)
    assert "flipped-kernel" in variants
    assert diagnose_array(expected, variants, expected=expected) is None


def test_it_diagnoses_nothing_for_garbage():
    variants = {"transposed": np.zeros((2, 2))}
    assert diagnose_array("x", variants) is None
    assert diagnose_array(np.full((2, 2), np.nan), variants) is None
    assert diagnose_array(np.ones((2, 2)), variants) is None


@pytest.mark.parametrize(
    ("mode", "key"), [("max", "avg-instead-of-max"), ("avg", "max-instead-of-avg")]
)
def test_it_diagnoses_the_other_pooling(mode, key):
    x = np.array([[[[1.0, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]]])
    fn, other = (
        (reference.max_pool2d, reference.avg_pool2d)
        if mode == "max"
        else (reference.avg_pool2d, reference.max_pool2d)
    )
    variants = pool_variants(x, 2, 2, mode)
    assert diagnose_array(other(x, 2, 2), variants, expected=fn(x, 2, 2)) == key
    assert diagnose_array(fn(x, 2, 1), variants, expected=fn(x, 2, 2)) == "overlapping-windows"


def test_reference_reproduces_the_lecture_feature_map():
    x = np.array(
        [
            [2, 3, 0, 1, 3, 2, 1],
            [0, 2, 2, 2, 2, 1, 0],
            [1, 2, 1, 1, 1, 0, 0],
            [3, 2, 2, 0, 0, 2, 3],
            [2, 0, 0, 0, 0, 2, 0],
            [0, 0, 0, 2, 2, 2, 2],
            [1, 3, 2, 3, 2, 1, 0],
        ]
    )
    w = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    out = reference.conv2d_single(x, w)
    assert out[0].tolist() == [6, 9, 7, 6, 6] and out[4].tolist() == [5, 6, 6, 8, 4]
    with pytest.raises(ValueError, match="does not fit"):
        reference.conv2d_single(x, w, stride=3)


def test_a_diagnosis_key_becomes_feedback_shaped_like_the_quick_kinds():
    from grader.checks import array_misconception_feedback

    feedback = array_misconception_feedback("flipped-kernel")
    assert feedback["key"] == "flipped-kernel"
    assert feedback["title"] == "True convolution instead of cross-correlation"
    assert set(feedback) == {"key", "title", "explanation", "step"}
