//! Chapter 5, *Leaky ReLU, PReLU, RReLU and ELU*: giving ReLU a slope on the negative side.
//!
//! Each unit gets an experiment: a sweep of Leaky ReLU's slope on chapter 4's dying-units
//! setup, the slopes PReLU learns per layer, RReLU's random slope against a fixed one on a
//! small training set, and ELU's mean activations and training curves.

use crate::activations::{
    Activation, Elu, LeakyRelu, Prelu, Relu, Rrelu, elu, elu_derivative, leaky_relu, relu,
};
use crate::ch03_tanh::training_chart_of;
use crate::ch04_relu::{
    BIAS_OPTION, BIAS_SHIFT, BIAS_SHIFT_RATE, DYING_EPOCHS, DYING_SEEDS, EPOCHS_OPTION,
    RATE_OPTION, dying_settings, dying_spec,
};
use crate::cli::{self, CliError, Opt, Spec};
use crate::experiments::{
    self, COMPARISON_SEEDS, Curve, MakeActivation, PRELU_INITIAL_SLOPE, RunSpec, mean_curve,
    parallel_map,
};
use crate::network::train::{Sgd, TrainError};
use crate::numerics::{format_quoted, linspace};
use crate::plot::{Corner, LineChart, Series, YAxis, per_epoch};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The slope the figure of the family draws Leaky ReLU with (larger than the usual 0.01, so
/// that it can be seen).
const DRAWN_SLOPE: f64 = 0.1;

/// ReLU, Leaky ReLU, ELU and the band of RReLU's random slopes.
pub fn family_chart() -> LineChart {
    let xs = linspace(-3.0, 2.0, 501);
    let curve = |f: &dyn Fn(f64) -> f64| xs.iter().map(|&x| (x, f(x))).collect();
    let (l, u) = Rrelu::standard()
        .random_slopes()
        .expect("RReLU has a range");
    LineChart {
        title: "The ReLU family".into(),
        x_label: "x".into(),
        y_label: "f(x)".into(),
        x_range: (-3.0, 2.0),
        y_axis: YAxis::Linear(-1.2, 2.0),
        series: vec![
            Series::line("ReLU", curve(&relu)),
            Series::line(
                format!("Leaky ReLU, slope {DRAWN_SLOPE}"),
                curve(&|x| leaky_relu(x, DRAWN_SLOPE)),
            ),
            Series::line("ELU, α = 1", curve(&|x| elu(x, 1.0))),
            Series::line("ELU'(x), α = 1", curve(&|x| elu_derivative(x, 1.0))).dashed(),
            Series::line(
                format!("RReLU slopes: lowest {l:.3}"),
                curve(&|x| leaky_relu(x, l)),
            )
            .dashed(),
            Series::line(
                format!("RReLU slopes: highest {u:.3}"),
                curve(&|x| leaky_relu(x, u)),
            )
            .dashed(),
        ],
        legend: Corner::UpperLeft,
    }
}

/// The slopes of the Leaky ReLU sweep (0 is ReLU).
pub const SWEEP_SLOPES: [f64; 6] = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2];

/// The learning rate of the sweep: chapter 4's fastest, which killed a quarter of the ReLU
/// units.
pub fn sweep_rate() -> f64 {
    crate::ch04_relu::DYING_RATES[crate::ch04_relu::DYING_RATES.len() - 1]
}

fn leaky(slope: f64) -> Box<dyn Activation> {
    if slope == 0.0 {
        Box::new(Relu)
    } else {
        Box::new(LeakyRelu::new(slope).expect("a finite slope"))
    }
}

// Function pointers cannot capture the slope: one per slope of the sweep and of the shift.
const SWEEP_MAKERS: [MakeActivation; 6] = [
    || leaky(SWEEP_SLOPES[0]),
    || leaky(SWEEP_SLOPES[1]),
    || leaky(SWEEP_SLOPES[2]),
    || leaky(SWEEP_SLOPES[3]),
    || leaky(SWEEP_SLOPES[4]),
    || leaky(SWEEP_SLOPES[5]),
];

/// The slopes tried on the shifted biases of chapter 4.
pub const SHIFT_SLOPES: [f64; 3] = [0.01, 0.1, 0.3];
const SHIFT_MAKERS: [MakeActivation; 3] = [
    || leaky(SHIFT_SLOPES[0]),
    || leaky(SHIFT_SLOPES[1]),
    || leaky(SHIFT_SLOPES[2]),
];

