//! Chapter 1, *Why gradients vanish*: a chain of single sigmoid units.
//!
//! Each layer has one unit, so the whole network is a chain of scalars,
//!
//! $$z_\ell = w_\ell a_{\ell-1} + b_\ell, \qquad a_\ell = \sigma(z_\ell), \qquad \ell = 1, \dots, L,$$
//!
//! with input $a_0 = x$ and loss $\mathcal{L} = \frac12 (a_L - y)^2$. With one unit per layer
//! every factor of the chain rule is a number we can print.

use crate::activations::{sigmoid, sigmoid_derivative};
use crate::cli::{self, CliError, Opt, Spec};
use crate::numerics::format_quoted;
use crate::plot::{Corner, LineChart, Series, YAxis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fmt::Write as _;

/// A chain of single sigmoid units: layer $\ell$ (counting from 1) has weight `weights[ℓ-1]`
/// and bias `biases[ℓ-1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// $w_1, \dots, w_L$.
    pub weights: Vec<f64>,
    /// $b_1, \dots, b_L$.
    pub biases: Vec<f64>,
}

/// What the forward pass remembers for the backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// Pre-activations $z_1, \dots, z_L$.
    pub z: Vec<f64>,
    /// Activations $a_0 = x, a_1, \dots, a_L$ (one more than `z`).
    pub a: Vec<f64>,
}

/// The gradient of the loss with respect to every parameter, and the chain-rule factors.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// $\partial\mathcal{L}/\partial w_\ell$ for $\ell = 1, \dots, L$.
    pub weights: Vec<f64>,
    /// $\partial\mathcal{L}/\partial b_\ell = \delta_\ell$ for $\ell = 1, \dots, L$.
    pub biases: Vec<f64>,
    /// $\sigma'(z_\ell)$ for $\ell = 1, \dots, L$: the activation's share of each factor.
    pub slopes: Vec<f64>,
}

impl Chain {
    /// A chain of `depth` layers, every weight `weight` and every bias 0.
    pub fn constant(depth: usize, weight: f64) -> Self {
        Chain {
            weights: vec![weight; depth],
            biases: vec![0.0; depth],
        }
    }

    /// A chain of `depth` layers with weights drawn from the standard normal distribution
    /// $\mathcal{N}(0, 1)$ and biases 0, from a seeded, portable generator.
    pub fn random(depth: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Chain {
            weights: (0..depth)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect(),
            biases: vec![0.0; depth],
        }
    }

    /// The number of layers $L$.
    pub fn depth(&self) -> usize {
        self.weights.len()
    }

    // ANCHOR: forward
    /// The forward pass from input $x = a_0$.
    pub fn forward(&self, x: f64) -> Forward {
        let mut z = Vec::with_capacity(self.depth());
        let mut a = vec![x];
        for (w, b) in self.weights.iter().zip(&self.biases) {
            let z_l = w * a[a.len() - 1] + b;
            z.push(z_l);
            a.push(sigmoid(z_l));
        }
        Forward { z, a }
    }
    // ANCHOR_END: forward

    /// The loss $\frac12 (a_L - y)^2$ for input `x` and target `y`.
    pub fn loss(&self, x: f64, y: f64) -> f64 {
        let a_last = self.forward(x).a[self.depth()];
        0.5 * (a_last - y) * (a_last - y)
    }

    // ANCHOR: backward
    /// Backpropagation: the chain rule applied from the last layer to the first.
    pub fn backward(&self, fwd: &Forward, y: f64) -> Gradients {
        let depth = self.depth();
        let mut grad_w = vec![0.0; depth];
        let mut grad_b = vec![0.0; depth];
        let slopes: Vec<f64> = fwd.z.iter().map(|&z| sigmoid_derivative(z)).collect();
        // dL/da_L for L = (a_L - y)^2 / 2.
        let mut upstream = fwd.a[depth] - y;
        for l in (0..depth).rev() {
            // delta = dL/dz: the gradient arriving from above, times this unit's slope.
            let delta = upstream * slopes[l];
            grad_w[l] = delta * fwd.a[l]; // dz/dw is the input of the layer
            grad_b[l] = delta; // dz/db is 1
            upstream = delta * self.weights[l]; // dz/da_{l-1} is the weight
        }
        Gradients {
            weights: grad_w,
            biases: grad_b,
            slopes,
        }
    }
    // ANCHOR_END: backward
}

