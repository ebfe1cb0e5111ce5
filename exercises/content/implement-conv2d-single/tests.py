"""Hidden checks for ``implement-conv2d-single`` (run by the grader in the worker; never served).

Contract for every code problem of the bank: ``cases()`` returns the list of calls the sandbox
makes to the student's entry function (``entry`` in problem.yaml), each a dict with
``name``, ``hidden`` (a hidden case reports only its name and pass/fail, never its data),
``points``, ``args``, ``kwargs``, ``expected`` (computed here, in the worker, by
``grader.reference``: it never enters the sandbox) and ``variants`` (the outputs of known wrong
implementations on the same inputs, keyed by misconception; ``grader.checks.diagnose_array``
matches a wrong output against them). ``MISCONCEPTIONS`` gives each key a title and a hint.

Inputs are multiples of 1/4 built from ``random.Random(seed).random()`` (a stream Python keeps
stable across versions), so the cases are the same on every machine and exact in float32.
Sized for a naive two-loop solution: the whole suite is a few thousand multiply-adds.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from grader import reference
from grader.checks import ARRAY_MISCONCEPTIONS

ENTRY = "conv2d_single"
MISCONCEPTIONS = {k: ARRAY_MISCONCEPTIONS[k] for k in ("flipped-kernel", "transposed")}

LECTURE_IMAGE = [
    [2, 3, 0, 1, 3, 2, 1],
    [0, 2, 2, 2, 2, 1, 0],
    [1, 2, 1, 1, 1, 0, 0],
    [3, 2, 2, 0, 0, 2, 3],
    [2, 0, 0, 0, 0, 2, 0],
    [0, 0, 0, 2, 2, 2, 2],
    [1, 3, 2, 3, 2, 1, 0],
]
LECTURE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


def quarters(seed: int, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    """A float64 array of ``shape`` with values k/4 in [lo, hi], the same on every machine."""
    draw = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    steps = int((hi - lo) * 4)
    cells = [lo + min(steps, int(draw.random() * (steps + 1))) / 4 for _ in range(np.prod(shape))]
    return np.array(cells, dtype=np.float64).reshape(shape)


def _case(name: str, image: np.ndarray, kernel: np.ndarray, *, hidden: bool) -> dict[str, Any]:
    expected = reference.conv2d_single(image, kernel)
    variants = {
        "flipped-kernel": reference.conv2d_single(image, kernel[::-1, ::-1]),
        "transposed": expected.T,
    }
    return {
        "name": name,
        "hidden": hidden,
        "points": 1.0,
        "args": [image, kernel],
        "kwargs": {},
        "expected": expected,
        "variants": variants,
    }


def cases() -> list[dict[str, Any]]:
    """The lecture's 7x7 example (visible), then hidden cases: an asymmetric kernel (a flipped
    kernel shows), a non-square image and kernel, a 1x1 kernel, a kernel as large as the
    image, and a larger image with a 5x5 kernel."""
    lecture_image = np.array(LECTURE_IMAGE, dtype=np.float64)
    lecture_kernel = np.array(LECTURE_KERNEL, dtype=np.float64)
    return [
        _case(
            "the lecture's 7x7 input and X-shaped filter",
            lecture_image,
            lecture_kernel,
            hidden=False,
        ),
        _case("asymmetric 3x3 kernel", quarters(11, (6, 6)), quarters(12, (3, 3)), hidden=True),
        _case(
            "non-square image and kernel", quarters(21, (5, 8)), quarters(22, (2, 3)), hidden=True
        ),
        _case("1x1 kernel", quarters(31, (4, 5)), quarters(32, (1, 1)), hidden=True),
        _case(
            "kernel as large as the image", quarters(41, (4, 4)), quarters(42, (4, 4)), hidden=True
        ),
        _case("12x10 image, 5x5 kernel", quarters(51, (12, 10)), quarters(52, (5, 5)), hidden=True),
    ]
