use super::init::{Biases, Init, build};
use super::train::{Sgd, TrainError, train};
use super::*;
use crate::activations::{Activation, Identity, LeakyRelu, Prelu, Relu, Rrelu, Sigmoid, catalog};
use crate::data::blobs;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn small_batch(seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_simple_fn((6, 3), || {
        <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
    });
    let mut y = Array2::zeros((6, 3));
    for i in 0..6 {
        y[[i, i % 3]] = 1.0;
    }
    (x, y)
}

fn act_by_name(name: &str) -> Box<dyn Activation> {
    catalog().into_iter().find(|a| a.name() == name).unwrap()
}

#[test]
fn backpropagation_matches_finite_differences_for_every_activation_and_loss() {
    let (x, y) = small_batch(11);
    for act in catalog() {
        let name = act.name();
        for loss in [
            Loss::SoftmaxCrossEntropy,
            Loss::SigmoidCrossEntropy,
            Loss::MeanSquaredError,
        ] {
            let mut net = build(
                &[3, 5, 4, 3],
                |l| -> Box<dyn Activation> {
                    match (l, loss) {
                        (2, Loss::MeanSquaredError) => act_by_name(name),
                        (2, _) => Box::new(Identity),
                        _ => act_by_name(name),
                    }
                },
                Init::GlorotNormal,
                Biases::StandardNormal,
                loss,
                3,
            )
            .unwrap();
            let err = gradcheck::max_relative_error(&mut net, x.view(), y.view());
            assert!(err < 1e-6, "{name} with {loss:?}: relative error {err}");
        }
    }
}

#[test]
fn the_gradient_check_would_notice_a_wrong_backward_pass() {
    // Scale one layer's weights after computing the loss function's gradient: the analytic
    // gradient of a different network must disagree with the differences of this one.
    let (x, y) = small_batch(2);
    let mut net = build(
        &[3, 4, 3],
        |l| -> Box<dyn Activation> {
            if l == 1 {
                Box::new(Identity)
            } else {
                Box::new(Sigmoid)
            }
        },
        Init::GlorotNormal,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        1,
    )
    .unwrap();
    let good = net.backward(&net.forward(x.view()), y.view());
    net.layers[1].weights *= 1.5;
    let changed = net.backward(&net.forward(x.view()), y.view());
    assert_ne!(good, changed);
    assert!(gradcheck::max_relative_error(&mut net, x.view(), y.view()) < 1e-6);
}

#[test]
fn losses_are_finite_for_extreme_outputs() {
    let net = build(
        &[1, 2],
        |_| -> Box<dyn Activation> { Box::new(Identity) },
        Init::FanIn,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        0,
    )
    .unwrap();
    let cache = Cache {
        z: vec![ndarray::array![[1000.0, -1000.0]]],
        a: vec![ndarray::array![[0.0]], ndarray::array![[1000.0, -1000.0]]],
        norm: vec![None],
        slopes: vec![None],
    };
    let y = ndarray::array![[0.0, 1.0]];
    assert_eq!(net.loss_value(&cache, y.view()), 2000.0);
    let sig = Network {
        layers: net.layers,
        loss: Loss::SigmoidCrossEntropy,
    };
    assert!((sig.loss_value(&cache, y.view()) - 2000.0).abs() < 1e-9);
}

#[test]
fn training_learns_separable_blobs() {
    let data = blobs(400, 4, 3, 5);
    let mut net = build(
        &[4, 16, 3],
        |l| -> Box<dyn Activation> {
            if l == 1 {
                Box::new(Identity)
            } else {
                Box::new(Relu)
            }
        },
        Init::He,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        2,
    )
    .unwrap();
    let before = net.accuracy(data.inputs.view(), &data.labels);
    let mut sgd = Sgd::new(0.05, 20, 30);
    sgd.momentum = 0.9;
    let history = train(&mut net, &data, &sgd, |s| s % 100 == 0).unwrap();
    let after = net.accuracy(data.inputs.view(), &data.labels);
    assert!(after > 0.9 && after > before, "{before} -> {after}");
    assert_eq!(history.steps.len(), 6); // 20 steps per epoch, 600 steps, every 100th
    assert!(history.steps[5].loss < history.steps[0].loss);
}

#[test]
fn a_diverging_run_stops_naming_the_step_and_layer() {
    let data = blobs(50, 4, 2, 1);
    let mut net = build(
        &[4, 8, 2],
        |_| -> Box<dyn Activation> { Box::new(Identity) },
        Init::StandardNormal,
        Biases::Zero,
        Loss::MeanSquaredError,
        0,
    )
    .unwrap();
    let err = train(&mut net, &data, &Sgd::new(1e6, 50, 100), |_| false).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, TrainError::NotFinite { .. }), "{msg}");
    assert!(
        msg.contains("step") && msg.contains("NaN or infinite"),
        "{msg}"
    );
}