/// $\partial\mathcal{L}/\partial w_1$ written as the explicit product of the chapter's
/// equation, one factor $w_{\ell+1}\sigma'(z_\ell)$ per layer; for checking [`Chain::backward`].
pub fn first_weight_gradient_as_product(chain: &Chain, x: f64, y: f64) -> f64 {
    let fwd = chain.forward(x);
    let depth = chain.depth();
    let slopes: Vec<f64> = fwd.z.iter().map(|&z| sigmoid_derivative(z)).collect();
    let product: f64 = (0..depth - 1)
        .map(|l| chain.weights[l + 1] * slopes[l])
        .product();
    (fwd.a[depth] - y) * slopes[depth - 1] * product * fwd.a[0]
}

/// The default experiment of the chapter: input 1, target 0.
pub const INPUT: f64 = 1.0;
/// The target of the default experiment.
pub const TARGET: f64 = 0.0;

/// $|\partial\mathcal{L}/\partial w_\ell|$ for every layer of `chain`, as (layer, magnitude).
pub fn weight_gradient_magnitudes(chain: &Chain) -> Vec<(f64, f64)> {
    let fwd = chain.forward(INPUT);
    let g = chain.backward(&fwd, TARGET);
    g.weights
        .iter()
        .enumerate()
        .map(|(l, dw)| ((l + 1) as f64, dw.abs()))
        .collect()
}

/// The geometric mean of $|\partial\mathcal{L}/\partial w_\ell|$ per layer over `seeds`
/// random chains (the mean of the logarithms: on a log scale, the typical value).
pub fn geometric_mean_magnitudes(depth: usize, seeds: std::ops::Range<u64>) -> Vec<(f64, f64)> {
    let n = (seeds.end - seeds.start) as f64;
    let mut log_sum = vec![0.0; depth];
    for seed in seeds {
        for (l, (_, m)) in weight_gradient_magnitudes(&Chain::random(depth, seed))
            .into_iter()
            .enumerate()
        {
            log_sum[l] += m.ln();
        }
    }
    log_sum
        .iter()
        .enumerate()
        .map(|(l, s)| ((l + 1) as f64, (s / n).exp()))
        .collect()
}

/// Depth of the chains in the chapter's figure.
pub const FIGURE_DEPTH: usize = 20;
/// Number of random chains averaged in the figure.
pub const FIGURE_SEEDS: u64 = 200;

/// The figure *gradient magnitude against depth*.
pub fn gradient_by_layer_chart() -> LineChart {
    let depth = FIGURE_DEPTH;
    let ones = weight_gradient_magnitudes(&Chain::constant(depth, 1.0));
    let random = geometric_mean_magnitudes(depth, 0..FIGURE_SEEDS);
    // The bound (1/4)^(L - l) relative to the last layer, anchored at the w = 1 chain's last layer.
    let last = ones[depth - 1].1;
    let bound = (1..=depth)
        .map(|l| (l as f64, last * 0.25f64.powi((depth - l) as i32)))
        .collect();
    LineChart {
        title: format!("Gradient reaching each layer of a {depth}-layer sigmoid chain"),
        x_label: "layer ℓ (1 = nearest the input)".into(),
        y_label: "|∂L/∂w_ℓ|".into(),
        x_range: (1.0, depth as f64),
        y_axis: YAxis::Log(1e-20, 1.0),
        series: vec![
            Series::line("every weight 1", ones).with_markers(),
            Series::line(
                format!("weights ~ N(0,1), geometric mean of {FIGURE_SEEDS} chains"),
                random,
            )
            .with_markers(),
            Series::line("slope 1/4 at every layer (the bound)", bound).dashed(),
        ],
        legend: Corner::LowerRight,
    }
}

