//! Recurrent networks written out by hand: a vanilla tanh RNN and an LSTM, each with its
//! forward pass, backpropagation through time, a gradient check and a training loop with
//! gradient clipping.
//!
//! Both read a sequence $x_1, \dots, x_T$ (each a batch of rows), carry a hidden state from
//! step to step, and read one logit out of the last state:
//! $\hat y = \sigma(h_T v + c)$, trained with the sigmoid cross-entropy. Arrays are batch by
//! units, so a step is one matrix product for the whole batch.
//!
//! - RNN: $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$.
//! - LSTM (with the forget gate of Gers et al., 2000, no peepholes):
//!   $[i, f, g, o] = [\sigma, \sigma, \tanh, \sigma](x_t W_x + h_{t-1} W_h + b)$,
//!   $c_t = f \odot c_{t-1} + i \odot g$, $h_t = o \odot \tanh(c_t)$.

use crate::activations::{sigmoid, sigmoid_derivative, softplus, tanh, tanh_derivative};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, Axis, Slice, Zip};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// Which recurrent cell a network uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The vanilla tanh RNN.
    Rnn,
    /// The LSTM with input, forget and output gates.
    Lstm,
}

impl Cell {
    /// The columns of the pre-activation per hidden unit: 1 for the RNN, 4 for the LSTM's
    /// gates $i, f, g, o$.
    pub fn width(self) -> usize {
        match self {
            Cell::Rnn => 1,
            Cell::Lstm => 4,
        }
    }

    /// The name used in figures and tables.
    pub fn name(self) -> &'static str {
        match self {
            Cell::Rnn => "RNN",
            Cell::Lstm => "LSTM",
        }
    }
}

/// Index of $W_x$ (inputs by gate columns) in [`Recurrent::params`].
pub const W_X: usize = 0;
/// Index of $W_h$ (hidden by gate columns).
pub const W_H: usize = 1;
/// Index of the bias $b$ (one row of gate columns).
pub const B: usize = 2;
/// Index of the read-out weights $v$ (hidden by 1).
pub const V: usize = 3;
/// Index of the read-out bias $c$ (1 by 1).
pub const C: usize = 4;

/// A recurrent network with one logit read out of its last hidden state.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrent {
    /// The cell.
    pub cell: Cell,
    /// The number of hidden units $H$.
    pub hidden: usize,
    /// $[W_x, W_h, b, v, c]$, indexed by [`W_X`], [`W_H`], [`B`], [`V`], [`C`]. For the LSTM
    /// the gate columns are laid out as $[i \mid f \mid g \mid o]$, $H$ each.
    pub params: Vec<Array2<f64>>,
}

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone)]
pub struct Tape<'a> {
    xs: &'a [Array2<f64>],
    /// The hidden states $h_0, \dots, h_T$ (batch by $H$); $h_0 = 0$.
    pub h: Vec<Array2<f64>>,
    /// The LSTM's cell states $c_0, \dots, c_T$ (empty for the RNN).
    pub c: Vec<Array2<f64>>,
    /// The LSTM's $\tanh(c_t)$ for $t = 1, \dots, T$, kept for the backward pass.
    pub tanh_c: Vec<Array2<f64>>,
    /// The pre-activations of each step (batch by $H$ or $4H$).
    pub z: Vec<Array2<f64>>,
    /// The LSTM's gate values $[i \mid f \mid g \mid o]$ of each step (empty for the RNN).
    pub gates: Vec<Array2<f64>>,
    /// The logits, one per sequence.
    pub logits: Array1<f64>,
}

