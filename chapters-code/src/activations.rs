//! Activation functions and their derivatives.
//!
//! Every function here is written for the whole `f64` range: it never overflows, it keeps
//! tiny values in the tails instead of rounding them to zero, and NaN in gives NaN out.
//! The comments say which textbook formula each one replaces and why.

/// The logistic sigmoid, $\sigma(x) = 1 / (1 + e^{-x})$.
///
/// The textbook formula overflows for $x < -709$: $e^{-x}$ becomes infinite and the quotient
/// rounds to 0, which happens to be close, but `exp(-x)` of a large negative `x` also loses the
/// relative accuracy of the tiny result. We only ever exponentiate a non-positive number:
/// for $x \ge 0$ we use $1/(1 + e^{-x})$, for $x < 0$ the equal form $e^{x}/(1 + e^{x})$.
///
/// ```
/// use chapters_code::activations::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(f64::INFINITY), 1.0);
/// assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
/// // Far in the left tail the value is tiny but not zero.
/// assert!(sigmoid(-740.0) > 0.0);
/// assert!(sigmoid(f64::NAN).is_nan());
/// ```
// ANCHOR: sigmoid
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        // Also the branch NaN takes: exp(NaN) is NaN, so NaN comes out.
        let e = x.exp();
        e / (1.0 + e)
    }
}
// ANCHOR_END: sigmoid

/// The derivative of the sigmoid, $\sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)$.
///
/// The textbook form `s * (1.0 - s)` with `s = sigmoid(x)` fails in the right tail: for
/// $x > 37$ the sum $1 + e^{-x}$ rounds to exactly 1, so `s` is 1 and `1 - s` is 0, although the
/// true derivative is about $e^{-x}$ (about $4.2 \times 10^{-18}$ at $x = 40$). Since
/// $1 - \sigma(x) = \sigma(-x)$ exactly, we compute the small factor directly, without the
/// subtraction that cancels it.
///
/// ```
/// use chapters_code::activations::{sigmoid, sigmoid_derivative};
/// assert_eq!(sigmoid_derivative(0.0), 0.25);
/// // Symmetric: sigma'(x) = sigma'(-x).
/// assert_eq!(sigmoid_derivative(3.0), sigmoid_derivative(-3.0));
/// // The naive formula loses the tail entirely; ours keeps it.
/// let s = sigmoid(40.0);
/// assert_eq!(s * (1.0 - s), 0.0);
/// approx::assert_relative_eq!(sigmoid_derivative(40.0), (-40.0f64).exp(), max_relative = 1e-15);
/// ```
// ANCHOR: sigmoid_derivative
pub fn sigmoid_derivative(x: f64) -> f64 {
    // 1 - sigma(x) is sigma(-x): computing it directly avoids the cancellation in 1 - s.
    sigmoid(x) * sigmoid(-x)
}
// ANCHOR_END: sigmoid_derivative

/// The odds of a probability, $\operatorname{odds}(p) = p / (1 - p)$, from 0 to $+\infty$.
///
/// Defined for $0 \le p \le 1$; `odds(1.0)` is $+\infty$. A `p` outside $[0, 1]$ is not a
/// probability and gives NaN, as does NaN.
///
/// ```
/// use chapters_code::activations::odds;
/// assert_eq!(odds(0.5), 1.0);
/// assert_eq!(odds(0.8), 4.000000000000001); // 0.8 is not exactly representable
/// assert_eq!(odds(1.0), f64::INFINITY);
/// assert!(odds(1.5).is_nan());
/// ```
pub fn odds(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    p / (1.0 - p)
}

/// The log-odds, $\operatorname{logit}(p) = \ln \frac{p}{1 - p}$, the inverse of [`sigmoid`].
///
/// Near $p = 1/2$ the quotient is close to 1, and `ln` of a number close to 1 keeps only the
/// absolute, not the relative, accuracy of its argument. There we use the equal form
/// $2 \operatorname{artanh}(2p - 1)$, in which $2p - 1$ is exact for $p \in [1/4, 1]$.
/// Elsewhere $\ln(p / (1 - p))$ is far from 0 and accurate.
///
/// `logit(0.0)` is $-\infty$, `logit(1.0)` is $+\infty$; outside $[0, 1]$ or for NaN, NaN.
///
/// ```
/// use chapters_code::activations::{logit, sigmoid};
/// assert_eq!(logit(0.5), 0.0);
/// assert_eq!(logit(0.0), f64::NEG_INFINITY);
/// assert_eq!(logit(1.0), f64::INFINITY);
/// approx::assert_relative_eq!(logit(sigmoid(2.5)), 2.5, max_relative = 1e-15);
/// assert!(logit(-0.1).is_nan());
/// ```
pub fn logit(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if (0.25..=0.75).contains(&p) {
        2.0 * (2.0 * p - 1.0).atanh()
    } else {
        (p / (1.0 - p)).ln()
    }
}

/// The textbook formulas, kept so the book can show how they fail.
///
/// Do not use these for computation: they are here to be compared against.
pub mod naive {
    /// $\sigma(x) = 1/(1 + e^{-x})$ exactly as written.
    pub fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    /// $\sigma'(x) = s\,(1 - s)$ with $s = \sigma(x)$, as usually written.
    pub fn sigmoid_derivative(x: f64) -> f64 {
        let s = super::sigmoid(x);
        s * (1.0 - s)
    }

    /// $e^{-x}/(1 + e^{-x})^2$, the derivative before simplification; overflows for $x < -709$.
    pub fn sigmoid_derivative_quotient(x: f64) -> f64 {
        let e = (-x).exp();
        e / ((1.0 + e) * (1.0 + e))
    }

    /// $\ln(p/(1-p))$ as written.
    pub fn logit(p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_in_gives_nan_out() {
        for f in [sigmoid, sigmoid_derivative, odds, logit] {
            assert!(f(f64::NAN).is_nan());
        }
    }

    #[test]
    fn infinities_give_the_limits() {
        assert_eq!(sigmoid(f64::INFINITY), 1.0);
        assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid_derivative(f64::INFINITY), 0.0);
        assert_eq!(sigmoid_derivative(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn no_spurious_zero_in_the_tails() {
        // e^{-x} stays a normal or subnormal f64 up to x of about 745.
        for x in [20.0, 37.0, 40.0, 100.0, 700.0, 709.0, 710.0, 740.0] {
            assert!(sigmoid(-x) > 0.0, "sigmoid(-{x})");
            assert!(sigmoid_derivative(x) > 0.0, "sigmoid'({x})");
            assert!(sigmoid_derivative(-x) > 0.0, "sigmoid'(-{x})");
        }
    }

    #[test]
    fn sigmoid_of_negative_zero_is_one_half() {
        assert_eq!(sigmoid(-0.0), 0.5);
    }

    #[test]
    fn the_naive_derivative_really_fails_where_the_text_says() {
        assert_eq!(naive::sigmoid_derivative(40.0), 0.0);
        assert!(naive::sigmoid_derivative_quotient(-710.0).is_nan());
    }
}