/// The runs of one setting: a curve per seed, or the step at which it diverged.
pub type Runs = Vec<Result<Curve, usize>>;

fn runs_of(specs: &[RunSpec], seeds: u64) -> Vec<Runs> {
    let jobs: Vec<(usize, u64)> = (0..specs.len())
        .flat_map(|i| (0..seeds).map(move |s| (i, s)))
        .collect();
    let results = parallel_map(&jobs, |&(i, seed)| {
        match experiments::run(&specs[i], seed) {
            Ok(c) => Ok(c),
            Err(TrainError::NotFinite { step, .. }) => Err(step),
            Err(e) => panic!("the chapter's settings are valid: {e}"),
        }
    });
    results.chunks(seeds as usize).map(<[_]>::to_vec).collect()
}

/// The sweep: for each slope of [`SWEEP_SLOPES`], [`DYING_SEEDS`] runs of chapter 4's
/// five-layer network at [`sweep_rate`].
pub fn sweep() -> &'static [Runs] {
    static RUNS: OnceLock<Vec<Runs>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let specs: Vec<RunSpec> = SWEEP_MAKERS
            .iter()
            .map(|&m| dying_spec(m, sweep_rate(), 0.0))
            .collect();
        runs_of(&specs, DYING_SEEDS)
    })
}

/// Leaky ReLU started from chapter 4's shifted biases, for each slope of [`SHIFT_SLOPES`].
pub fn shifted() -> &'static [Runs] {
    static RUNS: OnceLock<Vec<Runs>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let specs: Vec<RunSpec> = SHIFT_MAKERS
            .iter()
            .map(|&m| dying_spec(m, BIAS_SHIFT_RATE, BIAS_SHIFT))
            .collect();
        runs_of(&specs, DYING_SEEDS)
    })
}

/// The mean curve of the runs that finished, and how many diverged.
pub fn finished(runs: &Runs) -> (Option<Curve>, usize) {
    let done: Vec<Curve> = runs.iter().filter_map(|r| r.clone().ok()).collect();
    let diverged = runs.len() - done.len();
    ((!done.is_empty()).then(|| mean_curve(&done)), diverged)
}

fn table_rows(slopes: &[f64], runs: &[Runs]) -> String {
    let mut s = String::from(
        "| slope | runs that diverged | inactive units | training error | test accuracy |\n\
         | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (slope, r) in slopes.iter().zip(runs) {
        let (mean, diverged) = finished(r);
        let cells = match mean {
            Some(c) => {
                let e = c.train_error.len() - 1;
                [c.inactive[e], c.train_error[e], c.test_accuracy[e]].map(|v| format_quoted(v, 2))
            }
            None => ["–".to_string(), "–".to_string(), "–".to_string()],
        };
        let name = if *slope == 0.0 {
            "0 (ReLU)".to_string()
        } else {
            slope.to_string()
        };
        let _ = writeln!(
            s,
            "| {name} | {diverged} of {} | {} | {} | {} |",
            r.len(),
            cells[0],
            cells[1],
            cells[2]
        );
    }
    s.truncate(s.trim_end().len());
    s
}

/// The sweep as a Markdown table (means over the runs that finished).
pub fn sweep_table() -> String {
    table_rows(&SWEEP_SLOPES, sweep())
}

/// The shifted-bias runs as a Markdown table.
pub fn shift_table() -> String {
    table_rows(&SHIFT_SLOPES, shifted())
}

/// Inactive units per epoch for every slope of the sweep whose runs all finished.
pub fn sweep_chart() -> LineChart {
    let series = SWEEP_SLOPES
        .iter()
        .zip(sweep())
        .filter_map(|(slope, r)| match finished(r) {
            (Some(c), 0) => {
                Some(Series::line(format!("slope {slope}"), per_epoch(&c.inactive)).with_markers())
            }
            _ => None,
        })
        .collect();
    LineChart {
        title: format!(
            "Units inactive on every training digit, learning rate {}",
            sweep_rate()
        ),
        x_label: format!(
            "epoch (five hidden layers of 64, He initialization; mean of {DYING_SEEDS} seeds)"
        ),
        y_label: "fraction of hidden units with z ≤ 0 on every digit".into(),
        x_range: (0.0, DYING_EPOCHS as f64),
        y_axis: YAxis::Linear(0.0, 0.5),
        series,
        legend: Corner::UpperRight,
    }
}

