import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.pad(np.asarray(x, dtype=float), ((0, 0),) * 2 + ((pad, pad),) * 2)
    w = np.asarray(w, dtype=float)
    hh, ww = w.shape[-2:]
    tops = range(0, x.shape[2] - hh + 1, stride)
    lefts = range(0, x.shape[3] - ww + 1, stride)
    return np.array(
        [
            [
                [[np.vdot(img[:, t : t + hh, l : l + ww], flt) + bias for l in lefts] for t in tops]
                for flt, bias in zip(w, b)
            ]
            for img in x
        ]
    )
