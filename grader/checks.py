"""Compare a student's array with the reference, outside any sandbox.

The sandbox returns a student's output as ``.npy`` bytes; the worker loads it and calls
``compare_arrays(got, expected)``. The checks run in the order a student can act on them:

1. ``type``: an ``numpy.ndarray`` (or a plain number for a 0-d answer); not ``np.matrix`` (whose
   ``*`` is a matrix product and whose rows stay 2-D), not an object array.
2. ``shape``: with a hint when the mismatch has a known cause (NHWC instead of NCHW, padding
   missing or doubled, stride ignored, transposed, a missing or extra axis).
3. ``dtype``: a real integer or floating dtype; bool, complex, strings and dates are rejected.
4. ``finite``: the first NaN or infinity is named with its position.
5. ``values``: ``|got - expected| <= atol + rtol * scale``.

Tolerance: by default ``scale = max(1, max|expected|)`` (one scale for the whole array) rather than
NumPy's elementwise ``|expected|``. Rounding error in a convolution grows with the size of the
summands, not of the result, so an output cell that is near 0 because positive and negative
products cancel carries the same absolute error as its neighbours; an elementwise relative test
fails correct float32 work there. The measured float32 error is <= 9.1e-7 relative to max|ref|,
so ``rtol=1e-5`` accepts float32 with a wide margin; pass ``rtol=1e-10`` to insist on float64.
``scale="elementwise"`` gives ``np.allclose`` semantics.

``diagnose_array`` then says which known mistake the student's output matches, using the
variant arrays that ``conv2d_variants`` and ``pool_variants`` compute from the same inputs with
the same (reference) code, so code problems get the same teaching feedback as the quick kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from grader import reference
from grader.texts import Text, define

Stage = Literal["type", "shape", "dtype", "finite", "values"]

#: Largest diff map handed to a page (rows, columns); larger maps are windowed around the
#: first mismatch so the heat map stays readable and the feedback small.
DIFF_MAP_MAX = 64


@dataclass(frozen=True)
class ArrayCheck:
    """The outcome of ``compare_arrays``.

    ok: every stage passed. stage: the stage that failed, or ``"values"`` (the last one) when ok.
    message: "got ..., expected ..." with a hint where one is known.
    max_abs_diff: max |got - expected| when the values were compared, else None.
    diff_map: |got - expected| over the 2-D slice (the first mismatching channel) holding the
        first wrong element, at most ``DIFF_MAP_MAX`` square; ``diff_map_origin`` is the (row,
        column) of its top-left cell in that slice, ``diff_map_slice`` the leading indices (e.g.
        ``(n, c)`` for NCHW) that select the slice.
    mismatch_index: the first wrong element (C order) as a tuple; mismatch_count: how many.
    """

    ok: bool
    message: str
    stage: Stage
    max_abs_diff: float | None = None
    diff_map: list[list[float]] | None = None
    diff_map_origin: tuple[int, int] | None = None
    diff_map_slice: tuple[int, ...] | None = None
    mismatch_index: tuple[int, ...] | None = None
    mismatch_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (tuples become lists) for ``TestOutcome.data``."""
        data = asdict(self)
        for key in ("diff_map_origin", "diff_map_slice", "mismatch_index"):
            if data[key] is not None:
                data[key] = list(data[key])
        return data


