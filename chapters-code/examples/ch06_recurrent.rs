//! The example of chapter 6, *Recurrent networks*.
//! `cargo run -p chapters-code --example ch06_recurrent -- --help` lists its options.

use chapters_code::ch06_recurrent::{EXAMPLE, run_example};
use chapters_code::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&EXAMPLE, run_example)
}
