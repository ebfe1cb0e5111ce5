"""The NumPy reference CNN: what every computed answer and every code submission is graded against.

Conventions (the lecture's, and cs231n's):

- Arrays are NCHW: a batch ``x`` has shape ``(N, C, H, W)``; conv weights are ``(F, C, HH, WW)``
  (F filters, each spanning all C input channels); a conv bias is ``(F,)``.
- A "convolution" is the cross-correlation CNN layers compute: the kernel is *not* flipped.
- Output size along one axis is ``(N - F + 2*pad) / stride + 1``. When that is not an integer the
  geometry "doesn't fit" (the lecture: a 3x3 filter on a 7x7 input with stride 3) and we raise
  ``DoesNotFitError`` (a ``ValueError``) instead of silently flooring as torch does. Every caller
  (conv, pooling, the formula helpers, the problem kinds) gets the same message from
  ``does_not_fit_message``.
- dtype: float64 by default. A float32 ``x`` switches a call to float32 (the other arrays of that
  call are cast to float32 too), so students' float32 work can be reproduced exactly; anything
  else (ints, lists, float16, float64) is computed in float64.
- ``linear`` takes its weight as ``(D, M)`` (cs231n's ``affine_forward``: ``out = x @ w + b``),
  *not* torch's ``(M, D)``: it reads like the formula students write.

Everything here is a pure function of its inputs; nothing imports Django.

Speed (measured by ``bench/bench_reference.py`` against torch):
conv2d uses im2col + one batched matmul in NCHW order (no transposes), or, for stride-1 layers with
many input channels, a "flat-shift" scheme with no im2col copy at all; pooling loops over the
kernel offsets (separably: k along W, then k along H) with whole-array ``np.maximum`` / ``np.add``
on strided slices, a cache-sized chunk of channel images at a time.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "FLAT_SHIFT_MIN_CHANNELS",
    "DoesNotFitError",
    "avg_pool2d",
    "cnn_forward",
    "cnn_forward_trace",
    "conv2d",
    "conv2d_single",
    "conv_output_size",
    "conv_params",
    "does_not_fit_message",
    "flatten",
    "linear",
    "linear_params",
    "max_pool2d",
    "pool_output_size",
    "relu",
    "same_padding",
    "uses_flat_shift",
]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)

# Which conv scheme: flat-shift for stride-1 layers with at least FLAT_SHIFT_MIN_CHANNELS input
# channels and no more filters than input channels (C >= F); im2col for everything else.
# Why: flat-shift skips the im2col copy (whose cost relative to the GEMM falls as 1/F) but makes
# HH*WW accumulation passes over the output, whose relative cost falls as 1/C, and its GEMMs have
# inner size C only. So it pays when C is large and not smaller than F.
# Measured (bench_reference.py's sweep, float64, 1 thread; flat time / im2col time, 2026-11-26,
# on a machine shared with other agents, so differences under ~20 % are noise):
# - robust: C = 3 (the benchmark's B and C layers) 1.2-3.0 -> im2col; C < F loses: 64 filters on
#   C = 8/12/16: 1.0-1.8 -> im2col;
# - around parity: C = F = 4-8 (3x3) 1.0-1.2; C = F = 12-64 0.54-1.2, median ~0.8; 5x5 kernels
#   0.64-0.9; the (8,64,56,56)x(64,64,3,3) benchmark layer 0.8-0.9 (both schemes beat torch's
#   float64 conv there by about 2x).
FLAT_SHIFT_MIN_CHANNELS = 12
_FLAT_SHIFT_CHUNK_BYTES = 1 << 20
_IM2COL_CHUNK_BYTES = 1 << 19


# --------------------------------------------------------------------------------------------
# Formula helpers (pure ints) and the one place the "doesn't fit" text is built
# --------------------------------------------------------------------------------------------


class DoesNotFitError(ValueError):
    """A window (filter or pooling) that does not tile its input: the output size is not a
    positive integer. Carries the numbers so problem kinds and diagnosis can reuse them.

    ``value`` is the exact (fractional) output size ``(n - f + 2*pad) / stride + 1``; ``prefix``
    (e.g. "layer 2 (conv): ") is put before the message by callers that add context.
    """

    def __init__(
        self,
        n: int,
        f: int,
        stride: int,
        pad: int,
        *,
        window: str = "filter",
        input_size: tuple[int, int] | None = None,
        window_size: tuple[int, int] | None = None,
        prefix: str = "",
    ) -> None:
        self.n, self.f, self.stride, self.pad = n, f, stride, pad
        self.value = (n - f + 2 * pad) / stride + 1
        self._context = {"window": window, "input_size": input_size, "window_size": window_size}
        super().__init__(prefix + does_not_fit_message(n, f, stride, pad, **self._context))

    def with_prefix(self, prefix: str) -> DoesNotFitError:
        """The same error with ``prefix`` before its message (same numbers, same type)."""
        return DoesNotFitError(
            self.n, self.f, self.stride, self.pad, prefix=prefix, **self._context
        )


def _a(size: int) -> str:
    """The article before a spoken size: "an 8x8", "an 11x11", "a 7x7"."""
    return "an" if str(size).startswith("8") or size in (11, 18) else "a"


def _fmt_number(v: float) -> str:
    """2.3333 -> '2.33', 27.5 -> '27.5', -1.0 -> '-1': short but never misleadingly rounded to
    an integer (a value that is not an integer keeps at least one decimal)."""
    for decimals in range(2, 10):
        text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
        if v == int(v) or "." in text:  # 4.999 must not print as '5'
            return text
    return repr(v)


def does_not_fit_message(
    n: int,
    f: int,
    stride: int,
    pad: int = 0,
    *,
    window: str = "filter",
    input_size: tuple[int, int] | None = None,
    window_size: tuple[int, int] | None = None,
) -> str:
    """The text every "doesn't fit" error shows (for a geometry that does not fit: a
    fractional or < 1 output size), with the formula and the numbers, e.g.
    ``(7 - 3 + 2*0) / 3 + 1 = 2.33 is not an integer: a 3x3 filter does not fit a 7x7 input
    with stride 3``.

    ``n``/``f`` are the sizes along the axis that fails; ``input_size``/``window_size`` (height,
    width) describe the whole input and window when they are not square (default: n x n, f x f).
    ``window`` names the window ("filter" or "pooling window").
    """
    value = (n - f + 2 * pad) / stride + 1
    ih, iw = input_size if input_size is not None else (n, n)
    wh, ww = window_size if window_size is not None else (f, f)
    formula = f"({n} - {f} + 2*{pad}) / {stride} + 1 = {_fmt_number(value)}"
    padded = f" padded by {pad}" if pad else ""
    if n + 2 * pad < f:
        return (
            f"{formula} is less than 1: {_a(wh)} {wh}x{ww} {window} is larger than the "
            f"{ih}x{iw} input{padded} ({n} + 2*{pad} = {n + 2 * pad} < {f})"
        )
    with_pad = f" and pad {pad}" if pad else ""
    return (
        f"{formula} is not an integer: {_a(wh)} {wh}x{ww} {window} does not fit "
        f"{_a(ih)} {ih}x{iw} input with stride {stride}{with_pad}"
    )


def _int_param(value: Any, name: str, minimum: int) -> int:
    """A Python int >= minimum (numpy ints accepted, bools and floats refused)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        as_int = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if as_int < minimum:
        kind = "a positive" if minimum == 1 else "a non-negative"
        raise ValueError(f"{name} must be {kind} integer, got {as_int}")
    return as_int


