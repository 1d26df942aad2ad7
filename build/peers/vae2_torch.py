#!/usr/bin/python3
"""PyTorch peer of `freeenergy bench iwae`: the one- and two-level VAEs of Burda, Grosse and Salakhutdinov (2016) on
binarised MNIST, written independently of the engine, to tell the model's own behaviour from the engine's.

One level 784-200-200-50, two levels 784-200-200-100 then 100-100-50 (tanh; q(z1|x) q(z2|z1) bottom-up; p(z1|z2) a
Gaussian from an MLP of z2; Bernoulli decoder), Adam (lr 1e-3, betas 0.9/0.999, eps 1e-4), batch 20, one fixed
Bernoulli draw of the pixel intensities (numpy seed), every KL term a Monte-Carlo log ratio, optional KL warm-up
(weight min(1, epoch/E)). Prints one JSON line per epoch (training loss) and one per model (test -log p(x) by IWAE-S).

    /usr/bin/python3 build/peers/vae2_torch.py --epochs 20 --max-rows 10000 --test-rows 1000 --test-samples 200

Measured beside `freeenergy bench iwae --epochs 20 --max-rows 10000 --test-rows 1000 --test-samples 200 --threads 1`
(issue 17): after 20 epochs the two-level model trails the one-level model by about 14 nats here too.
"""
import argparse, gzip, json, math, os, struct, time
import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--data-dir", default=os.environ.get("FREEENERGY_MNIST", "../shared/data/mnist"))
p.add_argument("--epochs", type=int, default=20)
p.add_argument("--max-rows", type=int, default=0)
p.add_argument("--test-rows", type=int, default=0)
p.add_argument("--test-samples", type=int, default=200)
p.add_argument("--levels", default="1,2")
p.add_argument("--iwae", type=int, default=1, help="K of the training bound (1 = ELBO)")
p.add_argument("--kl-warmup", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)

def images(name, limit):
    with gzip.open(os.path.join(a.data_dir, name)) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16)); x = np.frombuffer(f.read(), np.uint8).reshape(n, h * w)
    x = (x[:limit] if limit else x).astype(np.float32) / 255
    return torch.tensor((rng.random(x.shape) < x).astype(np.float32))
train, test = images("train-images-idx3-ubyte.gz", a.max_rows), images("t10k-images-idx3-ubyte.gz", a.test_rows)
LOG2PI = math.log(2 * math.pi)

def mlp(width, hidden, out):
    layers = []
    for h in hidden: layers += [nn.Linear(width, h), nn.Tanh()]; width = h
    return nn.Sequential(*layers, nn.Linear(width, out))

def log_normal(z, mean, log_var): return (-0.5 * (LOG2PI + log_var + (z - mean) ** 2 * torch.exp(-log_var))).sum(-1)

class Vae(nn.Module):
    def __init__(self, two):
        super().__init__(); self.two = two; self.z1 = 100 if two else 50
        self.encoder1 = mlp(784, [200, 200], 2 * self.z1); self.decoder = mlp(self.z1, [200, 200], 784)
        if two: self.encoder2 = mlp(self.z1, [100, 100], 100); self.prior = mlp(50, [100, 100], 2 * self.z1)

    def log_weights(self, x, k, kl=1.0):
        """[k, B]: log p(x|z1) - kl * (log q(z|x) - log p(z)) for k draws per row."""
        m1, v1 = self.encoder1(x).chunk(2, -1); z1 = m1 + torch.exp(v1 / 2) * torch.randn(k, *m1.shape)
        lx = -nn.functional.binary_cross_entropy_with_logits(self.decoder(z1), x.expand(k, *x.shape), reduction="none").sum(-1)
        ratio = log_normal(z1, m1, v1)
        if not self.two: return lx - kl * (ratio - log_normal(z1, torch.zeros_like(z1), torch.zeros_like(z1)))
        m2, v2 = self.encoder2(z1).chunk(2, -1); z2 = m2 + torch.exp(v2 / 2) * torch.randn_like(m2)
        pm, pv = self.prior(z2).chunk(2, -1)
        ratio = ratio - log_normal(z1, pm, pv) + log_normal(z2, m2, v2) - log_normal(z2, torch.zeros_like(z2), torch.zeros_like(z2))
        return lx - kl * ratio

def bound(lw): return -(torch.logsumexp(lw, 0) - math.log(lw.shape[0]))

for level in a.levels.split(","):
    model = Vae(level == "2"); name = "two-level" if level == "2" else "one-level"
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-4); start = time.time()
    for epoch in range(a.epochs):
        kl = min(1.0, (epoch + 1) / a.kl_warmup) if a.kl_warmup > 0 else 1.0
        order = torch.randperm(len(train)); total = 0.0
        for i in range(0, len(train), 20):
            x = train[order[i:i + 20]]; loss = bound(model.log_weights(x, a.iwae, kl)).mean()
            opt.zero_grad(); loss.backward(); opt.step(); total += loss.item() * len(x)
        print(json.dumps({"model": name, "epoch": epoch + 1, "trainLoss": total / len(train), "seconds": time.time() - start}), flush=True)
    with torch.no_grad():
        nll = torch.cat([bound(model.log_weights(test[i:i + 10], a.test_samples)) for i in range(0, len(test), 10)])
    print(json.dumps({"model": name, "objective": "elbo" if a.iwae == 1 else f"iwae-{a.iwae}", "klWarmupEpochs": a.kl_warmup,
                      "testNll": nll.mean().item(), "testNllStandardError": (nll.std() / math.sqrt(len(nll))).item()}), flush=True)
