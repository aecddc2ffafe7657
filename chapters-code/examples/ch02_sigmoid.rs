//! The example of chapter 2, *Sigmoid*.
//! `cargo run -p chapters-code --example ch02_sigmoid -- --help` lists its options.

use chapters_code::ch02_sigmoid::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
