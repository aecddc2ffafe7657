//! Chapter 7, *After ELU*: SELU's self-normalization, the smooth gates GELU and SiLU,
//! remedies outside the activation (identity shortcuts and gradient clipping), and every
//! activation of the book side by side.

use crate::activations::{
    Activation, Elu, Relu, SELU_ALPHA, SELU_LAMBDA, Selu, catalog, gelu, gelu_derivative, relu,
    relu_derivative, selu, sigmoid, silu, silu_derivative, softplus, softplus_derivative,
};
use crate::cli::{self, CliError, Opt, Spec};
use crate::experiments::{
    self, COMPARISON_SEEDS, MakeActivation, comparison_mean, first_at_or_below, parallel_map, split,
};
use crate::network::init::Init;
use crate::numerics::{format_quoted, geometric_mean, linspace, normal_expectation, ulp_distance};
use crate::plot::{Corner, LineChart, Series, YAxis, per_epoch, per_layer};
use crate::residual::{self, Deep, Training, block_gradient_norms};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fmt::Write as _;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// SELU

/// SELU's two constants as our code computes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeluConstants {
    /// $\alpha_{01}$, which makes the mean output 0.
    pub alpha: f64,
    /// $\lambda_{01}$, which then makes the second moment 1.
    pub lambda: f64,
}

// ANCHOR: selu_constants
/// The $\alpha$ and $\lambda$ for which $z \sim \mathcal{N}(0, 1)$ gives
/// $\mathbb{E}[\mathrm{selu}(z)] = 0$ and $\mathbb{E}[\mathrm{selu}(z)^2] = 1$, from the closed
/// forms of the chapter. With $\Phi(-k) = \tfrac12 \operatorname{erfc}(k/\sqrt2)$:
///
/// - $\mathbb{E}[z;\, z > 0] = 1/\sqrt{2\pi}$ and
///   $\mathbb{E}[e^z - 1;\, z \le 0] = \sqrt e\,\Phi(-1) - \tfrac12$, so a zero mean needs
///   $\alpha = \sqrt{2/\pi} \,/\, (1 - \sqrt e \operatorname{erfc}(1/\sqrt2))$;
/// - $\mathbb{E}[z^2;\, z > 0] = \tfrac12$ and
///   $\mathbb{E}[(e^z - 1)^2;\, z \le 0] = e^2\Phi(-2) - 2\sqrt e\,\Phi(-1) + \tfrac12$, so a
///   unit second moment needs $\lambda = (\tfrac12 + \alpha^2 (\dots))^{-1/2}$.
///
/// ```
/// use chapters_code::activations::{SELU_ALPHA, SELU_LAMBDA};
/// use chapters_code::ch07_modern::selu_constants;
/// let c = selu_constants();
/// approx::assert_relative_eq!(c.alpha, SELU_ALPHA, max_relative = 1e-15);
/// approx::assert_relative_eq!(c.lambda, SELU_LAMBDA, max_relative = 1e-15);
/// ```
pub fn selu_constants() -> SeluConstants {
    use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};
    let sqrt_e = 0.5f64.exp();
    let phi_1 = 0.5 * libm::erfc(FRAC_1_SQRT_2); // Phi(-1)
    let phi_2 = 0.5 * libm::erfc(SQRT_2); // Phi(-2)
    let alpha = (2.0 / PI).sqrt() / (1.0 - 2.0 * sqrt_e * phi_1);
    let negative_side = 2f64.exp() * phi_2 - 2.0 * sqrt_e * phi_1 + 0.5;
    let lambda = 1.0 / (0.5 + alpha * alpha * negative_side).sqrt();
    SeluConstants { alpha, lambda }
}
// ANCHOR_END: selu_constants

/// The map of a SELU layer on its input's variance, when the weights of each unit sum to 0
/// and their squares to 1 (the paper's $\omega = 0$, $\tau = 1$): the pre-activation is
/// $z \sim \mathcal{N}(0, \nu)$, and the layer's output has mean $\tilde\mu$ and variance
/// $\tilde\nu$, returned as $(\tilde\mu, \tilde\nu)$.
pub fn selu_moment_map(nu: f64) -> (f64, f64) {
    let sd = nu.sqrt();
    let mean = normal_expectation(|x| selu(sd * x));
    let second = normal_expectation(|x| selu(sd * x).powi(2));
    (mean, second - mean * mean)
}

/// Variances the map is iterated from.
pub const MAP_STARTS: [f64; 2] = [0.25, 4.0];
/// Iterations of the map shown.
pub const MAP_STEPS: usize = 6;

/// The variance after each of [`MAP_STEPS`] layers, from each of [`MAP_STARTS`].
pub fn selu_map_iterations() -> Vec<Vec<f64>> {
    MAP_STARTS
        .iter()
        .map(|&start| {
            let mut nu = start;
            let mut out = vec![nu];
            for _ in 0..MAP_STEPS {
                nu = selu_moment_map(nu).1;
                out.push(nu);
            }
            out
        })
        .collect()
}

/// The slope $d\tilde\nu/d\nu$ of the variance map at its fixed point $\nu = 1$, by a
/// central difference: below 1, so a small error in the variance shrinks layer by layer.
pub fn selu_map_slope() -> f64 {
    let h = 1e-4;
    (selu_moment_map(1.0 + h).1 - selu_moment_map(1.0 - h).1) / (2.0 * h)
}

/// Layers of the signal experiment.
pub const SIGNAL_LAYERS: usize = 50;
/// Units per layer.
pub const SIGNAL_WIDTH: usize = 128;
/// Examples per batch (standard normal inputs).
pub const SIGNAL_BATCH: usize = 1000;
/// Random networks each curve averages.
pub const SIGNAL_SEEDS: u64 = 3;

/// The networks of the signal experiment: a label, the activation and the initializer.
pub fn signal_configs() -> [(&'static str, MakeActivation, Init); 4] {
    [
        ("SELU, N(0, 1/n)", || Box::new(Selu), Init::FanIn),
        ("ReLU, N(0, 1/n)", || Box::new(Relu), Init::FanIn),
        ("ReLU, N(0, 2/n) (He)", || Box::new(Relu), Init::He),
        (
            "ELU α = 1, N(0, 1/n)",
            || Box::new(Elu::new(1.0).expect("alpha 1")),
            Init::FanIn,
        ),
    ]
}

/// Per layer, the mean and the variance of all the layer's outputs on the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerMoments {
    /// The mean output of each layer.
    pub mean: Vec<f64>,
    /// The variance of each layer's outputs.
    pub variance: Vec<f64>,
}

// ANCHOR: signal
/// Mean and variance of every layer's output in a deep random network without biases, on
/// standard normal inputs.
pub fn layer_moments(act: &dyn Activation, init: Init, seed: u64) -> LayerMoments {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = SIGNAL_WIDTH;
    let mut a = Array2::from_shape_simple_fn((SIGNAL_BATCH, n), || {
        <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
    });
    let mut moments = LayerMoments {
        mean: Vec::new(),
        variance: Vec::new(),
    };
    for _ in 0..SIGNAL_LAYERS {
        let w = init.weights(n, n, &mut rng);
        a = a.dot(&w.t());
        crate::activations::apply_in_place(act, &mut a);
        let mean = a.mean().unwrap_or(f64::NAN);
        moments.mean.push(mean);
        moments
            .variance
            .push(a.mapv(|v| (v - mean).powi(2)).mean().unwrap_or(f64::NAN));
    }
    moments
}
// ANCHOR_END: signal

/// [`layer_moments`] for each of [`signal_configs`], averaged over [`SIGNAL_SEEDS`] networks
/// (the mean arithmetically, the variance geometrically).
pub fn signal_moments() -> &'static [LayerMoments] {
    static CELL: OnceLock<Vec<LayerMoments>> = OnceLock::new();
    CELL.get_or_init(|| {
        let configs = signal_configs();
        let jobs: Vec<(usize, u64)> = (0..configs.len())
            .flat_map(|c| (0..SIGNAL_SEEDS).map(move |s| (c, s)))
            .collect();
        let runs = parallel_map(&jobs, |&(c, seed)| {
            let (_, make, init) = configs[c];
            layer_moments(make().as_ref(), init, seed)
        });
        runs.chunks(SIGNAL_SEEDS as usize)
            .map(|per| LayerMoments {
                mean: (0..SIGNAL_LAYERS)
                    .map(|l| per.iter().map(|m| m.mean[l]).sum::<f64>() / per.len() as f64)
                    .collect(),
                variance: (0..SIGNAL_LAYERS)
                    .map(|l| geometric_mean(per.iter().map(|m| m.variance[l])))
                    .collect(),
            })
            .collect()
    })
}

