//! One named numerical check for every displayed equation of the book that claims something.
//!
//! A chapter marks each displayed equation with `<!-- check: NAME -->` (or
//! `<!-- definition -->` when it only defines a symbol). The book's tests fail when a marker is
//! missing or names a check that is not in [`ALL`], and run every check here: each one evaluates
//! both sides of its equation, or one side against central finite differences, over many points
//! including the tails, and reports the worst error it found.
//!
//! `cargo run -p chapters-code --example checks` prints them all.

use crate::activations::{
    Activation, Prelu, catalog, elu, elu_derivative, leaky_relu, leaky_relu_slope_derivative,
    logit, sigmoid, sigmoid_derivative, tanh,
};
use crate::ch01_vanishing::{Chain, first_weight_gradient_as_product};
use crate::numerics::{
    central_difference, difference_step, five_point_difference, linspace, relative_difference,
};

/// What a check measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// How many points (or cases) were compared.
    pub points: usize,
    /// The worst error found, in the check's own measure.
    pub worst: f64,
    /// The largest error the check accepts.
    pub tolerance: f64,
}

impl Outcome {
    /// Whether the worst error is within the tolerance (false for NaN).
    pub fn passed(&self) -> bool {
        self.worst <= self.tolerance
    }
}

/// A named check of one equation.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The name the book's marker uses.
    pub name: &'static str,
    /// The claim, in words.
    pub claim: &'static str,
    /// What `worst` measures.
    pub measure: &'static str,
    /// Runs the check.
    pub run: fn() -> Outcome,
}