impl Recurrent {
    /// A network with `inputs` inputs and `hidden` units. Weights are drawn from
    /// $U(-1/\sqrt H, 1/\sqrt H)$, the default of common frameworks; biases start at 0,
    /// except the LSTM's forget-gate biases, which start at `forget_bias`.
    ///
    /// # Errors
    /// When a size is 0 or the forget bias is not finite.
    pub fn new(
        cell: Cell,
        inputs: usize,
        hidden: usize,
        forget_bias: f64,
        seed: u64,
    ) -> Result<Self, String> {
        if inputs == 0 || hidden == 0 {
            return Err(format!(
                "a recurrent network needs inputs and hidden units, got {inputs} and {hidden}"
            ));
        }
        if !forget_bias.is_finite() {
            return Err(format!("the forget bias must be finite, got {forget_bias}"));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let k = 1.0 / (hidden as f64).sqrt();
        let u = Uniform::new_inclusive(-k, k).expect("a finite range");
        let g = cell.width() * hidden;
        let mut draw =
            |rows, cols| Array2::from_shape_simple_fn((rows, cols), || u.sample(&mut rng));
        let w_x = draw(inputs, g);
        let w_h = draw(hidden, g);
        let v = draw(hidden, 1);
        let mut b = Array2::zeros((1, g));
        if cell == Cell::Lstm {
            b.slice_axis_mut(Axis(1), Slice::from(hidden..2 * hidden))
                .fill(forget_bias);
        }
        Ok(Recurrent {
            cell,
            hidden,
            params: vec![w_x, w_h, b, v, Array2::zeros((1, 1))],
        })
    }

    /// The number of inputs per step.
    pub fn inputs(&self) -> usize {
        self.params[W_X].nrows()
    }

    /// Runs the sequence `xs` (one batch-by-inputs array per step) and keeps what the
    /// backward pass needs.
    ///
    /// # Panics
    /// When a step's array has the wrong number of columns or rows differ between steps.
    pub fn forward<'a>(&self, xs: &'a [Array2<f64>]) -> Tape<'a> {
        let batch = xs.first().map_or(0, |x| x.nrows());
        let n = self.hidden;
        let mut tape = Tape {
            xs,
            h: vec![Array2::zeros((batch, n))],
            c: Vec::new(),
            tanh_c: Vec::new(),
            z: Vec::with_capacity(xs.len()),
            gates: Vec::new(),
            logits: Array1::zeros(batch),
        };
        if self.cell == Cell::Lstm {
            tape.c.push(Array2::zeros((batch, n)));
        }
        for x in xs {
            assert_eq!(
                x.dim(),
                (batch, self.inputs()),
                "every step is batch by inputs"
            );
            let h_prev = tape.h.last().expect("h_0 is there");
            // ANCHOR: forward_step
            // z = x W_x + h_{t-1} W_h + b, the products added in place to the bias rows.
            let mut z = self.params[B]
                .broadcast((batch, self.params[B].ncols()))
                .expect("one bias row")
                .to_owned();
            general_mat_mul(1.0, x, &self.params[W_X], 1.0, &mut z);
            general_mat_mul(1.0, h_prev, &self.params[W_H], 1.0, &mut z);
            match self.cell {
                Cell::Rnn => tape.h.push(z.mapv(tanh)),
                Cell::Lstm => {
                    let c_prev = tape.c.last().expect("c_0 is there");
                    let mut gates = Array2::zeros(z.dim());
                    let mut c = Array2::zeros((batch, n));
                    let mut tanh_c = Array2::zeros((batch, n));
                    let mut h = Array2::zeros((batch, n));
                    // One row (sequence) at a time; its columns are [i | f | g | o].
                    for r in 0..batch {
                        let zr = row(&z, r);
                        let gr = row_mut(&mut gates, r);
                        for j in 0..n {
                            let (i, f) = (sigmoid(zr[j]), sigmoid(zr[n + j]));
                            let (g, o) = (tanh(zr[2 * n + j]), sigmoid(zr[3 * n + j]));
                            [gr[j], gr[n + j], gr[2 * n + j], gr[3 * n + j]] = [i, f, g, o];
                            // The cell adds the gated candidate to what the forget gate keeps.
                            let c_new = f * c_prev[[r, j]] + i * g;
                            c[[r, j]] = c_new;
                            tanh_c[[r, j]] = tanh(c_new);
                            h[[r, j]] = o * tanh_c[[r, j]];
                        }
                    }
                    tape.h.push(h);
                    tape.c.push(c);
                    tape.tanh_c.push(tanh_c);
                    tape.gates.push(gates);
                }
            }
            // ANCHOR_END: forward_step
            tape.z.push(z);
        }
        let h_last = tape.h.last().expect("h_0 is there");
        tape.logits = h_last.dot(&self.params[V]).column(0).to_owned() + self.params[C][[0, 0]];
        tape
    }

    /// The mean sigmoid cross-entropy of the logits against labels in $\{0, 1\}$, with
    /// $\ln(1 + e^{l}) - y l$ computed by the careful `softplus`.
    pub fn loss(tape: &Tape<'_>, labels: &[f64]) -> f64 {
        let n = labels.len().max(1) as f64;
        tape.logits
            .iter()
            .zip(labels)
            .map(|(&l, &y)| softplus(l) - y * l)
            .sum::<f64>()
            / n
    }

    /// The loss and its gradient with respect to every parameter, in the layout of
    /// [`Recurrent::params`].
    pub fn gradients(&self, xs: &[Array2<f64>], labels: &[f64]) -> (f64, Vec<Array2<f64>>) {
        let tape = self.forward(xs);
        let loss = Self::loss(&tape, labels);
        let n = labels.len().max(1) as f64;
        let mut grads: Vec<Array2<f64>> =
            self.params.iter().map(|p| Array2::zeros(p.dim())).collect();
        // d loss / d logit = (sigma(l) - y) / n.
        let d_logit: Array2<f64> = Array2::from_shape_fn((labels.len(), 1), |(r, _)| {
            (sigmoid(tape.logits[r]) - labels[r]) / n
        });
        let h_last = tape.h.last().expect("h_0 is there");
        grads[V] = h_last.t().dot(&d_logit);
        grads[C][[0, 0]] = d_logit.sum();
        let d_h = d_logit.dot(&self.params[V].t());
        self.backward_through_time(&tape, d_h, &mut grads, |_, _| {});
        (loss, grads)
    }

    /// Backpropagation through time from $\partial L / \partial h_T$ = `d_h`, adding the
    /// gradients of $W_x$, $W_h$ and $b$ into `grads`. `observe(t, g)` sees, at each step
    /// from $T$ down to 1, the gradient with respect to the state that carries memory: $h_t$
    /// for the RNN, $c_t$ for the LSTM.
    pub fn backward_through_time(
        &self,
        tape: &Tape<'_>,
        mut d_h: Array2<f64>,
        grads: &mut [Array2<f64>],
        mut observe: impl FnMut(usize, &Array2<f64>),
    ) {
        let n = self.hidden;
        let steps = tape.z.len();
        // The loops below read rows as slices: make sure the layout is row-major.
        if !d_h.is_standard_layout() {
            d_h = d_h.as_standard_layout().into_owned();
        }
        let mut d_c = Array2::<f64>::zeros(d_h.dim());
        for t in (1..=steps).rev() {
            let z = &tape.z[t - 1];
            // ANCHOR: backward_step
            let d_z = match self.cell {
                Cell::Rnn => {
                    observe(t, &d_h);
                    // h_t = tanh(z_t): dL/dz = dL/dh * tanh'(z), from z (no cancellation).
                    Zip::from(&mut d_h)
                        .and(z)
                        .for_each(|d, &z| *d *= tanh_derivative(z));
                    d_h
                }
                Cell::Lstm => {
                    let (gates, c, c_prev) = (&tape.gates[t - 1], &tape.c[t], &tape.c[t - 1]);
                    let tanh_c = &tape.tanh_c[t - 1];
                    // h_t = o * tanh(c_t): the cell's gradient gets the path through h_t.
                    for r in 0..d_c.nrows() {
                        let (gr, dh) = (row(gates, r), row(&d_h, r));
                        for j in 0..n {
                            d_c[[r, j]] += dh[j] * gr[3 * n + j] * tanh_derivative(c[[r, j]]);
                        }
                    }
                    observe(t, &d_c);
                    let mut d_z = Array2::zeros(z.dim());
                    for r in 0..d_c.nrows() {
                        let (gr, zr, dh) = (row(gates, r), row(z, r), row(&d_h, r));
                        let dz = row_mut(&mut d_z, r);
                        for j in 0..n {
                            let (i, f, g) = (gr[j], gr[n + j], gr[2 * n + j]);
                            let dc = d_c[[r, j]];
                            dz[j] = dc * g * sigmoid_derivative(zr[j]);
                            dz[n + j] = dc * c_prev[[r, j]] * sigmoid_derivative(zr[n + j]);
                            dz[2 * n + j] = dc * i * tanh_derivative(zr[2 * n + j]);
                            dz[3 * n + j] =
                                dh[j] * tanh_c[[r, j]] * sigmoid_derivative(zr[3 * n + j]);
                            // The additive path: dc_{t-1} = dc_t * f_t, no squashing factor.
                            d_c[[r, j]] = dc * f;
                        }
                    }
                    d_z
                }
            };
            // grads += x_t^T dz and h_{t-1}^T dz, accumulated in place.
            general_mat_mul(1.0, &tape.xs[t - 1].t(), &d_z, 1.0, &mut grads[W_X]);
            general_mat_mul(1.0, &tape.h[t - 1].t(), &d_z, 1.0, &mut grads[W_H]);
            grads[B] += &d_z.sum_axis(Axis(0)).insert_axis(Axis(0));
            d_h = d_z.dot(&self.params[W_H].t());
            // ANCHOR_END: backward_step
        }
        observe(
            0,
            match self.cell {
                Cell::Rnn => &d_h,
                Cell::Lstm => &d_c,
            },
        );
    }

    /// The norm of the Jacobian of $h_T$ with respect to the memory state at every step
    /// ($h_t$ for the RNN, $c_t$ for the LSTM), for the single sequence `xs` (each step one
    /// row): entry $t$ is $\lVert \partial h_T / \partial s_t \rVert_F$, for $t = 0, \dots, T$.
    ///
    /// The $H$ rows of $\partial h_T / \partial s_t$ come from one backward pass with a batch
    /// of $H$ copies of the sequence, copy $j$ seeded with the unit vector $e_j$.
    pub fn state_jacobian_norms(&self, xs: &[Array2<f64>]) -> Vec<f64> {
        let n = self.hidden;
        let copies: Vec<Array2<f64>> = xs
            .iter()
            .map(|x| {
                assert_eq!(x.nrows(), 1, "one sequence");
                x.broadcast((n, x.ncols())).expect("a row").to_owned()
            })
            .collect();
        let tape = self.forward(&copies);
        let mut grads: Vec<Array2<f64>> =
            self.params.iter().map(|p| Array2::zeros(p.dim())).collect();
        let mut norms = vec![0.0; xs.len() + 1];
        self.backward_through_time(&tape, Array2::eye(n), &mut grads, |t, g| {
            norms[t] = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        });
        // For the LSTM the last entry seen is dc_0; at T it is d h_T / d c_T as observed.
        norms
    }

    /// The fraction of sequences whose logit has the sign of its label.
    pub fn accuracy(&self, xs: &[Array2<f64>], labels: &[f64]) -> f64 {
        let tape = self.forward(xs);
        let right = tape
            .logits
            .iter()
            .zip(labels)
            .filter(|&(&l, &y)| (l > 0.0) == (y > 0.5))
            .count();
        right as f64 / labels.len().max(1) as f64
    }
}

