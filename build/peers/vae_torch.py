#!/usr/bin/python3
"""PyTorch peer of FreeEnergyML's classic VAE benchmark (CPU, or a GPU with --device cuda).

The model is the classic MNIST VAE (Kingma & Welling; pytorch/examples): 784-400-20 with ReLU, a 20-400-784
Bernoulli decoder (logits) on [0, 1] pixels, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), batch 128, one
reparameterised draw per row. Prints one JSON object: per-epoch seconds (training only) and the test -ELBO
(sum over pixels, mean over test rows, with one fixed draw per row), the same quantity FreeEnergyML reports as F_q.

    /usr/bin/python3 build/peers/vae_torch.py --epochs 1 --threads 2 --data-dir /work/shared/data/mnist

Our side, the same way (once the lead wires the verbs):
    freeenergy train --model vae --data <dir>/train-images-idx3-ubyte.gz --latent 20 --layers 400 \
        --epochs 1 --batch 128 --lr 0.001 --threads 2 --out vae.safetensors --json
    freeenergy eval --model vae.safetensors --data <dir>/t10k-images-idx3-ubyte.gz --estimator elbo --json
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def read_idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise ValueError(f"{path}: not an IDX image file (magic {magic})")
        data = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8)
    return data.reshape(count, rows * cols).astype(np.float32) / 255.0


def find(data_dir, names):
    for n in names:
        p = os.path.join(data_dir, n)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"none of {names} in {data_dir}")


class Vae(nn.Module):
    def __init__(self, d=784, h=400, z=20):
        super().__init__()
        self.fc1 = nn.Linear(d, h)
        self.fc21 = nn.Linear(h, z)
        self.fc22 = nn.Linear(h, z)
        self.fc3 = nn.Linear(z, h)
        self.fc4 = nn.Linear(h, d)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x)
        if eps is None:
            eps = torch.randn_like(mu)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decode(z), mu, logvar


def neg_elbo_rows(logits, x, mu, logvar):
    # -log p(x|z) = sum softplus(l) - x l  (binary_cross_entropy_with_logits), plus the closed-form KL.
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
    return rec + kl


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", default="/work/shared/data/mnist")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-rows", type=int, default=0, help="use only the first N training rows (smoke runs)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--synthetic", type=int, default=0, help="N random rows in [0, 1] instead of MNIST (timing only)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    if a.synthetic > 0:
        rng = np.random.default_rng(a.seed)
        train = (rng.random((a.synthetic, 784), dtype=np.float32) < 0.15).astype(np.float32)
        test = (rng.random((min(10000, a.synthetic), 784), dtype=np.float32) < 0.15).astype(np.float32)
    else:
        train = read_idx_images(find(a.data_dir, ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-images.idx3-ubyte"]))
        test = read_idx_images(find(a.data_dir, ["t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"]))
    if a.max_rows > 0:
        train = train[: a.max_rows]
        test = test[: a.max_rows]
    train = torch.from_numpy(train).to(dev)
    test = torch.from_numpy(test).to(dev)

    model = Vae().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    epochs = []
    n = train.shape[0]
    for epoch in range(a.epochs):
        model.train()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        perm = torch.randperm(n, device=dev)
        total = 0.0
        for i in range(0, n, a.batch):
            x = train[perm[i:i + a.batch]]
            logits, mu, logvar = model(x)
            loss = neg_elbo_rows(logits, x, mu, logvar).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        epochs.append({"epoch": epoch + 1, "seconds": seconds, "train_neg_elbo": total / n})
        print(f"epoch {epoch + 1}: {seconds:.2f} s, train -ELBO {total / n:.3f}", file=sys.stderr)

    model.eval()
    with torch.no_grad():
        g = torch.Generator(device=dev).manual_seed(12345)
        scores = []
        for i in range(0, test.shape[0], 1000):
            x = test[i:i + 1000]
            mu, logvar = model.encode(x)
            eps = torch.randn(mu.shape, generator=g, device=dev)
            logits = model.decode(mu + torch.exp(0.5 * logvar) * eps)
            scores.append(neg_elbo_rows(logits, x, mu, logvar))
        test_neg_elbo = torch.cat(scores).mean().item()

    print(json.dumps({
        "framework": f"pytorch {torch.__version__}",
        "device": str(dev) + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else ""),
        "threads": a.threads,
        "model": "784-400-20 relu, bernoulli decoder",
        "batch": a.batch,
        "learning_rate": a.lr,
        "train_rows": int(n),
        "epochs": epochs,
        "seconds_per_epoch": [e["seconds"] for e in epochs],
        "test_rows": int(test.shape[0]),
        "test_neg_elbo": test_neg_elbo,
    }))


if __name__ == "__main__":
    main()