fn signal_x_label() -> String {
    format!(
        "layer ({SIGNAL_WIDTH} units, no biases, standard normal inputs; {SIGNAL_SEEDS} networks)"
    )
}

/// The variance of each layer's output.
pub fn selu_variance_chart() -> LineChart {
    let series = signal_configs()
        .iter()
        .zip(signal_moments())
        .map(|((label, _, _), m)| Series::line(*label, per_layer(&m.variance)))
        .collect();
    LineChart {
        title: "Variance of each layer's output".into(),
        x_label: signal_x_label(),
        y_label: "variance (log scale)".into(),
        x_range: (1.0, SIGNAL_LAYERS as f64),
        y_axis: YAxis::Log(1e-18, 1e3),
        series,
        legend: Corner::LowerLeft,
    }
}

/// The mean of each layer's output.
pub fn selu_mean_chart() -> LineChart {
    let series = signal_configs()
        .iter()
        .zip(signal_moments())
        .map(|((label, _, _), m)| Series::line(*label, per_layer(&m.mean)))
        .collect();
    LineChart {
        title: "Mean of each layer's output".into(),
        x_label: signal_x_label(),
        y_label: "mean".into(),
        x_range: (1.0, SIGNAL_LAYERS as f64),
        y_axis: YAxis::Linear(-0.5, 2.0),
        series,
        legend: Corner::UpperRight,
    }
}

// ---------------------------------------------------------------------------------------------
// Smooth gates

/// The constant of the sigmoid approximation of GELU, $x\,\sigma(1.702\,x)$, given by
/// Hendrycks and Gimpel (2016).
pub const GELU_SIGMOID_SCALE: f64 = 1.702;

/// Swish with a slope parameter: $x\,\sigma(\beta x)$ (Ramachandran et al. 2017); $\beta = 1$
/// is SiLU.
pub fn swish(x: f64, beta: f64) -> f64 {
    // x sigma(beta x) = silu(beta x) / beta keeps SiLU's careful tails.
    silu(beta * x) / beta
}

/// The largest gap between Swish and ReLU, $\max_x |x\sigma(\beta x) - \max(0, x)|$, is
/// $W(1/e)/\beta$, with $W$ the Lambert function: the gap is $u\,\sigma(-u)/\beta$ at
/// $u = \beta|x|$, largest where $u\,\sigma(u) = 1$, and there it equals $u - 1$.
pub fn swish_relu_gap_constant() -> f64 {
    // Newton's method on g(u) = u sigma(u) - 1, from u = 1.
    let mut u: f64 = 1.0;
    for _ in 0..50 {
        let g = u * sigmoid(u) - 1.0;
        let dg = sigmoid(u) + u * sigmoid(u) * sigmoid(-u);
        u -= g / dg;
    }
    u - 1.0
}

/// ReLU, softplus, GELU and SiLU, with GELU's sigmoid approximation.
pub fn smooth_chart() -> LineChart {
    let xs = linspace(-4.0, 3.0, 701);
    let curve = |f: &dyn Fn(f64) -> f64| xs.iter().map(|&x| (x, f(x))).collect();
    LineChart {
        title: "ReLU and its smooth relatives".into(),
        x_label: "x".into(),
        y_label: "f(x)".into(),
        x_range: (-4.0, 3.0),
        y_axis: YAxis::Linear(-0.5, 3.0),
        series: vec![
            Series::line("ReLU", curve(&relu)),
            Series::line("softplus", curve(&softplus)),
            Series::line("GELU, x Φ(x)", curve(&gelu)),
            Series::line("SiLU, x σ(x)", curve(&silu)),
            Series::line(
                format!("x σ({GELU_SIGMOID_SCALE} x)"),
                curve(&|x| swish(x, GELU_SIGMOID_SCALE)),
            )
            .dashed(),
        ],
        legend: Corner::UpperLeft,
    }
}

/// The derivatives of the same functions.
pub fn smooth_derivative_chart() -> LineChart {
    let xs = linspace(-6.0, 4.0, 1001);
    let curve = |f: &dyn Fn(f64) -> f64| xs.iter().map(|&x| (x, f(x))).collect();
    LineChart {
        title: "Derivatives of ReLU, softplus, GELU and SiLU".into(),
        x_label: "x".into(),
        y_label: "f'(x)".into(),
        x_range: (-6.0, 4.0),
        y_axis: YAxis::Linear(-0.2, 1.3),
        series: vec![
            Series::line("ReLU'", curve(&relu_derivative)),
            Series::line("softplus' = σ", curve(&softplus_derivative)),
            Series::line("GELU'", curve(&gelu_derivative)),
            Series::line("SiLU'", curve(&silu_derivative)),
        ],
        legend: Corner::UpperLeft,
    }
}

/// The bound the book states for $|x\Phi(x) - x\sigma(1.702x)|$, checked by
/// [`derivations::gelu_sigmoid_approximation`].
pub const GELU_GAP_BOUND: f64 = 0.021;

/// The largest $|x\Phi(x) - x\sigma(1.702x)|$ over a fine grid of $[-10, 10]$ (outside it
/// both are within $10^{-6}$ of ReLU).
pub fn gelu_sigmoid_gap() -> f64 {
    linspace(-10.0, 10.0, 200_001)
        .iter()
        .map(|&x| (gelu(x) - swish(x, GELU_SIGMOID_SCALE)).abs())
        .fold(0.0, f64::max)
}

/// Where a function of the grid is smallest: $(x, f(x))$.
fn minimum(f: impl Fn(f64) -> f64, from: f64, to: f64) -> (f64, f64) {
    linspace(from, to, 200_001)
        .into_iter()
        .map(|x| (x, f(x)))
        .fold(
            (f64::NAN, f64::INFINITY),
            |b, p| if p.1 < b.1 { p } else { b },
        )
}

// ---------------------------------------------------------------------------------------------
// Residual connections and clipping

/// Units per block of the residual experiments.
pub const RES_WIDTH: usize = 64;
/// Blocks of the gradient experiment.
pub const RES_BLOCKS: usize = 30;
/// Training digits of the gradient and training experiments.
pub const RES_IMAGES: usize = 500;
/// Random networks each curve averages.
pub const RES_SEEDS: u64 = 3;
/// Blocks of the training experiment.
pub const RES_TRAIN_BLOCKS: usize = 20;
/// Epochs of the training experiment.
pub const RES_EPOCHS: usize = 10;
/// Examples per step of the training experiment.
pub const RES_BATCH: usize = 20;
/// The largest gradient norm a clipped step uses.
pub const RES_CLIP: f64 = 1.0;

/// A network of the residual experiments: its label, activation, initializer, shortcuts,
/// learning rate and clipping.
#[derive(Debug, Clone, Copy)]
pub struct ResConfig {
    /// Shown in figures and tables.
    pub label: &'static str,
    /// The activation's name in [`activation_by_name`].
    pub activation: &'static str,
    /// How the weights are drawn.
    pub init: Init,
    /// Identity shortcuts around every block.
    pub shortcuts: bool,
    /// The learning rate when trained.
    pub learning_rate: f64,
    /// The clipping of the gradient's norm when trained.
    pub clip: Option<f64>,
}

