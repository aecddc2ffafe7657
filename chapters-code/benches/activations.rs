//! Nanoseconds per element of every activation and derivative, ours against the textbook
//! formula, on an array of 100,000 inputs spread over [-10, 10] (and, for the tails, over
//! [-800, 800]).
//!
//! `cargo bench -p chapters-code --bench activations`, then
//! `python3 chapters-code/benches/report.py` prints the table with the ratios.

use chapters_code::activations::{self as a, naive as t};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const N: usize = 100_000;

fn inputs(range: f64) -> Vec<f64> {
    // A fixed, irregular order, so branches are not trivially predictable.
    (0..N)
        .map(|i| {
            let u = ((i as u64).wrapping_mul(2_654_435_761) % N as u64) as f64 / N as f64;
            range * (2.0 * u - 1.0)
        })
        .collect()
}

fn run(c: &mut Criterion, name: &str, ours: impl Fn(f64) -> f64, textbook: impl Fn(f64) -> f64) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(N as u64));
    for (range_name, range) in [("core", 10.0), ("tails", 800.0)] {
        let xs = inputs(range);
        let mut out = vec![0.0; N];
        group.bench_function(BenchmarkId::new("ours", range_name), |b| {
            b.iter(|| {
                for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
                    *o = ours(x);
                }
                black_box(&out);
            })
        });
        group.bench_function(BenchmarkId::new("textbook", range_name), |b| {
            b.iter(|| {
                for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
                    *o = textbook(x);
                }
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let slope = a::Rrelu::standard().eval_slope();
    run(c, "sigmoid", a::sigmoid, t::sigmoid);
    run(c, "sigmoid'", a::sigmoid_derivative, t::sigmoid_derivative);
    run(c, "tanh", a::tanh, t::tanh);
    run(c, "tanh'", a::tanh_derivative, t::tanh_derivative);
    run(c, "scaled_tanh", a::scaled_tanh, t::scaled_tanh);
    run(
        c,
        "scaled_tanh'",
        a::scaled_tanh_derivative,
        t::scaled_tanh_derivative,
    );
    run(c, "relu", a::relu, t::relu);
    run(c, "relu'", a::relu_derivative, t::relu_derivative);
    run(
        c,
        "leaky_relu",
        |x| a::leaky_relu(x, 0.01),
        |x| t::leaky_relu(x, 0.01),
    );
    run(
        c,
        "leaky_relu'",
        |x| a::leaky_relu_derivative(x, 0.01),
        |x| t::leaky_relu_derivative(x, 0.01),
    );
    run(
        c,
        "rrelu_eval",
        |x| a::leaky_relu(x, slope),
        |x| t::leaky_relu(x, slope),
    );
    run(c, "elu", |x| a::elu(x, 1.0), |x| t::elu(x, 1.0));
    run(
        c,
        "elu'",
        |x| a::elu_derivative(x, 1.0),
        |x| t::elu_derivative(x, 1.0),
    );
    run(c, "selu", a::selu, t::selu);
    run(c, "selu'", a::selu_derivative, t::selu_derivative);
    run(c, "softplus", a::softplus, t::softplus);
    run(
        c,
        "softplus'",
        a::softplus_derivative,
        t::softplus_derivative,
    );
    run(c, "gelu", a::gelu, t::gelu);
    run(c, "gelu'", a::gelu_derivative, t::gelu_derivative);
    run(c, "silu", a::silu, t::silu);
    run(c, "silu'", a::silu_derivative, t::silu_derivative);
}

criterion_group! {
    name = group;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_millis(800));
    targets = benches
}
criterion_main!(group);
