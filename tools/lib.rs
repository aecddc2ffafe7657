//! The tooling of the book *Vanishing Gradients*: building it, and checking what readers see.
//!
//! - [`build`]: regenerate what is stale, then drive mdBook as a library with KaTeX registered
//!   in-process;
//! - [`site`]: checks of the built HTML (rendered math, links, anchors, images, no requests to
//!   other hosts);
//! - [`source`]: checks of the Markdown sources (includes, equation markers, quoted numbers,
//!   no inline Rust).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod build;
pub mod site;
pub mod source;

use std::path::{Path, PathBuf};

/// The repository root, as seen from this crate's manifest.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (recursively) whose name ends with `ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Sets up logging to standard error for mdBook's and KaTeX's messages: warnings and errors by
/// default, more with `RUST_LOG=info`.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::builder()
                .with_default_directive(tracing_subscriber::filter::LevelFilter::WARN.into())
                .from_env_lossy(),
        )
        .try_init();
}
