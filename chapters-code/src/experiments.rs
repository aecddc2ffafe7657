//! Training runs on the digits that several chapters share: a seeded network, a fixed
//! train/test split, and per-epoch curves averaged over seeds.
//!
//! A run trains a fully connected network with softmax cross-entropy by mini-batch SGD, and
//! after every epoch measures the loss and error on the whole training set and the accuracy on
//! held-out digits, with batch normalization (if any) in inference mode.

use crate::activations::{Activation, Elu, Identity, LeakyRelu, Prelu};
use crate::data::{Dataset, digits_shared};
use crate::network::init::{Biases, Init, build};
use crate::network::train::{Sgd, TrainError, train_observed};
use crate::network::{Loss, Network};

/// Makes a fresh activation for each hidden layer.
pub type MakeActivation = fn() -> Box<dyn Activation>;

/// Digits the runs train on.
pub const TRAIN_IMAGES: usize = 1000;
/// Held-out digits the runs are tested on.
pub const TEST_IMAGES: usize = 1000;

/// The fixed split: [`TRAIN_IMAGES`] training digits and [`TEST_IMAGES`] others, the same for
/// every run so that runs differ only in what they are meant to.
pub fn split() -> &'static (Dataset, Dataset) {
    static SPLIT: std::sync::OnceLock<(Dataset, Dataset)> = std::sync::OnceLock::new();
    SPLIT.get_or_init(|| {
        let (train, rest) = digits_shared()
            .split(TRAIN_IMAGES, 2024)
            .expect("5,000 digits hold the training set");
        let test = rest.split(TEST_IMAGES, 2025).expect("and the test set").0;
        (train, test)
    })
}

/// A training run, apart from its seed.
#[derive(Debug, Clone, Copy)]
pub struct RunSpec {
    /// Units per hidden layer, from the input side.
    pub hidden: &'static [usize],
    /// The hidden layers' activation.
    pub activation: MakeActivation,
    /// How the weights are drawn.
    pub init: Init,
    /// The initial biases.
    pub biases: Biases,
    /// Batch normalization on every hidden layer.
    pub batch_norm: bool,
    /// Learning rate, momentum, batch size and epochs (the seed is the run's).
    pub sgd: Sgd,
    /// How many of the split's training digits to train on (the first ones), at most
    /// [`TRAIN_IMAGES`].
    pub train_images: usize,
}

impl RunSpec {
    /// The digits this run trains on: the first [`RunSpec::train_images`] of the split.
    pub fn training_set(&self) -> Dataset {
        let n = self.train_images.min(TRAIN_IMAGES);
        split().0.select(&(0..n).collect::<Vec<_>>())
    }

    /// The network of this run for `seed`: 784 inputs, the hidden layers, 10 outputs.
    pub fn network(&self, seed: u64) -> Network {
        let mut sizes = vec![784];
        sizes.extend(self.hidden);
        sizes.push(10);
        let hidden = self.hidden.len();
        let net = build(
            &sizes,
            |l| -> Box<dyn Activation> {
                if l == hidden {
                    Box::new(Identity)
                } else {
                    (self.activation)()
                }
            },
            self.init,
            self.biases,
            Loss::SoftmaxCrossEntropy,
            seed,
        )
        .expect("valid sizes");
        if self.batch_norm {
            net.with_batch_norm(|l| l < hidden)
        } else {
            net
        }
    }
}

/// What a run measured, entry 0 before training and entry `e` after epoch `e`.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Mean cross-entropy on the whole training set.
    pub train_loss: Vec<f64>,
    /// Fraction of training digits misclassified.
    pub train_error: Vec<f64>,
    /// Fraction of test digits classified correctly.
    pub test_accuracy: Vec<f64>,
    /// Fraction of hidden units that are dead: whose output is exactly 0 on every training
    /// digit, so that no training example sends them any gradient.
    pub dead: Vec<f64>,
    /// For each hidden layer, the fraction of (digit, unit) outputs that are exactly 0 on the
    /// training set: the sparsity of the layer's representation.
    pub zeros: Vec<Vec<f64>>,
    /// Fraction of hidden units whose pre-activation is at most 0 on every training digit:
    /// for ReLU these are the dead units; a Leaky ReLU unit there still gets a gradient.
    pub inactive: Vec<f64>,
    /// For each hidden layer, its activation's learned parameter (PReLU's slope), if any.
    pub parameters: Vec<Vec<Option<f64>>>,
    /// For each hidden layer, the mean activation over training digits and units.
    pub a_mean: Vec<Vec<f64>>,
}

