//! A small neural network engine, written out by hand so that every gradient can be seen.
//!
//! A [`Network`] is a stack of [`Dense`] layers, each $Z_\ell = A_{\ell-1} W_\ell^\top + b_\ell$,
//! $A_\ell = f_\ell(Z_\ell)$, with one example per row of $A$. [`Network::forward`] keeps every
//! $Z_\ell$ and $A_\ell$; [`Network::backward`] applies the chain rule layer by layer, from the
//! loss back to the input, and returns the gradient of the mean loss for every parameter.
//!
//! Training ([`train`]), initialization ([`init`]), per-layer statistics ([`stats`]) and the
//! finite-difference gradient check ([`gradcheck`]) are in the submodules.

pub mod gradcheck;
pub mod init;
pub mod norm;
pub mod stats;
pub mod train;

use crate::activations::Activation;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand_chacha::ChaCha8Rng;

/// One fully connected layer: weights `(outputs, inputs)`, biases, activation.
#[derive(Debug)]
pub struct Dense {
    /// $W_\ell$, one row per unit.
    pub weights: Array2<f64>,
    /// $b_\ell$, one per unit.
    pub biases: Array1<f64>,
    /// $f_\ell$.
    pub activation: Box<dyn Activation>,
    /// Batch normalization between $Z_\ell$ and $f_\ell$, if any.
    pub norm: Option<norm::BatchNorm>,
}

impl Dense {
    /// The number of inputs of the layer.
    pub fn inputs(&self) -> usize {
        self.weights.ncols()
    }

    /// The number of units of the layer.
    pub fn units(&self) -> usize {
        self.weights.nrows()
    }
}

/// The loss on the last layer's output, averaged over the examples of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Softmax over the last layer's activations (use the identity as its activation), then
    /// cross-entropy with one-hot targets.
    SoftmaxCrossEntropy,
    /// A sigmoid on each output, then the binary cross-entropy of each output with its target,
    /// summed over outputs (use the identity as the last activation; the loss applies $\sigma$).
    SigmoidCrossEntropy,
    /// $\frac12 \lVert a_L - y \rVert^2$.
    MeanSquaredError,
}

/// A feed-forward network and its loss.
#[derive(Debug)]
pub struct Network {
    /// The layers, from the input to the output.
    pub layers: Vec<Dense>,
    /// The loss.
    pub loss: Loss,
}

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone)]
pub struct Cache {
    /// $Z_1, \dots, Z_L$: the inputs of the activations (after batch normalization, where a
    /// layer has it).
    pub z: Vec<Array2<f64>>,
    /// $A_0 = X, A_1, \dots, A_L$.
    pub a: Vec<Array2<f64>>,
    /// What each batch-normalized layer kept (`None` for the others, and in inference mode).
    pub norm: Vec<Option<norm::NormCache>>,
    /// The negative-side slopes drawn for each element of a layer whose activation is random
    /// in training (RReLU, in [`Network::forward_train`]); `None` for the others.
    pub slopes: Vec<Option<Array2<f64>>>,
}

/// The gradient of the mean loss with respect to one layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerGradient {
    /// $\partial \mathcal{L} / \partial W_\ell$.
    pub weights: Array2<f64>,
    /// $\partial \mathcal{L} / \partial b_\ell$.
    pub biases: Array1<f64>,
    /// $\partial \mathcal{L} / \partial \gamma_\ell$ and $\partial \mathcal{L} / \partial \beta_\ell$
    /// for a batch-normalized layer.
    pub norm: Option<(Array1<f64>, Array1<f64>)>,
    /// $\partial \mathcal{L} / \partial a$ for a layer whose activation has a learned parameter
    /// $a$ (PReLU's slope, one per layer).
    pub activation: Option<f64>,
}

/// Numerically careful $\ln(1 + e^{x})$, for the sigmoid cross-entropy.
fn softplus(x: f64) -> f64 {
    crate::activations::softplus(x)
}

/// $f'(Z)$ element by element, with one dynamic call for the whole array.
fn derivatives(act: &dyn Activation, z: &Array2<f64>) -> Array2<f64> {
    let mut d = z.clone();
    crate::activations::apply_derivative_in_place(act, &mut d);
    d
}

/// $\ln \sum_j e^{o_j}$ of one row of outputs, with the maximum taken out of the exponentials
/// so that none overflows: the cross-entropy of a softmax is $\operatorname{lse}(o) - o_c$.
pub fn log_sum_exp(o: ndarray::ArrayView1<'_, f64>) -> f64 {
    let m = o.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    m + o.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

/// The column of the largest value of every row of `out` (the first, on a tie): the predicted
/// classes of a network whose outputs are `out`.
pub fn argmax_rows(out: &Array2<f64>) -> Vec<usize> {
    out.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
                    if v > best.1 { (i, v) } else { best }
                })
                .0
        })
        .collect()
}