/// The networks of the residual experiments.
pub const RES_CONFIGS: [ResConfig; 5] = [
    ResConfig {
        label: "sigmoid, plain",
        activation: "sigmoid",
        init: Init::GlorotUniform,
        shortcuts: false,
        learning_rate: 0.1,
        clip: None,
    },
    ResConfig {
        label: "sigmoid, shortcuts",
        activation: "sigmoid",
        init: Init::GlorotUniform,
        shortcuts: true,
        learning_rate: 0.1,
        clip: None,
    },
    ResConfig {
        label: "ReLU, plain",
        activation: "relu",
        init: Init::He,
        shortcuts: false,
        learning_rate: 0.01,
        clip: None,
    },
    ResConfig {
        label: "ReLU, shortcuts",
        activation: "relu",
        init: Init::He,
        shortcuts: true,
        learning_rate: 0.01,
        clip: None,
    },
    ResConfig {
        label: "ReLU, shortcuts, clipped",
        activation: "relu",
        init: Init::He,
        shortcuts: true,
        learning_rate: 0.01,
        clip: Some(RES_CLIP),
    },
];

/// Every activation of the book by the name the tables use.
pub fn activation_by_name(name: &str) -> Option<Box<dyn Activation>> {
    SIDE_BY_SIDE
        .iter()
        .position(|&n| n == name)
        .map(|i| catalog().swap_remove(i))
}

fn res_network(c: &ResConfig, blocks: usize, seed: u64) -> Deep {
    Deep::new(
        784,
        RES_WIDTH,
        blocks,
        10,
        activation_by_name(c.activation).expect("a known activation"),
        c.init,
        c.shortcuts,
        seed,
    )
    .expect("positive sizes")
}

fn res_data() -> crate::data::Dataset {
    split().0.select(&(0..RES_IMAGES).collect::<Vec<_>>())
}

/// For the first four of [`RES_CONFIGS`], the norm of each block's weight gradient at
/// initialization, on [`RES_IMAGES`] digits, the geometric mean over [`RES_SEEDS`] networks.
pub fn residual_gradients() -> &'static [Vec<f64>] {
    static CELL: OnceLock<Vec<Vec<f64>>> = OnceLock::new();
    CELL.get_or_init(|| {
        let data = res_data();
        let jobs: Vec<(usize, u64)> = (0..4)
            .flat_map(|c| (0..RES_SEEDS).map(move |s| (c, s)))
            .collect();
        let norms = parallel_map(&jobs, |&(c, seed)| {
            let net = res_network(&RES_CONFIGS[c], RES_BLOCKS, seed);
            let pass = net.forward(data.inputs.view());
            block_gradient_norms(&net.backward(data.inputs.view(), &pass, &data.labels).0)
        });
        norms
            .chunks(RES_SEEDS as usize)
            .map(|per| {
                (0..RES_BLOCKS)
                    .map(|l| geometric_mean(per.iter().map(|n| n[l])))
                    .collect()
            })
            .collect()
    })
}

/// The gradient norm per block, plain against shortcuts.
pub fn residual_gradient_chart() -> LineChart {
    let series = RES_CONFIGS[..4]
        .iter()
        .zip(residual_gradients())
        .map(|(c, g)| {
            let s = Series::line(c.label, per_layer(g));
            if c.shortcuts { s } else { s.dashed() }
        })
        .collect();
    LineChart {
        title: format!("Gradient per block at initialization, {RES_BLOCKS} blocks"),
        x_label: format!(
            "block ({RES_WIDTH} units; {RES_IMAGES} digits; geometric mean of {RES_SEEDS} networks)"
        ),
        y_label: "‖∂L/∂W‖ (log scale)".into(),
        x_range: (1.0, RES_BLOCKS as f64),
        y_axis: YAxis::Log(1e-22, 1e6),
        series,
        legend: Corner::LowerRight,
    }
}

/// Every run of the training experiment: per config, one run per seed.
pub fn residual_runs() -> &'static [Vec<residual::Run>] {
    static CELL: OnceLock<Vec<Vec<residual::Run>>> = OnceLock::new();
    CELL.get_or_init(|| {
        let data = res_data();
        let jobs: Vec<(usize, u64)> = (0..RES_CONFIGS.len())
            .flat_map(|c| (0..RES_SEEDS).map(move |s| (c, s)))
            .collect();
        let runs = parallel_map(&jobs, |&(c, seed)| {
            let config = &RES_CONFIGS[c];
            let mut net = res_network(config, RES_TRAIN_BLOCKS, seed);
            let t = Training {
                learning_rate: config.learning_rate,
                batch_size: RES_BATCH,
                epochs: RES_EPOCHS,
                clip: config.clip,
                seed,
            };
            residual::train(&mut net, &data, &t).expect("valid settings")
        });
        runs.chunks(RES_SEEDS as usize).map(<[_]>::to_vec).collect()
    })
}

/// What the training experiment found for one config.
#[derive(Debug, Clone, PartialEq)]
pub struct ResSummary {
    /// Runs that stopped on a number that was no longer finite.
    pub diverged: usize,
    /// The mean training error after each epoch over the runs that finished (empty if none).
    pub train_error: Vec<f64>,
    /// The largest finite gradient norm seen in any step of any run.
    pub largest_norm: f64,
    /// The fraction of steps whose gradient norm exceeded the clip (0 without clipping).
    pub clipped: f64,
}

/// [`ResSummary`] of each of [`RES_CONFIGS`].
pub fn residual_summaries() -> Vec<ResSummary> {
    RES_CONFIGS
        .iter()
        .zip(residual_runs())
        .map(|(c, runs)| {
            let finished: Vec<_> = runs.iter().filter(|r| r.diverged_at.is_none()).collect();
            let train_error = if finished.is_empty() {
                Vec::new()
            } else {
                (0..=RES_EPOCHS)
                    .map(|e| {
                        finished.iter().map(|r| r.train_error[e]).sum::<f64>()
                            / finished.len() as f64
                    })
                    .collect()
            };
            // The step that diverged has no finite norm: the largest before it.
            let norms = runs
                .iter()
                .flat_map(|r| r.gradient_norms.iter().copied())
                .filter(|n| n.is_finite());
            let steps = runs.iter().map(|r| r.gradient_norms.len()).sum::<usize>();
            let over = match c.clip {
                Some(clip) => runs
                    .iter()
                    .flat_map(|r| r.gradient_norms.iter())
                    .filter(|&&n| n > clip)
                    .count(),
                None => 0,
            };
            ResSummary {
                diverged: runs.len() - finished.len(),
                train_error,
                largest_norm: norms.fold(0.0, f64::max),
                clipped: over as f64 / steps.max(1) as f64,
            }
        })
        .collect()
}

/// Training error per epoch for the configs whose runs finished.
pub fn residual_training_chart() -> LineChart {
    let series = RES_CONFIGS
        .iter()
        .zip(residual_summaries())
        .filter(|(_, s)| !s.train_error.is_empty())
        .map(|(c, s)| Series::line(c.label, per_epoch(&s.train_error)).with_markers())
        .collect();
    LineChart {
        title: format!("Training {RES_TRAIN_BLOCKS} blocks on the digits"),
        x_label: format!(
            "epoch ({RES_WIDTH} units per block; {RES_IMAGES} digits; mean of {RES_SEEDS} seeds)"
        ),
        y_label: "training error".into(),
        x_range: (0.0, RES_EPOCHS as f64),
        y_axis: YAxis::Linear(0.0, 1.0),
        series,
        legend: Corner::LowerLeft,
    }
}

