import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    xs = np.asarray(x, dtype=np.float64).tolist()
    ws = np.asarray(w, dtype=np.float64).tolist()
    N, C = len(xs), len(xs[0])
    H, W = len(xs[0][0]), len(xs[0][0][0])
    F, KH, KW = len(ws), len(ws[0][0]), len(ws[0][0][0])

    def at(n, ch, r, c):
        r -= pad
        c -= pad
        if 0 <= r < H and 0 <= c < W:
            return xs[n][ch][r][c]
        return 0.0

    Hout = (H + 2 * pad - KH) // stride + 1
    Wout = (W + 2 * pad - KW) // stride + 1
    out = [[[[0.0] * Wout for _ in range(Hout)] for _ in range(F)] for _ in range(N)]
    for n in range(N):
        for f in range(F):
            for r in range(Hout):
                for c in range(Wout):
                    acc = float(b[f])
                    for ch in range(C):
                        for i in range(KH):
                            for j in range(KW):
                                acc += at(n, ch, r * stride + i, c * stride + j) * ws[f][ch][i][j]
                    out[n][f][r][c] = acc
    return np.array(out)
