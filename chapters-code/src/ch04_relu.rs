//! Chapter 4, *ReLU*: a unit whose slope is exactly one where it is active.
//!
//! The chapter measures what that buys and what it costs: sparse layers, units that die, the
//! variance argument behind the initializations of Glorot and of He (pushed through 50 layers),
//! batch normalization as the other remedy, and the speed of ReLU against tanh on the digits.

use crate::activations::{
    Activation, Relu, Sigmoid, Tanh, relu, relu_derivative, softplus, softplus_derivative,
};
use crate::ch01_networks::{DEEP_LAYERS, deep_gradient_norms_of, deep_network};
use crate::cli::{self, CliError, Opt, Spec};
use crate::experiments::{
    self, COMPARISON_SEEDS, Curve, MakeActivation, RunSpec, comparison, first_at_or_below,
    mean_curve, parallel_map,
};
use crate::network::init::{Biases, Init};
use crate::network::train::{Sgd, TrainError};
use crate::numerics::{format_quoted, geometric_mean, linspace};
use crate::plot::{Corner, LineChart, Series, YAxis, per_epoch, per_layer};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// ReLU and softplus, its smooth relative, with their derivatives.
pub fn relu_chart() -> LineChart {
    let xs = linspace(-4.0, 4.0, 801);
    let curve = |f: fn(f64) -> f64| xs.iter().map(|&x| (x, f(x))).collect();
    LineChart {
        title: "ReLU and softplus, with their derivatives".into(),
        x_label: "x".into(),
        y_label: "value".into(),
        x_range: (-4.0, 4.0),
        y_axis: YAxis::Linear(-0.5, 4.0),
        series: vec![
            Series::line("ReLU(x) = max(0, x)", curve(relu)),
            Series::line("ReLU'(x)", curve(relu_derivative)).dashed(),
            Series::line("softplus(x) = ln(1 + eˣ)", curve(softplus)),
            Series::line("softplus'(x) = σ(x)", curve(softplus_derivative)).dashed(),
        ],
        legend: Corner::UpperLeft,
    }
}

// ANCHOR: slope_at_zero
/// ReLU whose derivative at exactly $z = 0$ is `at_zero` instead of our 0: any value in
/// $[0, 1]$ is a subgradient there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReluSlopeAtZero {
    /// The derivative used at $z = 0$.
    pub at_zero: f64,
}

impl Activation for ReluSlopeAtZero {
    fn name(&self) -> &'static str {
        "relu"
    }
    fn value(&self, x: f64) -> f64 {
        relu(x)
    }
    fn derivative(&self, x: f64) -> f64 {
        if x == 0.0 {
            self.at_zero
        } else {
            relu_derivative(x)
        }
    }
}
// ANCHOR_END: slope_at_zero

/// Epochs of the runs that compare slopes at zero.
pub const AT_ZERO_EPOCHS: usize = 10;

/// The comparison's ReLU run (seed 0, [`AT_ZERO_EPOCHS`] epochs) with the derivative at zero
/// set to 0, 1/2 and 1.
pub fn slope_at_zero_curves() -> &'static [(f64, Curve)] {
    static RUNS: OnceLock<Vec<(f64, Curve)>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let makers: [(f64, MakeActivation); 3] = [
            (0.0, || Box::new(ReluSlopeAtZero { at_zero: 0.0 })),
            (0.5, || Box::new(ReluSlopeAtZero { at_zero: 0.5 })),
            (1.0, || Box::new(ReluSlopeAtZero { at_zero: 1.0 })),
        ];
        parallel_map(&makers, |&(c, make)| {
            let spec = RunSpec {
                activation: make,
                sgd: Sgd {
                    epochs: AT_ZERO_EPOCHS,
                    ..experiments::COMPARISON_SGD
                },
                ..relu_spec()
            };
            (
                c,
                experiments::run(&spec, 0).expect("the ReLU runs stay finite"),
            )
        })
    })
}

/// The ReLU network of the comparison runs (He initialization).
pub fn relu_spec() -> RunSpec {
    experiments::comparison_specs()
        .into_iter()
        .find(|(n, _)| *n == "relu")
        .expect("the comparison has a ReLU run")
        .1
}

/// Sparsity per hidden layer of the comparison's ReLU networks, before training and after the
/// last epoch, averaged over seeds.
pub fn sparsity() -> (Vec<f64>, Vec<f64>) {
    let c = comparison_mean_of("relu");
    (c.zeros[0].clone(), c.zeros[c.zeros.len() - 1].clone())
}

fn comparison_mean_of(name: &str) -> Curve {
    experiments::comparison_mean(name)
}

/// The fraction of exact zeros per layer, before and after training.
pub fn sparsity_chart() -> LineChart {
    let (before, after) = sparsity();
    let layers = before.len();
    LineChart {
        title: "Sparsity of ReLU layers on the training digits".into(),
        x_label: format!(
            "hidden layer ({layers} layers of 64, He initialization; mean of {COMPARISON_SEEDS} seeds)"
        ),
        y_label: "fraction of outputs exactly 0".into(),
        x_range: (1.0, layers as f64),
        y_axis: YAxis::Linear(0.0, 1.0),
        series: vec![
            Series::line("before training", per_layer(&before)).with_markers(),
            Series::line(
                format!("after {} epochs", experiments::COMPARISON_SGD.epochs),
                per_layer(&after),
            )
            .with_markers(),
        ],
        legend: Corner::LowerRight,
    }
}