/// Row `r` of a standard-layout array as a slice.
fn row(a: &Array2<f64>, r: usize) -> &[f64] {
    let w = a.ncols();
    &a.as_slice().expect("standard layout")[r * w..(r + 1) * w]
}

fn row_mut(a: &mut Array2<f64>, r: usize) -> &mut [f64] {
    let w = a.ncols();
    &mut a.as_slice_mut().expect("standard layout")[r * w..(r + 1) * w]
}

/// The largest relative error between [`Recurrent::gradients`] and central differences, over
/// every parameter, with the floor of [`crate::network::gradcheck`]: relative error
/// $|g - d| / \max(|g|, |d|, 10^{-4})$.
pub fn max_relative_error(net: &Recurrent, xs: &[Array2<f64>], labels: &[f64]) -> f64 {
    let (_, grads) = net.gradients(xs, labels);
    let mut probe = net.clone();
    let mut worst: f64 = 0.0;
    for (p, grad) in grads.iter().enumerate() {
        for (idx, &analytic) in grad.indexed_iter() {
            let x0 = net.params[p][idx];
            let h = 1e-5 * x0.abs().max(1.0);
            let mut loss_at = |x: f64| {
                probe.params[p][idx] = x;
                Recurrent::loss(&probe.forward(xs), labels)
            };
            let numeric = (loss_at(x0 + h) - loss_at(x0 - h)) / (2.0 * h);
            probe.params[p][idx] = x0;
            let scale = analytic.abs().max(numeric.abs()).max(1e-4);
            worst = worst.max((analytic - numeric).abs() / scale);
        }
    }
    worst
}