/// PReLU's learned slope per hidden layer after every epoch of the comparison runs, mean
/// over seeds: one vector per layer.
pub fn prelu_slopes() -> Vec<Vec<f64>> {
    let c = experiments::comparison_mean("prelu");
    let layers = c.parameters[0].len();
    (0..layers)
        .map(|l| {
            c.parameters
                .iter()
                .map(|p| p[l].expect("every PReLU layer has a slope"))
                .collect()
        })
        .collect()
}

/// The learned slopes per layer over training.
pub fn prelu_chart() -> LineChart {
    let series = prelu_slopes()
        .iter()
        .enumerate()
        .map(|(l, s)| Series::line(format!("hidden layer {}", l + 1), per_epoch(s)).with_markers())
        .collect();
    LineChart {
        title: "The slopes PReLU learns, one per layer".into(),
        x_label: format!(
            "epoch (five hidden layers of 64, He initialization; mean of {COMPARISON_SEEDS} seeds)"
        ),
        y_label: "learned negative-side slope a".into(),
        x_range: (0.0, experiments::COMPARISON_SGD.epochs as f64),
        y_axis: YAxis::Linear(0.0, 1.2),
        series,
        legend: Corner::UpperLeft,
    }
}

/// Training digits of the RReLU experiment.
pub const SMALL_TRAIN: usize = 200;
/// Epochs of the RReLU experiment.
pub const SMALL_EPOCHS: usize = 60;
/// Learning rate of the RReLU experiment.
pub const SMALL_RATE: f64 = 0.05;
/// Seeds of the RReLU experiment.
pub const SMALL_SEEDS: u64 = 4;

/// The units compared on the small training set: ReLU, Leaky ReLU with RReLU's evaluation
/// slope, and RReLU.
pub fn small_units() -> [(&'static str, MakeActivation); 3] {
    [
        ("ReLU", || Box::new(Relu)),
        ("Leaky ReLU, fixed slope (l + u)/2", || {
            Box::new(LeakyRelu::new(Rrelu::standard().eval_slope()).expect("a finite slope"))
        }),
        ("RReLU, slope drawn from [l, u]", || {
            Box::new(Rrelu::standard())
        }),
    ]
}

/// The runs on [`SMALL_TRAIN`] digits, one set per unit of [`small_units`].
pub fn small_runs() -> &'static [Runs] {
    static RUNS: OnceLock<Vec<Runs>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let specs: Vec<RunSpec> = small_units()
            .iter()
            .map(|&(_, m)| RunSpec {
                train_images: SMALL_TRAIN,
                sgd: Sgd {
                    learning_rate: SMALL_RATE,
                    epochs: SMALL_EPOCHS,
                    ..experiments::COMPARISON_SGD
                },
                ..dying_spec(m, SMALL_RATE, 0.0)
            })
            .collect();
        runs_of(&specs, SMALL_SEEDS)
    })
}

/// For each unit of [`small_units`]: mean training accuracy, test accuracy, and their gap,
/// with the smallest and largest gap over seeds.
pub fn small_results() -> Vec<[f64; 5]> {
    small_runs()
        .iter()
        .map(|runs| {
            let gaps: Vec<(f64, f64)> = runs
                .iter()
                .map(|r| {
                    let c = r.as_ref().expect("the small runs stay finite");
                    let e = c.train_error.len() - 1;
                    (1.0 - c.train_error[e], c.test_accuracy[e])
                })
                .collect();
            let n = gaps.len() as f64;
            let train = gaps.iter().map(|g| g.0).sum::<f64>() / n;
            let test = gaps.iter().map(|g| g.1).sum::<f64>() / n;
            let each: Vec<f64> = gaps.iter().map(|g| g.0 - g.1).collect();
            let lo = each.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = each.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            [train, test, train - test, lo, hi]
        })
        .collect()
}

