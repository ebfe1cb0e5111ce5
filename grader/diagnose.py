"""Misconceptions: known wrong formulas, evaluated on the student's own params, and what they say.

Each recipe (``grader.recipes``) declares the mistakes students make on it. A ``Misconception``
is a wrong formula (``wrong(params)`` returns the answer that mistake produces, in the recipe's
answer type, or None when it does not apply to these params), a title, and two templates filled
from the student's own numbers: ``explanation`` (what went wrong and the right reasoning) and
``step`` (the one step that differs). Templates use ``str.format`` fields from the recipe's
``facts(params)`` plus ``{wrong}`` and ``{right}``.

Matching rules, so that feedback never misleads:
- a mistake whose answer equals the right answer for these params is skipped: a right answer is
  never diagnosed as a misconception (the lecture's symmetric filter makes the flipped kernel
  give the right map);
- misconceptions are tried in declared order; when several give the same wrong answer the first
  is the diagnosis and the others are listed in ``also`` (and named in the text);
- a mistake may yield several candidate answers (``Variants``: e.g. "one channel missing" for
  each of the three channels); the facts of the matching candidate fill the templates.

Answers compared here are normalised by the kinds: a number (int, float or Fraction) or
``DOES_NOT_FIT``, a list of ints (shape), a 2-D float ndarray (matrix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from grader import reference
from grader.kinds.base import Tolerance
from grader.recipes import DOES_NOT_FIT, RECIPES, Recipe, arr, conv_fits

Params = Mapping[str, Any]


class Variants(tuple):
    """Several answers one mistake can produce: a tuple of ``(answer, extra_facts)`` pairs."""


@dataclass(frozen=True)
class Misconception:
    key: str
    title: str
    wrong: Callable[[Params], Any]
    explanation: str
    step: str
    #: extra slack when matching numbers (a fraction like 2.33 typed by hand)
    match_abs: float = 0.0


@dataclass(frozen=True)
class Diagnosis:
    """The misconception an answer matches. ``also``: other misconceptions giving the same
    answer, as ``(key, title)``. ``partial``: only some wrong cells of a matrix match it."""

    key: str
    title: str
    explanation: str
    step: str
    also: tuple[tuple[str, str], ...] = ()
    partial: bool = False
    matched_cells: int | None = None

    def to_feedback(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "explanation": self.explanation,
            "step": self.step,
        }
        if self.partial:
            data["partial"] = True
            data["matched_cells"] = self.matched_cells
        return data

    @property
    def message(self) -> str:
        """The feedback paragraph's sentence: it points at the diagnosis, which the pages show
        beside it (title and explanation), rather than repeat it word for word."""
        text = "It matches a known mistake: the diagnosis shows which step to check."
        if self.also:
            titles = "; ".join(title.lower() for _, title in self.also)
            text += f" (The same answer also comes from: {titles}.)"
        return text

    def hiding(self, right: Any) -> Diagnosis:
        """This diagnosis with the right answer left for the student to work out: where the
        explanation or step would end a calculation on it (``... = 45126``, ``the volume is
        28 x 28 x 6``) it says ``= ?`` (``is ?``).
        Whether the answer itself is shown is the assignment's choice, not the diagnosis'."""
        text = _written_answer(right)
        if text is None:
            return self
        pattern = re.compile(r"(=|\bis)\s*" + re.escape(text) + r"(?!\d|\.\d)")
        return replace(
            self,
            explanation=pattern.sub(r"\1 ?", self.explanation),
            step=pattern.sub(r"\1 ?", self.step),
        )


def _written_answer(right: Any) -> str | None:
    """How an explanation writes ``right``: a number as ``fmt`` does, a volume as
    ``28 x 28 x 6``; None for what explanations never end on (a matrix, does-not-fit)."""
    if isinstance(right, str | bool):
        return None
    if isinstance(right, list | tuple):
        if right and all(isinstance(v, int) for v in right):
            return " x ".join(str(v) for v in right)
        return None
    if isinstance(right, int | float | Fraction | np.integer | np.floating):
        return fmt(right)
    return None


# --- formatting -------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    """6, 2.33, "does-not-fit": numbers as a student writes them."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.4g}" if abs(number) >= 1 else f"{number:.3g}"


def size_of(num: int, den: int) -> int | str | None:
    """``num / den + 1`` as an output size: an int, ``DOES_NOT_FIT``, or None if not positive."""
    if num < 0:
        return None
    if num % den:
        return DOES_NOT_FIT
    return num // den + 1


def size_text(num: int, den: int) -> str:
    """ "= 5", or "= 2.33, not a whole number" for the templates."""
    value = Fraction(num, den) + 1
    if value.denominator == 1:
        return f"= {value.numerator}"
    return f"= {fmt(value)}, not a whole number"


def products(patch: np.ndarray, filt: np.ndarray) -> str:
    """ "2*1 + 3*0 + 1*(-1) ...": a window and a filter of the same shape, cell by cell; for
    3-D (channels, rows, columns) one parenthesised group per channel."""
    if patch.ndim == 3:
        return " + ".join(f"({products(p, f)})" for p, f in zip(patch, filt, strict=True))
    terms = []
    for a, b in zip(patch.ravel(), filt.ravel(), strict=True):
        right = fmt(b) if b >= 0 else f"({fmt(b)})"
        terms.append(f"{fmt(a)}*{right}")
    return " + ".join(terms)


# --- facts per recipe -------------------------------------------------------------------------