/// A batch of the *first-input task*: each sequence starts with a sign $\pm 1$ (its label is
/// 1 for $+1$, 0 for $-1$) followed by `lag - 1` steps of noise $N(0, \text{noise}^2)$; the
/// network must report the sign after the last step.
///
/// # Errors
/// When `lag` or `batch` is 0, or the noise is negative or not finite.
pub fn first_input_batch(
    lag: usize,
    batch: usize,
    noise: f64,
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<Array2<f64>>, Vec<f64>), String> {
    if lag == 0 || batch == 0 {
        return Err(format!(
            "the lag and batch must be positive, got {lag} and {batch}"
        ));
    }
    if !(noise >= 0.0 && noise.is_finite()) {
        return Err(format!(
            "the noise must be finite and not negative, got {noise}"
        ));
    }
    let labels: Vec<f64> = (0..batch)
        .map(|_| {
            if rand::Rng::random_bool(rng, 0.5) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    // Column 0 carries the sign, then noise; column 1 marks the first step.
    let mut xs = vec![Array2::from_shape_fn((batch, 2), |(r, k)| {
        if k == 0 { 2.0 * labels[r] - 1.0 } else { 1.0 }
    })];
    for _ in 1..lag {
        xs.push(Array2::from_shape_fn((batch, 2), |(_, k)| {
            if k == 0 {
                let e: f64 = StandardNormal.sample(rng);
                noise * e
            } else {
                0.0
            }
        }));
    }
    Ok((xs, labels))
}

/// How a recurrent network is trained: Adam (Kingma and Ba, 2015, with their default
/// $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$) on a fresh batch at every step,
/// the gradient's norm clipped before the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// The learning rate.
    pub learning_rate: f64,
    /// The largest gradient norm a step may use; larger gradients are scaled down to it.
    pub clip: f64,
    /// Sequences per batch.
    pub batch: usize,
    /// Training steps, each on a fresh batch.
    pub steps: usize,
}

/// Rescales `grads` so that their joint Euclidean norm is at most `max_norm` (the clipping of
/// Pascanu et al., 2013), and returns the norm before clipping.
pub fn clip_by_norm(grads: &mut [Array2<f64>], max_norm: f64) -> f64 {
    let norm = grads
        .iter()
        .flat_map(|g| g.iter())
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt();
    if norm > max_norm {
        let scale = max_norm / norm;
        for g in grads.iter_mut() {
            *g *= scale;
        }
    }
    norm
}

/// What a training run recorded at each step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainLog {
    /// The batch loss before the step.
    pub loss: Vec<f64>,
    /// The gradient's norm before clipping.
    pub norm: Vec<f64>,
}