/// Every check of the book.
pub const ALL: &[Check] = &[
    Check {
        name: "chain_backprop_matches_finite_differences",
        claim: "backpropagation through a sigmoid chain gives every dL/dw and dL/db",
        measure: "relative error against central differences",
        run: chain_backprop_matches_finite_differences,
    },
    Check {
        name: "chain_product_formula",
        claim: "dL/dw_1 is the product of one factor w σ'(z) per layer",
        measure: "relative difference to backpropagation",
        run: chain_product_formula,
    },
    Check {
        name: "chain_gradient_bound",
        claim: "|dL/dw_1| <= |a_L - y| |a_0| (1/4)^L prod |w|",
        measure: "largest ratio of gradient to bound",
        run: chain_gradient_bound,
    },
    Check {
        name: "logit_to_sigmoid_steps",
        claim: "each line of solving logit(p) = t for p holds",
        measure: "relative difference of the two sides",
        run: logit_to_sigmoid_steps,
    },
    Check {
        name: "sigmoid_inverts_logit",
        claim: "σ(logit(p)) = p on (0, 1)",
        measure: "relative difference",
        run: sigmoid_inverts_logit,
    },
    Check {
        name: "sigmoid_derivative_steps",
        claim: "each line of differentiating 1/(1 + e^-x) holds, and matches finite differences",
        measure: "relative difference",
        run: sigmoid_derivative_steps,
    },
    Check {
        name: "sigmoid_symmetry",
        claim: "1 − σ(x) = σ(−x), so σ'(x) = σ(x)σ(−x)",
        measure: "absolute difference of 1 − σ(x) and σ(−x)",
        run: sigmoid_symmetry,
    },
    Check {
        name: "sigmoid_derivative_maximum",
        claim: "σ'(x) <= 1/4, with equality only at 0",
        measure: "largest σ'(x) − 1/4 on the grid (0 means the maximum is reached)",
        run: sigmoid_derivative_maximum,
    },
    Check {
        name: "stable_sigmoid_branches",
        claim: "1/(1 + e^-x) = e^x/(1 + e^x) for every x",
        measure: "relative difference of the two forms",
        run: stable_sigmoid_branches,
    },
    Check {
        name: "tanh_as_sigmoid",
        claim: "tanh(x) = 2σ(2x) − 1",
        measure: "absolute difference (2σ(2x) − 1 cancels near 0, so not relative)",
        run: tanh_as_sigmoid,
    },
    Check {
        name: "tanh_as_sigmoid_steps",
        claim: "each line of the derivation of tanh(x) = 2σ(2x) − 1 from the exponentials",
        measure: "absolute difference of the two sides",
        run: tanh_as_sigmoid_steps,
    },
    Check {
        name: "tanh_derivative_steps",
        claim: "tanh'(x) = 4σ'(2x) = 4σ(2x)σ(−2x) = 1 − tanh²(x), against finite differences",
        measure: "relative difference",
        run: tanh_derivative_steps,
    },
    Check {
        name: "tanh_derivative_maximum",
        claim: "tanh'(x) ≤ 1, with equality only at x = 0",
        measure: "largest tanh'(x) at x ≠ 0 minus 1 (must be negative), and 1 − tanh'(0)",
        run: tanh_derivative_maximum,
    },
    Check {
        name: "scaled_tanh_constants",
        claim: "with B = 2/3, A = 1/tanh(2/3) makes f(1) = 1, and the published A is it rounded",
        measure: "relative difference from A tanh(2x/3), and |f(±1) ∓ 1| with the published A",
        run: scaled_tanh_constants,
    },
    Check {
        name: "logit_inverts_sigmoid",
        claim: "logit(σ(x)) = x wherever σ(x) keeps the digits of x (x <= 0, and |x| <= 1)",
        measure: "|logit(σ(x)) − x| / max(|x|, 1), in machine epsilons",
        run: logit_inverts_sigmoid,
    },
    Check {
        name: "elu_continuity_and_derivative",
        claim: "ELU is continuous at 0, and for x <= 0 its derivative α e^x equals f(x) + α",
        measure: "|α e^x − (f(x) + α)| / α, and |f(−h)| / (α h) − 1 for small h",
        run: elu_continuity_and_derivative,
    },
    Check {
        name: "activation_derivatives_match_finite_differences",
        claim: "every activation's derivative, and PReLU's derivative in its slope",
        measure: "relative error against fourth-order central differences",
        run: activation_derivatives_match_finite_differences,
    },
    Check {
        name: "network_backprop_matches_finite_differences",
        claim: "backpropagation through dense layers gives every weight and bias gradient",
        measure: "largest relative error against central differences (see network::gradcheck)",
        run: network_backprop_matches_finite_differences,
    },
    Check {
        name: "relu_second_moment",
        claim: "E[ReLU(z)²] = Var(z)/2 for z ~ N(0, s²), so a ReLU layer passes on half the variance",
        measure: "relative difference, quadrature against s²/2, for s from 0.01 to 100",
        run: relu_second_moment,
    },
    Check {
        name: "variance_through_a_layer",
        claim: "Var(z) = n Var(w) E[a²] for z = Σ w_j a_j with independent zero-mean w_j",
        measure: "relative difference of a seeded Monte Carlo estimate (20,000 draws per case)",
        run: variance_through_a_layer,
    },
    Check {
        name: "backward_variance_through_a_layer",
        claim: "Var(δ_below) = n_out Var(w) E[f'(z)²] Var(δ); E[ReLU'(z)²] = 1/2",
        measure: "relative difference of a seeded Monte Carlo estimate (20,000 draws per case)",
        run: backward_variance_through_a_layer,
    },
    Check {
        name: "prelu_slope_gradient_matches_finite_differences",
        claim: "∂L/∂a = Σ over z ≤ 0 of (∂L/∂f(z)) z, PReLU's slope gradient, in whole networks",
        measure: "relative error against central differences, every parameter of 20 networks",
        run: prelu_slope_gradient_matches_finite_differences,
    },
    Check {
        name: "rrelu_eval_is_the_expected_training_output",
        claim: "E[f(x; a)] = f(x; (l + u)/2) for a ~ U(l, u), since f is linear in a",
        measure: "relative difference of a seeded Monte Carlo mean (4,000 draws per x)",
        run: rrelu_eval_is_the_expected_training_output,
    },
    Check {
        name: "rrelu_divisor_expectation",
        claim: "E[x/a] = x ln(u/l)/(u − l) for a ~ U(l, u), which is not x/((l + u)/2)",
        measure: "relative difference of a seeded Monte Carlo mean (4,000 draws per x)",
        run: rrelu_divisor_expectation,
    },
    Check {
        name: "elu_smooth_at_zero",
        claim: "with α = 1, ELU's one-sided slopes at 0 agree (both 1); with other α they do not",
        measure: "|right − left difference quotient| / h at 0, for h from 0.1 down to 1e-8",
        run: elu_smooth_at_zero,
    },
    Check {
        name: "rnn_jacobian_is_a_product",
        claim: "∂h_T/∂h_t is the product of the step Jacobians diag(tanh'(z_k)) W_hᵀ",
        measure: "largest entry error against central differences, relative to the largest \
                  entry (at least 1e-3), and relative difference of the norm to backpropagation's",
        run: crate::ch06_recurrent::derivations::rnn_jacobian_is_a_product,
    },
    Check {
        name: "rnn_jacobian_bound",
        claim: "‖∂h_T/∂h_t‖₂ ≤ ‖W_h‖₂^(T−t), since 0 < tanh' ≤ 1",
        measure: "largest ratio of the left side to the right (spectral norms by power iteration)",
        run: crate::ch06_recurrent::derivations::rnn_jacobian_bound,
    },
    Check {
        name: "lstm_cell_path_is_a_product_of_forget_gates",
        claim: "with W_h = 0, ∂h_T/∂c_t = diag(o_T tanh'(c_T)) times the product of diag(f_k)",
        measure: "relative difference of the norms, backpropagation against the product",
        run: crate::ch06_recurrent::derivations::lstm_cell_path_is_a_product_of_forget_gates,
    },
    Check {
        name: "truncated_normal_moments",
        claim: "E[e^(kz); z ≤ 0] = e^(k²/2) Φ(−k), E[z; z > 0] = φ(0), E[z²; z > 0] = 1/2",
        measure: "relative difference to quadrature",
        run: crate::ch07_modern::derivations::truncated_normal_moments,
    },
    Check {
        name: "selu_fixed_point",
        claim: "SELU's closed-form moments for z ~ N(0, ν) match quadrature, and are (0, 1) at ν = 1",
        measure: "absolute difference",
        run: crate::ch07_modern::derivations::selu_fixed_point,
    },
    Check {
        name: "gelu_derivative_formula",
        claim: "GELU'(x) = Φ(x) + x φ(x)",
        measure: "relative error against central differences (against 1e-3 below it), and \
                  absolute difference to the library's derivative",
        run: crate::ch07_modern::derivations::gelu_derivative_formula,
    },
    Check {
        name: "silu_derivative_formula",
        claim: "SiLU'(x) = σ(x)(1 + x σ(−x))",
        measure: "relative error against central differences (against 1e-3 below it), and \
                  absolute difference to the library's derivative",
        run: crate::ch07_modern::derivations::silu_derivative_formula,
    },
    Check {
        name: "softplus_derivative_is_sigmoid",
        claim: "softplus'(x) = σ(x)",
        measure: "relative error against central differences (against 1e-3 below it)",
        run: crate::ch07_modern::derivations::softplus_derivative_is_sigmoid,
    },
    Check {
        name: "softplus_minus_relu",
        claim: "softplus(x) − max(0, x) = softplus(−|x|), which lies in (0, ln 2]",
        measure: "error in ULPs of softplus(x) (infinite if the bound fails)",
        run: crate::ch07_modern::derivations::softplus_minus_relu,
    },
    Check {
        name: "swish_relu_gap",
        claim: "max over x of |x σ(βx) − max(0, x)| = W(1/e)/β",
        measure: "relative difference of the grid maximum to W(1/e)/β",
        run: crate::ch07_modern::derivations::swish_relu_gap,
    },
    Check {
        name: "gelu_sigmoid_approximation",
        claim: "|x Φ(x) − x σ(1.702 x)| < 0.021 for every x",
        measure: "largest absolute difference on [−50, 50]",
        run: crate::ch07_modern::derivations::gelu_sigmoid_approximation,
    },
    Check {
        name: "residual_block_jacobian",
        claim: "∂h_ℓ/∂h_(ℓ−1) = s I + diag(f'(h_(ℓ−1))) W_ℓᵀ",
        measure: "absolute error against central differences",
        run: crate::ch07_modern::derivations::residual_block_jacobian,
    },
];