_MATRIX = define(
    "check.type.matrix",
    "{name}: got numpy.matrix, expected numpy.ndarray: use np.asarray(...) "
    "(np.matrix changes what * means and keeps every row 2-D)",
    "{name}: numpy.ndarray가 와야 하는데 numpy.matrix가 왔습니다. np.asarray(...)를 쓰세요 "
    "(np.matrix에서는 *의 뜻이 달라지고 모든 행이 2차원으로 남습니다)",
)
_NONE = define(
    "check.type.none",
    "{name}: got None, expected numpy.ndarray: is a return missing?",
    "{name}: numpy.ndarray가 와야 하는데 None이 왔습니다. return을 빠뜨리지 않았나요?",
)
_WRONG_TYPE = define(
    "check.type.other",
    "{name}: got {type}, expected numpy.ndarray",
    "{name}: numpy.ndarray가 와야 하는데 {type}이(가) 왔습니다",
)
_WRONG_TYPE_LIST = define(
    "check.type.list",
    "{name}: got {type}, expected numpy.ndarray: wrap it in np.array(...)",
    "{name}: numpy.ndarray가 와야 하는데 {type}이(가) 왔습니다. np.array(...)로 감싸세요",
)
_OBJECTS = define(
    "check.type.objects",
    "{name}: got an array of Python objects (dtype=object), expected numbers: "
    "are some rows of different lengths?",
    "{name}: 숫자 배열이 와야 하는데 파이썬 객체 배열(dtype=object)이 왔습니다. "
    "길이가 다른 행이 섞여 있지 않나요?",
)
_SHAPE = define(
    "check.shape",
    "{name}: got shape {got}, expected {expected}",
    "{name}: 모양이 {got}입니다(기대한 모양: {expected})",
)
_SHAPE_HINT = define(
    "check.shape.hint",
    "{name}: got shape {got}, expected {expected}: {hint}",
    "{name}: 모양이 {got}입니다(기대한 모양: {expected}): {hint}",
)
_HINTS = {
    "batch": define(
        "check.hint.batch", "is the batch axis N missing?", "배치 축 N이 빠지지 않았나요?"
    ),
    "unit-axis": define(
        "check.hint.unit-axis",
        "an axis of size 1 is missing or extra (check squeeze / keepdims)",
        "크기 1인 축이 빠졌거나 하나 더 있습니다(squeeze / keepdims를 확인하세요)",
    ),
    "axes": define("check.hint.axes", "expected {count} axes", "축이 {count}개여야 합니다"),
    "axes-nchw": define(
        "check.hint.axes-nchw",
        "expected {count} axes (N, C, H, W)",
        "축이 {count}개(N, C, H, W)여야 합니다",
    ),
    "nhwc": define(
        "check.hint.nhwc",
        "the channels are last (NHWC); expected NCHW (N, C, H, W)",
        "채널이 마지막 축에 있습니다(NHWC). NCHW (N, C, H, W) 순서여야 합니다",
    ),
    "swapped": define(
        "check.hint.swapped",
        "height and width are swapped: is the result transposed?",
        "높이와 너비가 바뀌었습니다. 결과를 전치하지 않았나요?",
    ),
    "no-padding": define("check.hint.no-padding", "is padding missing?", "패딩이 빠지지 않았나요?"),
    "double-padding": define(
        "check.hint.double-padding",
        "padding is counted twice, or applied where none was asked?",
        "패딩을 두 번 셌거나, 패딩이 없는 곳에 패딩을 넣지 않았나요?",
    ),
    "stride-moved": define(
        "check.hint.stride-moved",
        "is the stride ignored (the window moved one step at a time)?",
        "스트라이드를 무시하지 않았나요(윈도우가 한 칸씩 움직였습니다)?",
    ),
    "stride": define(
        "check.hint.stride", "is the stride ignored?", "스트라이드를 무시하지 않았나요?"
    ),
    "plus-one-twice": define(
        "check.hint.plus-one-twice",
        "one row and one column too many: is the +1 counted twice?",
        "행과 열이 하나씩 많습니다. +1을 두 번 세지 않았나요?",
    ),
    "plus-one-missing": define(
        "check.hint.plus-one-missing",
        "one row and one column short: is the +1 of (n - f) / stride + 1 missing?",
        "행과 열이 하나씩 모자랍니다. (n - f) / stride + 1의 +1을 빠뜨리지 않았나요?",
    ),
    "order": define(
        "check.hint.order",
        "the same axes in a different order: is the result transposed?",
        "축은 같은데 순서가 다릅니다. 결과를 전치하지 않았나요?",
    ),
}
_DTYPE_WHAT = {
    "b": define("check.dtype.b", "booleans", "불리언"),
    "c": define("check.dtype.c", "complex numbers", "복소수"),
    "U": define("check.dtype.U", "strings", "문자열"),
    "S": define("check.dtype.S", "bytes", "바이트"),
    "M": define("check.dtype.M", "dates", "날짜"),
    "m": define("check.dtype.m", "time deltas", "시간 간격"),
}
_DTYPE_OTHER = define("check.dtype.other", "non-numeric values", "숫자가 아닌 값")
_DTYPE = define(
    "check.dtype",
    "{name}: got dtype {dtype} ({what}), expected a real number dtype such as {example}",
    "{name}: 실수 dtype(예: {example})이어야 하는데 dtype {dtype}({what})입니다",
)
_NON_FINITE = define(
    "check.finite",
    "{name}: got {what} at {first} ({count} non-finite values), expected finite numbers",
    "{name}: {first} 위치에 {what} 값이 있습니다(유한하지 않은 값 {count}개). "
    "유한한 숫자여야 합니다",
)
_NON_FINITE_ONE = define(
    "check.finite.one",
    "{name}: got {what} at {first} ({count} non-finite value), expected finite numbers",
    "{name}: {first} 위치에 {what} 값이 있습니다(유한하지 않은 값 {count}개). "
    "유한한 숫자여야 합니다",
)
_MATCH = define("check.values.ok", "{name}: all values match", "{name}: 모든 값이 맞습니다")
_VALUES = define(
    "check.values",
    "{name}: {count} of {size} values differ; first at {first}: got {got}, expected {expected} "
    "(max |got - expected| = {max_diff})",
    "{name}: 값 {size}개 가운데 {count}개가 다릅니다. 처음 다른 곳은 {first}: {got}입니다"
    "(기대한 값: {expected}) (max |got - expected| = {max_diff})",
)


