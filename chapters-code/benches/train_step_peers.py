#!/usr/bin/env python3
"""The training step of benches/train_step.rs in PyTorch (eager) and hand-written NumPy, on one
thread, for a side-by-side ratio with the Rust benchmark on the same machine.

    python3 chapters-code/benches/train_step_peers.py

Each framework that is not installed is reported as such and skipped. Prints the median time
of one step (forward, backward, SGD update) over repeated runs. FLOP count for reference: a
10-hidden-layer, 64-wide network, batch 64, input 32, 10 classes does about 15 MFLOP per step.
"""
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

SIZES = [32] + [64] * 10 + [10]
BATCH, REPEATS, RUNS = 64, 200, 7


def timeit(step):
    for _ in range(20):
        step()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for _ in range(REPEATS):
            step()
        times.append((time.perf_counter() - t) / REPEATS)
    return statistics.median(times)


def numpy_step():
    import numpy as np

    rng = np.random.default_rng(0)
    ws = [rng.uniform(-1, 1, (o, i)) * np.sqrt(6 / (i + o)) for i, o in zip(SIZES, SIZES[1:])]
    bs = [np.zeros(o) for o in SIZES[1:]]
    x = rng.standard_normal((BATCH, SIZES[0]))
    y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], BATCH)]

    def step():
        a = [x]
        for l, (w, b) in enumerate(zip(ws, bs)):
            z = a[-1] @ w.T + b
            a.append(z if l == len(ws) - 1 else np.tanh(z))
        o = a[-1]
        p = np.exp(o - o.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d = (p - y) / BATCH
        for l in range(len(ws) - 1, -1, -1):
            gw, gb = d.T @ a[l], d.sum(axis=0)
            if l > 0:
                d = (d @ ws[l]) * (1 - a[l] ** 2)
            ws[l] -= 0.01 * gw
            bs[l] -= 0.01 * gb

    return step


def torch_step():
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES, SIZES[1:])):
        layers.append(torch.nn.Linear(a, b).double())
        if i < len(SIZES) - 2:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.randn(BATCH, SIZES[0], dtype=torch.float64)
    y = torch.randint(0, SIZES[-1], (BATCH,))
    loss = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss(net(x), y).backward()
        opt.step()

    return step


def main():
    for name, make in [("numpy", numpy_step), ("pytorch", torch_step)]:
        try:
            step = make()
        except ImportError:
            print(f"{name}: not installed, skipped")
            continue
        print(f"{name}: {timeit(step) * 1e3:.3f} ms per step")


if __name__ == "__main__":
    main()
