"""The reference against torch.nn.functional, through committed fixtures.

``scripts/make_reference_fixtures.py`` computed ``fixtures/reference_torch.npz`` with torch; this
test reads only the .npz, so ``make test`` never needs torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader import reference as ref

FIXTURES = Path(__file__).parent / "fixtures" / "reference_torch.npz"


def _load() -> dict[str, np.ndarray]:
    with np.load(FIXTURES, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


DATA = _load()
CASES = [str(name) for name in DATA["cases"]]


def test_the_fixtures_cover_convs_pools_and_a_small_cnn():
    ops = {str(DATA[f"{name}__op"]) for name in CASES}
    assert ops == {"conv", "max_pool", "avg_pool", "cnn"}
    assert len(CASES) >= 12


@pytest.mark.parametrize("name", CASES)
def test_it_agrees_with_torch(name):
    get = lambda key: DATA.get(f"{name}__{key}")  # noqa: E731
    op = str(get("op"))
    x = get("x")
    if op == "conv":
        out = ref.conv2d(x, get("w"), get("b"), int(get("stride")), int(get("pad")))
    elif op == "max_pool":
        out = ref.max_pool2d(x, int(get("size")), int(get("stride")))
    elif op == "avg_pool":
        out = ref.avg_pool2d(x, int(get("size")), int(get("stride")))
    else:
        layers = [
            {"op": "conv", "w": get("conv_w"), "b": get("conv_b"), "pad": 1},
            {"op": "relu"},
            {"op": "max_pool"},
            {"op": "flatten"},
            {"op": "linear", "w": get("lin_w"), "b": get("lin_b")},
        ]
        out = ref.cnn_forward(x, layers)
    expected = get("out")
    assert out.shape == expected.shape
    assert out.dtype == np.float64
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-10 * scale)