def _size_facts(p: Params) -> dict[str, Any]:
    n, f, s, pad = p["n"], p["f"], p["stride"], p.get("pad", 0)
    span = n + 2 * pad - f
    exact = Fraction(span, s) + 1
    formula = f"({n} + 2*{pad} - {f}) / {s} + 1" if pad else f"({n} - {f}) / {s} + 1"
    return {
        **p,
        "pad": pad,
        "span": span,
        "formula": formula,
        "exact": fmt(exact),
        "result": size_text(span, s),
        "nopad": size_text(n - f, s) if n >= f else "< 1",
        "once": size_text(n + pad - f, s) if n + pad >= f else "< 1",
        "stride1": n + 2 * pad - f + 1,
    }


def _dnf_rounding(direction: str) -> Callable[[Params], Any]:
    def wrong(p: Params) -> Any:
        pad = p.get("pad", 0)
        span = p["n"] + 2 * pad - p["f"]
        if span < 0 or span % p["stride"] == 0:
            return None  # it fits: nothing was rounded
        steps = span // p["stride"] if direction == "down" else -(-span // p["stride"])
        return steps + 1

    return wrong


def _fraction_answer(p: Params) -> Any:
    pad = p.get("pad", 0)
    span = p["n"] + 2 * pad - p["f"]
    if span < 0 or span % p["stride"] == 0:
        return None
    return Fraction(span, p["stride"]) + 1


_DNF_MISCONCEPTIONS = (
    Misconception(
        "rounded-down",
        "Rounded a size that doesn't fit",
        _dnf_rounding("down"),
        "{formula} = {exact} is not a whole number, and rounding it down to {wrong} hides that "
        "the last step would hang over the edge of the input. The lecture's answer: the filter "
        'doesn\'t fit, so answer "does-not-fit".',
        "{formula} = {exact}: not a whole number, so it doesn't fit",
    ),
    Misconception(
        "rounded-up",
        "Rounded a size that doesn't fit",
        _dnf_rounding("up"),
        "{formula} = {exact} is not a whole number, and rounding it up to {wrong} would need "
        "input that isn't there. The filter doesn't fit: answer \"does-not-fit\".",
        "{formula} = {exact}: not a whole number, so it doesn't fit",
    ),
    Misconception(
        "fractional-size",
        "A fractional output size",
        _fraction_answer,
        "{formula} = {exact}: an output has a whole number of cells, so this geometry has no "
        'output at all. The filter doesn\'t fit: answer "does-not-fit".',
        "{formula} = {exact}: not a whole number, so it doesn't fit",
        match_abs=0.01,
    ),
)

_STRIDE_MISCONCEPTIONS = (
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        lambda p: _fraction_or_size(p["n"] + 2 * p.get("pad", 0) - p["f"], p["stride"], plus=0),
        "({span}) / {stride} = {wrong} counts the steps the filter takes, not the positions it "
        "visits: the first position is not a step, so add 1: {formula} {result}.",
        "{formula} {result}: add the +1 for the first position",
    ),
    Misconception(
        "stride-ignored",
        "Stride ignored",
        lambda p: (p["n"] + 2 * p.get("pad", 0) - p["f"] + 1) if p["stride"] > 1 else None,
        "{span} + 1 = {stride1} counts every position at stride 1. With stride {stride} the "
        "filter jumps {stride} cells at a time, so divide by the stride: {formula} {result}.",
        "divide by the stride: {formula} {result}",
    ),
)

_PAD_MISCONCEPTIONS = (
    Misconception(
        "forgot-padding",
        "Forgot the padding",
        lambda p: size_of(p["n"] - p["f"], p["stride"]) if p["pad"] > 0 else None,
        "({n} - {f}) / {stride} + 1 {nopad} leaves out the zero padding. Padding adds {pad} "
        "on each side, so the padded input is {n} + 2*{pad}: {formula} {result}.",
        "use the padded size {n} + 2*{pad}: {formula} {result}",
    ),
    Misconception(
        "padding-once",
        "Padding counted once instead of twice",
        lambda p: size_of(p["n"] + p["pad"] - p["f"], p["stride"]) if p["pad"] > 0 else None,
        "({n} + {pad} - {f}) / {stride} + 1 {once} adds the padding on one side only. Zero "
        "padding goes on both sides (top and bottom, left and right): {formula} {result}.",
        "count the padding twice, {n} + 2*{pad}: {formula} {result}",
    ),
)


def _fraction_or_size(num: int, den: int, plus: int) -> Any:
    if num < 0:
        return None
    value = Fraction(num, den) + plus
    if value < 1:
        return None
    return value.numerator if value.denominator == 1 else DOES_NOT_FIT


# --- feature maps ------------------------------------------------------------------------------


def _conv_cell_facts(x: np.ndarray, w: np.ndarray, b: float = 0.0) -> dict[str, Any]:
    """The top-left cell, the way the slides build the map: window * filter, summed."""
    window = x[..., : w.shape[-2], : w.shape[-1]]
    right = float(np.sum(window * w)) + b
    flipped = float(np.sum(window * w[..., ::-1, ::-1])) + b
    bias = f" + {fmt(b)}" if b else ""
    return {
        "cell_products": products(window, w) + bias,
        "cell_right": fmt(right),
        "cell_flipped": fmt(flipped),
    }


def _single_facts(p: Params) -> dict[str, Any]:
    x, w = arr(p["x"]), arr(p["w"])
    full = 7 - 3 + 1
    return {
        **_conv_cell_facts(x, w),
        "stride": p["stride"],
        "full": full,
        "size": (7 - 3) // p["stride"] + 1,
    }


