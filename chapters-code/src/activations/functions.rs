//! The activation functions and their derivatives, as numerically careful `f64` functions.
//!
//! Every function here is written for the whole `f64` range: it never overflows, it keeps
//! tiny values in the tails instead of rounding them to zero, and NaN in gives NaN out.
//! The comments say which textbook formula each one replaces and why; the textbook versions are
//! in [`super::naive`], and the tests compare both against a high-precision reference.

use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};

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
    // With e = exp(-|x|), sigma(|x|) sigma(-|x|) = 1/(1 + e) * e/(1 + e): one exponential.
    let e = (-x.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
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

/// The derivative of the logit, $\operatorname{logit}'(p) = 1/(p(1-p))$.
///
/// The product $p(1-p)$ keeps full relative precision ($1 - p$ is exact for $p \ge 1/2$); the
/// equal $1/p + 1/(1-p)$ would round twice. $+\infty$ at 0 and 1, NaN outside $[0, 1]$.
///
/// ```
/// use chapters_code::activations::logit_derivative;
/// assert_eq!(logit_derivative(0.5), 4.0);
/// assert_eq!(logit_derivative(1.0), f64::INFINITY);
/// assert!(logit_derivative(1.5).is_nan());
/// ```
pub fn logit_derivative(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    1.0 / (p * (1.0 - p))
}

/// $\tanh(x)$, from the standard library (accurate to about 1 ULP, no overflow).
///
/// ```
/// use chapters_code::activations::{sigmoid, tanh};
/// // tanh is a rescaled, shifted sigmoid: tanh(x) = 2 sigma(2x) - 1.
/// approx::assert_abs_diff_eq!(tanh(0.7), 2.0 * sigmoid(1.4) - 1.0, epsilon = 1e-15);
/// assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
/// ```
pub fn tanh(x: f64) -> f64 {
    x.tanh()
}

/// The derivative of tanh, $\tanh'(x) = 1 - \tanh^2(x) = \operatorname{sech}^2(x)$.
///
/// `1 - t * t` cancels for large $|x|$: from $|x| > 19$ it returns exactly 0 although the true
/// value is about $4e^{-2|x|}$. We use $\operatorname{sech}^2(x) = 4e/(1 + e)^2$ with
/// $e = e^{-2|x|} \le 1$, and for $|x| > 20$, where $(1 + e)^2$ rounds to 1, the equal
/// $4e^{-2|x|} = e^{2 - 2|x|} \cdot 4e^{-2}$, whose argument is exact and which stays
/// non-zero as long as the true value is.
///
/// ```
/// use chapters_code::activations::tanh_derivative;
/// assert_eq!(tanh_derivative(0.0), 1.0);
/// assert!(tanh_derivative(300.0) > 0.0);
/// assert_eq!(tanh_derivative(f64::INFINITY), 0.0);
/// ```
pub fn tanh_derivative(x: f64) -> f64 {
    sech_squared(x)
}

/// $4 e^{-2}$, rounded once.
const FOUR_OVER_E_SQUARED: f64 = 0.5413411329464508;

fn sech_squared(x: f64) -> f64 {
    let a = x.abs();
    if a > 373.0 {
        // 4 e^{-2|x|} is below half the smallest subnormal.
        return 0.0;
    }
    if a > 20.0 {
        (2.0 - 2.0 * a).exp() * FOUR_OVER_E_SQUARED
    } else {
        // Also NaN's branch: exp(NaN) is NaN.
        let e = (-2.0 * a).exp();
        4.0 * e / ((1.0 + e) * (1.0 + e))
    }
}

/// LeCun's scaled tanh, $1.7159 \tanh(\tfrac{2}{3} x)$.
pub const SCALED_TANH_A: f64 = 1.7159;
/// The inner scale of LeCun's scaled tanh, $2/3$ rounded to `f64`.
pub const SCALED_TANH_B: f64 = 2.0 / 3.0;

/// LeCun's scaled tanh, $A \tanh(B x)$ with $A$ = [`SCALED_TANH_A`], $B$ = [`SCALED_TANH_B`].
///
/// ```
/// use chapters_code::activations::scaled_tanh;
/// // The constants make f(1) = 1, approximately.
/// approx::assert_relative_eq!(scaled_tanh(1.0), 1.0, max_relative = 1e-4);
/// ```
pub fn scaled_tanh(x: f64) -> f64 {
    SCALED_TANH_A * (SCALED_TANH_B * x).tanh()
}

/// The derivative of LeCun's scaled tanh, $A B \operatorname{sech}^2(B x)$.
///
/// Rounding $B x$ changes $\operatorname{sech}^2$ by a relative $2|Bx|$ times that error, a
/// hundred ULPs at $|Bx| = 100$. We recover the rounding error of the product exactly with a
/// fused multiply-add and correct for it to first order:
/// $\operatorname{sech}^2(p + r) \approx \operatorname{sech}^2(p)\,(1 - 2 r \tanh p)$.
///
/// ```
/// use chapters_code::activations::{scaled_tanh, scaled_tanh_derivative};
/// let d = (scaled_tanh(1.0 + 1e-6) - scaled_tanh(1.0 - 1e-6)) / 2e-6;
/// approx::assert_relative_eq!(scaled_tanh_derivative(1.0), d, max_relative = 1e-8);
/// assert!(scaled_tanh_derivative(500.0) > 0.0);
/// ```
pub fn scaled_tanh_derivative(x: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    let p = SCALED_TANH_B * x;
    let r = SCALED_TANH_B.mul_add(x, -p);
    // The correction is of the order of r, a rounding error: tanh p is needed only roughly,
    // and (1 - e)/(1 + e) with e = e^{-2|p|} gives it; beyond |p| = 20 it is +-1.
    let rough_tanh = if p.abs() > 20.0 {
        1.0f64.copysign(p)
    } else {
        let e = (-2.0 * p.abs()).exp();
        ((1.0 - e) / (1.0 + e)).copysign(p)
    };
    SCALED_TANH_A * SCALED_TANH_B * sech_squared(p) * (1.0 - 2.0 * r * rough_tanh)
}

/// The rectified linear unit, $\max(0, x)$.
///
/// `f64::max(0.0, x)` returns 0 for NaN, hiding it: here NaN gives NaN.
///
/// ```
/// use chapters_code::activations::relu;
/// assert_eq!(relu(-2.0), 0.0);
/// assert_eq!(relu(3.0), 3.0);
/// assert!(relu(f64::NAN).is_nan());
/// assert!(0.0f64.max(f64::NAN) == 0.0); // the trap we avoid
/// ```
pub fn relu(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() { x } else { 0.0 }
}

/// The derivative of ReLU: 1 for $x > 0$, 0 for $x < 0$, and by our convention 0 at $x = 0$
/// (any value in $[0, 1]$ is a valid subgradient there; 0 is what common frameworks use).
///
/// ```
/// use chapters_code::activations::relu_derivative;
/// assert_eq!(relu_derivative(2.0), 1.0);
/// assert_eq!(relu_derivative(0.0), 0.0);
/// assert!(relu_derivative(f64::NAN).is_nan());
/// ```
pub fn relu_derivative(x: f64) -> f64 {
    step(x, 1.0, 0.0)
}

/// `above` for $x > 0$, `below` otherwise, NaN for NaN.
fn step(x: f64, above: f64, below: f64) -> f64 {
    // Two selects rather than a three-way branch: the compiler can vectorize this.
    let r = if x > 0.0 { above } else { below };
    if x.is_nan() { x } else { r }
}

/// Leaky ReLU, $x$ for $x > 0$ and $a x$ otherwise, with a fixed slope $a$ (also PReLU's
/// formula, where $a$ is learned, and RReLU's, where it is random in training).
///
/// ```
/// use chapters_code::activations::leaky_relu;
/// assert_eq!(leaky_relu(-2.0, 0.01), -0.02);
/// assert_eq!(leaky_relu(2.0, 0.01), 2.0);
/// ```
pub fn leaky_relu(x: f64, slope: f64) -> f64 {
    if x > 0.0 { x } else { slope * x }
}

/// The derivative of Leaky ReLU with respect to $x$: 1 for $x > 0$, the slope otherwise
/// (including at 0, by the same convention as [`relu_derivative`]).
///
/// ```
/// use chapters_code::activations::leaky_relu_derivative;
/// assert_eq!(leaky_relu_derivative(-3.0, 0.01), 0.01);
/// assert_eq!(leaky_relu_derivative(3.0, 0.01), 1.0);
/// ```
pub fn leaky_relu_derivative(x: f64, slope: f64) -> f64 {
    step(x, 1.0, slope)
}

/// The derivative of $f(x) = x$ (for $x > 0$), $a x$ (otherwise) with respect to the slope
/// $a$: 0 for $x > 0$, $x$ otherwise. PReLU learns $a$ with it.
///
/// ```
/// use chapters_code::activations::leaky_relu_slope_derivative;
/// assert_eq!(leaky_relu_slope_derivative(-3.0), -3.0);
/// assert_eq!(leaky_relu_slope_derivative(3.0), 0.0);
/// ```
pub fn leaky_relu_slope_derivative(x: f64) -> f64 {
    step(x, 0.0, x)
}

/// The exponential linear unit, $x$ for $x > 0$ and $\alpha (e^x - 1)$ otherwise.
///
/// For small $|x|$, `exp(x) - 1` cancels: at $x = -10^{-10}$ it keeps only about six correct
/// digits. `exp_m1` computes $e^x - 1$ without forming $e^x$.
///
/// ```
/// use chapters_code::activations::elu;
/// assert_eq!(elu(2.0, 1.0), 2.0);
/// assert_eq!(elu(f64::NEG_INFINITY, 1.5), -1.5);
/// approx::assert_relative_eq!(elu(-1e-10, 1.0), -1e-10, max_relative = 1e-9);
/// ```
pub fn elu(x: f64, alpha: f64) -> f64 {
    if x > 0.0 {
        x
    } else if x < -1.0 {
        // Here e^x - 1 lies in (-1, -0.63]: the subtraction loses nothing, and exp is cheaper.
        alpha * (x.exp() - 1.0)
    } else {
        alpha * x.exp_m1()
    }
}

/// The derivative of ELU: 1 for $x > 0$, $\alpha e^x$ otherwise (which equals
/// $f(x) + \alpha$ there, the form a backward pass can reuse).
///
/// ```
/// use chapters_code::activations::{elu, elu_derivative};
/// // For x <= 0 the derivative is f(x) + alpha.
/// approx::assert_relative_eq!(elu_derivative(-2.0, 1.5), elu(-2.0, 1.5) + 1.5, max_relative = 1e-15);
/// assert_eq!(elu_derivative(2.0, 1.5), 1.0);
/// ```
pub fn elu_derivative(x: f64, alpha: f64) -> f64 {
    if x > 0.0 { 1.0 } else { alpha * x.exp() }
}

/// SELU's scale $\lambda$: the published 1.0507009873554804934193349852946 (Klambauer et al.
/// 2017) rounded to `f64`.
pub const SELU_LAMBDA: f64 = 1.0507009873554805;
/// SELU's $\alpha$: the published 1.6732632423543772848170429916717 rounded to `f64`.
pub const SELU_ALPHA: f64 = 1.6732632423543772;

/// The scaled exponential linear unit, $\lambda\,\mathrm{ELU}_\alpha(x)$ with the published
/// constants [`SELU_LAMBDA`] and [`SELU_ALPHA`].
///
/// ```
/// use chapters_code::activations::{SELU_ALPHA, SELU_LAMBDA, selu};
/// assert_eq!(selu(1.0), SELU_LAMBDA);
/// approx::assert_relative_eq!(selu(f64::NEG_INFINITY), -SELU_LAMBDA * SELU_ALPHA);
/// ```
pub fn selu(x: f64) -> f64 {
    SELU_LAMBDA * elu(x, SELU_ALPHA)
}

/// The derivative of SELU, $\lambda$ for $x > 0$ and $\lambda \alpha e^x$ otherwise.
///
/// ```
/// use chapters_code::activations::{SELU_LAMBDA, selu_derivative};
/// assert_eq!(selu_derivative(2.0), SELU_LAMBDA);
/// ```
pub fn selu_derivative(x: f64) -> f64 {
    SELU_LAMBDA * elu_derivative(x, SELU_ALPHA)
}

/// Softplus, $\ln(1 + e^x)$, a smooth ReLU.
///
/// The textbook formula overflows for $x > 709$ (returning $+\infty$ instead of $x$) and
/// returns 0 for $x < -37$ (where $1 + e^x$ rounds to 1, although the value is about $e^x$).
/// We use $\ln(1 + e^x) = x + \ln(1 + e^{-x})$ for $x > 0$, and `ln_1p` on both branches.
///
/// ```
/// use chapters_code::activations::softplus;
/// assert_eq!(softplus(1000.0), 1000.0);
/// approx::assert_relative_eq!(softplus(-50.0), (-50.0f64).exp(), max_relative = 1e-15);
/// ```
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// The derivative of softplus is the sigmoid.
///
/// ```
/// use chapters_code::activations::{sigmoid, softplus_derivative};
/// assert_eq!(softplus_derivative(0.3), sigmoid(0.3));
/// ```
pub fn softplus_derivative(x: f64) -> f64 {
    sigmoid(x)
}

/// The low-order part of $1/\sqrt{2}$: `FRAC_1_SQRT_2 + FRAC_1_SQRT_2_LO` is $1/\sqrt 2$ to
/// about 32 digits.
const FRAC_1_SQRT_2_LO: f64 = -4.833646656726457e-17;
/// $1/\sqrt{2\pi}$, rounded once.
const FRAC_1_SQRT_2PI: f64 = 0.3989422804014327;

/// The standard normal distribution function $\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)$.
///
/// The textbook $\tfrac12 (1 + \operatorname{erf}(x/\sqrt 2))$ cancels for negative $x$ and
/// returns 0 from $x < -8.3$ on. With `erfc` the tail is kept, but the rounding of $x/\sqrt 2$
/// still costs a relative $x^2$ ULPs; we form $z = x/\sqrt 2$ as an unevaluated sum
/// $z_h + z_l$ and correct to first order with $\operatorname{erfc}' = -\tfrac{2}{\sqrt\pi}e^{-z^2}$.
///
/// ```
/// use chapters_code::activations::normal_cdf;
/// assert_eq!(normal_cdf(0.0), 0.5);
/// assert!(normal_cdf(-30.0) > 0.0);
/// ```
pub fn normal_cdf(x: f64) -> f64 {
    if x > 8.5 {
        // 1 - Phi(x) < 1e-17, below half an ULP of 1.
        return 1.0;
    }
    let zh = -x * FRAC_1_SQRT_2;
    if x >= 0.0 {
        // Phi(x) >= 1/2: the rounding of z changes it by less than its own rounding error.
        return 0.5 * libm::erfc(zh);
    }
    let zl = (-x).mul_add(FRAC_1_SQRT_2, -zh) - x * FRAC_1_SQRT_2_LO;
    let correction = -zl * FRAC_2_SQRT_PI * (-zh * zh).exp();
    0.5 * (libm::erfc(zh) + correction)
}

/// The standard normal density $\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}$.
///
/// Rounding $x^2$ costs a relative $x^2/2$ ULPs through the exponential; a fused multiply-add
/// gives the rounding error $r$ of $x^2$ exactly, and $e^{-(p + r)/2} \approx e^{-p/2}(1 - r/2)$.
///
/// ```
/// use chapters_code::activations::normal_pdf;
/// approx::assert_relative_eq!(normal_pdf(0.0), 1.0 / (2.0 * std::f64::consts::PI).sqrt());
/// assert!(normal_pdf(30.0) > 0.0);
/// ```
pub fn normal_pdf(x: f64) -> f64 {
    if x.abs() > 40.0 {
        // Below 1e-340, less than half the smallest subnormal; this also keeps x * x finite.
        return 0.0;
    }
    let p = x * x;
    let r = x.mul_add(x, -p);
    (-0.5 * p).exp() * (1.0 - 0.5 * r) * FRAC_1_SQRT_2PI
}

/// GELU, $x\,\Phi(x)$, with the exact normal distribution function (not the tanh
/// approximation).
///
/// ```
/// use chapters_code::activations::gelu;
/// assert_eq!(gelu(0.0), 0.0);
/// assert_eq!(gelu(f64::INFINITY), f64::INFINITY);
/// assert_eq!(gelu(f64::NEG_INFINITY), 0.0);
/// assert!(gelu(-20.0) < 0.0);
/// ```
pub fn gelu(x: f64) -> f64 {
    if x.is_infinite() {
        // x * Phi(x) is inf * 0 = NaN at -inf; the limit is 0.
        return if x > 0.0 { x } else { 0.0 };
    }
    if x > 8.5 {
        return x;
    }
    if x < -40.0 {
        // |x| phi(x) < 1e-346: below the smallest subnormal.
        return -0.0;
    }
    if x < -37.0 {
        // Phi(x) is subnormal here, with few significant bits, and x * Phi(x) would multiply
        // its rounding error by |x|. Instead: x Phi(x) = -phi(x) S(x), with the asymptotic
        // series S = 1 - 1/x^2 + 3/x^4 - 15/x^6 + ..., which at |x| > 37 is exact to f64
        // precision after eight terms, and phi(x) scaled by a power of two until the end.
        return normal_pdf_tail(x, -mills_series(x));
    }
    x * normal_cdf(x)
}

/// $\sum_k (-1)^k (2k-1)!!/x^{2k}$, the asymptotic series of $|x|\,\Phi(x)/\varphi(x)$ for
/// $x \to -\infty$, to eight terms (the first omitted term is below $10^{-17}$ for $|x| > 37$).
fn mills_series(x: f64) -> f64 {
    let u = 1.0 / (x * x);
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=8 {
        term *= -((2 * k - 1) as f64) * u;
        sum += term;
    }
    sum
}

/// The derivative of GELU, $\Phi(x) + x\,\varphi(x)$.
///
/// Near its zero at $x \approx -0.75$ the two terms cancel, and its relative error there is
/// larger than elsewhere (its absolute error stays a few ULPs of $\Phi(x)$).
///
/// ```
/// use chapters_code::activations::{gelu, gelu_derivative};
/// let d = (gelu(0.5 + 1e-6) - gelu(0.5 - 1e-6)) / 2e-6;
/// approx::assert_relative_eq!(gelu_derivative(0.5), d, max_relative = 1e-8);
/// assert_eq!(gelu_derivative(f64::INFINITY), 1.0);
/// ```
pub fn gelu_derivative(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    if x < -40.0 {
        return -0.0;
    }
    if x < -37.0 {
        // As in `gelu`: Phi(x) = phi(x) S(x)/|x|, so Phi + x phi = -phi(x) (x^2 - S(x))/|x|.
        return normal_pdf_tail(x, -(x * x - mills_series(x)) / x.abs());
    }
    if x > 9.0 {
        // Phi(x) rounds to 1, and x phi(x) < 1e-17 is below half an ULP of 1.
        return 1.0;
    }
    normal_cdf(x) + x * normal_pdf(x)
}

/// $\varphi(x) \cdot c$ for $-40 \le x < -37$, where $\varphi(x)$ is subnormal or nearly so:
/// the exponential is kept as $m \cdot 2^k$ and the product rounded once, at the end.
fn normal_pdf_tail(x: f64, c: f64) -> f64 {
    let p = x * x;
    let r = x.mul_add(x, -p);
    let (m, k) = exp_split(-0.5 * p);
    libm::scalbn(m * (1.0 - 0.5 * r) * FRAC_1_SQRT_2PI * c, k)
}

/// $e^x = m \cdot 2^k$ with $m$ near 1, without forming the (possibly subnormal) $e^x$.
///
/// Cody and Waite's reduction: $k = \operatorname{round}(x / \ln 2)$ and
/// $r = x - k \ln 2$, with $\ln 2$ split into a high part whose product with $k$ is exact and
/// a low part; then $m = e^r$.
fn exp_split(x: f64) -> (f64, i32) {
    const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42fee00000: 32 trailing zero bits
    const LN2_LO: f64 = 1.9082149292705877e-10;
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    (r.exp(), k as i32)
}

/// SiLU, also called Swish with $\beta = 1$: $x\,\sigma(x)$.
///
/// ```
/// use chapters_code::activations::silu;
/// assert_eq!(silu(0.0), 0.0);
/// assert!(silu(-710.0) < 0.0); // the textbook x / (1 + exp(-x)) gives -0 here
/// ```
pub fn silu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        return 0.0;
    }
    if x < -1100.0 {
        // |x| e^x is below the smallest subnormal; this also keeps exp_split's k in range.
        return -0.0;
    }
    if x < -700.0 {
        // sigma(x) = e^x is subnormal or nearly so here, and x * e^x would multiply its
        // rounding error by |x|: scale by a power of two instead, and round only at the end.
        let (m, k) = exp_split(x);
        return libm::scalbn(x * m, k);
    }
    // sigma(x) without a branch on the sign: e = e^{-|x|} <= 1 never overflows, and
    // sigma(x) is 1/(1 + e) for x >= 0 and e/(1 + e) otherwise.
    let e = (-x.abs()).exp();
    let r = 1.0 / (1.0 + e);
    x * if x >= 0.0 { r } else { e * r }
}

