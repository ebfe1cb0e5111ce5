import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    nb = x.shape[0]
    nf = w.shape[0]
    fsize = w.shape[2]
    gsize = w.shape[3]
    xpadded = np.pad(x, ((0,), (0,), (pad,), (pad,)))
    hout = int((xpadded.shape[2] - fsize) / stride) + 1
    wout = int((xpadded.shape[3] - gsize) / stride) + 1
    res = np.zeros((nb, nf, hout * wout))
    idx = 0
    for top in range(0, hout * stride, stride):
        for left in range(0, wout * stride, stride):
            region = xpadded[:, :, top : top + fsize, left : left + gsize]
            for filt in range(nf):
                res[:, filt, idx] = np.sum(region * w[filt], axis=(1, 2, 3)) + b[filt]
            idx += 1
    return res.reshape(nb, nf, hout, wout)