def _three_facts(p: Params) -> dict[str, Any]:
    x, w, b = arr(p["x"]), arr(p["w"]), float(p["b"])
    channel_sums = [float(np.sum(x[c, :3, :3] * w[c])) for c in range(3)]
    return {
        **_conv_cell_facts(x, w, b),
        "b": fmt(b),
        "b3": fmt(3 * b),
        "channel_sums": " + ".join(fmt(v) for v in channel_sums),
        "cell_nobias": fmt(sum(channel_sums)),
    }


def _flip(p: Params, three: bool) -> np.ndarray:
    w = arr(p["w"])
    if three:
        return reference.conv2d(
            arr(p["x"])[None], w[None, :, ::-1, ::-1], np.array([float(p["b"])])
        )[0, 0]
    return reference.conv2d_single(arr(p["x"]), w[::-1, ::-1], stride=p["stride"])


def _missing_channel_map(p: Params) -> Variants:
    x, w, b = arr(p["x"]), arr(p["w"]), float(p["b"])
    out = []
    for c in range(3):
        keep = [i for i in range(3) if i != c]
        result = reference.conv2d(x[None, keep], w[None, keep], np.array([b]))[0, 0]
        out.append((result, {"channel": c + 1}))
    return Variants(out)


def _right(recipe: str, p: Params) -> Any:
    return RECIPES[recipe].solve(p)


_FLIPPED_EXPLANATION = (
    "Your map matches the filter flipped by 180 degrees: that is true convolution, as in signal "
    "processing. A CNN layer lays the filter on each window as it is (cross-correlation) and "
    "adds up the products of cells in the same place. Top-left cell: {cell_products} = "
    "{cell_right} (the flipped filter gives {cell_flipped})."
)

_CONV_SINGLE = (
    Misconception(
        "flipped-kernel",
        "True convolution instead of cross-correlation",
        lambda p: _flip(p, three=False),
        _FLIPPED_EXPLANATION,
        "top-left cell: {cell_products} = {cell_right}",
    ),
    Misconception(
        "stride-ignored",
        "Stride ignored",
        lambda p: reference.conv2d_single(arr(p["x"]), arr(p["w"])) if p["stride"] > 1 else None,
        "Your map is the stride-1 map ({full}x{full}). With stride {stride} the window jumps "
        "{stride} cells at a time, starting at rows and columns 0, {stride}, ..., so the map is "
        "(7 - 3) / {stride} + 1 = {size} cells wide.",
        "move the window {stride} cells at a time: a {size}x{size} map",
    ),
    Misconception(
        "transposed",
        "Result transposed",
        lambda p: _right("conv-single-channel", p).T,
        "Your map is the right one with rows and columns swapped. Output cell (i, j) comes from "
        "the window whose top-left corner is at row i*{stride}, column j*{stride}: row first.",
        "write cell (i, j) at row i, column j",
    ),
)

_CONV_THREE = (
    Misconception(
        "flipped-kernel",
        "True convolution instead of cross-correlation",
        lambda p: _flip(p, three=True),
        _FLIPPED_EXPLANATION,
        "top-left cell: {cell_products} = {cell_right}",
    ),
    Misconception(
        "missing-channel",
        "One channel missing from the sum",
        _missing_channel_map,
        "Your map matches the sum over two channels only: channel {channel} is missing. A "
        "3x3x3 filter covers all three channels, and each output cell is the 27-dimensional dot "
        "product: channel sums {channel_sums}, plus the bias {b}.",
        "add all three channels: {channel_sums} + {b} = {cell_right} (top-left cell)",
    ),
    Misconception(
        "forgot-bias",
        "Bias missing",
        lambda p: _right("conv-three-channels", p) - p["b"] if p["b"] else None,
        "Your map is the summed map without the bias. The filter's bias b = {b} is added once "
        "to every cell: top-left cell {channel_sums} + {b} = {cell_right}.",
        "add b = {b} to every cell",
    ),
    Misconception(
        "bias-per-channel",
        "Bias added once per channel",
        lambda p: _right("conv-three-channels", p) + 2 * p["b"] if p["b"] else None,
        "Your map adds the bias for each of the three channels (3*{b} = {b3}). One filter has "
        "one bias, added once after the three channels are summed: {channel_sums} + {b} = "
        "{cell_right} (top-left cell).",
        "add b = {b} once, after summing the channels",
    ),
    Misconception(
        "transposed",
        "Result transposed",
        lambda p: _right("conv-three-channels", p).T,
        "Your map is the right one with rows and columns swapped. Output cell (i, j) comes from "
        "the window whose top-left corner is at row i, column j: row first.",
        "write cell (i, j) at row i, column j",
    ),
)


# --- dot products ------------------------------------------------------------------------------


def _dot_facts(p: Params) -> dict[str, Any]:
    patch, filt = arr(p["patch"]), arr(p["filter"])
    bias = float(p.get("bias", 0))
    facts: dict[str, Any] = {
        "products": products(patch, filt),
        "flipped_products": products(patch, filt[..., ::-1, ::-1]),
        "bias": fmt(bias),
        "bias3": fmt(3 * bias),
        "sum": fmt(float(np.sum(patch * filt))),
    }
    if patch.ndim == 3:
        facts["channel_sums"] = " + ".join(fmt(float(np.sum(patch[c] * filt[c]))) for c in range(3))
    return facts


