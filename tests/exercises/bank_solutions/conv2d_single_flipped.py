import numpy as np


def conv2d_single(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    hh, ww = kernel.shape
    out = np.zeros((image.shape[0] - hh + 1, image.shape[1] - ww + 1), dtype=image.dtype)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(image[r : r + hh, c : c + ww] * kernel[::-1, ::-1])
    return out
