"""Hidden checks for ``implement-conv2d-single`` (run by the grader in the worker; never served).

The contract of the bank's code problems (``grader.kinds.code``):

- ``cases(rng)``: the calls the sandbox makes to the student's ``entry`` for one variant, each
  ``{"name", "args", "kwargs", "points", "hidden"}``. The lecture's example is visible; the others
  are hidden (a hidden case reports its name and pass/fail, never its data) and draw their values
  from ``rng`` (a seeded ``numpy.random.Generator``), so every student gets their own numbers.
- ``reference(*args, **kwargs)``: the right output, computed in the worker by ``grader.reference``.
- ``variants(*args, **kwargs)``: what known wrong implementations return on the same inputs, keyed
  by misconception, for ``grader.checks.diagnose_array``; ``MISCONCEPTIONS`` titles and hints.

Values are multiples of 1/4 (exact in float32 and float64). Sized for a naive two-loop solution:
the whole suite is about ten thousand multiply-adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import reference as ref
from grader.checks import ARRAY_MISCONCEPTIONS
from grader.lecture import LECTURE_FILTER_3x3, LECTURE_INPUT_7x7

MISCONCEPTIONS = {k: ARRAY_MISCONCEPTIONS[k] for k in ("flipped-kernel", "transposed")}


def quarters(rng: np.random.Generator, shape: tuple[int, ...], lo: int = -2, hi: int = 2):
    """A float64 array of ``shape`` with values k/4 in [lo, hi]."""
    return rng.integers(4 * lo, 4 * hi + 1, size=shape).astype(np.float64) / 4


def cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    """The lecture's 7x7 example (visible); hidden: an asymmetric kernel (a flipped kernel
    shows), a non-square image and kernel, a 1x1 kernel, a kernel as large as the image, and a
    larger image with a 5x5 kernel."""
    lecture = [np.array(LECTURE_INPUT_7x7), np.array(LECTURE_FILTER_3x3)]
    shapes = [
        ({"en": "asymmetric 3x3 kernel", "ko": "비대칭 3x3 필터"}, (6, 6), (3, 3)),
        (
            {"en": "non-square image and kernel", "ko": "정사각형이 아닌 입력과 필터"},
            (5, 8),
            (2, 3),
        ),
        ({"en": "1x1 kernel", "ko": "1x1 필터"}, (4, 5), (1, 1)),
        ({"en": "kernel as large as the image", "ko": "입력만큼 큰 필터"}, (4, 4), (4, 4)),
        ({"en": "12x10 image, 5x5 kernel", "ko": "12x10 입력, 5x5 필터"}, (12, 10), (5, 5)),
    ]
    out = [
        {
            "name": {
                "en": "the lecture's 7x7 input and X-shaped filter",
                "ko": "강의의 7x7 입력과 X자 모양 필터",
            },
            "args": lecture,
            "hidden": False,
        }
    ]
    for name, image, kernel in shapes:
        out.append({"name": name, "args": [quarters(rng, image), quarters(rng, kernel)]})
    return out


def reference(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return ref.conv2d_single(image, kernel)


def variants(image: np.ndarray, kernel: np.ndarray) -> dict[str, np.ndarray]:
    right = ref.conv2d_single(image, kernel)
    return {
        "flipped-kernel": ref.conv2d_single(image, np.asarray(kernel)[::-1, ::-1]),
        "transposed": right.T,
    }