def _dot_flipped(p: Params) -> float:
    filt = arr(p["filter"])
    return float(np.sum(arr(p["patch"]) * filt[..., ::-1, ::-1])) + p.get("bias", 0)


def _dot_missing_channel(p: Params) -> Variants:
    patch, filt = arr(p["patch"]), arr(p["filter"])
    total = float(np.sum(patch * filt)) + p["bias"]
    return Variants(
        (total - float(np.sum(patch[c] * filt[c])), {"channel": c + 1}) for c in range(3)
    )


_DOT_FLIPPED = Misconception(
    "flipped-kernel",
    "True convolution instead of cross-correlation",
    _dot_flipped,
    "You paired each patch cell with the filter cell on the opposite side (the filter flipped "
    "by 180 degrees, as in true convolution). A CNN multiplies cells in the same place: "
    "{products} = {sum}.",
    "same-place products: {products} = {sum}",
)

_DOT_27 = (
    Misconception(
        "forgot-bias",
        "Bias missing",
        lambda p: float(np.sum(arr(p["patch"]) * arr(p["filter"]))) if p["bias"] else None,
        "{sum} is the 27-dimensional dot product alone; the filter's bias comes on top: "
        "{sum} + {bias} = {right}.",
        "add the bias: {sum} + {bias} = {right}",
    ),
    Misconception(
        "bias-per-channel",
        "Bias added once per channel",
        lambda p: (
            float(np.sum(arr(p["patch"]) * arr(p["filter"]))) + 3 * p["bias"] if p["bias"] else None
        ),
        "You added the bias for each of the three channels ({bias3} in all). A filter has one "
        "bias, added once to the whole dot product: {channel_sums} + {bias} = {right}.",
        "add the bias once: {channel_sums} + {bias} = {right}",
    ),
    Misconception(
        "missing-channel",
        "One channel missing from the sum",
        _dot_missing_channel,
        "Your number leaves out channel {channel}. The filter is 3x3x3: all 27 products count, "
        "channel by channel {channel_sums}, plus the bias {bias}: {right}.",
        "sum all three channels: {channel_sums} + {bias} = {right}",
    ),
    _DOT_FLIPPED,
)


# --- parameter counts ------------------------------------------------------------------------


def _conv_param_facts(p: Params) -> dict[str, Any]:
    c, f, k = p["c"], p["f"], p["k"]
    facts = {**p, "weights": f * f * c, "per": f * f * c + 1, "flat": (f * f + 1) * k}
    if "n" in p and conv_fits(p["n"], f, p["stride"], p["pad"]):
        facts["h"] = (p["n"] + 2 * p["pad"] - f) // p["stride"] + 1
    return facts


_CONV_PARAMS = (
    Misconception(
        "forgot-bias",
        "Forgot the bias",
        lambda p: p["f"] * p["f"] * p["c"] * p["k"],
        "({f}*{f}*{c})*{k} = {wrong}: each filter also has one bias, so {f}*{f}*{c} + 1 = {per} "
        "parameters per filter, and {per}*{k} = {right}.",
        "per filter: {f}*{f}*{c} + 1 = {per}",
    ),
    Misconception(
        "forgot-input-depth",
        "Forgot the input depth",
        lambda p: (p["f"] * p["f"] + 1) * p["k"] if p["c"] > 1 else None,
        "({f}*{f} + 1)*{k} = {wrong} counts {f}x{f} filters. A filter reaches through the whole "
        "input depth: it is {f}x{f}x{c}, so {f}*{f}*{c} + 1 = {per} per filter, and {per}*{k} = "
        "{right}.",
        "per filter: {f}*{f}*{c} + 1 = {per}",
    ),
    Misconception(
        "bias-per-weight",
        "One bias per weight",
        lambda p: 2 * p["f"] * p["f"] * p["c"] * p["k"],
        "2*({f}*{f}*{c})*{k} = {wrong} gives every weight its own bias. A filter has one bias "
        "for its whole {f}x{f}x{c} window: {f}*{f}*{c} + 1 = {per}, and {per}*{k} = {right}.",
        "one bias per filter: {f}*{f}*{c} + 1 = {per}",
    ),
    Misconception(
        "single-bias",
        "One bias for the whole layer",
        lambda p: p["f"] * p["f"] * p["c"] * p["k"] + 1 if p["k"] > 1 else None,
        "{f}*{f}*{c}*{k} + 1 = {wrong} gives the layer a single bias. Each of the {k} filters "
        "has its own: ({f}*{f}*{c} + 1)*{k} = {per}*{k} = {right}.",
        "one bias per filter: ({f}*{f}*{c} + 1)*{k}",
    ),
)

_TIMES_OUTPUT = Misconception(
    "times-output-size",
    "Multiplied by the output's spatial size",
    lambda p: (
        _conv_param_facts(p)["per"] * p["k"] * _conv_param_facts(p)["h"] ** 2
        if _conv_param_facts(p).get("h", 1) > 1
        else None
    ),
    "{per}*{k}*{h}*{h} = {wrong} counts a new set of weights for every one of the {h}x{h} output "
    "positions. The weights are shared: the same {k} filters slide over the whole input, so the "
    "layer has ({f}*{f}*{c} + 1)*{k} = {right} parameters, whatever the input size.",
    "shared weights: ({f}*{f}*{c} + 1)*{k} = {right}",
)


def _fc_facts(p: Params) -> dict[str, Any]:
    return {**p, "weights": p["inputs"] * p["outputs"], "per": p["inputs"] + 1}


