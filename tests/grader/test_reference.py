"""The reference CNN against the lecture's worked examples, hand-checked and cs231n known values,
and every error it raises. Property tests and the torch fixtures live in their own modules."""

from __future__ import annotations

import numpy as np
import pytest

from grader import lecture
from grader import reference as ref
from grader.reference import DoesNotFitError

# ----------------------------------------------------------------------------- the lecture


def test_it_reproduces_the_lectures_single_channel_map():
    out = ref.conv2d_single(lecture.LECTURE_INPUT_7x7, lecture.LECTURE_FILTER_3x3)
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out, lecture.LECTURE_MAP_5x5)
    assert out[0].tolist() == [6, 9, 7, 6, 6]
    assert out[4].tolist() == [5, 6, 6, 8, 4]


def test_it_reproduces_each_channels_map_of_the_three_channel_example():
    for c in range(3):
        out = ref.conv2d_single(lecture.LECTURE_CHANNELS_3x7x7[c], lecture.LECTURE_FILTERS_3x3x3[c])
        np.testing.assert_array_equal(out, lecture.LECTURE_CHANNEL_MAPS_3x5x5[c])


def test_it_sums_the_three_channels_into_the_lectures_map():
    x = lecture.LECTURE_CHANNELS_3x7x7[None]  # (1, 3, 7, 7)
    w = lecture.LECTURE_FILTERS_3x3x3[None]  # (1, 3, 3, 3): one 3x3x3 filter
    out = ref.conv2d(x, w, np.zeros(1))
    assert out.shape == (1, 1, 5, 5)
    np.testing.assert_array_equal(out[0, 0], lecture.LECTURE_SUM_5x5)
    assert out[0, 0, 0].tolist() == [8, 13, 9, 8, 7]
    assert out[0, 0, 3].tolist() == [8, 6, 6, 6, 11]
    np.testing.assert_array_equal(
        lecture.LECTURE_CHANNEL_MAPS_3x5x5.sum(axis=0), lecture.LECTURE_SUM_5x5
    )


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_it_gives_the_lectures_output_sizes_for_n7_f3(stride):
    expected = lecture.LECTURE_OUTPUT_SIZES_N7_F3[stride]
    if expected is None:
        with pytest.raises(DoesNotFitError, match=r"2\.33 is not an integer"):
            ref.conv_output_size(7, 3, stride)
        with pytest.raises(DoesNotFitError, match="does not fit a 7x7 input with stride 3"):
            ref.conv2d_single(lecture.LECTURE_INPUT_7x7, lecture.LECTURE_FILTER_3x3, stride)
    else:
        assert ref.conv_output_size(7, 3, stride) == expected
        out = ref.conv2d_single(lecture.LECTURE_INPUT_7x7, lecture.LECTURE_FILTER_3x3, stride)
        assert out.shape == (expected, expected)


def test_the_does_not_fit_message_shows_the_formula_and_the_numbers():
    with pytest.raises(ValueError) as info:
        ref.conv_output_size(7, 3, 3)
    assert str(info.value) == (
        "(7 - 3 + 2*0) / 3 + 1 = 2.33 is not an integer: "
        "a 3x3 filter does not fit a 7x7 input with stride 3"
    )
    assert info.value.value == pytest.approx(7 / 3)
    assert (info.value.n, info.value.f, info.value.stride, info.value.pad) == (7, 3, 3, 0)


def test_padding_one_keeps_the_lectures_7x7():
    case = lecture.LECTURE_PADDED_7x7
    assert ref.conv_output_size(case["n"], case["f"], case["stride"], case["pad"]) == 7
    assert ref.same_padding(3) == 1
    out = ref.conv2d_single(lecture.LECTURE_INPUT_7x7, lecture.LECTURE_FILTER_3x3, pad=1)
    assert out.shape == (7, 7)
    np.testing.assert_array_equal(out[1:6, 1:6], lecture.LECTURE_MAP_5x5)
    assert out[0, 0] == 2 + 2  # only x[0,0]*1 (centre) and x[1,1]*1 (bottom-right) are inside


