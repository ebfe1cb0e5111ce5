"""The lecture's worked examples, as data (the course slides, Unit 03).

The problem bank pins these as the default variants of its problems, and the reference's tests
check that ``grader.reference`` reproduces every number here. Arrays are read-only so that no
caller can change a default variant by accident; copy one before editing it.

Layout follows the reference: a single image is (H, W); the three-channel input is (C, H, W)
(add a batch axis for ``conv2d``: ``LECTURE_CHANNELS_3x7x7[None]``); the three per-channel
filters of one 3x3x3 filter are (C, HH, WW).
"""

from __future__ import annotations

import numpy as np


def _frozen(rows: list) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


# "Input Volumn (7x7)", the single-channel example, and channel 0 of the three-channel one.
LECTURE_INPUT_7x7 = _frozen(
    [
        [2, 3, 0, 1, 3, 2, 1],
        [0, 2, 2, 2, 2, 1, 0],
        [1, 2, 1, 1, 1, 0, 0],
        [3, 2, 2, 0, 0, 2, 3],
        [2, 0, 0, 0, 0, 2, 0],
        [0, 0, 0, 2, 2, 2, 2],
        [1, 3, 2, 3, 2, 1, 0],
    ]
)
LECTURE_FILTER_3x3 = _frozen([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
# "Convolved Feature Volumn (5 x 5)": LECTURE_INPUT_7x7 cross-correlated with LECTURE_FILTER_3x3.
LECTURE_MAP_5x5 = _frozen(
    [
        [6, 9, 7, 6, 6],
        [9, 7, 7, 6, 5],
        [6, 5, 2, 3, 3],
        [5, 4, 4, 6, 9],
        [5, 6, 6, 8, 4],
    ]
)

# The three-channel example: one 3x3x3 filter over a 7x7x3 input ("27-dimensional dot product").
LECTURE_CHANNELS_3x7x7 = _frozen(
    [
        LECTURE_INPUT_7x7.tolist(),
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
)
LECTURE_FILTERS_3x3x3 = _frozen(
    [
        LECTURE_FILTER_3x3.tolist(),
        [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    ]
)
# Each channel's own 5x5 map (channel c of the input with filter slice c) ...
LECTURE_CHANNEL_MAPS_3x5x5 = _frozen(
    [
        LECTURE_MAP_5x5.tolist(),
        [
            [0, 2, 0, 0, 0],
            [1, 2, 2, 2, 2],
            [0, 2, 1, 1, 1],
            [3, 2, 2, 0, 0],
            [2, 0, 3, 0, 0],
        ],
        [
            [2, 2, 2, 2, 1],
            [2, 1, 1, 1, 0],
            [2, 2, 0, 0, 2],
            [0, 0, 0, 0, 2],
            [0, 0, 2, 2, 2],
        ],
    ]
)
# ... and their sum, the one output channel of the 3x3x3 filter (bias 0).
LECTURE_SUM_5x5 = _frozen(
    [
        [8, 13, 9, 8, 7],
        [12, 10, 10, 9, 7],
        [8, 9, 3, 4, 6],
        [8, 6, 6, 6, 11],
        [7, 6, 11, 10, 6],
    ]
)

# "Ex) N=7, F=3": output size by stride; None where it "doesn't fit" ((7-3)/3 + 1 = 2.33).
LECTURE_OUTPUT_SIZES_N7_F3 = {1: 5, 2: 3, 3: None}
# "Input 7x7, filter 3x3, zero pad with 1 pixel border": the output stays 7x7 ((9-3)/1 + 1).
LECTURE_PADDED_7x7 = {"n": 7, "f": 3, "stride": 1, "pad": 1, "output": 7}
# "32x32 input convolved repeatedly with 5x5 filters shrinks volumes spatially (32 -> 28 -> 24)".
LECTURE_SHRINKING = {"f": 5, "sizes": (32, 28, 24)}
# "6 filters of 5x5x3" on the 32x32x3 image: "28x28x6" (height x width x depth).
LECTURE_SIX_FILTERS = {"input": (32, 32, 3), "f": 5, "filters": 6, "output": (28, 28, 6)}
# "Input volume 32x32x3, 10 5x5 filters with stride 1, pad 2": 5*5*3 + 1 = 76 per filter, 760.
LECTURE_PARAMS_EXAMPLE = {
    "input": (32, 32, 3),
    "f": 5,
    "filters": 10,
    "stride": 1,
    "pad": 2,
    "per_filter": 76,
    "params": 760,
}
