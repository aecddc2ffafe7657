//! Chapter 2, *Sigmoid: from odds to the logistic function*.
//!
//! The functions themselves live in [`crate::activations`], where every chapter finds them;
//! this module holds the chapter's figures, its table of numerics and its example.

use crate::activations::{logit, naive, odds, sigmoid, sigmoid_derivative};
use crate::cli::{self, CliError, Spec};
use crate::numerics::{format_quoted, linspace, relative_difference};
use crate::plot::{Corner, LineChart, Series, YAxis};
use std::fmt::Write as _;

/// The figure: $\sigma$ and $\sigma'$ on $[-8, 8]$.
pub fn sigmoid_chart() -> LineChart {
    let xs = linspace(-8.0, 8.0, 321);
    LineChart {
        title: "The sigmoid and its derivative".into(),
        x_label: "x".into(),
        y_label: "value".into(),
        x_range: (-8.0, 8.0),
        y_axis: YAxis::Linear(0.0, 1.0),
        series: vec![
            Series::line("σ(x)", xs.iter().map(|&x| (x, sigmoid(x))).collect()),
            Series::line(
                "σ'(x) = σ(x) σ(−x)",
                xs.iter().map(|&x| (x, sigmoid_derivative(x))).collect(),
            ),
            Series::line("1/4, the largest slope", vec![(-8.0, 0.25), (8.0, 0.25)]).dashed(),
        ],
        legend: Corner::UpperLeft,
    }
}

/// The figure: the odds $p/(1-p)$ and the logit $\ln(p/(1-p))$ against the probability $p$.
pub fn odds_logit_chart() -> LineChart {
    // Stay inside (0, 1): the odds go to infinity at p = 1 and the logit at both ends.
    let ps = linspace(0.005, 0.995, 199);
    LineChart {
        title: "From probability to odds to log-odds".into(),
        x_label: "probability p".into(),
        y_label: "value".into(),
        x_range: (0.0, 1.0),
        y_axis: YAxis::Linear(-6.0, 10.0),
        series: vec![
            Series::line(
                "odds(p) = p/(1−p)",
                ps.iter()
                    .map(|&p| (p, odds(p)))
                    .filter(|&(_, o)| o <= 10.0)
                    .collect(),
            ),
            Series::line(
                "logit(p) = ln odds(p)",
                ps.iter().map(|&p| (p, logit(p))).collect(),
            ),
        ],
        legend: Corner::UpperLeft,
    }
}

/// Inputs of the chapter's table of tail values.
pub const TAIL_INPUTS: [f64; 9] = [1.0, 10.0, 20.0, 30.0, 36.0, 37.0, 40.0, 100.0, 700.0];

/// $\sigma'(x)$ from the high-precision reference table (computed with `mpmath` and rounded
/// once), if `x` is one of its inputs.
pub fn reference_derivative(x: f64) -> Option<f64> {
    crate::activations::accuracy::reference_f64()
        .into_iter()
        .find(|r| r.function == "sigmoid" && r.x == x)
        .map(|r| r.derivative)
}

fn reference_or_nan(x: f64) -> f64 {
    reference_derivative(x).unwrap_or(f64::NAN)
}

// ANCHOR: tail_table
/// The table of the chapter: at each input, the textbook `s * (1 - s)`, our `σ(x)σ(−x)`, and the
/// reference value computed with 80 digits.
pub fn tail_table() -> String {
    let mut out = String::from("     x      s*(1-s)     σ(x)σ(-x)     reference\n");
    for x in TAIL_INPUTS {
        let _ = writeln!(
            out,
            "{x:>6} {:>12.4e} {:>13.4e} {:>13.4e}",
            naive::sigmoid_derivative(x),
            sigmoid_derivative(x),
            reference_or_nan(x),
        );
    }
    out
}
// ANCHOR_END: tail_table

