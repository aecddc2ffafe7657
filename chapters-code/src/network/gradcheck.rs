//! Checking backpropagation against central finite differences, parameter by parameter.

use super::Network;
use ndarray::ArrayView2;

/// The largest relative error between [`Network::backward`] and the central difference
/// $(\mathcal{L}(\theta + h) - \mathcal{L}(\theta - h))/2h$, over every weight and bias (and every $\gamma$ and $\beta$ of batch normalization, and
/// every learned activation parameter).
///
/// Relative error is $|g - d| / \max(|g|, |d|, 10^{-4})$. The floor is there because the
/// difference quotient itself carries a rounding error of about $\varepsilon \mathcal{L} / h
/// \approx 10^{-11}$: on a gradient smaller than $10^{-4}$ (or exactly zero, a ReLU switched
/// off) we therefore ask for an absolute error below $10^{-10}$ instead.
pub fn max_relative_error(
    net: &mut Network,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
) -> f64 {
    let grads = net.backward(&net.forward(x), y);
    let mut worst: f64 = 0.0;
    for (l, grad) in grads.iter().enumerate() {
        let (rows, cols) = net.layers[l].weights.dim();
        for i in 0..rows {
            for j in 0..cols {
                let analytic = grad.weights[[i, j]];
                let numeric = difference(net, x, y, |n| &mut n.layers[l].weights[[i, j]]);
                worst = worst.max(relative(analytic, numeric));
            }
            let analytic = grad.biases[i];
            let numeric = difference(net, x, y, |n| &mut n.layers[l].biases[i]);
            worst = worst.max(relative(analytic, numeric));
            if let Some((d_gamma, d_beta)) = &grad.norm {
                let numeric = difference(net, x, y, |n| norm_of(n, l).0.get_mut(i).unwrap());
                worst = worst.max(relative(d_gamma[i], numeric));
                let numeric = difference(net, x, y, |n| norm_of(n, l).1.get_mut(i).unwrap());
                worst = worst.max(relative(d_beta[i], numeric));
            }
        }
        if let (Some(analytic), Some(a0)) = (grad.activation, net.layers[l].activation.parameter())
        {
            let h = 1e-5 * a0.abs().max(1.0);
            let mut loss_at = |a: f64| {
                net.layers[l]
                    .activation
                    .set_parameter(a)
                    .expect("a finite slope");
                net.loss_value(&net.forward(x), y)
            };
            let numeric = (loss_at(a0 + h) - loss_at(a0 - h)) / (2.0 * h);
            loss_at(a0);
            worst = worst.max(relative(analytic, numeric));
        }
    }
    worst
}

fn norm_of(net: &mut Network, l: usize) -> (&mut ndarray::Array1<f64>, &mut ndarray::Array1<f64>) {
    let bn = net.layers[l]
        .norm
        .as_mut()
        .expect("a layer with a batch-normalization gradient has batch normalization");
    (&mut bn.gamma, &mut bn.beta)
}

fn relative(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::INFINITY;
    }
    (a - b).abs() / a.abs().max(b.abs()).max(1e-4)
}

fn difference(
    net: &mut Network,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    param: impl Fn(&mut Network) -> &mut f64,
) -> f64 {
    let p0 = *param(net);
    let h = 1e-5 * p0.abs().max(1.0);
    *param(net) = p0 + h;
    let up = net.loss_value(&net.forward(x), y);
    *param(net) = p0 - h;
    let down = net.loss_value(&net.forward(x), y);
    *param(net) = p0;
    (up - down) / (2.0 * h)
}