/// The numbers chapter 1 quotes, as (key, value) pairs.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let chain = Chain::constant(10, 1.0);
    let fwd = chain.forward(INPUT);
    let g = chain.backward(&fwd, TARGET);
    let ratio = g.weights[9].abs() / g.weights[0].abs();
    let deep = weight_gradient_magnitudes(&Chain::constant(FIGURE_DEPTH, 1.0));
    let deep_ratio = deep[FIGURE_DEPTH - 1].1 / deep[0].1;
    let random = geometric_mean_magnitudes(FIGURE_DEPTH, 0..FIGURE_SEEDS);
    let random_ratio = random[FIGURE_DEPTH - 1].1 / random[0].1;
    let max_slope = g.slopes.iter().copied().fold(0.0, f64::max);
    let min_slope = g.slopes.iter().copied().fold(1.0, f64::min);
    let fixed = exercises::fixed_point();
    vec![
        ("ch1_ratio_10", format_quoted(ratio, 3)),
        ("ch1_figure_seeds", FIGURE_SEEDS.to_string()),
        ("ch1_ratio_20", format_quoted(deep_ratio, 3)),
        ("ch1_ratio_20_random", format_quoted(random_ratio, 3)),
        ("ch1_slope_min_10", format_quoted(min_slope, 3)),
        ("ch1_slope_max_10", format_quoted(max_slope, 3)),
        ("ch1_first_grad_10", format_quoted(g.weights[0], 3)),
        ("ch1_last_grad_10", format_quoted(g.weights[9], 3)),
        ("ch1_fixed_point", format_quoted(fixed, 4)),
        (
            "ch1_fixed_slope",
            format_quoted(sigmoid_derivative(fixed), 4),
        ),
        (
            "ch1_layers_for_million",
            exercises::layers_to_shrink_by(1e6).to_string(),
        ),
        (
            "ch1_weight4_factor",
            format_quoted(exercises::late_factor(4.0), 3),
        ),
        (
            "ch1_weight4_fixed_point",
            format_quoted(exercises::fixed_point_with_weight(4.0), 3),
        ),
    ]
}

/// The options of the chapter's example.
pub const EXAMPLE: Spec = Spec {
    name: "ch01_vanishing",
    about: "Backpropagates through a chain of single sigmoid units and prints every factor.",
    options: &[
        Opt {
            name: "depth",
            value: "L",
            help: "number of layers (1 to 1000)",
            default: Some("10"),
        },
        Opt {
            name: "weight",
            value: "W",
            help: "every weight (ignored with --seed)",
            default: Some("1"),
        },
        Opt {
            name: "seed",
            value: "S",
            help: "draw the weights from N(0, 1) with this seed instead",
            default: None,
        },
        Opt {
            name: "input",
            value: "X",
            help: "the input a_0",
            default: Some("1"),
        },
        Opt {
            name: "target",
            value: "Y",
            help: "the target y",
            default: Some("0"),
        },
    ],
    positional: None,
};

// ANCHOR: example
/// The example's output: one row per layer, from the last layer back to the first.
///
/// # Errors
/// A usage error for a depth outside 1..=1000 or a value that is not finite.
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    let depth = cli::in_range("depth", args.get::<usize>("depth")?, 1..=1000)?;
    let x: f64 = finite("input", args.get("input")?)?;
    let y: f64 = finite("target", args.get("target")?)?;
    let chain = match args.get_opt::<u64>("seed")? {
        Some(seed) => Chain::random(depth, seed),
        None => Chain::constant(depth, finite("weight", args.get("weight")?)?),
    };
    let fwd = chain.forward(x);
    let grads = chain.backward(&fwd, y);

    let mut out = format!("loss = {:.6e}\n", 0.5 * (fwd.a[depth] - y).powi(2));
    out.push_str("layer        w        z      σ'(z)      ∂L/∂w    ratio to layer L\n");
    let last = grads.weights[depth - 1];
    for l in (0..depth).rev() {
        let _ = writeln!(
            out,
            "{:>5} {:>8.4} {:>8.4} {:>10.6} {:>11.3e} {:>14.3e}",
            l + 1,
            chain.weights[l],
            fwd.z[l],
            grads.slopes[l],
            grads.weights[l],
            grads.weights[l] / last,
        );
    }
    Ok(out)
}
// ANCHOR_END: example

