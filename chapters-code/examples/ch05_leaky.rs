//! The example of chapter 5, *Leaky ReLU, PReLU, RReLU and ELU*.
//! `cargo run -p chapters-code --example ch05_leaky -- --help` lists its options.

use chapters_code::ch05_leaky::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
