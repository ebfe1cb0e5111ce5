"""Hidden checks for ``implement-cnn-forward`` (run by the grader in the worker; never served).

The contract (``cases(rng)``, ``reference``, ``variants``, ``MISCONCEPTIONS``) is described in
``implement-conv2d-single/tests.py``. The network is conv -> ReLU -> max-pool (window = stride
= ``pool``) -> flatten (C order) -> fully connected (``flat @ w2 + b2``), computed with
``grader.reference``. The variants are the usual wrong forward passes: the kernel flipped, the
ReLU left out, the volume flattened channel-last (NHWC order), a bias left out, average instead
of max pooling. About 40 thousand multiply-adds for the whole suite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import reference as ref
from grader.lecture import LECTURE_CHANNELS_3x7x7, LECTURE_FILTERS_3x3x3

#: Each text in English and Korean (``grader.kinds.code_misconceptions``): a student reads their
#: language's.
MISCONCEPTIONS = {
    "flipped-kernel": {
        "title": {
            "en": "True convolution instead of cross-correlation",
            "ko": "교차 상관 대신 진짜 합성곱(필터 뒤집기)",
        },
        "explanation": {
            "en": "Your scores match a network whose filters were flipped by 180 degrees. The "
            "layer lays each filter on the window as it is: out[r, c] = sum of x[r*s + u, "
            "c*s + v] * w[u, v].",
            "ko": "점수가 필터를 180도 뒤집은 네트워크의 점수와 같습니다. 합성곱 층은 필터를 "
            "뒤집지 않고 그대로 윈도우에 올려놓습니다: out[r, c] = sum of x[r*s + u, "
            "c*s + v] * w[u, v].",
        },
    },
    "forgot-relu": {
        "title": {"en": "ReLU left out", "ko": "ReLU를 빠뜨림"},
        "explanation": {
            "en": "Your scores match the network without its ReLU. Apply max(0, value) to every "
            "cell of the convolution's output before pooling.",
            "ko": "점수가 ReLU 없는 네트워크의 점수와 같습니다. 풀링 전에 합성곱 출력의 모든 "
            "칸에 max(0, value)를 적용하세요.",
        },
    },
    "flatten-order": {
        "title": {"en": "Flattened in the wrong order", "ko": "잘못된 순서로 평탄화함"},
        "explanation": {
            "en": "Your scores match a volume flattened channel-last (height, width, channel). "
            "Flatten each image's (F, H, W) volume in C order, channel first: out.reshape(N, -1).",
            "ko": "점수가 채널을 마지막에 두고(높이, 너비, 채널) 평탄화한 부피의 점수와 "
            "같습니다. 이미지마다 (F, H, W) 부피를 C 순서, 곧 채널부터 평탄화하세요: "
            "out.reshape(N, -1).",
        },
    },
    "missing-conv-bias": {
        "title": {"en": "Convolution bias missing", "ko": "합성곱 편향이 빠짐"},
        "explanation": {
            "en": "Your scores match the network without b1. Each filter adds its bias once to "
            "every cell of its feature map, before the ReLU.",
            "ko": "점수가 b1 없는 네트워크의 점수와 같습니다. 필터마다 ReLU 전에 자기 편향을 "
            "특성 맵의 모든 칸에 한 번씩 더합니다.",
        },
    },
    "missing-fc-bias": {
        "title": {"en": "Fully connected bias missing", "ko": "완전 연결 층의 편향이 빠짐"},
        "explanation": {
            "en": "Your scores match flat @ w2 without b2. Add b2 to every row of scores.",
            "ko": "점수가 b2 없이 flat @ w2만 계산한 값과 같습니다. 점수의 모든 행에 b2를 "
            "더하세요.",
        },
    },
    "avg-instead-of-max": {
        "title": {"en": "Average instead of max pooling", "ko": "최대 풀링 대신 평균 풀링"},
        "explanation": {
            "en": "Your scores match average pooling. This network keeps the largest value of "
            "each window.",
            "ko": "점수가 평균 풀링의 점수와 같습니다. 이 네트워크는 윈도우마다 가장 큰 값을 "
            "남깁니다.",
        },
    },
}

#: A second 3x3x3 filter beside the lecture's (a vertical edge detector on channel 1), so that
#: ReLU has negative values to cut.
EDGE_FILTER = [
    [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
]


def quarters(rng: np.random.Generator, shape: tuple[int, ...], lo: int = -2, hi: int = 2):
    """A float64 array of ``shape`` with values k/4 in [lo, hi]."""
    return rng.integers(4 * lo, 4 * hi + 1, size=shape).astype(np.float64) / 4


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
    out = ref.conv2d(x, w1, p["b1"] if conv_bias else None, p["stride"], p["pad"])
    if relu:
        out = ref.relu(out)
    pooling = ref.max_pool2d if pool == "max" else ref.avg_pool2d
    out = pooling(out, p["pool"], p["pool"])
    flat = out.transpose(0, 2, 3, 1).reshape(out.shape[0], -1) if nhwc else ref.flatten(out)
    return ref.linear(flat, p["w2"], p["b2"] if fc_bias else None)


def reference(x: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    return forward(x, params)


def variants(x: np.ndarray, params: dict[str, Any]) -> dict[str, np.ndarray]:
    return {
        "flipped-kernel": forward(x, params, flip=True),
        "forgot-relu": forward(x, params, relu=False),
        "flatten-order": forward(x, params, nhwc=True),
        "missing-conv-bias": forward(x, params, conv_bias=False),
        "missing-fc-bias": forward(x, params, fc_bias=False),
        "avg-instead-of-max": forward(x, params, pool="avg"),
    }


def _params(
    rng: np.random.Generator,
    x: tuple[int, ...],
    f: int,
    k: int,
    stride: int,
    pad: int,
    pool: int,
    classes: int,
) -> dict[str, Any]:
    """Random weights for a network on inputs of shape ``x``; D follows from the geometry."""
    h = ref.conv_output_size(x[2], k, stride, pad) // pool
    w = ref.conv_output_size(x[3], k, stride, pad) // pool
    return {
        "w1": quarters(rng, (f, x[1], k, k)),
        "b1": quarters(rng, (f,)),
        "stride": stride,
        "pad": pad,
        "pool": pool,
        "w2": quarters(rng, (f * h * w, classes), -1, 1),
        "b2": quarters(rng, (classes,)),
    }


def cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    """The lecture's 7x7x3 input through a tiny network (visible): the lecture's 3x3x3 filter and
    an edge filter, stride 2, padding 1 (4x4 maps), 2x2 pooling, 8 features, 3 classes. Hidden: a
    batch of 3 with padding that keeps the size, 5x5 filters with 3x3 pooling, and stride 2 on a
    non-square input."""
    lecture = {
        "w1": np.array([LECTURE_FILTERS_3x3x3, EDGE_FILTER], dtype=np.float64),
        "b1": np.array([-8.0, 0.5]),
        "stride": 2,
        "pad": 1,
        "pool": 2,
        "w2": np.array(
            [
                [0.5, -0.25, 0],
                [0, 0.5, -0.5],
                [0.25, 0, 0.75],
                [-0.5, 0.25, 0],
                [1, 0, -0.25],
                [0, -0.75, 0.5],
                [0.25, 0.25, 0],
                [-0.25, 0, 1],
            ]
        ),
        "b2": np.array([0.25, -0.5, 0.0]),
    }
    out = [
        {
            "name": {
                "en": "the lecture's 7x7x3 input through a tiny network",
                "ko": "작은 신경망을 통과하는 강의의 7x7x3 입력",
            },
            "args": [np.array(LECTURE_CHANNELS_3x7x7)[None], lecture],
            "hidden": False,
        }
    ]
    # name, x (N, C, H, W), filters, kernel, stride, pad, pool, classes
    shapes = [
        (
            {
                "en": "a batch of 3, 3x3 filters with padding 1, 2x2 pooling",
                "ko": "입력 3개의 배치, 패딩 1인 3x3 필터, 2x2 풀링",
            },
            (3, 1, 8, 8),
            4,
            3,
            1,
            1,
            2,
            5,
        ),
        (
            {"en": "5x5 filters, 3x3 pooling", "ko": "5x5 필터, 3x3 풀링"},
            (2, 3, 10, 10),
            3,
            5,
            1,
            0,
            3,
            4,
        ),
        (
            {"en": "stride 2 on a 9x13 input", "ko": "9x13 입력에 스트라이드 2"},
            (1, 2, 9, 13),
            2,
            3,
            2,
            0,
            2,
            2,
        ),
    ]
    for name, x, f, k, stride, pad, pool, classes in shapes:
        params = _params(rng, x, f, k, stride, pad, pool, classes)
        out.append({"name": name, "args": [quarters(rng, x), params]})
    return out
