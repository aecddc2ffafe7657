//! A deep fully connected network with or without identity shortcuts, for chapter 7.
//!
//! An input layer maps the pixels to a width $w$: $h_0 = x W_0^\top + b_0$. Then come $L$
//! blocks, each with one weight matrix,
//!
//! $$h_\ell = s\,h_{\ell-1} + f(h_{\ell-1})\,W_\ell^\top + b_\ell, \qquad \ell = 1, \dots, L,$$
//!
//! with $s = 1$ for the *residual* network (an identity shortcut around every block, in the
//! "pre-activation" arrangement of He et al. 2016) and $s = 0$ for the *plain* one, and finally
//! the output layer $o = f(h_L) W_{L+1}^\top + b_{L+1}$ with softmax cross-entropy. With $s = 0$
//! this is an ordinary network of $L + 1$ hidden layers; the two differ in the shortcut alone,
//! with the same parameters.
//!
//! Backpropagation through a block adds the shortcut's identity to the block's Jacobian:
//! $\partial h_\ell / \partial h_{\ell-1} = s I + W_\ell\, \mathrm{diag}(f'(h_{\ell-1}))$ (as a
//! map of row vectors, transposed), so with $s = 1$ a gradient reaches every block even when
//! the products of the $W_\ell f'$ vanish.

use crate::activations::Activation;
use crate::data::Dataset;
use crate::network::init::Init;
use crate::network::{argmax_rows, log_sum_exp, softmax_rows};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The network: weights and biases of the input layer, the blocks and the output layer.
#[derive(Debug)]
pub struct Deep {
    /// $W_0, \dots, W_{L+1}$, each `(outputs, inputs)`.
    pub weights: Vec<Array2<f64>>,
    /// $b_0, \dots, b_{L+1}$.
    pub biases: Vec<Array1<f64>>,
    /// $f$, the same in every block.
    pub activation: Box<dyn Activation>,
    /// Whether every block has an identity shortcut ($s = 1$).
    pub shortcuts: bool,
}

/// What the forward pass keeps: $h_0, \dots, h_L$, their activations and the output.
#[derive(Debug, Clone)]
pub struct Pass {
    /// $h_0, \dots, h_L$, one row per example.
    pub h: Vec<Array2<f64>>,
    /// $f(h_0), \dots, f(h_L)$: the inputs of the blocks' weights and of the output layer,
    /// kept for the backward pass.
    pub a: Vec<Array2<f64>>,
    /// The output layer's values (before the softmax).
    pub out: Array2<f64>,
}

impl Pass {
    /// The mean softmax cross-entropy of the outputs against the labels, as
    /// $\operatorname{lse}(o) - o_c$, which neither overflows nor takes the logarithm of a
    /// probability that has rounded to 0.
    pub fn loss(&self, labels: &[usize]) -> f64 {
        let n = labels.len().max(1) as f64;
        labels
            .iter()
            .zip(self.out.rows())
            .map(|(&c, o)| log_sum_exp(o) - o[c])
            .sum::<f64>()
            / n
    }

    /// The fraction of rows whose largest output is their label.
    pub fn accuracy(&self, labels: &[usize]) -> f64 {
        let right = argmax_rows(&self.out)
            .iter()
            .zip(labels)
            .filter(|(p, l)| p == l)
            .count();
        right as f64 / labels.len().max(1) as f64
    }
}

