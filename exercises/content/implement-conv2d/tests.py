"""Hidden checks for ``implement-conv2d`` (run by the grader in the worker; never served).

The contract (``cases(rng)``, ``reference``, ``variants``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. Expected outputs come from ``grader.reference.conv2d``;
the variants from ``grader.checks.conv2d_variants`` (flipped kernel, missing bias, bias per
channel, last channel only, padding or stride ignored, transposed) on the same inputs.
Sized for a naive loop solution: about 30 thousand multiply-adds for the whole suite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import reference as ref
from grader.checks import ARRAY_MISCONCEPTIONS, conv2d_variants
from grader.lecture import LECTURE_CHANNELS_3x7x7, LECTURE_FILTERS_3x3x3

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


def quarters(rng: np.random.Generator, shape: tuple[int, ...], lo: int = -2, hi: int = 2):
    """A float64 array of ``shape`` with values k/4 in [lo, hi]."""
    return rng.integers(4 * lo, 4 * hi + 1, size=shape).astype(np.float64) / 4


def cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    """The lecture's three-channel example (visible); hidden: a batch with several filters and
    biases, stride 2, padding, stride and padding on a non-square input, a non-square kernel,
    and a 1x1 convolution."""
    lecture = [np.array(LECTURE_CHANNELS_3x7x7)[None], np.array(LECTURE_FILTERS_3x3x3)[None]]
    out = [
        {
            "name": {
                "en": "the lecture's 7x7x3 input and 3x3x3 filter",
                "ko": "강의의 7x7x3 입력과 3x3x3 필터",
            },
            "args": [*lecture, np.zeros(1)],
            "kwargs": {"stride": 1, "pad": 0},
            "hidden": False,
        }
    ]
    # name, x (N, C, H, W), filters F, kernel (HH, WW), stride, pad
    shapes = [
        (
            {
                "en": "a batch of 2, 4 filters with biases",
                "ko": "입력 2개의 배치, 편향이 있는 필터 4개",
            },
            (2, 3, 6, 6),
            4,
            (3, 3),
            1,
            0,
        ),
        ({"en": "stride 2", "ko": "스트라이드 2"}, (1, 2, 9, 9), 3, (3, 3), 2, 0),
        ({"en": "zero padding 1", "ko": "제로 패딩 1"}, (2, 1, 5, 5), 2, (3, 3), 1, 1),
        (
            {
                "en": "stride 2 and padding 1 on a 7x9 input",
                "ko": "7x9 입력에 스트라이드 2와 패딩 1",
            },
            (1, 3, 7, 9),
            2,
            (3, 3),
            2,
            1,
        ),
        ({"en": "a 2x3 kernel", "ko": "2x3 필터"}, (2, 2, 6, 7), 3, (2, 3), 1, 0),
        ({"en": "a 1x1 convolution", "ko": "1x1 합성곱"}, (1, 4, 5, 5), 2, (1, 1), 1, 0),
    ]
    for name, x, f, (hh, ww), stride, pad in shapes:
        args = [quarters(rng, x), quarters(rng, (f, x[1], hh, ww)), quarters(rng, (f,))]
        out.append({"name": name, "args": args, "kwargs": {"stride": stride, "pad": pad}})
    return out


def reference(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> np.ndarray:
    return ref.conv2d(x, w, b, stride, pad)


def variants(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0
) -> dict[str, np.ndarray]:
    return conv2d_variants(x, w, b, stride, pad)