#[test]
fn bad_settings_are_errors_not_panics() {
    let data = blobs(10, 4, 2, 1);
    let mut net = build(
        &[3, 2],
        |_| -> Box<dyn Activation> { Box::new(Identity) },
        Init::FanIn,
        Biases::Zero,
        Loss::MeanSquaredError,
        0,
    )
    .unwrap();
    assert!(matches!(
        train(&mut net, &data, &Sgd::new(0.1, 5, 1), |_| false),
        Err(TrainError::Settings(_))
    ));
    let mut net = build(
        &[4, 2],
        |_| -> Box<dyn Activation> { Box::new(Identity) },
        Init::FanIn,
        Biases::Zero,
        Loss::MeanSquaredError,
        0,
    )
    .unwrap();
    assert!(train(&mut net, &data, &Sgd::new(f64::NAN, 5, 1), |_| false).is_err());
    assert!(train(&mut net, &data, &Sgd::new(0.1, 0, 1), |_| false).is_err());
}

#[test]
fn stats_see_saturation_and_dead_units() {
    let (x, y) = small_batch(4);
    // Huge negative biases: every ReLU unit is off for every example.
    let net = build(
        &[3, 5, 3],
        |l| -> Box<dyn Activation> {
            if l == 1 {
                Box::new(Identity)
            } else {
                Box::new(Relu)
            }
        },
        Init::FanIn,
        Biases::Constant(-100.0),
        Loss::SoftmaxCrossEntropy,
        0,
    )
    .unwrap();
    let cache = net.forward(x.view());
    let s = stats::layer_stats(&net, &cache, &net.backward(&cache, y.view()));
    assert_eq!(s[0].dead, 1.0);
    assert_eq!(s[0].saturated, 1.0);
    assert_eq!(s[0].grad_w_norm, 0.0);
    // Huge weights: sigmoid units saturate.
    let net = build(
        &[3, 5, 3],
        |l| -> Box<dyn Activation> {
            if l == 1 {
                Box::new(Identity)
            } else {
                Box::new(Sigmoid)
            }
        },
        Init::StandardNormal,
        Biases::Constant(50.0),
        Loss::SoftmaxCrossEntropy,
        0,
    )
    .unwrap();
    let cache = net.forward(x.view());
    let s = stats::layer_stats(&net, &cache, &net.backward(&cache, y.view()));
    assert!(s[0].saturated > 0.9, "{:?}", s[0]);
    assert_eq!(s[0].dead, 0.0);
}

#[test]
fn batch_normalization_passes_the_gradient_check() {
    let (x, y) = small_batch(21);
    for name in ["sigmoid", "tanh", "relu", "elu"] {
        let mut net = build(
            &[3, 5, 4, 3],
            |l| -> Box<dyn Activation> {
                if l == 2 {
                    Box::new(Identity)
                } else {
                    act_by_name(name)
                }
            },
            Init::GlorotNormal,
            Biases::StandardNormal,
            Loss::SoftmaxCrossEntropy,
            5,
        )
        .unwrap()
        .with_batch_norm(|l| l < 2);
        // Move gamma and beta away from 1 and 0 so that they matter.
        for (l, layer) in net.layers.iter_mut().enumerate() {
            if let Some(bn) = &mut layer.norm {
                bn.gamma.mapv_inplace(|g| g * (1.5 + l as f64));
                bn.beta.mapv_inplace(|b| b + 0.3);
            }
        }
        let grads = net.backward(&net.forward(x.view()), y.view());
        assert!(grads[0].norm.is_some() && grads[2].norm.is_none());
        let err = gradcheck::max_relative_error(&mut net, x.view(), y.view());
        assert!(err < 1e-6, "{name}: relative error {err}");
    }
}

#[test]
fn batch_normalization_standardizes_in_training_and_uses_running_statistics_at_inference() {
    let (x, _) = small_batch(8);
    let x = x.mapv(|v| 3.0 * v + 7.0);
    let mut net = build(
        &[3, 4, 2],
        |_| -> Box<dyn Activation> { Box::new(Identity) },
        Init::StandardNormal,
        Biases::Constant(2.0),
        Loss::SoftmaxCrossEntropy,
        1,
    )
    .unwrap()
    .with_batch_norm(|l| l == 0);
    let cache = net.forward(x.view());
    // Training mode: each unit has mean 0 and variance 1 over the batch (up to epsilon).
    for unit in cache.z[0].columns() {
        let mean = unit.mean().unwrap();
        let var = unit.mapv(|v| (v - mean) * (v - mean)).mean().unwrap();
        assert!(mean.abs() < 1e-12, "{mean}");
        assert!((var - 1.0).abs() < 1e-4, "{var}");
    }
    // Inference mode with fresh running statistics (mean 0, variance 1) is nearly the identity.
    let eval = net.forward_eval(x.view());
    let z = x.dot(&net.layers[0].weights.t()) + &net.layers[0].biases;
    assert!(
        eval.z[0]
            .iter()
            .zip(&z)
            .all(|(a, b)| (a - b).abs() < 1e-4 * b.abs().max(1.0))
    );
    // Many updates with the same batch: the running mean converges to the batch mean and the
    // running variance to its unbiased version; inference then matches training up to the
    // factor n/(n-1) in the variance.
    let kept = cache.norm[0].clone().unwrap();
    let bn = net.layers[0].norm.as_mut().unwrap();
    for _ in 0..400 {
        bn.update_running(&kept, x.nrows());
    }
    let n = x.nrows() as f64;
    for u in 0..4 {
        assert!((bn.running_mean[u] - kept.mean[u]).abs() < 1e-9 * kept.mean[u].abs().max(1.0));
        assert!((bn.running_var[u] / (kept.var[u] * n / (n - 1.0)) - 1.0).abs() < 1e-9);
    }
    bn.running_var = kept.var.clone();
    let eval = net.forward_eval(x.view());
    assert!(
        eval.z[0]
            .iter()
            .zip(&cache.z[0])
            .all(|(a, b)| (a - b).abs() < 1e-9)
    );
    assert!(eval.norm.iter().all(Option::is_none));
}