/// What [`measure`] finds for a network on the split.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Mean cross-entropy on the training set.
    pub train_loss: f64,
    /// Fraction of training digits misclassified.
    pub train_error: f64,
    /// Fraction of test digits classified correctly.
    pub test_accuracy: f64,
    /// Fraction of hidden units dead on the training set.
    pub dead: f64,
    /// Fraction of exact zeros per hidden layer on the training set.
    pub zeros: Vec<f64>,
    /// Fraction of hidden units whose pre-activation is at most 0 on every training digit.
    pub inactive: f64,
    /// Each hidden layer's learned activation parameter, if any.
    pub parameters: Vec<Option<f64>>,
    /// Each hidden layer's mean activation on the training set.
    pub a_mean: Vec<f64>,
}

/// Measures `net` on the training digits `train` and the split's test digits, with batch
/// normalization (if any) in inference mode.
pub fn measure(net: &Network, train: &Dataset) -> Measurement {
    let test = &split().1;
    let cache = net.forward_eval(train.inputs.view());
    let hidden_layers = cache.z.len() - 1;
    let inactive = cache.z[..hidden_layers]
        .iter()
        .map(|z| {
            z.columns()
                .into_iter()
                .filter(|unit| unit.iter().all(|&v| v <= 0.0))
                .count()
        })
        .sum::<usize>();
    let hidden = &cache.a[1..cache.a.len() - 1];
    let (mut dead, mut units) = (0usize, 0usize);
    let zeros = hidden
        .iter()
        .map(|a| {
            units += a.ncols();
            dead += a
                .columns()
                .into_iter()
                .filter(|unit| unit.iter().all(|&v| v == 0.0))
                .count();
            a.iter().filter(|&&v| v == 0.0).count() as f64 / a.len().max(1) as f64
        })
        .collect();
    let wrong = Network::predicted(&cache)
        .iter()
        .zip(&train.labels)
        .filter(|(p, label)| p != label)
        .count();
    Measurement {
        train_loss: net.loss_value(&cache, train.one_hot().view()),
        train_error: wrong as f64 / train.len().max(1) as f64,
        test_accuracy: net.accuracy(test.inputs.view(), &test.labels),
        dead: dead as f64 / units.max(1) as f64,
        zeros,
        inactive: inactive as f64 / units.max(1) as f64,
        parameters: net.layers[..hidden_layers]
            .iter()
            .map(|l| l.activation.parameter())
            .collect(),
        a_mean: hidden.iter().map(|a| a.mean().unwrap_or(0.0)).collect(),
    }
}

/// One run with `seed` (the seed draws the weights and orders the batches); `observe(epoch,
/// net)` sees the network after each epoch, as well as the curve.
///
/// # Errors
/// When training stops because a number stopped being finite.
pub fn run_observed(
    spec: &RunSpec,
    seed: u64,
    observe: impl FnMut(usize, &Network),
) -> Result<Curve, TrainError> {
    run_network(spec.network(seed), spec, seed, observe)
}

/// [`run_observed`] from a network built (and perhaps changed) by the caller, for example one
/// whose activations carry a parameter that a `fn` pointer cannot capture.
///
/// # Errors
/// As [`run_observed`].
pub fn run_network(
    mut net: Network,
    spec: &RunSpec,
    seed: u64,
    mut observe: impl FnMut(usize, &Network),
) -> Result<Curve, TrainError> {
    let train = spec.training_set();
    let mut curve = Curve {
        train_loss: Vec::new(),
        train_error: Vec::new(),
        test_accuracy: Vec::new(),
        dead: Vec::new(),
        zeros: Vec::new(),
        inactive: Vec::new(),
        parameters: Vec::new(),
        a_mean: Vec::new(),
    };
    let push = |net: &Network, curve: &mut Curve| {
        let m = measure(net, &train);
        curve.train_loss.push(m.train_loss);
        curve.train_error.push(m.train_error);
        curve.test_accuracy.push(m.test_accuracy);
        curve.dead.push(m.dead);
        curve.zeros.push(m.zeros);
        curve.inactive.push(m.inactive);
        curve.parameters.push(m.parameters);
        curve.a_mean.push(m.a_mean);
    };
    push(&net, &mut curve);
    observe(0, &net);
    let sgd = Sgd { seed, ..spec.sgd };
    train_observed(
        &mut net,
        &train,
        &sgd,
        |_| false,
        |epoch, net| {
            push(net, &mut curve);
            observe(epoch, net);
        },
    )?;
    Ok(curve)
}