/// The learning rates of the dying-units experiment.
pub const DYING_RATES: [f64; 4] = [0.01, 0.1, 0.3, 0.5];
/// Epochs of the dying-units runs.
pub const DYING_EPOCHS: usize = 10;
/// Seeds each dying-units curve is averaged over.
pub const DYING_SEEDS: u64 = 3;

/// The dying-units setup: the comparison's network (five hidden layers of 64, He
/// initialization, batches of 20) with the hidden activation `activation`, trained for
/// [`DYING_EPOCHS`] epochs at `learning_rate`, with every bias starting at `bias`.
pub fn dying_spec(activation: MakeActivation, learning_rate: f64, bias: f64) -> RunSpec {
    RunSpec {
        activation,
        biases: if bias == 0.0 {
            Biases::Zero
        } else {
            Biases::Constant(bias)
        },
        sgd: Sgd {
            learning_rate,
            epochs: DYING_EPOCHS,
            ..experiments::COMPARISON_SGD
        },
        ..relu_spec()
    }
}

/// The dying-units runs of ReLU, one mean curve per learning rate of [`DYING_RATES`].
pub fn dying_curves() -> &'static [Curve] {
    static RUNS: OnceLock<Vec<Curve>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let jobs: Vec<(f64, u64)> = DYING_RATES
            .iter()
            .flat_map(|&r| (0..DYING_SEEDS).map(move |s| (r, s)))
            .collect();
        let curves = parallel_map(&jobs, |&(rate, seed)| {
            experiments::run(&dying_spec(|| Box::new(Relu), rate, 0.0), seed)
                .expect("the dying-units runs stay finite")
        });
        curves
            .chunks(DYING_SEEDS as usize)
            .map(mean_curve)
            .collect()
    })
}

/// The bias shift of the second dying-units experiment: every bias starts here.
pub const BIAS_SHIFT: f64 = -0.5;
/// The learning rate of the bias-shift runs.
pub const BIAS_SHIFT_RATE: f64 = 0.1;

/// The ReLU runs with every bias starting at [`BIAS_SHIFT`], mean over [`DYING_SEEDS`] seeds.
pub fn bias_shift_curve() -> &'static Curve {
    static RUN: OnceLock<Curve> = OnceLock::new();
    RUN.get_or_init(|| {
        let seeds: Vec<u64> = (0..DYING_SEEDS).collect();
        let curves = parallel_map(&seeds, |&seed| {
            experiments::run(
                &dying_spec(|| Box::new(Relu), BIAS_SHIFT_RATE, BIAS_SHIFT),
                seed,
            )
            .expect("the bias-shift runs stay finite")
        });
        mean_curve(&curves)
    })
}

/// Dead units per epoch for each learning rate, and for the shifted biases.
pub fn dying_chart() -> LineChart {
    let mut series: Vec<Series> = DYING_RATES
        .iter()
        .zip(dying_curves())
        .map(|(rate, c)| Series::line(format!("learning rate {rate}"), per_epoch(&c.dead)))
        .map(Series::with_markers)
        .collect();
    series.push(
        Series::line(
            format!("biases start at {BIAS_SHIFT}, rate {BIAS_SHIFT_RATE}"),
            per_epoch(&bias_shift_curve().dead),
        )
        .dashed(),
    );
    LineChart {
        title: "Dead ReLU units during training".into(),
        x_label: format!(
            "epoch (five hidden layers of 64, He initialization; mean of {DYING_SEEDS} seeds)"
        ),
        y_label: "fraction of hidden units dead on every training digit".into(),
        x_range: (0.0, DYING_EPOCHS as f64),
        y_axis: YAxis::Linear(0.0, 1.0),
        series,
        legend: Corner::UpperRight,
    }
}

/// Depth of the signal-propagation experiment.
pub const SIGNAL_LAYERS: usize = 50;
/// Width of every layer of the signal-propagation experiment.
pub const SIGNAL_WIDTH: usize = 128;
/// Examples pushed through it.
pub const SIGNAL_BATCH: usize = 128;

/// What a random network does to a random signal, per layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// $\operatorname{Var}(z_\ell)$ of the pre-activations, layer 1 first.
    pub forward: Vec<f64>,
    /// $\operatorname{Var}(\delta_\ell)$ of the backpropagated $\partial\mathcal{L}/\partial z_\ell$,
    /// starting from unit-variance noise at the top.
    pub backward: Vec<f64>,
}

fn normal_matrix(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || StandardNormal.sample(rng))
}

fn variance(x: &Array2<f64>) -> f64 {
    // The weights and inputs have mean zero; the variance is about zero, as in the derivation.
    x.mapv(|v| v * v).mean().unwrap_or(0.0)
}

