import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    """A convolutional layer's forward pass (cross-correlation, as in every CNN library).

    x: (N, C, H, W) inputs; w: (F, C, HH, WW) filters; b: (F,) biases.
    stride: step of the window; pad: zeros added on each side of H and W.
    Returns (N, F, H_out, W_out) with H_out = (H + 2*pad - HH) // stride + 1 (same for W).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    N, _C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    # Your code here: pad x, then fill every out[n, f, r, c].
    return out
