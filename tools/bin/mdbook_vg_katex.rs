//! The KaTeX preprocessor for readers who build with the `mdbook` command line tool.
//!
//! `book.toml` names this binary in `[preprocessor.katex] command`, so `mdbook build` renders
//! the math exactly as `cargo run --release` does, with the same `mdbook-katex` library, and
//! nothing needs to be installed globally. It speaks mdBook's preprocessor protocol:
//! `supports RENDERER` answers by exit code; otherwise it reads `[context, book]` as JSON on
//! standard input and writes the book back on standard output.

use mdbook_katex::preprocess::KatexProcessor;
use mdbook_preprocessor::Preprocessor;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    vanishing_gradients::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pre = KatexProcessor;
    match args.as_slice() {
        [cmd, renderer] if cmd == "supports" => {
            if pre.supports_renderer(renderer).unwrap_or(false) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        [] => match preprocess(&pre) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: mdbook-vg-katex: {e}");
                ExitCode::from(1)
            }
        },
        [flag] if flag == "--help" || flag == "-h" => {
            println!(
                "mdbook-vg-katex: mdBook preprocessor that renders $...$ and $$...$$ with KaTeX.\n\n\
                 Usage: mdbook-vg-katex [supports RENDERER]\n\n\
                 mdBook runs it; see [preprocessor.katex] in book.toml."
            );
            ExitCode::SUCCESS
        }
        other => {
            eprintln!(
                "error: unexpected arguments {other:?} (usage: mdbook-vg-katex [supports RENDERER])"
            );
            ExitCode::from(2)
        }
    }
}

fn preprocess(pre: &KatexProcessor) -> Result<(), String> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())
        .map_err(|e| format!("cannot read mdBook's input: {e:#}"))?;
    let book = pre.run(&ctx, book).map_err(|e| format!("{e:#}"))?;
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &book).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}