_FC_PARAMS = (
    Misconception(
        "forgot-bias",
        "Forgot the bias",
        lambda p: p["inputs"] * p["outputs"],
        "{inputs}*{outputs} = {wrong} counts the weights only. Each output neuron also has one "
        "bias: ({inputs} + 1)*{outputs} = {right}.",
        "per output: {inputs} + 1 = {per}",
    ),
    Misconception(
        "bias-per-weight",
        "One bias per weight",
        lambda p: 2 * p["inputs"] * p["outputs"],
        "2*{inputs}*{outputs} = {wrong} gives every weight a bias. A neuron has one bias: "
        "({inputs} + 1)*{outputs} = {right}.",
        "one bias per output: ({inputs} + 1)*{outputs}",
    ),
    Misconception(
        "single-bias",
        "One bias for the whole layer",
        lambda p: p["inputs"] * p["outputs"] + 1 if p["outputs"] > 1 else None,
        "{inputs}*{outputs} + 1 = {wrong} gives the layer one bias. Each of the {outputs} "
        "outputs has its own: ({inputs} + 1)*{outputs} = {right}.",
        "one bias per output: ({inputs} + 1)*{outputs}",
    ),
    Misconception(
        "bias-per-input",
        "One bias per input instead of per output",
        lambda p: p["inputs"] * p["outputs"] + p["inputs"],
        "{inputs}*{outputs} + {inputs} = {wrong} gives each input a bias. The bias belongs to "
        "the output neuron: ({inputs} + 1)*{outputs} = {right}.",
        "one bias per output: ({inputs} + 1)*{outputs}",
    ),
)


# --- volumes ---------------------------------------------------------------------------------


def _volume_facts(p: Params) -> dict[str, Any]:
    stride, pad = p.get("stride", 1), p.get("pad", 0)
    h = (p["n"] + 2 * pad - p["f"]) // stride + 1
    return {**_size_facts({**p, "stride": stride, "pad": pad}), "h": h, "kc": p["k"] * p["c"]}


def _with_size(size: Any, depth: int) -> list[int] | None:
    return [size, size, depth] if isinstance(size, int) and size >= 1 else None


def _volume_size_misconceptions() -> tuple[Misconception, ...]:
    """The output-size mistakes, seen through a volume answer."""
    out = []
    for m in (*_PAD_MISCONCEPTIONS, *_STRIDE_MISCONCEPTIONS):
        wrong = m.wrong
        out.append(
            Misconception(
                m.key,
                m.title,
                (lambda w: lambda p: _with_size(w({"pad": 0, "stride": 1, **p}), p["k"]))(wrong),
                m.explanation.replace("{wrong}", "{wrong_size}")
                + " The volume is {h} x {h} x {k}.",
                m.step,
            )
        )
    return tuple(out)


_DEPTH = (
    Misconception(
        "depth-is-input-depth",
        "Depth taken from the input",
        lambda p: [_volume_facts(p)["h"], _volume_facts(p)["h"], p["c"]],
        "The output depth is the number of filters ({k}), not the input depth ({c}): each "
        "{f}x{f}x{c} filter sums over all {c} input channels and makes one feature map, so the "
        "volume is {h} x {h} x {k}.",
        "depth = number of filters = {k}",
    ),
    Misconception(
        "depth-times-channels",
        "One map per filter and input channel",
        lambda p: [_volume_facts(p)["h"], _volume_facts(p)["h"], p["k"] * p["c"]],
        "{k}*{c} = {kc} maps would mean one map per filter per input channel. A filter adds its "
        "{c} channels up into a single map, so {k} filters give depth {k}: {h} x {h} x {k}.",
        "depth = number of filters = {k}",
    ),
    Misconception(
        "depth-first",
        "Depth written first",
        lambda p: [p["k"], _volume_facts(p)["h"], _volume_facts(p)["h"]],
        "You wrote the depth first ({k} x {h} x {h}, channels-first as in NCHW arrays). Write "
        "the volume as the lecture does, height x width x depth: {h} x {h} x {k}.",
        "height x width x depth = {h} x {h} x {k}",
    ),
)

_FEATURE_MAP_VOLUME = (
    *_DEPTH,
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        lambda p: _with_size(p["n"] - p["f"], p["k"]),
        "{n} - {f} = {span} counts the steps, not the positions: ({n} - {f}) / 1 + 1 = {h}, so "
        "the volume is {h} x {h} x {k}.",
        "({n} - {f}) / 1 + 1 = {h}",
    ),
)


# --- pooling ----------------------------------------------------------------------------------


def _pool(p: Params, how: str, stride: int | None = None) -> np.ndarray | None:
    s = p["stride"] if stride is None else stride
    if not conv_fits(4, p["size"], s):
        return None
    x = arr(p["x"])[None, None]
    if how == "max":
        return reference.max_pool2d(x, p["size"], s)[0, 0]
    mean = reference.avg_pool2d(x, p["size"], s)[0, 0]
    return mean * p["size"] ** 2 if how == "sum" else mean


def _pool_facts(p: Params) -> dict[str, Any]:
    x = arr(p["x"])
    size = p["size"]
    window = x[:size, :size]
    return {
        **p,
        "window": ", ".join(fmt(v) for v in window.ravel()),
        "window_max": fmt(window.max()),
        "window_mean": fmt(window.mean()),
        "window_sum": fmt(window.sum()),
        "cells": size * size,
        "out": (4 - size) // p["stride"] + 1,
    }