/// The numbers chapter 2 quotes.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let first_zero = exercises::first_zero_of_naive_derivative();
    vec![
        (
            "ch2_true_derivative_40",
            format_quoted(reference_or_nan(40.0), 3),
        ),
        (
            "ch2_naive_derivative_40",
            format_quoted(naive::sigmoid_derivative(40.0), 3),
        ),
        (
            "ch2_ours_derivative_40",
            format_quoted(sigmoid_derivative(40.0), 3),
        ),
        (
            "ch2_naive_sigmoid_minus_710",
            format_quoted(naive::sigmoid(-710.0), 3),
        ),
        ("ch2_sigmoid_minus_710", format_quoted(sigmoid(-710.0), 3)),
        (
            "ch2_naive_quotient_minus_710",
            format!("{}", naive::sigmoid_derivative_quotient(-710.0)),
        ),
        ("ch2_first_zero", format_quoted(first_zero, 6)),
        (
            "ch2_first_zero_true_value",
            format_quoted(sigmoid_derivative(first_zero), 3),
        ),
        ("ch2_odds_09", format_quoted(odds(0.9), 3)),
        ("ch2_logit_09", format_quoted(logit(0.9), 4)),
        ("ch2_quarter_10", format_quoted(0.25f64.powi(10), 3)),
        ("ch2_quarter_20", format_quoted(0.25f64.powi(20), 3)),
        ("ch2_ulp_below_one", format_quoted(f64::EPSILON / 2.0, 3)),
        ("ch2_ulp_above_one", format_quoted(f64::EPSILON, 3)),
        ("ch2_f64_max", format_quoted(f64::MAX, 2)),
        ("ch2_exp_limit", format_quoted(f64::MAX.ln(), 4)),
        (
            "ch2_f64_digits",
            format_quoted(f64::MANTISSA_DIGITS as f64 * 2f64.log10(), 3),
        ),
        (
            "ch2_naive_error_30",
            format_quoted(
                relative_difference(naive::sigmoid_derivative(30.0), reference_or_nan(30.0)),
                2,
            ),
        ),
        (
            "ch2_naive_logit_error",
            format_quoted(exercises::naive_logit_relative_error(), 2),
        ),
    ]
}

/// The options of the chapter's example.
pub const EXAMPLE: Spec = Spec {
    name: "ch02_sigmoid",
    about: "Prints the sigmoid, its derivative and the logit at the given inputs, textbook \
            formula beside ours.",
    options: &[],
    positional: Some((
        "X",
        "inputs to evaluate at [default: the chapter's table of tail values]",
    )),
};

/// The example's output.
///
/// # Errors
/// A usage error for an argument that is not a number (NaN is a number: it prints NaN).
pub fn run_example(args: &cli::Args) -> Result<String, CliError> {
    if args.positional.is_empty() {
        return Ok(tail_table());
    }
    let mut out = String::from(
        "                x          σ(x)   naive σ(x)         σ'(x)   naive s(1-s)    logit(σ(x))\n",
    );
    for raw in &args.positional {
        let x: f64 = raw
            .parse()
            .map_err(|_| CliError::Usage(format!("{raw:?} is not a number")))?;
        let _ = writeln!(
            out,
            "{x:>17.6e} {:>13.6e} {:>12.4e} {:>13.6e} {:>14.4e} {:>14.6e}",
            sigmoid(x),
            naive::sigmoid(x),
            sigmoid_derivative(x),
            naive::sigmoid_derivative(x),
            logit(sigmoid(x)),
        );
    }
    Ok(out)
}

/// The chapter's exercises, with the code of their solutions.
pub mod exercises {
    use crate::activations::{logit, naive};

