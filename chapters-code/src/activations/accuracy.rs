//! Accuracy of the activations against a high-precision reference.
//!
//! `chapters-code/reference/generate.py` evaluates every function and derivative with
//! `mpmath` at 80 digits and rounds once to `f64` and to `f32`; the tables are compiled into the
//! crate. Here we measure how far our functions, and the textbook formulas of [`super::naive`],
//! land from those correctly rounded values, in units in the last place (ULPs).

use super::{catalog, functions as ours, naive};
use crate::numerics::ulp_distance;

const REFERENCE_F64: &str = include_str!("../../reference/activations_f64.csv");
const REFERENCE_F32: &str = include_str!("../../reference/activations_f32.csv");

/// One row of a reference table: the correctly rounded value and derivative at `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The function's name, as [`super::Activation::name`] (and `logit`).
    pub function: String,
    /// The input (already representable in the table's type).
    pub x: f64,
    /// $f(x)$, correctly rounded.
    pub value: f64,
    /// $f'(x)$, correctly rounded.
    pub derivative: f64,
}

fn parse(table: &str) -> Vec<Row> {
    table
        .lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            let num = |s: &str| -> f64 { s.parse().unwrap_or_else(|_| panic!("bad number {s:?}")) };
            Row {
                function: cols[0].to_string(),
                x: num(cols[1]),
                value: num(cols[2]),
                derivative: num(cols[3]),
            }
        })
        .collect()
}

/// The `f64` reference table.
pub fn reference_f64() -> Vec<Row> {
    parse(REFERENCE_F64)
}

/// The `f32` reference table (inputs and results are `f32` values, stored as `f64`).
pub fn reference_f32() -> Vec<Row> {
    parse(REFERENCE_F32)
}

/// The ULP distance of two `f64`, with NaN at NaN and equal infinities at distance 0.
pub fn ulps_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        0
    } else {
        ulp_distance(a, b)
    }
}

/// The ULP distance of two `f32`, counted in `f32` steps.
pub fn ulps_f32(a: f32, b: f32) -> u64 {
    if (a.is_nan() && b.is_nan()) || a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
        return u64::MAX;
    }
    let ordered = |x: f32| {
        let bits = x.to_bits() as i32;
        if bits < 0 {
            i64::from(i32::MIN) - i64::from(bits)
        } else {
            i64::from(bits)
        }
    };
    (ordered(a) - ordered(b)).unsigned_abs()
}

/// Whether `got` is a spurious 0, infinity or NaN, or a lost NaN: the reference is finite and
/// non-zero but `got` is not, the reference is not NaN but `got` is, or the reference is NaN
/// (NaN in) but `got` is not (NaN swallowed, as by `f64::max(0.0, x)`).
pub fn spurious(got: f64, reference: f64) -> bool {
    (reference.is_finite() && reference != 0.0 && (got == 0.0 || !got.is_finite()))
        || (reference.is_nan() != got.is_nan())
}

/// A value function and a derivative function.
pub type Pair = (Box<dyn Fn(f64) -> f64>, Box<dyn Fn(f64) -> f64>);

/// Our implementation of the function named `name`.
pub fn ours_by_name(name: &str) -> Option<Pair> {
    if name == "logit" {
        return Some((Box::new(ours::logit), Box::new(ours::logit_derivative)));
    }
    let act = catalog().into_iter().find(|a| a.name() == name)?;
    let act: std::sync::Arc<dyn super::Activation> = act.into();
    let d = act.clone();
    Some((
        Box::new(move |x| act.value(x)),
        Box::new(move |x| d.derivative(x)),
    ))
}

