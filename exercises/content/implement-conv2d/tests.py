"""Hidden checks for ``implement-conv2d`` (run by the grader in the worker; never served).

The contract (``cases()``, ``ENTRY``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. Expected outputs come from ``grader.reference.conv2d``;
the variants from ``grader.checks.conv2d_variants`` (flipped kernel, missing bias, bias per
channel, last channel only, padding or stride ignored, transposed) on the same inputs.
Sized for a naive loop solution: about 30 thousand multiply-adds for the whole suite.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from grader import reference
from grader.checks import ARRAY_MISCONCEPTIONS, conv2d_variants

ENTRY = "conv2d"
MISCONCEPTIONS = {
    k: ARRAY_MISCONCEPTIONS[k]
    for k in (
        "flipped-kernel",
        "missing-bias",
        "bias-per-channel",
        "last-channel-only",
        "ignored-padding",
        "ignored-stride",
        "transposed",
    )
}

LECTURE_X = [
    [
        [2, 3, 0, 1, 3, 2, 1],
        [0, 2, 2, 2, 2, 1, 0],
        [1, 2, 1, 1, 1, 0, 0],
        [3, 2, 2, 0, 0, 2, 3],
        [2, 0, 0, 0, 0, 2, 0],
        [0, 0, 0, 2, 2, 2, 2],
        [1, 3, 2, 3, 2, 1, 0],
    ],
    [
        [0, 2, 0, 0, 0, 0, 1],
        [1, 2, 2, 2, 2, 1, 0],
        [0, 2, 1, 1, 1, 0, 0],
        [3, 2, 2, 0, 0, 2, 2],
        [2, 0, 3, 0, 0, 2, 0],
        [1, 0, 0, 2, 2, 2, 2],
        [0, 1, 0, 1, 0, 0, 0],
    ],
    [
        [1, 0, 2, 0, 1, 0, 3],
        [0, 2, 2, 2, 2, 1, 0],
        [2, 2, 1, 1, 1, 0, 3],
        [0, 2, 2, 0, 0, 2, 0],
        [0, 0, 0, 0, 0, 2, 2],
        [2, 0, 0, 2, 2, 2, 0],
        [0, 0, 2, 0, 2, 0, 0],
    ],
]
LECTURE_W = [
    [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
]


def quarters(seed: int, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    """A float64 array of ``shape`` with values k/4 in [lo, hi], the same on every machine."""
    draw = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    steps = int((hi - lo) * 4)
    cells = [lo + min(steps, int(draw.random() * (steps + 1))) / 4 for _ in range(np.prod(shape))]
    return np.array(cells, dtype=np.float64).reshape(shape)


def _case(
    name: str,
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    pad: int = 0,
    *,
    hidden: bool = True,
    points: float = 1.0,
) -> dict[str, Any]:
    return {
        "name": name,
        "hidden": hidden,
        "points": points,
        "args": [x, w, b],
        "kwargs": {"stride": stride, "pad": pad},
        "expected": reference.conv2d(x, w, b, stride, pad),
        "variants": conv2d_variants(x, w, b, stride, pad),
    }


def cases() -> list[dict[str, Any]]:
    """The lecture's three-channel example (visible); hidden: a batch with several filters and
    biases, stride 2, padding, stride and padding on a non-square input, a non-square kernel,
    and a 1x1 convolution."""
    lecture_x = np.array([LECTURE_X], dtype=np.float64)
    lecture_w = np.array([LECTURE_W], dtype=np.float64)
    return [
        _case(
            "the lecture's 7x7x3 input and 3x3x3 filter",
            lecture_x,
            lecture_w,
            np.zeros(1),
            hidden=False,
        ),
        _case(
            "a batch of 2, 4 filters with biases",
            quarters(101, (2, 3, 6, 6)),
            quarters(102, (4, 3, 3, 3)),
            quarters(103, (4,)),
        ),
        _case(
            "stride 2",
            quarters(201, (1, 2, 9, 9)),
            quarters(202, (3, 2, 3, 3)),
            quarters(203, (3,)),
            stride=2,
        ),
        _case(
            "zero padding 1",
            quarters(301, (2, 1, 5, 5)),
            quarters(302, (2, 1, 3, 3)),
            quarters(303, (2,)),
            pad=1,
        ),
        _case(
            "stride 2 and padding 1 on a 7x9 input",
            quarters(401, (1, 3, 7, 9)),
            quarters(402, (2, 3, 3, 3)),
            quarters(403, (2,)),
            stride=2,
            pad=1,
        ),
        _case(
            "a 2x3 kernel",
            quarters(501, (2, 2, 6, 7)),
            quarters(502, (3, 2, 2, 3)),
            quarters(503, (3,)),
        ),
        _case(
            "a 1x1 convolution",
            quarters(601, (1, 4, 5, 5)),
            quarters(602, (2, 4, 1, 1)),
            quarters(603, (2,)),
        ),
    ]
