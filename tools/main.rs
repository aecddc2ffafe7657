//! `cargo run --release`: builds the book, regenerating what is stale, and says where to open it.

use chapters_code::cli::{self, CliError, Opt, Spec};
use std::path::PathBuf;
use std::process::ExitCode;
use vanishing_gradients::{build, repo_root};

const SPEC: Spec = Spec {
    name: "vanishing-gradients",
    about: "Builds the book: regenerates stale figures, data and outputs, renders the HTML with \
            KaTeX, checks it, and prints where to open it.",
    options: &[
        Opt {
            name: "out",
            value: "DIR",
            help: "write the HTML here [default: build-dir of book.toml, i.e. book/]",
            default: None,
        },
        Opt {
            name: "open",
            value: "",
            help: "open the book in the default browser when done",
            default: None,
        },
    ],
    positional: None,
};

fn main() -> ExitCode {
    vanishing_gradients::init_logging();
    cli::run(&SPEC, |args| {
        let root = repo_root();
        let out = args.get_opt::<PathBuf>("out")?;
        let report = build::build(&root, out.as_deref()).map_err(CliError::Failed)?;
        let index = report.out_dir.join("index.html");
        let mut text = if report.unchanged {
            format!(
                "nothing changed since the last build: figures not regenerated; rendered the \
                 book in {:.2} s\n",
                report.render_time.as_secs_f64()
            )
        } else {
            format!(
                "regenerated {} stale file(s) in {:.2} s, rendered the book in {:.2} s\n",
                report.regenerated.len(),
                report.regenerate_time.as_secs_f64(),
                report.render_time.as_secs_f64()
            )
        };
        for p in &report.regenerated {
            text.push_str(&format!("  {}\n", p.display()));
        }
        text.push_str(&format!("open file://{}\n", index.display()));
        if args.flag("open") {
            open(&index).map_err(CliError::Failed)?;
        }
        Ok(text)
    })
}

fn open(path: &std::path::Path) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(path)
        .status()
        .map_err(|e| format!("cannot start {opener}: {e}; open the file by hand"))
        .map(|_| ())
}
