//! Every activation function of the book, with its derivatives.
//!
//! Two ways to use them:
//!
//! - free functions named after the mathematics ([`sigmoid`], [`logit`], [`tanh_derivative`],
//!   [`gelu`], ...), in `f64`, for chapters that read better with formulas;
//! - the [`Activation`] trait, implemented by one small type per activation ([`Sigmoid`],
//!   [`LeakyRelu`], [`Prelu`], ...), so that network code can take any of them, and apply them
//!   element-wise to `ndarray` arrays of `f64` or `f32` ([`apply`], [`apply_derivative`]).
//!
//! All are computed in `f64` with the numerically careful formulas of [`functions`]; the `f32`
//! versions round that result once, so they are accurate to about half an `f32` ULP. The
//! textbook formulas are kept in [`naive`] for comparison, and [`accuracy`] measures both
//! against a high-precision reference computed with `mpmath`.

pub mod accuracy;
pub mod functions;
pub mod naive;

pub use functions::*;

use ndarray::{Array, ArrayBase, Data, Dimension};
use rand::Rng;
use rand_distr::{Distribution, Uniform};
use std::fmt::Debug;

/// A floating-point type the activations work with: `f64` or `f32`.
pub trait Real: Copy + PartialOrd + Debug + Send + Sync + 'static {
    /// Converts exactly (f32 to f64 is exact).
    fn to_f64(self) -> f64;
    /// Rounds once to this type.
    fn from_f64(x: f64) -> Self;
}

impl Real for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
}

impl Real for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

/// An activation function: its value and its derivative with respect to the input.
///
/// ```
/// use chapters_code::activations::{Activation, LeakyRelu, Sigmoid, apply};
/// use ndarray::array;
/// let acts: Vec<Box<dyn Activation>> = vec![Box::new(Sigmoid), Box::new(LeakyRelu::new(0.1).unwrap())];
/// let x = array![-2.0f32, 0.0, 2.0];
/// for a in &acts {
///     let y = apply(a.as_ref(), &x);
///     assert_eq!(y.len(), 3);
/// }
/// assert_eq!(acts[1].value(-2.0), -0.2);
/// ```
pub trait Activation: Debug + Send + Sync {
    /// A short name, as in the book and the reference tables (`"leaky_relu"`).
    fn name(&self) -> &'static str;
    /// $f(x)$.
    fn value(&self, x: f64) -> f64;
    /// $f'(x)$.
    fn derivative(&self, x: f64) -> f64;
    /// $\partial f / \partial a$ for an activation with a learned parameter $a$ (PReLU's
    /// slope); `None` for the others.
    fn parameter_derivative(&self, _x: f64) -> Option<f64> {
        None
    }
    /// The learned parameter (PReLU's slope), for an activation that has one.
    fn parameter(&self) -> Option<f64> {
        None
    }
    /// Sets the learned parameter, as a training step does.
    ///
    /// # Errors
    /// When the activation has no learned parameter, or the value is not valid for it.
    fn set_parameter(&mut self, _value: f64) -> Result<(), String> {
        Err(format!("{} has no learned parameter", self.name()))
    }
    /// For an activation that is random in training (RReLU), the interval $[l, u]$ its
    /// negative-side slopes are drawn from; the network's training forward pass then draws one
    /// per element, and [`Activation::value`] is the evaluation mode.
    fn random_slopes(&self) -> Option<(f64, f64)> {
        None
    }
    /// Replaces each element of `xs` by $f(x)$; one dynamic call for the whole slice.
    fn values_in_place(&self, xs: &mut [f64]) {
        for x in xs {
            *x = self.value(*x);
        }
    }
    /// Replaces each element of `xs` by $f'(x)$.
    fn derivatives_in_place(&self, xs: &mut [f64]) {
        for x in xs {
            *x = self.derivative(*x);
        }
    }
}

