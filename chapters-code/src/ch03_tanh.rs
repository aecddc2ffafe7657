//! Chapter 3, *The hyperbolic tangent*: a sigmoid stretched and centred on zero.
//!
//! The figures compare tanh with the sigmoid as functions, inside a deep network at
//! initialization (mean activation and mean slope per layer, gradient norm per layer), and in
//! training on the digits. The constants of LeCun's scaled tanh are computed here too.

use crate::activations::{
    Activation, SCALED_TANH_A, SCALED_TANH_B, Sigmoid, Tanh, scaled_tanh, scaled_tanh_derivative,
    sigmoid, sigmoid_derivative, tanh, tanh_derivative,
};
use crate::ch01_networks::{
    DEEP_BATCH, DEEP_LAYERS, deep_gradient_norms, deep_network, digit_sample,
};
use crate::cli::{self, CliError, Spec};
use crate::experiments::{self, COMPARISON_SEEDS, comparison_mean};
use crate::network::init::Init;
use crate::network::stats::layer_stats;
use crate::numerics::{format_quoted, linspace, normal_expectation};
use crate::plot::{Corner, LineChart, Series, YAxis, per_epoch, per_layer};
use std::fmt::Write as _;

/// tanh and the sigmoid with their derivatives.
pub fn tanh_chart() -> LineChart {
    let xs = linspace(-5.0, 5.0, 401);
    let curve = |f: fn(f64) -> f64| xs.iter().map(|&x| (x, f(x))).collect();
    LineChart {
        title: "tanh and the sigmoid, with their derivatives".into(),
        x_label: "x".into(),
        y_label: "value".into(),
        x_range: (-5.0, 5.0),
        y_axis: YAxis::Linear(-1.1, 1.1),
        series: vec![
            Series::line("tanh(x)", curve(tanh)),
            Series::line("tanh'(x) = 1 − tanh²(x)", curve(tanh_derivative)).dashed(),
            Series::line("σ(x)", curve(sigmoid)),
            Series::line("σ'(x)", curve(sigmoid_derivative)).dashed(),
        ],
        legend: Corner::UpperLeft,
    }
}

/// Seeds the per-layer statistics are averaged over.
pub const STATS_SEEDS: u64 = 5;

/// Per hidden layer of the deep network at initialization (Glorot uniform, a batch of digits),
/// averaged over [`STATS_SEEDS`] seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepStats {
    /// Mean activation $a$ over examples and units.
    pub a_mean: Vec<f64>,
    /// Mean pre-activation $z$.
    pub z_mean: Vec<f64>,
    /// Mean slope $f'(z)$ over examples and units.
    pub slope_mean: Vec<f64>,
}

/// The statistics for the sigmoid or tanh.
pub fn deep_stats(act: fn() -> Box<dyn Activation>) -> DeepStats {
    let mut s = DeepStats {
        a_mean: vec![0.0; DEEP_LAYERS],
        z_mean: vec![0.0; DEEP_LAYERS],
        slope_mean: vec![0.0; DEEP_LAYERS],
    };
    let n = STATS_SEEDS as f64;
    for seed in 0..STATS_SEEDS {
        let batch = digit_sample(DEEP_BATCH, 1000 + seed);
        let net = deep_network(act, Init::GlorotUniform, seed);
        let cache = net.forward(batch.inputs.view());
        let grads = net.backward(&cache, batch.one_hot().view());
        let stats = layer_stats(&net, &cache, &grads);
        for (l, layer) in stats.iter().enumerate().take(DEEP_LAYERS) {
            s.a_mean[l] += layer.a_mean / n;
            s.z_mean[l] += layer.z_mean / n;
            let act = net.layers[l].activation.as_ref();
            s.slope_mean[l] += cache.z[l].mapv(|z| act.derivative(z)).mean().unwrap_or(0.0) / n;
        }
    }
    s
}

fn layer_axis() -> String {
    format!("hidden layer (1 = nearest the input; {DEEP_LAYERS} layers of 64, Glorot uniform)")
}