/// The softmax of every row of `o`, each row shifted by its maximum so that no exponential
/// overflows.
pub fn softmax_rows(o: &Array2<f64>) -> Array2<f64> {
    let mut p = o.clone();
    for mut row in p.rows_mut() {
        let m = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - m).exp());
        let s = row.sum();
        row /= s;
    }
    p
}

impl Network {
    /// The forward pass on a batch `x` (one example per row), in training mode: a
    /// batch-normalized layer uses the statistics of this batch. An activation that is random
    /// in training (RReLU) is in its evaluation mode here, so that the pass is a function of
    /// the parameters; [`Network::forward_train`] draws its slopes.
    pub fn forward(&self, x: ArrayView2<'_, f64>) -> Cache {
        self.forward_mode(x, true, None)
    }

    /// The forward pass of a training step: as [`Network::forward`], and an RReLU layer
    /// draws a slope for every negative element from `rng` (kept in [`Cache::slopes`] for the
    /// backward pass).
    pub fn forward_train(&self, x: ArrayView2<'_, f64>, rng: &mut ChaCha8Rng) -> Cache {
        self.forward_mode(x, true, Some(rng))
    }

    /// The forward pass in inference mode: a batch-normalized layer uses its running
    /// statistics, so each example's output depends on that example alone.
    pub fn forward_eval(&self, x: ArrayView2<'_, f64>) -> Cache {
        self.forward_mode(x, false, None)
    }

    fn forward_mode(
        &self,
        x: ArrayView2<'_, f64>,
        training: bool,
        mut rng: Option<&mut ChaCha8Rng>,
    ) -> Cache {
        let mut z = Vec::with_capacity(self.layers.len());
        let mut a = Vec::with_capacity(self.layers.len() + 1);
        let mut norms = Vec::with_capacity(self.layers.len());
        let mut slopes = Vec::with_capacity(self.layers.len());
        a.push(x.to_owned());
        for layer in &self.layers {
            // ANCHOR: forward_layer
            let mut z_l = a[a.len() - 1].dot(&layer.weights.t()) + &layer.biases;
            let mut kept = None;
            match &layer.norm {
                Some(bn) if training => {
                    let (u, cache) = bn.forward_train(&z_l);
                    (z_l, kept) = (u, Some(cache));
                }
                Some(bn) => z_l = bn.forward_eval(&z_l),
                None => {}
            }
            let (a_l, drawn) = match (layer.activation.random_slopes(), rng.as_deref_mut()) {
                (Some(range), Some(rng)) => {
                    let (a_l, s) = crate::activations::random_leaky_relu(&z_l, range, rng);
                    (a_l, Some(s))
                }
                _ => {
                    let mut a_l = z_l.clone();
                    crate::activations::apply_in_place(layer.activation.as_ref(), &mut a_l);
                    (a_l, None)
                }
            };
            // ANCHOR_END: forward_layer
            z.push(z_l);
            a.push(a_l);
            norms.push(kept);
            slopes.push(drawn);
        }
        Cache {
            z,
            a,
            norm: norms,
            slopes,
        }
    }

    /// The mean loss of the batch whose forward pass is `cache`, for targets `y` (one-hot rows
    /// for the cross-entropies).
    pub fn loss_value(&self, cache: &Cache, y: ArrayView2<'_, f64>) -> f64 {
        let out = &cache.a[cache.a.len() - 1];
        let n = out.nrows() as f64;
        match self.loss {
            Loss::SoftmaxCrossEntropy => {
                // -sum y log softmax(o) = sum y (logsumexp(o) - o), with the maximum taken out
                // of the exponentials so that none overflows.
                let mut total = 0.0;
                for (o, t) in out.rows().into_iter().zip(y.rows()) {
                    let lse = log_sum_exp(o);
                    total += o.iter().zip(t).map(|(&v, &t)| t * (lse - v)).sum::<f64>();
                }
                total / n
            }
            Loss::SigmoidCrossEntropy => {
                // -y log s - (1-y) log(1-s) = y softplus(-o) + (1-y) softplus(o): no log of 0.
                out.iter()
                    .zip(y.iter())
                    .map(|(&o, &t)| t * softplus(-o) + (1.0 - t) * softplus(o))
                    .sum::<f64>()
                    / n
            }
            Loss::MeanSquaredError => {
                0.5 * out
                    .iter()
                    .zip(y.iter())
                    .map(|(&o, &t)| (o - t) * (o - t))
                    .sum::<f64>()
                    / n
            }
        }
    }

