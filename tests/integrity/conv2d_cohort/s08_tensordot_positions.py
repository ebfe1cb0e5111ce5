import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    height_out = 1 + (xpad.shape[2] - w.shape[2]) // stride
    width_out = 1 + (xpad.shape[3] - w.shape[3]) // stride
    out = np.empty((x.shape[0], w.shape[0], height_out, width_out))
    for r in range(height_out):
        for c in range(width_out):
            r0, c0 = r * stride, c * stride
            piece = xpad[:, :, r0 : r0 + w.shape[2], c0 : c0 + w.shape[3]]
            out[:, :, r, c] = np.tensordot(piece, w, axes=([1, 2, 3], [1, 2, 3]))
    out += np.asarray(b, dtype=np.float64)[:, None, None]
    return out