/// Mean activation and mean pre-activation per layer, sigmoid against tanh.
pub fn mean_activation_chart() -> LineChart {
    let (s, t) = (
        deep_stats(|| Box::new(Sigmoid)),
        deep_stats(|| Box::new(Tanh)),
    );
    LineChart {
        title: "Mean activation per layer at initialization".into(),
        x_label: layer_axis(),
        y_label: "mean over a batch of 256 digits and all units".into(),
        x_range: (1.0, DEEP_LAYERS as f64),
        y_axis: YAxis::Linear(-0.2, 0.8),
        series: vec![
            Series::line("sigmoid: mean a", per_layer(&s.a_mean)).with_markers(),
            Series::line("tanh: mean a", per_layer(&t.a_mean)).with_markers(),
            Series::line("sigmoid: mean z", per_layer(&s.z_mean)).dashed(),
            Series::line("tanh: mean z", per_layer(&t.z_mean)).dashed(),
        ],
        legend: Corner::UpperRight,
    }
}

/// Mean slope per layer, sigmoid against tanh, with the bounds 1/4 and 1.
pub fn mean_slope_chart() -> LineChart {
    let (s, t) = (
        deep_stats(|| Box::new(Sigmoid)),
        deep_stats(|| Box::new(Tanh)),
    );
    let bound = |v: f64| vec![(1.0, v), (DEEP_LAYERS as f64, v)];
    LineChart {
        title: "Mean slope f'(z) per layer at initialization".into(),
        x_label: layer_axis(),
        y_label: "mean of f'(z)".into(),
        x_range: (1.0, DEEP_LAYERS as f64),
        y_axis: YAxis::Linear(0.0, 1.1),
        series: vec![
            Series::line("sigmoid", per_layer(&s.slope_mean)).with_markers(),
            Series::line("tanh", per_layer(&t.slope_mean)).with_markers(),
            Series::line("largest slope of the sigmoid: 1/4", bound(0.25)).dashed(),
            Series::line("largest slope of tanh: 1", bound(1.0)).dashed(),
        ],
        legend: Corner::LowerRight,
    }
}

/// Gradient norm per layer at initialization, sigmoid against tanh (the experiment of chapter
/// 1, Glorot uniform).
pub fn gradient_chart() -> LineChart {
    let s = deep_gradient_norms(|| Box::new(Sigmoid), Init::GlorotUniform);
    let t = deep_gradient_norms(|| Box::new(Tanh), Init::GlorotUniform);
    LineChart {
        title: "Gradient norm per layer at initialization".into(),
        x_label: layer_axis(),
        y_label: "‖∂L/∂W‖".into(),
        x_range: (1.0, DEEP_LAYERS as f64),
        y_axis: YAxis::Log(1e-7, 10.0),
        series: vec![
            Series::line("sigmoid", per_layer(&s)).with_markers(),
            Series::line("tanh", per_layer(&t)).with_markers(),
        ],
        legend: Corner::LowerRight,
    }
}

/// Training error on the digits per epoch, averaged over seeds, for the activations `names`.
pub fn training_chart_of(names: &[&str], title: &str) -> LineChart {
    let series = names
        .iter()
        .map(|&name| {
            let c = comparison_mean(name);
            Series::line(name, per_epoch(&c.train_error)).with_markers()
        })
        .collect();
    LineChart {
        title: title.into(),
        x_label: format!(
            "epoch (five hidden layers of 64; {} training digits; mean of {COMPARISON_SEEDS} seeds)",
            experiments::TRAIN_IMAGES
        ),
        y_label: "training error".into(),
        x_range: (0.0, experiments::COMPARISON_SGD.epochs as f64),
        y_axis: YAxis::Linear(0.0, 1.0),
        series,
        legend: Corner::UpperRight,
    }
}

/// Sigmoid against tanh on the digits.
pub fn training_chart() -> LineChart {
    training_chart_of(
        &["sigmoid", "tanh"],
        "Training on the digits: sigmoid against tanh",
    )
}

/// What the constants of the scaled tanh $f(x) = A \tanh(Bx)$ do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaledTanhFacts {
    /// The exact $A$ that makes $f(1) = 1$ with $B = 2/3$: $1 / \tanh(2/3)$.
    pub exact_a: f64,
    /// $f(1)$ with the published, rounded $A$.
    pub f_at_one: f64,
    /// Where $|f''|$ is largest for $x > 0$: $\operatorname{artanh}(1/\sqrt3) / B$.
    pub curvature_peak: f64,
    /// $f'(0) = AB$.
    pub slope_at_zero: f64,
    /// $\operatorname{Var} f(X)$ for $X \sim \mathcal{N}(0, 1)$.
    pub variance: f64,
    /// $\operatorname{Var} \tanh(X)$ for the same $X$.
    pub tanh_variance: f64,
    /// $\mathbb{E} f'(X)$.
    pub mean_slope: f64,
    /// $\mathbb{E} \tanh'(X)$.
    pub tanh_mean_slope: f64,
}

