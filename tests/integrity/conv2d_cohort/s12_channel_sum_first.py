import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = (H + 2 * pad - HH) // stride + 1
    Wo = (W + 2 * pad - WW) // stride + 1
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[..., pad : pad + H, pad : pad + W] = x
    out = np.zeros((N, F, Ho, Wo))
    for f in range(F):
        out[:, f] = b[f]
        for ch in range(C):
            # one 2-D correlation per (filter, channel), accumulated
            for p in range(HH):
                for q in range(WW):
                    out[:, f] += (
                        w[f, ch, p, q]
                        * xp[:, ch, p : p + stride * Ho : stride, q : q + stride * Wo : stride]
                    )
    return out
