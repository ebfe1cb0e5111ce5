"""The NumPy reference CNN: simple version; the fast one replaces this file at merge.

This file exists on the ``kinds`` branch only so that the problem kinds, the diagnosis and the
array checks can call ``grader.reference`` before the fast implementation (im2col, benchmarks,
torch-checked) is merged. It keeps exactly the public signatures of that module, written as
plain loops that are easy to verify by eye; nothing here is tuned for speed.

Conventions: arrays are NCHW, weights (F, C, HH, WW), biases (F,). Like the lecture, a geometry
that does not fit (``(H + 2*pad - HH)`` not divisible by ``stride``) raises ``ValueError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "avg_pool2d",
    "cnn_forward",
    "conv2d",
    "conv2d_single",
    "conv_output_size",
    "conv_params",
    "flatten",
    "linear",
    "linear_params",
    "max_pool2d",
    "pool_output_size",
    "relu",
    "same_padding",
]


def _positive_int(value: int, name: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else ">= 1"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return int(value)


def conv_output_size(n: int, f: int, stride: int = 1, pad: int = 0) -> int:
    """Output size ``(n + 2*pad - f) / stride + 1``; ``ValueError`` when the filter doesn't fit."""
    n = _positive_int(n, "n")
    f = _positive_int(f, "f")
    stride = _positive_int(stride, "stride")
    pad = _positive_int(pad, "pad", allow_zero=True)
    span = n + 2 * pad - f
    if span < 0:
        raise ValueError(
            f"the filter is larger than the padded input: n + 2*pad - f = "
            f"{n} + 2*{pad} - {f} = {span} < 0"
        )
    if span % stride:
        raise ValueError(
            f"doesn't fit: (n + 2*pad - f) / stride + 1 = ({n} + 2*{pad} - {f}) / {stride} + 1 "
            f"= {span / stride + 1:.4g} is not a whole number"
        )
    return span // stride + 1


def pool_output_size(n: int, size: int, stride: int) -> int:
    """Pooled size ``(n - size) / stride + 1``; ``ValueError`` when the windows don't tile."""
    return conv_output_size(n, size, stride, 0)


def same_padding(f: int) -> int:
    """Padding that keeps the size at stride 1: ``(f - 1) / 2``; needs an odd filter."""
    f = _positive_int(f, "f")
    if f % 2 == 0:
        raise ValueError(f"an even filter size f={f} cannot keep the size with symmetric padding")
    return (f - 1) // 2


def conv_params(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """Learnable parameters of ``c_out`` filters of ``k x k x c_in`` (+1 bias each)."""
    c_in = _positive_int(c_in, "c_in")
    c_out = _positive_int(c_out, "c_out")
    k = _positive_int(k, "k")
    return (k * k * c_in + (1 if bias else 0)) * c_out


def linear_params(inputs: int, outputs: int, bias: bool = True) -> int:
    """Learnable parameters of a fully connected layer: ``(inputs + 1) * outputs``."""
    inputs = _positive_int(inputs, "inputs")
    outputs = _positive_int(outputs, "outputs")
    return (inputs + (1 if bias else 0)) * outputs


def conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """Cross-correlation as CNN layers compute it.

    x (N, C, H, W), w (F, C, HH, WW), b (F,) or None -> (N, F, H', W') with
    H' = (H + 2*pad - HH) / stride + 1.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"w must be (F, C, HH, WW), got shape {w.shape}")
    n, c, h, wd = x.shape
    nf, cw, hh, ww = w.shape
    if c != cw:
        raise ValueError(f"x has {c} channels but w expects {cw}: shapes {x.shape} and {w.shape}")
    if b is not None:
        b = np.asarray(b, dtype=np.float64)
        if b.shape != (nf,):
            raise ValueError(f"b must have shape ({nf},), got {b.shape}")
    ho = conv_output_size(h, hh, stride, pad)
    wo = conv_output_size(wd, ww, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, nf, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride : i * stride + hh, j * stride : j * stride + ww]
            for f in range(nf):
                out[:, f, i, j] = np.sum(window * w[f], axis=(1, 2, 3))
    if b is not None:
        out += b[None, :, None, None]
    return out


def conv2d_single(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """The 2-D warm-up: one (H, W) image, one (HH, WW) kernel -> (H', W')."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(
            f"image and kernel must be 2-D, got shapes {image.shape} and {kernel.shape}"
        )
    return conv2d(image[None, None], kernel[None, None], None, stride, pad)[0, 0]


def _pool(x: np.ndarray, size: int, stride: int, reduce: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    ho = pool_output_size(x.shape[2], size, stride)
    wo = pool_output_size(x.shape[3], size, stride)
    out = np.empty((*x.shape[:2], ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size]
            out[:, :, i, j] = reduce(window, axis=(2, 3))
    return out


def max_pool2d(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Max over each ``size x size`` window: (N, C, H, W) -> (N, C, H', W')."""
    return _pool(x, size, stride, np.max)


def avg_pool2d(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Mean over each ``size x size`` window: (N, C, H, W) -> (N, C, H', W')."""
    return _pool(x, size, stride, np.mean)


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0) elementwise."""
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


def flatten(x: np.ndarray) -> np.ndarray:
    """(N, ...) -> (N, prod(...)) in C order (channel, row, column)."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(x.shape[0], -1)


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Fully connected layer: x (N, D), w (D, M), b (M,) -> (N, M)."""
    out = np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64)
    return out


def cnn_forward(x: np.ndarray, layers: list[dict[str, Any]]) -> np.ndarray:
    """Apply ``layers`` in order; each is ``{"type": "conv"|"relu"|"max_pool"|"avg_pool"|
    "flatten"|"linear", ...}`` with the keyword arguments of the matching function."""
    out = np.asarray(x, dtype=np.float64)
    for layer in layers:
        kind = layer["type"]
        args = {k: v for k, v in layer.items() if k != "type"}
        if kind == "conv":
            out = conv2d(out, **args)
        elif kind == "relu":
            out = relu(out)
        elif kind == "max_pool":
            out = max_pool2d(out, **args)
        elif kind == "avg_pool":
            out = avg_pool2d(out, **args)
        elif kind == "flatten":
            out = flatten(out)
        elif kind == "linear":
            out = linear(out, **args)
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return out