/// The RReLU experiment as a Markdown table.
pub fn small_table() -> String {
    let mut s = String::from(
        "| unit | training accuracy | test accuracy | gap | gap, smallest to largest seed |\n\
         | --- | ---: | ---: | ---: | ---: |\n",
    );
    for ((name, _), r) in small_units().iter().zip(small_results()) {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} to {} |",
            format_quoted(r[0], 3),
            format_quoted(r[1], 3),
            format_quoted(r[2], 2),
            format_quoted(r[3], 2),
            format_quoted(r[4], 2)
        );
    }
    s.truncate(s.trim_end().len());
    s
}

/// The units whose mean activations the ELU section compares, by their names in the
/// comparison runs.
pub const MEAN_UNITS: [(&str, &str); 3] = [
    ("relu", "ReLU"),
    ("leaky_relu", "Leaky ReLU, slope 0.01"),
    ("elu", "ELU, α = 1"),
];

/// Mean activation per hidden layer of the comparison runs on the training digits, before
/// training (`epoch` 0) or after an epoch, for each unit of [`MEAN_UNITS`].
pub fn mean_activations(epoch: usize) -> Vec<Vec<f64>> {
    MEAN_UNITS
        .iter()
        .map(|(name, _)| experiments::comparison_mean(name).a_mean[epoch].clone())
        .collect()
}

/// The mean activation per layer, ReLU, Leaky ReLU and ELU, before and after training.
pub fn mean_activation_chart() -> LineChart {
    let last = experiments::COMPARISON_SGD.epochs;
    let mut series = Vec::new();
    for (epoch, when) in [(last, "trained"), (0, "at initialization")] {
        for ((_, label), m) in MEAN_UNITS.iter().zip(mean_activations(epoch)) {
            let s = Series::line(
                format!("{label}, {when}"),
                m.iter()
                    .enumerate()
                    .map(|(l, &v)| ((l + 1) as f64, v))
                    .collect(),
            );
            series.push(if epoch == 0 {
                s.dashed()
            } else {
                s.with_markers()
            });
        }
    }
    let layers = experiments::COMPARISON_HIDDEN.len();
    LineChart {
        title: "Mean activation per layer on the training digits".into(),
        x_label: format!(
            "hidden layer ({layers} layers of 64, He initialization; mean of {COMPARISON_SEEDS} \
             seeds; trained {last} epochs)"
        ),
        y_label: "mean of a over digits and units".into(),
        x_range: (1.0, layers as f64),
        y_axis: YAxis::Linear(0.0, 2.2),
        series,
        legend: Corner::UpperLeft,
    }
}

/// Training error on the digits for the ReLU family.
pub fn family_training_chart() -> LineChart {
    training_chart_of(
        &["relu", "leaky_relu", "prelu", "elu"],
        "Training on the digits: ReLU, Leaky ReLU, PReLU and ELU",
    )
}

/// The first epoch at which the mean curve of `name` in the comparison reaches a training
/// error of chapter 4's threshold.
fn epochs_to_threshold(name: &str) -> Option<usize> {
    experiments::first_at_or_below(
        &experiments::comparison_mean(name).train_error,
        crate::ch04_relu::SPEED_THRESHOLD,
    )
}

