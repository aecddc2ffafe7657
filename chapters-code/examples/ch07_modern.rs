//! The example of chapter 7, *After ELU*.
//! `cargo run -p chapters-code --example ch07_modern -- --help` lists its options.

use chapters_code::ch07_modern::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
