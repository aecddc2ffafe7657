//! Chapter 1, continued: the same problem in networks of many units, on handwritten digits.
//!
//! Two experiments. First, the gradient reaching each layer of a deep network (ten hidden
//! layers) at initialization, for sigmoid, tanh, ReLU and ELU units under five initializers.
//! Second, the "speed of learning" experiment of Nielsen's *Neural Networks and Deep Learning*
//! (chapter 5): networks of 2, 3 and 4 hidden layers of 30 sigmoid units on 1,000 digits, and
//! the norm of each hidden layer's bias gradient at initialization and during training.

use crate::activations::{Activation, Elu, Identity, Relu, Sigmoid, Tanh};
use crate::data::Dataset;
use crate::network::init::{Biases, Init, build};
use crate::network::train::{Sgd, train};
use crate::network::{Loss, Network};
use crate::numerics::format_quoted;
use crate::plot::{Corner, LineChart, Series, YAxis};

/// Hidden layers of the deep network.
pub const DEEP_LAYERS: usize = 10;
/// Units per hidden layer of the deep network.
pub const DEEP_WIDTH: usize = 64;
/// Digits in the batch the deep network's gradients are measured on.
pub const DEEP_BATCH: usize = 256;
/// Seeds averaged (geometric mean) per configuration.
pub const DEEP_SEEDS: u64 = 5;

/// Makes a fresh activation for each layer.
pub type MakeActivation = fn() -> Box<dyn Activation>;

/// The hidden activations compared.
pub fn deep_activations() -> Vec<(&'static str, MakeActivation)> {
    vec![
        ("sigmoid", || Box::new(Sigmoid)),
        ("tanh", || Box::new(Tanh)),
        ("relu", || Box::new(Relu)),
        ("elu", || Box::new(Elu::new(1.0).expect("alpha 1 is valid"))),
    ]
}

/// `n` digits drawn with a seeded shuffle from the committed 5,000.
pub fn digit_sample(n: usize, seed: u64) -> Dataset {
    crate::data::digits_shared()
        .split(n, seed)
        .expect("no more than 5,000 digits are asked for")
        .0
}

/// The deep network of the first experiment (784 inputs, [`DEEP_LAYERS`] hidden layers of
/// [`DEEP_WIDTH`] units of `act`, 10 outputs) for `seed`.
pub fn deep_network(act: fn() -> Box<dyn Activation>, init: Init, seed: u64) -> Network {
    let mut sizes = vec![784];
    sizes.extend([DEEP_WIDTH; DEEP_LAYERS]);
    sizes.push(10);
    build(
        &sizes,
        |l| -> Box<dyn Activation> {
            if l == DEEP_LAYERS {
                Box::new(Identity)
            } else {
                act()
            }
        },
        init,
        Biases::Zero,
        Loss::SoftmaxCrossEntropy,
        seed,
    )
    .expect("valid sizes")
}

/// Geometric mean over seeds of $\lVert \partial\mathcal{L}/\partial W_\ell \rVert$ for each
/// hidden layer of the deep network at initialization.
pub fn deep_gradient_norms(act: fn() -> Box<dyn Activation>, init: Init) -> Vec<f64> {
    deep_gradient_norms_of(|seed| deep_network(act, init, seed))
}

/// [`deep_gradient_norms`] for the networks `make(seed)` (each with [`DEEP_LAYERS`] hidden
/// layers and 784 inputs), for variants such as batch normalization.
pub fn deep_gradient_norms_of(make: impl Fn(u64) -> Network) -> Vec<f64> {
    let mut log_sum = [0.0; DEEP_LAYERS];
    for seed in 0..DEEP_SEEDS {
        let batch = digit_sample(DEEP_BATCH, 1000 + seed);
        let net = make(seed);
        let y = batch.one_hot();
        let cache = net.forward(batch.inputs.view());
        let grads = net.backward(&cache, y.view());
        for (l, g) in grads.iter().take(DEEP_LAYERS).enumerate() {
            log_sum[l] += g.weights.mapv(|v| v * v).sum().sqrt().ln();
        }
    }
    log_sum
        .iter()
        .map(|s| (s / DEEP_SEEDS as f64).exp())
        .collect()
}