/// The residual table: per config, the divergences, the final error and the largest norm.
pub fn residual_table() -> String {
    let mut t = String::from(
        "| network | runs that diverged | training error after the last epoch | largest finite \
         gradient norm | steps clipped |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for (c, s) in RES_CONFIGS.iter().zip(residual_summaries()) {
        let last = s
            .train_error
            .last()
            .map_or_else(|| "–".to_string(), |v| format_quoted(*v, 2));
        let clipped = if c.clip.is_some() {
            format!("{}%", format_quoted(100.0 * s.clipped, 2))
        } else {
            "–".to_string()
        };
        let _ = writeln!(
            t,
            "| {} | {} of {RES_SEEDS} | {last} | {} | {clipped} |",
            c.label,
            s.diverged,
            format_quoted(s.largest_norm, 2),
        );
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Everything side by side

/// Every activation of the book, by the names of the comparison runs, in the order of
/// [`catalog`].
pub const SIDE_BY_SIDE: [&str; 12] = [
    "sigmoid",
    "tanh",
    "scaled_tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "rrelu",
    "elu",
    "selu",
    "softplus",
    "gelu",
    "silu",
];

/// How smooth an activation is at its worst point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Smoothness {
    /// The derivative jumps (a kink).
    Kink,
    /// The derivative is continuous, the second derivative jumps.
    OnceDifferentiable,
    /// No jump in the first two derivatives.
    Smooth,
}

/// What the code measures of one activation's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The table's name.
    pub name: &'static str,
    /// The range, as text: `(a, b)` or `[a, b)` with the bound attained or not.
    pub range: String,
    /// $\mathbb{E}[f(z)]$ for $z \sim \mathcal{N}(0, 1)$.
    pub mean_output: f64,
    /// Whether $f' \ge 0$ everywhere on the grid.
    pub monotonic: bool,
    /// The smoothness at 0, where every activation of the book has its kink if any.
    pub smoothness: Smoothness,
    /// The largest $f'$ on the grid.
    pub max_derivative: f64,
    /// Where $|f'| < 10^{-3}$ on $[-20, 20]$, as text.
    pub flat: String,
    /// Whether $f'$ is exactly 0 on a half-line, so that a unit can die.
    pub zero_slope: bool,
}

/// Below this slope the table counts an activation as flat (saturated).
pub const FLAT_SLOPE: f64 = 1e-3;

/// The range of `f` as text, from its values on the grid and its limits at the infinities: a
/// bound is attained inside the grid (a minimum like GELU's), or it is the limit at an
/// infinity, attained only where the function is constant there (ReLU's 0).
fn range_text(f: &dyn Activation, values: &[f64]) -> String {
    let (low_inf, high_inf) = (f.value(f64::NEG_INFINITY), f.value(f64::INFINITY));
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let flat_at = |x: f64| f.derivative(x) == 0.0;
    let (lo, lo_open) = if low < low_inf {
        (low, false)
    } else {
        (low_inf, !flat_at(-20.0))
    };
    let (hi, hi_open) = if high > high_inf {
        (high, false)
    } else {
        (high_inf, !flat_at(20.0))
    };
    let bound = |v: f64| match v {
        f64::INFINITY => "∞".to_string(),
        f64::NEG_INFINITY => "−∞".to_string(),
        _ => format_quoted(v, 3).replace('-', "−"),
    };
    let open = |o: bool, v: f64| o || v.is_infinite();
    format!(
        "{}{}, {}{}",
        if open(lo_open, lo) { "(" } else { "[" },
        bound(lo),
        bound(hi),
        if open(hi_open, hi) { ")" } else { "]" },
    )
}

/// Where the slope is below [`FLAT_SLOPE`], as text: the stretches at the grid's two ends.
fn flat_text(xs: &[f64], slopes: &[f64]) -> String {
    let flat = |pairs: &mut dyn Iterator<Item = (&f64, &f64)>| {
        pairs
            .take_while(|(_, s)| s.abs() < FLAT_SLOPE)
            .last()
            .map(|(x, _)| *x)
    };
    let left = flat(&mut xs.iter().zip(slopes));
    let right = flat(&mut xs.iter().zip(slopes).rev());
    let edge = |x: f64| format_quoted(x, 2).replace('-', "−");
    match (left, right) {
        (None, None) => "nowhere".to_string(),
        (Some(l), None) => format!("x < {}", edge(l)),
        (None, Some(r)) => format!("x > {}", edge(r)),
        (Some(l), Some(r)) => format!("|x| > {}", edge(r.max(-l))),
    }
}

// ANCHOR: shape
/// Measures the shape of `f` on a grid of $[-20, 20]$ and at the infinities.
pub fn shape(name: &'static str, f: &dyn Activation) -> Shape {
    let xs = linspace(-20.0, 20.0, 40_001);
    let values: Vec<f64> = xs.iter().map(|&x| f.value(x)).collect();
    let slopes: Vec<f64> = xs.iter().map(|&x| f.derivative(x)).collect();
    // Smoothness at 0, where every activation of the book has its kink if it has one: the
    // jump of f' and of f'' between one-sided difference quotients.
    let (h, d) = (1e-6, |x: f64| f.derivative(x));
    let jump1 = (d(h) - d(-h)).abs();
    let jump2 = ((d(2.0 * h) - d(h)) / h - (d(-h) - d(-2.0 * h)) / h).abs();
    let smoothness = match (jump1 > 1e-3, jump2 > 1e-2) {
        (true, _) => Smoothness::Kink,
        (false, true) => Smoothness::OnceDifferentiable,
        (false, false) => Smoothness::Smooth,
    };
    // A dead unit needs a slope of exactly 0 on a whole side.
    let (negative, positive) = (&slopes[..20_000], &slopes[20_001..]);
    Shape {
        name,
        range: range_text(f, &values),
        mean_output: normal_expectation(|x| f.value(x)),
        monotonic: slopes.iter().all(|&s| s >= 0.0),
        smoothness,
        max_derivative: slopes.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        flat: flat_text(&xs, &slopes),
        zero_slope: negative.iter().all(|&s| s == 0.0) || positive.iter().all(|&s| s == 0.0),
    }
}
// ANCHOR_END: shape

/// [`shape`] of every activation of [`SIDE_BY_SIDE`].
pub fn shapes() -> Vec<Shape> {
    SIDE_BY_SIDE
        .iter()
        .zip(catalog())
        .map(|(&name, f)| shape(name, f.as_ref()))
        .collect()
}

/// The measured cost per element, committed by the benchmark `activation_cost`.
pub const COST_CSV: &str = include_str!("../data/activation-cost.csv");

/// The cost of the value and the derivative of `name`, in nanoseconds per element, from
/// [`COST_CSV`].
///
/// # Errors
/// When the file has no line for `name` or the line cannot be read.
pub fn cost(name: &str) -> Result<(f64, f64), String> {
    let line = COST_CSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.split(',').next() == Some(name))
        .ok_or_else(|| format!("activation-cost.csv has no line for {name}"))?;
    let fields: Vec<&str> = line.split(',').collect();
    let number = |i: usize| -> Result<f64, String> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("activation-cost.csv: cannot read {line:?}"))
    };
    Ok((number(1)?, number(2)?))
}

/// A value rounded to two decimals, with the quadrature's last-digit noise around 0 shown as 0.
fn two_decimals(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r:.2}").replace('-', "−")
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The first table: the shape of every activation.
pub fn shape_table() -> String {
    let mut t = String::from(
        "| activation | range | mean output for N(0, 1) input | monotonic | smooth at 0 | \
         largest slope | slope below 0.001 | slope exactly 0 on a half-line |\n\
         | --- | --- | ---: | --- | --- | ---: | --- | --- |\n",
    );
    for s in shapes() {
        let smooth = match s.smoothness {
            Smoothness::Kink => "no (kink)",
            Smoothness::OnceDifferentiable => "once (f'' jumps)",
            Smoothness::Smooth => "yes",
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {smooth} | {} | {} | {} |",
            s.name,
            s.range,
            two_decimals(s.mean_output),
            yes_no(s.monotonic),
            format_quoted(s.max_derivative, 3),
            // A bar inside a Markdown table cell must be escaped.
            s.flat.replace('|', "\\|"),
            yes_no(s.zero_slope),
        );
    }
    t
}

/// The second table: what training measured and what the benchmark measured.
pub fn measured_table() -> String {
    let last = experiments::COMPARISON_SGD.epochs;
    let mut t = String::from(
        "| activation | test accuracy | epochs to a training error of THRESHOLD | dead units | \
         ns per value | ns per derivative |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
    )
    .replace(
        "THRESHOLD",
        &format_quoted(crate::ch04_relu::SPEED_THRESHOLD, 2),
    );
    for &name in &SIDE_BY_SIDE {
        let c = comparison_mean(name);
        let epochs = first_at_or_below(&c.train_error, crate::ch04_relu::SPEED_THRESHOLD)
            .map_or_else(|| "never".to_string(), |e| e.to_string());
        let (value, derivative) = cost(name).expect("the committed costs list every activation");
        let _ = writeln!(
            t,
            "| {name} | {} | {epochs} | {}% | {} | {} |",
            format_quoted(c.test_accuracy[last], 3),
            format_quoted(100.0 * c.dead[last], 2),
            format_quoted(value, 2),
            format_quoted(derivative, 2),
        );
    }
    t
}