def _fail(stage: Stage, message: str, **extra: Any) -> ArrayCheck:
    return ArrayCheck(ok=False, message=message, stage=stage, **extra)


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _as_array(got: Any, name: str) -> np.ndarray | ArrayCheck:
    """The type stage: returns the array, or the failed check."""
    if isinstance(got, np.matrix):
        return _fail("type", Text(_MATRIX, {"name": name}))
    if isinstance(got, np.ndarray):
        array = got
    elif isinstance(got, np.generic) or (
        isinstance(got, int | float) and not isinstance(got, bool)
    ):
        array = np.asarray(got)
    elif got is None:
        return _fail("type", Text(_NONE, {"name": name}))
    else:
        key = _WRONG_TYPE_LIST if isinstance(got, list | tuple) else _WRONG_TYPE
        return _fail("type", Text(key, {"name": name, "type": _type_name(got)}))
    if array.dtype == object:
        return _fail("type", Text(_OBJECTS, {"name": name}))
    return array


def _shape_hint(got: tuple[int, ...], exp: tuple[int, ...], context: Mapping[str, int]) -> str:
    """Why the shapes might differ, from the shapes alone (plus optional pad/stride/size): a
    text, or "" when no cause is known."""
    hint = _shape_hint_key(got, exp, context)
    if hint is None:
        return ""
    key, facts = hint
    return Text(_HINTS[key], facts)


def _shape_hint_key(
    got: tuple[int, ...], exp: tuple[int, ...], context: Mapping[str, int]
) -> tuple[str, dict[str, Any]] | None:
    if len(got) != len(exp):
        if got == exp[1:]:
            return "batch", {}
        if tuple(d for d in got if d != 1) == tuple(d for d in exp if d != 1):
            return "unit-axis", {}
        return ("axes-nchw" if len(exp) == 4 else "axes"), {"count": len(exp)}
    if len(exp) == 4 and got == (exp[0], exp[2], exp[3], exp[1]) and got != exp:
        return "nhwc", {}
    if len(exp) >= 2 and got[:-2] == exp[:-2]:
        gh, gw = got[-2:]
        eh, ew = exp[-2:]
        if (gh, gw) == (ew, eh):
            return "swapped", {}
        dh, dw = gh - eh, gw - ew
        pad = context.get("pad")
        if dh == dw and dh < 0 and dh % 2 == 0 and (pad is None or -dh == 2 * pad):
            return "no-padding", {}
        if dh == dw and dh > 0 and dh % 2 == 0 and pad is not None and dh == 2 * pad:
            return "double-padding", {}
        stride = context.get("stride")
        if dh > 0 and dw > 0 and eh > 1 and ew > 1:
            sh, rh = divmod(gh - 1, eh - 1)
            sw, rw = divmod(gw - 1, ew - 1)
            if rh == rw == 0 and sh == sw > 1 and (stride is None or stride == sh):
                return "stride-moved", {}
            if stride is not None and stride > 1:
                return "stride", {}
        if dh == dw == 1:
            return "plus-one-twice", {}
        if dh == dw == -1:
            return "plus-one-missing", {}
    if sorted(got) == sorted(exp):
        return "order", {}
    return None


