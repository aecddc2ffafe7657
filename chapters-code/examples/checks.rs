//! Runs the numerical check of every displayed equation of the book and prints the worst error
//! each one found. The same checks run in `cargo test`.

use chapters_code::artifacts::CHECKS_EXAMPLE;
use chapters_code::{checks, cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(&CHECKS_EXAMPLE, |_| Ok(checks::report()))
}