/// The figure for one activation: gradient norm per layer under each initializer.
pub fn deep_chart(name: &'static str) -> LineChart {
    let act = deep_activations()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("a known activation")
        .1;
    let series = Init::ALL
        .iter()
        .map(|&init| {
            let norms = deep_gradient_norms(act, init);
            Series::line(
                init.name(),
                norms
                    .iter()
                    .enumerate()
                    .map(|(l, &g)| ((l + 1) as f64, g.max(1e-30)))
                    .collect(),
            )
            .with_markers()
        })
        .collect::<Vec<Series>>();
    // A log axis from the power of ten below the smallest norm to the one above the largest.
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    LineChart {
        title: format!("{name}: gradient norm per hidden layer at initialization"),
        x_label: format!(
            "hidden layer (1 = nearest the input; {DEEP_LAYERS} layers of {DEEP_WIDTH})"
        ),
        y_label: "‖∂L/∂W‖".into(),
        x_range: (1.0, DEEP_LAYERS as f64),
        y_axis: YAxis::Log(
            10f64.powf(lo.log10().floor() - 1.0),
            10f64.powf(hi.log10().ceil() + 1.0),
        ),
        series,
        legend: Corner::LowerRight,
    }
}

/// Training images in the speed-of-learning experiment (as in Nielsen's).
pub const SPEED_IMAGES: usize = 1000;
/// Seeds averaged for the norms at initialization.
pub const SPEED_SEEDS: u64 = 10;
/// The learning rate of the training run, as Nielsen's.
pub const SPEED_LEARNING_RATE: f64 = 0.1;
/// The L2 regularization parameter $\lambda$ of Nielsen's run; the decay per step is
/// $\lambda$ divided by the number of images.
pub const SPEED_LAMBDA: f64 = 5.0;
/// Epochs of full-batch training recorded.
pub const SPEED_EPOCHS: usize = 500;

fn speed_network(hidden: usize, seed: u64) -> Network {
    let mut sizes = vec![784];
    sizes.extend(std::iter::repeat_n(30, hidden));
    sizes.push(10);
    build(
        &sizes,
        |l| -> Box<dyn Activation> {
            // Sigmoid outputs with cross-entropy, as Nielsen's network2: the loss applies it.
            if l == hidden {
                Box::new(Identity)
            } else {
                Box::new(Sigmoid)
            }
        },
        Init::FanIn,
        Biases::StandardNormal,
        Loss::SigmoidCrossEntropy,
        seed,
    )
    .expect("valid sizes")
}

/// The norm of each hidden layer's bias gradient (the gradient of the mean loss over the
/// 1,000 images) at initialization, averaged (arithmetically, as a typical value reported in
/// the literature would be) over [`SPEED_SEEDS`] seeds.
pub fn speed_initial_norms(hidden: usize) -> Vec<f64> {
    let data = digit_sample(SPEED_IMAGES, 7);
    let y = data.one_hot();
    let mut sum = vec![0.0; hidden];
    for seed in 0..SPEED_SEEDS {
        let net = speed_network(hidden, seed);
        let grads = net.backward(&net.forward(data.inputs.view()), y.view());
        for (l, g) in grads.iter().take(hidden).enumerate() {
            sum[l] += g.biases.mapv(|v| v * v).sum().sqrt();
        }
    }
    sum.iter().map(|s| s / SPEED_SEEDS as f64).collect()
}

/// Full-batch gradient descent as in Nielsen's experiment ($\eta = 0.1$, L2 $\lambda = 5$ over
/// 1,000 images), seed 0: the bias-gradient norm of each hidden layer at every epoch.
pub fn speed_training_norms(hidden: usize) -> Vec<Vec<f64>> {
    let data = digit_sample(SPEED_IMAGES, 7);
    let mut net = speed_network(hidden, 0);
    let sgd = Sgd {
        learning_rate: SPEED_LEARNING_RATE,
        momentum: 0.0,
        weight_decay: SPEED_LAMBDA / SPEED_IMAGES as f64,
        batch_size: SPEED_IMAGES,
        epochs: SPEED_EPOCHS,
        seed: 0,
    };
    let history = train(&mut net, &data, &sgd, |_| true).expect("the run stays finite");
    history
        .steps
        .iter()
        .map(|s| {
            s.layers
                .iter()
                .take(hidden)
                .map(|l| l.grad_b_norm)
                .collect()
        })
        .collect()
}

/// The figure: bias-gradient norm per hidden layer during training, for `hidden` (2, 3 or 4)
/// hidden layers.
pub fn speed_chart(hidden: usize) -> LineChart {
    let norms = speed_training_norms(hidden);
    let series = (0..hidden)
        .map(|l| {
            Series::line(
                format!("hidden layer {}", l + 1),
                norms
                    .iter()
                    .enumerate()
                    .map(|(e, n)| (e as f64, n[l]))
                    .collect(),
            )
        })
        .collect();
    LineChart {
        title: format!("Speed of learning: {hidden} hidden layers of 30 sigmoid units"),
        x_label: "epochs of full-batch gradient descent on 1,000 digits".into(),
        y_label: "‖∂L/∂b‖ of the hidden layer".into(),
        x_range: (0.0, (SPEED_EPOCHS - 1) as f64),
        y_axis: YAxis::Log(1e-5, 1.0),
        series,
        legend: Corner::UpperRight,
    }
}