def _pool_misconceptions(mode: str) -> tuple[Misconception, ...]:
    other = "avg" if mode == "max" else "max"
    first = Misconception(
        "avg-instead-of-max" if mode == "max" else "max-instead-of-avg",
        "Average instead of max" if mode == "max" else "Max instead of average",
        lambda p: _pool(p, other),
        (
            "Your map holds the average of each window. Max pooling keeps the largest value: "
            "the top-left window ({window}) gives {window_max}, not {window_mean}."
            if mode == "max"
            else "Your map holds the largest value of each window. Average pooling keeps the "
            "mean: the top-left window ({window}) gives {window_sum} / {cells} = {window_mean}."
        ),
        "top-left window: "
        + ("max = {window_max}" if mode == "max" else "{window_sum} / {cells} = {window_mean}"),
    )
    out = [first]
    if mode == "avg":
        out.append(
            Misconception(
                "sum-instead-of-avg",
                "Sum instead of average",
                lambda p: _pool(p, "sum"),
                "Your map holds the sum of each window. Divide by the {cells} cells of the "
                "window: the top-left window gives {window_sum} / {cells} = {window_mean}.",
                "{window_sum} / {cells} = {window_mean}",
            )
        )
    out += [
        Misconception(
            "overlapping-windows",
            "Overlapping windows (stride 1)",
            lambda p: _pool(p, mode, stride=1) if p["stride"] > 1 else None,
            "Your map moves the window one cell at a time, so the windows overlap. Here the "
            "stride is {stride}: the {size}x{size} windows start every {stride} cells and the "
            "map is {out}x{out}.",
            "move the window {stride} cells: a {out}x{out} map",
        ),
        Misconception(
            "transposed",
            "Result transposed",
            lambda p: _pool(p, mode).T,
            "Your map is the right one with rows and columns swapped: the window at row i, "
            "column j of the input goes to row i, column j of the map.",
            "write cell (i, j) at row i, column j",
        ),
    ]
    return tuple(out)


def _whole(size: Any) -> int | None:
    return size if isinstance(size, int) else None


def _pool_size_facts(p: Params) -> dict[str, Any]:
    n, size, s = p["n"], p["size"], p["stride"]
    return {**p, "formula": f"({n} - {size}) / {s} + 1", "result": size_text(n - size, s)}


_POOL_SIZE = (
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        lambda p: _fraction_or_size(p["n"] - p["size"], p["stride"], plus=0),
        "({n} - {size}) / {stride} = {wrong} counts the steps of the window, not its "
        "positions: {formula} {result}.",
        "{formula} {result}",
    ),
    Misconception(
        "stride-ignored",
        "Stride ignored",
        lambda p: p["n"] - p["size"] + 1 if p["stride"] > 1 else None,
        "{n} - {size} + 1 = {wrong} moves the window one cell at a time. It moves {stride} "
        "cells: {formula} {result}.",
        "divide by the stride: {formula} {result}",
    ),
    Misconception(
        "divided-by-size",
        "Divided by the window size instead of the stride",
        lambda p: (
            _whole(size_of(p["n"] - p["size"], p["size"])) if p["size"] != p["stride"] else None
        ),
        "({n} - {size}) / {size} + 1 divides by the window size. The window moves by the "
        "stride, {stride}: {formula} {result}.",
        "divide by the stride {stride}: {formula} {result}",
    ),
)


# --- flatten, same padding, shrinking ------------------------------------------------------------


def _flatten_facts(p: Params) -> dict[str, Any]:
    h = p["n"] - p["f"] + 1
    q = h // p["pool"]
    return {**p, "h": h, "q": q}


def _flatten_plus_one(p: Params) -> int | None:
    """Conv size taken as n - f; the pooled size then rounds down (h - 1 is not divisible)."""
    q = (p["n"] - p["f"]) // p["pool"]
    return q * q * p["k"] if q >= 1 else None


_FLATTEN = (
    Misconception(
        "forgot-pool",
        "Forgot the pooling",
        lambda p: _flatten_facts(p)["h"] ** 2 * p["k"],
        "{h}*{h}*{k} = {wrong} is the volume before pooling. {pool}x{pool} pooling with stride "
        "{pool} divides height and width by {pool}: {h} / {pool} = {q}, so {q}*{q}*{k} = {right}.",
        "pool first: {h} / {pool} = {q}, then {q}*{q}*{k} = {right}",
    ),
    Misconception(
        "depth-is-input-depth",
        "Depth taken from the input",
        lambda p: _flatten_facts(p)["q"] ** 2 * p["c"],
        "{q}*{q}*{c} = {wrong} uses the input depth. After the conv layer the depth is the "
        "number of filters, {k}: {q}*{q}*{k} = {right}.",
        "depth = number of filters = {k}: {q}*{q}*{k} = {right}",
    ),
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        _flatten_plus_one,
        "The conv output is ({n} - {f}) / 1 + 1 = {h}, not {n} - {f} (which does not even split "
        "into {pool}x{pool} windows). Then {h} / {pool} = {q} "
        "and {q}*{q}*{k} = {right}.",
        "conv output: ({n} - {f}) / 1 + 1 = {h}",
    ),
    Misconception(
        "pooled-one-side",
        "Pooled only one side",
        lambda p: _flatten_facts(p)["h"] * _flatten_facts(p)["q"] * p["k"],
        "{h}*{q}*{k} = {wrong} pools only one of height and width. Pooling shrinks both: "
        "{q}*{q}*{k} = {right}.",
        "pool both height and width: {q}*{q}*{k} = {right}",
    ),
)

