//! The example of chapter 1, *Why gradients vanish*.
//! `cargo run -p chapters-code --example ch01_vanishing -- --help` lists its options.

use chapters_code::ch01_vanishing::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
