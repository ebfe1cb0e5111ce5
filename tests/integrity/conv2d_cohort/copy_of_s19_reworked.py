import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    filters = w.shape[0]
    batch = x.shape[0]
    kw_ = w.shape[3]
    kh_ = w.shape[2]
    # pad first
    xp = np.pad(x, ((0,), (0,), (pad,), (pad,)))
    ho = int((xp.shape[2] - kh_) / stride) + 1
    wo = int((xp.shape[3] - kw_) / stride) + 1
    acc = np.zeros((batch, filters, ho * wo))
    pos = 0
    for t in range(0, ho * stride, stride):
        for l in range(0, wo * stride, stride):
            reg = xp[:, :, t : t + kh_, l : l + kw_]
            for k in range(filters):
                acc[:, k, pos] = np.sum(reg * w[k], axis=(1, 2, 3)) + b[k]
            pos += 1
    return acc.reshape(batch, filters, ho, wo)