def _output_size(
    n: int,
    f: int,
    stride: int,
    pad: int,
    window: str,
    input_size: tuple[int, int] | None = None,
    window_size: tuple[int, int] | None = None,
) -> int:
    """Output size along one axis for already-validated ints; raises DoesNotFitError."""
    span = n + 2 * pad - f
    if span < 0 or span % stride:
        raise DoesNotFitError(
            n, f, stride, pad, window=window, input_size=input_size, window_size=window_size
        )
    return span // stride + 1


def conv_output_size(n: int, f: int, stride: int = 1, pad: int = 0) -> int:
    """Output size of a conv along one axis: ``(n - f + 2*pad) / stride + 1``.

    The lecture's examples: n=7, f=3 gives 5 (stride 1), 3 (stride 2) and raises
    ``DoesNotFitError`` for stride 3 (2.33 is not an integer); n=7, f=3, pad=1 keeps 7.
    """
    n = _int_param(n, "input size", 1)
    f = _int_param(f, "filter size", 1)
    stride = _int_param(stride, "stride", 1)
    pad = _int_param(pad, "pad", 0)
    return _output_size(n, f, stride, pad, "filter")


def pool_output_size(n: int, size: int = 2, stride: int = 2) -> int:
    """Output size of a pooling layer along one axis: ``(n - size) / stride + 1`` (no padding).

    Pooling follows the same "doesn't fit" rule as conv: 56 with a 3x3 window and stride 2 gives
    27.5 and raises ``DoesNotFitError`` (torch would floor it to 27).
    """
    n = _int_param(n, "input size", 1)
    size = _int_param(size, "pooling size", 1)
    stride = _int_param(stride, "stride", 1)
    return _output_size(n, size, stride, 0, "pooling window")