/// Both tables as one CSV, for readers who want to sort or plot them.
pub fn side_by_side_csv() -> String {
    let last = experiments::COMPARISON_SGD.epochs;
    let mut s = String::from(
        "activation,range,mean_output,monotonic,smoothness,max_derivative,flat,zero_slope,\
         test_accuracy,dead_fraction,ns_value,ns_derivative\n",
    );
    for shape in shapes() {
        let c = comparison_mean(shape.name);
        let (value, derivative) = cost(shape.name).expect("every activation has a cost");
        let _ = writeln!(
            s,
            "{},\"{}\",{},{},{:?},{},\"{}\",{},{},{},{},{}",
            shape.name,
            shape.range,
            shape.mean_output,
            shape.monotonic,
            shape.smoothness,
            shape.max_derivative,
            shape.flat,
            shape.zero_slope,
            c.test_accuracy[last],
            c.dead[last],
            value,
            derivative
        );
    }
    s
}

/// Training error on the digits for every activation of the book: chapter 3's chart of the
/// comparison runs, without markers, and the second six lines dashed (the palette has six
/// colours).
pub fn all_training_chart() -> LineChart {
    let mut chart = crate::ch03_tanh::training_chart_of(
        &SIDE_BY_SIDE,
        "Every activation of the book on the same network",
    );
    for (i, s) in chart.series.iter_mut().enumerate() {
        s.markers = false;
        s.dashed = i >= crate::plot::PALETTE.len();
    }
    chart
}

// ---------------------------------------------------------------------------------------------
// Numbers, example and exercises

/// The numbers the chapter quotes.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let c = selu_constants();
    let iterations = selu_map_iterations();
    let map_table = {
        let mut t = String::from("| layer |");
        for s in MAP_STARTS {
            let _ = write!(t, " variance, starting at {s} |");
        }
        t.push_str("\n| ---: |");
        t.push_str(&" ---: |".repeat(MAP_STARTS.len()));
        t.push('\n');
        for k in 0..=MAP_STEPS {
            let _ = write!(t, "| {k} |");
            for it in &iterations {
                let _ = write!(t, " {} |", format_quoted(it[k], 4));
            }
            t.push('\n');
        }
        t
    };
    let m = signal_moments();
    let last = SIGNAL_LAYERS - 1;
    let g = residual_gradients();
    let s = residual_summaries();
    let diverged_step = residual_runs()[3]
        .iter()
        .filter_map(|r| r.diverged_at)
        .max()
        .map_or_else(|| "never".to_string(), |v| v.to_string());
    let (gelu_min_x, gelu_min) = minimum(gelu, -3.0, 0.0);
    let (silu_min_x, silu_min) = minimum(silu, -3.0, 0.0);
    let neg = |v: f64, d: usize| format_quoted(v, d).replace('-', "−");
    let elu = exercises::elu_variances(ELU_FLOOR);
    let numbers: Vec<(&'static str, String)> = vec![
        ("ch7_alpha", format!("{:.17}", c.alpha)),
        ("ch7_lambda", format!("{:.17}", c.lambda)),
        (
            "ch7_alpha_published",
            "1.6732632423543772848170429916717".into(),
        ),
        (
            "ch7_lambda_published",
            "1.0507009873554804934193349852946".into(),
        ),
        (
            "ch7_alpha_ulps",
            ulp_distance(c.alpha, SELU_ALPHA).to_string(),
        ),
        (
            "ch7_lambda_ulps",
            ulp_distance(c.lambda, SELU_LAMBDA).to_string(),
        ),
        ("ch7_map_table", map_table),
        ("ch7_map_slope", format_quoted(selu_map_slope(), 3)),
        ("ch7_signal_layers", SIGNAL_LAYERS.to_string()),
        ("ch7_signal_width", SIGNAL_WIDTH.to_string()),
        ("ch7_selu_var_last", format_quoted(m[0].variance[last], 3)),
        ("ch7_selu_mean_last", neg(m[0].mean[last], 2)),
        ("ch7_relu_var_last", format_quoted(m[1].variance[last], 2)),
        ("ch7_he_var_last", format_quoted(m[2].variance[last], 2)),
        ("ch7_he_mean_last", format_quoted(m[2].mean[last], 2)),
        ("ch7_elu_var_last", format_quoted(m[3].variance[last], 2)),
        ("ch7_gelu_scale", GELU_SIGMOID_SCALE.to_string()),
        ("ch7_gelu_gap", format_quoted(gelu_sigmoid_gap(), 3)),
        ("ch7_gelu_bound", GELU_GAP_BOUND.to_string()),
        ("ch7_train_images", experiments::TRAIN_IMAGES.to_string()),
        ("ch7_epochs", experiments::COMPARISON_SGD.epochs.to_string()),
        ("ch7_seeds", COMPARISON_SEEDS.to_string()),
        ("ch7_gelu_min_x", neg(gelu_min_x, 2)),
        ("ch7_gelu_min", neg(gelu_min, 2)),
        ("ch7_silu_min_x", neg(silu_min_x, 3)),
        ("ch7_silu_min", neg(silu_min, 3)),
        ("ch7_swish_gap", format_quoted(swish_relu_gap_constant(), 4)),
        ("ch7_ln2", format_quoted(2f64.ln(), 3)),
        ("ch7_res_width", RES_WIDTH.to_string()),
        ("ch7_res_blocks", RES_BLOCKS.to_string()),
        ("ch7_res_images", RES_IMAGES.to_string()),
        ("ch7_res_train_blocks", RES_TRAIN_BLOCKS.to_string()),
        ("ch7_res_epochs", RES_EPOCHS.to_string()),
        ("ch7_res_clip", RES_CLIP.to_string()),
        ("ch7_plain_sigmoid_first", format_quoted(g[0][0], 2)),
        (
            "ch7_plain_sigmoid_last",
            format_quoted(g[0][RES_BLOCKS - 1], 2),
        ),
        ("ch7_res_sigmoid_first", format_quoted(g[1][0], 2)),
        (
            "ch7_res_sigmoid_last",
            format_quoted(g[1][RES_BLOCKS - 1], 2),
        ),
        ("ch7_res_relu_first", format_quoted(g[3][0], 2)),
        ("ch7_plain_relu_first", format_quoted(g[2][0], 2)),
        ("ch7_res_table", residual_table()),
        ("ch7_res_diverged_step", diverged_step),
        (
            "ch7_res_sigmoid_plain_end",
            format_quoted(*s[0].train_error.last().expect("finishes"), 2),
        ),
        (
            "ch7_res_sigmoid_res_end",
            format_quoted(*s[1].train_error.last().expect("finishes"), 2),
        ),
        ("ch7_shape_table", shape_table()),
        ("ch7_measured_table", measured_table()),
        ("ch7_flat_slope", FLAT_SLOPE.to_string()),
        ("ch7_ex_elu_floor", ELU_FLOOR.to_string()),
        ("ch7_ex_elu_first", format_quoted(elu[1], 3)),
        ("ch7_ex_elu_layers", (elu.len() - 1).to_string()),
    ];
    // The tables end with a newline; the numbers file adds its own.
    numbers
        .into_iter()
        .map(|(k, v)| (k, v.trim_end().to_string()))
        .collect()
}

/// The variance exercise 1 follows ELU's map down to.
pub const ELU_FLOOR: f64 = 0.01;