// ANCHOR: signal
/// Pushes unit-variance Gaussian inputs through [`SIGNAL_LAYERS`] layers of [`SIGNAL_WIDTH`]
/// units of `act` (weights from `init`, no biases), then unit-variance noise back down, and
/// records the variance at every layer.
pub fn signal(act: &dyn Activation, init: Init, seed: u64) -> Signal {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = SIGNAL_WIDTH;
    let weights: Vec<Array2<f64>> = (0..SIGNAL_LAYERS)
        .map(|_| init.weights(n, n, &mut rng))
        .collect();
    // Forward: z_l = a_{l-1} W_l^T, a_l = f(z_l).
    let mut a = normal_matrix(SIGNAL_BATCH, n, &mut rng);
    let mut zs = Vec::with_capacity(SIGNAL_LAYERS);
    for w in &weights {
        let z = a.dot(&w.t());
        a = z.mapv(|v| act.value(v));
        zs.push(z);
    }
    // Backward: delta_{l-1} = (delta_l W_l) * f'(z_{l-1}).
    let mut delta = normal_matrix(SIGNAL_BATCH, n, &mut rng);
    let mut backward = vec![variance(&delta)];
    for l in (1..SIGNAL_LAYERS).rev() {
        delta = delta.dot(&weights[l]) * zs[l - 1].mapv(|v| act.derivative(v));
        backward.push(variance(&delta));
    }
    backward.reverse();
    Signal {
        forward: zs.iter().map(variance).collect(),
        backward,
    }
}
// ANCHOR_END: signal

/// The initializations the signal experiment compares.
pub const SIGNAL_INITS: [Init; 3] = [Init::StandardNormal, Init::FanIn, Init::He];

fn signal_label(init: Init) -> &'static str {
    match init {
        Init::StandardNormal => "N(0, 1)",
        Init::FanIn => "1/n (LeCun; Glorot when widths are equal)",
        Init::He => "2/n (He)",
        _ => init.name(),
    }
}

/// Random networks each signal is averaged over.
pub const SIGNAL_SEEDS: u64 = 6;

/// The signal for every initialization of [`SIGNAL_INITS`], for ReLU (`relu = true`) or tanh:
/// per layer, the geometric mean over [`SIGNAL_SEEDS`] random networks. (One network of
/// finite width wanders: each layer multiplies the variance by a random factor near the
/// expected one.)
pub fn signals(relu: bool) -> &'static [Signal] {
    static RELU: OnceLock<Vec<Signal>> = OnceLock::new();
    static TANH: OnceLock<Vec<Signal>> = OnceLock::new();
    let cell = if relu { &RELU } else { &TANH };
    cell.get_or_init(|| {
        let jobs: Vec<(Init, u64)> = SIGNAL_INITS
            .iter()
            .flat_map(|&i| (0..SIGNAL_SEEDS).map(move |s| (i, s)))
            .collect();
        let runs = parallel_map(&jobs, |&(init, seed)| {
            if relu {
                signal(&Relu, init, seed)
            } else {
                signal(&Tanh, init, seed)
            }
        });
        runs.chunks(SIGNAL_SEEDS as usize)
            .map(|per_init| {
                let geometric = |pick: fn(&Signal) -> &Vec<f64>| -> Vec<f64> {
                    (0..SIGNAL_LAYERS)
                        .map(|l| geometric_mean(per_init.iter().map(|s| pick(s)[l])))
                        .collect()
                };
                Signal {
                    forward: geometric(|s| &s.forward),
                    backward: geometric(|s| &s.backward),
                }
            })
            .collect()
    })
}

fn signal_chart(relu: bool) -> LineChart {
    let name = if relu { "ReLU" } else { "tanh" };
    let mut series = Vec::new();
    for (init, s) in SIGNAL_INITS.iter().zip(signals(relu)) {
        series.push(
            Series::line(
                format!("forward, {}", signal_label(*init)),
                per_layer(&s.forward),
            )
            .with_markers(),
        );
    }
    for (init, s) in SIGNAL_INITS.iter().zip(signals(relu)) {
        if *init != Init::StandardNormal {
            series.push(
                Series::line(
                    format!("backward, {}", signal_label(*init)),
                    per_layer(&s.backward),
                )
                .dashed(),
            );
        }
    }
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    LineChart {
        title: format!("{name}: variance through {SIGNAL_LAYERS} random layers"),
        x_label: format!(
            "layer ({SIGNAL_WIDTH} units each, no biases, Gaussian inputs; geometric mean of \
             {SIGNAL_SEEDS} networks)"
        ),
        y_label: "Var(z) forward, Var(∂L/∂z) backward".into(),
        x_range: (1.0, SIGNAL_LAYERS as f64),
        // Room below the curves for the legend where the data leave none above.
        y_axis: YAxis::Log(
            10f64.powf(lo.log10().floor() - if relu { 1.0 } else { 4.0 }),
            10f64.powf(hi.log10().ceil() + 1.0),
        ),
        series,
        legend: if relu {
            Corner::UpperLeft
        } else {
            Corner::LowerRight
        },
    }
}

