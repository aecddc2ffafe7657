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
    /// Whether regeneration was skipped because neither this program nor any generated file
    /// has changed since the last build that regenerated them.
    pub unchanged: bool,
}

/// Where [`build`] records the fingerprint of its last regeneration.
fn stamp_path(root: &Path) -> PathBuf {
    root.join("target").join("vanishing-gradients-build-stamp")
}

/// A fingerprint of everything the generated files depend on and are: the bytes of the running
/// program (which contains every chapter's code, so any change to the code changes it) and the
/// names and bytes of every file under `figures/`. The computations are deterministic, so while
/// the fingerprint is unchanged a regeneration would write nothing.
fn fingerprint(root: &Path) -> Option<u64> {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    h.write(&std::fs::read(std::env::current_exe().ok()?).ok()?);
    let mut files = Vec::new();
    for ext in ["svg", "csv", "txt", "md"] {
        files.extend(crate::files_with_extension(&root.join("figures"), ext));
    }
    files.sort();
    for f in files {
        h.write(f.strip_prefix(root).ok()?.to_string_lossy().as_bytes());
        h.write(&std::fs::read(&f).ok()?);
    }
    Some(h.finish())
}

/// Regenerates stale generated files under `root`, then builds the book into `out_dir`
/// (the `build-dir` of `book.toml` when `None`) and checks the HTML with [`crate::site`].
///
/// Finding stale files means computing every generated file, which takes most of a minute. When
/// neither this program nor any file under `figures/` has changed since the last build that did
/// so (see `fingerprint`), that step is skipped. The tests never take this shortcut: they
/// regenerate everything and compare.
///
/// # Errors
/// A message naming what failed: a figure, mdBook, or the problems found in the HTML.
pub fn build(root: &Path, out_dir: Option<&Path>) -> Result<Report, String> {
    let start = Instant::now();
    let before = fingerprint(root);
    let recorded = std::fs::read_to_string(stamp_path(root)).ok();
    let unchanged = before.is_some() && recorded == before.map(|f| f.to_string());
    let regenerated: Vec<PathBuf> = if unchanged {
        Vec::new()
    } else {
        let stale = artifacts::regenerate(root, &[], false)
            .map_err(|e| format!("regenerating the figures failed: {e}"))?
            .into_iter()
            .filter(|(_, s)| *s == Status::Stale)
            .map(|(p, _)| p)
            .collect();
        // Remember what a full regeneration left behind; a failure to write only costs time.
        if let Some(after) = fingerprint(root) {
            let stamp = stamp_path(root);
            let _ = std::fs::create_dir_all(stamp.parent().expect("a parent folder"));
            let _ = std::fs::write(stamp, after.to_string());
        }
        stale
    };
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
        unchanged,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_changes_with_any_generated_file() {
        let root = std::env::temp_dir().join(format!("vg-stamp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("figures/data")).unwrap();
        std::fs::write(root.join("figures/a.svg"), "<svg/>").unwrap();
        std::fs::write(root.join("figures/data/a.csv"), "x,y\n1,2\n").unwrap();
        let first = fingerprint(&root).unwrap();
        assert_eq!(fingerprint(&root), Some(first), "deterministic");
        std::fs::write(root.join("figures/data/a.csv"), "x,y\n1,3\n").unwrap();
        let edited = fingerprint(&root).unwrap();
        assert_ne!(edited, first, "an edited file");
        std::fs::write(root.join("figures/data/b.txt"), "").unwrap();
        assert_ne!(fingerprint(&root).unwrap(), edited, "a new file");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