/// The check named `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Check> {
    ALL.iter().find(|c| c.name == name)
}

fn worst_of(values: impl IntoIterator<Item = f64>) -> (usize, f64) {
    values
        .into_iter()
        // NaN must fail a check, never vanish in a max.
        .fold((0, 0.0), |(n, w), e| {
            (
                n + 1,
                if e.is_nan() || w.is_nan() {
                    f64::NAN
                } else {
                    w.max(e)
                },
            )
        })
}

/// Seeds 0..200 with depths 1 to 8: every dL/dw and dL/db of the chain against central
/// differences of the loss.
fn chain_backprop_matches_finite_differences() -> Outcome {
    let mut errors = Vec::new();
    for seed in 0..200u64 {
        let depth = 1 + (seed % 8) as usize;
        let mut chain = Chain::random(depth, seed);
        chain.biases = chain.weights.iter().map(|w| 0.5 * w).collect();
        let (x, y) = (0.7, 0.2);
        let g = chain.backward(&chain.forward(x), y);
        for l in 0..depth {
            for (is_weight, analytic) in [(true, g.weights[l]), (false, g.biases[l])] {
                let p0 = if is_weight {
                    chain.weights[l]
                } else {
                    chain.biases[l]
                };
                let loss_at = |p: f64| {
                    let mut c = chain.clone();
                    if is_weight {
                        c.weights[l] = p;
                    } else {
                        c.biases[l] = p;
                    }
                    c.loss(x, y)
                };
                // h of about eps^(1/5) balances the O(h^4) truncation and the rounding error.
                let fd = five_point_difference(loss_at, p0, 1e-3 * p0.abs().max(1.0));
                // The quotient itself is accurate to about 1e-12 absolutely: below 1e-6 we
                // measure the error against 1e-6 instead of the gradient.
                errors.push((analytic - fd).abs() / fd.abs().max(1e-6));
            }
        }
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-6,
    }
}