/// The signal figure for ReLU.
pub fn signal_relu_chart() -> LineChart {
    signal_chart(true)
}

/// The signal figure for tanh.
pub fn signal_tanh_chart() -> LineChart {
    signal_chart(false)
}

/// Hidden layers of the trainability runs.
pub const DEEP_TRAIN_HIDDEN: &[usize] = &[64; 20];
/// Epochs of the trainability runs.
pub const DEEP_TRAIN_EPOCHS: usize = 10;
/// Seeds of the trainability runs.
pub const DEEP_TRAIN_SEEDS: u64 = 2;
/// The initializations the trainability runs compare.
pub const DEEP_TRAIN_INITS: [Init; 4] = [
    Init::StandardNormal,
    Init::FanIn,
    Init::GlorotUniform,
    Init::He,
];

/// How a trainability run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It finished, with this training error after the last epoch.
    Trained(f64),
    /// The loss or a gradient stopped being finite at this step.
    Diverged(usize),
}

/// For tanh and ReLU (in that order) and each of [`DEEP_TRAIN_INITS`], the outcome of each
/// seed of a 20-layer network trained on the digits.
pub fn trainability() -> &'static [Vec<Vec<Outcome>>] {
    static RUNS: OnceLock<Vec<Vec<Vec<Outcome>>>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let acts: [MakeActivation; 2] = [|| Box::new(Tanh), || Box::new(Relu)];
        let jobs: Vec<(usize, usize, u64)> = (0..2)
            .flat_map(|a| (0..DEEP_TRAIN_INITS.len()).map(move |i| (a, i)))
            .flat_map(|(a, i)| (0..DEEP_TRAIN_SEEDS).map(move |s| (a, i, s)))
            .collect();
        let outcomes = parallel_map(&jobs, |&(a, i, seed)| {
            let spec = RunSpec {
                hidden: DEEP_TRAIN_HIDDEN,
                activation: acts[a],
                init: DEEP_TRAIN_INITS[i],
                biases: Biases::Zero,
                batch_norm: false,
                sgd: Sgd {
                    epochs: DEEP_TRAIN_EPOCHS,
                    ..experiments::COMPARISON_SGD
                },
                train_images: experiments::TRAIN_IMAGES,
            };
            match experiments::run(&spec, seed) {
                Ok(c) => Outcome::Trained(c.train_error[c.train_error.len() - 1]),
                Err(TrainError::NotFinite { step, .. }) => Outcome::Diverged(step),
                Err(e) => panic!("the trainability settings are valid: {e}"),
            }
        });
        outcomes
            .chunks(DEEP_TRAIN_SEEDS as usize * DEEP_TRAIN_INITS.len())
            .map(|per_act| {
                per_act
                    .chunks(DEEP_TRAIN_SEEDS as usize)
                    .map(<[Outcome]>::to_vec)
                    .collect()
            })
            .collect()
    })
}

/// One cell of the trainability table: the mean final training error, or where it diverged.
pub fn trainability_cell(outcomes: &[Outcome]) -> String {
    let errors: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Trained(e) => Some(*e),
            Outcome::Diverged(_) => None,
        })
        .collect();
    if errors.len() == outcomes.len() {
        format_quoted(errors.iter().sum::<f64>() / errors.len() as f64, 2)
    } else {
        let steps: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Diverged(s) => Some(s.to_string()),
                Outcome::Trained(_) => None,
            })
            .collect();
        format!(
            "diverged in {} of {} runs (at step {})",
            steps.len(),
            outcomes.len(),
            steps.join(", ")
        )
    }
}

/// The trainability table in Markdown, for the text to include.
pub fn trainability_table() -> String {
    let mut s = String::from("| initialization | tanh | ReLU |\n| --- | ---: | ---: |\n");
    let t = trainability();
    for (i, init) in DEEP_TRAIN_INITS.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            init_description(*init),
            trainability_cell(&t[0][i]),
            trainability_cell(&t[1][i])
        );
    }
    s.truncate(s.trim_end().len());
    s
}

fn init_description(init: Init) -> &'static str {
    match init {
        Init::StandardNormal => "N(0, 1)",
        Init::FanIn => "N(0, 1/n_in) (LeCun)",
        Init::GlorotUniform => "Glorot uniform",
        Init::GlorotNormal => "Glorot normal",
        Init::He => "N(0, 2/n_in) (He)",
    }
}

/// Geometric mean over seeds of the gradient norm per hidden layer of the deep network of
/// chapter 1 with the sigmoid and Glorot initialization, with or without batch
/// normalization, at initialization.
pub fn batch_norm_gradients(batch_norm: bool) -> Vec<f64> {
    let make = |seed| {
        let net = deep_network(|| Box::new(Sigmoid), Init::GlorotUniform, seed);
        if batch_norm {
            net.with_batch_norm(|l| l < DEEP_LAYERS)
        } else {
            net
        }
    };
    deep_gradient_norms_of(make)
}