def test_it_counts_the_lectures_760_parameters():
    case = lecture.LECTURE_PARAMS_EXAMPLE
    assert ref.conv_params(case["input"][2], case["filters"], case["f"]) == 760
    assert ref.conv_params(3, 1, 5) == case["per_filter"]
    assert ref.conv_params(3, 10, 5, bias=False) == 750


def test_repeated_5x5_convs_shrink_32_to_28_to_24():
    sizes = [32]
    for _ in range(2):
        sizes.append(ref.conv_output_size(sizes[-1], lecture.LECTURE_SHRINKING["f"]))
    assert tuple(sizes) == lecture.LECTURE_SHRINKING["sizes"]
    x = np.ones((1, 3, 32, 32))
    h1 = ref.conv2d(x, np.ones((6, 3, 5, 5)))
    assert h1.shape == (1, 6, 28, 28)  # "28x28x6" with 6 filters of 5x5x3
    assert ref.conv2d(h1, np.ones((4, 6, 5, 5))).shape == (1, 4, 24, 24)


def test_the_lecture_arrays_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        lecture.LECTURE_INPUT_7x7[0, 0] = 9


# ----------------------------------------------------------------- hand-checked / known values


def test_a_stride_2_pad_1_case_checked_by_hand():
    x = np.arange(1, 10, dtype=float).reshape(1, 1, 3, 3)  # [[1,2,3],[4,5,6],[7,8,9]]
    w = np.ones((1, 1, 3, 3))
    # Padded to 5x5; windows start at padded rows/cols 0 and 2: each sums one 2x2 corner.
    out = ref.conv2d(x, w, np.array([1.0]), stride=2, pad=1)
    np.testing.assert_array_equal(out[0, 0], [[1 + 12, 1 + 16], [1 + 24, 1 + 28]])


def test_two_filters_over_two_channels_checked_by_hand():
    x = np.stack([np.eye(3), np.ones((3, 3))])[None]  # (1, 2, 3, 3)
    w = np.zeros((2, 2, 2, 2))
    w[0, 0] = [[1, 0], [0, 1]]  # trace of each 2x2 window of channel 0
    w[1, 1] = [[1, 1], [1, 1]]  # sum of each 2x2 window of channel 1
    w[1, 0] = [[0, 0], [0, 10]]  # plus 10 * channel 0's bottom-right pixel
    out = ref.conv2d(x, w, np.array([0.5, -1.0]))
    np.testing.assert_array_equal(out[0, 0], [[2.5, 0.5], [0.5, 2.5]])
    np.testing.assert_array_equal(out[0, 1], [[13, 3], [3, 13]])


