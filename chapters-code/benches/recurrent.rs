//! Forward and backward pass (backpropagation through time, every parameter's gradient) of a
//! batch of 32 sequences of length 100, input size 1, hidden size 32, in `f64` on one thread:
//! the tanh RNN and the LSTM of `chapters_code::recurrent`.
//!
//! `cargo bench -p chapters-code --bench recurrent`; `benches/recurrent_peers.py` times the
//! same pass with PyTorch's `nn.RNN` and `nn.LSTM` when PyTorch is installed.

use chapters_code::recurrent::{Cell, Recurrent};
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

const BATCH: usize = 32;
const STEPS: usize = 100;
const HIDDEN: usize = 32;

fn pass(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let xs: Vec<Array2<f64>> = (0..STEPS)
        .map(|_| Array2::from_shape_simple_fn((BATCH, 1), || StandardNormal.sample(&mut rng)))
        .collect();
    let labels: Vec<f64> = (0..BATCH).map(|i| (i % 2) as f64).collect();
    for cell in [Cell::Rnn, Cell::Lstm] {
        let net = Recurrent::new(cell, 1, HIDDEN, 1.0, 0).unwrap();
        let name = format!(
            "{}_forward_backward_b32_t100_h32",
            cell.name().to_lowercase()
        );
        c.bench_function(&name, |b| b.iter(|| net.gradients(black_box(&xs), &labels)));
    }
}

criterion_group!(benches, pass);
criterion_main!(benches);