fn chain_product_formula() -> Outcome {
    let (points, worst) = worst_of((0..300u64).map(|seed| {
        let chain = Chain::random(1 + (seed % 30) as usize, seed);
        let g = chain.backward(&chain.forward(1.0), 0.0);
        relative_difference(
            first_weight_gradient_as_product(&chain, 1.0, 0.0),
            g.weights[0],
        )
    }));
    Outcome {
        points,
        worst,
        tolerance: 1e-13,
    }
}

fn chain_gradient_bound() -> Outcome {
    let (points, worst) = worst_of((0..300u64).map(|seed| {
        let depth = 1 + (seed % 30) as usize;
        let mut chain = Chain::random(depth, seed);
        chain.weights.iter_mut().for_each(|w| *w *= 3.0);
        let (x, y) = (1.3, 0.1);
        let fwd = chain.forward(x);
        let g = chain.backward(&fwd, y);
        let prod: f64 = chain.weights[1..].iter().map(|w| w.abs()).product();
        let bound = (fwd.a[depth] - y).abs() * x.abs() * 0.25f64.powi(depth as i32) * prod;
        g.weights[0].abs() / bound
    }));
    Outcome {
        points,
        worst,
        tolerance: 1.0,
    }
}

fn logit_to_sigmoid_steps() -> Outcome {
    let mut errors = Vec::new();
    for t in linspace(-10.0, 10.0, 2001) {
        let p = sigmoid(t);
        let e = t.exp();
        // Each pair: the left and right side of one line of the derivation.
        let lines = [
            ((p / (1.0 - p)).ln(), t),
            (p / (1.0 - p), e),
            (p, e * (1.0 - p)),
            (p * (1.0 + e), e),
            (p, e / (1.0 + e)),
            (p, 1.0 / (1.0 + (-t).exp())),
        ];
        for (lhs, rhs) in lines {
            // The logit line at t = 0 compares two values near 0: measure it absolutely there.
            errors.push((lhs - rhs).abs() / rhs.abs().max(1.0));
        }
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-11,
    }
}

fn sigmoid_inverts_logit() -> Outcome {
    let mut ps: Vec<f64> = (1..1000).map(|i| i as f64 / 1000.0).collect();
    ps.extend((1..=300).map(|k| 10f64.powi(-k)));
    ps.extend((1..=15).map(|k| 1.0 - 10f64.powi(-k)));
    ps.push(f64::from_bits(1)); // the smallest subnormal
    // e^t amplifies the rounding error of t = logit(p) by |t|: measure the error in units of
    // (1 + |t|) machine epsilons, the accuracy the round trip can have.
    let (points, worst) = worst_of(ps.into_iter().map(|p| {
        let t = logit(p);
        relative_difference(sigmoid(t), p) / ((1.0 + t.abs()) * f64::EPSILON)
    }));
    Outcome {
        points,
        worst,
        tolerance: 4.0,
    }
}

fn sigmoid_derivative_steps() -> Outcome {
    let mut errors = Vec::new();
    // Against finite differences where sigma' is not tiny (the quotient cancels in the tails).
    for x in linspace(-8.0, 8.0, 1601) {
        let fd = central_difference(sigmoid, x, difference_step(x));
        errors.push(relative_difference(fd, sigmoid_derivative(x)));
    }
    // The lines of the derivation against each other. As algebra they hold everywhere; in
    // floating point z*z overflows for x < -354, and z - 1 and 1 - s cancel, losing a share
    // of about eps * e^x of their digits. So the lines are compared on [-20, 20], where that
    // loss stays below 1e-7; the careful form the code uses, sigma(x) sigma(-x), on the whole
    // range where e^{-|x|} is not zero.
    for x in linspace(-20.0, 20.0, 4001) {
        let z = 1.0 + (-x).exp();
        let s = sigmoid(x);
        let lines = [
            (-1.0 / (z * z)) * (-(-x).exp()),
            (1.0 / (z * z)) * (z - 1.0),
            (1.0 / z) * ((z - 1.0) / z),
            s * (1.0 - s),
        ];
        for line in lines {
            errors.push(relative_difference(line, sigmoid_derivative(x)));
        }
    }
    for x in linspace(-700.0, 700.0, 14001) {
        errors.push(relative_difference(
            sigmoid(x) * sigmoid(-x),
            sigmoid_derivative(x),
        ));
    }
    // And both against the values computed with 80 digits.
    for r in crate::activations::accuracy::reference_f64() {
        if r.function == "sigmoid" && r.derivative.is_normal() {
            errors.push(relative_difference(
                sigmoid(r.x) * sigmoid(-r.x),
                r.derivative,
            ));
            errors.push(relative_difference(sigmoid_derivative(r.x), r.derivative));
        }
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-7,
    }
}