def test_it_matches_cs231n_conv_forward_known_values():
    # cs231n assignment 2's check of conv_forward_naive: stride 2, pad 1.
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    expected = np.array(
        [
            [
                [[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                [[0.50813986, 0.54309974], [0.64082444, 0.67101435]],
            ],
            [
                [[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                [[2.36270298, 2.36904306], [2.38090835, 2.38247847]],
            ],
        ]
    )
    np.testing.assert_allclose(ref.conv2d(x, w, b, stride=2, pad=1), expected, atol=5e-9)


def test_pooling_matches_the_classic_2x2_stride_2_example():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[None, None]
    np.testing.assert_array_equal(ref.max_pool2d(x)[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(ref.avg_pool2d(x)[0, 0], [[3.25, 5.25], [2, 2]])


def test_overlapping_3x3_stride_2_pooling_by_hand():
    x = np.arange(25, dtype=float).reshape(1, 1, 5, 5)
    np.testing.assert_array_equal(ref.max_pool2d(x, 3, 2)[0, 0], [[12, 14], [22, 24]])
    np.testing.assert_array_equal(ref.avg_pool2d(x, 3, 2)[0, 0], [[6, 8], [16, 18]])


def test_pooling_keeps_batches_and_channels_apart():
    x = np.arange(2 * 3 * 4 * 4, dtype=float).reshape(2, 3, 4, 4)
    out = ref.max_pool2d(x)
    assert out.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(out[1, 2], x[1, 2, 1::2, 1::2])


def test_relu_flatten_and_linear():
    np.testing.assert_array_equal(ref.relu([[-1.0, 0.0, 2.5]]), [[0, 0, 2.5]])
    x = np.arange(2 * 2 * 2 * 2, dtype=float).reshape(2, 2, 2, 2)
    flat = ref.flatten(x)
    assert flat.shape == (2, 8)
    np.testing.assert_array_equal(flat[1], np.arange(8, 16))
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # (D=3, M=2)
    np.testing.assert_array_equal(ref.linear([[1, 2, 3]], w, [10, 20]), [[14, 25]])
    np.testing.assert_array_equal(ref.linear([[1, 2, 3]], w), [[4, 5]])


def test_it_accepts_nested_lists_and_ints_and_computes_in_float64():
    out = ref.conv2d([[[[1, 2], [3, 4]]]], [[[[1, 1], [1, 1]]]], [1])
    assert out.dtype == np.float64
    assert out.tolist() == [[[[11.0]]]]
    assert ref.max_pool2d(np.ones((1, 1, 2, 2), dtype=np.int64)).dtype == np.float64


def test_cnn_forward_composes_the_layers():
    x = lecture.LECTURE_CHANNELS_3x7x7[None]
    layers = [
        {"op": "conv", "w": lecture.LECTURE_FILTERS_3x3x3[None], "b": [-7.0]},
        {"op": "relu"},
        {"op": "max_pool", "size": 3, "stride": 2},
        {"op": "flatten"},
        {"op": "linear", "w": [[1.0, -1.0]] * 4, "b": [0.0, 100.0]},
    ]
    conv = lecture.LECTURE_SUM_5x5 - 7
    pooled = [
        conv[r : r + 3, c : c + 3].clip(0).max() for r in (0, 2) for c in (0, 2)
    ]  # [6, 3, 5, 4]
    out = ref.cnn_forward(x, layers)
    np.testing.assert_array_equal(out, [[sum(pooled), 100 - sum(pooled)]])
    trace = ref.cnn_forward_trace(x, layers)
    assert [t.shape for t in trace] == [(1, 1, 5, 5), (1, 1, 5, 5), (1, 1, 2, 2), (1, 4), (1, 2)]
    np.testing.assert_array_equal(trace[2].ravel(), pooled)


def test_cnn_forward_uses_the_documented_defaults():
    x = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
    out = ref.cnn_forward(x, [{"op": "conv", "w": np.ones((1, 1, 1, 1))}, {"op": "avg_pool"}])
    np.testing.assert_array_equal(out, ref.avg_pool2d(x, 2, 2))
    np.testing.assert_array_equal(ref.cnn_forward([[[[1, 2]]]], []), [[[[1.0, 2.0]]]])


# ----------------------------------------------------------------------------- helpers


def test_output_size_helpers():
    assert ref.conv_output_size(32, 5, 1, 2) == 32
    assert ref.conv_output_size(29, 5, 2, 2) == 15
    assert ref.pool_output_size(56, 2, 2) == 28
    assert ref.pool_output_size(55, 3, 2) == 27
    assert ref.conv_output_size(np.int64(7), 3) == 5
    assert ref.same_padding(5) == 2
    assert ref.linear_params(4 * 4 * 10, 10) == 1610
    assert ref.linear_params(160, 10, bias=False) == 1600


# ----------------------------------------------------------------------------- float32


def test_float32_inputs_stay_float32_and_agree_with_float64():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 20, 9, 9))
    w = rng.standard_normal((4, 20, 3, 3))
    b = rng.standard_normal(4)
    for stride, pad in ((1, 1), (2, 0), (3, 0)):  # both the flat-shift and im2col paths
        out32 = ref.conv2d(x.astype(np.float32), w, b, stride, pad)
        assert out32.dtype == np.float32
        out64 = ref.conv2d(x, w, b, stride, pad)
        np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-5 * np.abs(out64).max())
    x32 = x.astype(np.float32)
    for fn in (ref.max_pool2d, ref.avg_pool2d):
        pooled = fn(x32[:, :, :8, :8])
        assert pooled.dtype == np.float32
        np.testing.assert_allclose(pooled, fn(x[:, :, :8, :8]), rtol=1e-5, atol=1e-6)
    assert ref.relu(x32).dtype == np.float32
    assert ref.flatten(x32).dtype == np.float32
    lin = ref.linear(ref.flatten(x32), np.ones((20 * 81, 3)), np.ones(3))
    assert lin.dtype == np.float32
    single = ref.conv2d_single(x32[0, 0], w[0, 0])
    assert single.dtype == np.float32
    net = [{"op": "conv", "w": w, "b": b}, {"op": "relu"}, {"op": "flatten"}]
    out = ref.cnn_forward(x32, net)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref.cnn_forward(x, net), rtol=1e-5, atol=1e-4)


def test_float16_and_int_inputs_are_computed_in_float64():
    x = np.ones((1, 1, 3, 3), dtype=np.float16)
    assert ref.conv2d(x, np.ones((1, 1, 3, 3), dtype=np.float32)).dtype == np.float64


# ----------------------------------------------------------------------------- errors

X = np.zeros((1, 3, 7, 7))
W = np.zeros((2, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: ref.conv2d(np.zeros((7, 7)), W), r"x must be 4-D \(N, C, H, W\).*conv2d_single"),
        (lambda: ref.conv2d(np.zeros((3, 7, 7)), W), r"x must be 4-D .*got shape \(3, 7, 7\)"),
        (lambda: ref.conv2d(X, np.zeros((3, 3, 3))), r"w must be 4-D \(F, C, HH, WW\)"),
        (lambda: ref.conv2d(np.zeros((1, 0, 7, 7)), W), r"x must not be empty"),
        (
            lambda: ref.conv2d(X, np.zeros((2, 2, 3, 3))),
            r"x has 3 channels but each filter "
            r"spans 2",
        ),
        (lambda: ref.conv2d(X, W, stride=0), r"stride must be a positive integer, got 0"),
        (lambda: ref.conv2d(X, W, stride=-2), r"stride must be a positive integer, got -2"),
        (lambda: ref.conv2d(X, W, stride=1.5), r"stride must be an integer, got 1\.5"),
        (lambda: ref.conv2d(X, W, stride=True), r"stride must be an integer, got True"),
        (lambda: ref.conv2d(X, W, pad=-1), r"pad must be a non-negative integer, got -1"),
        (lambda: ref.conv2d(X, W, pad="1"), r"pad must be an integer, got '1'"),
        (lambda: ref.conv2d(X, W, np.zeros(3)), r"b must have shape \(F,\) = \(2,\).*got \(3,\)"),
        (lambda: ref.conv2d(X, W, np.zeros((2, 1))), r"b must have shape .*got \(2, 1\)"),
        (
            lambda: ref.conv2d(X, W, stride=3),
            r"\(7 - 3 \+ 2\*0\) / 3 \+ 1 = 2\.33 is not an "
            r"integer: a 3x3 filter does not fit a 7x7 input with stride 3",
        ),
        (
            lambda: ref.conv2d(X, W, stride=4, pad=1),
            r"\(7 - 3 \+ 2\*1\) / 4 \+ 1 = 2\.5 is not "
            r"an integer: a 3x3 filter does not fit a 7x7 input with stride 4 and pad 1",
        ),
        (
            lambda: ref.conv2d(np.zeros((1, 3, 7, 8)), W, stride=2),
            r"\(8 - 3 \+ 2\*0\) / 2 \+ 1 "
            r"= 3\.5 is not an integer: a 3x3 filter does not fit a 7x8 input",
        ),
        (
            lambda: ref.conv2d(np.zeros((1, 3, 2, 2)), W),
            r"less than 1: a 3x3 filter is larger "
            r"than the 2x2 input \(2 \+ 2\*0 = 2 < 3\)",
        ),
        (lambda: ref.conv2d(np.zeros((1, 3, 1, 1)), W, pad=0), r"is larger than the 1x1 input"),
        (lambda: ref.conv2d("abc", W), r"x must be a real numeric array, got str"),
        (
            lambda: ref.conv2d([[[[1, 2], [3]]]], W),
            r"x must be a real numeric array, got list: .*sequence",
        ),
        (lambda: ref.conv2d(X, [[["a"]]]), r"w must be a real numeric array"),
        (
            lambda: ref.conv2d(X.astype(complex), W),
            r"x must be a real numeric array, got "
            r"ndarray of dtype complex128",
        ),
        (lambda: ref.conv2d(np.full((1, 3, 7, 7), "1"), W), r"x must be a real numeric array"),
        (lambda: ref.relu([None]), r"x must be a real numeric array, got list of dtype object"),
        (
            lambda: ref.conv2d_single(np.zeros((1, 7, 7)), np.ones((3, 3))),
            r"image must be 2-D \(H, W\).*use conv2d",
        ),
        (
            lambda: ref.conv2d_single(np.zeros((7, 7)), np.ones((1, 3, 3))),
            r"kernel must be 2-D \(HH, WW\)",
        ),
        (lambda: ref.max_pool2d(np.zeros((4, 4))), r"x must be 4-D \(N, C, H, W\)"),
        (lambda: ref.avg_pool2d(X, size=0), r"pooling size must be a positive integer, got 0"),
        (lambda: ref.max_pool2d(X, size=2, stride=0), r"stride must be a positive integer"),
        (
            lambda: ref.max_pool2d(np.zeros((1, 1, 56, 56)), 3, 2),
            r"\(56 - 3 \+ 2\*0\) / 2 \+ 1 "
            r"= 27\.5 is not an integer: a 3x3 pooling window does not fit a 56x56 input",
        ),
        (
            lambda: ref.avg_pool2d(np.zeros((1, 1, 7, 7))),
            r"= 3\.5 is not an integer: a 2x2 "
            r"pooling window does not fit a 7x7 input with stride 2",
        ),
        (lambda: ref.max_pool2d(np.zeros((1, 1, 2, 2)), 3, 1), r"3x3 pooling window is larger"),
        (lambda: ref.flatten(np.zeros(3)), r"x must have a batch axis"),
        (
            lambda: ref.linear(np.zeros((1, 2, 2)), np.zeros((4, 1))),
            r"x must be 2-D \(N, D\).*"
            r"flatten",
        ),
        (lambda: ref.linear(np.zeros((1, 4)), np.zeros(4)), r"w must be 2-D \(D, M\)"),
        (
            lambda: ref.linear(np.zeros((1, 4)), np.zeros((2, 4))),
            r"x has 4 features per sample "
            r"but w expects 2.*transpose of torch's",
        ),
        (
            lambda: ref.linear(np.zeros((1, 4)), np.zeros((4, 2)), np.zeros(4)),
            r"b must have "
            r"shape \(M,\) = \(2,\)",
        ),
        (lambda: ref.conv_output_size(0, 3), r"input size must be a positive integer, got 0"),
        (lambda: ref.conv_output_size(7, 0), r"filter size must be a positive integer"),
        (lambda: ref.conv_output_size(7, 3, 0), r"stride must be a positive integer"),
        (lambda: ref.conv_output_size(7, 3, 1, -1), r"pad must be a non-negative integer"),
        (lambda: ref.conv_output_size(7.0, 3), r"input size must be an integer, got 7\.0"),
        (lambda: ref.conv_output_size(3, 5), r"less than 1: a 5x5 filter is larger"),
        (lambda: ref.pool_output_size(7, 2, 2), r"2x2 pooling window does not fit a 7x7 input"),
        (lambda: ref.pool_output_size(7, 0, 2), r"pooling size must be a positive integer"),
        (
            lambda: ref.same_padding(4),
            r"a 4x4 filter has no 'same' padding.*2\*pad = 4 - 1 = 3, "
            r"which is odd.*1\.5 pixels",
        ),
        (lambda: ref.same_padding(0), r"filter size must be a positive integer"),
        (lambda: ref.conv_params(0, 10, 5), r"input channels must be a positive integer"),
        (lambda: ref.conv_params(3, 0, 5), r"output channels must be a positive integer"),
        (lambda: ref.conv_params(3, 10, 0), r"filter size must be a positive integer"),
        (lambda: ref.linear_params(0, 10), r"inputs must be a positive integer"),
        (lambda: ref.linear_params(10, -1), r"outputs must be a positive integer"),
    ],
)
def test_every_bad_input_gets_a_clear_value_error(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_an_8x8_input_reads_an_8x8():
    with pytest.raises(DoesNotFitError, match="does not fit an 8x8 input with stride 2 and pad 1"):
        ref.conv_output_size(8, 3, 2, 1)


def test_does_not_fit_values_keep_a_decimal_when_close_to_an_integer():
    # (1000 - 1 + 0) / 999 + 1 = 2.001: must not print as "2"
    message = ref.does_not_fit_message(1001, 1, 999)
    assert "= 2.001 is not an integer" in message


@pytest.mark.parametrize(
    ("layers", "pattern"),
    [
        ({"op": "relu"}, r"layers must be a list of dicts, got dict"),
        ("relu", r"layers must be a list of dicts, got str"),
        (None, r"layers must be a list of dicts, got NoneType"),
        ([["relu"]], r"layer 0 must be a dict with an 'op'"),
        (
            [{"op": "relu"}, {"op": "softmax"}],
            r"layer 1: unknown op 'softmax'; expected one of "
            r"conv, relu",
        ),
        ([{"type": "relu"}], r"layer 0: unknown op None"),
        (
            [{"op": "max_pool", "kernel": 2}],
            r"layer 0 \(max_pool\): unknown key\(s\) 'kernel'; "
            r"allowed: op, size, stride",
        ),
        ([{"op": "conv", "b": [0.0]}], r"layer 0 \(conv\): missing key\(s\) w"),
        ([{"op": "linear", "w": np.zeros((4, 2))}], r"layer 0 \(linear\): x must be 2-D"),
        (
            [{"op": "conv", "w": np.zeros((1, 2, 3, 3))}],
            r"layer 0 \(conv\): x has 1 channels but "
            r"each filter spans 2",
        ),
        (
            [{"op": "relu"}, {"op": "conv", "w": np.zeros((1, 1, 3, 3)), "stride": 3}],
            r"layer 1 \(conv\): \(8 - 3 \+ 2\*0\) / 3 \+ 1 = 2\.67 is not an integer: a 3x3 filter "
            r"does not fit an 8x8 input with stride 3",
        ),
        (
            [{"op": "avg_pool", "size": 3}],
            r"layer 0 \(avg_pool\): .* 3x3 pooling window does not "
            r"fit an 8x8 input with stride 2",
        ),
    ],
)
def test_cnn_forward_names_the_bad_layer(layers, pattern):
    with pytest.raises(ValueError, match=pattern):
        ref.cnn_forward(np.zeros((1, 1, 8, 8)), layers)


def test_cnn_forward_keeps_the_does_not_fit_type_and_numbers():
    with pytest.raises(DoesNotFitError) as info:
        ref.cnn_forward(
            np.zeros((1, 1, 7, 7)), [{"op": "conv", "w": np.ones((1, 1, 3, 3)), "stride": 3}]
        )
    assert info.value.value == pytest.approx(7 / 3)
    assert str(info.value).startswith("layer 0 (conv): (7 - 3 + 2*0) / 3 + 1 = 2.33")


def test_does_not_fit_values_never_print_as_an_integer():
    assert "= 2.0001 is not an integer" in ref.does_not_fit_message(10002, 1, 10000)


def test_the_flat_shift_scheme_is_chosen_for_stride_1_with_many_channels_only():
    assert ref.uses_flat_shift(64, 64, 1)  # the (8,64,56,56)x(64,64,3,3) benchmark layer
    assert ref.uses_flat_shift(ref.FLAT_SHIFT_MIN_CHANNELS, 4, 1)
    assert not ref.uses_flat_shift(3, 32, 1)  # few channels: im2col
    assert not ref.uses_flat_shift(16, 64, 1)  # more filters than channels: im2col
    assert not ref.uses_flat_shift(64, 64, 2)  # flat-shift is stride-1 only