/// $f$ applied to every element of `x`.
pub fn apply<F: Real, S: Data<Elem = F>, D: Dimension>(
    act: &dyn Activation,
    x: &ArrayBase<S, D>,
) -> Array<F, D> {
    x.mapv(|v| F::from_f64(act.value(v.to_f64())))
}

/// $f'$ applied to every element of `x`.
pub fn apply_derivative<F: Real, S: Data<Elem = F>, D: Dimension>(
    act: &dyn Activation,
    x: &ArrayBase<S, D>,
) -> Array<F, D> {
    x.mapv(|v| F::from_f64(act.derivative(v.to_f64())))
}

/// $f$ applied in place to an `f64` array, slice by slice where the layout allows.
pub fn apply_in_place<D: Dimension>(act: &dyn Activation, x: &mut Array<f64, D>) {
    match x.as_slice_memory_order_mut() {
        Some(s) => act.values_in_place(s),
        None => x.mapv_inplace(|v| act.value(v)),
    }
}

/// $f'$ applied in place to an `f64` array, slice by slice where the layout allows.
pub fn apply_derivative_in_place<D: Dimension>(act: &dyn Activation, x: &mut Array<f64, D>) {
    match x.as_slice_memory_order_mut() {
        Some(s) => act.derivatives_in_place(s),
        None => x.mapv_inplace(|v| act.derivative(v)),
    }
}

macro_rules! activation {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $value:expr, $derivative:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        pub struct $ty;

        impl Activation for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn value(&self, x: f64) -> f64 {
                $value(x)
            }
            fn derivative(&self, x: f64) -> f64 {
                $derivative(x)
            }
        }
    };
}

activation!(
    /// The logistic sigmoid, [`sigmoid`].
    Sigmoid, "sigmoid", sigmoid, sigmoid_derivative
);
activation!(
    /// The hyperbolic tangent, [`tanh`].
    Tanh, "tanh", tanh, tanh_derivative
);
activation!(
    /// LeCun's scaled tanh, [`scaled_tanh`].
    ScaledTanh, "scaled_tanh", scaled_tanh, scaled_tanh_derivative
);
activation!(
    /// The rectified linear unit, [`relu`].
    Relu, "relu", relu, relu_derivative
);
activation!(
    /// SELU with the published constants, [`selu`].
    Selu, "selu", selu, selu_derivative
);
activation!(
    /// Softplus, [`softplus`].
    Softplus, "softplus", softplus, softplus_derivative
);
activation!(
    /// GELU with the exact normal distribution function, [`gelu`].
    Gelu, "gelu", gelu, gelu_derivative
);
activation!(
    /// SiLU (Swish with $\beta = 1$), [`silu`].
    Silu, "silu", silu, silu_derivative
);

fn identity(x: f64) -> f64 {
    x
}

fn one(x: f64) -> f64 {
    // 1, and NaN for NaN.
    if x.is_nan() { x } else { 1.0 }
}

activation!(
    /// The identity, $f(x) = x$: the output layer of a network whose loss applies its own
    /// function (softmax or sigmoid with cross-entropy).
    Identity, "identity", identity, one
);

fn check_finite(what: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{what} must be a finite number, got {v}"))
    }
}

/// Leaky ReLU with a fixed slope for negative inputs, [`leaky_relu`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakyRelu {
    slope: f64,
}

impl LeakyRelu {
    /// A Leaky ReLU with the given negative-side slope.
    ///
    /// # Errors
    /// When the slope is not finite.
    pub fn new(slope: f64) -> Result<Self, String> {
        Ok(LeakyRelu {
            slope: check_finite("the Leaky ReLU slope", slope)?,
        })
    }

    /// The slope for negative inputs.
    pub fn slope(&self) -> f64 {
        self.slope
    }
}

impl Activation for LeakyRelu {
    fn name(&self) -> &'static str {
        "leaky_relu"
    }
    fn value(&self, x: f64) -> f64 {
        leaky_relu(x, self.slope)
    }
    fn derivative(&self, x: f64) -> f64 {
        leaky_relu_derivative(x, self.slope)
    }
}