/// The options of the example.
pub const EXAMPLE: Spec = Spec {
    name: "ch07_modern",
    about: "Trains a deep network of identical blocks on the digits, with or without identity \
            shortcuts and gradient clipping, and prints the gradient norm of each block at the \
            start, then the training error and the largest gradient norm of every epoch.",
    options: &[
        Opt {
            name: "activation",
            value: "NAME",
            help: "sigmoid, tanh, scaled_tanh, relu, leaky_relu, prelu, rrelu, elu, selu, \
                   softplus, gelu or silu",
            default: Some("sigmoid"),
        },
        Opt {
            name: "blocks",
            value: "L",
            help: "blocks of 64 units (1 to 200)",
            default: Some("20"),
        },
        Opt {
            name: "shortcuts",
            value: "yes|no",
            help: "an identity shortcut around every block",
            default: Some("yes"),
        },
        Opt {
            name: "clip",
            value: "C",
            help: "clip each step's gradient norm to C (above 0), or none",
            default: Some("none"),
        },
        Opt {
            name: "learning-rate",
            value: "ETA",
            help: "the SGD learning rate (above 0, at most 10)",
            default: Some("0.1"),
        },
        Opt {
            name: "epochs",
            value: "N",
            help: "passes over the 500 training digits (1 to 100)",
            default: Some("10"),
        },
        Opt {
            name: "seed",
            value: "S",
            help: "the seed of the weights and of the batch order",
            default: Some("0"),
        },
    ],
    positional: None,
};

/// The example's output.
///
/// # Errors
/// A usage error for an unknown activation or an option out of range.
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    let name: String = args.get("activation")?;
    let act = activation_by_name(&name).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown --activation {name:?}; use one of {}",
            SIDE_BY_SIDE.join(", ")
        ))
    })?;
    let blocks: usize = args.get("blocks")?;
    if !(1..=200).contains(&blocks) {
        return Err(CliError::Usage(format!(
            "--blocks must be between 1 and 200, got {blocks}"
        )));
    }
    let shortcuts = match args.get::<String>("shortcuts")?.as_str() {
        "yes" => true,
        "no" => false,
        other => {
            return Err(CliError::Usage(format!(
                "--shortcuts must be yes or no, got {other:?}"
            )));
        }
    };
    let clip = match args.get::<String>("clip")?.as_str() {
        "none" => None,
        text => match text.parse::<f64>() {
            Ok(c) if c.is_finite() && c > 0.0 => Some(c),
            _ => {
                return Err(CliError::Usage(format!(
                    "--clip must be a number above 0 or none, got {text:?}"
                )));
            }
        },
    };
    let rate: f64 = args.get("learning-rate")?;
    if !(rate > 0.0 && rate <= 10.0) {
        return Err(CliError::Usage(format!(
            "--learning-rate must be above 0 and at most 10, got {rate}"
        )));
    }
    let epochs: usize = args.get("epochs")?;
    if !(1..=100).contains(&epochs) {
        return Err(CliError::Usage(format!(
            "--epochs must be between 1 and 100, got {epochs}"
        )));
    }
    let seed: u64 = args.get("seed")?;
    // The initializer each activation's chapter uses.
    let init = match name.as_str() {
        "sigmoid" | "tanh" | "scaled_tanh" => Init::GlorotUniform,
        "selu" => Init::FanIn,
        _ => Init::He,
    };
    let data = res_data();
    let mut net = Deep::new(784, RES_WIDTH, blocks, 10, act, init, shortcuts, seed)
        .map_err(CliError::Usage)?;
    let pass = net.forward(data.inputs.view());
    let norms = block_gradient_norms(&net.backward(data.inputs.view(), &pass, &data.labels).0);
    let mut out = format!(
        "{name}, {blocks} blocks of {RES_WIDTH}, {} shortcuts, {} initialization, learning \
         rate {rate}, clip {}, seed {seed}\n\ngradient norm of each block at the start:\n",
        if shortcuts { "with" } else { "without" },
        init.name(),
        clip.map_or_else(|| "none".to_string(), |c| c.to_string()),
    );
    for (l, n) in norms.iter().enumerate() {
        let _ = writeln!(out, "  block {:>3}: {n:.3e}", l + 1);
    }
    let t = Training {
        learning_rate: rate,
        batch_size: RES_BATCH,
        epochs,
        clip,
        seed,
    };
    let run = residual::train(&mut net, &data, &t).map_err(CliError::Usage)?;
    let steps_per_epoch = RES_IMAGES.div_ceil(RES_BATCH);
    out.push_str("\nepoch  training error  largest gradient norm\n");
    for (e, err) in run.train_error.iter().enumerate() {
        let largest = if e == 0 {
            "-".to_string()
        } else {
            let steps = &run.gradient_norms[(e - 1) * steps_per_epoch..e * steps_per_epoch];
            format!("{:.3e}", steps.iter().copied().fold(0.0, f64::max))
        };
        let _ = writeln!(out, "{e:>5}  {err:>14.3}  {largest:>21}");
    }
    if let Some(step) = run.diverged_at {
        let _ = writeln!(
            out,
            "\nstopped at step {step}: the loss or a gradient stopped being finite (gradient \
             norm {:.3e}); try --clip 1 or a smaller --learning-rate",
            run.gradient_norms[step]
        );
    }
    Ok(out)
}

/// The numerical checks of the chapter's displayed equations (run by [`crate::checks`]).
pub mod derivations {
    use super::{GELU_GAP_BOUND, GELU_SIGMOID_SCALE, swish, swish_relu_gap_constant};
    use crate::activations::{
        Activation, SELU_ALPHA, SELU_LAMBDA, Sigmoid, Tanh, gelu, gelu_derivative, normal_cdf,
        normal_pdf, relu, selu, sigmoid, silu, silu_derivative, softplus,
    };
    use crate::checks::Outcome;
    use crate::network::init::Init;
    use crate::numerics::{
        central_difference, difference_step, linspace, normal_expectation,
        normal_expectation_between, relative_difference,
    };
    use crate::residual::Deep;
    use ndarray::Array2;

    fn worst(errors: impl IntoIterator<Item = f64>, tolerance: f64) -> Outcome {
        let (points, worst) = errors.into_iter().fold((0, 0.0f64), |(n, w), e| {
            (
                n + 1,
                if e.is_nan() || w.is_nan() {
                    f64::NAN
                } else {
                    w.max(e)
                },
            )
        });
        Outcome {
            points,
            worst,
            tolerance,
        }
    }

    /// $\mathbb{E}[e^{kz};\, z \le 0] = e^{k^2/2}\,\Phi(-k)$ for $k$ from 0 to 3, and
    /// $\mathbb{E}[z;\, z > 0] = \varphi(0)$, $\mathbb{E}[z^2;\, z > 0] = \tfrac12$, against
    /// quadrature.
    pub fn truncated_normal_moments() -> Outcome {
        // The integrand jumps at 0: integrate over the half-line itself.
        let below_zero = |g: &dyn Fn(f64) -> f64| normal_expectation_between(g, -12.0, 0.0);
        let mut errors: Vec<f64> = linspace(0.0, 3.0, 121)
            .into_iter()
            .map(|k| {
                let q = below_zero(&|x| (k * x).exp());
                relative_difference(q, (0.5 * k * k).exp() * normal_cdf(-k))
            })
            .collect();
        errors.push(relative_difference(
            normal_expectation(|x| x.max(0.0)),
            normal_pdf(0.0),
        ));
        errors.push(relative_difference(
            normal_expectation(|x| x.max(0.0).powi(2)),
            0.5,
        ));
        // The trapezoidal rule with a step of 1/1000 is accurate to about h^2 = 1e-6 relative.
        worst(errors, 1e-6)
    }

    /// With the published constants, SELU of $z \sim \mathcal N(0, \nu)$ has mean 0 and
    /// variance 1 at $\nu = 1$ only: the moments by quadrature over $\nu$ in $[0.9, 1.1]$
    /// match the closed forms, and are $(0, 1)$ at $\nu = 1$.
    pub fn selu_fixed_point() -> Outcome {
        let closed = |nu: f64| {
            // E selu(sd z) and E selu(sd z)^2 from the truncated moments, with sd = sqrt(nu).
            let sd = nu.sqrt();
            let (a, l) = (SELU_ALPHA, SELU_LAMBDA);
            let e1 = (0.5 * nu).exp() * normal_cdf(-sd);
            let e2 = (2.0 * nu).exp() * normal_cdf(-2.0 * sd);
            let mean = l * (sd * normal_pdf(0.0) + a * (e1 - 0.5));
            let second = l * l * (0.5 * nu + a * a * (e2 - 2.0 * e1 + 0.5));
            (mean, second)
        };
        let mut errors = Vec::new();
        for nu in linspace(0.9, 1.1, 101) {
            let sd = nu.sqrt();
            let (m, s) = closed(nu);
            errors.push((normal_expectation(|x| selu(sd * x)) - m).abs());
            errors.push((normal_expectation(|x| selu(sd * x).powi(2)) - s).abs());
        }
        let (m, s) = closed(1.0);
        errors.push(m.abs());
        errors.push((s - 1.0).abs());
        worst(errors, 1e-7)
    }