/// Gradient norm per layer of the deep sigmoid network with and without batch normalization.
pub fn batch_norm_gradient_chart() -> LineChart {
    let (plain, normed) = (batch_norm_gradients(false), batch_norm_gradients(true));
    LineChart {
        title: "Deep sigmoid network: gradient norm per layer at initialization".into(),
        x_label: format!(
            "hidden layer (1 = nearest the input; {DEEP_LAYERS} layers of 64, Glorot uniform)"
        ),
        y_label: "‖∂L/∂W‖".into(),
        x_range: (1.0, DEEP_LAYERS as f64),
        y_axis: YAxis::Log(1e-7, 10.0),
        series: vec![
            Series::line("sigmoid", per_layer(&plain)).with_markers(),
            Series::line("sigmoid with batch normalization", per_layer(&normed)).with_markers(),
        ],
        legend: Corner::LowerRight,
    }
}

/// Training error on the digits: the five-layer sigmoid network with and without batch
/// normalization.
pub fn batch_norm_training_chart() -> LineChart {
    crate::ch03_tanh::training_chart_of(
        &["sigmoid", "sigmoid + batch norm"],
        "Training on the digits: batch normalization rescues the deep sigmoid network",
    )
}

/// Training error on the digits: ReLU against tanh.
pub fn relu_tanh_training_chart() -> LineChart {
    crate::ch03_tanh::training_chart_of(&["tanh", "relu"], "Training on the digits: ReLU and tanh")
}

/// The training error the speed comparison waits for.
pub const SPEED_THRESHOLD: f64 = 0.05;

/// For each seed of the comparison, the first epoch at which the training error is at or
/// below [`SPEED_THRESHOLD`] (`None` if never), for the activation `name`.
pub fn epochs_to_threshold(name: &str) -> Vec<Option<usize>> {
    comparison()
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a compared activation")
        .1
        .iter()
        .map(|c| first_at_or_below(&c.train_error, SPEED_THRESHOLD))
        .collect()
}

fn mean_epochs(name: &str) -> f64 {
    let e = epochs_to_threshold(name);
    let reached: Vec<f64> = e.iter().flatten().map(|&v| v as f64).collect();
    assert_eq!(
        reached.len(),
        e.len(),
        "{name} reaches the threshold in every run"
    );
    reached.iter().sum::<f64>() / reached.len() as f64
}

