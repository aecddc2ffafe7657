//! The book's own commands, run as a reader runs them.

use std::process::{Command, Output};

fn run(exe: &str, args: &[&str]) -> Output {
    Command::new(exe).args(args).output().unwrap()
}

#[test]
fn bad_arguments_give_one_line_and_exit_code_2() {
    for exe in [
        env!("CARGO_BIN_EXE_vanishing-gradients"),
        env!("CARGO_BIN_EXE_mdbook-vg-katex"),
    ] {
        for args in [&["--no-such-option"][..], &["a", "b", "c"]] {
            let out = run(exe, args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{exe} {args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with("error: ") && !stderr.contains("panicked"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn help_exits_0() {
    for exe in [
        env!("CARGO_BIN_EXE_vanishing-gradients"),
        env!("CARGO_BIN_EXE_mdbook-vg-katex"),
    ] {
        let out = run(exe, &["--help"]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn the_preprocessor_answers_mdbooks_supports_question() {
    let out = run(env!("CARGO_BIN_EXE_mdbook-vg-katex"), &["supports", "html"]);
    assert!(out.status.success());
}

#[test]
fn the_preprocessor_rejects_input_that_is_not_mdbooks() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mdbook-vg-katex"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"not json").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: ") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
