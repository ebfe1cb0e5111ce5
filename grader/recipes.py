"""Recipes: the named computations behind the number, matrix and shape problems.

A recipe declares its parameters (names are public API: the problem page and the JSON API serve
``params`` exactly so; matrices are lists of lists, volumes (C, H, W)), a default generator range
for each, the lecture's own numbers (``pinned``), and how to compute the right answer with
``grader.reference``. The misconceptions of each recipe live in ``grader.diagnose``.

Generating a variant: ``random.Random(seed)``, calling only ``random()``, whose sequence for a given
integer seed Python guarantees across versions and machines ("random() will continue to produce
the same sequence when the compatible seeder is given the same seed"). Every other draw (an integer
in a range, a choice) is derived here from ``random()`` by plain arithmetic, so neither a Python
upgrade (``randrange``'s algorithm is not guaranteed) nor a NumPy upgrade (``Generator`` methods
may change their streams, NEP 19) can change a student's numbers. Parameters are drawn in the
order the recipe declares them; a combination that does not make a usable problem (a filter larger
than the input, pooling windows that don't tile) or one too easy to teach anything (a 1x1 filter
at stride 1, whose output size is the input's) is redrawn from the same stream.

Problem-spec keys read here (see ``grader.kinds.recipe_kind`` for the rest):

``params``: per-parameter generator, overriding the recipe's default. An integer parameter takes
``{min: 1, max: 7}``, ``{choices: [1, 3, 5]}`` or a bare integer (fixed); an array parameter
takes ``{min: 0, max: 3}`` (the range of its integer cells; its shape is the recipe's).
``pinned``: the variant served when no seed is given; missing names take the recipe's pinned
value (the lecture's example).
``does_not_fit``: for output-size recipes, the share of variants whose geometry does not fit
(default 1/3).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from grader import lecture, reference
from grader.kinds.base import SpecError, Tolerance, check_keys, require_int, require_mapping
from grader.texts import define, tr

#: The answer to an output size whose geometry doesn't fit (the lecture's "doesn't fit!").
DOES_NOT_FIT = "does-not-fit"

#: How feedback tells a student to give ``DOES_NOT_FIT``, in every language. Feedback is written
#: once, at grading, and read on the pages (whose forms have a box, "It does not fit", instead
#: of a word to type) and through the JSON API (which takes the string): it names both.
ANSWER_DOES_NOT_FIT = tr(
    "Answer that it does not fit: tick “It does not fit” in the form, or send "
    '"does-not-fit" through the API.',
    "들어맞지 않는다고 답하세요: 양식에서는 “맞지 않음”에 표시하고, API로는 "
    '"does-not-fit"을 보내세요.',
)


def asking_does_not_fit(en: str, ko: str) -> dict[str, str]:
    """A template in both languages (``grader.texts.tr``) that ends by telling the student to
    answer that it does not fit: the one sentence every such text ends with."""
    return tr(f"{en} {ANSWER_DOES_NOT_FIT['en']}", f"{ko} {ANSWER_DOES_NOT_FIT['ko']}")


#: Redraws allowed before a generator is declared unable to produce a usable variant.
MAX_DRAWS = 2000

AnswerType = Literal["number", "matrix", "shape"]
Params = Mapping[str, Any]


@dataclass(frozen=True)
class IntParam:
    """An integer parameter: default generator ``lo..hi`` (or ``choices``), hard ``limit``."""

    name: str
    lo: int
    hi: int
    pinned: int
    limit: tuple[int, int] = (1, 4096)
    choices: tuple[int, ...] | None = None
    doc: str = ""


@dataclass(frozen=True)
class ArrayParam:
    """An integer array parameter of fixed ``shape`` with cells drawn from ``lo..hi``."""

    name: str
    shape: tuple[int, ...]
    lo: int
    hi: int
    pinned: list[Any]
    limit: tuple[int, int] = (-99, 99)
    doc: str = ""


Param = IntParam | ArrayParam


@dataclass(frozen=True)
class Recipe:
    """One computation. ``solve(params)`` returns an int/float or ``DOES_NOT_FIT`` (number), a
    2-D ndarray (matrix) or a list of ints (shape). ``usable(params)`` returns why a combination
    makes no problem (or None); ``fits(params)`` exists for recipes that may not fit."""

    name: str
    answer: AnswerType
    summary: str
    params: tuple[Param, ...]
    solve: Callable[[Params], Any]
    usable: Callable[[Params], str | None] = lambda p: None
    #: Why a usable variant is too easy to teach anything (the answer is a number of the
    #: statement), or None; such variants are redrawn like unusable ones.
    too_easy: Callable[[Params], str | None] = lambda p: None
    fits: Callable[[Params], bool] | None = None
    does_not_fit_rate: float = 0.0
    tolerance: Tolerance = field(default_factory=lambda: Tolerance(abs=1e-9, rel=1e-9))
    order: str = ""  # shape answers: how the entries are ordered
    #: The misconceptions of a recipe built from a problem's own spec (a formula problem, see
    #: ``grader.kinds.number_formula``): a ``grader.diagnose.RecipeDiagnosis``. The built-in
    #: recipes leave it None and register theirs by name in ``grader.diagnose.MISCONCEPTIONS``.
    diagnosis: Any = None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


# --- drawing ---------------------------------------------------------------------------------


class Draw:
    """Integer draws built only on ``random.Random.random()`` (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)  # noqa: S311 - reproducible exercises, not secrets

    def unit(self) -> float:
        return self._random.random()

    def int(self, lo: int, hi: int) -> int:
        return min(hi, lo + int(self._random.random() * (hi - lo + 1)))

    def choice(self, options: tuple[int, ...]) -> int:
        return options[self.int(0, len(options) - 1)]


