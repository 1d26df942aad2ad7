#!/usr/bin/env python3
"""scikit-learn BernoulliRBM peer for the RBM training benchmark.

Trains sklearn.neural_network.BernoulliRBM (PCD-1 as implemented by scikit-learn, float32 input) with 784 visible
and --hidden hidden units, batch --batch, for --epochs epochs on binarised MNIST, and prints one JSON line with the
seconds per epoch. Thread count: set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (or pass --threads, which sets them
before numpy loads).
"""
import argparse
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hidden", type=int, default=500)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--rows", type=int, default=0, help="use only the first N rows (0 = all 60,000)")
    parser.add_argument("--threads", type=int, default=0, help="BLAS threads (0 = leave the environment as is)")
    parser.add_argument("--grey", action="store_true", help="grey values in [0, 1] (bytes / 255) instead of thresholding at 0.5")
    parser.add_argument("--data", default=None, help="MNIST training images (IDX, optionally gzipped)")
    args = parser.parse_args()
    if args.threads > 0:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import numpy as np
    import sklearn
    from sklearn.neural_network import BernoulliRBM
    from mnist_binary import load

    x = load(args.data, args.rows or None, grey=args.grey)
    rbm = BernoulliRBM(n_components=args.hidden, batch_size=args.batch, learning_rate=args.lr, n_iter=1, random_state=0)
    times = []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        if epoch == 0:
            rbm.fit(x)                      # initialises and runs one epoch
        else:
            rng = np.random.RandomState(epoch)
            for begin in range(0, x.shape[0], args.batch):
                rbm._fit(x[begin:begin + args.batch], rng)
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "peer": "sklearn-bernoulli-rbm",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "rows": int(x.shape[0]),
        "visible": int(x.shape[1]),
        "hidden": args.hidden,
        "batch": args.batch,
        "epochs": args.epochs,
        "threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0),
        "secondsPerEpoch": sum(times) / len(times),
        "epochSeconds": times,
        "dtype": str(rbm.components_.dtype),
    }))


if __name__ == "__main__":
    main()