/// Trains `net` on fresh batches of the first-input task, recording every step.
///
/// # Errors
/// When the loss or a gradient stops being finite (naming the step), or the task's settings
/// are invalid.
pub fn train_first_input(
    net: &mut Recurrent,
    lag: usize,
    noise: f64,
    training: &Training,
    seed: u64,
) -> Result<TrainLog, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let zeros =
        || -> Vec<Array2<f64>> { net.params.iter().map(|p| Array2::zeros(p.dim())).collect() };
    let (mut first, mut second) = (zeros(), zeros());
    let (beta1, beta2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
    let mut log = TrainLog::default();
    for step in 0..training.steps {
        let (xs, labels) = first_input_batch(lag, training.batch, noise, &mut rng)?;
        let (loss, mut grads) = net.gradients(&xs, &labels);
        let norm = clip_by_norm(&mut grads, training.clip);
        if !loss.is_finite() || !norm.is_finite() {
            return Err(format!(
                "step {step}: the loss ({loss}) or the gradient norm ({norm}) is not finite"
            ));
        }
        let k = (step + 1) as i32;
        let (c1, c2) = (1.0 - beta1.powi(k), 1.0 - beta2.powi(k));
        for (((p, m), v), g) in net
            .params
            .iter_mut()
            .zip(&mut first)
            .zip(&mut second)
            .zip(&grads)
        {
            Zip::from(p).and(m).and(v).and(g).for_each(|p, m, v, &g| {
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *p -= training.learning_rate * (*m / c1) / ((*v / c2).sqrt() + eps);
            });
        }
        log.loss.push(loss);
        log.norm.push(norm);
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_task(seed: u64) -> (Vec<Array2<f64>>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        first_input_batch(6, 5, 0.5, &mut rng).unwrap()
    }

    #[test]
    fn backpropagation_through_time_matches_finite_differences() {
        for cell in [Cell::Rnn, Cell::Lstm] {
            for seed in 0..5 {
                let mut net = Recurrent::new(cell, 2, 4, 1.0, seed).unwrap();
                // Larger weights than at initialization, so that every path matters.
                for p in &mut net.params {
                    p.mapv_inplace(|v| 2.0 * v);
                }
                let (xs, labels) = small_task(seed);
                let worst = max_relative_error(&net, &xs, &labels);
                assert!(worst < 1e-6, "{cell:?} seed {seed}: {worst}");
            }
        }
    }

    #[test]
    fn the_jacobian_norms_match_a_finite_difference_of_the_last_state() {
        // d h_T / d h_t for the RNN at t = T - 3, column by column, against perturbing h_t.
        let net = Recurrent::new(Cell::Rnn, 2, 3, 0.0, 4).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let (xs, _) = first_input_batch(8, 1, 0.5, &mut rng).unwrap();
        let norms = net.state_jacobian_norms(&xs);
        let t = 5;
        let tape = net.forward(&xs);
        let run_from = |h: Array2<f64>| {
            let mut h = h;
            for x in &xs[t..] {
                let z = x.dot(&net.params[W_X]) + h.dot(&net.params[W_H]) + &net.params[B];
                h = z.mapv(tanh);
            }
            h
        };
        let mut squares = 0.0;
        for j in 0..3 {
            let eps = 1e-6;
            let mut up = tape.h[t].clone();
            up[[0, j]] += eps;
            let mut down = tape.h[t].clone();
            down[[0, j]] -= eps;
            let col = (run_from(up) - run_from(down)) / (2.0 * eps);
            squares += col.iter().map(|v| v * v).sum::<f64>();
        }
        approx::assert_relative_eq!(norms[t], squares.sqrt(), max_relative = 1e-7);
    }

    #[test]
    fn bad_settings_are_errors_not_panics() {
        assert!(Recurrent::new(Cell::Rnn, 0, 4, 0.0, 0).is_err());
        assert!(Recurrent::new(Cell::Lstm, 1, 4, f64::NAN, 0).is_err());
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(first_input_batch(0, 4, 0.1, &mut rng).is_err());
        assert!(first_input_batch(4, 4, f64::NAN, &mut rng).is_err());
    }

    #[test]
    fn nan_in_the_input_gives_nan_out() {
        let net = Recurrent::new(Cell::Lstm, 1, 3, 1.0, 0).unwrap();
        let xs = vec![Array2::from_elem((1, 1), f64::NAN)];
        assert!(net.forward(&xs).logits[0].is_nan());
        let mut net = net;
        let err = train_first_input(
            &mut net,
            3,
            f64::INFINITY,
            &Training {
                learning_rate: 0.1,
                clip: 1.0,
                batch: 2,
                steps: 1,
            },
            0,
        );
        assert!(err.is_err());
    }

    #[test]
    fn clipping_scales_the_joint_norm_and_leaves_small_gradients_alone() {
        let mut g = vec![
            Array2::from_elem((1, 2), 3.0),
            Array2::from_elem((1, 1), 4.0),
        ];
        // Norm sqrt(9 + 9 + 16) = sqrt(34).
        let before = clip_by_norm(&mut g, 1.0);
        approx::assert_relative_eq!(before, 34f64.sqrt());
        let after: f64 = g.iter().flat_map(|a| a.iter()).map(|v| v * v).sum();
        approx::assert_relative_eq!(after.sqrt(), 1.0, max_relative = 1e-15);
        let mut small = vec![Array2::from_elem((1, 1), 0.5)];
        clip_by_norm(&mut small, 1.0);
        assert_eq!(small[0][[0, 0]], 0.5);
    }
}