/// The numbers the chapter quotes.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let sweep = sweep();
    let relu_end = finished(&sweep[0]).0.expect("ReLU finishes");
    let best = SWEEP_SLOPES
        .iter()
        .zip(sweep)
        .filter_map(|(s, r)| match finished(r) {
            (Some(c), 0) => Some((*s, c)),
            _ => None,
        })
        .max_by(|a, b| {
            let (ea, eb) = (a.1.test_accuracy.len() - 1, b.1.test_accuracy.len() - 1);
            a.1.test_accuracy[ea].total_cmp(&b.1.test_accuracy[eb])
        })
        .expect("some slope finishes");
    let all_diverge = SWEEP_SLOPES
        .iter()
        .zip(sweep)
        .find(|(_, r)| finished(r).0.is_none())
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| "none".to_string());
    let e = DYING_EPOCHS;
    let slopes = prelu_slopes();
    let last = experiments::COMPARISON_SGD.epochs;
    let finals: Vec<f64> = slopes.iter().map(|s| s[last]).collect();
    let (lo, hi) = finals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let small = small_results();
    let (means0, means) = (mean_activations(0), mean_activations(last));
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let acc = |name: &str| experiments::comparison_mean(name).test_accuracy[last];
    let epochs = |name: &str| {
        epochs_to_threshold(name).map_or_else(|| "never".to_string(), |e| e.to_string())
    };
    vec![
        ("ch5_sweep_rate", sweep_rate().to_string()),
        ("ch5_sweep_table", sweep_table()),
        ("ch5_shift_table", shift_table()),
        ("ch5_relu_inactive", format_quoted(relu_end.inactive[e], 2)),
        (
            "ch5_relu_accuracy",
            format_quoted(relu_end.test_accuracy[e], 2),
        ),
        ("ch5_best_slope", best.0.to_string()),
        ("ch5_best_inactive", format_quoted(best.1.inactive[e], 2)),
        (
            "ch5_best_accuracy",
            format_quoted(best.1.test_accuracy[e], 2),
        ),
        ("ch5_all_diverge", all_diverge),
        ("ch5_prelu_initial", PRELU_INITIAL_SLOPE.to_string()),
        ("ch5_prelu_first", format_quoted(finals[0], 2)),
        ("ch5_prelu_low", format_quoted(lo, 2)),
        ("ch5_prelu_high", format_quoted(hi, 2)),
        ("ch5_small_train", SMALL_TRAIN.to_string()),
        ("ch5_small_epochs", SMALL_EPOCHS.to_string()),
        ("ch5_small_seeds", SMALL_SEEDS.to_string()),
        ("ch5_small_rate", SMALL_RATE.to_string()),
        ("ch5_small_table", small_table()),
        ("ch5_gap_fixed", format_quoted(small[1][2], 2)),
        ("ch5_gap_random", format_quoted(small[2][2], 2)),
        (
            "ch5_rrelu_lower",
            format_quoted(Rrelu::standard().random_slopes().expect("range").0, 4),
        ),
        (
            "ch5_rrelu_upper",
            format_quoted(Rrelu::standard().random_slopes().expect("range").1, 4),
        ),
        (
            "ch5_rrelu_eval",
            format_quoted(Rrelu::standard().eval_slope(), 4),
        ),
        (
            "ch5_divisor_expected",
            format_quoted(Rrelu::divisor_expected_slope(3.0, 8.0), 4),
        ),
        ("ch5_divisor_mid", format_quoted(1.0 / 5.5, 4)),
        (
            "ch5_divisor_gap_percent",
            format_quoted(
                100.0 * (Rrelu::divisor_expected_slope(3.0, 8.0) * 5.5 - 1.0),
                2,
            ),
        ),
        (
            "ch5_ex_slope",
            SWEEP_SLOPES[SWEEP_SLOPES.len() - 1].to_string(),
        ),
        ("ch5_ex_rate", TAMED_RATE.to_string()),
        (
            "ch5_ex_error",
            format_quoted(
                finished(tamed())
                    .0
                    .expect("the tamed runs finish")
                    .train_error[DYING_EPOCHS],
                2,
            ),
        ),
        ("ch5_mean_relu", format_quoted(avg(&means[0]), 2)),
        ("ch5_mean_leaky", format_quoted(avg(&means[1]), 2)),
        ("ch5_mean_elu", format_quoted(avg(&means[2]), 2)),
        ("ch5_mean0_relu", format_quoted(avg(&means0[0]), 2)),
        ("ch5_mean0_elu", format_quoted(avg(&means0[2]), 2)),
        (
            "ch5_threshold",
            format_quoted(crate::ch04_relu::SPEED_THRESHOLD, 2),
        ),
        ("ch5_epochs_relu", epochs("relu")),
        ("ch5_epochs_leaky", epochs("leaky_relu")),
        ("ch5_epochs_prelu", epochs("prelu")),
        ("ch5_epochs_elu", epochs("elu")),
        ("ch5_acc_relu", format_quoted(acc("relu"), 2)),
        ("ch5_acc_leaky", format_quoted(acc("leaky_relu"), 2)),
        ("ch5_acc_prelu", format_quoted(acc("prelu"), 2)),
        ("ch5_acc_elu", format_quoted(acc("elu"), 2)),
    ]
}

