//! The activations against the high-precision reference, and their identities.

use super::accuracy::*;
use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The largest error, in ULPs, we accept for each function and quantity over the whole
/// reference table. Simple formulas round once or twice (1 ULP); compound ones a few times.
fn stated_ulps(function: &str, quantity: &str) -> u64 {
    match (function, quantity) {
        ("relu" | "leaky_relu" | "prelu" | "rrelu_eval", _) => 0,
        ("sigmoid" | "tanh" | "elu" | "selu" | "softplus" | "logit", "value") => 1,
        ("elu" | "selu" | "softplus" | "logit", "derivative") => 1,
        _ => 4,
    }
}

/// Where a derivative is a sum of two terms of opposite sign that cancel near its zero, the
/// sum's relative error grows without bound there, whatever the care. We state the error
/// there relative to the size of the terms: `Some(|A| + |B|)` for f' = A + B.
fn cancellation_scale(function: &str, x: f64) -> Option<f64> {
    match function {
        "gelu" => Some(normal_cdf(x).abs() + (x * normal_pdf(x)).abs()),
        "silu" => Some(sigmoid(x) * (1.0 + (x * sigmoid(-x)).abs())),
        _ => None,
    }
}

fn ulp_of(x: f64) -> f64 {
    let a = x.abs();
    f64::from_bits(a.to_bits() + 1) - a
}

type Pick = fn(&Row) -> f64;
const QUANTITIES: [(&str, Pick); 2] = [("value", |r| r.value), ("derivative", |r| r.derivative)];

