import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    num, depth, rows, cols = x.shape
    nfilt, _, fr, fc = w.shape
    padded = np.zeros((num, depth, rows + 2 * pad, cols + 2 * pad))
    padded[:, :, pad : pad + rows, pad : pad + cols] = x
    orow = (rows + 2 * pad - fr) // stride + 1
    ocol = (cols + 2 * pad - fc) // stride + 1
    result = np.zeros((num, nfilt, orow, ocol))
    for a in range(num):
        for k in range(nfilt):
            for r in range(orow):
                for c in range(ocol):
                    total = b[k]
                    for d in range(depth):
                        for u in range(fr):
                            for v in range(fc):
                                total += (
                                    padded[a, d, r * stride + u, c * stride + v] * w[k, d, u, v]
                                )
                    result[a, k, r, c] = total
    return result
