import numpy as np


def pad_input(arr, amount):
    if amount == 0:
        return arr
    return np.pad(
        arr, ((0, 0), (0, 0), (amount, amount), (amount, amount)), "constant", constant_values=0
    )


def output_size(size, k, s):
    return (size - k) // s + 1


def conv2d(x, w, b, stride=1, pad=0):
    arr = pad_input(np.asarray(x, dtype=np.float64), pad)
    filt = np.asarray(w, dtype=np.float64)
    hs = output_size(arr.shape[2], filt.shape[2], stride)
    ws = output_size(arr.shape[3], filt.shape[3], stride)
    flat_filters = filt.reshape(filt.shape[0], -1)
    res = np.zeros((arr.shape[0], filt.shape[0], hs, ws))
    for img_index, img in enumerate(arr):
        for a in range(hs):
            for c in range(ws):
                vec = img[
                    :,
                    a * stride : a * stride + filt.shape[2],
                    c * stride : c * stride + filt.shape[3],
                ].ravel()
                res[img_index, :, a, c] = flat_filters.dot(vec) + b
    return res