@dataclass(frozen=True)
class Generator:
    """A parameter's generator after reading the spec: a range or a set of choices (ints), or a
    cell range (arrays)."""

    lo: int
    hi: int
    choices: tuple[int, ...] | None = None

    def draw(self, draw: Draw, param: Param) -> Any:
        if isinstance(param, ArrayParam):
            cells = [draw.int(self.lo, self.hi) for _ in range(int(np.prod(param.shape)))]
            return np.array(cells, dtype=np.int64).reshape(param.shape).tolist()
        if self.choices is not None:
            return draw.choice(self.choices)
        return draw.int(self.lo, self.hi)


def default_generators(recipe: Recipe) -> dict[str, Generator]:
    return {
        p.name: Generator(p.lo, p.hi, getattr(p, "choices", None) or None) for p in recipe.params
    }


def read_generators(recipe: Recipe, value: Any, path: str = "params") -> dict[str, Generator]:
    """The spec's ``params`` merged over the recipe's defaults; SpecError with a path on error."""
    gens = default_generators(recipe)
    if value is None:
        return gens
    mapping = require_mapping(value, path)
    check_keys(mapping, {p.name for p in recipe.params}, path)
    for name, raw in mapping.items():
        param = recipe.param(name)
        where = f"{path}.{name}"
        lo_lim, hi_lim = param.limit
        if isinstance(param, IntParam) and not isinstance(raw, Mapping):
            fixed = require_int(raw, where, lo_lim, hi_lim)
            gens[name] = Generator(fixed, fixed)
            continue
        raw = require_mapping(raw, where)
        if isinstance(param, IntParam) and "choices" in raw:
            check_keys(raw, {"choices"}, where)
            choices = raw["choices"]
            if not isinstance(choices, list) or not choices:
                raise SpecError(f"{where}.choices", "expected a non-empty list of integers")
            picked = tuple(
                require_int(c, f"{where}.choices[{i}]", lo_lim, hi_lim)
                for i, c in enumerate(choices)
            )
            gens[name] = Generator(min(picked), max(picked), picked)
            continue
        check_keys(
            raw, {"min", "max"} | ({"choices"} if isinstance(param, IntParam) else set()), where
        )
        base = gens[name]
        lo = require_int(raw.get("min", base.lo), f"{where}.min", lo_lim, hi_lim)
        hi = require_int(raw.get("max", base.hi), f"{where}.max", lo_lim, hi_lim)
        if lo > hi:
            raise SpecError(where, f"min ({lo}) is larger than max ({hi})")
        if base.choices is None:
            gens[name] = Generator(lo, hi)
            continue
        # the recipe's default choices (e.g. odd filter sizes), narrowed to the range
        kept = tuple(c for c in base.choices if lo <= c <= hi)
        if not kept:
            raise SpecError(where, f"none of the default choices {list(base.choices)} is in range")
        gens[name] = Generator(min(kept), max(kept), kept)
    return gens


