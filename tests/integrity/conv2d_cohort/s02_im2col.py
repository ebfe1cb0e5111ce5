import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    """im2col: every receptive field becomes a column, then one matrix product."""
    x = np.asarray(x, dtype=float)
    n_batch, channels, height, width = x.shape
    n_filters, _, fh, fw = w.shape
    padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")
    oh = (height + 2 * pad - fh) // stride + 1
    ow = (width + 2 * pad - fw) // stride + 1
    cols = np.empty((channels * fh * fw, n_batch * oh * ow))
    col = 0
    for img in range(n_batch):
        for r in range(oh):
            for c in range(ow):
                patch = padded[img, :, r * stride : r * stride + fh, c * stride : c * stride + fw]
                cols[:, col] = patch.reshape(-1)
                col += 1
    weights = np.asarray(w, dtype=float).reshape(n_filters, -1)
    result = weights @ cols + np.asarray(b, dtype=float).reshape(-1, 1)
    return result.reshape(n_filters, n_batch, oh, ow).transpose(1, 0, 2, 3)
