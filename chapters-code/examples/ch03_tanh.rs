//! The example of chapter 3, *The hyperbolic tangent*.
//! `cargo run -p chapters-code --example ch03_tanh -- --help` lists its options.

use chapters_code::ch03_tanh::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