def _sample(
    recipe: Recipe, gens: Mapping[str, Generator], draw: Draw, want_fit: bool | None
) -> dict[str, Any] | None:
    for _ in range(MAX_DRAWS):
        params = {p.name: gens[p.name].draw(draw, p) for p in recipe.params}
        if recipe.usable(params) is not None or recipe.too_easy(params) is not None:
            continue
        if want_fit is not None and recipe.fits is not None and recipe.fits(params) != want_fit:
            continue
        return params
    return None


def generate_params(
    recipe: Recipe, gens: Mapping[str, Generator], seed: int, does_not_fit_rate: float
) -> dict[str, Any]:
    """One variant. For recipes that may not fit, the first draw decides (with probability
    ``does_not_fit_rate``) whether this variant fits; if the ranges cannot give that outcome the
    other one is served rather than failing a student."""
    draw = Draw(seed)
    want_fit: bool | None = None
    if recipe.fits is not None:
        want_fit = draw.unit() >= does_not_fit_rate
    params = _sample(recipe, gens, draw, want_fit)
    if params is None and want_fit is not None:
        params = _sample(recipe, gens, draw, not want_fit)
    if params is None:
        raise SpecError("params", f"no usable {recipe.name} variant in {MAX_DRAWS} draws")
    return params


def check_generators(recipe: Recipe, gens: Mapping[str, Generator], rate: float) -> None:
    """Fail at import, not in front of a student, when the ranges give no usable variant (or
    never the fit/does-not-fit outcome the rate asks for)."""
    outcomes: list[bool | None] = [None]
    if recipe.fits is not None:
        outcomes = ([True] if rate < 1 else []) + ([False] if rate > 0 else [])
    for outcome in outcomes:
        if _sample(recipe, gens, Draw(0), outcome) is None:
            what = {None: "usable", True: "fitting", False: "non-fitting"}[outcome]
            raise SpecError(
                "params", f"these ranges give no {what} {recipe.name} variant ({MAX_DRAWS} draws)"
            )


def check_params(recipe: Recipe, value: Any, path: str) -> dict[str, Any]:
    """Validate a full params mapping (pinned, or stored with a submission)."""
    mapping = require_mapping(value, path)
    check_keys(mapping, {p.name for p in recipe.params}, path)
    out: dict[str, Any] = {}
    for p in recipe.params:
        where = f"{path}.{p.name}"
        if p.name not in mapping:
            raise SpecError(where, "missing")
        raw = mapping[p.name]
        if isinstance(p, IntParam):
            out[p.name] = require_int(raw, where, *p.limit)
            continue
        try:
            array = np.array(raw, dtype=object)
        except ValueError as exc:  # ragged nesting
            raise SpecError(where, f"expected a {_shape_text(p.shape)} array: {exc}") from None
        if array.shape != p.shape:
            raise SpecError(where, f"expected shape {_shape_text(p.shape)}, got {array.shape}")
        for index, cell in np.ndenumerate(array):
            require_int(cell, f"{where}{list(index)}", *p.limit)
        out[p.name] = array.astype(np.int64).tolist()
    reason = recipe.usable(out)
    if reason is not None:
        raise SpecError(path, reason)
    return out


def read_pinned(recipe: Recipe, value: Any, path: str = "pinned") -> dict[str, Any]:
    pinned = {p.name: p.pinned for p in recipe.params}
    if value is not None:
        mapping = require_mapping(value, path)
        check_keys(mapping, set(pinned), path)
        pinned.update(mapping)
    return check_params(recipe, pinned, path)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape) if len(shape) == 2 else str(shape)


def json_number(value: Any) -> int | float:
    """An int when the value is integral (the lecture's numbers read 6, not 6.0)."""
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def expected_answer(recipe: Recipe, params: Params) -> Any:
    """The JSON-ready right answer."""
    result = recipe.solve(params)
    if recipe.answer == "matrix":
        return [[json_number(v) for v in row] for row in np.asarray(result, dtype=float)]
    if recipe.answer == "shape":
        return [int(v) for v in result]
    return result if result == DOES_NOT_FIT else json_number(result)


