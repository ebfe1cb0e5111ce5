import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] > 1:
        return np.concatenate([conv2d(x[i : i + 1], w, b, stride, pad) for i in range(x.shape[0])])
    w = np.asarray(w, dtype=np.float64)
    img = np.pad(x[0], ((0, 0), (pad, pad), (pad, pad)))
    span_h = img.shape[1] - w.shape[2]
    span_w = img.shape[2] - w.shape[3]
    maps = []
    for k in range(w.shape[0]):
        m = [
            [
                float(np.sum(img[:, r : r + w.shape[2], s : s + w.shape[3]] * w[k])) + b[k]
                for s in range(0, span_w + 1, stride)
            ]
            for r in range(0, span_h + 1, stride)
        ]
        maps.append(m)
    return np.array(maps)[None]
