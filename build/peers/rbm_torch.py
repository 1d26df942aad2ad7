#!/usr/bin/env python3
"""PyTorch CD-1 peer for the RBM training benchmark (CPU, or a GPU with --device cuda).

A plain, reasonably tight CD-1 loop (float32, momentum, sampled hidden and visible states, gradient by matrix
products) with 784 visible and --hidden hidden units, batch --batch, on binarised MNIST; torch.set_num_threads(T).
--synthetic N uses N random binary rows instead of MNIST (timing on machines without the data set).
Prints one JSON line with the seconds per epoch.
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
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--grey", action="store_true", help="grey values in [0, 1] (bytes / 255) instead of thresholding at 0.5")
    parser.add_argument("--data", default=None)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--synthetic", type=int, default=0, help="N random binary rows instead of MNIST")
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from mnist_binary import load

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dev = torch.device(args.device)
    if args.synthetic > 0:
        import numpy as np
        rng = np.random.default_rng(0)
        p = rng.uniform(0.05, 0.3, size=784).astype(np.float32)
        x = torch.from_numpy((rng.random((args.synthetic, 784), dtype=np.float32) < p).astype(np.float32))
    else:
        x = torch.from_numpy(load(args.data, args.rows or None, grey=args.grey))
    x = x.to(dev)
    n, d = x.shape
    h = args.hidden
    w = torch.randn(d, h, device=dev) * 0.01
    p = x.mean(0).clamp(1e-3, 1 - 1e-3)
    a = torch.log(p / (1 - p))
    b = torch.zeros(h, device=dev)
    vw, va, vb = torch.zeros_like(w), torch.zeros_like(a), torch.zeros_like(b)
    times = []

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    with torch.no_grad():
        for epoch in range(args.epochs):
            sync()
            start = time.perf_counter()
            order = torch.randperm(n, device=dev)
            for begin in range(0, n, args.batch):
                v0 = x[order[begin:begin + args.batch]]
                m = v0.shape[0]
                ph0 = torch.sigmoid(torch.addmm(b, v0, w))
                h0 = torch.bernoulli(ph0)
                pv1 = torch.sigmoid(torch.addmm(a, h0, w.t()))
                v1 = torch.bernoulli(pv1)
                ph1 = torch.sigmoid(torch.addmm(b, v1, w))
                vw.mul_(args.momentum).addmm_(v0.t(), ph0, alpha=args.lr / m).addmm_(v1.t(), ph1, alpha=-args.lr / m)
                va.mul_(args.momentum).add_((v0 - v1).mean(0), alpha=args.lr)
                vb.mul_(args.momentum).add_((ph0 - ph1).mean(0), alpha=args.lr)
                w.add_(vw)
                a.add_(va)
                b.add_(vb)
            sync()
            times.append(time.perf_counter() - start)
    err = float(((x[:1000] - torch.sigmoid(torch.addmm(a, torch.sigmoid(torch.addmm(b, x[:1000], w)), w.t()))) ** 2).mean())
    print(json.dumps({
        "peer": "torch-cd1",
        "device": str(dev) + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else ""),
        "torch": torch.__version__,
        "rows": int(n),
        "visible": int(d),
        "hidden": h,
        "batch": args.batch,
        "epochs": args.epochs,
        "threads": torch.get_num_threads(),
        "secondsPerEpoch": sum(times) / len(times),
        "epochSeconds": times,
        "reconstructionError": err,
    }))


if __name__ == "__main__":
    main()
