import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    batch = x.shape[0]
    filters, depth, k_rows, k_cols = w.shape
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_rows = (padded.shape[2] - k_rows) // stride + 1
    out_cols = (padded.shape[3] - k_cols) // stride + 1
    answer = np.repeat(np.asarray(b, dtype=np.float64)[None, :, None, None], batch, axis=0)
    answer = np.broadcast_to(answer, (batch, filters, out_rows, out_cols)).copy()
    for d in range(depth):
        for kr in range(k_rows):
            stop_r = kr + stride * (out_rows - 1) + 1
            for kc in range(k_cols):
                stop_c = kc + stride * (out_cols - 1) + 1
                plane = padded[
                    :, d, kr:stop_r:stride, kc:stop_c:stride
                ]  # batch, out_rows, out_cols
                answer += plane[:, None] * w[None, :, d, kr, kc, None, None]
    return answer
