//! The example of chapter 4, *ReLU*.
//! `cargo run -p chapters-code --example ch04_relu -- --help` lists its options.

use chapters_code::ch04_relu::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
