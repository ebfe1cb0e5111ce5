import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    # Loop over the kernel offsets instead of the output positions.
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, C, Hp, Wp = x.shape
    F, _, KH, KW = w.shape
    Ho = (Hp - KH) // stride + 1
    Wo = (Wp - KW) // stride + 1
    y = np.zeros((N, F, Ho, Wo))
    for di in range(KH):
        for dj in range(KW):
            shifted = x[
                :,
                :,
                di : di + stride * (Ho - 1) + 1 : stride,
                dj : dj + stride * (Wo - 1) + 1 : stride,
            ]
            # (N, C, Ho, Wo) x (F, C) -> (N, F, Ho, Wo)
            y += np.einsum("nchw,fc->nfhw", shifted, w[:, :, di, dj])
    y += np.asarray(b).reshape(1, F, 1, 1)
    return y
