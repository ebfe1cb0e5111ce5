"""Hidden checks for ``implement-max-pool`` (run by the grader in the worker; never served).

The contract (``cases()``, ``ENTRY``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. Expected outputs come from ``grader.reference.max_pool2d``;
the variants from ``grader.checks.pool_variants`` on the same inputs. A few hundred output cells
in all: a naive loop solution runs the suite in milliseconds.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from grader import reference
from grader.checks import ARRAY_MISCONCEPTIONS, pool_variants

ENTRY = "max_pool2d"
MODE = "max"
MISCONCEPTIONS = {
    k: ARRAY_MISCONCEPTIONS[k] for k in ("avg-instead-of-max", "overlapping-windows", "transposed")
}

#: The pooling slide's single depth slice.
LECTURE_SLICE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def quarters(seed: int, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    """A float64 array of ``shape`` with values k/4 in [lo, hi], the same on every machine."""
    draw = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    steps = int((hi - lo) * 4)
    cells = [lo + min(steps, int(draw.random() * (steps + 1))) / 4 for _ in range(np.prod(shape))]
    return np.array(cells, dtype=np.float64).reshape(shape)


def _case(
    name: str, x: np.ndarray, size: int | None, stride: int | None, *, hidden: bool = True
) -> dict[str, Any]:
    """``size``/``stride`` None: the call leaves them out, testing the defaults (2, 2)."""
    kwargs = {k: v for k, v in (("size", size), ("stride", stride)) if v is not None}
    size, stride = size or 2, stride or 2
    return {
        "name": name,
        "hidden": hidden,
        "points": 1.0,
        "args": [x],
        "kwargs": kwargs,
        "expected": reference.max_pool2d(x, size, stride),
        "variants": pool_variants(x, size, stride, MODE),
    }


def cases() -> list[dict[str, Any]]:
    """The lecture's 4x4 slice (visible); hidden: a batch with several channels, one of them all
    negative (a maximum started from 0 shows), overlapping 3x3 windows at stride 1, 3x3 windows
    at stride 2 on a non-square input, and the default size and stride."""
    lecture = np.array([[LECTURE_SLICE]], dtype=np.float64)
    negative = quarters(201, (2, 3, 6, 6))
    negative[:, 1] = -np.abs(negative[:, 1]) - 0.25
    return [
        _case("the lecture's 4x4 slice, 2x2 windows, stride 2", lecture, 2, 2, hidden=False),
        _case("a batch of 2 with 3 channels, one all negative", negative, 2, 2),
        _case("overlapping 3x3 windows, stride 1", quarters(301, (1, 2, 5, 5)), 3, 1),
        _case("3x3 windows, stride 2, on a 7x9 input", quarters(401, (1, 1, 7, 9)), 3, 2),
        _case("the default size and stride", quarters(501, (2, 2, 4, 6)), None, None),
    ]
