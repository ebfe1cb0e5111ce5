"""Hidden checks for ``implement-cnn-forward`` (run by the grader in the worker; never served).

The contract (``cases()``, ``ENTRY``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. The network is conv -> ReLU -> max-pool (window = stride
= ``pool``) -> flatten (C order) -> fully connected (``flat @ w2 + b2``), computed with
``grader.reference``. The variants are the usual wrong forward passes: the kernel flipped, the
ReLU left out, the volume flattened channel-last (NHWC order), a bias left out, average instead
of max pooling. About 40 thousand multiply-adds for the whole suite.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from grader import reference

ENTRY = "cnn_forward"
MISCONCEPTIONS = {
    "flipped-kernel": (
        "True convolution instead of cross-correlation",
        "Your scores match a network whose filters were flipped by 180 degrees. The layer lays "
        "each filter on the window as it is: out[r, c] = sum of x[r*s + u, c*s + v] * w[u, v].",
    ),
    "forgot-relu": (
        "ReLU left out",
        "Your scores match the network without its ReLU. Apply max(0, value) to every cell of "
        "the convolution's output before pooling.",
    ),
    "flatten-order": (
        "Flattened in the wrong order",
        "Your scores match a volume flattened channel-last (height, width, channel). Flatten "
        "each image's (F, H, W) volume in C order, channel first: out.reshape(N, -1).",
    ),
    "missing-conv-bias": (
        "Convolution bias missing",
        "Your scores match the network without b1. Each filter adds its bias once to every cell "
        "of its feature map, before the ReLU.",
    ),
    "missing-fc-bias": (
        "Fully connected bias missing",
        "Your scores match flat @ w2 without b2. Add b2 to every row of scores.",
    ),
    "avg-instead-of-max": (
        "Average instead of max pooling",
        "Your scores match average pooling. This network keeps the largest value of each window.",
    ),
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
#: The lecture's 3x3x3 filter, and a second one (an edge detector) so that ReLU has work to do.
LECTURE_W1 = [
    [
        [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
        [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    ],
    [
        [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
    ],
]


def quarters(seed: int, shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    """A float64 array of ``shape`` with values k/4 in [lo, hi], the same on every machine."""
    draw = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    steps = int((hi - lo) * 4)
    cells = [lo + min(steps, int(draw.random() * (steps + 1))) / 4 for _ in range(np.prod(shape))]
    return np.array(cells, dtype=np.float64).reshape(shape)


def forward(
    x: np.ndarray,
    p: dict[str, Any],
    *,
    flip: bool = False,
    relu: bool = True,
    nhwc: bool = False,
    conv_bias: bool = True,
    fc_bias: bool = True,
    pool: str = "max",
) -> np.ndarray:
    """The network, right (defaults) or with one known mistake switched on."""
    w1 = p["w1"][:, :, ::-1, ::-1] if flip else p["w1"]
    out = reference.conv2d(x, w1, p["b1"] if conv_bias else None, p["stride"], p["pad"])
    if relu:
        out = reference.relu(out)
    pooling = reference.max_pool2d if pool == "max" else reference.avg_pool2d
    out = pooling(out, p["pool"], p["pool"])
    flat = out.transpose(0, 2, 3, 1).reshape(out.shape[0], -1) if nhwc else reference.flatten(out)
    return reference.linear(flat, p["w2"], p["b2"] if fc_bias else None)


def _case(name: str, x: np.ndarray, p: dict[str, Any], *, hidden: bool = True) -> dict[str, Any]:
    variants = {
        "flipped-kernel": forward(x, p, flip=True),
        "forgot-relu": forward(x, p, relu=False),
        "flatten-order": forward(x, p, nhwc=True),
        "missing-conv-bias": forward(x, p, conv_bias=False),
        "missing-fc-bias": forward(x, p, fc_bias=False),
        "avg-instead-of-max": forward(x, p, pool="avg"),
    }
    return {
        "name": name,
        "hidden": hidden,
        "points": 1.0,
        "args": [x, p],
        "kwargs": {},
        "expected": forward(x, p),
        "variants": variants,
    }


def _params(
    seed: int, c: int, f: int, k: int, stride: int, pad: int, pool: int, d: int, classes: int
) -> dict[str, Any]:
    return {
        "w1": quarters(seed, (f, c, k, k)),
        "b1": quarters(seed + 1, (f,)),
        "stride": stride,
        "pad": pad,
        "pool": pool,
        "w2": quarters(seed + 2, (d, classes), -1.0, 1.0),
        "b2": quarters(seed + 3, (classes,)),
    }


def cases() -> list[dict[str, Any]]:
    """The lecture's 7x7x3 input through a tiny network (visible): two 3x3x3 filters, stride 2,
    padding 1 (4x4 maps), 2x2 pooling, 8 features, 3 classes. Hidden: a batch of 3 with padding
    that keeps the size, 5x5 filters with 3x3 pooling, and stride 2 on a non-square input."""
    lecture = {
        "w1": np.array(LECTURE_W1, dtype=np.float64),
        "b1": np.array([-8.0, 0.5]),
        "stride": 2,
        "pad": 1,
        "pool": 2,
        "w2": quarters(1, (8, 3), -1.0, 1.0),
        "b2": np.array([0.25, -0.5, 0.0]),
    }
    return [
        _case(
            "the lecture's 7x7x3 input through a tiny network",
            np.array([LECTURE_X], dtype=np.float64),
            lecture,
            hidden=False,
        ),
        _case(
            "a batch of 3, 3x3 filters with padding 1, 2x2 pooling",
            quarters(100, (3, 1, 8, 8)),
            _params(110, 1, 4, 3, 1, 1, 2, 64, 5),
        ),
        _case(
            "5x5 filters, 3x3 pooling",
            quarters(200, (2, 3, 10, 10)),
            _params(210, 3, 3, 5, 1, 0, 3, 12, 4),
        ),
        _case(
            "stride 2 on a 9x13 input",
            quarters(300, (1, 2, 9, 13)),
            _params(310, 2, 2, 3, 2, 0, 2, 12, 2),
        ),
    ]
