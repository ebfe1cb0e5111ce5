import numpy as np


def conv2d_single(image, kernel):
    """Slide ``kernel`` (HH, WW) over ``image`` (H, W), stride 1, no padding.

    Returns the feature map, shape (H - HH + 1, W - WW + 1), as a float array.
    Cell [r, c] is the sum of image[r:r+HH, c:c+WW] * kernel (no flipping).
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    H, W = image.shape
    HH, WW = kernel.shape
    out = np.zeros((H - HH + 1, W - WW + 1))
    # Your code here: fill every cell of `out`.
    return out
