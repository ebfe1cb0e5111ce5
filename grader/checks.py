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


def _fail(stage: Stage, message: str, **extra: Any) -> ArrayCheck:
    return ArrayCheck(ok=False, message=message, stage=stage, **extra)


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _as_array(got: Any, name: str) -> np.ndarray | ArrayCheck:
    """The type stage: returns the array, or the failed check."""
    if isinstance(got, np.matrix):
        return _fail(
            "type",
            f"{name}: got numpy.matrix, expected numpy.ndarray: use np.asarray(...) "
            "(np.matrix changes what * means and keeps every row 2-D)",
        )
    if isinstance(got, np.ndarray):
        array = got
    elif isinstance(got, np.generic) or (
        isinstance(got, int | float) and not isinstance(got, bool)
    ):
        array = np.asarray(got)
    elif got is None:
        return _fail("type", f"{name}: got None, expected numpy.ndarray: is a return missing?")
    else:
        return _fail(
            "type",
            f"{name}: got {_type_name(got)}, expected numpy.ndarray"
            + (": wrap it in np.array(...)" if isinstance(got, list | tuple) else ""),
        )
    if array.dtype == object:
        return _fail(
            "type",
            f"{name}: got an array of Python objects (dtype=object), expected numbers: "
            "are some rows of different lengths?",
        )
    return array


def _shape_hint(got: tuple[int, ...], exp: tuple[int, ...], context: Mapping[str, int]) -> str:
    """Why the shapes might differ, from the shapes alone (plus optional pad/stride/size)."""
    if len(got) != len(exp):
        if got == exp[1:]:
            return "is the batch axis N missing?"
        if tuple(d for d in got if d != 1) == tuple(d for d in exp if d != 1):
            return "an axis of size 1 is missing or extra (check squeeze / keepdims)"
        return f"expected {len(exp)} axes" + (" (N, C, H, W)" if len(exp) == 4 else "")
    if len(exp) == 4 and got == (exp[0], exp[2], exp[3], exp[1]) and got != exp:
        return "the channels are last (NHWC); expected NCHW (N, C, H, W)"
    if len(exp) >= 2 and got[:-2] == exp[:-2]:
        gh, gw = got[-2:]
        eh, ew = exp[-2:]
        if (gh, gw) == (ew, eh):
            return "height and width are swapped: is the result transposed?"
        dh, dw = gh - eh, gw - ew
        pad = context.get("pad")
        if dh == dw and dh < 0 and dh % 2 == 0 and (pad is None or -dh == 2 * pad):
            return "is padding missing?"
        if dh == dw and dh > 0 and dh % 2 == 0 and pad is not None and dh == 2 * pad:
            return "padding is counted twice, or applied where none was asked?"
        stride = context.get("stride")
        if dh > 0 and dw > 0 and eh > 1 and ew > 1:
            sh, rh = divmod(gh - 1, eh - 1)
            sw, rw = divmod(gw - 1, ew - 1)
            if rh == rw == 0 and sh == sw > 1 and (stride is None or stride == sh):
                return "is the stride ignored (the window moved one step at a time)?"
            if stride is not None and stride > 1:
                return "is the stride ignored?"
        if dh == dw == 1:
            return "one row and one column too many: is the +1 counted twice?"
        if dh == dw == -1:
            return "one row and one column short: is the +1 of (n - f) / stride + 1 missing?"
    if sorted(got) == sorted(exp):
        return "the same axes in a different order: is the result transposed?"
    return ""


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
        return _fail(
            "shape",
            f"{name}: got shape {array.shape}, expected {exp.shape}"
            + (f": {hint}" if hint else ""),
        )
    if array.dtype.kind not in "iuf":
        what = {
            "b": "booleans",
            "c": "complex numbers",
            "U": "strings",
            "S": "bytes",
            "M": "dates",
            "m": "time deltas",
        }.get(array.dtype.kind, "non-numeric values")
        return _fail(
            "dtype",
            f"{name}: got dtype {array.dtype} ({what}), expected a real number dtype "
            f"such as {exp.dtype if exp.dtype.kind == 'f' else np.dtype(np.float64)}",
        )
    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        if not finite.all():
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            value = array[first]
            what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
            count = int(finite.size - np.count_nonzero(finite))
            return _fail(
                "finite",
                f"{name}: got {what} at {first} ({count} non-finite value"
                f"{'s' if count != 1 else ''}), expected finite numbers",
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
            return ArrayCheck(True, f"{name}: all values match", "values", max_abs_diff=max_diff)
        wrong = diff > bound
    elif scale == "elementwise":
        wrong = diff > atol + rtol * np.abs(exp64)
        if not wrong.any():
            return ArrayCheck(True, f"{name}: all values match", "values", max_abs_diff=max_diff)
    else:
        raise ValueError(f"scale must be 'max' or 'elementwise', got {scale!r}")
    count = int(np.count_nonzero(wrong))
    first = tuple(int(i) for i in np.unravel_index(int(np.argmax(wrong)), wrong.shape))
    diff_map, origin, leading = _diff_map(diff, first)
    return _fail(
        "values",
        f"{name}: {count} of {diff.size} values differ; first at {first}: "
        f"got {float(got[first]):.6g}, expected {float(exp64[first]):.6g} "
        f"(max |got - expected| = {max_diff:.3g})",
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

#: What each variant key means, for feedback: key -> (title, explanation).
ARRAY_MISCONCEPTIONS: dict[str, tuple[str, str]] = {
    "flipped-kernel": (
        "True convolution instead of cross-correlation",
        "Your output matches the kernel flipped by 180 degrees. CNN layers slide the filter as "
        "it is (cross-correlation): out[i, j] = sum of x[i*s + u, j*s + v] * w[u, v].",
    ),
    "missing-bias": (
        "Bias missing",
        "Your output matches the result without the bias. Each filter adds its bias b[f] once "
        "to every cell of its feature map.",
    ),
    "bias-per-channel": (
        "Bias added once per input channel",
        "Your output matches adding b[f] once for every input channel. The bias is added once, "
        "after the sum over channels.",
    ),
    "last-channel-only": (
        "Only the last input channel counted",
        "Your output matches a sum over the last input channel only: is the running sum "
        "overwritten (=) instead of accumulated (+=) across channels?",
    ),
    "ignored-padding": (
        "Padding ignored",
        "Your output matches the unpadded input. Pad the input with `pad` zeros on every side "
        "before sliding the filter.",
    ),
    "ignored-stride": (
        "Stride ignored",
        "Your output matches a window that moves one cell at a time. With stride s the window "
        "starts at rows and columns 0, s, 2s, ...",
    ),
    "transposed": (
        "Result transposed",
        "Your output matches the right result with rows and columns swapped: index the output "
        "as [row, column] = [i, j].",
    ),
    "avg-instead-of-max": (
        "Average instead of max",
        "Your output matches average pooling. Max pooling keeps the largest value of each window.",
    ),
    "max-instead-of-avg": (
        "Max instead of average",
        "Your output matches max pooling. Average pooling keeps the mean of each window.",
    ),
    "overlapping-windows": (
        "Overlapping windows (stride 1)",
        "Your output matches windows that move one cell at a time. The pooling windows move by "
        "`stride` (here equal to the window size, so they do not overlap).",
    ),
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
