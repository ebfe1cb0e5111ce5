import numpy as np
import pytest

from grader.sandbox import detect_tier
from tests.conftest import need

CONV2D = """
import numpy as np

def conv2d(x, w, b, stride=1, pad=0):
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - hh) // stride + 1
    wo = (wd + 2 * pad - ww) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
"""


def conv2d_reference(x, w, b, stride=1, pad=0):
    namespace: dict = {}
    exec(CONV2D, namespace)
    return namespace["conv2d"](x, w, b, stride, pad)


def conv_case(seed: int, stride: int = 1, pad: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    return {"args": [x, w, b], "kwargs": {"stride": stride, "pad": pad}}


@pytest.fixture(scope="session", autouse=True)
def _needs_sandbox():
    need(detect_tier() != "unavailable", "no sandbox tier on this machine")