/// The numbers the chapter quotes.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let (before, after) = sparsity();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let dying = dying_curves();
    let last = DYING_EPOCHS;
    let shift = bias_shift_curve();
    let at_zero = slope_at_zero_curves();
    let (relu_sig, tanh_sig) = (signals(true), signals(false));
    let he = SIGNAL_INITS
        .iter()
        .position(|&i| i == Init::He)
        .expect("He");
    let fan_in = SIGNAL_INITS
        .iter()
        .position(|&i| i == Init::FanIn)
        .expect("1/n");
    let top = SIGNAL_LAYERS - 1;
    let bn_plain = batch_norm_gradients(false);
    let bn = batch_norm_gradients(true);
    let (sig, sig_bn) = (
        experiments::comparison_mean("sigmoid"),
        experiments::comparison_mean("sigmoid + batch norm"),
    );
    let epochs = experiments::COMPARISON_SGD.epochs;
    let (relu_epochs, tanh_epochs) = (mean_epochs("relu"), mean_epochs("tanh"));
    let mut v = vec![
        ("ch4_sparsity_before", format_quoted(mean(&before), 2)),
        ("ch4_sparsity_after", format_quoted(mean(&after), 2)),
        ("ch4_at_zero_epochs", AT_ZERO_EPOCHS.to_string()),
        (
            "ch4_at_zero_same",
            if at_zero.iter().all(|(_, c)| *c == at_zero[0].1) {
                "identical".to_string()
            } else {
                "different".to_string()
            },
        ),
        ("ch4_dying_epochs", DYING_EPOCHS.to_string()),
        ("ch4_dying_seeds", DYING_SEEDS.to_string()),
        ("ch4_dead_init", format_quoted(dying[0].dead[0], 2)),
        ("ch4_dead_slow", format_quoted(dying[0].dead[last], 2)),
        (
            "ch4_dead_fast",
            format_quoted(dying[DYING_RATES.len() - 1].dead[last], 2),
        ),
        (
            "ch4_error_fast",
            format_quoted(dying[DYING_RATES.len() - 1].train_error[last], 2),
        ),
        (
            "ch4_error_rate_01",
            format_quoted(dying[1].train_error[last], 2),
        ),
        (
            "ch4_rate_fast",
            DYING_RATES[DYING_RATES.len() - 1].to_string(),
        ),
        ("ch4_rate_slow", DYING_RATES[0].to_string()),
        ("ch4_rate_mid", DYING_RATES[1].to_string()),
        ("ch4_signal_seeds", SIGNAL_SEEDS.to_string()),
        ("ch4_bias_shift", BIAS_SHIFT.to_string()),
        ("ch4_bias_shift_rate", BIAS_SHIFT_RATE.to_string()),
        ("ch4_bias_dead", format_quoted(shift.dead[0], 2)),
        ("ch4_bias_dead_end", format_quoted(shift.dead[last], 2)),
        (
            "ch4_bias_error_end",
            format_quoted(shift.train_error[last], 2),
        ),
        ("ch4_signal_layers", SIGNAL_LAYERS.to_string()),
        ("ch4_signal_width", SIGNAL_WIDTH.to_string()),
        (
            "ch4_relu_he_top",
            format_quoted(relu_sig[he].forward[top], 2),
        ),
        (
            "ch4_relu_fanin_top",
            format_quoted(relu_sig[fan_in].forward[top], 2),
        ),
        ("ch4_half_power", format_quoted(0.5f64.powi(top as i32), 2)),
        (
            "ch4_relu_normal_top",
            format_quoted(relu_sig[0].forward[top], 2),
        ),
        (
            "ch4_relu_he_back",
            format_quoted(relu_sig[he].backward[0], 2),
        ),
        (
            "ch4_tanh_fanin_top",
            format_quoted(tanh_sig[fan_in].forward[top], 2),
        ),
        (
            "ch4_tanh_fanin_back",
            format_quoted(tanh_sig[fan_in].backward[0], 2),
        ),
        (
            "ch4_tanh_he_top",
            format_quoted(tanh_sig[he].forward[top], 2),
        ),
        (
            "ch4_tanh_normal_top",
            format_quoted(tanh_sig[0].forward[top], 2),
        ),
        ("ch4_deep_layers", DEEP_TRAIN_HIDDEN.len().to_string()),
        ("ch4_deep_epochs", DEEP_TRAIN_EPOCHS.to_string()),
        ("ch4_deep_seeds", DEEP_TRAIN_SEEDS.to_string()),
        ("ch4_trainability_table", trainability_table()),
        (
            "ch4_bn_ratio_plain",
            format_quoted(bn_plain[DEEP_LAYERS - 1] / bn_plain[0], 2),
        ),
        (
            "ch4_bn_ratio",
            format_quoted(bn[DEEP_LAYERS - 1] / bn[0], 2),
        ),
        ("ch4_bn_error", format_quoted(sig_bn.train_error[epochs], 2)),
        ("ch4_plain_error", format_quoted(sig.train_error[epochs], 2)),
        ("ch4_threshold", format_quoted(SPEED_THRESHOLD, 2)),
        ("ch4_relu_epochs", format_quoted(relu_epochs, 2)),
        ("ch4_tanh_epochs", format_quoted(tanh_epochs, 2)),
        ("ch4_speedup", format_quoted(tanh_epochs / relu_epochs, 2)),
        (
            "ch4_relu_accuracy",
            format_quoted(comparison_mean_of("relu").test_accuracy[epochs], 2),
        ),
        (
            "ch4_tanh_accuracy",
            format_quoted(comparison_mean_of("tanh").test_accuracy[epochs], 2),
        ),
    ];
    v.extend([
        (
            "ch4_ex_shift_fraction",
            format_quoted(exercises::zero_fraction(BIAS_SHIFT), 3),
        ),
        (
            "ch4_ex_leaky_variance",
            format_quoted(exercises::leaky_he_gain(0.01), 5),
        ),
    ]);
    v
}

/// The learning-rate option of the dying-units examples (this chapter's and chapter 5's).
pub const RATE_OPTION: Opt = Opt {
    name: "learning-rate",
    value: "R",
    help: "the SGD learning rate (above 0, at most 10)",
    default: Some("0.5"),
};

/// The initial-bias option of the dying-units examples.
pub const BIAS_OPTION: Opt = Opt {
    name: "bias",
    value: "B",
    help: "the value every bias starts at (-10 to 10)",
    default: Some("0"),
};

/// The epochs option of the dying-units examples.
pub const EPOCHS_OPTION: Opt = Opt {
    name: "epochs",
    value: "N",
    help: "epochs to train (1 to 100)",
    default: Some("10"),
};

/// The learning rate, initial bias and epochs of a dying-units example, read and checked.
///
/// # Errors
/// A usage error naming the option that does not parse or is out of range.
pub fn dying_settings(args: &cli::Args) -> Result<(f64, f64, usize), CliError> {
    let rate: f64 = args.get("learning-rate")?;
    let bias: f64 = args.get("bias")?;
    let epochs: usize = args.get("epochs")?;
    if !(rate > 0.0 && rate <= 10.0) {
        return Err(CliError::Usage(format!(
            "--learning-rate must be above 0 and at most 10, got {rate}"
        )));
    }
    if !(-10.0..=10.0).contains(&bias) {
        return Err(CliError::Usage(format!(
            "--bias must be between -10 and 10, got {bias}"
        )));
    }
    if !(1..=100).contains(&epochs) {
        return Err(CliError::Usage(format!(
            "--epochs must be between 1 and 100, got {epochs}"
        )));
    }
    Ok((rate, bias, epochs))
}

