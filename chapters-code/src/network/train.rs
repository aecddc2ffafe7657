//! Training by mini-batch stochastic gradient descent, with optional momentum and L2 weight
//! decay, stopping with a clear message when a number stops being finite.

use super::{LayerGradient, Network, stats};
use crate::data::Dataset;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

/// The settings of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    /// $\eta$.
    pub learning_rate: f64,
    /// $\mu$: the velocity $v \leftarrow \mu v - \eta g$, then $\theta \leftarrow \theta + v$;
    /// 0 for plain gradient descent.
    pub momentum: f64,
    /// $\lambda$: adds $\lambda W$ to each weight gradient (not to the biases).
    pub weight_decay: f64,
    /// Examples per step; the whole data set when larger than it.
    pub batch_size: usize,
    /// Passes over the data.
    pub epochs: usize,
    /// Seeds the order of the examples.
    pub seed: u64,
}

impl Sgd {
    /// Plain SGD with the given learning rate, batch size and epochs.
    pub fn new(learning_rate: f64, batch_size: usize, epochs: usize) -> Self {
        Sgd {
            learning_rate,
            momentum: 0.0,
            weight_decay: 0.0,
            batch_size,
            epochs,
            seed: 0,
        }
    }

    fn validate(&self) -> Result<(), TrainError> {
        let ok = self.learning_rate.is_finite()
            && self.learning_rate > 0.0
            && (0.0..1.0).contains(&self.momentum)
            && self.weight_decay.is_finite()
            && self.weight_decay >= 0.0
            && self.batch_size > 0;
        if ok {
            Ok(())
        } else {
            Err(TrainError::Settings(format!(
                "needs a positive finite learning rate, momentum in [0, 1), a non-negative \
                 weight decay and a positive batch size; got {self:?}"
            )))
        }
    }
}

/// Why training stopped early.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainError {
    /// A loss or gradient became NaN or infinite.
    NotFinite {
        /// The step (counting from 0).
        step: usize,
        /// The layer (counting from 1), or `None` for the loss.
        layer: Option<usize>,
        /// What was not finite.
        what: &'static str,
    },
    /// The settings or data cannot be trained on.
    Settings(String),
}

impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrainError::NotFinite { step, layer, what } => {
                let place = layer.map_or("the loss".to_string(), |l| {
                    format!("the {what} of layer {l}")
                });
                write!(
                    f,
                    "training stopped at step {step}: {place} became NaN or infinite \
                     (try a smaller learning rate)"
                )
            }
            TrainError::Settings(m) => write!(f, "cannot train: {m}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// The momentum buffers of every layer, one per weight and bias (and per $\gamma$ and
/// $\beta$ of a batch-normalized layer).
#[derive(Debug, Clone, PartialEq)]
pub struct Velocity(Vec<LayerVelocity>);

#[derive(Debug, Clone, PartialEq)]
struct LayerVelocity {
    weights: Array2<f64>,
    biases: Array1<f64>,
    norm: Option<(Array1<f64>, Array1<f64>)>,
    activation: f64,
}

impl Velocity {
    /// Zero velocity for every parameter of `net`.
    pub fn zeros(net: &Network) -> Self {
        Velocity(
            net.layers
                .iter()
                .map(|l| LayerVelocity {
                    weights: Array2::zeros(l.weights.raw_dim()),
                    biases: Array1::zeros(l.units()),
                    norm: l
                        .norm
                        .as_ref()
                        .map(|_| (Array1::zeros(l.units()), Array1::zeros(l.units()))),
                    activation: 0.0,
                })
                .collect(),
        )
    }
}

/// A step's forward pass and gradients, kept for statistics.
pub type Kept = (super::Cache, Vec<LayerGradient>);

/// One step of gradient descent on the batch `x`, `y`: forward, loss, backward, update.
/// Returns the batch's loss before the update, and the pass and gradients when `keep` is set.
/// `rng` draws the slopes of random activations (RReLU) for this step's forward pass.
///
/// # Errors
/// [`TrainError::NotFinite`] when the loss or a gradient is NaN or infinite; the network is
/// then left unchanged.
#[allow(clippy::too_many_arguments)] // each is one thing a step needs; a struct would hide it
pub fn sgd_step(
    net: &mut Network,
    x: ndarray::ArrayView2<'_, f64>,
    y: ndarray::ArrayView2<'_, f64>,
    sgd: &Sgd,
    velocity: &mut Velocity,
    step: usize,
    keep: bool,
    rng: &mut ChaCha8Rng,
) -> Result<(f64, Option<Kept>), TrainError> {
    let cache = net.forward_train(x, rng);
    let loss = net.loss_value(&cache, y);
    if !loss.is_finite() {
        return Err(TrainError::NotFinite {
            step,
            layer: None,
            what: "loss",
        });
    }
    let grads = net.backward(&cache, y);
    check_finite(&grads, step)?;
    for (layer, kept) in net.layers.iter_mut().zip(&cache.norm) {
        if let (Some(bn), Some(kept)) = (&mut layer.norm, kept) {
            bn.update_running(kept, x.nrows());
        }
    }
    update(net, &grads, &mut velocity.0, sgd);
    Ok((loss, keep.then_some((cache, grads))))
}

/// What a training run recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The statistics of every step, taken on the step's batch before its update.
    pub steps: Vec<stats::StepRecord>,
}

