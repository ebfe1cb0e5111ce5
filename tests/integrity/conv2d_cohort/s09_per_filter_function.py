import numpy as np


def _one_filter(image, kernel, bias, stride):
    """image (C, H, W), kernel (C, KH, KW) -> (H_out, W_out)."""
    c, h, w = image.shape
    _, kh, kw = kernel.shape
    out_h = (h - kh) // stride + 1
    out_w = (w - kw) // stride + 1
    result = np.full((out_h, out_w), float(bias))
    for y in range(out_h):
        for x in range(out_w):
            result[y, x] += (
                image[:, y * stride : y * stride + kh, x * stride : x * stride + kw] * kernel
            ).sum()
    return result


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return np.stack(
        [np.stack([_one_filter(img, k, bb, stride) for k, bb in zip(w, b)]) for img in padded]
    )