fn sigmoid_symmetry() -> Outcome {
    let (points, worst) = worst_of(
        linspace(-40.0, 40.0, 8001)
            .into_iter()
            .map(|x| ((1.0 - sigmoid(x)) - sigmoid(-x)).abs()),
    );
    Outcome {
        points,
        worst,
        tolerance: f64::EPSILON,
    }
}

fn sigmoid_derivative_maximum() -> Outcome {
    let xs = linspace(-10.0, 10.0, 200_001);
    let at_zero = sigmoid_derivative(0.0);
    let everywhere_else_below = xs
        .iter()
        .filter(|&&x| x != 0.0)
        .all(|&x| sigmoid_derivative(x) < 0.25);
    let (points, worst) = worst_of(xs.iter().map(|&x| sigmoid_derivative(x) - 0.25));
    Outcome {
        points,
        // Reaching 1/4 exactly at 0 and staying below elsewhere is what is claimed.
        worst: if at_zero == 0.25 && everywhere_else_below {
            worst
        } else {
            f64::INFINITY
        },
        tolerance: 0.0,
    }
}

fn stable_sigmoid_branches() -> Outcome {
    let (points, worst) = worst_of(linspace(-700.0, 700.0, 14001).into_iter().map(|x| {
        let e = x.exp();
        relative_difference(1.0 / (1.0 + (-x).exp()), e / (1.0 + e))
    }));
    Outcome {
        points,
        worst,
        tolerance: 4.0 * f64::EPSILON,
    }
}

fn tanh_as_sigmoid() -> Outcome {
    let (points, worst) = worst_of(
        linspace(-20.0, 20.0, 4001)
            .into_iter()
            .map(|x| (tanh(x) - (2.0 * sigmoid(2.0 * x) - 1.0)).abs()),
    );
    Outcome {
        points,
        worst,
        tolerance: 2.0 * f64::EPSILON,
    }
}

fn tanh_as_sigmoid_steps() -> Outcome {
    let mut errors = Vec::new();
    for x in linspace(-15.0, 15.0, 3001) {
        let e = (-2.0 * x).exp();
        let lines = [
            (2.0 * sigmoid(2.0 * x) - 1.0, 2.0 / (1.0 + e) - 1.0),
            (2.0 / (1.0 + e) - 1.0, (1.0 - e) / (1.0 + e)),
            (
                (1.0 - e) / (1.0 + e),
                (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()),
            ),
            ((x.exp() - (-x).exp()) / (x.exp() + (-x).exp()), tanh(x)),
        ];
        errors.extend(lines.iter().map(|(l, r)| (l - r).abs()));
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 8.0 * f64::EPSILON,
    }
}

fn tanh_derivative_steps() -> Outcome {
    let mut errors = Vec::new();
    for x in linspace(-8.0, 8.0, 1601) {
        let t = tanh(x);
        let numeric = five_point_difference(tanh, x, 1e-3);
        let exact = crate::activations::tanh_derivative(x);
        for form in [
            numeric,
            4.0 * sigmoid_derivative(2.0 * x),
            4.0 * sigmoid(2.0 * x) * sigmoid(-2.0 * x),
            1.0 - t * t,
        ] {
            // 1 - t^2 cancels where t is near +-1 (the numerics chapter's point), and the
            // difference quotient carries a rounding error of about 1e-13: compare absolutely
            // where the slope is below 1e-3.
            errors.push((form - exact).abs() / exact.max(1e-3));
        }
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-9,
    }
}

fn tanh_derivative_maximum() -> Outcome {
    let d = crate::activations::tanh_derivative;
    let away = linspace(-20.0, 20.0, 40_000)
        .into_iter()
        .filter(|&x| x != 0.0)
        .chain([1e-300, -1e-300, f64::MIN_POSITIVE])
        .map(|x| d(x) - 1.0);
    let (points, worst) = worst_of(away.chain([1.0 - d(0.0)]));
    // Tiny |x| gives tanh'(x) = 1 after rounding: the bound is reached, not crossed.
    Outcome {
        points,
        worst,
        tolerance: 0.0,
    }
}