/// PReLU: Leaky ReLU whose slope is a parameter learned by backpropagation, with
/// $\partial f/\partial a$ from [`leaky_relu_slope_derivative`].
///
/// ```
/// use chapters_code::activations::{Activation, Prelu};
/// let mut p = Prelu::new(0.25).unwrap();
/// assert_eq!(p.parameter_derivative(-2.0), Some(-2.0));
/// p.set_slope(0.1).unwrap();
/// assert_eq!(p.value(-2.0), -0.2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prelu {
    slope: f64,
}

impl Prelu {
    /// A PReLU starting from the given slope.
    ///
    /// # Errors
    /// When the slope is not finite.
    pub fn new(slope: f64) -> Result<Self, String> {
        Ok(Prelu {
            slope: check_finite("the PReLU slope", slope)?,
        })
    }

    /// The current slope.
    pub fn slope(&self) -> f64 {
        self.slope
    }

    /// Sets the slope, as a training step does.
    ///
    /// # Errors
    /// When the slope is not finite: a diverging training step must not go unnoticed.
    pub fn set_slope(&mut self, slope: f64) -> Result<(), String> {
        self.slope = check_finite("the PReLU slope", slope)?;
        Ok(())
    }
}

impl Activation for Prelu {
    fn name(&self) -> &'static str {
        "prelu"
    }
    fn value(&self, x: f64) -> f64 {
        leaky_relu(x, self.slope)
    }
    fn derivative(&self, x: f64) -> f64 {
        leaky_relu_derivative(x, self.slope)
    }
    fn parameter_derivative(&self, x: f64) -> Option<f64> {
        Some(leaky_relu_slope_derivative(x))
    }
    fn parameter(&self) -> Option<f64> {
        Some(self.slope)
    }
    fn set_parameter(&mut self, value: f64) -> Result<(), String> {
        self.set_slope(value)
    }
}

/// Randomized ReLU: in training, each negative input is multiplied by its own slope drawn
/// uniformly from $[l, u]$; in evaluation, by the fixed slope $(l + u)/2$.
///
/// This is the convention of common frameworks (PyTorch's `RReLU`, default $l = 1/8$,
/// $u = 1/3$). Because the output is linear in the slope, the evaluation output is exactly the
/// expected training output. The original paper (Xu et al. 2015) writes the negative side
/// as $x / a$ with $a \sim U(3, 8)$ in its experiments and uses $x / \frac{l + u}{2}$ at test
/// time, which does *not* equal the expected training output, since
/// $\mathbb{E}[1/a] = \ln(u/l)/(u - l) \ne 2/(l + u)$: see [`Rrelu::divisor_expected_slope`].
///
/// As an [`Activation`], an `Rrelu` is in evaluation mode; [`Rrelu::train`] is the training
/// mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rrelu {
    lower: f64,
    upper: f64,
}

impl Rrelu {
    /// An RReLU drawing slopes from $[l, u]$.
    ///
    /// # Errors
    /// Unless $0 \le l \le u$ and both are finite.
    pub fn new(lower: f64, upper: f64) -> Result<Self, String> {
        let (l, u) = (check_finite("lower", lower)?, check_finite("upper", upper)?);
        if !(0.0 <= l && l <= u) {
            return Err(format!("RReLU needs 0 <= lower <= upper, got [{l}, {u}]"));
        }
        Ok(Rrelu { lower: l, upper: u })
    }

    /// The common default, $l = 1/8$, $u = 1/3$.
    pub fn standard() -> Self {
        Rrelu {
            lower: 1.0 / 8.0,
            upper: 1.0 / 3.0,
        }
    }

    /// The slope used in evaluation, $(l + u)/2$.
    pub fn eval_slope(&self) -> f64 {
        (self.lower + self.upper) / 2.0
    }

