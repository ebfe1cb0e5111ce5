import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n_img, _, h, wd = x.shape
    n_f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    h_out = (h + 2 * pad - hh) // stride + 1
    w_out = (wd + 2 * pad - ww) // stride + 1
    out = np.zeros((n_img, n_f, h_out, w_out), dtype=x.dtype)
    for n in range(n_img):
        for f in range(n_f):
            for r in range(h_out):
                for c in range(w_out):
                    top, left = r * stride, c * stride
                    block = xp[n, :, top : top + hh, left : left + ww]
                    out[n, f, r, c] = np.sum(block * w[f]) + b[f]
    return out