fn scaled_tanh_constants() -> Outcome {
    use crate::activations::{SCALED_TANH_A, SCALED_TANH_B, scaled_tanh};
    let exact = 1.0 / (2.0f64 / 3.0).tanh();
    // The published A is the exact one rounded to four decimals, and B is 2/3.
    let constants_ok = (exact * 1e4).round() / 1e4 == SCALED_TANH_A && SCALED_TANH_B == 2.0 / 3.0;
    // f(x) is A tanh(2x/3) everywhere, and f(+-1) = +-1 up to the rounding of A.
    let errors = linspace(-10.0, 10.0, 2001)
        .into_iter()
        .map(|x| relative_difference(scaled_tanh(x), SCALED_TANH_A * (2.0 * x / 3.0).tanh()))
        .chain([
            (scaled_tanh(1.0) - 1.0).abs(),
            (scaled_tanh(-1.0) + 1.0).abs(),
        ]);
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst: if constants_ok { worst } else { f64::INFINITY },
        tolerance: 1e-5,
    }
}

fn logit_inverts_sigmoid() -> Outcome {
    let mut xs = linspace(-700.0, 0.0, 7001);
    xs.extend(linspace(0.0, 1.0, 1001));
    xs.extend((1..=300).map(|k| -(10f64.powi(-k))));
    let (points, worst) = worst_of(
        xs.into_iter()
            .map(|x| (logit(sigmoid(x)) - x).abs() / x.abs().max(1.0) / f64::EPSILON),
    );
    Outcome {
        points,
        worst,
        tolerance: 4.0,
    }
}

fn elu_continuity_and_derivative() -> Outcome {
    let mut errors = Vec::new();
    for alpha in [0.5, 1.0, 1.6732632423543772] {
        for x in linspace(-50.0, 0.0, 5001) {
            let identity = (elu_derivative(x, alpha) - (elu(x, alpha) + alpha)).abs() / alpha;
            errors.push(identity / f64::EPSILON);
        }
        // Approaching 0 from the left, f(-h) = alpha (e^{-h} - 1) ~ -alpha h -> 0 = f(0).
        for k in 1..=300 {
            let h = 10f64.powi(-k);
            errors.push((elu(-h, alpha) / (-alpha * h) - 1.0).abs() / h.max(f64::EPSILON));
        }
        errors.push(if elu(0.0, alpha) == 0.0 {
            0.0
        } else {
            f64::INFINITY
        });
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        // In units of machine epsilon (first part) and of h (second part: the next term of
        // e^{-h} - 1 is h^2/2, a relative h/2).
        tolerance: 2.0,
    }
}

fn activation_derivatives_match_finite_differences() -> Outcome {
    let mut errors = Vec::new();
    // Points that avoid the kink at 0 of the piecewise activations by at least 2h.
    let xs: Vec<f64> = linspace(-12.0, 12.0, 2401)
        .into_iter()
        .filter(|x| x.abs() > 0.01)
        .collect();
    for act in catalog() {
        for &x in &xs {
            let h = 1e-3 * x.abs().max(1.0);
            let fd = five_point_difference(|t| act.value(t), x, h);
            errors.push((act.derivative(x) - fd).abs() / fd.abs().max(1e-3));
        }
    }
    let prelu = Prelu::new(0.25).expect("a valid slope");
    for &x in &xs {
        let fd = five_point_difference(|a| leaky_relu(x, a), 0.25, 1e-3);
        let analytic = prelu
            .parameter_derivative(x)
            .expect("PReLU has a parameter");
        assert_eq!(analytic, leaky_relu_slope_derivative(x));
        errors.push((analytic - fd).abs() / fd.abs().max(1e-3));
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-8,
    }
}

fn network_backprop_matches_finite_differences() -> Outcome {
    network_gradient_check(|| Box::new(crate::activations::Sigmoid))
}

fn prelu_slope_gradient_matches_finite_differences() -> Outcome {
    // Biases from N(0, 1) put many pre-activations on the negative side, where the slope acts.
    network_gradient_check(|| Box::new(Prelu::new(0.25).expect("a valid slope")))
}

/// Every parameter of 20 small random networks with `hidden` units (weights, biases and any
/// learned activation parameter) against central differences of the loss.
fn network_gradient_check(hidden: fn() -> Box<dyn Activation>) -> Outcome {
    use crate::activations::Identity;
    use crate::network::{Loss, gradcheck, init};
    let mut worst: f64 = 0.0;
    let mut points = 0;
    for seed in 0..20u64 {
        let data = crate::data::blobs(8, 5, 3, seed);
        let mut net = init::build(
            &[5, 6, 4, 3],
            |l| -> Box<dyn Activation> { if l == 2 { Box::new(Identity) } else { hidden() } },
            init::Init::GlorotNormal,
            init::Biases::StandardNormal,
            Loss::SoftmaxCrossEntropy,
            seed,
        )
        .expect("valid sizes");
        points += net.parameter_count();
        let y = data.one_hot();
        worst = worst.max(gradcheck::max_relative_error(
            &mut net,
            data.inputs.view(),
            y.view(),
        ));
    }
    Outcome {
        points,
        worst,
        tolerance: 1e-6,
    }
}