_SAME_PADDING = (
    Misconception(
        "total-padding",
        "Padding counted once instead of twice",
        lambda p: p["f"] - 1,
        "{f} - 1 = {wrong} is the total the input must grow by. Padding is added on both sides, "
        "so each side gets ({f} - 1) / 2 = {right}: n + 2*{right} - {f} + 1 = n.",
        "per side: ({f} - 1) / 2 = {right}",
    ),
    Misconception(
        "half-filter-rounded-up",
        "Half the filter, rounded up",
        lambda p: (p["f"] + 1) // 2,
        "With pad {wrong} the output is n + 2*{wrong} - {f} + 1 = n + 1: one cell too big. "
        "Solve n + 2*pad - {f} + 1 = n: pad = ({f} - 1) / 2 = {right}.",
        "pad = ({f} - 1) / 2 = {right}",
    ),
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        lambda p: Fraction(p["f"], 2),
        "{f} / 2 = {wrong} solves n + 2*pad - {f} = n, which leaves out the +1 of the output "
        "size. With it: n + 2*pad - {f} + 1 = n, so pad = ({f} - 1) / 2 = {right}.",
        "n + 2*pad - {f} + 1 = n gives pad = ({f} - 1) / 2 = {right}",
        match_abs=0.01,
    ),
)


def _shrink_facts(p: Params) -> dict[str, Any]:
    sizes = [p["n"]]
    for _ in range(p["layers"]):
        sizes.append(sizes[-1] - p["f"] + 1)
    return {**p, "shrink": p["f"] - 1, "chain": " -> ".join(str(s) for s in sizes)}


def _positive(value: int) -> int | None:
    return value if value >= 1 else None


_SHRINKING = (
    Misconception(
        "forgot-plus-one",
        "Forgot the +1",
        lambda p: _positive(p["n"] - p["layers"] * p["f"]),
        "Each layer maps a size s to (s - {f}) / 1 + 1 = s - {shrink}: it shrinks by {f} - 1 = "
        "{shrink}, not {f}. {chain}.",
        "each layer: s - {f} + 1, so {chain}",
    ),
    Misconception(
        "single-layer",
        "Only one layer applied",
        lambda p: p["n"] - p["f"] + 1 if p["layers"] > 1 else None,
        "{n} - {f} + 1 = {wrong} is the size after one layer; there are {layers}, each "
        "shrinking by {shrink}: {chain}.",
        "apply every layer: {chain}",
    ),
    Misconception(
        "shrink-both-sides",
        "Shrink counted on both sides",
        lambda p: _positive(p["n"] - 2 * p["layers"] * (p["f"] - 1)),
        "A layer without padding loses {f} - 1 = {shrink} cells in total ((f - 1) / 2 on each "
        "side), not {shrink} on each side: {chain}.",
        "each layer loses {shrink} in total: {chain}",
    ),
)


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipeDiagnosis:
    facts: Callable[[Params], dict[str, Any]]
    misconceptions: tuple[Misconception, ...] = field(default_factory=tuple)


MISCONCEPTIONS: dict[str, RecipeDiagnosis] = {
    "dot-product-3x3": RecipeDiagnosis(_dot_facts, (_DOT_FLIPPED,)),
    "dot-product-27": RecipeDiagnosis(_dot_facts, _DOT_27),
    "conv-single-channel": RecipeDiagnosis(_single_facts, _CONV_SINGLE),
    "conv-three-channels": RecipeDiagnosis(_three_facts, _CONV_THREE),
    # When the geometry doesn't fit, that is the lesson: the rounding mistakes come first.
    "output-size-stride": RecipeDiagnosis(
        _size_facts, (*_DNF_MISCONCEPTIONS, *_STRIDE_MISCONCEPTIONS)
    ),
    "output-size-padding": RecipeDiagnosis(
        _size_facts, (*_DNF_MISCONCEPTIONS, *_PAD_MISCONCEPTIONS, *_STRIDE_MISCONCEPTIONS)
    ),
    "same-padding": RecipeDiagnosis(lambda p: dict(p), _SAME_PADDING),
    "shrinking-volumes": RecipeDiagnosis(_shrink_facts, _SHRINKING),
    "feature-map-volume": RecipeDiagnosis(_volume_facts, _FEATURE_MAP_VOLUME),
    "conv-layer-params": RecipeDiagnosis(_conv_param_facts, _CONV_PARAMS),
    "conv-layer-params-in-volume": RecipeDiagnosis(
        _conv_param_facts, (*_CONV_PARAMS, _TIMES_OUTPUT)
    ),
    "conv-layer-output-volume": RecipeDiagnosis(
        _volume_facts, (*_volume_size_misconceptions(), *_DEPTH)
    ),
    "max-pool": RecipeDiagnosis(_pool_facts, _pool_misconceptions("max")),
    "avg-pool": RecipeDiagnosis(_pool_facts, _pool_misconceptions("avg")),
    "pool-output-size": RecipeDiagnosis(_pool_size_facts, _POOL_SIZE),
    "flatten-size": RecipeDiagnosis(_flatten_facts, _FLATTEN),
    "fc-layer-params": RecipeDiagnosis(_fc_facts, _FC_PARAMS),
}


def table_for(recipe: Recipe) -> RecipeDiagnosis:
    """The facts and misconceptions of ``recipe``: its own (a formula problem's, built from the
    spec) or the built-in recipe's entry in ``MISCONCEPTIONS``."""
    return recipe.diagnosis if recipe.diagnosis is not None else MISCONCEPTIONS[recipe.name]


