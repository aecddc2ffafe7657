//! What each layer is doing: gradient norms, the spread of pre-activations and activations,
//! and how many units are saturated or dead. Recorded per training step into a table that a
//! figure can plot.

use super::{Cache, LayerGradient, Network};
use crate::activations::Activation;
use ndarray::{Array2, Axis};
use std::fmt::Write as _;

/// The statistics of one layer on one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerStats {
    /// $\lVert \partial \mathcal{L} / \partial W_\ell \rVert$ (Frobenius norm).
    pub grad_w_norm: f64,
    /// $\lVert \partial \mathcal{L} / \partial b_\ell \rVert$.
    pub grad_b_norm: f64,
    /// Mean of $Z_\ell$ over examples and units.
    pub z_mean: f64,
    /// Standard deviation of $Z_\ell$.
    pub z_std: f64,
    /// Mean of $A_\ell$.
    pub a_mean: f64,
    /// Standard deviation of $A_\ell$.
    pub a_std: f64,
    /// Fraction of (example, unit) pairs whose slope $f'(z)$ is below 1% of the activation's
    /// largest slope: saturated (sigmoid, tanh) or switched off (ReLU).
    pub saturated: f64,
    /// Fraction of units whose slope is exactly 0 on every example of the batch: dead units,
    /// which no gradient reaches.
    pub dead: f64,
}

/// The largest slope of an activation, sampled on $[-20, 20]$.
pub fn largest_slope(act: &dyn Activation) -> f64 {
    (0..=4000)
        .map(|i| act.derivative(-20.0 + i as f64 / 100.0).abs())
        .fold(0.0, f64::max)
}

fn mean_std(x: &Array2<f64>) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let mean = x.sum() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The statistics of every layer for a batch's forward pass and gradients.
pub fn layer_stats(net: &Network, cache: &Cache, grads: &[LayerGradient]) -> Vec<LayerStats> {
    net.layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let z = &cache.z[l];
            let a = &cache.a[l + 1];
            let act = layer.activation.as_ref();
            let slopes = z.mapv(|v| act.derivative(v).abs());
            let threshold = 0.01 * largest_slope(act);
            let saturated = slopes.iter().filter(|&&s| s < threshold).count() as f64
                / slopes.len().max(1) as f64;
            let dead = slopes
                .axis_iter(Axis(1))
                .filter(|unit| unit.iter().all(|&s| s == 0.0))
                .count() as f64
                / layer.units() as f64;
            let (z_mean, z_std) = mean_std(z);
            let (a_mean, a_std) = mean_std(a);
            LayerStats {
                grad_w_norm: grads[l].weights.mapv(|g| g * g).sum().sqrt(),
                grad_b_norm: grads[l].biases.mapv(|g| g * g).sum().sqrt(),
                z_mean,
                z_std,
                a_mean,
                a_std,
                saturated,
                dead,
            }
        })
        .collect()
}

/// The statistics of one training step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// The step, counting from 0 (before any update).
    pub step: usize,
    /// The batch's mean loss.
    pub loss: f64,
    /// One entry per layer.
    pub layers: Vec<LayerStats>,
}

/// The records as CSV, one row per step and layer (layers counted from 1).
pub fn records_csv(records: &[StepRecord]) -> String {
    let mut s = String::from(
        "step,layer,loss,grad_w_norm,grad_b_norm,z_mean,z_std,a_mean,a_std,saturated,dead\n",
    );
    for r in records {
        for (l, x) in r.layers.iter().enumerate() {
            let _ = writeln!(
                s,
                "{},{},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?}",
                r.step,
                l + 1,
                r.loss,
                x.grad_w_norm,
                x.grad_b_norm,
                x.z_mean,
                x.z_std,
                x.a_mean,
                x.a_std,
                x.saturated,
                x.dead
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::{Relu, Sigmoid};

    #[test]
    fn largest_slopes() {
        assert_eq!(largest_slope(&Sigmoid), 0.25);
        assert_eq!(largest_slope(&Relu), 1.0);
    }
}