/// [`run_observed`] without an observer.
///
/// # Errors
/// As [`run_observed`].
pub fn run(spec: &RunSpec, seed: u64) -> Result<Curve, TrainError> {
    run_observed(spec, seed, |_, _| {})
}

/// The arithmetic mean of curves of equal length, entry by entry.
///
/// # Panics
/// For an empty slice.
pub fn mean_curve(curves: &[Curve]) -> Curve {
    let mean = |pick: fn(&Curve) -> &Vec<f64>| -> Vec<f64> {
        let n = curves.len() as f64;
        (0..pick(&curves[0]).len())
            .map(|i| curves.iter().map(|c| pick(c)[i]).sum::<f64>() / n)
            .collect()
    };
    let n = curves.len() as f64;
    let per_layer = |pick: fn(&Curve) -> &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        (0..pick(&curves[0]).len())
            .map(|e| {
                (0..pick(&curves[0])[e].len())
                    .map(|l| curves.iter().map(|c| pick(c)[e][l]).sum::<f64>() / n)
                    .collect()
            })
            .collect()
    };
    let zeros = per_layer(|c| &c.zeros);
    let parameters = (0..curves[0].parameters.len())
        .map(|e| {
            (0..curves[0].parameters[e].len())
                .map(|l| {
                    let values: Option<Vec<f64>> =
                        curves.iter().map(|c| c.parameters[e][l]).collect();
                    values.map(|v| v.iter().sum::<f64>() / n)
                })
                .collect()
        })
        .collect();
    Curve {
        train_loss: mean(|c| &c.train_loss),
        train_error: mean(|c| &c.train_error),
        test_accuracy: mean(|c| &c.test_accuracy),
        dead: mean(|c| &c.dead),
        zeros,
        inactive: mean(|c| &c.inactive),
        parameters,
        a_mean: per_layer(|c| &c.a_mean),
    }
}

/// The first entry at which `values` is at or below `threshold` (`None` if never).
pub fn first_at_or_below(values: &[f64], threshold: f64) -> Option<usize> {
    values.iter().position(|&v| v <= threshold)
}

/// Hidden layers of the comparison runs: five of 64 units.
pub const COMPARISON_HIDDEN: &[usize] = &[64; 5];
/// Seeds each comparison curve is averaged over.
pub const COMPARISON_SEEDS: u64 = 3;
/// The SGD settings of the comparison runs: learning rate 0.01, batches of 20, 30 epochs,
/// no momentum.
pub const COMPARISON_SGD: Sgd = Sgd {
    learning_rate: 0.01,
    momentum: 0.0,
    weight_decay: 0.0,
    batch_size: 20,
    epochs: 30,
    seed: 0,
};

/// The initial slope of PReLU, as He et al. (2015) start it.
pub const PRELU_INITIAL_SLOPE: f64 = 0.25;

