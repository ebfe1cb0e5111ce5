"""Write `tests/grader/fixtures/reference_torch.npz`: torch's answers for the reference tests.

torch is a measuring tool, not a dependency (hundreds of MB for a test oracle), so ``make test``
never installs it: this
script runs once with torch==2.13.0 (the CPU build ``make bench`` installs) and its output is
committed; ``tests/grader/test_reference_torch.py`` reads only the .npz.

Run: ``.venv/bin/python scripts/make_reference_fixtures.py`` (deterministic: fixed seed).

Layout of the .npz (float64 arrays, no pickles): ``cases`` lists the case names; case ``name``
has ``name__op`` ("conv", "max_pool", "avg_pool" or "cnn"), its inputs (``__x``, ``__w``,
``__b`` when it has a bias, ``__stride``, ``__pad``, ``__size``) and torch's output ``__out``.
A "cnn" case stores conv -> relu -> max_pool 2x2 -> flatten -> linear as ``__conv_w``,
``__conv_b``, ``__lin_w`` (already in our (D, M) layout: torch's weight transposed) and
``__lin_b``. The five benchmark conv shapes are included, scaled down where large, to keep the
file small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = (
    Path(__file__).resolve().parent.parent / "tests" / "grader" / "fixtures" / "reference_torch.npz"
)

# name, x shape, w shape, stride, pad, with bias
CONVS = [
    ("lecture_sized", (1, 3, 7, 7), (1, 3, 3, 3), 1, 0, True),
    ("bench_b_32x32_5x5_p2", (1, 3, 32, 32), (10, 3, 5, 5), 1, 2, True),
    ("bench_c_scaled", (4, 3, 16, 16), (8, 3, 3, 3), 1, 1, True),
    ("bench_d_scaled_flat_shift", (2, 16, 14, 14), (16, 16, 3, 3), 1, 1, True),
    ("bench_e_scaled_stride2", (4, 8, 29, 29), (8, 8, 5, 5), 2, 2, True),
    ("non_square_stride2", (2, 2, 9, 11), (3, 2, 3, 5), 2, 0, True),
    ("stride3_pad3_4x4", (3, 4, 10, 10), (5, 4, 4, 4), 3, 3, True),
    ("one_by_one", (1, 1, 5, 5), (2, 1, 1, 1), 1, 0, True),
    ("many_channels_no_bias", (2, 20, 8, 8), (4, 20, 3, 3), 1, 2, False),
    ("stride4", (1, 2, 13, 13), (2, 2, 5, 5), 4, 0, True),
]
# name, op, x shape, size, stride
POOLS = [
    ("max_2x2_s2", "max_pool", (2, 4, 8, 8), 2, 2),
    ("max_3x3_s2", "max_pool", (2, 4, 9, 9), 3, 2),
    ("max_3x3_s1", "max_pool", (1, 3, 6, 7), 3, 1),
    ("avg_2x2_s2", "avg_pool", (2, 4, 8, 8), 2, 2),
    ("avg_3x3_s2", "avg_pool", (2, 4, 11, 11), 3, 2),
]


def main() -> None:
    rng = np.random.default_rng(20261126)
    data: dict[str, np.ndarray] = {}
    names: list[str] = []

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(a)

    for name, xs, ws, stride, pad, bias in CONVS:
        x, w = rng.standard_normal(xs), rng.standard_normal(ws)
        b = rng.standard_normal(ws[0]) if bias else None
        out = F.conv2d(t(x), t(w), None if b is None else t(b), stride=stride, padding=pad)
        data.update({f"{name}__op": np.array("conv"), f"{name}__x": x, f"{name}__w": w})
        data.update({f"{name}__stride": np.array(stride), f"{name}__pad": np.array(pad)})
        if b is not None:
            data[f"{name}__b"] = b
        data[f"{name}__out"] = out.numpy()
        names.append(name)

    for name, op, xs, size, stride in POOLS:
        x = rng.standard_normal(xs)
        fn = F.max_pool2d if op == "max_pool" else F.avg_pool2d
        data.update({f"{name}__op": np.array(op), f"{name}__x": x})
        data.update({f"{name}__size": np.array(size), f"{name}__stride": np.array(stride)})
        data[f"{name}__out"] = fn(t(x), size, stride).numpy()
        names.append(name)

    name = "small_cnn"
    x = rng.standard_normal((3, 2, 10, 10))
    conv_w, conv_b = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    lin_w_torch, lin_b = rng.standard_normal((5, 4 * 5 * 5)), rng.standard_normal(5)  # (M, D)
    h = F.max_pool2d(F.relu(F.conv2d(t(x), t(conv_w), t(conv_b), stride=1, padding=1)), 2, 2)
    out = F.linear(torch.flatten(h, 1), t(lin_w_torch), t(lin_b))
    data.update({f"{name}__op": np.array("cnn"), f"{name}__x": x, f"{name}__conv_w": conv_w})
    data.update({f"{name}__conv_b": conv_b, f"{name}__lin_w": lin_w_torch.T.copy()})
    data.update({f"{name}__lin_b": lin_b, f"{name}__out": out.numpy()})
    names.append(name)

    data["cases"] = np.array(names)
    data["torch_version"] = np.array(torch.__version__)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **data)
    print(f"wrote {len(names)} cases to {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
