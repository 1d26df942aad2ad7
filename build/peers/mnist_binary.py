"""Shared MNIST loader for the RBM peers: the gzipped IDX training images, scaled to [0, 1] and thresholded at 0.5
(grey=True: left grey, bytes / 255, as FreeEnergyML reads them)."""
import gzip
import os

import numpy as np

DEFAULT_DIR = os.environ.get("FREEENERGY_MNIST", "/work/shared/data/mnist")


def load(path=None, rows=None, grey=False):
    path = path or os.path.join(DEFAULT_DIR, "train-images-idx3-ubyte.gz")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic != 0x00000803:
        raise SystemExit(f"{path}: not an IDX image file (magic {magic:#x})")
    n, h, w = (int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(3))
    images = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, h * w)
    if rows:
        images = images[:rows]
    scaled = images.astype(np.float32) / np.float32(255.0)
    return scaled if grey else (scaled > 0.5).astype(np.float32)