/// The activations compared on the digits, each with the initializer made for it: Glorot for
/// sigmoid, tanh and LeCun's scaled tanh; He for the ReLU family (ReLU, Leaky ReLU with slope
/// 0.01, PReLU, RReLU, ELU with $\alpha = 1$) and for the smooth ReLUs (softplus, GELU, SiLU);
/// LeCun's $\mathcal{N}(0, 1/n)$ for SELU, as its self-normalization needs. Also the sigmoid
/// network with batch normalization.
pub fn comparison_specs() -> Vec<(&'static str, RunSpec)> {
    let spec = |activation: MakeActivation, init| RunSpec {
        hidden: COMPARISON_HIDDEN,
        activation,
        init,
        biases: Biases::Zero,
        batch_norm: false,
        sgd: COMPARISON_SGD,
        train_images: TRAIN_IMAGES,
    };
    vec![
        (
            "sigmoid",
            spec(
                || Box::new(crate::activations::Sigmoid),
                Init::GlorotUniform,
            ),
        ),
        (
            "tanh",
            spec(|| Box::new(crate::activations::Tanh), Init::GlorotUniform),
        ),
        (
            "relu",
            spec(|| Box::new(crate::activations::Relu), Init::He),
        ),
        (
            "leaky_relu",
            spec(
                || Box::new(LeakyRelu::new(0.01).expect("a finite slope")),
                Init::He,
            ),
        ),
        (
            "prelu",
            spec(
                || Box::new(Prelu::new(PRELU_INITIAL_SLOPE).expect("a finite slope")),
                Init::He,
            ),
        ),
        (
            "elu",
            spec(|| Box::new(Elu::new(1.0).expect("alpha 1")), Init::He),
        ),
        (
            "rrelu",
            spec(|| Box::new(crate::activations::Rrelu::standard()), Init::He),
        ),
        (
            "scaled_tanh",
            spec(
                || Box::new(crate::activations::ScaledTanh),
                Init::GlorotUniform,
            ),
        ),
        (
            "selu",
            spec(|| Box::new(crate::activations::Selu), Init::FanIn),
        ),
        (
            "softplus",
            spec(|| Box::new(crate::activations::Softplus), Init::He),
        ),
        (
            "gelu",
            spec(|| Box::new(crate::activations::Gelu), Init::He),
        ),
        (
            "silu",
            spec(|| Box::new(crate::activations::Silu), Init::He),
        ),
        (
            "sigmoid + batch norm",
            RunSpec {
                batch_norm: true,
                ..spec(
                    || Box::new(crate::activations::Sigmoid),
                    Init::GlorotUniform,
                )
            },
        ),
    ]
}

/// Every comparison run, by activation, one curve per seed; computed once per process, the
/// runs spread over the available cores.
pub fn comparison() -> &'static [(&'static str, Vec<Curve>)] {
    static RUNS: std::sync::OnceLock<Vec<(&'static str, Vec<Curve>)>> = std::sync::OnceLock::new();
    RUNS.get_or_init(|| {
        let specs = comparison_specs();
        let jobs: Vec<(usize, u64)> = (0..specs.len())
            .flat_map(|i| (0..COMPARISON_SEEDS).map(move |s| (i, s)))
            .collect();
        let curves = parallel_map(&jobs, |&(i, seed)| {
            run(&specs[i].1, seed).expect("the comparison runs stay finite")
        });
        specs
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                let mine = jobs
                    .iter()
                    .zip(&curves)
                    .filter(|((j, _), _)| *j == i)
                    .map(|(_, c)| c.clone())
                    .collect();
                (*name, mine)
            })
            .collect()
    })
}

/// The mean comparison curve of one activation.
///
/// # Panics
/// For a name that is not in [`comparison_specs`].
pub fn comparison_mean(name: &str) -> Curve {
    let (_, curves) = comparison()
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a compared activation");
    mean_curve(curves)
}

/// `f` on every item, spread over the available cores; the results in the items' order, so
/// they do not depend on the number of cores.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(items.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker does not panic"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::Tanh;

    #[test]
    fn the_split_is_disjoint_and_the_sizes_hold() {
        let (train, test) = split();
        assert_eq!((train.len(), test.len()), (TRAIN_IMAGES, TEST_IMAGES));
        // No test image is also a training image.
        let rows: std::collections::HashSet<Vec<u64>> = train
            .inputs
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| v.to_bits()).collect())
            .collect();
        let shared = test
            .inputs
            .rows()
            .into_iter()
            .filter(|r| rows.contains(&r.iter().map(|v| v.to_bits()).collect::<Vec<_>>()))
            .count();
        assert_eq!(shared, 0);
    }

    #[test]
    fn a_short_run_learns_and_means_are_means() {
        let spec = RunSpec {
            hidden: &[32],
            activation: || Box::new(Tanh),
            init: Init::GlorotUniform,
            biases: Biases::Zero,
            batch_norm: false,
            sgd: Sgd::new(0.1, 20, 2),
            train_images: TRAIN_IMAGES,
        };
        let a = run(&spec, 0).unwrap();
        assert_eq!(a.train_loss.len(), 3);
        assert!(a.train_error[2] < 0.5 * a.train_error[0], "{a:?}");
        assert!(a.test_accuracy[2] > 0.7, "{a:?}");
        let b = run(&spec, 1).unwrap();
        let m = mean_curve(&[a.clone(), b.clone()]);
        assert_eq!(m.train_loss[1], (a.train_loss[1] + b.train_loss[1]) / 2.0);
        assert_eq!(first_at_or_below(&[0.5, 0.3, 0.1], 0.3), Some(1));
        assert_eq!(first_at_or_below(&[0.5], 0.3), None);
    }
}
