import numpy as np


def size_after(n, kernel, step):
    return (n - kernel) // step + 1


def add_padding(data, p):
    if p == 0:
        return data
    return np.pad(data, ((0, 0), (0, 0), (p, p), (p, p)), "constant", constant_values=0)


def conv2d(x, w, b, stride=1, pad=0):
    kernels = np.asarray(w, dtype=np.float64)
    data = add_padding(np.asarray(x, dtype=np.float64), pad)
    rows_out = size_after(data.shape[2], kernels.shape[2], stride)
    cols_out = size_after(data.shape[3], kernels.shape[3], stride)
    output = np.zeros((data.shape[0], kernels.shape[0], rows_out, cols_out))
    k_flat = kernels.reshape(kernels.shape[0], -1)
    for n, image in enumerate(data):
        for r in range(rows_out):
            for q in range(cols_out):
                v = image[
                    :,
                    r * stride : r * stride + kernels.shape[2],
                    q * stride : q * stride + kernels.shape[3],
                ].ravel()
                output[n, :, r, q] = k_flat.dot(v) + b
    return output