    // ANCHOR: first_zero
    /// The smallest `x > 0` at which the textbook `s * (1 - s)` returns exactly 0, found by
    /// bisection on the bit patterns of `f64` (positive floats are ordered like their bits).
    pub fn first_zero_of_naive_derivative() -> f64 {
        let (mut lo, mut hi) = (1.0f64.to_bits(), 100.0f64.to_bits());
        // Invariant: the naive derivative is non-zero at lo and zero at hi.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if naive::sigmoid_derivative(f64::from_bits(mid)) == 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        f64::from_bits(hi)
    }
    // ANCHOR_END: first_zero

    /// The worst relative difference between the textbook $\ln(p/(1-p))$ and our [`logit`]
    /// for probabilities just below $1/2$, $p = 1/2 - d$ with $d$ from $10^{-12}$ to $10^{-3}$.
    /// There $1 - p$ is rounded and the quotient is close to 1, so `ln` turns its rounding
    /// error into a large relative error of the small result.
    pub fn naive_logit_relative_error() -> f64 {
        (0..=900)
            .map(|i| 0.5 - 10f64.powf(-12.0 + i as f64 / 100.0))
            .map(|p| ((naive::logit(p) - logit(p)) / logit(p)).abs())
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::exercises::*;
    use super::*;

    #[test]
    fn the_first_zero_is_a_boundary() {
        let z = first_zero_of_naive_derivative();
        assert_eq!(naive::sigmoid_derivative(z), 0.0);
        assert!(naive::sigmoid_derivative(f64::from_bits(z.to_bits() - 1)) > 0.0);
        // And our formula is fine there.
        assert!(sigmoid_derivative(z) > 0.0);
        // It is where 1 + e^{-x} first rounds to 1: e^{-x} below half an ulp of 1.
        assert!((-z).exp() <= f64::EPSILON / 2.0);
    }

    #[test]
    fn the_table_shows_the_failure_the_text_describes() {
        let t = tail_table();
        let row40 = t
            .lines()
            .find(|l| l.trim_start().starts_with("40 "))
            .unwrap();
        let cols: Vec<&str> = row40.split_whitespace().collect();
        assert_eq!(cols[1].parse::<f64>().unwrap(), 0.0);
        assert!(cols[2].parse::<f64>().unwrap() > 4e-18);
    }

    #[test]
    fn every_table_input_is_in_the_reference() {
        for x in TAIL_INPUTS.iter().chain(&[30.0, 40.0]) {
            assert!(reference_derivative(*x).is_some(), "{x}");
        }
    }

    #[test]
    fn the_textbook_logit_really_loses_digits_near_one_half() {
        assert!(naive_logit_relative_error() > 1e-6);
    }

    #[test]
    fn exercise_odds_and_logit_of_nine_in_ten() {
        approx::assert_relative_eq!(odds(0.9), 9.0, max_relative = 1e-15);
        approx::assert_relative_eq!(logit(0.9), 9f64.ln(), max_relative = 1e-15);
    }

    #[test]
    fn exercise_our_derivative_is_exactly_even() {
        let xs = linspace(-40.0, 40.0, 8001);
        assert!(
            xs.iter()
                .all(|&x| sigmoid_derivative(x) == sigmoid_derivative(-x))
        );
        let uneven = xs
            .iter()
            .filter(|&&x| naive::sigmoid_derivative(x) != naive::sigmoid_derivative(-x))
            .count();
        assert!(uneven > xs.len() / 10, "only {uneven} uneven points");
    }

    #[test]
    fn the_textbook_derivative_has_about_three_digits_at_thirty() {
        let e = relative_difference(naive::sigmoid_derivative(30.0), reference_or_nan(30.0));
        assert!(e > 1e-4 && e < 1e-2, "{e}");
    }

    #[test]
    fn example_rejects_words_and_accepts_nan() {
        let parse = |v: &[&str]| {
            EXAMPLE
                .parse(v.iter().map(|s| s.to_string()))
                .unwrap()
                .unwrap()
        };
        assert!(run_example(&parse(&["abc"])).is_err());
        assert!(run_example(&parse(&["NaN", "-3"])).unwrap().contains("NaN"));
    }
}