fn finite(name: &str, v: f64) -> Result<f64, CliError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CliError::Usage(format!(
            "--{name} must be a finite number, got {v}"
        )))
    }
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::{sigmoid, sigmoid_derivative};

    // ANCHOR: fixed_point
    /// With every weight 1 and bias 0, $a_\ell = \sigma(a_{\ell-1})$ settles at the fixed point
    /// $a^* = \sigma(a^*)$. We find it by iterating until nothing changes.
    pub fn fixed_point() -> f64 {
        fixed_point_with_weight(1.0)
    }

    /// The fixed point of $a = \sigma(w a)$, by iteration from $a = 1$.
    pub fn fixed_point_with_weight(w: f64) -> f64 {
        let mut a: f64 = 1.0;
        for _ in 0..10_000 {
            let next = sigmoid(w * a);
            if next == a {
                break;
            }
            a = next;
        }
        a
    }

    /// The factor $w\,\sigma'(w a^*)$ each layer contributes deep in a chain of weight `w`.
    pub fn late_factor(w: f64) -> f64 {
        w * sigmoid_derivative(w * fixed_point_with_weight(w))
    }
    // ANCHOR_END: fixed_point

    // ANCHOR: layers
    /// The smallest number of layers $n$ with $(1/4)^n \le 1/\text{shrink}$: how deep a chain
    /// must be before even the best-case sigmoid slope shrinks a gradient by `shrink`.
    pub fn layers_to_shrink_by(shrink: f64) -> u32 {
        (shrink.ln() / 4f64.ln()).ceil() as u32
    }
    // ANCHOR_END: layers
}

#[cfg(test)]
mod tests {
    use super::exercises::*;
    use super::*;

    #[test]
    fn fixed_point_is_a_fixed_point_and_its_slope_is_below_one_quarter() {
        let a = fixed_point();
        assert!((sigmoid(a) - a).abs() <= f64::EPSILON);
        let s = sigmoid_derivative(a);
        assert!(s < 0.25 && s > 0.2, "{s}");
    }

    #[test]
    fn the_chain_really_settles_at_the_fixed_point() {
        let fwd = Chain::constant(60, 1.0).forward(1.0);
        assert!((fwd.a[60] - fixed_point()).abs() < 1e-12);
    }

    #[test]
    fn ten_layers_of_slope_one_quarter_shrink_by_a_million() {
        let n = layers_to_shrink_by(1e6);
        assert!(0.25f64.powi(n as i32) <= 1e-6);
        assert!(0.25f64.powi(n as i32 - 1) > 1e-6);
    }

    #[test]
    fn larger_weights_make_the_late_factor_smaller_not_larger() {
        assert!(late_factor(4.0) < late_factor(1.0));
        assert!(late_factor(4.0) < 0.25);
    }

    #[test]
    fn gradient_shrinks_towards_the_input_in_the_example_chain() {
        let m = weight_gradient_magnitudes(&Chain::constant(FIGURE_DEPTH, 1.0));
        for pair in m.windows(2) {
            assert!(pair[0].1 < pair[1].1, "{pair:?}");
        }
    }

    #[test]
    fn example_rejects_bad_arguments() {
        for bad in [
            &["--depth", "0"][..],
            &["--depth", "-3"],
            &["--weight", "nan"],
            &["--seed", "x"],
        ] {
            let args = EXAMPLE
                .parse(bad.iter().map(|s| s.to_string()))
                .unwrap()
                .unwrap();
            assert!(run_example(&args).is_err(), "{bad:?}");
        }
    }
}