    /// Training mode: $f$ at every element of `x` with a fresh slope per element, drawn from
    /// `rng`. Returns the outputs and the slopes drawn, which the backward pass needs (the
    /// derivative is 1 where $x > 0$ and the element's slope elsewhere).
    pub fn train<D: Dimension, S: Data<Elem = f64>>(
        &self,
        x: &ArrayBase<S, D>,
        rng: &mut impl Rng,
    ) -> (Array<f64, D>, Array<f64, D>) {
        random_leaky_relu(x, (self.lower, self.upper), rng)
    }

    /// Under the paper's divisor convention, $f(x) = x/a$ with $a \sim U(l, u)$, the
    /// expected training slope $\mathbb{E}[1/a] = \ln(u/l)/(u - l)$.
    pub fn divisor_expected_slope(l: f64, u: f64) -> f64 {
        (u / l).ln() / (u - l)
    }
}

/// Leaky ReLU at every element of `x` with its own slope drawn uniformly from
/// `[lower, upper]` (RReLU's training mode); the outputs and the slopes drawn.
///
/// # Panics
/// Unless `0 <= lower <= upper`, both finite (what [`Rrelu::new`] checks).
pub fn random_leaky_relu<D: Dimension, S: Data<Elem = f64>>(
    x: &ArrayBase<S, D>,
    (lower, upper): (f64, f64),
    rng: &mut impl Rng,
) -> (Array<f64, D>, Array<f64, D>) {
    let dist = Uniform::new_inclusive(lower, upper).expect("bounds checked by Rrelu::new");
    let slopes = x.mapv(|_| dist.sample(rng));
    let mut y = x.to_owned();
    y.zip_mut_with(&slopes, |v, &a| *v = leaky_relu(*v, a));
    (y, slopes)
}

impl Activation for Rrelu {
    fn name(&self) -> &'static str {
        "rrelu_eval"
    }
    fn value(&self, x: f64) -> f64 {
        leaky_relu(x, self.eval_slope())
    }
    fn derivative(&self, x: f64) -> f64 {
        leaky_relu_derivative(x, self.eval_slope())
    }
    fn random_slopes(&self) -> Option<(f64, f64)> {
        Some((self.lower, self.upper))
    }
}

/// The exponential linear unit with parameter $\alpha > 0$, [`elu`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elu {
    alpha: f64,
}

impl Elu {
    /// An ELU with the given $\alpha$.
    ///
    /// # Errors
    /// Unless $\alpha$ is finite and positive.
    pub fn new(alpha: f64) -> Result<Self, String> {
        let a = check_finite("the ELU alpha", alpha)?;
        if a <= 0.0 {
            return Err(format!("the ELU alpha must be positive, got {a}"));
        }
        Ok(Elu { alpha: a })
    }

    /// $\alpha$.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
}

impl Activation for Elu {
    fn name(&self) -> &'static str {
        "elu"
    }
    fn value(&self, x: f64) -> f64 {
        elu(x, self.alpha)
    }
    fn derivative(&self, x: f64) -> f64 {
        elu_derivative(x, self.alpha)
    }
}

/// Every activation of the book with the parameters its reference table uses: Leaky ReLU
/// with slope 0.01, PReLU at its published initial slope 0.25, RReLU in evaluation mode with
/// $[1/8, 1/3]$, ELU with $\alpha = 1$.
pub fn catalog() -> Vec<Box<dyn Activation>> {
    vec![
        Box::new(Sigmoid),
        Box::new(Tanh),
        Box::new(ScaledTanh),
        Box::new(Relu),
        Box::new(LeakyRelu { slope: 0.01 }),
        Box::new(Prelu { slope: 0.25 }),
        Box::new(Rrelu::standard()),
        Box::new(Elu { alpha: 1.0 }),
        Box::new(Selu),
        Box::new(Softplus),
        Box::new(Gelu),
        Box::new(Silu),
    ]
}

#[cfg(test)]
mod tests;
