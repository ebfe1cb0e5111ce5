"""Hidden checks for ``implement-max-pool`` (run by the grader in the worker; never served).

The contract (``cases(rng)``, ``reference``, ``variants``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. Expected outputs come from ``grader.reference.max_pool2d``;
the variants from ``grader.checks.pool_variants`` on the same inputs. A few hundred output cells
in all: a naive loop solution runs the suite in milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import reference as ref
from grader.checks import ARRAY_MISCONCEPTIONS, pool_variants

MISCONCEPTIONS = {
    k: ARRAY_MISCONCEPTIONS[k] for k in ("avg-instead-of-max", "overlapping-windows", "transposed")
}

#: The pooling slide's single depth slice.
LECTURE_SLICE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def quarters(rng: np.random.Generator, shape: tuple[int, ...], lo: int = -2, hi: int = 2):
    """A float64 array of ``shape`` with values k/4 in [lo, hi]."""
    return rng.integers(4 * lo, 4 * hi + 1, size=shape).astype(np.float64) / 4


def reference(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    return ref.max_pool2d(x, size, stride)


def variants(x: np.ndarray, size: int = 2, stride: int = 2) -> dict[str, np.ndarray]:
    return pool_variants(x, size, stride, "max")


def cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    """The lecture's 4x4 slice (visible); hidden: a batch with several channels, one of them all
    negative (a maximum started from 0 shows), overlapping 3x3 windows at stride 1, 3x3 windows
    at stride 2 on a non-square input, and the default size and stride (no kwargs)."""
    negative = quarters(rng, (2, 3, 6, 6))
    negative[:, 1] = -np.abs(negative[:, 1]) - 0.25
    return [
        {
            "name": {
                "en": "the lecture's 4x4 slice, 2x2 windows, stride 2",
                "ko": "강의의 4x4 조각, 2x2 창, 스트라이드 2",
            },
            "args": [np.array([[LECTURE_SLICE]], dtype=np.float64)],
            "kwargs": {"size": 2, "stride": 2},
            "hidden": False,
        },
        {
            "name": {
                "en": "a batch of 2 with 3 channels, one all negative",
                "ko": "채널 3개인 입력 2개의 배치, 한 채널은 모두 음수",
            },
            "args": [negative],
            "kwargs": {"size": 2, "stride": 2},
        },
        {
            "name": {
                "en": "overlapping 3x3 windows, stride 1",
                "ko": "겹치는 3x3 창, 스트라이드 1",
            },
            "args": [quarters(rng, (1, 2, 5, 5))],
            "kwargs": {"size": 3, "stride": 1},
        },
        {
            "name": {
                "en": "3x3 windows, stride 2, on a 7x9 input",
                "ko": "7x9 입력에 3x3 창, 스트라이드 2",
            },
            "args": [quarters(rng, (1, 1, 7, 9))],
            "kwargs": {"size": 3, "stride": 2},
        },
        {
            "name": {"en": "the default size and stride", "ko": "기본 풀링 크기와 스트라이드"},
            "args": [quarters(rng, (2, 2, 4, 6))],
        },
    ]