impl Deep {
    /// A network of `inputs` inputs, `blocks` blocks of `width` units and `classes` outputs;
    /// weights drawn by `init` from `seed`, biases zero.
    ///
    /// # Errors
    /// When a size is zero.
    #[allow(clippy::too_many_arguments)] // each is one choice of the experiment
    pub fn new(
        inputs: usize,
        width: usize,
        blocks: usize,
        classes: usize,
        activation: Box<dyn Activation>,
        init: Init,
        shortcuts: bool,
        seed: u64,
    ) -> Result<Self, String> {
        if inputs == 0 || width == 0 || classes == 0 {
            return Err(format!(
                "every size must be positive: {inputs} inputs, width {width}, {classes} classes"
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut sizes = vec![(inputs, width)];
        sizes.extend(std::iter::repeat_n((width, width), blocks));
        sizes.push((width, classes));
        let weights = sizes
            .iter()
            .map(|&(i, o)| init.weights(i, o, &mut rng))
            .collect();
        let biases = sizes.iter().map(|&(_, o)| Array1::zeros(o)).collect();
        Ok(Deep {
            weights,
            biases,
            activation,
            shortcuts,
        })
    }

    /// The number of blocks $L$.
    pub fn blocks(&self) -> usize {
        self.weights.len() - 2
    }

    fn f(&self, h: &Array2<f64>) -> Array2<f64> {
        let mut a = h.clone();
        crate::activations::apply_in_place(self.activation.as_ref(), &mut a);
        a
    }

    fn f_prime(&self, h: &Array2<f64>) -> Array2<f64> {
        let mut d = h.clone();
        crate::activations::apply_derivative_in_place(self.activation.as_ref(), &mut d);
        d
    }

    // ANCHOR: forward
    /// The forward pass on `x`, one example per row.
    pub fn forward(&self, x: ArrayView2<'_, f64>) -> Pass {
        let mut h = vec![x.dot(&self.weights[0].t()) + &self.biases[0]];
        let mut a = vec![self.f(&h[0])];
        for l in 1..=self.blocks() {
            let mut next = a[l - 1].dot(&self.weights[l].t()) + &self.biases[l];
            if self.shortcuts {
                next += &h[l - 1]; // the identity shortcut
            }
            a.push(self.f(&next));
            h.push(next);
        }
        let last = self.weights.len() - 1;
        let out = a[self.blocks()].dot(&self.weights[last].t()) + &self.biases[last];
        Pass { h, a, out }
    }
    // ANCHOR_END: forward

    // ANCHOR: backward
    /// Backpropagation: the gradients of the mean loss for every weight matrix and bias
    /// vector, in the order of [`Deep::weights`].
    pub fn backward(
        &self,
        x: ArrayView2<'_, f64>,
        pass: &Pass,
        labels: &[usize],
    ) -> (Vec<Array2<f64>>, Vec<Array1<f64>>) {
        let last = self.weights.len() - 1;
        let blocks = self.blocks();
        // dL/do for the softmax cross-entropy: (softmax(o) - y) / n.
        let mut d_out = softmax_rows(&pass.out);
        for (i, &c) in labels.iter().enumerate() {
            d_out[[i, c]] -= 1.0;
        }
        d_out /= labels.len().max(1) as f64;
        let mut dw = vec![Array2::zeros((0, 0)); self.weights.len()];
        let mut db = vec![Array1::zeros(0); self.weights.len()];
        dw[last] = d_out.t().dot(&pass.a[blocks]);
        db[last] = d_out.sum_axis(Axis(0));
        // dh = dL/dh_l, from the top block down.
        let mut dh = d_out.dot(&self.weights[last]) * self.f_prime(&pass.h[blocks]);
        for l in (1..=blocks).rev() {
            dw[l] = dh.t().dot(&pass.a[l - 1]);
            db[l] = dh.sum_axis(Axis(0));
            let mut below = dh.dot(&self.weights[l]) * self.f_prime(&pass.h[l - 1]);
            if self.shortcuts {
                below += &dh; // the shortcut passes the gradient on unchanged
            }
            dh = below;
        }
        dw[0] = dh.t().dot(&x);
        db[0] = dh.sum_axis(Axis(0));
        (dw, db)
    }
    // ANCHOR_END: backward
}

/// The Frobenius norm of each block's weight gradient, $\lVert \partial L/\partial W_\ell
/// \rVert$ for $\ell = 1, \dots, L$.
pub fn block_gradient_norms(dw: &[Array2<f64>]) -> Vec<f64> {
    dw[1..dw.len() - 1]
        .iter()
        .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
        .collect()
}

/// Settings of a training run: plain SGD, with the gradient's joint norm clipped to `clip`
/// when it is `Some`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// $\eta$.
    pub learning_rate: f64,
    /// Examples per step.
    pub batch_size: usize,
    /// Passes over the data.
    pub epochs: usize,
    /// The largest joint norm of a step's gradient, if clipped.
    pub clip: Option<f64>,
    /// Seeds the order of the examples.
    pub seed: u64,
}

/// What a run measured: entry 0 before training, entry `e` after epoch `e`.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Mean cross-entropy on the training set.
    pub train_loss: Vec<f64>,
    /// Fraction of training examples misclassified.
    pub train_error: Vec<f64>,
    /// The joint gradient norm of every step, before clipping.
    pub gradient_norms: Vec<f64>,
    /// The step at which the loss or a gradient stopped being finite, if it did; the curves
    /// then end at the epoch before.
    pub diverged_at: Option<usize>,
}

// ANCHOR: train
/// Trains `net` on `data` by mini-batch SGD, with optional clipping of the gradient's joint
/// norm (Pascanu et al. 2013): when it exceeds `clip`, every gradient is scaled by
/// `clip / norm`, so the step keeps its direction and loses only its length.
///
/// # Errors
/// For settings that cannot be trained with (a learning rate or clip that is not positive and
/// finite, an empty batch), or data that does not fit the network.
pub fn train(net: &mut Deep, data: &Dataset, t: &Training) -> Result<Run, String> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(t.learning_rate) || t.batch_size == 0 || !t.clip.is_none_or(positive) {
        return Err(format!(
            "needs a positive learning rate, batch size and clip, got {t:?}"
        ));
    }
    if data.is_empty() || data.inputs.ncols() != net.weights[0].ncols() {
        return Err(format!(
            "the network takes {} inputs, the data has {} examples of {}",
            net.weights[0].ncols(),
            data.len(),
            data.inputs.ncols()
        ));
    }
    let mut run = Run {
        train_loss: Vec::new(),
        train_error: Vec::new(),
        gradient_norms: Vec::new(),
        diverged_at: None,
    };
    let measure = |net: &Deep, run: &mut Run| {
        let pass = net.forward(data.inputs.view());
        run.train_loss.push(pass.loss(&data.labels));
        run.train_error.push(1.0 - pass.accuracy(&data.labels));
    };
    measure(net, &mut run);
    let mut rng = ChaCha8Rng::seed_from_u64(t.seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    for _ in 0..t.epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(t.batch_size) {
            let x = data.inputs.select(Axis(0), chunk);
            let labels: Vec<usize> = chunk.iter().map(|&i| data.labels[i]).collect();
            let pass = net.forward(x.view());
            let (mut dw, mut db) = net.backward(x.view(), &pass, &labels);
            let norm = dw
                .iter()
                .flat_map(|g| g.iter())
                .chain(db.iter().flat_map(|g| g.iter()))
                .map(|v| v * v)
                .sum::<f64>()
                .sqrt();
            run.gradient_norms.push(norm);
            if !norm.is_finite() || !pass.loss(&labels).is_finite() {
                run.diverged_at = Some(run.gradient_norms.len() - 1);
                return Ok(run);
            }
            let scale = match t.clip {
                Some(c) if norm > c => c / norm,
                _ => 1.0,
            };
            for (w, g) in net.weights.iter_mut().zip(&mut dw) {
                w.scaled_add(-t.learning_rate * scale, g);
            }
            for (b, g) in net.biases.iter_mut().zip(&mut db) {
                b.scaled_add(-t.learning_rate * scale, g);
            }
        }
        measure(net, &mut run);
    }
    Ok(run)
}
// ANCHOR_END: train

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::{Relu, Sigmoid, Tanh};

    fn small(shortcuts: bool, act: Box<dyn Activation>) -> Deep {
        Deep::new(5, 4, 3, 3, act, Init::GlorotNormal, shortcuts, 7).unwrap()
    }

    /// The central difference of the loss in the parameter `param` picks out.
    fn difference(
        net: &mut Deep,
        x: &Array2<f64>,
        labels: &[usize],
        param: impl Fn(&mut Deep) -> &mut f64,
    ) -> f64 {
        let h = 1e-5;
        let p0 = *param(net);
        *param(net) = p0 + h;
        let up = net.forward(x.view()).loss(labels);
        *param(net) = p0 - h;
        let down = net.forward(x.view()).loss(labels);
        *param(net) = p0;
        (up - down) / (2.0 * h)
    }

    #[test]
    fn backpropagation_matches_finite_differences_with_and_without_shortcuts() {
        let x = Array2::from_shape_fn((6, 5), |(i, j)| ((i * 5 + j) as f64 * 0.37).sin());
        let labels = [0, 1, 2, 0, 1, 2];
        for shortcuts in [false, true] {
            for act in [
                Box::new(Sigmoid) as Box<dyn Activation>,
                Box::new(Tanh),
                Box::new(crate::activations::Gelu),
            ] {
                let mut net = small(shortcuts, act);
                for b in &mut net.biases {
                    b.mapv_inplace(|_| 0.1);
                }
                let pass = net.forward(x.view());
                let (dw, db) = net.backward(x.view(), &pass, &labels);
                for l in 0..net.weights.len() {
                    for (idx, &g) in dw[l].indexed_iter() {
                        let fd = difference(&mut net, &x, &labels, |n| &mut n.weights[l][idx]);
                        assert!((g - fd).abs() <= 1e-7 * fd.abs().max(1e-3), "{l} {idx:?}");
                    }
                    for (i, &g) in db[l].iter().enumerate() {
                        let fd = difference(&mut net, &x, &labels, |n| &mut n.biases[l][i]);
                        assert!((g - fd).abs() <= 1e-7 * fd.abs().max(1e-3));
                    }
                }
            }
        }
    }

    #[test]
    fn without_shortcuts_it_is_the_ordinary_network() {
        // s = 0: h_1 = f(h_0) W_1^T + b_1, the next layer of a plain stack.
        let net = small(false, Box::new(Relu));
        let x = Array2::from_shape_fn((2, 5), |(i, j)| (i as f64) - (j as f64) * 0.3);
        let pass = net.forward(x.view());
        let h0 = x.dot(&net.weights[0].t());
        let h1 = h0.mapv(|v| v.max(0.0)).dot(&net.weights[1].t());
        assert!((&pass.h[1] - &h1).iter().all(|d| d.abs() < 1e-14));
    }

    #[test]
    fn clipping_bounds_every_step_and_bad_settings_are_errors() {
        let data = crate::data::blobs(60, 5, 3, 1);
        let mut net = small(true, Box::new(Tanh));
        let before = net.weights.clone();
        let t = Training {
            learning_rate: 0.5,
            batch_size: 10,
            epochs: 1,
            clip: Some(1e-3),
            seed: 0,
        };
        let run = train(&mut net, &data, &t).unwrap();
        // Every step moves the parameters by at most eta * clip.
        let moved: f64 = net
            .weights
            .iter()
            .zip(&before)
            .map(|(a, b)| (a - b).iter().map(|v| v * v).sum::<f64>())
            .sum::<f64>()
            .sqrt();
        assert!(moved <= 6.0 * 0.5 * 1e-3 * (1.0 + 1e-12), "{moved}");
        assert_eq!(run.gradient_norms.len(), 6);
        for bad in [
            Training {
                learning_rate: f64::NAN,
                ..t
            },
            Training {
                clip: Some(0.0),
                ..t
            },
            Training { batch_size: 0, ..t },
        ] {
            assert!(train(&mut net, &data, &bad).is_err());
        }
        let wrong = crate::data::blobs(10, 4, 3, 1);
        assert!(train(&mut net, &wrong, &t).is_err());
    }
}
