#!/usr/bin/env python3
"""Writes the high-precision reference tables the activation tests compare against.

Run by hand, not by the tests (it needs mpmath: `pip install mpmath`):

    python3 chapters-code/reference/generate.py

For every activation of `chapters_code::activations`, at inputs across the whole f64 range
(signed zeros, subnormals, the saturation regions, huge values, infinities and NaN), it
evaluates the function and its derivative with 80 significant digits and rounds the result
once, correctly, to f64 (activations_f64.csv) and, for inputs first rounded to f32, to f32
(activations_f32.csv). Parameters are the f64 (or f32) values the Rust code uses, so the
tables give the exact mathematical value of the function the code claims to compute (the f32
functions evaluate the f64 ones and round, so they too use the f64 parameters).
"""
import csv
import math
import os

import mpmath as mp

mp.mp.dps = 80

HERE = os.path.dirname(os.path.abspath(__file__))


def round_binary(v, prec, emin, emax):
    """Round the mpf `v` to the nearest binary float with `prec` bits (ties to even),
    subnormals down to 2**emin, overflowing to infinity above the largest finite value."""
    if mp.isnan(v):
        return math.nan
    if mp.isinf(v):
        return math.inf if v > 0 else -math.inf
    if v == 0:
        return 0.0
    sign = -1.0 if v < 0 else 1.0
    a = abs(v)
    e = int(mp.floor(mp.log(a, 2)))
    # Guard against log rounding at exact powers of two.
    if mp.mpf(2) ** e > a:
        e -= 1
    if mp.mpf(2) ** (e + 1) <= a:
        e += 1
    quantum_exp = max(e - (prec - 1), emin)
    q = mp.mpf(2) ** quantum_exp
    n = a / q
    r = mp.floor(n)
    frac = n - r
    if frac > 0.5 or (frac == 0.5 and int(r) % 2 == 1):
        r += 1
    result = r * q
    largest = (2 - mp.mpf(2) ** (1 - prec)) * mp.mpf(2) ** emax
    if result > largest:
        return sign * math.inf
    return sign * float(result)  # exact: result is representable in f64


def f64(v):
    return round_binary(v, 53, -1074, 1023)


def f32(v):
    return round_binary(v, 24, -149, 127)


def sig(x):
    return 1 / (1 + mp.exp(-x))


def ncdf(x):
    # mpmath's erfc overflows for huge arguments; there the value is 1 or far below 1e-400.
    if abs(x) > 10**4:
        return mp.mpf(1) if x > 0 else mp.mpf(0)
    return mp.ncdf(x)


def npdf(x):
    if abs(x) > 10**4:
        return mp.mpf(0)
    return mp.npdf(x)


def make(fmt):
    """The functions, with parameters rounded to `fmt` the way the code rounds them."""
    c = fmt  # rounding of a constant into the float format
    leaky = mp.mpf(c(mp.mpf("0.01")))
    prelu = mp.mpf(c(mp.mpf("0.25")))
    rrelu = mp.mpf(c((mp.mpf(c(mp.mpf(1) / 8)) + mp.mpf(c(mp.mpf(1) / 3))) / 2))
    elu_a = mp.mpf(1)
    selu_l = mp.mpf(c(mp.mpf("1.0507009873554804934193349852946")))
    selu_a = mp.mpf(c(mp.mpf("1.6732632423543772848170429916717")))
    lecun_a = mp.mpf(c(mp.mpf("1.7159")))
    lecun_b = mp.mpf(c(mp.mpf(2) / 3))

    def elu(a):
        return (lambda x: x if x > 0 else a * mp.expm1(x),
                lambda x: mp.mpf(1) if x > 0 else a * mp.exp(x))

    def piecewise(slope):
        return (lambda x: x if x > 0 else slope * x,
                lambda x: mp.mpf(1) if x > 0 else slope)

    return {
        "sigmoid": (sig, lambda x: sig(x) * sig(-x)),
        "tanh": (mp.tanh, lambda x: mp.sech(x) ** 2),
        "scaled_tanh": (lambda x: lecun_a * mp.tanh(lecun_b * x),
                        lambda x: lecun_a * lecun_b * mp.sech(lecun_b * x) ** 2),
        "relu": (lambda x: x if x > 0 else mp.mpf(0),
                 lambda x: mp.mpf(1) if x > 0 else mp.mpf(0)),
        "leaky_relu": piecewise(leaky),
        "prelu": piecewise(prelu),
        "rrelu_eval": piecewise(rrelu),
        "elu": elu(elu_a),
        "selu": (lambda x: selu_l * elu(selu_a)[0](x), lambda x: selu_l * elu(selu_a)[1](x)),
        "softplus": (lambda x: mp.log1p(mp.exp(x)), sig),
        "gelu": (lambda x: x * ncdf(x), lambda x: ncdf(x) + x * npdf(x)),
        "silu": (lambda x: x * sig(x), lambda x: sig(x) * (1 + x * sig(-x))),
    }


