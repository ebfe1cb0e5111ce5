import numpy as np


def cnn_forward(x, params):
    """A small CNN: conv -> ReLU -> max-pool -> flatten -> fully connected.

    x: (N, C, H, W) images.
    params: "w1" (F, C, HH, WW), "b1" (F,), "stride", "pad" (the convolution),
            "pool" (max-pool window size, also its stride),
            "w2" (D, K), "b2" (K,) (the fully connected layer, scores = flat @ w2 + b2).
    Returns the class scores, shape (N, K).
    """
    x = np.asarray(x, dtype=np.float64)
    # 1. convolution with params["w1"], params["b1"], params["stride"], params["pad"]
    # 2. ReLU
    # 3. max-pooling, window and stride params["pool"]
    # 4. flatten each image to one row (C order)
    # 5. fully connected: flat @ params["w2"] + params["b2"]
    raise NotImplementedError("write the forward pass")