    fn derivative_errors(f: fn(f64) -> f64, d: fn(f64) -> f64) -> Vec<f64> {
        linspace(-30.0, 30.0, 1201)
            .into_iter()
            .map(|x| {
                let fd = central_difference(f, x, difference_step(x));
                (d(x) - fd).abs() / fd.abs().max(1e-3)
            })
            .collect()
    }

    /// GELU$'(x) = \Phi(x) + x\varphi(x)$ against central differences.
    pub fn gelu_derivative_formula() -> Outcome {
        let formula = |x: f64| normal_cdf(x) + x * normal_pdf(x);
        let mut e = derivative_errors(gelu, formula);
        e.extend(
            linspace(-30.0, 30.0, 601)
                .into_iter()
                .map(|x| (formula(x) - gelu_derivative(x)).abs()),
        );
        worst(e, 1e-6)
    }

    /// SiLU$'(x) = \sigma(x)\,(1 + x\,\sigma(-x))$ against central differences.
    pub fn silu_derivative_formula() -> Outcome {
        let formula = |x: f64| sigmoid(x) * (1.0 + x * sigmoid(-x));
        let mut e = derivative_errors(silu, formula);
        e.extend(
            linspace(-30.0, 30.0, 601)
                .into_iter()
                .map(|x| (formula(x) - silu_derivative(x)).abs()),
        );
        worst(e, 1e-6)
    }

    /// softplus$' = \sigma$ against central differences.
    pub fn softplus_derivative_is_sigmoid() -> Outcome {
        worst(derivative_errors(softplus, sigmoid), 1e-6)
    }

    /// softplus$(x) - \max(0, x) = $ softplus$(-|x|)$, which lies in $(0, \ln 2]$. The
    /// subtraction on the left cancels for large $|x|$, so the error is measured in ULPs of
    /// softplus$(x)$ (and is infinite where the bound fails).
    pub fn softplus_minus_relu() -> Outcome {
        let e = linspace(-40.0, 40.0, 801).into_iter().map(|x| {
            let other = softplus(-x.abs());
            if !(other > 0.0 && other <= 2f64.ln()) {
                return f64::INFINITY;
            }
            ((softplus(x) - relu(x)) - other).abs() / (f64::EPSILON * softplus(x).max(1.0))
        });
        worst(e, 2.0)
    }

    /// $\max_x |x\sigma(\beta x) - \max(0, x)| = W(1/e)/\beta$ for $\beta$ from 0.5 to 50,
    /// on a grid fine enough near the maximum.
    pub fn swish_relu_gap() -> Outcome {
        let c = swish_relu_gap_constant();
        let errors = linspace(0.5, 50.0, 100).into_iter().map(|beta| {
            // The maximum sits at x = -(1 + c)/beta; search around it and far away.
            let near = linspace(-3.0 / beta, 0.0, 30_001);
            let far = linspace(-60.0, 60.0, 1_201);
            let gap = near
                .iter()
                .chain(&far)
                .map(|&x| (swish(x, beta) - relu(x)).abs())
                .fold(0.0, f64::max);
            relative_difference(gap, c / beta)
        });
        worst(errors, 1e-6)
    }

    /// $|x\Phi(x) - x\sigma(1.702x)| < 0.021$ everywhere on $[-50, 50]$.
    pub fn gelu_sigmoid_approximation() -> Outcome {
        let e = linspace(-50.0, 50.0, 100_001)
            .into_iter()
            .map(|x| (gelu(x) - swish(x, GELU_SIGMOID_SCALE)).abs());
        worst(e, GELU_GAP_BOUND)
    }

    /// The Jacobian of a residual block, $\partial h_\ell / \partial h_{\ell-1} = I +
    /// \mathrm{diag}(f'(h_{\ell-1}))\,W_\ell^\top$ (rows as the network's row vectors), against
    /// central differences, for sigmoid and tanh blocks with and without the shortcut.
    pub fn residual_block_jacobian() -> Outcome {
        let mut errors = Vec::new();
        for seed in 0..8u64 {
            for (act, shortcuts) in [
                (Box::new(Sigmoid) as Box<dyn Activation>, true),
                (Box::new(Tanh), true),
                (Box::new(Sigmoid), false),
            ] {
                let mut net =
                    Deep::new(3, 4, 1, 2, act, Init::GlorotNormal, shortcuts, seed).expect("sizes");
                net.biases[1].mapv_inplace(|_| 0.3);
                let h0 =
                    Array2::from_shape_fn((1, 4), |(_, j)| (j as f64 + seed as f64) * 0.4 - 1.0);
                let block = |h: &Array2<f64>| {
                    let mut a = h.clone();
                    crate::activations::apply_in_place(net.activation.as_ref(), &mut a);
                    let mut out = a.dot(&net.weights[1].t()) + &net.biases[1];
                    if shortcuts {
                        out += h;
                    }
                    out
                };
                let s = if shortcuts { 1.0 } else { 0.0 };
                for i in 0..4 {
                    for j in 0..4 {
                        // d h_1[j] / d h_0[i] = s [i = j] + f'(h_0[i]) W_1[j, i].
                        let formula = s * f64::from(u8::from(i == j))
                            + net.activation.derivative(h0[[0, i]]) * net.weights[1][[j, i]];
                        let fd = central_difference(
                            |v| {
                                let mut h = h0.clone();
                                h[[0, i]] = v;
                                block(&h)[[0, j]]
                            },
                            h0[[0, i]],
                            1e-5,
                        );
                        errors.push((formula - fd).abs());
                    }
                }
            }
        }
        worst(errors, 1e-9)
    }
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::elu;
    use crate::numerics::normal_expectation;

    // ANCHOR: exercise_elu_variance
    /// The variances of a deep ELU network ($\alpha = 1$, weights with $\omega = 0$ and
    /// $\tau = 1$), layer by layer from $\nu = 1$, by iterating
    /// $\nu \mapsto \mathrm{Var}[\mathrm{elu}(\sqrt\nu\, z)]$ until it falls to `floor`.
    pub fn elu_variances(floor: f64) -> Vec<f64> {
        let mut variances = vec![1.0f64];
        while variances[variances.len() - 1] > floor && variances.len() < 10_000 {
            let sd = variances[variances.len() - 1].sqrt();
            let mean = normal_expectation(|x| elu(sd * x, 1.0));
            variances.push(normal_expectation(|x| elu(sd * x, 1.0).powi(2)) - mean * mean);
        }
        variances
    }
    // ANCHOR_END: exercise_elu_variance

