#!/usr/bin/env python3
"""The pass of benches/recurrent.rs in PyTorch, for a side-by-side ratio on the same machine.

    python3 chapters-code/benches/recurrent_peers.py

Forward and backward of nn.RNN (tanh) and nn.LSTM, batch 32, sequence length 100, input size 1,
hidden size 32, float64, one thread, with a linear read-out of the last hidden state and the
sigmoid cross-entropy, as in the Rust benchmark. Prints the median time of one pass over
repeated runs, or says that PyTorch is not installed.
"""
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

BATCH, STEPS, HIDDEN, REPEATS, RUNS = 32, 100, 32, 20, 7


def timeit(step):
    for _ in range(5):
        step()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for _ in range(REPEATS):
            step()
        times.append((time.perf_counter() - t) / REPEATS)
    return statistics.median(times)


def main():
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed, skipped")
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.randn(STEPS, BATCH, 1, dtype=torch.float64)
    y = (torch.arange(BATCH) % 2).to(torch.float64)
    for name, module in [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM)]:
        net = module(1, HIDDEN).to(torch.float64)
        readout = torch.nn.Linear(HIDDEN, 1).to(torch.float64)
        loss_fn = torch.nn.BCEWithLogitsLoss()

        def step():
            net.zero_grad()
            readout.zero_grad()
            out, _ = net(x)
            loss = loss_fn(readout(out[-1]).squeeze(1), y)
            loss.backward()

        t = timeit(step)
        print(f"PyTorch {torch.__version__} nn.{name.upper()}: {t * 1e3:.2f} ms per pass")


if __name__ == "__main__":
    main()
