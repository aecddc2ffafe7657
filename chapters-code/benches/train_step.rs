//! One training step (forward, backward, SGD update) of a 10-hidden-layer, 64-wide tanh
//! network, batch 64, input 32, 10 classes, softmax cross-entropy, in `f64` on one thread.
//!
//! `cargo bench -p chapters-code --bench train_step`; `benches/train_step_peers.py` runs the
//! same step in PyTorch and NumPy when they are installed, for a ratio measured side by side.
//! Matrix products use `ndarray`'s pure-Rust kernels (matrixmultiply), single-threaded.

use chapters_code::activations::{Activation, Identity, Tanh};
use chapters_code::data::blobs;
use chapters_code::network::Loss;
use chapters_code::network::init::{Biases, Init, build};
use chapters_code::network::train::{Sgd, Velocity, sgd_step};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn step(c: &mut Criterion) {
    run(c, "train_step_10x64_batch64", || Box::new(Tanh));
    // The same step with the identity as activation: what the matrix products cost alone.
    run(c, "train_step_10x64_batch64_linear", || Box::new(Identity));
}

fn run(c: &mut Criterion, name: &str, hidden: fn() -> Box<dyn Activation>) {
    let mut sizes = vec![32];
    sizes.extend([64; 10]);
    sizes.push(10);
    let mut net = build(
        &sizes,
        |l| -> Box<dyn Activation> {
            if l == 10 {
                Box::new(Identity)
            } else {
                hidden()
            }
        },
        Init::GlorotUniform,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        0,
    )
    .unwrap();
    let data = blobs(64, 32, 10, 1);
    let y = data.one_hot();
    let sgd = Sgd::new(0.01, 64, 1);
    let mut velocity = Velocity::zeros(&net);
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
    c.bench_function(name, |b| {
        b.iter(|| {
            sgd_step(
                black_box(&mut net),
                data.inputs.view(),
                y.view(),
                &sgd,
                &mut velocity,
                0,
                false,
                &mut rng,
            )
            .unwrap()
        })
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(50);
    targets = step
}
criterion_main!(group);
