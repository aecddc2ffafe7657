//! Regenerates the book's figures, their data, the quoted numbers and the saved example output.
//!
//! `cargo run -p chapters-code --release --bin figures` regenerates everything;
//! `... --bin figures -- ch02-sigmoid` only that figure; `--check` writes nothing and exits 1
//! when something is stale.

use chapters_code::artifacts::{self, Status};
use chapters_code::cli::{self, CliError, Opt, Spec};
use std::path::PathBuf;
use std::process::ExitCode;

const SPEC: Spec = Spec {
    name: "figures",
    about: "Regenerates every generated file of the book (figures, data, quoted numbers, saved \
            example output), or the ones named.",
    options: &[
        Opt {
            name: "root",
            value: "DIR",
            help: "the repository root [default: the one this binary was built from]",
            default: None,
        },
        Opt {
            name: "check",
            value: "",
            help: "write nothing; exit 1 if any file is stale",
            default: None,
        },
        Opt {
            name: "list",
            value: "",
            help: "list the names that can be regenerated",
            default: None,
        },
    ],
    positional: Some(("NAME", "regenerate only these")),
};

fn main() -> ExitCode {
    cli::run(&SPEC, |args| {
        if args.flag("list") {
            return Ok(artifacts::names().join("\n") + "\n");
        }
        let root = args
            .get_opt::<PathBuf>("root")?
            .unwrap_or_else(artifacts::default_root);
        let check = args.flag("check");
        let report = artifacts::regenerate(&root, &args.positional, check)?;
        let stale: Vec<_> = report
            .iter()
            .filter(|(_, s)| *s == Status::Stale)
            .map(|(p, _)| p.display().to_string())
            .collect();
        if check && !stale.is_empty() {
            return Err(CliError::Failed(format!(
                "stale: {} (run `cargo run -p chapters-code --release --bin figures`)",
                stale.join(", ")
            )));
        }
        let verb = if check { "stale" } else { "rewritten" };
        let mut out = format!(
            "{} files, {} {verb}, under {}\n",
            report.len(),
            stale.len(),
            root.display()
        );
        for s in stale {
            out.push_str(&format!("  {s}\n"));
        }
        Ok(out)
    })
}
