#!/usr/bin/env python3
"""Prints the activation benchmark as a table: ns per element, ours and textbook, and the ratio.

Reads criterion's estimates from target/criterion after
`cargo bench -p chapters-code --bench activations`. Ratios come from one run, on one machine.
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "criterion")
N = 100_000


def median_ns(group, impl, rng):
    path = os.path.join(ROOT, group, impl, rng, "new", "estimates.json")
    with open(path) as fh:
        return json.load(fh)["median"]["point_estimate"] / N


def main():
    if not os.path.isdir(ROOT):
        sys.exit("no benchmark results: run `cargo bench -p chapters-code --bench activations`")
    groups = sorted(g for g in os.listdir(ROOT) if g != "report")
    print("| function | ours, ns/elem (core) | textbook (core) | ratio | ours (tails) | textbook (tails) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in groups:
        try:
            cells = []
            for rng in ("core", "tails"):
                o, t = median_ns(g, "ours", rng), median_ns(g, "textbook", rng)
                cells += [f"{o:.2f}", f"{t:.2f}", f"{o / t:.2f}"]
        except FileNotFoundError:
            continue
        print(f"| {g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