# --- the recipes -----------------------------------------------------------------------------

# The lecture's own arrays (one source: grader.lecture), as the JSON lists params are served in.
LECTURE_X = lecture.LECTURE_INPUT_7x7.astype(int).tolist()
LECTURE_W = lecture.LECTURE_FILTER_3x3.astype(int).tolist()
LECTURE_X3 = lecture.LECTURE_CHANNELS_3x7x7.astype(int).tolist()
LECTURE_W3 = lecture.LECTURE_FILTERS_3x3x3.astype(int).tolist()
#: The max-pooling slide's single depth slice (cs231n's picture, which the lecture shows).
LECTURE_POOL_X = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def arr(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def conv_fits(n: int, f: int, stride: int, pad: int = 0) -> bool:
    """The lecture's test: (n + 2*pad - f) / stride + 1 is a whole number (and f fits at all)."""
    span = n + 2 * pad - f
    return span >= 0 and span % stride == 0


def _size_or_dnf(n: int, f: int, stride: int, pad: int = 0) -> int | str:
    if not conv_fits(n, f, stride, pad):
        return DOES_NOT_FIT
    return reference.conv_output_size(n, f, stride, pad)


def _filter_within(n_key: str, f_key: str = "f", pad_key: str | None = None) -> Callable:
    def usable(p: Params) -> str | None:
        pad = p[pad_key] if pad_key else 0
        if p[f_key] > p[n_key] + 2 * pad:
            return f"the filter ({p[f_key]}) is larger than the padded input ({p[n_key] + 2 * pad})"
        return None

    return usable


def _size_too_easy(stride_key: str | None = "stride", pad_key: str | None = None) -> Callable:
    """An output-size variant whose answer is in the statement: a 1x1 filter at stride 1 with
    no padding (the size is unchanged), or a filter as large as the padded input (size 1)."""

    def too_easy(p: Params) -> str | None:
        stride = p[stride_key] if stride_key else 1
        pad = p[pad_key] if pad_key else 0
        if p["f"] == 1 and stride == 1 and pad == 0:
            return "a 1x1 filter at stride 1 without padding leaves the size unchanged"
        if p["f"] == p["n"] + 2 * pad:
            return "the filter covers the whole input: one position"
        return None

    return too_easy


def _pool_usable(p: Params) -> str | None:
    if p["size"] > 4 or not conv_fits(4, p["size"], p["stride"]):
        return f"a {p['size']}x{p['size']} window at stride {p['stride']} does not tile a 4x4 input"
    return None


def _conv_single_usable(p: Params) -> str | None:
    if not conv_fits(7, 3, p["stride"]):
        return f"a 3x3 filter at stride {p['stride']} doesn't fit a 7x7 input"
    return None


def _shrinking_usable(p: Params) -> str | None:
    if p["n"] - p["layers"] * (p["f"] - 1) < 1:
        return f"{p['layers']} layers of {p['f']}x{p['f']} filters shrink {p['n']} below 1"
    return None


def _conv_volume_usable(p: Params) -> str | None:
    if not conv_fits(p["n"], p["f"], p["stride"], p["pad"]):
        return (
            f"({p['n']} + 2*{p['pad']} - {p['f']}) / {p['stride']} + 1 is not a whole number: "
            "the output volume needs a geometry that fits"
        )
    return None


def _flatten_usable(p: Params) -> str | None:
    if p["f"] > p["n"]:
        return f"the filter ({p['f']}) is larger than the input ({p['n']})"
    h = p["n"] - p["f"] + 1
    if h % p["pool"]:
        return f"the {h}x{h} feature map does not split into {p['pool']}x{p['pool']} windows"
    return None


def _same_padding_usable(p: Params) -> str | None:
    return None if p["f"] % 2 else f"an even filter ({p['f']}) has no symmetric same padding"


def _pool_size_usable(p: Params) -> str | None:
    if not conv_fits(p["n"], p["size"], p["stride"]):
        return f"a {p['size']}-wide window at stride {p['stride']} does not tile {p['n']}"
    return None


def _conv3(p: Params) -> np.ndarray:
    x = arr(p["x"])[None]
    w = arr(p["w"])[None]
    return reference.conv2d(x, w, np.array([float(p["b"])]))[0, 0]


def _shrink(p: Params) -> int:
    size = p["n"]
    for _ in range(p["layers"]):
        size = reference.conv_output_size(size, p["f"])
    return size


def _flatten(p: Params) -> int:
    h = reference.conv_output_size(p["n"], p["f"])
    pooled = reference.pool_output_size(h, p["pool"], p["pool"])
    return pooled * pooled * p["k"]


def _volume(p: Params) -> list[int]:
    h = reference.conv_output_size(p["n"], p["f"], p["stride"], p["pad"])
    return [h, h, p["k"]]


_N = IntParam("n", 5, 32, 7, (1, 1024), doc="input height = width")
_F = IntParam("f", 1, 7, 3, (1, 64), doc="filter height = width")
_STRIDE = IntParam("stride", 1, 3, 1, (1, 16))
_ODD_F = IntParam("f", 1, 7, 5, (1, 64), choices=(1, 3, 5, 7))
_VOLUME = "height x width x depth"

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe(
            "dot-product-3x3",
            "number",
            "one output cell: the sum of patch * filter over a 3x3 window",
            (
                ArrayParam("patch", (3, 3), 0, 3, [row[:3] for row in LECTURE_X[:3]]),
                ArrayParam("filter", (3, 3), -1, 1, LECTURE_W),
            ),
            lambda p: float(np.sum(arr(p["patch"]) * arr(p["filter"]))),
        ),
        Recipe(
            "dot-product-27",
            "number",
            "a 3x3x3 filter on a 3x3x3 patch: the 27-dimensional dot product plus the bias",
            (
                ArrayParam("patch", (3, 3, 3), 0, 3, [[r[:3] for r in c[:3]] for c in LECTURE_X3]),
                ArrayParam("filter", (3, 3, 3), -1, 1, LECTURE_W3),
                IntParam("bias", -3, 3, 0, (-100, 100)),
            ),
            lambda p: float(np.sum(arr(p["patch"]) * arr(p["filter"])) + p["bias"]),
        ),
        Recipe(
            "conv-single-channel",
            "matrix",
            "the feature map of a 3x3 filter over a 7x7 input",
            (
                ArrayParam("x", (7, 7), 0, 3, LECTURE_X),
                ArrayParam("w", (3, 3), -1, 1, LECTURE_W),
                IntParam("stride", 1, 2, 1, (1, 16)),
            ),
            lambda p: reference.conv2d_single(arr(p["x"]), arr(p["w"]), stride=p["stride"]),
            usable=_conv_single_usable,
        ),
        Recipe(
            "conv-three-channels",
            "matrix",
            "one 3x3x3 filter over a 3-channel 7x7 input: the summed map plus the bias",
            (
                ArrayParam("x", (3, 7, 7), 0, 3, LECTURE_X3),
                ArrayParam("w", (3, 3, 3), -1, 1, LECTURE_W3),
                IntParam("b", -3, 3, 0, (-100, 100)),
            ),
            _conv3,
        ),
        Recipe(
            "output-size-stride",
            "number",
            "the output size (n - f) / stride + 1, or that it does not fit",
            (_N, _F, IntParam("stride", 1, 4, 3, (1, 16))),
            lambda p: _size_or_dnf(p["n"], p["f"], p["stride"]),
            usable=_filter_within("n"),
            too_easy=_size_too_easy(),
            fits=lambda p: conv_fits(p["n"], p["f"], p["stride"]),
            does_not_fit_rate=1 / 3,
        ),
        Recipe(
            "output-size-padding",
            "number",
            "the output size (n + 2*pad - f) / stride + 1, or that it does not fit",
            (_N, _F, _STRIDE, IntParam("pad", 0, 3, 1, (0, 32))),
            lambda p: _size_or_dnf(p["n"], p["f"], p["stride"], p["pad"]),
            usable=_filter_within("n", pad_key="pad"),
            too_easy=_size_too_easy(pad_key="pad"),
            fits=lambda p: conv_fits(p["n"], p["f"], p["stride"], p["pad"]),
            does_not_fit_rate=1 / 3,
        ),
        Recipe(
            "same-padding",
            "number",
            "the zero padding that keeps the size at stride 1: (f - 1) / 2",
            (IntParam("f", 1, 11, 3, (1, 63), choices=(1, 3, 5, 7, 9, 11)),),
            lambda p: reference.same_padding(p["f"]),
            usable=_same_padding_usable,
            too_easy=lambda p: "a 1x1 filter needs no padding" if p["f"] == 1 else None,
        ),
        Recipe(
            "shrinking-volumes",
            "number",
            "the size after several unpadded stride-1 layers",
            (
                IntParam("n", 16, 64, 32, (1, 4096)),
                IntParam("f", 3, 7, 5, (1, 64), choices=(3, 5, 7)),
                IntParam("layers", 1, 4, 2, (1, 64)),
            ),
            _shrink,
            usable=_shrinking_usable,
        ),
        Recipe(
            "feature-map-volume",
            "shape",
            "k filters of f x f x c at stride 1, no padding: the output volume",
            (
                IntParam("n", 5, 64, 32, (1, 4096)),
                IntParam("c", 1, 16, 3, (1, 4096)),
                _ODD_F,
                IntParam("k", 1, 64, 6, (1, 4096)),
            ),
            lambda p: _volume({**p, "stride": 1, "pad": 0}),
            usable=_filter_within("n"),
            too_easy=_size_too_easy(stride_key=None),
            order=_VOLUME,
        ),
        Recipe(
            "conv-layer-params",
            "number",
            "learnable parameters of k filters of f x f x c, one bias each",
            (
                IntParam("c", 1, 16, 3, (1, 4096)),
                _ODD_F,
                IntParam("k", 1, 64, 10, (1, 4096)),
            ),
            lambda p: reference.conv_params(p["c"], p["k"], p["f"]),
        ),
        Recipe(
            "conv-layer-params-in-volume",
            "number",
            "learnable parameters of a conv layer, the input volume and geometry given",
            (
                IntParam("n", 8, 64, 32, (1, 4096)),
                IntParam("c", 1, 16, 3, (1, 4096)),
                _ODD_F,
                IntParam("k", 1, 64, 10, (1, 4096)),
                IntParam("stride", 1, 2, 1, (1, 16)),
                IntParam("pad", 0, 3, 2, (0, 32)),
            ),
            lambda p: reference.conv_params(p["c"], p["k"], p["f"]),
            usable=_conv_volume_usable,
        ),
        Recipe(
            "conv-layer-output-volume",
            "shape",
            "k filters of f x f x c with stride and zero padding: the output volume",
            (
                IntParam("n", 5, 64, 32, (1, 4096)),
                IntParam("c", 1, 16, 3, (1, 4096)),
                _ODD_F,
                IntParam("k", 1, 64, 10, (1, 4096)),
                IntParam("stride", 1, 3, 1, (1, 16)),
                IntParam("pad", 0, 3, 2, (0, 32)),
            ),
            _volume,
            usable=_conv_volume_usable,
            too_easy=_size_too_easy(pad_key="pad"),
            order=_VOLUME,
        ),
        Recipe(
            "max-pool",
            "matrix",
            "max pooling of a 4x4 slice",
            (
                ArrayParam("x", (4, 4), 0, 9, LECTURE_POOL_X),
                IntParam("size", 2, 3, 2, (1, 4)),
                IntParam("stride", 1, 2, 2, (1, 4)),
            ),
            lambda p: reference.max_pool2d(arr(p["x"])[None, None], p["size"], p["stride"])[0, 0],
            usable=_pool_usable,
        ),
        Recipe(
            "avg-pool",
            "matrix",
            "average pooling of a 4x4 slice",
            (
                ArrayParam("x", (4, 4), 0, 9, LECTURE_POOL_X),
                IntParam("size", 2, 3, 2, (1, 4)),
                IntParam("stride", 1, 2, 2, (1, 4)),
            ),
            lambda p: reference.avg_pool2d(arr(p["x"])[None, None], p["size"], p["stride"])[0, 0],
            usable=_pool_usable,
            # averages of 9 cells are repeating decimals: two decimals are enough by hand
            tolerance=Tolerance(abs=0.006, rel=0.0),
        ),
        Recipe(
            "pool-output-size",
            "number",
            "the pooled size (n - size) / stride + 1",
            (
                IntParam("n", 4, 64, 224, (1, 4096)),
                IntParam("size", 2, 3, 2, (1, 16)),
                IntParam("stride", 1, 3, 2, (1, 16)),
            ),
            lambda p: reference.pool_output_size(p["n"], p["size"], p["stride"]),
            usable=_pool_size_usable,
        ),
        Recipe(
            "flatten-size",
            "number",
            "the length after a stride-1 unpadded conv, pool (size = stride = pool), flatten",
            (
                IntParam("n", 8, 64, 32, (1, 4096)),
                IntParam("c", 1, 8, 3, (1, 4096)),
                IntParam("f", 1, 5, 5, (1, 64), choices=(1, 3, 5)),
                IntParam("k", 1, 32, 6, (1, 4096)),
                IntParam("pool", 2, 3, 2, (1, 16), choices=(2, 3)),
            ),
            _flatten,
            usable=_flatten_usable,
            too_easy=_size_too_easy(stride_key=None),
        ),
        Recipe(
            "fc-layer-params",
            "number",
            "learnable parameters of a fully connected layer, one bias per output",
            (
                IntParam("inputs", 2, 2048, 1176, (1, 10**7)),
                IntParam("outputs", 1, 100, 10, (1, 10**6)),
            ),
            lambda p: reference.linear_params(p["inputs"], p["outputs"]),
        ),
    ]
}