/// The textbook implementation of the function named `name`, with the reference parameters.
pub fn textbook_by_name(name: &str) -> Option<Pair> {
    let pair = |v: fn(f64) -> f64, d: fn(f64) -> f64| -> Pair { (Box::new(v), Box::new(d)) };
    let leaky = |slope: f64| -> Pair {
        (
            Box::new(move |x| naive::leaky_relu(x, slope)),
            Box::new(move |x| naive::leaky_relu_derivative(x, slope)),
        )
    };
    Some(match name {
        "sigmoid" => pair(naive::sigmoid, naive::sigmoid_derivative),
        "logit" => pair(naive::logit, naive::logit_derivative),
        "tanh" => pair(naive::tanh, naive::tanh_derivative),
        "scaled_tanh" => pair(naive::scaled_tanh, naive::scaled_tanh_derivative),
        "relu" => pair(naive::relu, naive::relu_derivative),
        "leaky_relu" => leaky(0.01),
        "prelu" => leaky(0.25),
        "rrelu_eval" => leaky(super::Rrelu::standard().eval_slope()),
        "elu" => (
            Box::new(|x| naive::elu(x, 1.0)),
            Box::new(|x| naive::elu_derivative(x, 1.0)),
        ),
        "selu" => pair(naive::selu, naive::selu_derivative),
        "softplus" => pair(naive::softplus, naive::softplus_derivative),
        "gelu" => pair(naive::gelu, naive::gelu_derivative),
        "silu" => pair(naive::silu, naive::silu_derivative),
        _ => return None,
    })
}

/// The names in the reference tables, in order.
pub fn function_names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in reference_f64() {
        if !names.contains(&r.function) {
            names.push(r.function);
        }
    }
    names
}

/// The worst error of one implementation of one quantity over a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Worst {
    /// The largest ULP distance (`u64::MAX` for a wrong infinity or NaN).
    pub ulps: u64,
    /// Where it happened.
    pub at: f64,
    /// How many results were spurious zeros, infinities or NaNs.
    pub spurious: usize,
}

/// Measures `f` against the `pick`ed column of the rows of `function` in `table`, in `f64`
/// or, with `in_f32`, rounding `f`'s result to `f32` and counting `f32` ULPs.
pub fn measure(
    table: &[Row],
    function: &str,
    f: &dyn Fn(f64) -> f64,
    pick: fn(&Row) -> f64,
    in_f32: bool,
) -> Worst {
    let mut worst = Worst {
        ulps: 0,
        at: f64::NAN,
        spurious: 0,
    };
    for r in table.iter().filter(|r| r.function == function) {
        let (got, want) = (f(r.x), pick(r));
        let (got, d) = if in_f32 {
            let g = got as f32;
            (f64::from(g), ulps_f32(g, want as f32))
        } else {
            (got, ulps_f64(got, want))
        };
        if spurious(got, want) {
            worst.spurious += 1;
        }
        if d > worst.ulps || worst.at.is_nan() {
            worst.ulps = d.max(worst.ulps);
            worst.at = r.x;
        }
    }
    worst
}

/// For the book: every function and quantity, the worst error of ours and of the textbook
/// formula over the `f64` reference, as CSV.
pub fn comparison_csv() -> String {
    let table = reference_f64();
    let show = |u: u64| {
        if u == u64::MAX {
            "inf".to_string()
        } else {
            u.to_string()
        }
    };
    let mut csv = String::from(
        "function,quantity,ours_worst_ulps,textbook_worst_ulps,textbook_worst_at,textbook_spurious\n",
    );
    for name in function_names() {
        let (ov, od) = ours_by_name(&name).expect("every reference function is implemented");
        let (tv, td) =
            textbook_by_name(&name).expect("every reference function has a textbook form");
        for (quantity, o, t, pick) in [
            ("value", &ov, &tv, (|r: &Row| r.value) as fn(&Row) -> f64),
            ("derivative", &od, &td, |r: &Row| r.derivative),
        ] {
            let mo = measure(&table, &name, o.as_ref(), pick, false);
            let mt = measure(&table, &name, t.as_ref(), pick, false);
            csv.push_str(&format!(
                "{name},{quantity},{},{},{:?},{}\n",
                show(mo.ulps),
                show(mt.ulps),
                mt.at,
                mt.spurious
            ));
        }
    }
    csv
}