    /// $\partial \mathcal{L} / \partial A_L$ for the mean loss.
    fn output_upstream(&self, cache: &Cache, y: ArrayView2<'_, f64>) -> Array2<f64> {
        let out = &cache.a[cache.a.len() - 1];
        let n = out.nrows() as f64;
        let upstream = match self.loss {
            // d/do of the cross-entropy of softmax(o) is softmax(o) - y.
            Loss::SoftmaxCrossEntropy => softmax_rows(out) - y,
            Loss::SigmoidCrossEntropy => out.mapv(crate::activations::sigmoid) - y,
            Loss::MeanSquaredError => out - &y,
        };
        upstream / n
    }

    /// $f'(Z_\ell)$ of layer `l` in the pass `cache`: with the slopes drawn in training for a
    /// random activation, the activation's own derivative otherwise.
    fn slopes(&self, cache: &Cache, l: usize) -> Array2<f64> {
        match &cache.slopes[l] {
            Some(drawn) => {
                let mut d = drawn.clone();
                d.zip_mut_with(&cache.z[l], |s, &z| {
                    if z > 0.0 {
                        *s = 1.0;
                    }
                });
                d
            }
            None => derivatives(self.layers[l].activation.as_ref(), &cache.z[l]),
        }
    }

    /// $\partial\mathcal{L}/\partial a = \sum \frac{\partial\mathcal{L}}{\partial A_\ell}
    /// \frac{\partial f}{\partial a}(Z_\ell)$ for a layer whose activation has a learned
    /// parameter $a$, summed over examples and units (one $a$ per layer).
    fn parameter_gradient(&self, upstream: &Array2<f64>, cache: &Cache, l: usize) -> Option<f64> {
        let act = self.layers[l].activation.as_ref();
        act.parameter()?;
        Some(
            upstream
                .iter()
                .zip(&cache.z[l])
                .map(|(&g, &z)| g * act.parameter_derivative(z).unwrap_or(0.0))
                .sum(),
        )
    }

    // ANCHOR: backward
    /// Backpropagation: the gradient of the mean loss for every layer, from the first to the
    /// last.
    pub fn backward(&self, cache: &Cache, y: ArrayView2<'_, f64>) -> Vec<LayerGradient> {
        let mut grads = Vec::with_capacity(self.layers.len());
        // upstream = dL/dA of the current layer, one row per example.
        let mut upstream = self.output_upstream(cache, y);
        for l in (0..self.layers.len()).rev() {
            // Through the activation: its learned parameter (if any), then its slope.
            let activation = self.parameter_gradient(&upstream, cache, l);
            let mut delta = upstream * &self.slopes(cache, l); // dL/dZ
            // Through batch normalization, where the layer has it.
            let mut norm = None;
            if let (Some(bn), Some(kept)) = (&self.layers[l].norm, &cache.norm[l]) {
                let (dz, d_gamma, d_beta) = bn.backward(&delta, kept);
                (delta, norm) = (dz, Some((d_gamma, d_beta)));
            }
            grads.push(LayerGradient {
                weights: delta.t().dot(&cache.a[l]), // dZ/dW is the layer's input
                biases: delta.sum_axis(Axis(0)),     // dZ/db is 1
                norm,
                activation,
            });
            // Back through the weights to the layer below's output.
            upstream = if l > 0 {
                delta.dot(&self.layers[l].weights)
            } else {
                Array2::zeros((0, 0))
            };
        }
        grads.reverse();
        grads
    }
    // ANCHOR_END: backward

    /// The predicted class of each row of `x`: the largest output.
    /// Batch-normalized layers use their running statistics.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Vec<usize> {
        Self::predicted(&self.forward_eval(x))
    }

    /// The predicted class of each example of a forward pass: its largest output (the first
    /// of equals).
    pub fn predicted(cache: &Cache) -> Vec<usize> {
        argmax_rows(&cache.a[cache.a.len() - 1])
    }

    /// The fraction of rows of `x` whose predicted class is `labels`.
    pub fn accuracy(&self, x: ArrayView2<'_, f64>, labels: &[usize]) -> f64 {
        let p = self.predict(x);
        p.iter().zip(labels).filter(|(a, b)| a == b).count() as f64 / labels.len().max(1) as f64
    }

    /// The number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| {
                l.weights.len()
                    + l.biases.len()
                    + l.norm.as_ref().map_or(0, |n| 2 * n.gamma.len())
                    + usize::from(l.activation.parameter().is_some())
            })
            .sum()
    }

    /// Adds batch normalization to every layer for which `which(l)` holds (counting from 0).
    pub fn with_batch_norm(mut self, which: impl Fn(usize) -> bool) -> Self {
        for (l, layer) in self.layers.iter_mut().enumerate() {
            if which(l) {
                layer.norm = Some(norm::BatchNorm::new(layer.units()));
            }
        }
        self
    }
}

#[cfg(test)]
mod tests;
