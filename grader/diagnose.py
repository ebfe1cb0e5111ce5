"""Misconceptions: known wrong formulas, evaluated on the student's own params, and what they say.

Each recipe (``grader.recipes``) declares the mistakes students make on it. A ``Misconception``
is a wrong formula (``wrong(params)`` returns the answer that mistake produces, in the recipe's
answer type, or None when it does not apply to these params), a title, and two templates filled
from the student's own numbers: ``explanation`` (what went wrong and the right reasoning) and
``step`` (the one step that differs). Templates use ``str.format`` fields from the recipe's
``facts(params)`` plus ``{wrong}`` and ``{right}``.

Every template is written in each language the grader speaks (``grader.texts``: ``tr(en,
ko)``), with the same fields: numbers and formulas are facts, so they read the same in both.
The built-in recipes' templates are in the text catalogue under
``misconception.<recipe>.<key>.<title|explanation|step>``, so stored feedback names them by key
and renders in the reader's language when read; a formula problem's own misconceptions carry
their templates inline.

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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from grader import reference
from grader.kinds.base import Tolerance
from grader.recipes import DOES_NOT_FIT, RECIPES, Recipe, arr, asking_does_not_fit, conv_fits
from grader.texts import Text, define, hidden, tr

Params = Mapping[str, Any]
#: A template in every language: ``{"en": ..., "ko": ...}`` (``grader.texts.tr``).
Templates = Mapping[str, str]
TEXT_FIELDS = ("title", "explanation", "step")


class Variants(tuple):
    """Several answers one mistake can produce: a tuple of ``(answer, extra_facts)`` pairs."""


@dataclass(frozen=True)
class Misconception:
    key: str
    title: Templates
    wrong: Callable[[Params], Any]
    explanation: Templates
    step: Templates
    #: extra slack when matching numbers (a fraction like 2.33 typed by hand)
    match_abs: float = 0.0
    #: where the texts are in the catalogue (``misconception.<recipe>.<key>``); "" when they
    #: travel inline (a formula problem's, written by its author)
    text_key: str = ""

    def text(self, name: str, facts: Mapping[str, Any] | None = None) -> Text:
        """The title, explanation or step, filled with ``facts``."""
        if self.text_key:
            return Text(f"{self.text_key}.{name}", facts)
        return Text.inline(getattr(self, name), facts)


@dataclass(frozen=True)
class Diagnosis:
    """The misconception an answer matches. ``also``: other misconceptions giving the same
    answer, as ``(key, title)``. ``partial``: only some wrong cells of a matrix match it.
    The texts are ``grader.texts.Text``: English as strings, any language on ``render``."""

    key: str
    title: Text
    explanation: Text
    step: Text
    also: tuple[tuple[str, Text], ...] = ()
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
    def message(self) -> Text:
        """The feedback paragraph's sentence: it points at the diagnosis, which the pages show
        beside it (title and explanation), rather than repeat it word for word."""
        pointer = Text(MATCHES_A_MISTAKE)
        if not self.also:
            return pointer
        titles = [title for _, title in self.also]
        return Text.join([pointer, Text(ALSO_FROM, {"titles": titles})])

    def hiding(self, right: Any) -> Diagnosis:
        """This diagnosis with the right answer left for the student to work out: where the
        explanation or step would end a calculation on it (``... = 45126``, ``the volume is
        28 x 28 x 6``) it says ``= ?`` (``is ?``), in every language.
        Whether the answer itself is shown is the assignment's choice, not the diagnosis'."""
        text = _written_answer(right)
        if text is None:
            return self
        return replace(
            self, explanation=hidden(self.explanation, text), step=hidden(self.step, text)
        )


MATCHES_A_MISTAKE = define(
    "diagnosis.matches",
    "It matches a known mistake: the diagnosis shows which step to check.",
    "알려진 실수와 같은 답입니다. 어느 단계를 다시 볼지는 진단에 나와 있습니다.",
)
ALSO_FROM = define(
    "diagnosis.also",
    "(The same answer also comes from: {titles:lower}.)",
    "(같은 답이 이런 실수에서도 나옵니다: {titles}.)",
)
PARTIAL_MATCH = define(
    "diagnosis.partial",
    "{explained} of your {n_wrong} wrong cells match this mistake.",
    "틀린 칸 {n_wrong}개 가운데 {explained}개가 이 실수와 맞아떨어집니다.",
)
NOT_WHOLE = define(
    "diagnosis.not-whole",
    "= {value}, not a whole number",
    "= {value}, 정수가 아님",
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
    """ "= 5", or "= 2.33, not a whole number" (a text, in every language) for the templates."""
    value = Fraction(num, den) + 1
    if value.denominator == 1:
        return f"= {value.numerator}"
    return Text(NOT_WHOLE, {"value": fmt(value)})


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


def over_stride(difference: str, stride: int) -> str:
    """The steps a window takes, as a diagnosis writes them: ``(7 - 3) / 2``, and at stride 1
    just ``7 - 3`` (a division by 1 and its parentheses say nothing). ``difference`` is the
    written span, ``n + 2*pad - f``."""
    return difference if stride == 1 else f"({difference}) / {stride}"


def size_formula(difference: str, stride: int) -> str:
    """An output size's formula over the student's numbers: ``(7 - 3) / 2 + 1``, ``7 - 3 + 1``
    at stride 1."""
    return f"{over_stride(difference, stride)} + 1"


def _size_facts(p: Params) -> dict[str, Any]:
    n, f, s, pad = p["n"], p["f"], p["stride"], p.get("pad", 0)
    span = n + 2 * pad - f
    exact = Fraction(span, s) + 1
    difference = f"{n} + 2*{pad} - {f}" if pad else f"{n} - {f}"
    return {
        **p,
        "pad": pad,
        "span": span,
        "formula": size_formula(difference, s),
        "steps": over_stride(difference, s),
        "nopad_formula": size_formula(f"{n} - {f}", s),
        "once_formula": size_formula(f"{n} + {pad} - {f}", s),
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
        tr("Rounded a size that doesn't fit", "맞지 않는 크기를 반올림함"),
        _dnf_rounding("down"),
        asking_does_not_fit(
            "{formula} = {exact} is not a whole number, and rounding it down to {wrong} hides that "
            "the last step would hang over the edge of the input. The lecture's answer: the filter "
            "doesn't fit.",
            "{formula} = {exact}: 정수가 아닙니다. 이를 {wrong}(으)로 내림하면 마지막 한 걸음이 "
            "입력 가장자리 밖으로 삐져나간다는 사실이 가려집니다. 강의의 답은 필터가 들어맞지 "
            "않는다는 것입니다.",
        ),
        tr(
            "{formula} = {exact}: not a whole number, so it doesn't fit",
            "{formula} = {exact}: 정수가 아니므로 맞지 않습니다",
        ),
    ),
    Misconception(
        "rounded-up",
        tr("Rounded a size that doesn't fit", "맞지 않는 크기를 반올림함"),
        _dnf_rounding("up"),
        asking_does_not_fit(
            "{formula} = {exact} is not a whole number, and rounding it up to {wrong} would need "
            "input that isn't there: the filter doesn't fit.",
            "{formula} = {exact}: 정수가 아닙니다. 이를 {wrong}(으)로 올림하려면 있지도 않은 "
            "입력이 필요합니다. 필터가 들어맞지 않습니다.",
        ),
        tr(
            "{formula} = {exact}: not a whole number, so it doesn't fit",
            "{formula} = {exact}: 정수가 아니므로 맞지 않습니다",
        ),
    ),
    Misconception(
        "fractional-size",
        tr("A fractional output size", "분수인 출력 크기"),
        _fraction_answer,
        asking_does_not_fit(
            "{formula} = {exact}: an output has a whole number of cells, so this geometry has no "
            "output at all: the filter doesn't fit.",
            "{formula} = {exact}: 출력의 칸 수는 정수여야 하므로 이 크기 조합에는 출력이 아예 "
            "없습니다. 필터가 들어맞지 않습니다.",
        ),
        tr(
            "{formula} = {exact}: not a whole number, so it doesn't fit",
            "{formula} = {exact}: 정수가 아니므로 맞지 않습니다",
        ),
        match_abs=0.01,
    ),
)

_STRIDE_MISCONCEPTIONS = (
    Misconception(
        "forgot-plus-one",
        tr("Forgot the +1", "+1을 빠뜨림"),
        lambda p: _fraction_or_size(p["n"] + 2 * p.get("pad", 0) - p["f"], p["stride"], plus=0),
        tr(
            "{steps} = {wrong} counts the steps the filter takes, not the positions it "
            "visits: the first position is not a step, so add 1: {formula} {result}.",
            "{steps} = {wrong}: 필터가 움직인 걸음 수이지, 필터가 놓이는 자리의 수가 "
            "아닙니다. 첫 자리는 걸음이 아니므로 1을 더합니다: {formula} {result}.",
        ),
        tr(
            "{formula} {result}: add the +1 for the first position",
            "{formula} {result}: 첫 자리를 위한 +1을 더하세요",
        ),
    ),
    Misconception(
        "stride-ignored",
        tr("Stride ignored", "스트라이드를 무시함"),
        lambda p: (p["n"] + 2 * p.get("pad", 0) - p["f"] + 1) if p["stride"] > 1 else None,
        tr(
            "{span} + 1 = {stride1} counts every position at stride 1. With stride {stride} the "
            "filter jumps {stride} cells at a time, so divide by the stride: {formula} {result}.",
            "{span} + 1 = {stride1}: 스트라이드 1일 때의 자리를 모두 센 값입니다. 스트라이드가 "
            "{stride}이면 필터가 한 번에 {stride}칸씩 건너뛰므로 스트라이드로 나눠야 합니다: "
            "{formula} {result}.",
        ),
        tr(
            "divide by the stride: {formula} {result}",
            "스트라이드로 나누세요: {formula} {result}",
        ),
    ),
)

_PAD_MISCONCEPTIONS = (
    Misconception(
        "forgot-padding",
        tr("Forgot the padding", "패딩을 빠뜨림"),
        lambda p: size_of(p["n"] - p["f"], p["stride"]) if p["pad"] > 0 else None,
        tr(
            "{nopad_formula} {nopad} leaves out the zero padding. Padding adds {pad} "
            "on each side, so the padded input is {n} + 2*{pad}: {formula} {result}.",
            "{nopad_formula} {nopad}: 제로 패딩이 빠졌습니다. 패딩은 양쪽에 "
            "{pad}씩 붙으므로 패딩한 입력의 크기는 {n} + 2*{pad}입니다: {formula} {result}.",
        ),
        tr(
            "use the padded size {n} + 2*{pad}: {formula} {result}",
            "패딩한 크기({n} + 2*{pad})를 쓰세요: {formula} {result}",
        ),
    ),
    Misconception(
        "padding-once",
        tr("Padding counted once instead of twice", "패딩을 두 번이 아니라 한 번만 셈"),
        lambda p: size_of(p["n"] + p["pad"] - p["f"], p["stride"]) if p["pad"] > 0 else None,
        tr(
            "{once_formula} {once} adds the padding on one side only. Zero "
            "padding goes on both sides (top and bottom, left and right): {formula} {result}.",
            "{once_formula} {once}: 패딩을 한쪽에만 붙였습니다. 제로 "
            "패딩은 양쪽(위와 아래, 왼쪽과 오른쪽)에 붙습니다: {formula} {result}.",
        ),
        tr(
            "count the padding twice, {n} + 2*{pad}: {formula} {result}",
            "패딩을 두 번 세세요, {n} + 2*{pad}: {formula} {result}",
        ),
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


_FLIPPED_EXPLANATION = tr(
    "Your map matches the filter flipped by 180 degrees: that is true convolution, as in signal "
    "processing. A CNN layer lays the filter on each window as it is (cross-correlation) and "
    "adds up the products of cells in the same place. Top-left cell: {cell_products} = "
    "{cell_right} (the flipped filter gives {cell_flipped}).",
    "여러분의 맵은 필터를 180도 뒤집었을 때의 결과와 같습니다. 신호 처리에서 말하는 진짜 "
    "합성곱입니다. CNN의 합성곱 층은 필터를 뒤집지 않고 그대로 각 윈도우에 올려놓고"
    "(교차 상관, cross-correlation) 같은 자리에 있는 칸끼리 곱해서 더합니다. 왼쪽 위 칸: "
    "{cell_products} = {cell_right} (뒤집은 필터로는 {cell_flipped}).",
)
_FLIPPED_TITLE = tr(
    "True convolution instead of cross-correlation", "교차 상관 대신 진짜 합성곱(필터 뒤집기)"
)
_TRANSPOSED_TITLE = tr("Result transposed", "결과를 전치함")
_TRANSPOSED_STEP = tr("write cell (i, j) at row i, column j", "칸 (i, j)는 i행 j열에 쓰세요")

_CONV_SINGLE = (
    Misconception(
        "flipped-kernel",
        _FLIPPED_TITLE,
        lambda p: _flip(p, three=False),
        _FLIPPED_EXPLANATION,
        tr(
            "top-left cell: {cell_products} = {cell_right}",
            "왼쪽 위 칸: {cell_products} = {cell_right}",
        ),
    ),
    Misconception(
        "stride-ignored",
        tr("Stride ignored", "스트라이드를 무시함"),
        lambda p: reference.conv2d_single(arr(p["x"]), arr(p["w"])) if p["stride"] > 1 else None,
        tr(
            "Your map is the stride-1 map ({full}x{full}). With stride {stride} the window "
            "jumps {stride} cells at a time, starting at rows and columns 0, {stride}, ..., so "
            "the map is (7 - 3) / {stride} + 1 = {size} cells wide.",
            "여러분의 맵은 스트라이드 1일 때의 맵({full}x{full})입니다. 스트라이드가 {stride}이면 "
            "윈도우가 한 번에 {stride}칸씩 건너뛰어 0, {stride}, ... 번째 행과 열에서 시작하므로, "
            "맵의 너비는 (7 - 3) / {stride} + 1 = {size}칸입니다.",
        ),
        tr(
            "move the window {stride} cells at a time: a {size}x{size} map",
            "윈도우를 한 번에 {stride}칸씩 옮기세요: {size}x{size} 맵",
        ),
    ),
    Misconception(
        "transposed",
        _TRANSPOSED_TITLE,
        lambda p: _right("conv-single-channel", p).T,
        tr(
            "Your map is the right one with rows and columns swapped. Output cell (i, j) comes "
            "from the window whose top-left corner is at row i*{stride}, column j*{stride}: row "
            "first.",
            "여러분의 맵은 정답 맵의 행과 열을 맞바꾼 것입니다. 출력 칸 (i, j)는 왼쪽 위 모서리가 "
            "i*{stride}행, j*{stride}열에 있는 윈도우에서 나옵니다. 행이 먼저입니다.",
        ),
        _TRANSPOSED_STEP,
    ),
)

_CONV_THREE = (
    Misconception(
        "flipped-kernel",
        _FLIPPED_TITLE,
        lambda p: _flip(p, three=True),
        _FLIPPED_EXPLANATION,
        tr(
            "top-left cell: {cell_products} = {cell_right}",
            "왼쪽 위 칸: {cell_products} = {cell_right}",
        ),
    ),
    Misconception(
        "missing-channel",
        tr("One channel missing from the sum", "합에서 채널 하나가 빠짐"),
        _missing_channel_map,
        tr(
            "Your map matches the sum over two channels only: channel {channel} is missing. A "
            "3x3x3 filter covers all three channels, and each output cell is the 27-dimensional "
            "dot product: channel sums {channel_sums}, plus the bias {b}.",
            "여러분의 맵은 두 채널만 더한 결과와 같습니다. {channel}번 채널이 빠졌습니다. "
            "3x3x3 필터는 세 채널을 모두 덮고, 출력 칸 하나는 27차원 내적입니다: 채널별 합 "
            "{channel_sums}에 편향({b})을 더합니다.",
        ),
        tr(
            "add all three channels: {channel_sums} + {b} = {cell_right} (top-left cell)",
            "세 채널을 모두 더하세요: {channel_sums} + {b} = {cell_right} (왼쪽 위 칸)",
        ),
    ),
    Misconception(
        "forgot-bias",
        tr("Bias missing", "편향이 빠짐"),
        lambda p: _right("conv-three-channels", p) - p["b"] if p["b"] else None,
        tr(
            "Your map is the summed map without the bias. The filter's bias b = {b} is added once "
            "to every cell: top-left cell {channel_sums} + {b} = {cell_right}.",
            "여러분의 맵은 편향 없이 더하기만 한 맵입니다. 필터의 편향(b = {b})은 모든 칸에 "
            "한 번씩 더해집니다: 왼쪽 위 칸 {channel_sums} + {b} = {cell_right}.",
        ),
        tr("add b = {b} to every cell", "모든 칸에 편향(b = {b})을 더하세요"),
    ),
    Misconception(
        "bias-per-channel",
        tr("Bias added once per channel", "편향을 채널마다 더함"),
        lambda p: _right("conv-three-channels", p) + 2 * p["b"] if p["b"] else None,
        tr(
            "Your map adds the bias for each of the three channels (3*{b} = {b3}). One filter has "
            "one bias, added once after the three channels are summed: {channel_sums} + {b} = "
            "{cell_right} (top-left cell).",
            "여러분의 맵은 세 채널마다 편향을 더했습니다(3*{b} = {b3}). 필터 하나에는 편향이 "
            "하나뿐이고, 세 채널을 모두 더한 뒤 한 번만 더합니다: {channel_sums} + {b} = "
            "{cell_right} (왼쪽 위 칸).",
        ),
        tr(
            "add b = {b} once, after summing the channels",
            "채널을 모두 더한 뒤 편향(b = {b})을 한 번만 더하세요",
        ),
    ),
    Misconception(
        "transposed",
        _TRANSPOSED_TITLE,
        lambda p: _right("conv-three-channels", p).T,
        tr(
            "Your map is the right one with rows and columns swapped. Output cell (i, j) comes "
            "from the window whose top-left corner is at row i, column j: row first.",
            "여러분의 맵은 정답 맵의 행과 열을 맞바꾼 것입니다. 출력 칸 (i, j)는 왼쪽 위 모서리가 "
            "i행, j열에 있는 윈도우에서 나옵니다. 행이 먼저입니다.",
        ),
        _TRANSPOSED_STEP,
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
    _FLIPPED_TITLE,
    _dot_flipped,
    tr(
        "You paired each patch cell with the filter cell on the opposite side (the filter flipped "
        "by 180 degrees, as in true convolution). A CNN multiplies cells in the same place: "
        "{products} = {sum}.",
        "패치의 각 칸을 필터의 반대편 칸과 짝지었습니다(진짜 합성곱처럼 필터를 180도 뒤집은 "
        "것). CNN은 같은 자리에 있는 칸끼리 곱합니다: {products} = {sum}.",
    ),
    tr(
        "same-place products: {products} = {sum}",
        "같은 자리끼리 곱하기: {products} = {sum}",
    ),
)

_DOT_27 = (
    Misconception(
        "forgot-bias",
        tr("Bias missing", "편향이 빠짐"),
        lambda p: float(np.sum(arr(p["patch"]) * arr(p["filter"]))) if p["bias"] else None,
        tr(
            "{sum} is the 27-dimensional dot product alone; the filter's bias comes on top: "
            "{sum} + {bias} = {right}.",
            "{sum}: 27차원 내적만 계산한 값입니다. 여기에 필터의 편향을 더해야 합니다: "
            "{sum} + {bias} = {right}.",
        ),
        tr(
            "add the bias: {sum} + {bias} = {right}",
            "편향을 더하세요: {sum} + {bias} = {right}",
        ),
    ),
    Misconception(
        "bias-per-channel",
        tr("Bias added once per channel", "편향을 채널마다 더함"),
        lambda p: (
            float(np.sum(arr(p["patch"]) * arr(p["filter"]))) + 3 * p["bias"] if p["bias"] else None
        ),
        tr(
            "You added the bias for each of the three channels ({bias3} in all). A filter has one "
            "bias, added once to the whole dot product: {channel_sums} + {bias} = {right}.",
            "세 채널마다 편향을 더했습니다(모두 합해 {bias3}). 필터 하나에는 편향이 하나뿐이고, "
            "내적 전체에 한 번만 더합니다: {channel_sums} + {bias} = {right}.",
        ),
        tr(
            "add the bias once: {channel_sums} + {bias} = {right}",
            "편향은 한 번만 더하세요: {channel_sums} + {bias} = {right}",
        ),
    ),
    Misconception(
        "missing-channel",
        tr("One channel missing from the sum", "합에서 채널 하나가 빠짐"),
        _dot_missing_channel,
        tr(
            "Your number leaves out channel {channel}. The filter is 3x3x3: all 27 products count, "
            "channel by channel {channel_sums}, plus the bias {bias}: {right}.",
            "여러분의 값에는 {channel}번 채널이 빠져 있습니다. 필터는 3x3x3이므로 27개의 곱을 "
            "모두 더해야 합니다. 채널별로 {channel_sums}, 여기에 편향({bias})을 더하면: {right}.",
        ),
        tr(
            "sum all three channels: {channel_sums} + {bias} = {right}",
            "세 채널을 모두 더하세요: {channel_sums} + {bias} = {right}",
        ),
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


_ONE_BIAS_PER_FILTER = tr(
    "one bias per filter: {f}*{f}*{c} + 1 = {per}", "필터마다 편향 하나: {f}*{f}*{c} + 1 = {per}"
)

_CONV_PARAMS = (
    Misconception(
        "forgot-bias",
        tr("Forgot the bias", "편향을 빠뜨림"),
        lambda p: p["f"] * p["f"] * p["c"] * p["k"],
        tr(
            "({f}*{f}*{c})*{k} = {wrong}: each filter also has one bias, so {f}*{f}*{c} + 1 = "
            "{per} parameters per filter, and {per}*{k} = {right}.",
            "({f}*{f}*{c})*{k} = {wrong}: 필터마다 편향도 하나씩 있으므로 필터 하나의 파라미터는 "
            "{f}*{f}*{c} + 1 = {per}개이고, {per}*{k} = {right}입니다.",
        ),
        tr("per filter: {f}*{f}*{c} + 1 = {per}", "필터 하나에: {f}*{f}*{c} + 1 = {per}"),
    ),
    Misconception(
        "forgot-input-depth",
        tr("Forgot the input depth", "입력의 깊이를 빠뜨림"),
        lambda p: (p["f"] * p["f"] + 1) * p["k"] if p["c"] > 1 else None,
        tr(
            "({f}*{f} + 1)*{k} = {wrong} counts {f}x{f} filters. A filter reaches through the "
            "whole input depth: it is {f}x{f}x{c}, so {f}*{f}*{c} + 1 = {per} per filter, and "
            "{per}*{k} = {right}.",
            "({f}*{f} + 1)*{k} = {wrong}: {f}x{f} 필터로 센 값입니다. 필터는 입력의 깊이 "
            "전체에 걸쳐 있어서 {f}x{f}x{c}입니다. 따라서 필터 하나에 {f}*{f}*{c} + 1 = {per}, "
            "{per}*{k} = {right}입니다.",
        ),
        tr("per filter: {f}*{f}*{c} + 1 = {per}", "필터 하나에: {f}*{f}*{c} + 1 = {per}"),
    ),
    Misconception(
        "bias-per-weight",
        tr("One bias per weight", "가중치마다 편향 하나"),
        lambda p: 2 * p["f"] * p["f"] * p["c"] * p["k"],
        tr(
            "2*({f}*{f}*{c})*{k} = {wrong} gives every weight its own bias. A filter has one bias "
            "for its whole {f}x{f}x{c} window: {f}*{f}*{c} + 1 = {per}, and {per}*{k} = {right}.",
            "2*({f}*{f}*{c})*{k} = {wrong}: 가중치마다 편향을 하나씩 준 값입니다. 필터에는 "
            "{f}x{f}x{c} 윈도우 전체에 편향이 하나뿐입니다: {f}*{f}*{c} + 1 = {per}, "
            "{per}*{k} = {right}.",
        ),
        _ONE_BIAS_PER_FILTER,
    ),
    Misconception(
        "single-bias",
        tr("One bias for the whole layer", "층 전체에 편향 하나"),
        lambda p: p["f"] * p["f"] * p["c"] * p["k"] + 1 if p["k"] > 1 else None,
        tr(
            "{f}*{f}*{c}*{k} + 1 = {wrong} gives the layer a single bias. Each of the {k} filters "
            "has its own: ({f}*{f}*{c} + 1)*{k} = {per}*{k} = {right}.",
            "{f}*{f}*{c}*{k} + 1 = {wrong}: 층 전체에 편향을 하나만 준 값입니다. 필터 {k}개가 "
            "저마다 편향을 가집니다: ({f}*{f}*{c} + 1)*{k} = {per}*{k} = {right}.",
        ),
        tr(
            "one bias per filter: ({f}*{f}*{c} + 1)*{k}",
            "필터마다 편향 하나: ({f}*{f}*{c} + 1)*{k}",
        ),
    ),
)

_TIMES_OUTPUT = Misconception(
    "times-output-size",
    tr("Multiplied by the output's spatial size", "출력의 가로세로 크기를 곱함"),
    lambda p: (
        _conv_param_facts(p)["per"] * p["k"] * _conv_param_facts(p)["h"] ** 2
        if _conv_param_facts(p).get("h", 1) > 1
        else None
    ),
    tr(
        "{per}*{k}*{h}*{h} = {wrong} counts a new set of weights for every one of the {h}x{h} "
        "output positions. The weights are shared: the same {k} filters slide over the whole "
        "input, so the layer has ({f}*{f}*{c} + 1)*{k} = {right} parameters, whatever the input "
        "size.",
        "{per}*{k}*{h}*{h} = {wrong}: {h}x{h}개의 출력 위치마다 가중치를 새로 센 값입니다. "
        "가중치는 공유됩니다. 같은 필터 {k}개가 입력 전체를 미끄러지며 지나가므로, 입력 크기와 "
        "상관없이 이 층의 파라미터는 ({f}*{f}*{c} + 1)*{k} = {right}개입니다.",
    ),
    tr(
        "shared weights: ({f}*{f}*{c} + 1)*{k} = {right}",
        "가중치 공유: ({f}*{f}*{c} + 1)*{k} = {right}",
    ),
)


def _fc_facts(p: Params) -> dict[str, Any]:
    return {**p, "weights": p["inputs"] * p["outputs"], "per": p["inputs"] + 1}


_ONE_BIAS_PER_OUTPUT = tr(
    "one bias per output: ({inputs} + 1)*{outputs}",
    "출력마다 편향 하나: ({inputs} + 1)*{outputs}",
)

_FC_PARAMS = (
    Misconception(
        "forgot-bias",
        tr("Forgot the bias", "편향을 빠뜨림"),
        lambda p: p["inputs"] * p["outputs"],
        tr(
            "{inputs}*{outputs} = {wrong} counts the weights only. Each output neuron also has one "
            "bias: ({inputs} + 1)*{outputs} = {right}.",
            "{inputs}*{outputs} = {wrong}: 가중치만 센 값입니다. 출력 뉴런마다 편향도 하나씩 "
            "있습니다: ({inputs} + 1)*{outputs} = {right}.",
        ),
        tr("per output: {inputs} + 1 = {per}", "출력 하나에: {inputs} + 1 = {per}"),
    ),
    Misconception(
        "bias-per-weight",
        tr("One bias per weight", "가중치마다 편향 하나"),
        lambda p: 2 * p["inputs"] * p["outputs"],
        tr(
            "2*{inputs}*{outputs} = {wrong} gives every weight a bias. A neuron has one bias: "
            "({inputs} + 1)*{outputs} = {right}.",
            "2*{inputs}*{outputs} = {wrong}: 가중치마다 편향을 준 값입니다. 뉴런 하나에는 편향이 "
            "하나입니다: ({inputs} + 1)*{outputs} = {right}.",
        ),
        _ONE_BIAS_PER_OUTPUT,
    ),
    Misconception(
        "single-bias",
        tr("One bias for the whole layer", "층 전체에 편향 하나"),
        lambda p: p["inputs"] * p["outputs"] + 1 if p["outputs"] > 1 else None,
        tr(
            "{inputs}*{outputs} + 1 = {wrong} gives the layer one bias. Each of the {outputs} "
            "outputs has its own: ({inputs} + 1)*{outputs} = {right}.",
            "{inputs}*{outputs} + 1 = {wrong}: 층 전체에 편향을 하나만 준 값입니다. 출력 "
            "{outputs}개가 저마다 편향을 가집니다: ({inputs} + 1)*{outputs} = {right}.",
        ),
        _ONE_BIAS_PER_OUTPUT,
    ),
    Misconception(
        "bias-per-input",
        tr("One bias per input instead of per output", "출력이 아니라 입력마다 편향 하나"),
        lambda p: p["inputs"] * p["outputs"] + p["inputs"],
        tr(
            "{inputs}*{outputs} + {inputs} = {wrong} gives each input a bias. The bias belongs to "
            "the output neuron: ({inputs} + 1)*{outputs} = {right}.",
            "{inputs}*{outputs} + {inputs} = {wrong}: 입력마다 편향을 준 값입니다. 편향은 출력 "
            "뉴런에 딸려 있습니다: ({inputs} + 1)*{outputs} = {right}.",
        ),
        _ONE_BIAS_PER_OUTPUT,
    ),
)


# --- volumes ---------------------------------------------------------------------------------


def _volume_facts(p: Params) -> dict[str, Any]:
    stride, pad = p.get("stride", 1), p.get("pad", 0)
    h = (p["n"] + 2 * pad - p["f"]) // stride + 1
    return {**_size_facts({**p, "stride": stride, "pad": pad}), "h": h, "kc": p["k"] * p["c"]}


def _with_size(size: Any, depth: int) -> list[int] | None:
    return [size, size, depth] if isinstance(size, int) and size >= 1 else None


_THE_VOLUME_IS = tr(" The volume is {h} x {h} x {k}.", " 부피는 {h} x {h} x {k}입니다.")


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
                {
                    lang: text.replace("{wrong}", "{wrong_size}") + _THE_VOLUME_IS[lang]
                    for lang, text in m.explanation.items()
                },
                m.step,
            )
        )
    return tuple(out)


_DEPTH_IS_FILTERS = tr("depth = number of filters = {k}", "깊이 = 필터 수 = {k}")

_DEPTH = (
    Misconception(
        "depth-is-input-depth",
        tr("Depth taken from the input", "입력의 깊이를 그대로 씀"),
        lambda p: [_volume_facts(p)["h"], _volume_facts(p)["h"], p["c"]],
        tr(
            "The output depth is the number of filters ({k}), not the input depth ({c}): each "
            "{f}x{f}x{c} filter sums over all {c} input channels and makes one feature map, so the "
            "volume is {h} x {h} x {k}.",
            "출력의 깊이는 입력의 깊이({c})가 아니라 필터 수({k})입니다. {f}x{f}x{c} 필터 하나가 "
            "입력 채널 {c}개를 모두 더해 특성 맵 하나를 만들므로, 부피는 {h} x {h} x {k}입니다.",
        ),
        _DEPTH_IS_FILTERS,
    ),
    Misconception(
        "depth-times-channels",
        tr("One map per filter and input channel", "필터와 입력 채널마다 맵 하나"),
        lambda p: [_volume_facts(p)["h"], _volume_facts(p)["h"], p["k"] * p["c"]],
        tr(
            "{k}*{c} = {kc} maps would mean one map per filter per input channel. A filter adds "
            "its {c} channels up into a single map, so {k} filters give depth {k}: "
            "{h} x {h} x {k}.",
            "{k}*{c} = {kc}개의 맵이라면 필터마다, 입력 채널마다 맵이 하나씩 생긴다는 뜻입니다. "
            "필터는 채널 {c}개를 더해 맵 하나로 만들므로, 필터 {k}개면 깊이도 {k}입니다: "
            "{h} x {h} x {k}.",
        ),
        _DEPTH_IS_FILTERS,
    ),
    Misconception(
        "depth-first",
        tr("Depth written first", "깊이를 맨 앞에 씀"),
        lambda p: [p["k"], _volume_facts(p)["h"], _volume_facts(p)["h"]],
        tr(
            "You wrote the depth first ({k} x {h} x {h}, channels-first as in NCHW arrays). Write "
            "the volume as the lecture does, height x width x depth: {h} x {h} x {k}.",
            "깊이를 맨 앞에 썼습니다({k} x {h} x {h}, NCHW 배열처럼 채널이 먼저). 강의처럼 높이 "
            "x 너비 x 깊이 순서로 쓰세요: {h} x {h} x {k}.",
        ),
        tr(
            "height x width x depth = {h} x {h} x {k}",
            "높이 x 너비 x 깊이 = {h} x {h} x {k}",
        ),
    ),
)

_FEATURE_MAP_VOLUME = (
    *_DEPTH,
    Misconception(
        "forgot-plus-one",
        tr("Forgot the +1", "+1을 빠뜨림"),
        lambda p: _with_size(p["n"] - p["f"], p["k"]),
        tr(
            "{n} - {f} = {span} counts the steps, not the positions: {n} - {f} + 1 = {h}, so "
            "the volume is {h} x {h} x {k}.",
            "{n} - {f} = {span}: 걸음 수이지 자리 수가 아닙니다. {n} - {f} + 1 = {h}이므로 "
            "부피는 {h} x {h} x {k}입니다.",
        ),
        tr("{n} - {f} + 1 = {h}", "{n} - {f} + 1 = {h}"),
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
        tr("Average instead of max", "최대 대신 평균")
        if mode == "max"
        else tr("Max instead of average", "평균 대신 최대"),
        lambda p: _pool(p, other),
        tr(
            "Your map holds the average of each window. Max pooling keeps the largest value: "
            "the top-left window ({window}) gives {window_max}, not {window_mean}.",
            "여러분의 맵에는 윈도우마다 평균이 들어 있습니다. 최대 풀링은 가장 큰 값을 남깁니다. "
            "왼쪽 위 윈도우({window})의 값은 평균({window_mean})이 아니라 "
            "최댓값({window_max})입니다.",
        )
        if mode == "max"
        else tr(
            "Your map holds the largest value of each window. Average pooling keeps the "
            "mean: the top-left window ({window}) gives {window_sum} / {cells} = {window_mean}.",
            "여러분의 맵에는 윈도우마다 가장 큰 값이 들어 있습니다. 평균 풀링은 평균을 "
            "남깁니다. 왼쪽 위 윈도우({window}): {window_sum} / {cells} = {window_mean}.",
        ),
        tr("top-left window: max = {window_max}", "왼쪽 위 윈도우: 최댓값 = {window_max}")
        if mode == "max"
        else tr(
            "top-left window: {window_sum} / {cells} = {window_mean}",
            "왼쪽 위 윈도우: {window_sum} / {cells} = {window_mean}",
        ),
    )
    out = [first]
    if mode == "avg":
        out.append(
            Misconception(
                "sum-instead-of-avg",
                tr("Sum instead of average", "평균 대신 합"),
                lambda p: _pool(p, "sum"),
                tr(
                    "Your map holds the sum of each window. Divide by the {cells} cells of the "
                    "window: the top-left window gives {window_sum} / {cells} = {window_mean}.",
                    "여러분의 맵에는 윈도우마다 합이 들어 있습니다. 윈도우의 칸 수 {cells}로 "
                    "나누세요. 왼쪽 위 윈도우: {window_sum} / {cells} = {window_mean}.",
                ),
                tr(
                    "{window_sum} / {cells} = {window_mean}",
                    "{window_sum} / {cells} = {window_mean}",
                ),
            )
        )
    out += [
        Misconception(
            "overlapping-windows",
            tr("Overlapping windows (stride 1)", "겹치는 윈도우(스트라이드 1)"),
            lambda p: _pool(p, mode, stride=1) if p["stride"] > 1 else None,
            tr(
                "Your map moves the window one cell at a time, so the windows overlap. Here the "
                "stride is {stride}: the {size}x{size} windows start every {stride} cells and the "
                "map is {out}x{out}.",
                "여러분의 맵은 윈도우를 한 칸씩 옮겨서 윈도우가 서로 겹칩니다. 여기서는 "
                "스트라이드가 {stride}이므로 {size}x{size} 윈도우가 {stride}칸마다 시작하고, 맵은 "
                "{out}x{out}입니다.",
            ),
            tr(
                "move the window {stride} cells: a {out}x{out} map",
                "윈도우를 {stride}칸씩 옮기세요: {out}x{out} 맵",
            ),
        ),
        Misconception(
            "transposed",
            _TRANSPOSED_TITLE,
            lambda p: _pool(p, mode).T,
            tr(
                "Your map is the right one with rows and columns swapped: the window at row i, "
                "column j of the input goes to row i, column j of the map.",
                "여러분의 맵은 정답 맵의 행과 열을 맞바꾼 것입니다. 입력의 i행 j열에 있는 "
                "윈도우는 맵의 i행 j열로 갑니다.",
            ),
            _TRANSPOSED_STEP,
        ),
    ]
    return tuple(out)


def _whole(size: Any) -> int | None:
    return size if isinstance(size, int) else None


def _pool_size_facts(p: Params) -> dict[str, Any]:
    n, size, s = p["n"], p["size"], p["stride"]
    return {
        **p,
        "formula": size_formula(f"{n} - {size}", s),
        "steps": over_stride(f"{n} - {size}", s),
        "result": size_text(n - size, s),
    }


_POOL_SIZE = (
    Misconception(
        "forgot-plus-one",
        tr("Forgot the +1", "+1을 빠뜨림"),
        lambda p: _fraction_or_size(p["n"] - p["size"], p["stride"], plus=0),
        tr(
            "{steps} = {wrong} counts the steps of the window, not its "
            "positions: {formula} {result}.",
            "{steps} = {wrong}: 윈도우가 움직인 걸음 수이지 윈도우가 놓이는 "
            "자리 수가 아닙니다: {formula} {result}.",
        ),
        tr("{formula} {result}", "{formula} {result}"),
    ),
    Misconception(
        "stride-ignored",
        tr("Stride ignored", "스트라이드를 무시함"),
        lambda p: p["n"] - p["size"] + 1 if p["stride"] > 1 else None,
        tr(
            "{n} - {size} + 1 = {wrong} moves the window one cell at a time. It moves {stride} "
            "cells: {formula} {result}.",
            "{n} - {size} + 1 = {wrong}: 윈도우를 한 칸씩 옮긴 값입니다. 윈도우는 {stride}칸씩 "
            "움직입니다: {formula} {result}.",
        ),
        tr(
            "divide by the stride: {formula} {result}",
            "스트라이드로 나누세요: {formula} {result}",
        ),
    ),
    Misconception(
        "divided-by-size",
        tr(
            "Divided by the window size instead of the stride", "스트라이드 대신 윈도우 크기로 나눔"
        ),
        lambda p: (
            _whole(size_of(p["n"] - p["size"], p["size"])) if p["size"] != p["stride"] else None
        ),
        tr(
            "({n} - {size}) / {size} + 1 divides by the window size. The window moves by the "
            "stride, {stride}: {formula} {result}.",
            "({n} - {size}) / {size} + 1은 윈도우 크기로 나눈 것입니다. 윈도우는 스트라이드 "
            "{stride}만큼 움직입니다: {formula} {result}.",
        ),
        tr(
            "divide by the stride {stride}: {formula} {result}",
            "스트라이드 {stride}(으)로 나누세요: {formula} {result}",
        ),
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
        tr("Forgot the pooling", "풀링을 빠뜨림"),
        lambda p: _flatten_facts(p)["h"] ** 2 * p["k"],
        tr(
            "{h}*{h}*{k} = {wrong} is the volume before pooling. {pool}x{pool} pooling with stride "
            "{pool} divides height and width by {pool}: {h} / {pool} = {q}, so {q}*{q}*{k} = "
            "{right}.",
            "{h}*{h}*{k} = {wrong}: 풀링 전의 부피입니다. 스트라이드 {pool}인 {pool}x{pool} "
            "풀링은 높이와 너비를 {pool}(으)로 나눕니다: {h} / {pool} = {q}, 따라서 {q}*{q}*{k} = "
            "{right}.",
        ),
        tr(
            "pool first: {h} / {pool} = {q}, then {q}*{q}*{k} = {right}",
            "먼저 풀링: {h} / {pool} = {q}, 그다음 {q}*{q}*{k} = {right}",
        ),
    ),
    Misconception(
        "depth-is-input-depth",
        tr("Depth taken from the input", "입력의 깊이를 그대로 씀"),
        lambda p: _flatten_facts(p)["q"] ** 2 * p["c"],
        tr(
            "{q}*{q}*{c} = {wrong} uses the input depth. After the conv layer the depth is the "
            "number of filters, {k}: {q}*{q}*{k} = {right}.",
            "{q}*{q}*{c} = {wrong}: 입력의 깊이를 쓴 값입니다. 합성곱 층을 지나면 깊이는 필터 "
            "수인 {k}입니다: {q}*{q}*{k} = {right}.",
        ),
        tr(
            "depth = number of filters = {k}: {q}*{q}*{k} = {right}",
            "깊이 = 필터 수 = {k}: {q}*{q}*{k} = {right}",
        ),
    ),
    Misconception(
        "forgot-plus-one",
        tr("Forgot the +1", "+1을 빠뜨림"),
        _flatten_plus_one,
        tr(
            "The conv output is {n} - {f} + 1 = {h}, not {n} - {f} (which does not even "
            "split into {pool}x{pool} windows). Then {h} / {pool} = {q} "
            "and {q}*{q}*{k} = {right}.",
            "합성곱의 출력 크기는 {n} - {f} + 1 = {h}입니다. {n} - {f}(으)로 세면 "
            "{pool}x{pool} 윈도우로 나누어떨어지지도 않습니다. 그다음 {h} / {pool} = {q}, "
            "{q}*{q}*{k} = {right}.",
        ),
        tr(
            "conv output: {n} - {f} + 1 = {h}",
            "합성곱 출력: {n} - {f} + 1 = {h}",
        ),
    ),
    Misconception(
        "pooled-one-side",
        tr("Pooled only one side", "한쪽 방향만 풀링함"),
        lambda p: _flatten_facts(p)["h"] * _flatten_facts(p)["q"] * p["k"],
        tr(
            "{h}*{q}*{k} = {wrong} pools only one of height and width. Pooling shrinks both: "
            "{q}*{q}*{k} = {right}.",
            "{h}*{q}*{k} = {wrong}: 높이와 너비 중 한쪽만 풀링한 값입니다. 풀링은 둘 다 "
            "줄입니다: {q}*{q}*{k} = {right}.",
        ),
        tr(
            "pool both height and width: {q}*{q}*{k} = {right}",
            "높이와 너비를 모두 풀링하세요: {q}*{q}*{k} = {right}",
        ),
    ),
)

_SAME_PADDING = (
    Misconception(
        "total-padding",
        tr("Padding counted once instead of twice", "패딩을 두 번이 아니라 한 번만 셈"),
        lambda p: p["f"] - 1,
        tr(
            "{f} - 1 = {wrong} is the total the input must grow by. Padding is added on both "
            "sides, so each side gets ({f} - 1) / 2 = {right}: n + 2*{right} - {f} + 1 = n.",
            "{f} - 1 = {wrong}: 입력이 늘어나야 할 전체 크기입니다. 패딩은 양쪽에 붙으므로 한쪽에 "
            "({f} - 1) / 2 = {right}씩 붙습니다: n + 2*{right} - {f} + 1 = n.",
        ),
        tr("per side: ({f} - 1) / 2 = {right}", "한쪽마다: ({f} - 1) / 2 = {right}"),
    ),
    Misconception(
        "half-filter-rounded-up",
        tr("Half the filter, rounded up", "필터 크기의 절반을 올림함"),
        lambda p: (p["f"] + 1) // 2,
        tr(
            "With pad {wrong} the output is n + 2*{wrong} - {f} + 1 = n + 1: one cell too big. "
            "Solve n + 2*pad - {f} + 1 = n: pad = ({f} - 1) / 2 = {right}.",
            "패딩이 {wrong}이면 출력은 n + 2*{wrong} - {f} + 1 = n + 1로 한 칸 큽니다. "
            "n + 2*pad - {f} + 1 = n을 풀면: pad = ({f} - 1) / 2 = {right}.",
        ),
        tr("pad = ({f} - 1) / 2 = {right}", "한쪽 패딩: pad = ({f} - 1) / 2 = {right}"),
    ),
    Misconception(
        "forgot-plus-one",
        tr("Forgot the +1", "+1을 빠뜨림"),
        lambda p: Fraction(p["f"], 2),
        tr(
            "{f} / 2 = {wrong} solves n + 2*pad - {f} = n, which leaves out the +1 of the output "
            "size. With it: n + 2*pad - {f} + 1 = n, so pad = ({f} - 1) / 2 = {right}.",
            "{f} / 2 = {wrong}: n + 2*pad - {f} = n을 푼 값으로, 출력 크기의 +1이 빠졌습니다. "
            "그것을 넣으면 n + 2*pad - {f} + 1 = n이므로 pad = ({f} - 1) / 2 = {right}.",
        ),
        tr(
            "n + 2*pad - {f} + 1 = n gives pad = ({f} - 1) / 2 = {right}",
            "n + 2*pad - {f} + 1 = n에서 pad = ({f} - 1) / 2 = {right}",
        ),
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
        tr("Forgot the +1", "+1을 빠뜨림"),
        lambda p: _positive(p["n"] - p["layers"] * p["f"]),
        tr(
            "Each layer maps a size s to s - {f} + 1 = s - {shrink}: it shrinks by {f} - 1 "
            "= {shrink}, not {f}. {chain}.",
            "층 하나는 크기 s를 s - {f} + 1 = s - {shrink}로 바꿉니다. 줄어드는 양은 {f}칸이 "
            "아니라 {f} - 1 = {shrink}칸입니다. {chain}.",
        ),
        tr("each layer: s - {f} + 1, so {chain}", "층마다 s - {f} + 1, 따라서 {chain}"),
    ),
    Misconception(
        "single-layer",
        tr("Only one layer applied", "층 하나만 적용함"),
        lambda p: p["n"] - p["f"] + 1 if p["layers"] > 1 else None,
        tr(
            "{n} - {f} + 1 = {wrong} is the size after one layer; there are {layers}, each "
            "shrinking by {shrink}: {chain}.",
            "{n} - {f} + 1 = {wrong}: 층 하나를 지난 뒤의 크기입니다. 층은 {layers}개이고, "
            "층마다 {shrink}씩 줄어듭니다: {chain}.",
        ),
        tr("apply every layer: {chain}", "모든 층을 적용하세요: {chain}"),
    ),
    Misconception(
        "shrink-both-sides",
        tr("Shrink counted on both sides", "줄어드는 양을 양쪽에 셈"),
        lambda p: _positive(p["n"] - 2 * p["layers"] * (p["f"] - 1)),
        tr(
            "A layer without padding loses {f} - 1 = {shrink} cells in total ((f - 1) / 2 on each "
            "side), not {shrink} on each side: {chain}.",
            "패딩 없는 층은 모두 합해 {f} - 1 = {shrink}칸을 잃습니다(양쪽에 (f - 1) / 2씩). "
            "한쪽마다 {shrink}칸이 아닙니다: {chain}.",
        ),
        tr(
            "each layer loses {shrink} in total: {chain}",
            "층마다 모두 합해 {shrink}칸 줄어듭니다: {chain}",
        ),
    ),
)


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipeDiagnosis:
    facts: Callable[[Params], dict[str, Any]]
    misconceptions: tuple[Misconception, ...] = field(default_factory=tuple)


def _registered(tables: Mapping[str, RecipeDiagnosis]) -> dict[str, RecipeDiagnosis]:
    """The built-in tables with each misconception's texts in the catalogue, under
    ``misconception.<recipe>.<key>.<field>``: the stable keys stored feedback names."""
    out = {}
    for recipe, table in tables.items():
        registered = []
        for m in table.misconceptions:
            prefix = f"misconception.{recipe}.{m.key}"
            for name in TEXT_FIELDS:
                templates = getattr(m, name)
                define(f"{prefix}.{name}", templates["en"], templates["ko"])
            registered.append(replace(m, text_key=prefix))
        out[recipe] = replace(table, misconceptions=tuple(registered))
    return out


MISCONCEPTIONS: dict[str, RecipeDiagnosis] = _registered(
    {
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
)


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
) -> tuple[Text, Text]:
    right = recipe.solve(params)
    facts = {
        **table_for(recipe).facts(params),
        **extra,
        "wrong": _answer_text(recipe, wrong),
        "right": _answer_text(recipe, right),
    }
    if recipe.answer == "shape":
        facts["wrong_size"] = fmt(wrong[0])
    return m.text("explanation", facts), m.text("step", facts)


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
    also = tuple((h.key, h.text("title")) for h, _, _ in hits[1:] if h.key != m.key)
    return Diagnosis(m.key, m.text("title"), explanation, step, also).hiding(right)


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
        m.text("title"),
        Text.join([Text(PARTIAL_MATCH, {"explained": explained, "n_wrong": n_wrong}), explanation]),
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
