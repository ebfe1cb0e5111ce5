import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n_in, c_in, h_in, w_in = x.shape
    n_out, _, kh, kw = w.shape
    big = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    outputs = []
    row = 0
    while row + kh <= big.shape[2]:
        line = []
        col = 0
        while col + kw <= big.shape[3]:
            block = big[:, :, row : row + kh, col : col + kw].reshape(n_in, -1)
            line.append(block @ w.reshape(n_out, -1).T + b)
            col += stride
        outputs.append(line)
        row += stride
    # outputs[row][col] is (n_in, n_out)
    return np.transpose(np.array(outputs), (2, 3, 0, 1))
