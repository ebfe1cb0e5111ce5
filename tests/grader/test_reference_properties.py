"""Property tests: the fast reference against plain loops written here, over random geometry.

The loops are the definitions from the lecture (slide the window, take the dot product / max /
mean), so any shortcut in ``grader.reference`` (im2col, flat-shift, separable pooling, chunking)
must agree with them to float64 rounding (1e-10).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import reference as ref

TOL = 1e-10


def naive_conv(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad))
    xp[:, :, pad : pad + h, pad : pad + wd] = x
    ho = (h + 2 * pad - hh) // stride + 1
    wo = (wd + 2 * pad - ww) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(n):
        for k in range(f):
            for r in range(ho):
                for s in range(wo):
                    window = xp[i, :, r * stride : r * stride + hh, s * stride : s * stride + ww]
                    out[i, k, r, s] = np.sum(window * w[k]) + (b[k] if b is not None else 0.0)
    return out


def naive_pool(x, size, stride, reduce):
    n, c, h, w = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(n):
        for k in range(c):
            for r in range(ho):
                for s in range(wo):
                    out[i, k, r, s] = reduce(
                        x[i, k, r * stride : r * stride + size, s * stride : s * stride + size]
                    )
    return out


def naive_linear(x, w, b):
    out = np.zeros((x.shape[0], w.shape[1]))
    for i in range(x.shape[0]):
        for m in range(w.shape[1]):
            out[i, m] = sum(x[i, d] * w[d, m] for d in range(x.shape[1])) + b[m]
    return out


def arrays(shape, draw):
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).uniform(-10, 10, size=shape)


@st.composite
def conv_cases(draw, max_channels=6):
    """A conv geometry that fits: draw the output size first, then derive the input size."""
    stride = draw(st.integers(1, 3))
    hh, ww = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    pad = draw(st.integers(0, 2))
    ho, wo = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    h, wd = (ho - 1) * stride + hh - 2 * pad, (wo - 1) * stride + ww - 2 * pad
    if h < 1 or wd < 1:
        pad = 0
        h, wd = (ho - 1) * stride + hh, (wo - 1) * stride + ww
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, max_channels)), draw(st.integers(1, 4))
    x = arrays((n, c, h, wd), draw)
    w = arrays((f, c, hh, ww), draw)
    b = arrays((f,), draw) if draw(st.booleans()) else None
    return x, w, b, stride, pad


@settings(max_examples=80, deadline=None)
@given(conv_cases())
def test_conv2d_agrees_with_plain_loops(case):
    x, w, b, stride, pad = case
    out = ref.conv2d(x, w, b, stride, pad)
    assert out.shape == naive_conv(x, w, b, stride, pad).shape
    np.testing.assert_allclose(out, naive_conv(x, w, b, stride, pad), rtol=0, atol=TOL)


@settings(max_examples=25, deadline=None)
@given(conv_cases(max_channels=20))
def test_conv2d_agrees_with_plain_loops_with_many_channels(case):
    # Reaches FLAT_SHIFT_MIN_CHANNELS (with F <= 4 < C), so stride-1 cases take flat-shift.
    x, w, b, stride, pad = case
    np.testing.assert_allclose(
        ref.conv2d(x, w, b, stride, pad), naive_conv(x, w, b, stride, pad), rtol=0, atol=TOL
    )


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_flat_shift_and_im2col_agree_at_stride_1(case):
    x, w, _, _, pad = case
    ho = x.shape[2] + 2 * pad - w.shape[2] + 1
    wo = x.shape[3] + 2 * pad - w.shape[3] + 1
    np.testing.assert_allclose(
        ref._conv_flat_shift(x, w, pad, ho, wo),
        ref._conv_im2col(x, w, 1, pad, ho, wo),
        rtol=0,
        atol=TOL,
    )


def test_flat_shift_handles_batches_larger_than_its_chunk(monkeypatch):
    monkeypatch.setattr(ref, "_FLAT_SHIFT_CHUNK_BYTES", 1)  # one image per chunk
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((3, 2, 5, 6)), rng.standard_normal((2, 2, 3, 2))
    np.testing.assert_allclose(
        ref._conv_flat_shift(x, w, 1, 5, 7), naive_conv(x, w, None, 1, 1), rtol=0, atol=TOL
    )


def test_im2col_handles_batches_larger_than_its_chunk(monkeypatch):
    monkeypatch.setattr(ref, "_IM2COL_CHUNK_BYTES", 1)  # one image per chunk
    rng = np.random.default_rng(10)
    x, w, b = rng.standard_normal((3, 2, 7, 6)), rng.standard_normal((4, 2, 3, 2)), np.arange(4.0)
    for bias in (b, None):
        np.testing.assert_allclose(
            ref.conv2d(x, w, bias, 2, 1), naive_conv(x, w, bias, 2, 1), rtol=0, atol=TOL
        )


@st.composite
def pool_cases(draw):
    size, stride = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ho, wo = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    x = arrays((n, c, (ho - 1) * stride + size, (wo - 1) * stride + size), draw)
    return x, size, stride


@settings(max_examples=80, deadline=None)
@given(pool_cases())
def test_max_pool_agrees_with_plain_loops(case):
    x, size, stride = case
    np.testing.assert_array_equal(
        ref.max_pool2d(x, size, stride), naive_pool(x, size, stride, np.max)
    )


@settings(max_examples=80, deadline=None)
@given(pool_cases())
def test_avg_pool_agrees_with_plain_loops(case):
    x, size, stride = case
    np.testing.assert_allclose(
        ref.avg_pool2d(x, size, stride), naive_pool(x, size, stride, np.mean), rtol=0, atol=TOL
    )


def test_pooling_handles_batches_larger_than_its_chunk(monkeypatch):
    monkeypatch.setattr(ref, "_POOL_CHUNK_BYTES", 1)  # one channel image per chunk
    x = np.random.default_rng(8).standard_normal((2, 3, 7, 7))
    np.testing.assert_array_equal(ref.max_pool2d(x, 3, 2), naive_pool(x, 3, 2, np.max))
    np.testing.assert_allclose(ref.avg_pool2d(x, 3, 2), naive_pool(x, 3, 2, np.mean), atol=TOL)


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.sampled_from(["max_pool", "avg_pool", None]), st.integers(1, 4))
def test_cnn_forward_agrees_with_plain_loops(case, pool, outputs):
    x, w, b, stride, pad = case
    layers = [{"op": "conv", "w": w, "b": b, "stride": stride, "pad": pad}, {"op": "relu"}]
    expected = np.maximum(naive_conv(x, w, b, stride, pad), 0)
    if pool is not None and expected.shape[2] % 2 == 0 and expected.shape[3] % 2 == 0:
        layers.append({"op": pool, "size": 2, "stride": 2})
        expected = naive_pool(expected, 2, 2, np.max if pool == "max_pool" else np.mean)
    expected = expected.reshape(expected.shape[0], -1)
    lw = np.random.default_rng(expected.shape[1]).uniform(-1, 1, (expected.shape[1], outputs))
    lb = np.linspace(-1, 1, outputs)
    layers += [{"op": "flatten"}, {"op": "linear", "w": lw, "b": lb}]
    expected = naive_linear(expected, lw, lb)
    # Scores reach ~1e4 here, so 1e-10 is relative to their scale.
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(ref.cnn_forward(x, layers), expected, rtol=0, atol=TOL * scale)


def test_non_contiguous_views_give_the_same_answers():
    rng = np.random.default_rng(9)
    base = rng.standard_normal((2, 20, 9, 9))
    views = [
        base[:, :, ::-1, :],  # negative strides
        base.transpose(0, 1, 3, 2),  # transposed image axes
        base[::2],  # N = 1 with a doubled batch stride (still flagged C-contiguous)
        np.asfortranarray(base),
        np.broadcast_to(base[:1], (3, 20, 9, 9)),  # zero batch stride
    ]
    w = rng.standard_normal((3, 20, 3, 3))
    for x in views:
        dense = np.ascontiguousarray(x)
        for stride, pad in ((1, 1), (2, 0), (3, 3)):
            np.testing.assert_array_equal(
                ref.conv2d(x, w, None, stride, pad), ref.conv2d(dense, w, None, stride, pad)
            )
            np.testing.assert_allclose(
                ref.conv2d(x[:, :4], w[:, :4], None, stride, pad),
                naive_conv(dense[:, :4], w[:, :4], None, stride, pad),
                rtol=0,
                atol=TOL,
            )
        np.testing.assert_array_equal(ref.max_pool2d(x, 3, 2), ref.max_pool2d(dense, 3, 2))
        np.testing.assert_array_equal(ref.avg_pool2d(x, 3, 3), ref.avg_pool2d(dense, 3, 3))
    np.testing.assert_array_equal(
        ref.conv2d(base, w[:, :, ::-1]), ref.conv2d(base, np.ascontiguousarray(w[:, :, ::-1]))
    )