/// The options of the example.
pub const EXAMPLE: Spec = Spec {
    name: "ch05_leaky",
    about: "Trains chapter 4's five-layer network with a unit of the ReLU family on the digits \
            and prints, per epoch, the training error, the test accuracy, the inactive units \
            and (for PReLU) the learned slopes.",
    options: &[
        Opt {
            name: "unit",
            value: "NAME",
            help: "relu, leaky, prelu, rrelu or elu",
            default: Some("leaky"),
        },
        Opt {
            name: "slope",
            value: "A",
            help: "Leaky ReLU's slope, or PReLU's initial one (-1 to 1)",
            default: Some("0.05"),
        },
        RATE_OPTION,
        BIAS_OPTION,
        EPOCHS_OPTION,
        Opt {
            name: "seed",
            value: "S",
            help: "the seed of the weights, the batch order and RReLU's slopes",
            default: Some("0"),
        },
    ],
    positional: None,
};

/// The example's output.
///
/// # Errors
/// A usage error for an unknown unit or an option out of range; a failure when training stops
/// because a number stopped being finite.
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    let unit: String = args.get("unit")?;
    let slope: f64 = args.get("slope")?;
    if !(-1.0..=1.0).contains(&slope) {
        return Err(CliError::Usage(format!(
            "--slope must be between -1 and 1, got {slope}"
        )));
    }
    let (rate, bias, epochs) = dying_settings(args)?;
    let seed: u64 = args.get("seed")?;
    // The unit's layers are made by a function pointer, which cannot capture the slope: the
    // slope travels through the networks' layers instead, set after building.
    let make: MakeActivation = match unit.as_str() {
        "relu" => || Box::new(Relu),
        "leaky" => || Box::new(LeakyRelu::new(0.0).expect("finite")),
        "prelu" => || Box::new(Prelu::new(0.0).expect("finite")),
        "rrelu" => || Box::new(Rrelu::standard()),
        "elu" => || Box::new(Elu::new(1.0).expect("alpha 1")),
        other => {
            return Err(CliError::Usage(format!(
                "unknown --unit {other:?}; use relu, leaky, prelu, rrelu or elu"
            )));
        }
    };
    let mut spec = dying_spec(make, rate, bias);
    spec.sgd.epochs = epochs;
    let mut net = spec.network(seed);
    let hidden = spec.hidden.len();
    if unit == "leaky" || unit == "prelu" {
        for layer in &mut net.layers[..hidden] {
            layer.activation = if unit == "leaky" {
                Box::new(LeakyRelu::new(slope).map_err(CliError::Usage)?)
            } else {
                Box::new(Prelu::new(slope).map_err(CliError::Usage)?)
            };
        }
    }
    let curve = experiments::run_network(net, &spec, seed, |_, _| {})
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let mut out = format!(
        "{unit}, {hidden} hidden layers of 64, He initialization, biases {bias}, learning rate \
         {rate}, seed {seed}\n\nepoch  train error  test accuracy  inactive units  slopes\n"
    );
    for e in 0..=epochs {
        let slopes: Vec<String> = curve.parameters[e]
            .iter()
            .flatten()
            .map(|a| format!("{a:.3}"))
            .collect();
        let _ = writeln!(
            out,
            "{e:>5}  {:>11.3}  {:>13.3}  {:>14.3}  {}",
            curve.train_error[e],
            curve.test_accuracy[e],
            curve.inactive[e],
            if slopes.is_empty() {
                "-".to_string()
            } else {
                slopes.join(" ")
            }
        );
    }
    Ok(out)
}

/// The learning rate of exercise 3.
pub const TAMED_RATE: f64 = 0.1;