/// A table of every check: name, points, worst error, tolerance and verdict.
pub fn report() -> String {
    let mut out = format!(
        "{:<48} {:>7} {:>11} {:>11}  result\n",
        "check", "points", "worst", "tolerance"
    );
    for c in ALL {
        let o = (c.run)();
        out.push_str(&format!(
            "{:<48} {:>7} {:>11.3e} {:>11.3e}  {}\n",
            c.name,
            o.points,
            o.worst,
            o.tolerance,
            if o.passed() { "ok" } else { "FAILED" }
        ));
    }
    out
}

fn relu_second_moment() -> Outcome {
    use crate::activations::relu;
    use crate::numerics::normal_expectation;
    let errors = (0..=200).map(|k| {
        let sd = 10f64.powf(-2.0 + k as f64 / 50.0);
        // z = sd * x with x ~ N(0, 1).
        let m = normal_expectation(|x| relu(sd * x).powi(2));
        relative_difference(m, sd * sd / 2.0)
    });
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 1e-6,
    }
}

/// Monte Carlo draws per case of the variance checks: the relative standard error of a
/// variance estimated from 4,000 draws is about 2%.
const VARIANCE_DRAWS: usize = 4_000;

/// The maps from $x \sim \mathcal{N}(0, 1)$ to a layer's input $a$ or pre-activation $z$ in
/// the variance checks: with and without a mean, bounded and unbounded.
fn variance_maps() -> [fn(f64) -> f64; 8] {
    use crate::activations::relu;
    [
        |x| x,
        |x| relu(x),
        |x| tanh(x),
        |x| tanh(3.0 * x),
        |x| 3.0 * x + 1.0,
        |x| relu(x - 0.5),
        sigmoid,
        |x| 0.1 * x,
    ]
}

/// Fan-in, weight variance, and the map from a standard normal draw.
type VarianceCase = (usize, f64, fn(f64) -> f64);

/// The cases of the variance checks: every map, with fan-ins 8 to 128 and three weight
/// variances (1/n, 2/n and a fixed 0.05), 120 cases in all.
fn variance_cases() -> Vec<VarianceCase> {
    let mut cases = Vec::new();
    for f in variance_maps() {
        for n in [8, 16, 32, 64, 128] {
            for var_w in [1.0 / n as f64, 2.0 / n as f64, 0.05] {
                cases.push((n, var_w, f));
            }
        }
    }
    cases
}

fn seeded_normal(seed: u64) -> impl FnMut() -> f64 {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    move || StandardNormal.sample(&mut rng)
}

fn variance_through_a_layer() -> Outcome {
    let mut normal = seeded_normal(11);
    let errors = variance_cases().into_iter().map(|(n, var_w, f)| {
        // z = sum_j w_j a_j; compare the mean of z^2 with n Var(w) E[a^2], E[a^2] from the
        // same draws of a.
        let (mut sum_z2, mut sum_a2) = (0.0, 0.0);
        for _ in 0..VARIANCE_DRAWS {
            let mut z = 0.0;
            for _ in 0..n {
                let a = f(normal());
                z += var_w.sqrt() * normal() * a;
                sum_a2 += a * a;
            }
            sum_z2 += z * z;
        }
        let draws = VARIANCE_DRAWS as f64;
        relative_difference(sum_z2 / draws, var_w * sum_a2 / draws)
    });
    let (points, worst) = worst_of(errors);
    // About six standard errors: the worst of 120 seeded cases.
    Outcome {
        points,
        worst,
        tolerance: 0.12,
    }
}

fn backward_variance_through_a_layer() -> Outcome {
    use crate::activations::{relu, relu_derivative};
    let mut normal = seeded_normal(12);
    let mut errors = Vec::new();
    for (n_out, var_w, g) in variance_cases() {
        // delta_below = f'(z) sum_i w_i delta_i, for f = ReLU and z = g(x) (symmetric or
        // not), with Var(delta_i) = 1/4.
        let var_delta: f64 = 0.25;
        let (mut sum_d2, mut sum_s2) = (0.0, 0.0);
        // Where the unit is active on only a third of the draws, a third of them count:
        // three times as many keep the standard error near 2%.
        let draws = 3 * VARIANCE_DRAWS;
        for _ in 0..draws {
            let back: f64 = (0..n_out)
                .map(|_| var_w.sqrt() * normal() * var_delta.sqrt() * normal())
                .sum();
            let slope = relu_derivative(g(normal()));
            sum_d2 += (slope * back).powi(2);
            sum_s2 += slope * slope;
        }
        let draws = draws as f64;
        let predicted = n_out as f64 * var_w * (sum_s2 / draws) * var_delta;
        errors.push(relative_difference(sum_d2 / draws, predicted));
        // E[ReLU'(z)^2] = 1/2 when z is symmetric about 0.
        if g(1.0) == -g(-1.0) && g(1.0) != 0.0 && relu(g(-2.0)) == 0.0 {
            errors.push(relative_difference(sum_s2 / draws, 0.5));
        }
    }
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        worst,
        tolerance: 0.12,
    }
}