/// The options of the example.
pub const EXAMPLE: Spec = Spec {
    name: "ch04_relu",
    about: "Trains the five-layer ReLU network of chapter 4 on the digits and prints, per \
            epoch, the training error, the dead units and the sparsity of each layer.",
    options: &[
        RATE_OPTION,
        BIAS_OPTION,
        EPOCHS_OPTION,
        Opt {
            name: "seed",
            value: "S",
            help: "the seed of the weights and the batch order",
            default: Some("0"),
        },
    ],
    positional: None,
};

/// The example's output.
///
/// # Errors
/// A usage error for an option out of range; a failure when training stops because a number
/// stopped being finite.
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    let (rate, bias, epochs) = dying_settings(args)?;
    let seed: u64 = args.get("seed")?;
    let mut spec = dying_spec(|| Box::new(Relu), rate, bias);
    spec.sgd.epochs = epochs;
    let curve = experiments::run(&spec, seed).map_err(|e| CliError::Failed(e.to_string()))?;
    let layers = spec.hidden.len();
    let mut out = format!(
        "ReLU, {layers} hidden layers of 64, He initialization, biases {bias}, learning rate \
         {rate}, seed {seed}\n\nepoch  train error  test accuracy  dead units  zeros per layer\n"
    );
    for e in 0..=epochs {
        let zeros: Vec<String> = curve.zeros[e].iter().map(|z| format!("{z:.2}")).collect();
        let _ = writeln!(
            out,
            "{e:>5}  {:>11.3}  {:>13.3}  {:>10.3}  {}",
            curve.train_error[e],
            curve.test_accuracy[e],
            curve.dead[e],
            zeros.join(" ")
        );
    }
    Ok(out)
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::normal_cdf;

    // ANCHOR: exercise_zero_fraction
    /// The fraction of a ReLU unit's outputs that are exactly 0 when its pre-activation is
    /// $\mathcal{N}(\mu, 1)$: $P(Z \le 0) = \Phi(-\mu)$.
    pub fn zero_fraction(mu: f64) -> f64 {
        normal_cdf(-mu)
    }
    // ANCHOR_END: exercise_zero_fraction

    // ANCHOR: exercise_leaky_gain
    /// For Leaky ReLU with slope $a$ and $z \sim \mathcal{N}(0, \sigma^2)$,
    /// $\mathbb{E}[f(z)^2] = \frac{1 + a^2}{2} \sigma^2$, so the weight variance that keeps
    /// the variance of $z$ constant is $\frac{2}{(1 + a^2)\, n}$: this returns the gain
    /// $\frac{2}{1 + a^2}$ that multiplies $1/n$.
    pub fn leaky_he_gain(a: f64) -> f64 {
        2.0 / (1.0 + a * a)
    }
    // ANCHOR_END: exercise_leaky_gain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::LeakyRelu;
    use crate::numerics::normal_expectation;

    #[test]
    fn the_slope_at_zero_does_not_change_training() {
        let runs = slope_at_zero_curves();
        // Bit for bit the same curves: no pre-activation was ever exactly 0.
        for (_, c) in runs {
            assert_eq!(*c, runs[0].1);
        }
        assert!(runs[0].1.train_error[AT_ZERO_EPOCHS] < 0.2);
    }

    #[test]
    fn relu_layers_are_sparse() {
        let (before, after) = sparsity();
        for (b, a) in before.iter().zip(&after) {
            // About half the outputs are zero at initialization, and still a large share after.
            assert!(*b > 0.3 && *b < 0.7, "{before:?}");
            assert!(*a > 0.3, "{after:?}");
        }
    }

    #[test]
    fn large_learning_rates_and_negative_biases_kill_units() {
        let d = dying_curves();
        let last = DYING_EPOCHS;
        // Few units die at the smallest rate, many more at the largest.
        assert!(d[0].dead[last] < 0.1, "{:?}", d[0].dead);
        assert!(
            d[3].dead[last] > 2.0 * d[0].dead[last] + 0.05,
            "{:?}",
            d[3].dead
        );
        // Shifted biases kill most units at once, and the network does not learn.
        let s = bias_shift_curve();
        assert!(s.dead[0] > 0.5 && s.dead[last] > 0.5, "{:?}", s.dead);
        assert!(s.train_error[last] > 0.8);
    }

    #[test]
    fn he_keeps_the_relu_signal_and_one_over_n_halves_it_per_layer() {
        let s = signals(true);
        let he = &s[2];
        let fan_in = &s[1];
        // He: the first layer's variance is 2 (Gaussian inputs of variance 1, weights of
        // variance 2/n), and every layer's stays within a factor of 4 of it; backward, within
        // a factor of 4 of the unit variance sent down.
        for l in 0..SIGNAL_LAYERS {
            assert!(
                he.forward[l] > 0.5 && he.forward[l] < 8.0,
                "{:?}",
                he.forward
            );
            assert!(
                he.backward[l] > 0.25 && he.backward[l] < 4.0,
                "{:?}",
                he.backward
            );
        }
        // 1/n: the variance halves per layer, within a factor of 3 over 49 halvings.
        let ratio = fan_in.forward[SIGNAL_LAYERS - 1] / fan_in.forward[0];
        let predicted = 0.5f64.powi(SIGNAL_LAYERS as i32 - 1);
        assert!(
            ratio / predicted > 1.0 / 3.0 && ratio / predicted < 3.0,
            "{ratio}"
        );
    }

    #[test]
    fn one_over_n_keeps_tanh_alive_and_he_saturates_it() {
        let s = signals(false);
        let top = SIGNAL_LAYERS - 1;
        // 1/n: the variance shrinks slowly (tanh' < 1 away from 0) but stays far from zero
        // over fifty layers; 2/n settles at a larger, saturating variance.
        assert!(s[1].forward[top] > 1e-3 && s[1].forward[top] < 0.1);
        assert!(s[2].forward[top] > s[1].forward[top]);
    }

    #[test]
    fn batch_normalization_levels_the_sigmoid_gradients() {
        let plain = batch_norm_gradients(false);
        let bn = batch_norm_gradients(true);
        let ratio = |g: &[f64]| g[DEEP_LAYERS - 1] / g[0];
        assert!(ratio(&plain) > 1e4, "{plain:?}");
        assert!(ratio(&bn) < 100.0, "{bn:?}");
        let (sig, sig_bn) = (
            experiments::comparison_mean("sigmoid"),
            experiments::comparison_mean("sigmoid + batch norm"),
        );
        let e = experiments::COMPARISON_SGD.epochs;
        assert!(sig_bn.train_error[e] < 0.5 * sig.train_error[e]);
    }

    #[test]
    fn relu_reaches_the_threshold_sooner_than_tanh() {
        assert!(mean_epochs("relu") < mean_epochs("tanh"));
    }

    #[test]
    fn exercise_zero_fraction_matches_a_count() {
        let p = exercises::zero_fraction(BIAS_SHIFT);
        let counted = normal_expectation(|z| {
            if relu(z + BIAS_SHIFT) == 0.0 {
                1.0
            } else {
                0.0
            }
        });
        assert!((p - counted).abs() < 1e-3, "{p} {counted}");
        assert_eq!(exercises::zero_fraction(0.0), 0.5);
    }

    #[test]
    fn exercise_leaky_gain_keeps_the_signal() {
        // The second moment formula, by quadrature.
        for a in [0.0, 0.01, 0.25, 1.0] {
            let m = normal_expectation(|z| crate::activations::leaky_relu(z, a).powi(2));
            assert!((m - (1.0 + a * a) / 2.0).abs() < 1e-6, "{a}: {m}");
        }
        // And through fifty layers: with the gain for a = 0.25 the variance per layer is
        // kept (geometric mean of the fifty layer-to-layer ratios within 5% of 1, where
        // LeCun's 1/n would give about (1 + a^2)/2 per layer).
        let per_layer_gain = |gain: f64| {
            let a = 0.25;
            let act = LeakyRelu::new(a).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let n = SIGNAL_WIDTH;
            let mut x = normal_matrix(SIGNAL_BATCH, n, &mut rng);
            let mut vars = Vec::new();
            for _ in 0..SIGNAL_LAYERS {
                let w = normal_matrix(n, n, &mut rng) * (gain / n as f64).sqrt();
                let z = x.dot(&w.t());
                x = z.mapv(|v| act.value(v));
                vars.push(variance(&z));
            }
            (vars[SIGNAL_LAYERS - 1] / vars[0]).powf(1.0 / (SIGNAL_LAYERS - 1) as f64)
        };
        let kept = per_layer_gain(exercises::leaky_he_gain(0.25));
        assert!((kept - 1.0).abs() < 0.05, "{kept}");
        let lecun = per_layer_gain(1.0);
        assert!((lecun - (1.0 + 0.25 * 0.25) / 2.0).abs() < 0.05, "{lecun}");
    }

    #[test]
    fn exercise_a_dead_unit_receives_no_gradient() {
        // Kill unit 0 of the first layer with a large negative bias; after a training epoch
        // its weights are exactly what they were, while its neighbours' have moved.
        let spec = relu_spec();
        let mut net = spec.network(0);
        net.layers[0].biases[0] = -1e3;
        let before = net.layers[0].weights.clone();
        let sgd = Sgd {
            epochs: 1,
            ..experiments::COMPARISON_SGD
        };
        crate::network::train::train(&mut net, &experiments::split().0, &sgd, |_| false).unwrap();
        assert_eq!(net.layers[0].weights.row(0), before.row(0));
        assert_eq!(net.layers[0].biases[0], -1e3);
        assert_ne!(net.layers[0].weights.row(1), before.row(1));
    }

    #[test]
    fn the_example_rejects_bad_input() {
        for bad in [
            &["--learning-rate", "0"][..],
            &["--learning-rate", "nan"],
            &["--bias", "11"],
            &["--epochs", "0"],
            &["--epochs", "x"],
        ] {
            let args = EXAMPLE
                .parse(bad.iter().map(|s| s.to_string()))
                .unwrap()
                .unwrap();
            assert!(run_example(&args).is_err(), "{bad:?}");
        }
    }
}
