//! How long the book takes to build: `cargo bench --bench build_time`.
//!
//! - *regenerate figures*: every figure, data file, quoted number and saved output computed and
//!   written into an empty folder;
//! - *cold build*: the README's build command on a copy of the book with no generated files and
//!   no HTML, so everything is regenerated and rendered;
//! - *warm build*: the same command again, with nothing stale.
//!
//! Each is run several times; we report the median and the range. The machine is noisy: compare
//! numbers from one run, not across runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vanishing_gradients::{build, repo_root};

const RUNS: usize = 7;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let meta = std::fs::symlink_metadata(&src).unwrap();
        if meta.file_type().is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if meta.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A copy of the book's sources without any generated file.
fn fresh_copy(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("figures")).unwrap();
    std::fs::copy(repo_root().join("book.toml"), dir.join("book.toml")).unwrap();
    copy_dir(&repo_root().join("src"), &dir.join("src"));
    copy_dir(&repo_root().join("theme"), &dir.join("theme"));
    dir.to_path_buf()
}

fn summarize(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<22} median {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms   ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing useful: ignore args.
    let base = std::env::temp_dir().join(format!("vg-bench-{}", std::process::id()));
    let (mut regen, mut cold, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let root = fresh_copy(&base);
        let t = Instant::now();
        chapters_code::artifacts::regenerate(&root, &[], false).unwrap();
        regen.push(t.elapsed());

        let root = fresh_copy(&base);
        let out = root.join("book");
        let t = Instant::now();
        build::build(&root, Some(&out)).unwrap();
        cold.push(t.elapsed());

        let t = Instant::now();
        let report = build::build(&root, Some(&out)).unwrap();
        warm.push(t.elapsed());
        assert!(
            report.regenerated.is_empty(),
            "a warm build regenerated files"
        );
    }
    std::fs::remove_dir_all(&base).unwrap();
    println!("Book build times (release, this machine, one run of {RUNS} repetitions)");
    summarize("regenerate figures", regen);
    summarize("cold build", cold);
    summarize("warm build", warm);
}