def same_padding(f: int) -> int:
    """The pad that keeps the spatial size at stride 1 for an f x f filter: ``(f - 1) / 2``.

    Only odd filters have one (3 -> 1, 5 -> 2): the output keeps n when 2*pad = f - 1, which
    for an even f is odd, so the pad would be half a pixel on each side.
    """
    f = _int_param(f, "filter size", 1)
    if f % 2 == 0:
        raise ValueError(
            f"a {f}x{f} filter has no 'same' padding: keeping the size at stride 1 needs "
            f"2*pad = {f} - 1 = {f - 1}, which is odd, so pad would be {(f - 1) / 2} pixels "
            f"per side; use an odd filter size"
        )
    return (f - 1) // 2


def conv_params(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """Learnable parameters of a conv layer with c_out filters of k x k x c_in (+1 bias each).

    The lecture's example: 10 filters of 5x5x3 -> (5*5*3 + 1) * 10 = 760.
    """
    c_in = _int_param(c_in, "input channels", 1)
    c_out = _int_param(c_out, "output channels", 1)
    k = _int_param(k, "filter size", 1)
    return (k * k * c_in + (1 if bias else 0)) * c_out


def linear_params(inputs: int, outputs: int, bias: bool = True) -> int:
    """Learnable parameters of a fully connected layer: ``(inputs + 1) * outputs`` with bias."""
    inputs = _int_param(inputs, "inputs", 1)
    outputs = _int_param(outputs, "outputs", 1)
    return (inputs + (1 if bias else 0)) * outputs


# --------------------------------------------------------------------------------------------
# Array conversion
# --------------------------------------------------------------------------------------------


def _as_float(a: ArrayLike, name: str, dtype: np.dtype | None = None) -> np.ndarray:
    """``a`` as a float ndarray: float32 kept when ``dtype`` is None, else float64; or ``dtype``.

    Cheap on the hot path: an ndarray that already has the wanted dtype is returned as is.
    """
    if type(a) is np.ndarray:
        dt = a.dtype
        if dtype is None:
            if dt in (_F64, _F32):
                return a
            dtype = _F64
        elif dt == dtype:
            return a
    elif dtype is None:
        dtype = _F64
    try:
        # Without a dtype first: NumPy would silently parse strings and drop imaginary parts.
        raw = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a real numeric array, got {type(a).__name__}: {exc}"
        ) from None
    if raw.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be a real numeric array, got {type(a).__name__} of dtype {raw.dtype}"
        )
    return raw.astype(dtype, copy=False)


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(int(s) for s in shape))


def _need_ndim(a: np.ndarray, ndim: int, name: str, layout: str, hint: str = "") -> None:
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}, got shape {_shape(a.shape)}{hint}")
    if 0 in a.shape:
        raise ValueError(f"{name} must not be empty, got shape {_shape(a.shape)}")


# --------------------------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------------------------


def _padded(x: np.ndarray, pad: int, extra_rows: int = 0) -> np.ndarray:
    """x (N, C, H, W) zero-padded to (N, C, H + 2*pad + extra_rows, W + 2*pad).

    ``np.pad`` costs ~10 us of Python overhead; a zeros buffer plus one slice copy does not.
    """
    if pad == 0 and extra_rows == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * pad + extra_rows, w + 2 * pad), dtype=x.dtype)
    xp[:, :, pad : pad + h, pad : pad + w] = x
    return xp


def uses_flat_shift(channels: int, filters: int, stride: int) -> bool:
    """Whether ``conv2d`` takes the flat-shift scheme for a layer: stride 1, C >= F and
    C >= FLAT_SHIFT_MIN_CHANNELS (see the measurements above that constant)."""
    return stride == 1 and channels >= FLAT_SHIFT_MIN_CHANNELS and channels >= filters


