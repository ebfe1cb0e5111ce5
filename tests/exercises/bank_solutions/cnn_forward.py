import numpy as np


def _conv(x, w, b, stride, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n_f, _, hh, ww = w.shape
    h_out = (xp.shape[2] - hh) // stride + 1
    w_out = (xp.shape[3] - ww) // stride + 1
    out = np.zeros((x.shape[0], n_f, h_out, w_out), dtype=x.dtype)
    for n in range(x.shape[0]):
        for f in range(n_f):
            for r in range(h_out):
                for c in range(w_out):
                    block = xp[n, :, r * stride : r * stride + hh, c * stride : c * stride + ww]
                    out[n, f, r, c] = np.sum(block * w[f]) + b[f]
    return out


def _max_pool(x, size):
    h_out, w_out = x.shape[2] // size, x.shape[3] // size
    out = np.zeros((x.shape[0], x.shape[1], h_out, w_out), dtype=x.dtype)
    for r in range(h_out):
        for c in range(w_out):
            window = x[:, :, r * size : (r + 1) * size, c * size : (c + 1) * size]
            out[:, :, r, c] = window.max(axis=(2, 3))
    return out


def cnn_forward(x, params):
    x = np.asarray(x, dtype=np.float64)
    out = _conv(x, params["w1"], params["b1"], params["stride"], params["pad"])
    out = np.maximum(out, 0)
    out = _max_pool(out, params["pool"])
    flat = out.reshape(out.shape[0], -1)
    return flat @ params["w2"] + params["b2"]