/// Trains `net` on `data` with `sgd`. `record(step)` says which steps to record statistics for
/// (computing them costs about a forward pass). A progress bar appears on a terminal when the
/// run takes more than a second.
///
/// # Errors
/// [`TrainError::NotFinite`] naming the step and layer where a loss or gradient stopped being
/// finite; [`TrainError::Settings`] for bad settings or an empty or mismatched data set.
pub fn train(
    net: &mut Network,
    data: &Dataset,
    sgd: &Sgd,
    record: impl Fn(usize) -> bool,
) -> Result<History, TrainError> {
    train_observed(net, data, sgd, record, |_, _| {})
}

/// [`train`], calling `after_epoch(epoch, net)` at the end of every epoch (counting from 1),
/// for measurements on data other than the batches (a test set, the whole training set).
///
/// # Errors
/// As [`train`].
pub fn train_observed(
    net: &mut Network,
    data: &Dataset,
    sgd: &Sgd,
    record: impl Fn(usize) -> bool,
    mut after_epoch: impl FnMut(usize, &Network),
) -> Result<History, TrainError> {
    sgd.validate()?;
    if data.is_empty() || data.inputs.ncols() != net.layers[0].inputs() {
        return Err(TrainError::Settings(format!(
            "the network takes {} inputs, the data has {} examples of {}",
            net.layers[0].inputs(),
            data.len(),
            data.inputs.ncols()
        )));
    }
    let targets = data.one_hot();
    let batch = sgd.batch_size.min(data.len());
    let per_epoch = data.len().div_ceil(batch);
    let total = (per_epoch * sgd.epochs) as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, loss {msg} [{elapsed}<{eta}]")
            .expect("a valid template"),
    );
    let started = Instant::now();
    let mut velocity = Velocity::zeros(net);
    let mut rng = ChaCha8Rng::seed_from_u64(sgd.seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut history = History { steps: Vec::new() };
    let mut step = 0;
    for epoch in 1..=sgd.epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(batch) {
            let x = data.inputs.select(Axis(0), chunk);
            let y = targets.select(Axis(0), chunk);
            let keep = record(step);
            let (loss, kept) = sgd_step(
                net,
                x.view(),
                y.view(),
                sgd,
                &mut velocity,
                step,
                keep,
                &mut rng,
            )
            .inspect_err(|_| bar.finish_and_clear())?;
            if let Some((cache, grads)) = kept {
                // The statistics describe the batch before the update: they read the pass and
                // the gradients, and from the network only its activations.
                history.steps.push(stats::StepRecord {
                    step,
                    loss,
                    layers: stats::layer_stats(net, &cache, &grads),
                });
            }
            step += 1;
            if started.elapsed() > Duration::from_secs(1) && bar.is_hidden() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.set_position(step as u64);
            bar.set_message(format!("{loss:.4}"));
        }
        after_epoch(epoch, net);
    }
    bar.finish_and_clear();
    Ok(history)
}

fn check_finite(grads: &[LayerGradient], step: usize) -> Result<(), TrainError> {
    for (l, g) in grads.iter().enumerate() {
        if !g.weights.iter().all(|v| v.is_finite()) {
            return Err(TrainError::NotFinite {
                step,
                layer: Some(l + 1),
                what: "weight gradient",
            });
        }
        if !g.biases.iter().all(|v| v.is_finite()) {
            return Err(TrainError::NotFinite {
                step,
                layer: Some(l + 1),
                what: "bias gradient",
            });
        }
        if let Some((dg, db)) = &g.norm
            && !dg.iter().chain(db).all(|v| v.is_finite())
        {
            return Err(TrainError::NotFinite {
                step,
                layer: Some(l + 1),
                what: "batch-normalization gradient",
            });
        }
        if g.activation.is_some_and(|d| !d.is_finite()) {
            return Err(TrainError::NotFinite {
                step,
                layer: Some(l + 1),
                what: "activation-parameter gradient",
            });
        }
    }
    Ok(())
}

// ANCHOR: update
fn update(net: &mut Network, grads: &[LayerGradient], velocity: &mut [LayerVelocity], sgd: &Sgd) {
    let (eta, mu, lambda) = (sgd.learning_rate, sgd.momentum, sgd.weight_decay);
    for ((layer, g), v) in net.layers.iter_mut().zip(grads).zip(velocity) {
        let (vw, vb) = (&mut v.weights, &mut v.biases);
        // v <- mu v - eta (g + lambda W), then W <- W + v; the biases without decay.
        *vw *= mu;
        vw.scaled_add(-eta, &g.weights);
        vw.scaled_add(-eta * lambda, &layer.weights);
        layer.weights += &*vw;
        *vb *= mu;
        vb.scaled_add(-eta, &g.biases);
        layer.biases += &*vb;
        // gamma and beta of batch normalization like the biases: no decay.
        if let (Some(bn), Some((dg, db)), Some((vg, vbeta))) =
            (&mut layer.norm, &g.norm, &mut v.norm)
        {
            *vg *= mu;
            vg.scaled_add(-eta, dg);
            bn.gamma += &*vg;
            *vbeta *= mu;
            vbeta.scaled_add(-eta, db);
            bn.beta += &*vbeta;
        }
        // A learned activation parameter (PReLU's slope) with momentum, without decay, as
        // He et al. (2015) train it.
        if let (Some(d), Some(a)) = (g.activation, layer.activation.parameter()) {
            v.activation = mu * v.activation - eta * d;
            layer
                .activation
                .set_parameter(a + v.activation)
                .expect("a finite gradient gives a finite parameter");
        }
    }
}
// ANCHOR_END: update