def _conv_im2col(
    x: np.ndarray,
    w: np.ndarray,
    stride: int,
    pad: int,
    ho: int,
    wo: int,
    b: np.ndarray | None = None,
) -> np.ndarray:
    """im2col + batched matmul, NCHW-native; returns (N, F, Ho, Wo) with the bias added.

    The windows are a zero-copy strided view (N, C, HH, WW, Ho, Wo) of the padded input:
    element [n, c, i, j, r, s] is xp[n, c, r*stride + i, s*stride + j]. Reshaping it to
    (N, C*HH*WW, Ho*Wo) makes the im2col copy in one C-level pass, and
    ``w.reshape(F, C*HH*WW) @ cols`` gives (N, F, Ho*Wo), already NCHW: no transpose anywhere.
    One copy instead of HH*WW slice assignments: 5 instead of 14 us on the lecture-sized layer.
    Done a few images at a time (``_IM2COL_CHUNK_BYTES`` of cols + output), so the GEMM reads
    cols and the bias pass reads the output while they are still in cache: about 1.5x faster on
    (16,3,32,32)x(32,3,3,3) and (32,16,29,29)x(32,16,5,5) than whole-batch passes.
    """
    xp = _padded(x, pad)
    if not xp.flags.c_contiguous:
        xp = np.ascontiguousarray(xp)
    n, c, _, _ = xp.shape
    f, _, hh, ww = w.shape
    k, p = c * hh * ww, ho * wo
    sn, sc, sh, sw = xp.strides
    windows = np.ndarray(
        (n, c, hh, ww, ho, wo), xp.dtype, xp, 0, (sn, sc, sh, sw, sh * stride, sw * stride)
    )
    weights = w.reshape(f, k)
    bias = None if b is None else b.reshape(f, 1)
    step = max(1, _IM2COL_CHUNK_BYTES // ((k + f) * p * xp.itemsize))
    if step >= n:  # one chunk: the common small case, without the loop's bookkeeping
        out = np.matmul(weights, windows.reshape(n, k, p))
        if bias is not None:
            out += bias
        return out.reshape(n, f, ho, wo)
    out = np.empty((n, f, p), dtype=xp.dtype)
    for start in range(0, n, step):
        block = out[start : start + step]
        np.matmul(weights, windows[start : start + step].reshape(-1, k, p), out=block)
        if bias is not None:
            block += bias
    return out.reshape(n, f, ho, wo)


def _conv_flat_shift(x: np.ndarray, w: np.ndarray, pad: int, ho: int, wo: int) -> np.ndarray:
    """Stride-1 conv as HH*WW GEMMs on shifted views of the flattened padded image.

    With the padded image flattened per channel to length Hp*Wp, the input pixel under kernel
    offset (i, j) for output (r, s) sits at flat index (r + i)*Wp + (s + j) = r*Wp + s + off with
    off = i*Wp + j. So for each offset, ``w[:, :, i, j] (F, C) @ flat[:, :, off : off + Ho*Wp]``
    adds that offset's contribution for all outputs at once (computing Wp - Wo junk columns per
    row, dropped at the end). No im2col buffer: memory traffic is HH*WW passes over the output
    instead of one HH*WW-times-larger copy, which wins when C is large (see
    ``uses_flat_shift``). One spare zero row keeps the last shifted slice in bounds.
    """
    n, c = x.shape[0], x.shape[1]
    f, _, hh, ww = w.shape
    xp = _padded(x, pad, extra_rows=1)
    wp = xp.shape[3]
    flat = xp.reshape(n, c, -1)
    length = ho * wp
    taps = np.ascontiguousarray(w.transpose(2, 3, 0, 1))  # (HH, WW, F, C): contiguous GEMM operands
    acc = np.empty((n, f, length), dtype=x.dtype)
    # A few images at a time, so the HH*WW accumulations re-read an output block still in cache
    # (46 instead of 61 ms on (8,64,56,56)x(64,64,3,3)).
    step = max(1, _FLAT_SHIFT_CHUNK_BYTES // (f * length * x.itemsize))
    tmp = np.empty((min(step, n), f, length), dtype=x.dtype)
    for start in range(0, n, step):
        chunk = flat[start : start + step]
        block = acc[start : start + step]
        part = tmp[: chunk.shape[0]]
        np.matmul(taps[0, 0], chunk[:, :, :length], out=block)
        for i in range(hh):
            for j in range(ww):
                if i or j:
                    off = i * wp + j
                    np.matmul(taps[i, j], chunk[:, :, off : off + length], out=part)
                    block += part
    return acc.reshape(n, f, ho, wp)[:, :, :, :wo]


def conv2d(
    x: ArrayLike, w: ArrayLike, b: ArrayLike | None = None, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """Forward pass of a conv layer (cross-correlation, as CNN layers compute it).

    x: (N, C, H, W) input batch. w: (F, C, HH, WW) filters. b: (F,) biases, or None for none.
    stride, pad: the same along both axes (pad adds zeros on every side).
    Returns (N, F, H', W') with H' = (H - HH + 2*pad) / stride + 1 (and W' likewise), each
    output channel being one filter's dot product with every window, summed over the C channels,
    plus that filter's bias.

    Raises ``ValueError`` for wrong ndim, mismatched channels, a bias of the wrong shape, a
    non-positive stride or negative pad, and ``DoesNotFitError`` (a ``ValueError``) when the
    filter is larger than the padded input or does not tile it with this stride (the lecture's
    7x7 input, 3x3 filter, stride 3).
    float32 ``x`` gives float32 (w and b cast to it); otherwise float64.
    """
    x = _as_float(x, "x")
    dt = x.dtype
    w = _as_float(w, "w", dt)
    if x.ndim != 4 or w.ndim != 4 or 0 in x.shape or 0 in w.shape:
        hint = "; for a single 2-D image use conv2d_single" if x.ndim == 2 else ""
        _need_ndim(x, 4, "x", "(N, C, H, W)", hint)
        _need_ndim(w, 4, "w", "(F, C, HH, WW)")
    n, c, h, wd = x.shape
    f, cw, hh, ww = w.shape
    if c != cw:
        raise ValueError(
            f"x has {c} channels but each filter spans {cw}: w must be (F, C, HH, WW) with "
            f"C = {c}, got w of shape {_shape(w.shape)} for x of shape {_shape(x.shape)}"
        )
    if type(stride) is not int or stride < 1:
        stride = _int_param(stride, "stride", 1)
    if type(pad) is not int or pad < 0:
        pad = _int_param(pad, "pad", 0)
    ho = _output_size(h, hh, stride, pad, "filter", (h, wd), (hh, ww))
    wo = _output_size(wd, ww, stride, pad, "filter", (h, wd), (hh, ww))
    if b is not None:
        b = _as_float(b, "b", dt)
        if b.shape != (f,):
            raise ValueError(
                f"b must have shape (F,) = ({f},), one bias per filter, got {_shape(b.shape)}"
            )
    if uses_flat_shift(c, f, stride):
        view = _conv_flat_shift(x, w, pad, ho, wo)
        out = np.empty((n, f, ho, wo), dtype=dt)
        if b is None:
            out[...] = view
        else:
            np.add(view, b.reshape(f, 1, 1), out=out)
        return out
    return _conv_im2col(x, w, stride, pad, ho, wo, b)


def conv2d_single(image: ArrayLike, kernel: ArrayLike, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The 2-D warm-up: one (H, W) image cross-correlated with one (HH, WW) kernel -> (H', W').

    The lecture's first worked example (a 7x7 input and a 3x3 filter giving a 5x5 map).
    Same rules and errors as ``conv2d``.
    """
    image = _as_float(image, "image")
    kernel = _as_float(kernel, "kernel", image.dtype)
    _need_ndim(image, 2, "image", "(H, W)", "; for a batch use conv2d")
    _need_ndim(kernel, 2, "kernel", "(HH, WW)")
    return conv2d(image[None, None], kernel[None, None], None, stride, pad)[0, 0]


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------


def _pool_setup(x: ArrayLike, size: int, stride: int) -> tuple[np.ndarray, int, int, int, int]:
    """Validated (x, size, stride, H', W') for a pooling call; shared so both pools agree."""
    x = _as_float(x, "x")
    _need_ndim(x, 4, "x", "(N, C, H, W)")
    size = _int_param(size, "pooling size", 1)
    stride = _int_param(stride, "stride", 1)
    h, w = x.shape[2], x.shape[3]
    ho = _output_size(h, size, stride, 0, "pooling window", (h, w), (size, size))
    wo = _output_size(w, size, stride, 0, "pooling window", (h, w), (size, size))
    return x, size, stride, ho, wo


# Pooling works on chunks of about this many input bytes (a few dozen channel images): the
# separable passes below then re-read data that is still in the 1 MiB L2 cache, which made the
# 3x3 pools 2.5-4x faster than whole-batch passes on (16, 64, 55, 55) (bench_reference.py).
_POOL_CHUNK_BYTES = 1 << 19


def _pool(x: np.ndarray, size: int, stride: int, ho: int, wo: int, op: np.ufunc) -> np.ndarray:
    """Reduce size x size windows with a binary ufunc (np.maximum or np.add), separably.

    Max and sum are associative, so a window's reduction is the reduction along W of size
    columns (giving (H, Wo) row results) followed by the reduction along H of size of those
    rows: 2*size strided whole-array passes instead of size*size, each over a chunk of channel
    images small enough to stay in cache. No Python loop over windows.
    """
    n, c, h, w = x.shape
    images = x.reshape(n * c, h, w)
    out = np.empty((n * c, ho, wo), dtype=x.dtype)
    h_end = stride * (ho - 1) + 1
    w_end = stride * (wo - 1) + 1
    step = max(1, _POOL_CHUNK_BYTES // (h * w * x.itemsize))
    rows = np.empty((min(step, n * c), h, wo), dtype=x.dtype)
    for start in range(0, n * c, step):
        xs = images[start : start + step]
        os_ = out[start : start + step]
        rs = rows[: xs.shape[0]]
        np.copyto(rs, xs[:, :, 0:w_end:stride])
        for j in range(1, size):
            op(rs, xs[:, :, j : j + w_end : stride], out=rs)
        np.copyto(os_, rs[:, 0:h_end:stride])
        for i in range(1, size):
            op(os_, rs[:, i : i + h_end : stride], out=os_)
    return out.reshape(n, c, ho, wo)


def max_pool2d(x: ArrayLike, size: int = 2, stride: int = 2) -> np.ndarray:
    """Max pooling over size x size windows: x (N, C, H, W) -> (N, C, H', W'), per channel.

    H' = (H - size) / stride + 1; a window that does not tile the input raises
    ``DoesNotFitError``, as for conv (torch would floor). Computed with running ``np.maximum``
    over kernel offsets on strided slices (see ``_pool``), never one reduction per window.
    """
    x, size, stride, ho, wo = _pool_setup(x, size, stride)
    return _pool(x, size, stride, ho, wo, np.maximum)


def avg_pool2d(x: ArrayLike, size: int = 2, stride: int = 2) -> np.ndarray:
    """Average pooling over size x size windows: x (N, C, H, W) -> (N, C, H', W'), per channel.

    Same geometry and errors as ``max_pool2d``; a running sum over the kernel offsets (see
    ``_pool``), then one multiply by 1/(size*size).
    """
    x, size, stride, ho, wo = _pool_setup(x, size, stride)
    out = _pool(x, size, stride, ho, wo, np.add)
    out *= out.dtype.type(1.0 / (size * size))
    return out


# --------------------------------------------------------------------------------------------
# Activation, flatten, fully connected
# --------------------------------------------------------------------------------------------


def relu(x: ArrayLike) -> np.ndarray:
    """max(x, 0) elementwise; any shape."""
    x = _as_float(x, "x")
    return np.maximum(x, x.dtype.type(0))


def flatten(x: ArrayLike) -> np.ndarray:
    """(N, C, H, W) (or any (N, ...)) -> (N, C*H*W), in C order, as before a fully connected
    layer; row n holds sample n's channels one after another."""
    x = _as_float(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must have a batch axis and at least one more, got {_shape(x.shape)}")
    return x.reshape(x.shape[0], -1)


def linear(x: ArrayLike, w: ArrayLike, b: ArrayLike | None = None) -> np.ndarray:
    """Fully connected layer: x (N, D), w (D, M), b (M,) -> (N, M) = x @ w + b.

    The weight is (D, M), cs231n's convention (torch's ``nn.Linear`` stores the transpose,
    (M, D)): it matches the formula ``x @ w + b`` students write. Use ``flatten`` first on conv
    outputs.
    """
    x = _as_float(x, "x")
    w = _as_float(w, "w", x.dtype)
    if x.ndim != 2:
        raise ValueError(
            f"x must be 2-D (N, D), got shape {_shape(x.shape)}; flatten conv outputs first"
        )
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D (D, M), got shape {_shape(w.shape)}")
    if x.shape[1] != w.shape[0]:
        raise ValueError(
            f"x has {x.shape[1]} features per sample but w expects {w.shape[0]}: w must be "
            f"(D, M) with D = {x.shape[1]}, got {_shape(w.shape)} (the transpose of torch's "
            f"(M, D))"
        )
    out = x @ w
    if b is not None:
        b = _as_float(b, "b", x.dtype)
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"b must have shape (M,) = ({w.shape[1]},), one bias per output, "
                f"got {_shape(b.shape)}"
            )
        out += b
    return out


# --------------------------------------------------------------------------------------------
# A small CNN as a list of layers
# --------------------------------------------------------------------------------------------

# op -> (required keys, optional keys with defaults)
_LAYER_KEYS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "conv": (("w",), {"b": None, "stride": 1, "pad": 0}),
    "relu": ((), {}),
    "max_pool": ((), {"size": 2, "stride": 2}),
    "avg_pool": ((), {"size": 2, "stride": 2}),
    "flatten": ((), {}),
    "linear": (("w",), {"b": None}),
}


def _run_layer(x: np.ndarray, op: str, p: dict[str, Any]) -> np.ndarray:
    if op == "conv":
        return conv2d(x, p["w"], p["b"], p["stride"], p["pad"])
    if op == "relu":
        return relu(x)
    if op == "max_pool":
        return max_pool2d(x, p["size"], p["stride"])
    if op == "avg_pool":
        return avg_pool2d(x, p["size"], p["stride"])
    if op == "flatten":
        return flatten(x)
    return linear(x, p["w"], p["b"])


def cnn_forward_trace(x: ArrayLike, layers: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
    """Like ``cnn_forward`` but returns every layer's output (index i = after layer i), so
    feedback can point at the first layer where a student's numbers go wrong."""
    if isinstance(layers, str | bytes | Mapping) or not isinstance(layers, Sequence):
        raise ValueError(f"layers must be a list of dicts, got {type(layers).__name__}")
    x = _as_float(x, "x")
    outs: list[np.ndarray] = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Mapping):
            raise ValueError(f"layer {index} must be a dict with an 'op', got {layer!r}")
        op = layer.get("op")
        if op not in _LAYER_KEYS:
            raise ValueError(
                f"layer {index}: unknown op {op!r}; expected one of {', '.join(_LAYER_KEYS)}"
            )
        required, optional = _LAYER_KEYS[op]
        unknown = sorted(set(layer) - {"op", *required, *optional})
        if unknown:
            raise ValueError(
                f"layer {index} ({op}): unknown key(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(('op', *required, *optional))}"
            )
        missing = [k for k in required if k not in layer]
        if missing:
            raise ValueError(f"layer {index} ({op}): missing key(s) {', '.join(missing)}")
        params = {**optional, **{k: v for k, v in layer.items() if k != "op"}}
        try:
            x = _run_layer(x, op, params)
        except DoesNotFitError as exc:
            raise exc.with_prefix(f"layer {index} ({op}): ") from exc
        except ValueError as exc:
            raise ValueError(f"layer {index} ({op}): {exc}") from exc
        outs.append(x)
    return outs


def cnn_forward(x: ArrayLike, layers: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Forward pass of a small CNN given as a list of layer dicts, applied in order to x.

    Layers (keys beyond ``op`` are the function's arguments, with the same defaults):
    ``{"op": "conv", "w": (F, C, HH, WW), "b": (F,) | None, "stride": 1, "pad": 0}``,
    ``{"op": "relu"}``, ``{"op": "max_pool", "size": 2, "stride": 2}``,
    ``{"op": "avg_pool", "size": 2, "stride": 2}``, ``{"op": "flatten"}``,
    ``{"op": "linear", "w": (D, M), "b": (M,) | None}``.
    x is (N, C, H, W); the result is whatever the last layer gives (e.g. (N, M) scores).
    Errors name the layer by index and op; an empty list returns x (as float) unchanged.
    """
    outs = cnn_forward_trace(x, layers)
    return outs[-1] if outs else _as_float(x, "x")