def limit(f, x):
    """The value at +-infinity, as a limit."""
    big = mp.mpf(10) ** 400 * (1 if x > 0 else -1)
    v = f(big)
    if abs(v) > mp.mpf(10) ** 300:
        return mp.inf if v > 0 else -mp.inf
    return mp.mpf(0) if abs(v) < mp.mpf(10) ** -300 else v


def inputs():
    xs = [0.0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-8, 1e-4, 0.1,
          0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 35.0, 36.0, 37.0, 38.0, 40.0,
          50.0, 100.0, 300.0, 700.0, 709.0, 710.0, 740.0, 745.0, 746.0, 1000.0, 1e10, 1e300,
          1.7976931348623157e308]
    xs += [k / 4 for k in range(1, 200)]  # a dense sweep of (0, 50)
    xs = sorted(set(xs))
    return [-x for x in reversed(xs)] + [-0.0] + xs + [math.inf, -math.inf, math.nan]


def logit_inputs():
    ps = [0.0, 5e-324, 1e-310, 1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.2,
          0.25, 0.3, 0.4, 0.45, 0.49, 0.499999, 0.4999999999, 0.5, 0.5000000001, 0.500001,
          0.51, 0.6, 0.7, 0.75, 0.8, 0.9, 0.99, 0.999, 1 - 1e-10, 1 - 2**-53, 1.0,
          -0.0, math.nan]
    ps += [k / 256 for k in range(1, 256)]
    return sorted(set(ps), key=lambda p: (math.isnan(p), p))


def rows(fmt, name_fmt):
    out = []
    # The code computes in f64 with f64 constants and rounds the result, also for f32.
    for name, (f, d) in make(f64).items():
        for x in inputs():
            # mpf has no negative zero: keep x itself when it is a zero.
            xr = fmt(mp.mpf(x)) if math.isfinite(x) and x != 0 else x
            if math.isnan(xr):
                v = dv = math.nan
            elif math.isinf(xr):
                v, dv = fmt(limit(f, xr)), fmt(limit(d, xr))
            else:
                xm = mp.mpf(xr)
                v, dv = fmt(f(xm)), fmt(d(xm))
            out.append((name, xr, v, dv))
    for p in logit_inputs():
        pr = fmt(mp.mpf(p)) if not math.isnan(p) else p
        if math.isnan(pr):
            v = dv = math.nan
        elif pr == 0:
            v, dv = -math.inf, math.inf
        elif pr == 1:
            v, dv = math.inf, math.inf
        else:
            pm = mp.mpf(pr)
            v, dv = fmt(mp.log(pm / (1 - pm))), fmt(1 / (pm * (1 - pm)))
        out.append(("logit", pr, v, dv))
    path = os.path.join(HERE, name_fmt)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["function", "x", "value", "derivative"])
        for name, x, v, dv in out:
            w.writerow([name, repr(x), repr(v), repr(dv)])
    print(f"{path}: {len(out)} rows")


if __name__ == "__main__":
    rows(f64, "activations_f64.csv")
    rows(f32, "activations_f32.csv")