def get_recipe(name: Any, path: str = "recipe") -> Recipe:
    if not isinstance(name, str) or name not in RECIPES:
        raise SpecError(path, f"unknown recipe {name!r}; known: {', '.join(sorted(RECIPES))}")
    return RECIPES[name]


#: Each recipe's summary in Korean (the number kind's "go through it again" names it).
SUMMARIES_KO = {
    "dot-product-3x3": "출력 칸 하나: 3x3 윈도우에서 패치 * 필터를 모두 더한 값",
    "dot-product-27": "3x3x3 패치 위의 3x3x3 필터: 27차원 내적에 편향을 더한 값",
    "conv-single-channel": "7x7 입력 위를 지나는 3x3 필터의 특성 맵",
    "conv-three-channels": (
        "채널 3개인 7x7 입력 위의 3x3x3 필터 하나: 채널을 더한 맵에 편향을 더한 것"
    ),
    "output-size-stride": "출력 크기 (n - f) / stride + 1, 또는 들어맞지 않음",
    "output-size-padding": "출력 크기 (n + 2*pad - f) / stride + 1, 또는 들어맞지 않음",
    "same-padding": "스트라이드 1에서 크기를 그대로 두는 제로 패딩: (f - 1) / 2",
    "shrinking-volumes": "패딩 없는 스트라이드 1 층을 여러 번 지난 뒤의 크기",
    "feature-map-volume": "스트라이드 1, 패딩 없이 f x f x c 필터 k개를 적용한 출력 부피",
    "conv-layer-params": "f x f x c 필터 k개의 학습 파라미터, 필터마다 편향 하나",
    "conv-layer-params-in-volume": "입력 부피와 크기 조건이 주어진 합성곱 층의 학습 파라미터",
    "conv-layer-output-volume": "스트라이드와 제로 패딩이 있는 f x f x c 필터 k개의 출력 부피",
    "max-pool": "4x4 슬라이스의 최대 풀링",
    "avg-pool": "4x4 슬라이스의 평균 풀링",
    "pool-output-size": "풀링한 크기 (n - size) / stride + 1",
    "flatten-size": "스트라이드 1, 패딩 없는 합성곱, 풀링(size = stride = pool), 평탄화 뒤의 길이",
    "fc-layer-params": "완전 연결 층의 학습 파라미터, 출력마다 편향 하나",
}


def summary_key(name: str) -> str:
    """The catalogue key of a built-in recipe's summary (``grader.texts``)."""
    return f"recipe.{name}.summary"


def _define_summaries() -> None:
    for name, recipe in RECIPES.items():
        define(summary_key(name), recipe.summary, SUMMARIES_KO[name])


_define_summaries()
