//! Building the book: regenerate what is stale, render with mdBook and KaTeX, check the result.

use chapters_code::artifacts::{self, Status};
use mdbook_driver::MDBook;
use mdbook_katex::preprocess::KatexProcessor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a build did.
#[derive(Debug)]
pub struct Report {
    /// The folder holding the HTML book (`index.html` inside).
    pub out_dir: PathBuf,
    /// Generated files that were stale and rewritten.
    pub regenerated: Vec<PathBuf>,
    /// Time spent regenerating figures, data, numbers and outputs.
    pub regenerate_time: Duration,
    /// Time spent in mdBook (preprocessing, KaTeX, rendering).
    pub render_time: Duration,
}

/// Regenerates stale generated files under `root`, then builds the book into `out_dir`
/// (the `build-dir` of `book.toml` when `None`) and checks the HTML with [`crate::site`].
///
/// # Errors
/// A message naming what failed: a figure, mdBook, or the problems found in the HTML.
pub fn build(root: &Path, out_dir: Option<&Path>) -> Result<Report, String> {
    let start = Instant::now();
    let regenerated: Vec<PathBuf> = artifacts::regenerate(root, &[], false)
        .map_err(|e| format!("regenerating the figures failed: {e}"))?
        .into_iter()
        .filter(|(_, s)| *s == Status::Stale)
        .map(|(p, _)| p)
        .collect();
    let regenerate_time = start.elapsed();

    let start = Instant::now();
    let out_dir = render(root, out_dir)?;
    let render_time = start.elapsed();

    let problems = crate::site::check(&out_dir);
    if !problems.is_empty() {
        return Err(format!(
            "the built book has {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ));
    }
    Ok(Report {
        out_dir,
        regenerated,
        regenerate_time,
        render_time,
    })
}

/// Renders the book with mdBook as a library and KaTeX in-process, without regenerating or
/// checking anything. Returns the output folder.
///
/// # Errors
/// mdBook's error, with its causes.
pub fn render(root: &Path, out_dir: Option<&Path>) -> Result<PathBuf, String> {
    let mut book = MDBook::load(root).map_err(|e| format!("cannot load the book: {e:#}"))?;
    if let Some(dir) = out_dir {
        book.config.build.build_dir = dir.to_path_buf();
    }
    // Replaces the `[preprocessor.katex]` command of book.toml by the library, same name.
    book.with_preprocessor(KatexProcessor);
    book.build().map_err(|e| format!("mdBook failed: {e:#}"))?;
    Ok(book.build_dir_for("html"))
}