/// The constants of the scaled tanh, computed.
pub fn scaled_tanh_facts() -> ScaledTanhFacts {
    ScaledTanhFacts {
        exact_a: 1.0 / (2.0f64 / 3.0).tanh(),
        f_at_one: scaled_tanh(1.0),
        // f''(x) = -2 A B^2 t (1 - t^2) with t = tanh(Bx); d/dt of t(1 - t^2) vanishes at
        // t = 1/sqrt(3).
        curvature_peak: (1.0 / 3f64.sqrt()).atanh() / SCALED_TANH_B,
        slope_at_zero: scaled_tanh_derivative(0.0),
        variance: normal_expectation(|x| scaled_tanh(x).powi(2)),
        tanh_variance: normal_expectation(|x| tanh(x).powi(2)),
        mean_slope: normal_expectation(scaled_tanh_derivative),
        tanh_mean_slope: normal_expectation(tanh_derivative),
    }
}

/// The numbers the chapter quotes.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let f = scaled_tanh_facts();
    let (s, t) = (
        deep_stats(|| Box::new(Sigmoid)),
        deep_stats(|| Box::new(Tanh)),
    );
    let gs = deep_gradient_norms(|| Box::new(Sigmoid), Init::GlorotUniform);
    let gt = deep_gradient_norms(|| Box::new(Tanh), Init::GlorotUniform);
    let (sig, th) = (comparison_mean("sigmoid"), comparison_mean("tanh"));
    let last = th.train_error.len() - 1;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    vec![
        ("ch3_a", format_quoted(SCALED_TANH_A, 5)),
        ("ch3_exact_a", format_quoted(f.exact_a, 8)),
        ("ch3_f_at_one", format_quoted(f.f_at_one, 7)),
        ("ch3_curvature_peak", format_quoted(f.curvature_peak, 4)),
        ("ch3_slope_at_zero", format_quoted(f.slope_at_zero, 4)),
        ("ch3_variance", format_quoted(f.variance, 3)),
        ("ch3_tanh_variance", format_quoted(f.tanh_variance, 3)),
        ("ch3_mean_slope", format_quoted(f.mean_slope, 3)),
        ("ch3_tanh_mean_slope", format_quoted(f.tanh_mean_slope, 3)),
        ("ch3_sigmoid_a_mean", format_quoted(mean(&s.a_mean), 2)),
        ("ch3_tanh_a_mean_abs", {
            let worst = t.a_mean.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            format_quoted(worst, 1)
        }),
        (
            "ch3_sigmoid_slope_mean",
            format_quoted(mean(&s.slope_mean), 2),
        ),
        ("ch3_tanh_slope_mean", format_quoted(mean(&t.slope_mean), 2)),
        (
            "ch3_sigmoid_slope_power",
            format_quoted(mean(&s.slope_mean).powi(DEEP_LAYERS as i32), 2),
        ),
        (
            "ch3_tanh_slope_power",
            format_quoted(mean(&t.slope_mean).powi(DEEP_LAYERS as i32), 2),
        ),
        (
            "ch3_sigmoid_grad_ratio",
            format_quoted(gs[DEEP_LAYERS - 1] / gs[0], 2),
        ),
        (
            "ch3_tanh_grad_ratio",
            format_quoted(gt[DEEP_LAYERS - 1] / gt[0], 2),
        ),
        (
            "ch3_sigmoid_final_error",
            format_quoted(sig.train_error[last], 2),
        ),
        (
            "ch3_tanh_final_error",
            format_quoted(th.train_error[last], 2),
        ),
        (
            "ch3_tanh_final_accuracy",
            format_quoted(th.test_accuracy[last], 2),
        ),
        (
            "ch3_sigmoid_final_accuracy",
            format_quoted(sig.test_accuracy[last], 2),
        ),
        ("ch3_epochs", last.to_string()),
        (
            "ch3_ex_half_x",
            format_quoted(exercises::where_slope_is(0.5), 4),
        ),
        (
            "ch3_ex_half_fraction",
            format_quoted(exercises::fraction_with_slope_above(0.5, 1.0), 3),
        ),
        (
            "ch3_ex_half_fraction_2",
            format_quoted(exercises::fraction_with_slope_above(0.5, 2.0), 3),
        ),
        ("ch3_train_images", experiments::TRAIN_IMAGES.to_string()),
        ("ch3_test_images", experiments::TEST_IMAGES.to_string()),
        ("ch3_seeds", COMPARISON_SEEDS.to_string()),
        (
            "ch3_eta",
            format_quoted(experiments::COMPARISON_SGD.learning_rate, 2),
        ),
        (
            "ch3_batch",
            experiments::COMPARISON_SGD.batch_size.to_string(),
        ),
        ("ch3_stats_seeds", STATS_SEEDS.to_string()),
    ]
}