/// The derivative of SiLU, $\sigma(x)\,(1 + x\,\sigma(-x))$.
///
/// Near its zero at $x \approx -1.28$ the sum $1 + x\sigma(-x)$ cancels, and its relative error
/// there is larger than elsewhere.
///
/// ```
/// use chapters_code::activations::{silu, silu_derivative};
/// let d = (silu(0.5 + 1e-6) - silu(0.5 - 1e-6)) / 2e-6;
/// approx::assert_relative_eq!(silu_derivative(0.5), d, max_relative = 1e-8);
/// assert!(silu_derivative(-720.0) < 0.0);
/// ```
pub fn silu_derivative(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    if x < -1100.0 {
        return -0.0;
    }
    if x < -700.0 {
        // As in `silu`: here sigma(-x) rounds to 1 and the derivative is (1 + x) e^x.
        let (m, k) = exp_split(x);
        return libm::scalbn((1.0 + x) * m, k);
    }
    // sigma(x) and sigma(-x) from one exponential, each without cancellation.
    let e = (-x.abs()).exp();
    let (small, large) = (e / (1.0 + e), 1.0 / (1.0 + e));
    let (s, s_neg) = if x >= 0.0 {
        (large, small)
    } else {
        (small, large)
    };
    s * x.mul_add(s_neg, 1.0)
}