/// Exercise 3: the sweep's largest slope at [`TAMED_RATE`], one run per seed.
pub fn tamed() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let spec = dying_spec(SWEEP_MAKERS[SWEEP_SLOPES.len() - 1], TAMED_RATE, 0.0);
        runs_of(&[spec], DYING_SEEDS).remove(0)
    })
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::leaky_relu;

    // ANCHOR: exercise_elu_slope
    /// Where ELU's slope $\alpha e^{x}$ on the negative side has fallen to $s$:
    /// $x = \ln(s/\alpha)$.
    pub fn elu_slope_point(s: f64, alpha: f64) -> f64 {
        (s / alpha).ln()
    }
    // ANCHOR_END: exercise_elu_slope

    // ANCHOR: exercise_single_unit
    /// $\partial L / \partial a$ for one PReLU unit with $L = \frac12 (f(z) - y)^2$: the
    /// chain rule gives $(f(z) - y)\, \partial f/\partial a$, and $\partial f/\partial a$ is
    /// $z$ where $z \le 0$ and 0 elsewhere.
    pub fn single_unit_slope_gradient(z: f64, a: f64, y: f64) -> f64 {
        let df_da = if z > 0.0 { 0.0 } else { z };
        (leaky_relu(z, a) - y) * df_da
    }
    // ANCHOR_END: exercise_single_unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_negative_slope_keeps_units_alive_at_a_rate_that_kills_relu_units() {
        let s = sweep();
        let relu = finished(&s[0]).0.unwrap();
        let e = DYING_EPOCHS;
        // Slope 0.05 (index 3): fewer inactive units and a better test accuracy than ReLU.
        let (five, diverged) = finished(&s[3]);
        let five = five.unwrap();
        assert_eq!(diverged, 0);
        assert!(five.inactive[e] < 0.5 * relu.inactive[e], "{five:?}");
        assert!(five.test_accuracy[e] > relu.test_accuracy[e] + 0.1);
        // And the largest slope makes the network so nearly linear that this rate diverges.
        assert!(finished(&s[SWEEP_SLOPES.len() - 1]).1 > 0);
    }

    #[test]
    fn only_a_large_slope_rescues_the_shifted_biases() {
        let s = shifted();
        let end = |r: &Runs| {
            let c = finished(r).0.unwrap();
            c.train_error[c.train_error.len() - 1]
        };
        assert!(end(&s[0]) > 0.8);
        assert!(end(&s[2]) < 0.2);
    }

    #[test]
    fn prelu_learns_slopes_that_move_away_from_the_start() {
        let slopes = prelu_slopes();
        let last = experiments::COMPARISON_SGD.epochs;
        for s in &slopes {
            assert_eq!(s[0], PRELU_INITIAL_SLOPE);
            assert!((s[last] - PRELU_INITIAL_SLOPE).abs() > 0.02, "{s:?}");
        }
    }

    #[test]
    fn random_and_fixed_slopes_fit_the_small_set_alike() {
        let r = small_results();
        // Everyone fits the 200 digits; the gaps of fixed and random slope differ by less
        // than the spread between seeds.
        for row in &r {
            assert!(row[0] > 0.99, "{row:?}");
        }
        let spread = (r[1][4] - r[1][3]).max(r[2][4] - r[2][3]);
        assert!((r[1][2] - r[2][2]).abs() <= spread, "{r:?}");
    }

    #[test]
    fn elu_pushes_the_mean_activation_towards_zero() {
        let m = mean_activations(experiments::COMPARISON_SGD.epochs);
        for l in 0..m[0].len() {
            assert!(m[2][l] < m[0][l] && m[2][l] < m[1][l], "{m:?}");
        }
    }

    #[test]
    fn exercise_elu_slope_point() {
        let x = exercises::elu_slope_point(0.1, 1.0);
        assert!((elu_derivative(x, 1.0) - 0.1).abs() < 1e-15);
        assert!(x < -2.0 && x > -2.5);
    }

    #[test]
    fn exercise_single_unit_slope_gradient() {
        for (z, a, y) in [(-2.0, 0.25, 1.0), (-0.3, 0.1, -0.5), (1.5, 0.25, 0.0)] {
            let loss = |a: f64| 0.5 * (leaky_relu(z, a) - y).powi(2);
            let fd = crate::numerics::central_difference(loss, a, 1e-6);
            let g = exercises::single_unit_slope_gradient(z, a, y);
            assert!((g - fd).abs() < 1e-8, "{z} {a} {y}: {g} vs {fd}");
        }
    }

    #[test]
    fn exercise_a_smaller_rate_tames_the_large_slope() {
        // The largest slope diverges at the sweep's rate; at the exercise's, every seed
        // finishes and learns.
        assert!(finished(&sweep()[SWEEP_SLOPES.len() - 1]).1 > 0);
        for r in tamed() {
            let c = r.as_ref().expect("finishes");
            assert!(c.train_error[DYING_EPOCHS] < 0.2, "{:?}", c.train_error);
        }
    }

    #[test]
    fn the_example_rejects_bad_input() {
        for bad in [
            &["--unit", "gelu"][..],
            &["--slope", "2"],
            &["--learning-rate", "-1"],
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