/// The published norms at initialization, one run per network, from the data behind the
/// figures of Nielsen's chapter 5: the first entry of `fig/norms_during_training_{2,3,4}_layers.json`
/// in the repository `mnielsen/neural-networks-and-deep-learning` (the same setup:
/// `network2.Network` with its default initializer, 1,000 MNIST training images). Rounded to
/// three significant digits.
pub const PUBLISHED_INITIAL_NORMS: [&[f64]; 3] = [
    &[0.0657, 0.309],
    &[0.0118, 0.0600, 0.283],
    &[0.00300, 0.0171, 0.0695, 0.285],
];

/// Our mean over seeds divided by the published single run, per hidden layer, for 2, 3 and 4
/// hidden layers.
pub fn reproduction_ratios() -> Vec<Vec<f64>> {
    (2..=4)
        .map(|hidden| {
            speed_initial_norms(hidden)
                .iter()
                .zip(PUBLISHED_INITIAL_NORMS[hidden - 2])
                .map(|(ours, published)| ours / published)
                .collect()
        })
        .collect()
}

/// The numbers the chapter quotes from these experiments.
pub fn quoted_numbers() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (hidden, keys) in [
        (2, ["ch1_speed2"]),
        (3, ["ch1_speed3"]),
        (4, ["ch1_speed4"]),
    ] {
        let norms: Vec<String> = speed_initial_norms(hidden)
            .into_iter()
            .map(|n| format_quoted(n, 3))
            .collect();
        out.push((keys[0], norms.join(", ")));
    }
    let sigmoid = deep_gradient_norms(|| Box::new(Sigmoid), Init::GlorotUniform);
    out.push((
        "ch1_deep_sigmoid_ratio",
        format_quoted(sigmoid[DEEP_LAYERS - 1] / sigmoid[0], 3),
    ));
    let relu = deep_gradient_norms(|| Box::new(Relu), Init::He);
    out.push((
        "ch1_deep_relu_he_ratio",
        format_quoted(relu[DEEP_LAYERS - 1] / relu[0], 2),
    ));
    let ratios: Vec<f64> = reproduction_ratios().into_iter().flatten().collect();
    let (lo, hi) = ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| {
        (lo.min(r), hi.max(r))
    });
    out.push(("ch1_speed_ratio_low", format_quoted(lo, 3)));
    out.push(("ch1_speed_ratio_high", format_quoted(hi, 3)));
    for (hidden, published) in PUBLISHED_INITIAL_NORMS.iter().enumerate() {
        let text: Vec<String> = published.iter().map(|v| format_quoted(*v, 3)).collect();
        out.push((
            ["ch1_published2", "ch1_published3", "ch1_published4"][hidden],
            text.join(", "),
        ));
    }
    out.push(("ch1_speed_seeds", SPEED_SEEDS.to_string()));
    out.push(("ch1_speed_eta", format_quoted(SPEED_LEARNING_RATE, 3)));
    out.push(("ch1_speed_lambda", format_quoted(SPEED_LAMBDA, 3)));
    let four = speed_initial_norms(4);
    out.push(("ch1_speed4_ratio", format_quoted(four[3] / four[0], 2)));
    out.push(("ch1_speed_epochs", SPEED_EPOCHS.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reproduction_is_within_a_factor_of_two_of_the_published_run_and_vanishes_alike() {
        for (h, ratios) in reproduction_ratios().iter().enumerate() {
            for (l, r) in ratios.iter().enumerate() {
                assert!(
                    *r > 0.5 && *r < 2.0,
                    "{} hidden layers, layer {}: ratio {r}",
                    h + 2,
                    l + 1
                );
            }
        }
        // And the pattern itself: each hidden layer's gradient is several times the one below.
        let n = speed_initial_norms(4);
        for w in n.windows(2) {
            assert!(w[1] > 3.0 * w[0], "{n:?}");
        }
    }

    #[test]
    fn sigmoid_gradients_vanish_towards_the_input_and_he_keeps_relu_level() {
        let s = deep_gradient_norms(|| Box::new(Sigmoid), Init::GlorotUniform);
        assert!(s[DEEP_LAYERS - 1] / s[0] > 1e3, "{s:?}");
        let r = deep_gradient_norms(|| Box::new(Relu), Init::He);
        let ratio = r[DEEP_LAYERS - 1] / r[0];
        assert!(ratio > 0.1 && ratio < 10.0, "{r:?}");
    }
}
