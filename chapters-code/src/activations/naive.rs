//! The textbook formulas, exactly as usually written, kept so the book can show how they fail.
//!
//! Do not compute with these: they are here to be measured against the careful versions in
//! [`super`]. Each has the same name as its careful counterpart.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// $\sigma(x) = 1/(1 + e^{-x})$: $e^{-x}$ overflows for $x < -709$.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// $\sigma'(x) = s\,(1 - s)$ with $s = \sigma(x)$: cancels to 0 for $x > 36.7$.
pub fn sigmoid_derivative(x: f64) -> f64 {
    let s = sigmoid(x);
    s * (1.0 - s)
}

/// $e^{-x}/(1 + e^{-x})^2$, the derivative before simplification: NaN for $x < -709$.
pub fn sigmoid_derivative_quotient(x: f64) -> f64 {
    let e = (-x).exp();
    e / ((1.0 + e) * (1.0 + e))
}

/// $\ln(p/(1-p))$ as written.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// $1/(p(1-p))$, the derivative of the logit.
pub fn logit_derivative(p: f64) -> f64 {
    1.0 / (p * (1.0 - p))
}

/// $(e^x - e^{-x})/(e^x + e^{-x})$: $\infty/\infty$ = NaN for $|x| > 710$.
pub fn tanh(x: f64) -> f64 {
    let (a, b) = (x.exp(), (-x).exp());
    (a - b) / (a + b)
}

/// $1 - \tanh^2(x)$: cancels to 0 for $|x| > 19$.
pub fn tanh_derivative(x: f64) -> f64 {
    let t = x.tanh();
    1.0 - t * t
}

/// $1.7159 \tanh(2x/3)$ with the textbook tanh.
pub fn scaled_tanh(x: f64) -> f64 {
    1.7159 * tanh(2.0 / 3.0 * x)
}

/// $1.7159 \cdot \tfrac23 (1 - \tanh^2(2x/3))$.
pub fn scaled_tanh_derivative(x: f64) -> f64 {
    1.7159 * (2.0 / 3.0) * tanh_derivative(2.0 / 3.0 * x)
}

/// `f64::max(0.0, x)`: returns 0 for NaN.
pub fn relu(x: f64) -> f64 {
    0.0f64.max(x)
}

/// `if x > 0 { 1 } else { 0 }`: returns 0 for NaN.
pub fn relu_derivative(x: f64) -> f64 {
    if x > 0.0 { 1.0 } else { 0.0 }
}

/// `max(slope * x, x)`.
pub fn leaky_relu(x: f64, slope: f64) -> f64 {
    x.max(slope * x)
}

/// `if x > 0 { 1 } else { slope }`: returns the slope for NaN.
pub fn leaky_relu_derivative(x: f64, slope: f64) -> f64 {
    if x > 0.0 { 1.0 } else { slope }
}

/// $\alpha(e^x - 1)$ for $x \le 0$: cancels for small $|x|$.
pub fn elu(x: f64, alpha: f64) -> f64 {
    if x > 0.0 { x } else { alpha * (x.exp() - 1.0) }
}

/// $\alpha e^x$ for $x \le 0$ (the textbook form is already careful).
pub fn elu_derivative(x: f64, alpha: f64) -> f64 {
    if x > 0.0 { 1.0 } else { alpha * x.exp() }
}

/// SELU with the textbook ELU.
pub fn selu(x: f64) -> f64 {
    super::SELU_LAMBDA * elu(x, super::SELU_ALPHA)
}

/// SELU's derivative with the textbook ELU derivative.
pub fn selu_derivative(x: f64) -> f64 {
    super::SELU_LAMBDA * elu_derivative(x, super::SELU_ALPHA)
}

/// $\ln(1 + e^x)$: $+\infty$ for $x > 709$, 0 for $x < -37$.
pub fn softplus(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

/// $1/(1 + e^{-x})$, the textbook sigmoid.
pub fn softplus_derivative(x: f64) -> f64 {
    sigmoid(x)
}

/// $\tfrac{x}{2}(1 + \operatorname{erf}(x/\sqrt2))$: 0 from $x < -8.3$.
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + libm::erf(x * FRAC_1_SQRT_2))
}

/// $\tfrac12(1 + \operatorname{erf}(x/\sqrt2)) + x e^{-x^2/2}/\sqrt{2\pi}$.
pub fn gelu_derivative(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x * FRAC_1_SQRT_2)) + x * (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// $x/(1 + e^{-x})$: $-0$ for $x < -709$.
pub fn silu(x: f64) -> f64 {
    x / (1.0 + (-x).exp())
}

/// $s(1 + x(1 - s))$ with the textbook $s$.
pub fn silu_derivative(x: f64) -> f64 {
    let s = sigmoid(x);
    s * (1.0 + x * (1.0 - s))
}