#[test]
fn training_with_batch_normalization_learns_and_moves_gamma_and_beta() {
    let data = blobs(200, 4, 3, 2);
    let mut net = build(
        &[4, 16, 16, 3],
        |l| -> Box<dyn Activation> {
            if l == 2 {
                Box::new(Identity)
            } else {
                Box::new(Sigmoid)
            }
        },
        Init::GlorotUniform,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        0,
    )
    .unwrap()
    .with_batch_norm(|l| l < 2);
    let mut sgd = Sgd::new(0.1, 20, 30);
    sgd.momentum = 0.9;
    train(&mut net, &data, &sgd, |_| false).unwrap();
    assert!(net.accuracy(data.inputs.view(), &data.labels) > 0.9);
    let bn = net.layers[0].norm.as_ref().unwrap();
    assert!(bn.gamma.iter().any(|&g| (g - 1.0).abs() > 1e-3));
    assert!(bn.running_mean.iter().any(|&m| m != 0.0));
}

fn net_of(hidden: fn() -> Box<dyn Activation>, seed: u64) -> Network {
    build(
        &[3, 5, 4, 3],
        |l| -> Box<dyn Activation> { if l == 2 { Box::new(Identity) } else { hidden() } },
        Init::GlorotNormal,
        Biases::StandardNormal,
        Loss::SoftmaxCrossEntropy,
        seed,
    )
    .unwrap()
}

#[test]
fn prelu_slopes_have_checked_gradients_and_are_learned() {
    let (x, y) = small_batch(31);
    let mut net = net_of(|| Box::new(Prelu::new(0.25).unwrap()), 4);
    // Every hidden layer has a slope gradient, and it agrees with finite differences.
    let grads = net.backward(&net.forward(x.view()), y.view());
    assert!(grads[0].activation.is_some() && grads[1].activation.is_some());
    assert!(grads[2].activation.is_none());
    assert!(gradcheck::max_relative_error(&mut net, x.view(), y.view()) < 1e-6);
    assert_eq!(net.parameter_count(), 3 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3 + 2);
    // Training moves the slopes, and without weight decay on them a decay of the weights
    // leaves the slopes' update unchanged.
    let data = blobs(60, 3, 3, 2);
    let run = |decay: f64| {
        let mut net = net_of(|| Box::new(Prelu::new(0.25).unwrap()), 4);
        let sgd = Sgd {
            weight_decay: decay,
            ..Sgd::new(0.1, 60, 1)
        };
        train(&mut net, &data, &sgd, |_| false).unwrap();
        net.layers[0].activation.parameter().unwrap()
    };
    let (plain, decayed) = (run(0.0), run(0.5));
    assert_ne!(plain, 0.25);
    // One full-batch step: the first layer's slope moved by -eta * dL/da, the same with decay.
    assert_eq!(plain, decayed);
}

#[test]
fn rrelu_draws_slopes_in_training_and_backpropagates_through_them() {
    let (x, y) = small_batch(41);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let net = net_of(|| Box::new(Rrelu::standard()), 6);
    let cache = net.forward_train(x.view(), &mut rng);
    let (l, u) = Rrelu::standard().random_slopes().unwrap();
    for layer in 0..2 {
        let drawn = cache.slopes[layer].as_ref().expect("slopes drawn");
        for ((&z, &a), &s) in cache.z[layer].iter().zip(&cache.a[layer + 1]).zip(drawn) {
            assert!((l..=u).contains(&s));
            assert_eq!(a, if z > 0.0 { z } else { s * z });
        }
    }
    assert!(cache.slopes[2].is_none());
    // With l = u the random unit is a Leaky ReLU, forward and backward.
    let fixed = net_of(|| Box::new(Rrelu::new(0.2, 0.2).unwrap()), 6);
    let leaky = net_of(|| Box::new(LeakyRelu::new(0.2).unwrap()), 6);
    let c1 = fixed.forward_train(x.view(), &mut rng);
    let c2 = leaky.forward(x.view());
    assert_eq!(c1.a, c2.a);
    assert_eq!(fixed.backward(&c1, y.view()), leaky.backward(&c2, y.view()));
    // Outside training, the evaluation slope (l + u)/2.
    let eval = net.forward_eval(x.view());
    assert!(eval.slopes.iter().all(Option::is_none));
}
