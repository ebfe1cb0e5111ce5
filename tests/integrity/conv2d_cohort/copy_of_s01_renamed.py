import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    # my convolution
    inputs = np.asarray(x, dtype=np.float64)
    kernels = np.asarray(w, dtype=np.float64)
    batch, chans, height, width = inputs.shape
    nk, _, kh, kw = kernels.shape
    padded = np.pad(inputs, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h = (height + 2 * pad - kh) // stride + 1
    out_w = (width + 2 * pad - kw) // stride + 1
    result = np.zeros((batch, nk, out_h, out_w))
    for img in range(batch):
        for k in range(nk):
            for row in range(out_h):
                for col in range(out_w):
                    patch = padded[
                        img, :, row * stride : row * stride + kh, col * stride : col * stride + kw
                    ]
                    result[img, k, row, col] = np.sum(patch * kernels[k]) + b[k]
    return result
