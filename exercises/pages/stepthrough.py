"""The sliding window of a convolution (or a pooling layer), one output cell at a time, as the
lecture's slides build the map: where the window sits on the input, each term, the running sum
(or maximum), the bias.

Computed on the server from a variant's params. Convolution: ``x`` (H, W) or (C, H, W), ``w``
(HH, WW) or (C, HH, WW), optional ``b`` (a number, or one per filter) and ``stride``/``pad``.
Pooling: ``x`` (H, W), ``size``, ``stride``. The map itself comes from ``grader.reference``
(the functions the grader trusts); the terms are the plain values of the selected window so that
a student can follow the arithmetic by hand. ``captions`` says the words around them in the
reader's language (the same bilingual catalogue as the grader's feedback, ``grader.texts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.pages.visuals import format_number, is_matrix, is_volume
from grader import reference
from grader.texts import Text, define

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


# --- captions -----------------------------------------------------------------------------------
# What the step-through says around the numbers, in every language the grader writes in
# (``grader.texts``): the same keys, the same numbers, the reader's words.

_HEADING = define(
    "stepthrough.heading", "Step through the sliding window", "슬라이딩 윈도우 따라가기"
)
_SLIDER = {
    "conv": define("stepthrough.slider.filter", "filter", "필터"),
    # the multiplication sign, as the page always wrote the window's size
    "pool": define(
        "stepthrough.slider.window",
        "{rows}\u00d7{cols} window",
        "{rows}\u00d7{cols} 윈도우",
    ),
}
_MOVES_ONE = define("stepthrough.moves.one", "one cell at a time", "한 번에 한 칸씩")
_MOVES_STRIDE = define(
    "stepthrough.moves.stride", "{stride} cells at a time", "한 번에 {stride}칸씩"
)
_PADDING = {
    1: define(
        "stepthrough.padding.one", ", with {pad} cell of zero padding", "(제로 패딩 {pad}칸)"
    ),
    2: define(
        "stepthrough.padding.many", ", with {pad} cells of zero padding", "(제로 패딩 {pad}칸)"
    ),
}
_EACH_CELL = {
    "conv": define(
        "stepthrough.cell.conv",
        "the sum of the products under the window",
        "윈도우 아래에 있는 곱들의 합",
    ),
    "conv-bias": define(
        "stepthrough.cell.conv-bias",
        "the sum of the products under the window, plus the bias",
        "윈도우 아래에 있는 곱들의 합에 편향을 더한 값",
    ),
    "max": define(
        "stepthrough.cell.max", "the largest value under the window", "윈도우 아래에서 가장 큰 값"
    ),
    "avg": define(
        "stepthrough.cell.avg",
        "the average of the values under the window",
        "윈도우 아래에 있는 값들의 평균",
    ),
}
_INTRO = define(
    "stepthrough.intro",
    "The {slider} slides over the input {moves}{padding}: each output cell is {cell}. "
    "Shown {note}. Choose an output cell (arrow keys move between cells).",
    "{slider}가 입력 위를 {moves} 움직입니다{padding}. 출력 칸 하나는 {cell}입니다. "
    "{note} 보여 줍니다. 출력 칸을 고르세요(화살표 키로 칸 사이를 옮겨 다닐 수 있습니다).",
)
_OUTPUT = define(
    "stepthrough.output", "Output map, built cell by cell", "한 칸씩 만들어지는 출력 맵"
)
_CELL_LABEL = define(
    "stepthrough.cell-label", "output row {row}, column {col}", "출력 {row}행 {col}열"
)
_CELL_LABEL_VALUE = define(
    "stepthrough.cell-label-value",
    "output row {row}, column {col}: {value}",
    "출력 {row}행 {col}열: {value}",
)
_PREVIOUS = define("stepthrough.previous", "← Previous cell", "← 이전 칸")
_NEXT = define("stepthrough.next", "Next cell →", "다음 칸 →")
_INPUT = define(
    "stepthrough.input",
    "Input{channel}{padded}: window at rows {rows}, columns {cols}",
    "입력{channel}{padded}: 윈도우는 {rows}행, {cols}열",
)
_CHANNEL = define("stepthrough.channel", ", channel {channel}", ", 채널 {channel}")
_PADDED = define("stepthrough.padded", " (padded)", " (패딩됨)")
_FILTER = define("stepthrough.filter", "Filter{channel}", "필터{channel}")
_WEIGHT = define("stepthrough.weight", "filter weight", "필터 가중치")
_BIAS = define("stepthrough.bias", "bias", "편향")
_TOTAL = define("stepthrough.total", "Output ({row}, {col})", "출력 ({row}, {col})")
_TERMS = {
    "max": define(
        "stepthrough.terms.max",
        "Output cell ({row}, {col}): the running maximum, term by term",
        "출력 칸 ({row}, {col}): 항마다 갱신되는 최댓값",
    ),
    "sum": define(
        "stepthrough.terms.sum",
        "Output cell ({row}, {col}): the running sum, term by term",
        "출력 칸 ({row}, {col}): 항마다 쌓이는 합",
    ),
}
_COLUMNS = {
    "channel": define("stepthrough.column.channel", "channel", "채널"),
    "input": define("stepthrough.column.input", "input", "입력"),
    "filter": define("stepthrough.column.filter", "\u00d7 filter", "\u00d7 필터"),
    "product": define("stepthrough.column.product", "= product", "= 곱"),
    "sum": define("stepthrough.column.sum", "running sum", "누적 합"),
    "max": define("stepthrough.column.max", "running maximum", "누적 최댓값"),
}
#: Where a student's step-through comes from (``exercises.pages.presenters``), in every language.
NOTE_OWN = define("stepthrough.note.own", "on the numbers of this attempt", "이번 시도의 숫자로")
NOTE_LECTURE = define(
    "stepthrough.note.lecture",
    "on the lecture's numbers (your own numbers appear here once you have solved the problem "
    "or used your attempts)",
    "강의의 숫자로(문제를 풀었거나 시도를 모두 쓰면 여기에 여러분의 숫자가 나옵니다)",
)
NOTE_LECTURE_WITH = define(
    "stepthrough.note.lecture-with",
    "on the lecture's numbers with your {moved} (your own numbers appear here once you have "
    "solved the problem or used your attempts)",
    "강의의 숫자에 여러분의 {moved} 값을 넣어(문제를 풀었거나 시도를 모두 쓰면 여기에 여러분의 "
    "숫자가 나옵니다)",
)


@dataclass(frozen=True)
class Captions:
    """The words around one step, in one language (``captions``)."""

    heading: str
    intro: str
    output: str
    previous: str
    next: str
    inputs: list[str]
    filters: list[str]
    weight: str
    bias: str
    terms: str
    total: str
    columns: dict[str, str]
    #: ``cell_labels[i][j]``: the accessible name of output cell (i, j)
    cell_labels: list[list[str]]


def captions(step: WindowStep, note: Text, language: str) -> Captions:
    """The step-through's captions for ``step`` in ``language`` (``note``: where its numbers
    come from, a text)."""

    def say(key: str, facts: dict[str, Any] | None = None) -> str:
        return Text(key, facts).render(language)

    slider = (
        Text(_SLIDER["conv"])
        if step.mode == "conv"
        else Text(_SLIDER["pool"], {"rows": step.window[0], "cols": step.window[1]})
    )
    moves = Text(_MOVES_STRIDE, {"stride": step.stride}) if step.stride > 1 else Text(_MOVES_ONE)
    padding = Text(_PADDING[min(step.pad, 2)], {"pad": step.pad}) if step.pad else ""
    if step.mode == "conv":
        cell = Text(_EACH_CELL["conv-bias" if step.bias is not None else "conv"])
    else:
        cell = Text(_EACH_CELL[step.mode])
    intro = Text(
        _INTRO, {"slider": slider, "moves": moves, "padding": padding, "cell": cell, "note": note}
    )
    window = {"rows": step.window_rows, "cols": step.window_cols}

    def channel(c: int) -> Text | str:
        return Text(_CHANNEL, {"channel": c}) if step.channels > 1 else ""

    padded = Text(_PADDED) if step.pad else ""
    return Captions(
        heading=say(_HEADING),
        intro=intro.render(language),
        output=say(_OUTPUT),
        previous=say(_PREVIOUS),
        next=say(_NEXT),
        inputs=[
            say(_INPUT, {"channel": channel(c), "padded": padded, **window})
            for c in range(step.channels)
        ],
        filters=[say(_FILTER, {"channel": channel(c)}) for c in range(len(step.filters))],
        weight=say(_WEIGHT),
        bias=say(_BIAS),
        terms=say(
            _TERMS["max" if step.mode == "max" else "sum"], {"row": step.row, "col": step.col}
        ),
        total=say(_TOTAL, {"row": step.row, "col": step.col}),
        columns={name: say(key) for name, key in _COLUMNS.items()},
        cell_labels=[
            [
                say(_CELL_LABEL_VALUE, {"row": c.row, "col": c.col, "value": c.text})
                if c.text
                else say(_CELL_LABEL, {"row": c.row, "col": c.col})
                for c in row
            ]
            for row in step.output
        ],
    )