/// The options of the example (it takes none).
pub const EXAMPLE: Spec = Spec {
    name: "ch03_tanh",
    about: "Checks tanh(x) = 2σ(2x) − 1 at the given inputs and prints the constants of the \
            scaled tanh.",
    options: &[],
    positional: Some((
        "X",
        "inputs to compare at [default: -20 -2 -0.5 0 0.5 2 20]",
    )),
};

/// The example's output.
///
/// # Errors
/// A usage error for an argument that is not a number.
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    let defaults = ["-20", "-2", "-0.5", "0", "0.5", "2", "20"].map(String::from);
    let raw: &[String] = if args.positional.is_empty() {
        &defaults
    } else {
        &args.positional
    };
    let mut out =
        String::from("           x         tanh(x)     2σ(2x) − 1    difference       tanh'(x)\n");
    for r in raw {
        let x: f64 = r
            .parse()
            .map_err(|_| CliError::Usage(format!("{r:?} is not a number")))?;
        let via_sigmoid = 2.0 * sigmoid(2.0 * x) - 1.0;
        let _ = writeln!(
            out,
            "{x:>12.4} {:>15.12} {:>15.12} {:>12.2e} {:>14.6e}",
            tanh(x),
            via_sigmoid,
            tanh(x) - via_sigmoid,
            tanh_derivative(x)
        );
    }
    let f = scaled_tanh_facts();
    let _ = writeln!(
        out,
        "\nScaled tanh f(x) = A tanh(Bx), A = {SCALED_TANH_A}, B = 2/3:\n  \
         A that makes f(1) = 1 exactly: {:.10}\n  f(1) with the published A:     {:.10}\n  \
         |f''| is largest at x =        {:.6}\n  f'(0) =                        {:.6}\n  \
         Var f(X), X ~ N(0, 1):         {:.6}   (tanh: {:.6})\n  \
         E f'(X):                       {:.6}   (tanh: {:.6})",
        f.exact_a,
        f.f_at_one,
        f.curvature_peak,
        f.slope_at_zero,
        f.variance,
        f.tanh_variance,
        f.mean_slope,
        f.tanh_mean_slope
    );
    Ok(out)
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::{tanh, tanh_derivative};

    // ANCHOR: exercise_slope_above
    /// The $x > 0$ at which $\tanh'(x) = s$, for a slope $s \in (0, 1]$: from
    /// $1 - \tanh^2 x = s$, $x = \operatorname{artanh} \sqrt{1 - s}$.
    pub fn where_slope_is(s: f64) -> f64 {
        (1.0 - s).sqrt().atanh()
    }
    // ANCHOR_END: exercise_slope_above

    /// The fraction of $X \sim \mathcal{N}(0, \sigma^2)$ with $\tanh'(X) > s$.
    pub fn fraction_with_slope_above(s: f64, sigma: f64) -> f64 {
        let x = where_slope_is(s);
        // P(|X| < x) = erf(x / (sigma sqrt 2)).
        libm::erf(x / (sigma * std::f64::consts::SQRT_2))
    }

    /// tanh'(x) evaluated through tanh, for the exercise on derivatives from the forward pass.
    pub fn slope_from_output(x: f64) -> f64 {
        let t = tanh(x);
        1.0 - t * t
    }

    /// Our careful tanh', for comparison.
    pub fn slope(x: f64) -> f64 {
        tanh_derivative(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_keeps_the_mean_near_zero_and_the_sigmoid_does_not() {
        let (s, t) = (
            deep_stats(|| Box::new(Sigmoid)),
            deep_stats(|| Box::new(Tanh)),
        );
        for l in 0..DEEP_LAYERS {
            assert!(s.a_mean[l] > 0.4 && s.a_mean[l] < 0.6, "{s:?}");
            assert!(t.a_mean[l].abs() < 0.1, "{t:?}");
            // Every slope is below its bound, and tanh's are larger.
            assert!(s.slope_mean[l] <= 0.25 && t.slope_mean[l] <= 1.0);
            assert!(t.slope_mean[l] > 2.0 * s.slope_mean[l]);
        }
    }

    #[test]
    fn the_scaled_tanh_constants_do_what_the_text_says() {
        let f = scaled_tanh_facts();
        // The published A is the exact one rounded to four decimals.
        assert_eq!(format!("{:.4}", f.exact_a), format!("{SCALED_TANH_A}"));
        assert!((f.f_at_one - 1.0).abs() < 1e-5);
        // The curvature peak is near 1 (not exactly at 1).
        assert!((f.curvature_peak - 1.0).abs() < 0.02 && f.curvature_peak != 1.0);
        // The curvature peak is a maximum of |f''|: check with finite differences of f'.
        let second =
            |x: f64| crate::numerics::central_difference(scaled_tanh_derivative, x, 1e-5).abs();
        let p = f.curvature_peak;
        assert!(second(p) > second(p - 0.01) && second(p) > second(p + 0.01));
        // The scaled tanh keeps more of the input's variance than tanh, and neither keeps all.
        assert!(f.variance > 1.5 * f.tanh_variance && f.variance < 1.0);
        // The quadrature against a known expectation: E X^2 = 1, E tanh'(X) = 1 - E tanh^2(X).
        assert!((normal_expectation(|x| x * x) - 1.0).abs() < 1e-12);
        assert!((f.tanh_mean_slope - (1.0 - f.tanh_variance)).abs() < 1e-12);
    }

    #[test]
    fn tanh_learns_the_digits_and_the_deep_sigmoid_network_does_not_in_the_same_time() {
        let (s, t) = (comparison_mean("sigmoid"), comparison_mean("tanh"));
        let last = t.train_error.len() - 1;
        assert!(t.train_error[last] < 0.1, "{t:?}");
        assert!(s.train_error[last] > 0.5, "{s:?}");
        assert!(t.test_accuracy[last] > 0.8);
    }

    #[test]
    fn exercise_slope_above_one_half() {
        // tanh'(x) = 1/2 where tanh^2 x = 1/2.
        let x = exercises::where_slope_is(0.5);
        assert!((tanh_derivative(x) - 0.5).abs() < 1e-15);
        // For unit-variance inputs, the fraction with slope above 1/2, by formula and by count.
        let p = exercises::fraction_with_slope_above(0.5, 1.0);
        let counted = normal_expectation(|z| if tanh_derivative(z) > 0.5 { 1.0 } else { 0.0 });
        assert!((p - counted).abs() < 1e-3, "{p} {counted}");
    }

    #[test]
    fn exercise_the_slope_from_the_output_loses_the_tails() {
        // At x = 20 the textbook 1 - t^2 is exactly 0, ours is about 4e^-40.
        assert_eq!(exercises::slope_from_output(20.0), 0.0);
        assert!(exercises::slope(20.0) > 1e-18);
        // At x = 1 they agree to a few ULPs.
        let (a, b) = (exercises::slope_from_output(1.0), exercises::slope(1.0));
        assert!((a - b).abs() <= 4.0 * f64::EPSILON * b);
    }

    #[test]
    fn the_example_rejects_bad_input_and_passes_nan_through() {
        let parse = |v: &[&str]| {
            EXAMPLE
                .parse(v.iter().map(|s| s.to_string()))
                .unwrap()
                .unwrap()
        };
        assert!(run_example(&parse(&["x"])).is_err());
        assert!(run_example(&parse(&["nan"])).unwrap().contains("NaN"));
    }
}
