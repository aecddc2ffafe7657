//! Batch normalization (Ioffe and Szegedy, 2015): each unit's pre-activation is standardized
//! over the examples of the batch, then scaled and shifted by two learned parameters,
//!
//! $$\hat z = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad u = \gamma \hat z + \beta,$$
//!
//! and the activation is applied to $u$. In training, $\mu_B$ and $\sigma_B^2$ are the batch's
//! mean and (biased) variance; the layer also keeps running averages of them, which replace the
//! batch statistics at inference, when a prediction must not depend on the other examples of
//! the batch.

use ndarray::{Array1, Array2, Axis};

/// The parameters and running statistics of one batch-normalized layer.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNorm {
    /// $\gamma$, one per unit (learned; starts at 1).
    pub gamma: Array1<f64>,
    /// $\beta$, one per unit (learned; starts at 0).
    pub beta: Array1<f64>,
    /// The running mean of $z$, for inference.
    pub running_mean: Array1<f64>,
    /// The running (unbiased) variance of $z$, for inference.
    pub running_var: Array1<f64>,
    /// Weight of the newest batch in the running averages.
    pub momentum: f64,
    /// $\epsilon$, added to the variance.
    pub epsilon: f64,
}

/// What the training-mode forward pass keeps for the backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct NormCache {
    /// $\hat z$.
    pub z_hat: Array2<f64>,
    /// $1 / \sqrt{\sigma_B^2 + \epsilon}$, per unit.
    pub inv_std: Array1<f64>,
    /// $\mu_B$, per unit.
    pub mean: Array1<f64>,
    /// $\sigma_B^2$ (biased), per unit.
    pub var: Array1<f64>,
}

impl BatchNorm {
    /// $\gamma = 1$, $\beta = 0$, running mean 0 and variance 1, momentum 0.1, $\epsilon = 10^{-5}$.
    pub fn new(units: usize) -> Self {
        BatchNorm {
            gamma: Array1::ones(units),
            beta: Array1::zeros(units),
            running_mean: Array1::zeros(units),
            running_var: Array1::ones(units),
            momentum: 0.1,
            epsilon: 1e-5,
        }
    }

    /// Training mode: normalizes with the batch's own statistics.
    pub fn forward_train(&self, z: &Array2<f64>) -> (Array2<f64>, NormCache) {
        let n = z.nrows().max(1) as f64;
        let mean = z.sum_axis(Axis(0)) / n;
        let centred = z - &mean;
        let var = centred.mapv(|v| v * v).sum_axis(Axis(0)) / n;
        let inv_std = var.mapv(|v| 1.0 / (v + self.epsilon).sqrt());
        let z_hat = centred * &inv_std;
        let u = &z_hat * &self.gamma + &self.beta;
        (
            u,
            NormCache {
                z_hat,
                inv_std,
                mean,
                var,
            },
        )
    }

    /// Inference mode: normalizes with the running statistics, example by example.
    pub fn forward_eval(&self, z: &Array2<f64>) -> Array2<f64> {
        let scale = &self.gamma / &self.running_var.mapv(|v| (v + self.epsilon).sqrt());
        (z - &self.running_mean) * &scale + &self.beta
    }

    // ANCHOR: batch_norm_backward
    /// From $\partial\mathcal{L}/\partial u$ to $\partial\mathcal{L}/\partial z$,
    /// $\partial\mathcal{L}/\partial\gamma$ and $\partial\mathcal{L}/\partial\beta$.
    ///
    /// Every $\hat z$ of a unit depends on every $z$ of that unit through $\mu_B$ and
    /// $\sigma_B$, which gives, with $g = \gamma \, \partial\mathcal{L}/\partial u$ and sums over
    /// the $n$ examples of the batch,
    /// $\partial\mathcal{L}/\partial z = \frac{1}{n \sigma}\bigl(n g - \sum g - \hat z \sum g \hat z\bigr)$.
    pub fn backward(
        &self,
        du: &Array2<f64>,
        cache: &NormCache,
    ) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
        let n = du.nrows() as f64;
        let d_gamma = (du * &cache.z_hat).sum_axis(Axis(0));
        let d_beta = du.sum_axis(Axis(0));
        let g = du * &self.gamma;
        let sum_g = g.sum_axis(Axis(0));
        let sum_g_zhat = (&g * &cache.z_hat).sum_axis(Axis(0));
        let dz = (g * n - &sum_g - &cache.z_hat * &sum_g_zhat) * &(&cache.inv_std / n);
        (dz, d_gamma, d_beta)
    }
    // ANCHOR_END: batch_norm_backward

    /// Moves the running statistics towards the batch's: $r \leftarrow (1 - m) r + m s$, with
    /// the unbiased variance $\sigma_B^2 \, n / (n - 1)$, as in the original paper's inference.
    pub fn update_running(&mut self, cache: &NormCache, n: usize) {
        let m = self.momentum;
        let unbiased = if n > 1 {
            n as f64 / (n - 1) as f64
        } else {
            1.0
        };
        self.running_mean = &self.running_mean * (1.0 - m) + &cache.mean * m;
        self.running_var = &self.running_var * (1.0 - m) + &cache.var * (m * unbiased);
    }
}
