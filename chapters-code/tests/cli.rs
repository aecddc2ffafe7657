//! The examples and the figures command, run as a reader runs them.

use chapters_code::artifacts::{self, OUTPUTS};
use std::path::PathBuf;
use std::process::{Command, Output};

/// An example's executable: `cargo test` builds every example into `target/<profile>/examples`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds the examples",
        path.display()
    );
    path
}

fn run(cmd: PathBuf, args: &[&str]) -> Output {
    Command::new(&cmd)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cmd.display()))
}

fn programs() -> Vec<PathBuf> {
    let mut p: Vec<PathBuf> = [
        "ch01_vanishing",
        "ch02_sigmoid",
        "ch03_tanh",
        "ch04_relu",
        "checks",
    ]
    .iter()
    .map(|n| example(n))
    .collect();
    p.push(PathBuf::from(env!("CARGO_BIN_EXE_figures")));
    p
}

#[test]
fn every_saved_output_matches_a_fresh_run_of_its_example() {
    for o in OUTPUTS {
        let out = run(example(o.example), o.args);
        assert!(out.status.success(), "{}: {:?}", o.name, out);
        let saved = std::fs::read_to_string(
            artifacts::default_root().join(format!("figures/output/{}.txt", o.name)),
        )
        .unwrap();
        let (command, body) = saved.split_once('\n').unwrap();
        assert_eq!(
            command,
            o.command(),
            "{}: first line is the command",
            o.name
        );
        assert_eq!(
            body,
            String::from_utf8(out.stdout).unwrap(),
            "{}: saved output differs from a fresh run; run the figures command",
            o.name
        );
    }
}

#[test]
fn bad_arguments_give_one_line_and_exit_code_2() {
    let bad: &[&[&str]] = &[&["--no-such-option"], &["--help=x"], &["-q"]];
    for p in programs() {
        for args in bad {
            let out = run(p.clone(), args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{} {args:?}: {stderr}",
                p.display()
            );
            assert_eq!(
                stderr.lines().count(),
                1,
                "{} {args:?}: {stderr}",
                p.display()
            );
            assert!(stderr.starts_with("error: "), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(out.stdout.is_empty());
        }
    }
    for args in [
        &["--depth", "zero"][..],
        &["--depth", "0"],
        &["--depth", "100000"],
        &["--weight", "inf"],
        &["--seed", "-1"],
        &["stray"],
    ] {
        let out = run(example("ch01_vanishing"), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
    let out = run(example("ch02_sigmoid"), &["1", "two"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        PathBuf::from(env!("CARGO_BIN_EXE_figures")),
        &["--check", "no-such-figure"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_lists_the_options_and_exits_0() {
    for p in programs() {
        let out = run(p.clone(), &["--help"]);
        assert!(out.status.success(), "{}", p.display());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage:") && text.contains("--help"), "{text}");
    }
}

#[test]
fn nan_in_gives_nan_out_in_the_sigmoid_example() {
    let out = run(example("ch02_sigmoid"), &["nan", "-inf", "inf"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let nan_row = text.lines().nth(1).unwrap();
    assert_eq!(nan_row.matches("NaN").count(), 6, "{nan_row}");
}

#[test]
fn the_figures_command_finds_and_repairs_a_stale_file() {
    let root = std::env::temp_dir().join(format!("vg-figures-{}", std::process::id()));
    let figures = PathBuf::from(env!("CARGO_BIN_EXE_figures"));
    let root_arg = root.to_str().unwrap();
    let out = run(figures.clone(), &["--root", root_arg, "ch02-sigmoid"]);
    assert!(out.status.success(), "{out:?}");
    let svg = root.join("figures/ch02-sigmoid.svg");
    let fresh = std::fs::read(&svg).unwrap();
    assert!(
        run(
            figures.clone(),
            &["--root", root_arg, "--check", "ch02-sigmoid"]
        )
        .status
        .success()
    );
    std::fs::write(&svg, b"<svg/>").unwrap();
    let out = run(
        figures.clone(),
        &["--root", root_arg, "--check", "ch02-sigmoid"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ch02-sigmoid.svg"));
    assert!(
        run(figures, &["--root", root_arg, "ch02-sigmoid"])
            .status
            .success()
    );
    assert_eq!(std::fs::read(&svg).unwrap(), fresh);
    std::fs::remove_dir_all(&root).unwrap();
}