    // ANCHOR: exercise_swish_gap
    /// The largest gap between $x\sigma(\beta x)$ and ReLU, found by brute force on a grid:
    /// compare with $W(1/e)/\beta$.
    pub fn swish_gap_on_grid(beta: f64) -> f64 {
        (0..=400_000)
            .map(|i| -20.0 + i as f64 * 1e-4)
            .map(|x| (super::swish(x, beta) - crate::activations::relu(x)).abs())
            .fold(0.0, f64::max)
    }
    // ANCHOR_END: exercise_swish_gap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_selu_constants_are_the_published_ones_to_the_last_bits() {
        let c = selu_constants();
        assert!(ulp_distance(c.alpha, SELU_ALPHA) <= 4, "{c:?}");
        assert!(ulp_distance(c.lambda, SELU_LAMBDA) <= 4, "{c:?}");
    }

    #[test]
    fn the_variance_map_has_an_attracting_fixed_point_at_one() {
        let (mean, var) = selu_moment_map(1.0);
        assert!(
            mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-6,
            "{mean} {var}"
        );
        let slope = selu_map_slope();
        assert!(slope > 0.0 && slope < 1.0, "{slope}");
        for it in selu_map_iterations() {
            // Each step brings the variance closer to 1.
            for w in it.windows(2) {
                assert!((w[1] - 1.0).abs() < (w[0] - 1.0).abs(), "{it:?}");
            }
        }
    }

    #[test]
    fn selu_keeps_the_signal_where_relu_with_the_same_weights_loses_it() {
        let m = signal_moments();
        let last = SIGNAL_LAYERS - 1;
        // SELU: variance near 1 and mean near 0 at the last layer.
        assert!((m[0].variance[last] - 1.0).abs() < 0.2, "{:?}", m[0]);
        assert!(m[0].mean[last].abs() < 0.2, "{:?}", m[0]);
        // ReLU with the same weights halves the second moment at every layer.
        assert!(m[1].variance[last] < 1e-10, "{:?}", m[1]);
        // He's weights keep ReLU's variance within a factor of 100, but not its mean at 0:
        // the mean stays above half the standard deviation, as for any rectified Gaussian.
        assert!(m[2].variance[last] > 0.01 && m[2].variance[last] < 100.0);
        assert!(
            m[2].mean[last] > 0.5 * m[2].variance[last].sqrt(),
            "{:?}",
            m[2]
        );
    }

    #[test]
    fn swish_gap_is_lambert_w_of_one_over_e_over_beta() {
        let c = swish_relu_gap_constant();
        // W(1/e) e^{W(1/e)} = 1/e.
        assert!((c * c.exp() - (-1.0f64).exp()).abs() < 1e-15);
        for beta in [1.0, 2.0, 10.0] {
            let grid = exercises::swish_gap_on_grid(beta);
            assert!((grid - c / beta).abs() < 1e-7, "{beta}: {grid}");
        }
    }

    #[test]
    fn gelu_and_silu_dip_below_zero_and_are_not_monotonic() {
        let s = shapes();
        for name in ["gelu", "silu"] {
            let sh = s.iter().find(|x| x.name == name).unwrap();
            assert!(
                !sh.monotonic && sh.smoothness == Smoothness::Smooth,
                "{sh:?}"
            );
        }
        assert!(gelu_sigmoid_gap() < GELU_GAP_BOUND);
    }

    #[test]
    fn the_shape_table_says_what_the_book_says_of_each_activation() {
        let s = shapes();
        let get = |n: &str| s.iter().find(|x| x.name == n).unwrap().clone();
        assert!((get("sigmoid").max_derivative - 0.25).abs() < 1e-12);
        assert_eq!(get("sigmoid").range, "(0, 1)");
        assert_eq!(get("relu").range, "[0, ∞)");
        assert_eq!(get("tanh").range, "(−1, 1)");
        assert!(get("relu").zero_slope && !get("leaky_relu").zero_slope);
        assert_eq!(get("relu").smoothness, Smoothness::Kink);
        assert_eq!(get("selu").smoothness, Smoothness::Kink);
        assert_eq!(get("elu").smoothness, Smoothness::OnceDifferentiable);
        assert_eq!(get("softplus").smoothness, Smoothness::Smooth);
        assert!(get("selu").mean_output.abs() < 1e-6);
        assert!(get("tanh").mean_output.abs() < 1e-12);
        assert!(get("relu").mean_output > 0.39);
        assert_eq!(get("leaky_relu").flat, "nowhere");
        assert_eq!(get("sigmoid").flat, "|x| > 6.9");
        for sh in &s {
            assert!(cost(sh.name).is_ok(), "{}", sh.name);
        }
        assert!(cost("nope").is_err());
    }

    #[test]
    fn the_side_by_side_tables_hold_what_the_text_says() {
        let last = experiments::COMPARISON_SGD.epochs;
        let epochs = |n: &str| {
            first_at_or_below(
                &comparison_mean(n).train_error,
                crate::ch04_relu::SPEED_THRESHOLD,
            )
        };
        // The sigmoid fails; everything else trains to a similar accuracy.
        for &n in &SIDE_BY_SIDE {
            let acc = comparison_mean(n).test_accuracy[last];
            if n == "sigmoid" {
                assert!(acc < 0.2, "{n}: {acc}");
            } else {
                assert!(acc > 0.8, "{n}: {acc}");
            }
        }
        // ELU and SELU get there first; tanh is slower than ReLU; softplus never does.
        let fastest = epochs("elu").unwrap().max(epochs("selu").unwrap());
        for &n in &SIDE_BY_SIDE {
            if !["elu", "selu"].contains(&n) {
                assert!(epochs(n).is_none_or(|e| e > fastest), "{n}");
            }
        }
        assert!(epochs("tanh").unwrap() > epochs("relu").unwrap());
        assert!(epochs("softplus").is_none());
        // Only ReLU has dead units at the end.
        for &n in &SIDE_BY_SIDE {
            let dead = comparison_mean(n).dead[last];
            assert_eq!(dead > 0.0, n == "relu", "{n}: {dead}");
        }
        // Two orders of magnitude between ReLU's cost and GELU's, in the committed run.
        assert!(cost("gelu").unwrap().0 > 100.0 * cost("relu").unwrap().0);
        // And the catalog is in the order of the names.
        for (n, a) in SIDE_BY_SIDE.iter().zip(catalog()) {
            assert!(a.name().starts_with(n), "{n} {}", a.name());
        }
    }

    #[test]
    fn shortcuts_carry_the_gradient_that_the_plain_sigmoid_network_loses() {
        let g = residual_gradients();
        // Plain sigmoid: the first block's gradient is many orders below the last's.
        assert!(g[0][0] < 1e-10 * g[0][RES_BLOCKS - 1], "{:?}", g[0]);
        // With shortcuts, within a factor of 10 everywhere.
        let (lo, hi) = g[1].iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        assert!(hi < 10.0 * lo, "{:?}", g[1]);
        // ReLU with He's weights and shortcuts: the gradient explodes instead.
        assert!(g[3][0] > 1e3 * g[2][0], "{:?} {:?}", g[2], g[3]);
    }

    #[test]
    fn shortcuts_let_the_sigmoid_network_learn_and_clipping_tames_the_explosion() {
        let s = residual_summaries();
        let end = |i: usize| *s[i].train_error.last().unwrap();
        assert!(end(0) > 0.8, "{:?}", s[0]);
        assert!(end(1) < 0.3, "{:?}", s[1]);
        // Unclipped, every ReLU run with shortcuts diverges; clipped, none does, and it learns.
        assert_eq!(s[3].diverged, RES_SEEDS as usize);
        assert_eq!(s[4].diverged, 0);
        assert!(end(4) < s[4].train_error[0] - 0.1, "{:?}", s[4]);
    }

    #[test]
    fn exercise_elu_variances() {
        let v = exercises::elu_variances(ELU_FLOOR);
        let k = v.len() - 1;
        // Every layer loses variance, and layer k is the first at or below the floor.
        assert!(v.windows(2).all(|w| w[1] < w[0]), "{v:?}");
        assert!(v[k] <= ELU_FLOOR && v[k - 1] > ELU_FLOOR, "{v:?}");
        // The random networks of the signal experiment fall as far within a factor of three
        // of the same depth (their inputs have variance 1, like the map's start).
        let net = signal_moments()[3].variance[k - 1];
        assert!(net > ELU_FLOOR / 3.0 && net < 3.0 * ELU_FLOOR, "{k}: {net}");
    }

    #[test]
    fn the_example_rejects_bad_input() {
        for bad in [
            &["--activation", "swish"][..],
            &["--blocks", "0"],
            &["--shortcuts", "maybe"],
            &["--clip", "-1"],
            &["--clip", "nan"],
            &["--learning-rate", "0"],
            &["--epochs", "1000"],
        ] {
            let args = EXAMPLE
                .parse(bad.iter().map(|s| s.to_string()))
                .unwrap()
                .unwrap();
            assert!(run_example(&args).is_err(), "{bad:?}");
        }
    }
}