fn rrelu_eval_is_the_expected_training_output() -> Outcome {
    use crate::activations::Rrelu;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Uniform};
    let r = Rrelu::standard();
    let (l, u) = r.random_slopes().expect("RReLU has a range");
    let dist = Uniform::new_inclusive(l, u).expect("a valid range");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let errors = linspace(-10.0, 10.0, 201).into_iter().map(|x| {
        let mean = (0..VARIANCE_DRAWS)
            .map(|_| leaky_relu(x, dist.sample(&mut rng)))
            .sum::<f64>()
            / VARIANCE_DRAWS as f64;
        relative_difference(mean, r.value(x))
    });
    let (points, worst) = worst_of(errors);
    // The slope's standard deviation is (u - l)/sqrt(12), about a quarter of its mean: the
    // mean of 4,000 draws is within about 0.4% (one standard error).
    Outcome {
        points,
        worst,
        tolerance: 0.02,
    }
}

fn rrelu_divisor_expectation() -> Outcome {
    use crate::activations::Rrelu;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Uniform};
    // The paper's experiments: a ~ U(3, 8), negative inputs divided by a.
    let (l, u) = (3.0, 8.0);
    let dist = Uniform::new_inclusive(l, u).expect("a valid range");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(22);
    let expected = Rrelu::divisor_expected_slope(l, u);
    let mut naive_off = f64::INFINITY;
    let errors: Vec<f64> = linspace(-10.0, -0.05, 200)
        .into_iter()
        .map(|x| {
            let mean = (0..VARIANCE_DRAWS)
                .map(|_| x / dist.sample(&mut rng))
                .sum::<f64>()
                / VARIANCE_DRAWS as f64;
            naive_off = naive_off.min(relative_difference(mean, x / ((l + u) / 2.0)));
            relative_difference(mean, x * expected)
        })
        .collect();
    let (points, worst) = worst_of(errors);
    Outcome {
        points,
        // The test-time rule x/((l + u)/2) must be off everywhere, by more than the noise.
        worst: if naive_off > 0.05 {
            worst
        } else {
            f64::INFINITY
        },
        tolerance: 0.02,
    }
}

fn elu_smooth_at_zero() -> Outcome {
    let quotients = |alpha: f64, h: f64| {
        let right = (elu(h, alpha) - elu(0.0, alpha)) / h;
        let left = (elu(0.0, alpha) - elu(-h, alpha)) / h;
        (right - left).abs()
    };
    let hs: Vec<f64> = (20..=160).map(|k| 10f64.powf(-k as f64 / 20.0)).collect();
    // With alpha = 1 the quotients differ by about h/2 (the curvature on the left).
    let errors = hs.iter().map(|&h| quotients(1.0, h) / h);
    let (points, worst) = worst_of(errors);
    // With alpha = 1/2 they differ by about 1/2 however small h is: a corner.
    let corner = hs.iter().all(|&h| (quotients(0.5, h) - 0.5).abs() < 0.05);
    Outcome {
        points,
        worst: if corner { worst } else { f64::INFINITY },
        tolerance: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_passes() {
        for c in ALL {
            let o = (c.run)();
            assert!(o.passed(), "{}: {o:?}", c.name);
            assert!(o.points >= 100, "{} compares too few points", c.name);
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
    }

    #[test]
    fn a_nan_error_fails_a_check() {
        let (_, w) = worst_of([0.0, f64::NAN, 1.0]);
        assert!(
            !Outcome {
                points: 3,
                worst: w,
                tolerance: 1.0
            }
            .passed()
        );
    }

    #[test]
    fn the_bound_is_nearly_reached_so_a_smaller_slope_would_fail() {
        // Tiny weights keep every z near 0, where the slope is almost exactly 1/4: the ratio to
        // the bound is close to 1, so a bound with slope 1/5 would be broken.
        let mut chain = Chain::constant(6, 1e-3);
        chain.weights[0] = 1.0;
        let fwd = chain.forward(1e-3);
        let g = chain.backward(&fwd, 1.0);
        let prod: f64 = chain.weights[1..].iter().product();
        let ratio_to = |slope: f64| {
            g.weights[0].abs() / ((fwd.a[6] - 1.0).abs() * 1e-3 * slope.powi(6) * prod)
        };
        assert!(ratio_to(0.25) <= 1.0 && ratio_to(0.25) > 0.99);
        assert!(ratio_to(0.2) > 1.0);
    }
}
