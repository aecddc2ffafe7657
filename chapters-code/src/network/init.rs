//! Initializing a network's weights and biases, from a seeded, portable generator.

use super::{Dense, Loss, Network};
use crate::activations::Activation;
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// How to draw a layer's weights, with $n_\text{in}$ its inputs and $n_\text{out}$ its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// $\mathcal{N}(0, 1)$, whatever the layer's size.
    StandardNormal,
    /// $\mathcal{N}(0, 1/n_\text{in})$ (LeCun et al. 1998).
    FanIn,
    /// $U(-a, a)$ with $a = \sqrt{6/(n_\text{in} + n_\text{out})}$ (Glorot and Bengio 2010).
    GlorotUniform,
    /// $\mathcal{N}(0, 2/(n_\text{in} + n_\text{out}))$ (Glorot and Bengio 2010).
    GlorotNormal,
    /// $\mathcal{N}(0, 2/n_\text{in})$ (He et al. 2015).
    He,
}

impl Init {
    /// Every initializer, for experiments that compare them.
    pub const ALL: [Init; 5] = [
        Init::StandardNormal,
        Init::FanIn,
        Init::GlorotUniform,
        Init::GlorotNormal,
        Init::He,
    ];

    /// A short name for tables and figures.
    pub fn name(self) -> &'static str {
        match self {
            Init::StandardNormal => "N(0,1)",
            Init::FanIn => "N(0,1/fan_in)",
            Init::GlorotUniform => "Glorot uniform",
            Init::GlorotNormal => "Glorot normal",
            Init::He => "He",
        }
    }

    /// The variance of one weight.
    pub fn variance(self, fan_in: usize, fan_out: usize) -> f64 {
        let (i, o) = (fan_in as f64, fan_out as f64);
        match self {
            Init::StandardNormal => 1.0,
            Init::FanIn => 1.0 / i,
            Init::GlorotUniform | Init::GlorotNormal => 2.0 / (i + o),
            Init::He => 2.0 / i,
        }
    }

    /// A `(fan_out, fan_in)` weight matrix.
    pub fn weights(self, fan_in: usize, fan_out: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
        let var = self.variance(fan_in, fan_out);
        match self {
            Init::GlorotUniform => {
                // U(-a, a) has variance a^2/3.
                let a = (3.0 * var).sqrt();
                let u = Uniform::new_inclusive(-a, a).expect("a finite, non-empty range");
                Array2::from_shape_simple_fn((fan_out, fan_in), || u.sample(rng))
            }
            _ => {
                let sd = var.sqrt();
                Array2::from_shape_simple_fn((fan_out, fan_in), || {
                    sd * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
                })
            }
        }
    }
}

/// How to set the biases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Biases {
    /// All zero.
    Zero,
    /// Each from $\mathcal{N}(0, 1)$.
    StandardNormal,
    /// All equal to this value.
    Constant(f64),
}

/// A network with layer sizes `sizes` (inputs first), `activation(l)` for layer `l` (from 0),
/// weights from `init` and biases from `biases`, seeded by `seed`.
///
/// ```
/// use chapters_code::activations::{Activation, Identity, Sigmoid};
/// use chapters_code::network::{Loss, init::{build, Biases, Init}};
/// let net = build(&[4, 8, 3], |l| -> Box<dyn Activation> {
///     if l == 1 { Box::new(Identity) } else { Box::new(Sigmoid) }
/// }, Init::GlorotUniform, Biases::Zero, Loss::SoftmaxCrossEntropy, 1).unwrap();
/// assert_eq!(net.parameter_count(), 4 * 8 + 8 + 8 * 3 + 3);
/// ```
///
/// # Errors
/// When there are fewer than two sizes or a size is 0.
pub fn build(
    sizes: &[usize],
    activation: impl Fn(usize) -> Box<dyn Activation>,
    init: Init,
    biases: Biases,
    loss: Loss,
    seed: u64,
) -> Result<Network, String> {
    if sizes.len() < 2 || sizes.contains(&0) {
        return Err(format!(
            "a network needs at least two non-zero layer sizes, got {sizes:?}"
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(l, w)| {
            let (fan_in, fan_out) = (w[0], w[1]);
            let weights = init.weights(fan_in, fan_out, &mut rng);
            let b = match biases {
                Biases::Zero => Array1::zeros(fan_out),
                Biases::Constant(c) => Array1::from_elem(fan_out, c),
                Biases::StandardNormal => Array1::from_shape_simple_fn(fan_out, || {
                    <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
                }),
            };
            Dense {
                weights,
                biases: b,
                activation: activation(l),
                norm: None,
            }
        })
        .collect();
    Ok(Network { layers, loss })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_have_the_stated_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for init in Init::ALL {
            let w = init.weights(400, 300, &mut rng);
            let var = w.mapv(|v| v * v).mean().unwrap();
            let want = init.variance(400, 300);
            // 120,000 draws: the sample variance is within a few per cent.
            assert!(
                (var / want - 1.0).abs() < 0.03,
                "{}: {var} vs {want}",
                init.name()
            );
            assert!(w.mean().unwrap().abs() < 0.01 * want.sqrt() * 10.0);
        }
    }

    #[test]
    fn bad_sizes_are_errors() {
        let act = |_| -> Box<dyn Activation> { Box::new(crate::activations::Sigmoid) };
        assert!(build(&[3], act, Init::He, Biases::Zero, Loss::MeanSquaredError, 0).is_err());
        assert!(
            build(
                &[3, 0, 2],
                act,
                Init::He,
                Biases::Zero,
                Loss::MeanSquaredError,
                0
            )
            .is_err()
        );
    }
}