def compare_arrays(
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    name: str = "output",
    scale: Literal["max", "elementwise"] = "max",
    context: Mapping[str, int] | None = None,
) -> ArrayCheck:
    """Check ``got`` against the reference ``expected``: type, shape, dtype, finite, values.

    ``context`` may give the problem's ``pad``, ``stride`` or ``size`` to sharpen shape hints.
    Never raises on a bad ``got``; ``expected`` is trusted (it comes from the reference).
    """
    exp = np.asarray(expected)
    checked = _as_array(got, name)
    if isinstance(checked, ArrayCheck):
        return checked
    array = checked
    if array.shape != exp.shape:
        hint = _shape_hint(array.shape, exp.shape, context or {})
        shapes = {"name": name, "got": str(array.shape), "expected": str(exp.shape)}
        if hint:
            return _fail("shape", Text(_SHAPE_HINT, {**shapes, "hint": hint}))
        return _fail("shape", Text(_SHAPE, shapes))
    if array.dtype.kind not in "iuf":
        what = Text(_DTYPE_WHAT.get(array.dtype.kind, _DTYPE_OTHER))
        example = exp.dtype if exp.dtype.kind == "f" else np.dtype(np.float64)
        facts = {"name": name, "dtype": str(array.dtype), "what": what, "example": str(example)}
        return _fail("dtype", Text(_DTYPE, facts))
    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        if not finite.all():
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            value = array[first]
            what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
            count = int(finite.size - np.count_nonzero(finite))
            return _fail(
                "finite",
                Text(
                    _NON_FINITE_ONE if count == 1 else _NON_FINITE,
                    {"name": name, "what": what, "first": str(first), "count": count},
                ),
                mismatch_index=first,
                mismatch_count=count,
            )
    return _compare_values(array, exp, rtol=rtol, atol=atol, name=name, scale=scale)


def _compare_values(
    got: np.ndarray, exp: np.ndarray, *, rtol: float, atol: float, name: str, scale: str
) -> ArrayCheck:
    exp64 = exp.astype(np.float64, copy=False)
    diff = np.abs(got.astype(np.float64, copy=False) - exp64)
    max_diff = float(diff.max()) if diff.size else 0.0
    if scale == "max":
        peak = float(np.abs(exp64).max()) if exp64.size else 0.0
        bound: float | np.ndarray = atol + rtol * max(1.0, peak)
        if max_diff <= bound:
            return ArrayCheck(True, Text(_MATCH, {"name": name}), "values", max_abs_diff=max_diff)
        wrong = diff > bound
    elif scale == "elementwise":
        wrong = diff > atol + rtol * np.abs(exp64)
        if not wrong.any():
            return ArrayCheck(True, Text(_MATCH, {"name": name}), "values", max_abs_diff=max_diff)
    else:
        raise ValueError(f"scale must be 'max' or 'elementwise', got {scale!r}")
    count = int(np.count_nonzero(wrong))
    first = tuple(int(i) for i in np.unravel_index(int(np.argmax(wrong)), wrong.shape))
    diff_map, origin, leading = _diff_map(diff, first)
    facts = {
        "name": name,
        "count": count,
        "size": diff.size,
        "first": str(first),
        "got": f"{float(got[first]):.6g}",
        "expected": f"{float(exp64[first]):.6g}",
        "max_diff": f"{max_diff:.3g}",
    }
    return _fail(
        "values",
        Text(_VALUES, facts),
        max_abs_diff=max_diff,
        diff_map=diff_map,
        diff_map_origin=origin,
        diff_map_slice=leading,
        mismatch_index=first,
        mismatch_count=count,
    )


