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
        ("asymmetric 3x3 kernel", (6, 6), (3, 3)),
        ("non-square image and kernel", (5, 8), (2, 3)),
        ("1x1 kernel", (4, 5), (1, 1)),
        ("kernel as large as the image", (4, 4), (4, 4)),
        ("12x10 image, 5x5 kernel", (12, 10), (5, 5)),
    ]
    out = [
        {"name": "the lecture's 7x7 input and X-shaped filter", "args": lecture, "hidden": False}
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
