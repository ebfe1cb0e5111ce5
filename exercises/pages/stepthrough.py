"""The sliding window of a convolution (or a pooling layer), one output cell at a time, as the
lecture's slides build the map: where the window sits on the input, each term, the running sum
(or maximum), the bias.

Computed on the server from a variant's params. Convolution: ``x`` (H, W) or (C, H, W), ``w``
(HH, WW) or (C, HH, WW), optional ``b`` (a number, or one per filter) and ``stride``/``pad``.
Pooling: ``x`` (H, W), ``size``, ``stride``. The map itself comes from ``grader.reference``
(the functions the grader trusts); the terms are the plain values of the selected window so that
a student can follow the arithmetic by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.pages.visuals import format_number, is_matrix, is_volume
from grader import reference

#: Problems whose feedback offers the step-through, and what their window computes.
STEP_THROUGH_MODES = {
    "conv-single-channel": "conv",
    "conv-three-channels": "conv",
    "max-pool": "max",
    "avg-pool": "avg",
}
STEP_THROUGH_SLUGS = frozenset(STEP_THROUGH_MODES)


@dataclass(frozen=True)
class Term:
    """One term of the window: x[c, top + u, left + v] (times w[c, u, v] for a convolution)
    and the sum (or, for max-pooling, the maximum) so far."""

    channel: int
    u: int
    v: int
    x: str
    w: str
    product: str
    running: str


@dataclass(frozen=True)
class InputCell:
    text: str
    in_window: bool
    padding: bool
    weight: str  # the filter value over this cell when in the window


@dataclass(frozen=True)
class OutputCell:
    row: int
    col: int
    text: str  # "" when the slides have not reached this cell yet
    selected: bool
    done: bool


@dataclass(frozen=True)
class WindowStep:
    mode: str  # "conv", "max" or "avg"
    row: int
    col: int
    out_rows: int
    out_cols: int
    stride: int
    pad: int
    top: int  # the window's first row in the (padded) input
    left: int
    channels: int
    inputs: list[list[list[InputCell]]]  # per channel, the padded input
    filters: list[list[list[str]]]  # per channel
    terms: list[Term]
    bias: str | None
    total: str
    output: list[list[OutputCell]]

    @property
    def previous(self) -> tuple[int, int] | None:
        index = self.row * self.out_cols + self.col
        return divmod(index - 1, self.out_cols) if index > 0 else None

    @property
    def next(self) -> tuple[int, int] | None:
        index = self.row * self.out_cols + self.col
        last = self.out_rows * self.out_cols - 1
        return divmod(index + 1, self.out_cols) if index < last else None

    @property
    def window_rows(self) -> str:
        return f"{self.top}-{self.top + self.window[0] - 1}"

    @property
    def window_cols(self) -> str:
        return f"{self.left}-{self.left + self.window[1] - 1}"

    window: tuple[int, int] = (0, 0)  # (HH, WW) of the filter or pooling window
    count: int = 0  # values in the window (avg-pooling divides by it)


def _int_param(params: Mapping[str, Any], name: str, default: int) -> int | None:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def conv_arrays(
    params: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray, float, int, int] | None:
    """(x (C, H, W), w (C, HH, WW), bias, stride, pad) from a variant, or None when the params
    are not a single-filter convolution this view can draw."""
    x, w = params.get("x"), params.get("w")
    if is_matrix(x) and is_matrix(w):
        xa, wa = np.array([x], dtype=np.float64), np.array([w], dtype=np.float64)
    elif is_volume(x) and is_volume(w) and len(x) == len(w):
        xa, wa = np.array(x, dtype=np.float64), np.array(w, dtype=np.float64)
    else:
        return None
    b = params.get("b", 0)
    if isinstance(b, list):
        if len(b) != 1:
            return None
        b = b[0]
    if isinstance(b, bool) or not isinstance(b, int | float):
        return None
    stride, pad = _int_param(params, "stride", 1), _int_param(params, "pad", 0)
    if stride is None or pad is None or stride < 1 or pad < 0:
        return None
    return xa, wa, float(b), stride, pad


def pool_arrays(params: Mapping[str, Any]) -> tuple[np.ndarray, int, int] | None:
    """(x (1, H, W), size, stride) of a pooling variant, or None."""
    x = params.get("x")
    size, stride = _int_param(params, "size", 2), _int_param(params, "stride", 2)
    if not is_matrix(x) or size is None or stride is None or size < 1 or stride < 1:
        return None
    return np.array([x], dtype=np.float64), size, stride


def feature_map(params: Mapping[str, Any], mode: str = "conv") -> np.ndarray | None:
    """The (H', W') map of the variant, from the reference; None if it does not fit."""
    try:
        if mode == "conv":
            arrays = conv_arrays(params)
            if arrays is None:
                return None
            x, w, b, stride, pad = arrays
            return reference.conv2d(x[None], w[None], np.array([b]), stride, pad)[0, 0]
        pooled = pool_arrays(params)
        if pooled is None:
            return None
        x, size, stride = pooled
        pool = reference.max_pool2d if mode == "max" else reference.avg_pool2d
        return pool(x[None], size, stride)[0, 0]
    except ValueError:  # DoesNotFitError and geometry errors
        return None


def window_step(
    params: Mapping[str, Any], row: int, col: int, mode: str = "conv"
) -> WindowStep | None:
    """The slide for output cell (row, col); out-of-range cells are clamped into the map.
    None when the params are not a window this view draws or the geometry does not fit."""
    out = feature_map(params, mode)
    if out is None:
        return None
    if mode == "conv":
        x, w, bias, stride, pad = conv_arrays(params)  # type: ignore[misc]
    else:
        x, size, stride = pool_arrays(params)  # type: ignore[misc]
        w, bias, pad = np.ones((1, size, size)), 0.0, 0
    out_rows, out_cols = out.shape
    row = min(max(0, row), out_rows - 1)
    col = min(max(0, col), out_cols - 1)
    channels, hh, ww = w.shape
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    top, left = row * stride, col * stride

    inputs = []
    for c in range(channels):
        grid = []
        for i in range(padded.shape[1]):
            line = []
            for j in range(padded.shape[2]):
                inside = top <= i < top + hh and left <= j < left + ww
                is_pad = not (pad <= i < pad + x.shape[1] and pad <= j < pad + x.shape[2])
                weight = format_number(w[c, i - top, j - left]) if inside and mode == "conv" else ""
                line.append(InputCell(format_number(padded[c, i, j]), inside, is_pad, weight))
            grid.append(line)
        inputs.append(grid)

    terms = []
    running = -np.inf if mode == "max" else 0.0
    for c in range(channels):
        for u in range(hh):
            for v in range(ww):
                xv, wv = float(padded[c, top + u, left + v]), float(w[c, u, v])
                value = xv * wv if mode == "conv" else xv
                running = max(running, value) if mode == "max" else running + value
                terms.append(
                    Term(
                        c,
                        u,
                        v,
                        format_number(xv),
                        format_number(wv) if mode == "conv" else "",
                        format_number(value),
                        format_number(running),
                    )
                )
    has_bias = mode == "conv" and "b" in params
    selected_index = row * out_cols + col
    output = [
        [
            OutputCell(
                i,
                j,
                format_number(out[i, j]) if i * out_cols + j <= selected_index else "",
                (i, j) == (row, col),
                i * out_cols + j < selected_index,
            )
            for j in range(out_cols)
        ]
        for i in range(out_rows)
    ]
    return WindowStep(
        mode=mode,
        row=row,
        col=col,
        out_rows=out_rows,
        out_cols=out_cols,
        stride=stride,
        pad=pad,
        top=top,
        left=left,
        channels=channels,
        inputs=inputs,
        filters=[[[format_number(v) for v in r] for r in w[c]] for c in range(channels)]
        if mode == "conv"
        else [],
        terms=terms,
        bias=format_number(bias) if has_bias else None,
        total=format_number(out[row, col]),
        output=output,
        window=(hh, ww),
        count=hh * ww * channels,
    )