def _diff_map(
    diff: np.ndarray, first: tuple[int, ...]
) -> tuple[list[list[float]], tuple[int, int], tuple[int, ...]]:
    """The 2-D slice of ``diff`` holding ``first``, windowed to ``DIFF_MAP_MAX`` around it."""
    if diff.ndim == 0:
        return [[float(diff)]], (0, 0), ()
    if diff.ndim == 1:
        plane, leading, (r, c) = diff[None, :], (), (0, first[0])
    else:
        leading = first[:-2]
        plane, (r, c) = diff[leading], first[-2:]
    r0 = min(max(0, r - DIFF_MAP_MAX // 2), max(0, plane.shape[0] - DIFF_MAP_MAX))
    c0 = min(max(0, c - DIFF_MAP_MAX // 2), max(0, plane.shape[1] - DIFF_MAP_MAX))
    window = plane[r0 : r0 + DIFF_MAP_MAX, c0 : c0 + DIFF_MAP_MAX]
    return window.tolist(), (r0, c0), leading


# --- Misconception variants for code problems -------------------------------------------------

#: What each variant key means, in every language: key -> (title, explanation).
_ARRAY_TEXTS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "flipped-kernel": (
        (
            "True convolution instead of cross-correlation",
            "교차 상관 대신 진짜 합성곱(필터 뒤집기)",
        ),
        (
            "Your output matches the kernel flipped by 180 degrees. CNN layers slide the filter "
            "as it is (cross-correlation): out[i, j] = sum of x[i*s + u, j*s + v] * w[u, v].",
            "출력이 필터를 180도 뒤집었을 때의 결과와 같습니다. CNN의 층은 필터를 뒤집지 않고 "
            "그대로 미끄러뜨립니다(교차 상관): out[i, j] = sum of x[i*s + u, j*s + v] * w[u, v].",
        ),
    ),
    "missing-bias": (
        ("Bias missing", "편향이 빠짐"),
        (
            "Your output matches the result without the bias. Each filter adds its bias b[f] once "
            "to every cell of its feature map.",
            "출력이 편향 없이 계산한 결과와 같습니다. 필터마다 자기 편향 b[f]를 특성 맵의 모든 "
            "칸에 한 번씩 더합니다.",
        ),
    ),
    "bias-per-channel": (
        ("Bias added once per input channel", "편향을 입력 채널마다 더함"),
        (
            "Your output matches adding b[f] once for every input channel. The bias is added "
            "once, after the sum over channels.",
            "출력이 입력 채널마다 b[f]를 더한 결과와 같습니다. 편향은 채널을 모두 더한 뒤 한 "
            "번만 더합니다.",
        ),
    ),
    "last-channel-only": (
        ("Only the last input channel counted", "마지막 입력 채널만 셈"),
        (
            "Your output matches a sum over the last input channel only: is the running sum "
            "overwritten (=) instead of accumulated (+=) across channels?",
            "출력이 마지막 입력 채널만 더한 결과와 같습니다. 채널을 돌면서 합을 누적(+=)하지 "
            "않고 덮어쓰지(=) 않았나요?",
        ),
    ),
    "ignored-padding": (
        ("Padding ignored", "패딩을 무시함"),
        (
            "Your output matches the unpadded input. Pad the input with `pad` zeros on every side "
            "before sliding the filter.",
            "출력이 패딩하지 않은 입력의 결과와 같습니다. 필터를 움직이기 전에 입력의 모든 "
            "가장자리를 `pad`칸씩 제로 패딩하세요.",
        ),
    ),
    "ignored-stride": (
        ("Stride ignored", "스트라이드를 무시함"),
        (
            "Your output matches a window that moves one cell at a time. With stride s the window "
            "starts at rows and columns 0, s, 2s, ...",
            "출력이 윈도우를 한 칸씩 옮긴 결과와 같습니다. 스트라이드가 s이면 윈도우는 0, s, "
            "2s, ... 번째 행과 열에서 시작합니다.",
        ),
    ),
    "transposed": (
        ("Result transposed", "결과를 전치함"),
        (
            "Your output matches the right result with rows and columns swapped: index the output "
            "as [row, column] = [i, j].",
            "출력이 정답의 행과 열을 맞바꾼 것과 같습니다. 출력은 [행, 열] = [i, j]로 "
            "인덱싱하세요.",
        ),
    ),
    "avg-instead-of-max": (
        ("Average instead of max", "최대 대신 평균"),
        (
            "Your output matches average pooling. Max pooling keeps the largest value of each "
            "window.",
            "출력이 평균 풀링의 결과와 같습니다. 최대 풀링은 윈도우마다 가장 큰 값을 남깁니다.",
        ),
    ),
    "max-instead-of-avg": (
        ("Max instead of average", "평균 대신 최대"),
        (
            "Your output matches max pooling. Average pooling keeps the mean of each window.",
            "출력이 최대 풀링의 결과와 같습니다. 평균 풀링은 윈도우마다 평균을 남깁니다.",
        ),
    ),
    "overlapping-windows": (
        ("Overlapping windows (stride 1)", "겹치는 윈도우(스트라이드 1)"),
        (
            "Your output matches windows that move one cell at a time. The pooling windows move "
            "by `stride` (here equal to the window size, so they do not overlap).",
            "출력이 윈도우를 한 칸씩 옮긴 결과와 같습니다. 풀링 윈도우는 `stride`만큼 "
            "움직입니다(여기서는 윈도우 크기와 같아서 서로 겹치지 않습니다).",
        ),
    ),
}

#: What each variant key means, for feedback: key -> (title, explanation), each a
#: ``grader.texts.Text`` (English as a string; Korean on ``render("ko")``).
ARRAY_MISCONCEPTIONS: dict[str, tuple[Text, Text]] = {
    key: (
        Text(define(f"array.{key}.title", *title)),
        Text(define(f"array.{key}.explanation", *explanation)),
    )
    for key, (title, explanation) in _ARRAY_TEXTS.items()
}


def array_misconception_feedback(key: str) -> dict[str, str]:
    """The ``misconception`` entry of a Grade's feedback for a ``diagnose_array`` key, shaped
    like the quick kinds' (``grader.diagnose.Diagnosis.to_feedback``)."""
    title, explanation = ARRAY_MISCONCEPTIONS[key]
    return {"key": key, "title": title, "explanation": explanation, "step": ""}


def _try(fn: Any, *args: Any, **kwargs: Any) -> np.ndarray | None:
    """A variant that cannot be computed (its geometry doesn't fit) is simply absent."""
    try:
        return np.asarray(fn(*args, **kwargs), dtype=np.float64)
    except ValueError:
        return None


def conv2d_variants(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, pad: int = 0
) -> dict[str, np.ndarray]:
    """Outputs of the common wrong conv2d implementations for these inputs.

    x (N, C, H, W), w (F, C, HH, WW), b (F,) or None. Keys are ``ARRAY_MISCONCEPTIONS`` keys; a
    variant is left out when it does not apply (no bias, no padding, stride 1, one channel) or its
    geometry does not fit. Variants equal to the right answer are NOT removed here: pass
    ``expected`` to ``diagnose_array``, which skips them.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    bias = None if b is None else np.asarray(b, dtype=np.float64)
    out: dict[str, np.ndarray | None] = {
        "flipped-kernel": _try(reference.conv2d, x, w[:, :, ::-1, ::-1], bias, stride, pad)
    }
    if bias is not None and np.any(bias != 0):
        out["missing-bias"] = _try(reference.conv2d, x, w, None, stride, pad)
        if x.shape[1] > 1:
            out["bias-per-channel"] = _try(reference.conv2d, x, w, bias * x.shape[1], stride, pad)
    if x.shape[1] > 1:
        out["last-channel-only"] = _try(reference.conv2d, x[:, -1:], w[:, -1:], bias, stride, pad)
    if pad > 0:
        out["ignored-padding"] = _try(reference.conv2d, x, w, bias, stride, 0)
    if stride > 1:
        out["ignored-stride"] = _try(reference.conv2d, x, w, bias, 1, pad)
    right = _try(reference.conv2d, x, w, bias, stride, pad)
    if right is not None:
        out["transposed"] = np.swapaxes(right, -1, -2)
    return {k: v for k, v in out.items() if v is not None}


def pool_variants(
    x: np.ndarray, size: int = 2, stride: int = 2, mode: Literal["max", "avg"] = "max"
) -> dict[str, np.ndarray]:
    """Outputs of the common wrong pooling implementations: x (N, C, H, W)."""
    x = np.asarray(x, dtype=np.float64)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    right_fn = reference.max_pool2d if mode == "max" else reference.avg_pool2d
    other_fn = reference.avg_pool2d if mode == "max" else reference.max_pool2d
    out: dict[str, np.ndarray | None] = {
        ("avg-instead-of-max" if mode == "max" else "max-instead-of-avg"): _try(
            other_fn, x, size, stride
        )
    }
    if stride > 1:
        out["overlapping-windows"] = _try(right_fn, x, size, 1)
    right = _try(right_fn, x, size, stride)
    if right is not None:
        out["transposed"] = np.swapaxes(right, -1, -2)
    return {k: v for k, v in out.items() if v is not None}


def diagnose_array(
    got: Any,
    variants: Mapping[str, np.ndarray],
    *,
    expected: Any = None,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    scale: Literal["max", "elementwise"] = "max",
) -> str | None:
    """The key of the first variant (in ``variants``' order) that ``got`` matches, else None.

    A variant that itself matches ``expected`` is skipped: for a symmetric kernel the flipped
    kernel gives the right answer, and a right answer is never diagnosed as a mistake.
    """
    array = _as_array(got, "output")
    if isinstance(array, ArrayCheck) or array.dtype.kind not in "iuf":
        return None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        return None
    exp = None if expected is None else np.asarray(expected, dtype=np.float64)
    for key, variant in variants.items():
        variant = np.asarray(variant, dtype=np.float64)
        if variant.shape != array.shape:
            continue
        if (
            exp is not None
            and exp.shape == variant.shape
            and _compare_values(variant, exp, rtol=rtol, atol=atol, name="", scale=scale).ok
        ):
            continue
        if _compare_values(array, variant, rtol=rtol, atol=atol, name="", scale=scale).ok:
            return key
    return None
