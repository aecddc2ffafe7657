//! How long the book takes to build: `cargo bench --bench build_time`.
//!
//! - *regenerate figures*: every figure, data file, quoted number and saved output computed and
//!   written into an empty folder;
//! - *cold build*: the README's build command on a copy of the book with no generated files and
//!   no HTML, so everything is regenerated and rendered;
//! - *warm build*: the same command again, with nothing stale.
//!
//! Each is run several times, each time in a fresh process (the experiments cache their results
//! for the life of a process); we report the median and the range. The machine is noisy:
//! compare numbers from one run, not across runs. A warm build still computes every generated
//! file in memory to find what is stale, so it costs about as much as the regeneration.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vanishing_gradients::{build, repo_root};

const RUNS: usize = 3;

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

/// One step, run in a process of its own (the experiments cache their results for the
/// life of a process, so repetitions in one process would measure the cache).
fn child(step: &str, root: &Path) {
    match step {
        "regenerate" => {
            chapters_code::artifacts::regenerate(root, &[], false).unwrap();
        }
        "build" => {
            let report = build::build(root, Some(&root.join("book"))).unwrap();
            if std::env::var_os("VG_EXPECT_WARM").is_some() {
                assert!(
                    report.regenerated.is_empty(),
                    "a warm build regenerated files"
                );
            }
        }
        other => panic!("unknown step {other}"),
    }
}

fn timed(step: &str, root: &Path, warm: bool) -> Duration {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--child", step]).arg(root);
    if warm {
        cmd.env("VG_EXPECT_WARM", "1");
    }
    let t = Instant::now();
    let status = cmd.status().unwrap();
    let elapsed = t.elapsed();
    assert!(status.success(), "{step} failed");
    elapsed
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    // `cargo bench` passes --bench; other arguments are ignored.
    let base = std::env::temp_dir().join(format!("vg-bench-{}", std::process::id()));
    let (mut regen, mut cold, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let root = fresh_copy(&base);
        regen.push(timed("regenerate", &root, false));
        let root = fresh_copy(&base);
        cold.push(timed("build", &root, false));
        warm.push(timed("build", &root, true));
    }
    std::fs::remove_dir_all(&base).unwrap();
    println!(
        "Book build times (release, this machine, one run of {RUNS} repetitions, each in a fresh process)"
    );
    summarize("regenerate figures", regen);
    summarize("cold build", cold);
    summarize("warm build", warm);
}