#[test]
fn every_function_is_within_its_stated_ulps_of_the_f64_reference() {
    let table = reference_f64();
    let mut failures = Vec::new();
    for name in function_names() {
        let (v, d) = ours_by_name(&name).unwrap();
        for ((quantity, pick), f) in QUANTITIES.into_iter().zip([&v, &d]) {
            let tol = stated_ulps(&name, quantity);
            for r in table.iter().filter(|r| r.function == name) {
                let (got, want) = (f(r.x), pick(r));
                let u = ulps_f64(got, want);
                let scale = cancellation_scale(&name, r.x).filter(|_| quantity == "derivative");
                let within_scale =
                    scale.is_some_and(|s| (got - want).abs() <= tol as f64 * ulp_of(s));
                if u > tol && !within_scale {
                    failures.push(format!(
                        "{name} {quantity} at {:?}: {got:?}, want {want:?} ({u} ULPs > {tol})",
                        r.x
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_function_is_within_one_f32_ulp_of_the_f32_reference() {
    let table = reference_f32();
    for name in function_names() {
        let (v, d) = ours_by_name(&name).unwrap();
        for ((quantity, pick), f) in QUANTITIES.into_iter().zip([&v, &d]) {
            let w = measure(&table, &name, f.as_ref(), pick, true);
            assert!(w.ulps <= 1, "{name} {quantity} in f32: {w:?}");
        }
    }
}

#[test]
fn the_f32_path_of_the_trait_matches_the_f32_reference() {
    let table = reference_f32();
    for act in catalog() {
        for r in table.iter().filter(|r| r.function == act.name()) {
            let x = ndarray::array![r.x as f32];
            let y = apply(act.as_ref(), &x)[0];
            let dy = apply_derivative(act.as_ref(), &x)[0];
            assert!(
                ulps_f32(y, r.value as f32) <= 1,
                "{} at {}",
                act.name(),
                r.x
            );
            assert!(
                ulps_f32(dy, r.derivative as f32) <= 1,
                "{}' at {}",
                act.name(),
                r.x
            );
        }
    }
}

#[test]
fn no_spurious_zero_infinity_or_nan() {
    let table = reference_f64();
    for name in function_names() {
        let (v, d) = ours_by_name(&name).unwrap();
        for ((quantity, pick), f) in QUANTITIES.into_iter().zip([&v, &d]) {
            let w = measure(&table, &name, f.as_ref(), pick, false);
            assert_eq!(w.spurious, 0, "{name} {quantity}: {w:?}");
        }
    }
}

#[test]
fn the_reference_covers_the_hard_inputs() {
    let xs: Vec<f64> = reference_f64()
        .into_iter()
        .filter(|r| r.function == "sigmoid")
        .map(|r| r.x)
        .collect();
    for x in [
        0.0, 5e-324, 20.0, 37.0, 40.0, 100.0, 700.0, 710.0, 745.0, 1000.0, 1e300,
    ] {
        assert!(xs.contains(&x) && xs.contains(&-x), "{x}");
    }
    assert!(xs.iter().any(|x| *x == 0.0 && x.is_sign_negative()));
    assert!(xs.contains(&f64::INFINITY) && xs.contains(&f64::NEG_INFINITY));
    assert!(xs.iter().any(|x| x.is_nan()));
}

#[test]
fn the_textbook_formulas_really_fail_somewhere() {
    // The comparison the book quotes is only worth printing if it shows something.
    let csv = comparison_csv();
    let bad = csv
        .lines()
        .skip(1)
        .filter(|l| {
            let c: Vec<&str> = l.split(',').collect();
            c[3] == "inf" || c[3].parse::<u64>().unwrap() > 1000 || c[5] != "0"
        })
        .count();
    assert!(bad >= 8, "{csv}");
}

#[test]
fn nan_in_gives_nan_out() {
    for act in catalog() {
        assert!(act.value(f64::NAN).is_nan(), "{}", act.name());
        assert!(act.derivative(f64::NAN).is_nan(), "{}'", act.name());
    }
    assert!(
        Prelu::new(0.25)
            .unwrap()
            .parameter_derivative(f64::NAN)
            .unwrap()
            .is_nan()
    );
    for f in [logit, odds, normal_cdf, normal_pdf, logit_derivative] {
        assert!(f(f64::NAN).is_nan());
    }
}

#[test]
fn constructors_reject_bad_parameters() {
    assert!(LeakyRelu::new(f64::NAN).is_err());
    assert!(Prelu::new(f64::INFINITY).is_err());
    assert!(Prelu::new(0.25).unwrap().set_slope(f64::NAN).is_err());
    assert!(Rrelu::new(0.5, 0.1).is_err());
    assert!(Rrelu::new(-0.1, 0.1).is_err());
    assert!(Elu::new(0.0).is_err());
    assert!(Elu::new(-1.0).is_err());
    assert!(Rrelu::new(0.1, 0.3).is_ok());
}

#[test]
fn names_are_unique_and_match_the_reference() {
    let names = function_names();
    let acts = catalog();
    for (i, a) in acts.iter().enumerate() {
        assert!(names.iter().any(|n| n == a.name()), "{}", a.name());
        assert!(acts[i + 1..].iter().all(|b| b.name() != a.name()));
    }
}

#[test]
fn rrelu_training_draws_seeded_slopes_within_bounds_and_averages_to_the_eval_slope() {
    let r = Rrelu::standard();
    let x = ndarray::Array1::from_elem(200_000, -1.0);
    let (y1, s1) = r.train(&x, &mut ChaCha8Rng::seed_from_u64(3));
    let (y2, _) = r.train(&x, &mut ChaCha8Rng::seed_from_u64(3));
    assert_eq!(y1, y2, "the same seed gives the same draws");
    assert!(s1.iter().all(|&a| (1.0 / 8.0..=1.0 / 3.0).contains(&a)));
    // Monte Carlo: the mean training output matches the evaluation output, to within a few
    // standard errors (sd of U(l, u) is (u - l)/sqrt(12); n = 200000).
    let mean = y1.mean().unwrap();
    let se = (1.0 / 3.0 - 1.0 / 8.0) / 12f64.sqrt() / (x.len() as f64).sqrt();
    assert!(
        (mean - r.value(-1.0)).abs() < 5.0 * se,
        "{mean} vs {}",
        r.value(-1.0)
    );
    // Positive inputs pass through unchanged, whatever the slope.
    let (yp, _) = r.train(
        &ndarray::array![2.0, 0.5],
        &mut ChaCha8Rng::seed_from_u64(0),
    );
    assert_eq!(yp, ndarray::array![2.0, 0.5]);
}

#[test]
fn the_divisor_convention_does_not_match_its_expected_training_output() {
    let (l, u) = (3.0, 8.0);
    let expected = Rrelu::divisor_expected_slope(l, u);
    let test_time = 2.0 / (l + u);
    assert!(
        (expected - test_time).abs() > 0.01,
        "{expected} vs {test_time}"
    );
}

#[test]
fn apply_in_place_matches_apply() {
    let x = ndarray::Array2::from_shape_fn((7, 5), |(i, j)| i as f64 - 3.0 + 0.1 * j as f64);
    for act in catalog() {
        let mut y = x.clone();
        apply_in_place(act.as_ref(), &mut y);
        assert_eq!(y, apply(act.as_ref(), &x), "{}", act.name());
        let mut t = x.t().to_owned();
        apply_in_place(act.as_ref(), &mut t);
        assert_eq!(t, apply(act.as_ref(), &x.t()), "{} transposed", act.name());
    }
}

#[test]
fn sigmoid_of_negative_zero_is_one_half_and_the_naive_derivative_fails_where_the_text_says() {
    assert_eq!(sigmoid(-0.0), 0.5);
    assert_eq!(naive::sigmoid_derivative(40.0), 0.0);
    assert!(naive::sigmoid_derivative_quotient(-710.0).is_nan());
}
