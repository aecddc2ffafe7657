//! The cost per element of every activation of the book, as the network pays it: one
//! `values_in_place` or `derivatives_in_place` call on a slice of 100,000 inputs spread over
//! $[-10, 10]$, the median of 41 repetitions.
//!
//! `cargo bench -p chapters-code --bench activation_cost` prints the table;
//! `... -- --save` also writes `chapters-code/data/activation-cost.csv`, which chapter 7's
//! side-by-side table reads. The numbers are one run on one machine: compare ratios, not
//! nanoseconds.

use chapters_code::activations::catalog;
use chapters_code::ch07_modern::SIDE_BY_SIDE;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 100_000;
const REPETITIONS: usize = 41;

fn inputs() -> Vec<f64> {
    // A fixed, irregular order, so that branches are not trivially predictable.
    (0..N)
        .map(|i| {
            let u = ((i as u64).wrapping_mul(2_654_435_761) % N as u64) as f64 / N as f64;
            10.0 * (2.0 * u - 1.0)
        })
        .collect()
}

fn median_ns_per_element(mut f: impl FnMut(&mut [f64])) -> f64 {
    let xs = inputs();
    let mut buffer = xs.clone();
    let mut times: Vec<f64> = (0..REPETITIONS)
        .map(|_| {
            buffer.copy_from_slice(&xs);
            let start = Instant::now();
            f(black_box(&mut buffer));
            black_box(&buffer);
            start.elapsed().as_secs_f64() * 1e9 / N as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[REPETITIONS / 2]
}

fn main() {
    let save = std::env::args().any(|a| a == "--save");
    let mut csv = String::from(
        "# Nanoseconds per element (median of 41 runs over 100,000 inputs in [-10, 10]), written by\n\
         # `cargo bench -p chapters-code --bench activation_cost -- --save`. One run, one machine.\n\
         activation,ns_value,ns_derivative\n",
    );
    println!(
        "{:<12} {:>10} {:>14}",
        "activation", "ns/value", "ns/derivative"
    );
    for (name, act) in SIDE_BY_SIDE.iter().zip(catalog()) {
        let value = median_ns_per_element(|xs| act.values_in_place(xs));
        let derivative = median_ns_per_element(|xs| act.derivatives_in_place(xs));
        println!("{name:<12} {value:>10.2} {derivative:>14.2}");
        csv.push_str(&format!("{name},{value:.2},{derivative:.2}\n"));
    }
    if save {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/activation-cost.csv");
        if let Err(e) = std::fs::write(path, csv) {
            eprintln!("cannot write {path}: {e}");
            std::process::exit(1);
        }
        println!("written to {path}");
    }
}