def misconceptions_for(recipe: str) -> tuple[Misconception, ...]:
    return MISCONCEPTIONS[recipe].misconceptions


def misconception_keys(recipe: str) -> tuple[str, ...]:
    return tuple(m.key for m in misconceptions_for(recipe))


# --- matching ----------------------------------------------------------------------------------


def same_answer(kind: str, a: Any, b: Any, tol: Tolerance, slack: float = 0.0) -> bool:
    """Whether two normalised answers of a recipe's answer type agree within ``tol``."""
    if a is None or b is None:
        return False
    if kind == "number":
        if isinstance(a, str) or isinstance(b, str):
            return a == b
        a, b = float(a), float(b)
        return abs(a - b) <= tol.abs + slack + tol.rel * abs(b)
    if kind == "shape":
        return [int(v) for v in a] == [int(v) for v in b]
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol.abs + tol.rel * np.abs(b)))


def candidates(m: Misconception, params: Params) -> list[tuple[Any, dict[str, Any]]]:
    """The answers this misconception produces for these params, with their extra facts."""
    produced = m.wrong(params)
    if produced is None:
        return []
    if isinstance(produced, Variants):
        return [(answer, extra) for answer, extra in produced if answer is not None]
    return [(produced, {})]


def _selected(recipe: Recipe, keys: Iterable[str] | None) -> tuple[Misconception, ...]:
    all_ = table_for(recipe).misconceptions
    if keys is None:
        return all_
    wanted = set(keys)
    return tuple(m for m in all_ if m.key in wanted)


def _answer_text(recipe: Recipe, answer: Any) -> str:
    if recipe.answer == "number":
        return fmt(answer)
    if recipe.answer == "shape":
        return " x ".join(str(int(v)) for v in answer)
    return ""


def explain(
    recipe: Recipe, m: Misconception, params: Params, wrong: Any, extra: Mapping[str, Any]
) -> tuple[str, str]:
    right = recipe.solve(params)
    facts = {
        **table_for(recipe).facts(params),
        **extra,
        "wrong": _answer_text(recipe, wrong),
        "right": _answer_text(recipe, right),
    }
    if recipe.answer == "shape":
        facts["wrong_size"] = fmt(wrong[0])
    return m.explanation.format(**facts), m.step.format(**facts)


def diagnose(
    recipe: Recipe,
    params: Params,
    answer: Any,
    *,
    keys: Iterable[str] | None = None,
    tolerance: Tolerance | None = None,
) -> Diagnosis | None:
    """The misconception ``answer`` matches as a whole, or None (see the module docstring)."""
    tol = tolerance or recipe.tolerance
    right = recipe.solve(params)
    hits: list[tuple[Misconception, Any, dict[str, Any]]] = []
    for m in _selected(recipe, keys):
        for wrong, extra in candidates(m, params):
            if same_answer(recipe.answer, wrong, right, tol, m.match_abs):
                continue  # this mistake gives the right answer here: never blame it
            if same_answer(recipe.answer, answer, wrong, tol, m.match_abs):
                hits.append((m, wrong, extra))
                break
    if not hits:
        return None
    m, wrong, extra = hits[0]
    explanation, step = explain(recipe, m, params, wrong, extra)
    also = tuple((h.key, h.title) for h, _, _ in hits[1:] if h.key != m.key)
    return Diagnosis(m.key, m.title, explanation, step, also).hiding(right)


def diagnose_cells(
    recipe: Recipe,
    params: Params,
    answer: np.ndarray,
    wrong_cells: np.ndarray,
    *,
    keys: Iterable[str] | None = None,
    tolerance: Tolerance | None = None,
) -> Diagnosis | None:
    """For a matrix of the right size that matches no misconception as a whole: the one that
    explains most of the wrong cells (at least two, and at least half of them), if any."""
    tol = tolerance or recipe.tolerance
    right = np.asarray(recipe.solve(params), dtype=float)
    n_wrong = int(wrong_cells.sum())
    if n_wrong < 2:
        return None
    best: tuple[int, Misconception, Any, dict[str, Any]] | None = None
    for m in _selected(recipe, keys):
        for wrong, extra in candidates(m, params):
            wrong = np.asarray(wrong, dtype=float)
            if wrong.shape != right.shape or same_answer("matrix", wrong, right, tol):
                continue
            close = np.abs(answer - wrong) <= tol.abs + tol.rel * np.abs(wrong)
            explained = int(np.sum(close & wrong_cells & (np.abs(wrong - right) > tol.abs)))
            if (
                explained * 2 >= n_wrong
                and explained >= 2
                and (best is None or explained > best[0])
            ):
                best = (explained, m, wrong, extra)
    if best is None:
        return None
    explained, m, wrong, extra = best
    explanation, step = explain(recipe, m, params, wrong, extra)
    return Diagnosis(
        m.key,
        m.title,
        f"{explained} of your {n_wrong} wrong cells match this mistake. {explanation}",
        step,
        partial=True,
        matched_cells=explained,
    )


def wrong_answer_for(recipe: Recipe, params: Params, m: Misconception) -> Any | None:
    """One answer this misconception produces that differs from the right answer, else None."""
    right = recipe.solve(params)
    for wrong, _ in candidates(m, params):
        if not same_answer(recipe.answer, wrong, right, recipe.tolerance, m.match_abs):
            return wrong
    return None
