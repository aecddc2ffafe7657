//! Checks of the book's Markdown sources.
//!
//! - every include directive names a file that exists and, where it names an anchor, an anchor
//!   that exists;
//! - no Rust is typed inline: a `rust` code block holds only include directives;
//! - every displayed equation is followed by `<!-- check: NAME -->` naming a check of
//!   `chapters_code::checks`, or by `<!-- definition -->`;
//! - no result is typed by hand: a decimal number in the text must come from an include of a
//!   generated file, not from the author's keyboard;
//! - every chapter file is listed in `SUMMARY.md`.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{#(include|rustdoc_include|playground)\s+([^\s}:]+)(?::([^\s}]+))?\s*\}\}")
        .unwrap()
});
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^<!--\s*(?:check:\s*([A-Za-z0-9_]+)|(definition))\s*-->$").unwrap()
});
static DECIMAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.])(\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?:[^\w.]|$)").unwrap()
});
static INLINE_CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`[^`]*`").unwrap());
static COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->").unwrap());
static LINK_TARGET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\]\([^)]*\)").unwrap());
/// Identifiers of papers, which look like decimals but are names: `doi:…` and `arXiv:…`.
static DOI: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:doi|arXiv):\S+").unwrap());

/// A Markdown file of the book, with its lines.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The path, for messages.
    pub path: PathBuf,
    /// The text.
    pub text: String,
}

/// Every Markdown file under `src_dir`.
pub fn chapters(src_dir: &Path) -> Vec<Chapter> {
    crate::files_with_extension(src_dir, "md")
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "figures"))
        .map(|p| Chapter {
            text: std::fs::read_to_string(&p).unwrap_or_default(),
            path: p,
        })
        .collect()
}

/// A line outside fenced code blocks, or inside one (with the block's info string).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line<'a> {
    Prose(&'a str),
    Code { info: &'a str, text: &'a str },
    Fence,
}

fn classify(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut open: Option<(&str, &str)> = None; // (fence, info)
    for line in text.lines() {
        let t = line.trim_start();
        let fence = if t.starts_with("```") {
            Some("```")
        } else if t.starts_with("~~~") {
            Some("~~~")
        } else {
            None
        };
        match (open, fence) {
            (None, Some(f)) => {
                open = Some((f, t.trim_start_matches(f).trim()));
                out.push(Line::Fence);
            }
            (Some((f, _)), Some(g)) if f == g && t.trim_start_matches(g).trim().is_empty() => {
                open = None;
                out.push(Line::Fence);
            }
            (Some((_, info)), _) => out.push(Line::Code { info, text: line }),
            (None, None) => out.push(Line::Prose(line)),
        }
    }
    out
}

/// Include directives whose file or anchor does not exist.
pub fn include_problems(ch: &Chapter) -> Vec<String> {
    let dir = ch.path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    for c in INCLUDE.captures_iter(&ch.text) {
        let target = dir.join(&c[2]);
        let Ok(content) = std::fs::read_to_string(&target) else {
            problems.push(format!("{}: {} does not exist", ch.path.display(), &c[2]));
            continue;
        };
        if let Some(anchor) = c.get(3).map(|m| m.as_str()) {
            // `file:10` and `file:2:5` select lines; anything else is an anchor name.
            if anchor
                .split(':')
                .all(|p| p.is_empty() || p.parse::<usize>().is_ok())
            {
                continue;
            }
            let has = |prefix: &str| {
                content.lines().any(|l| {
                    l.split_once(prefix)
                        .is_some_and(|(_, rest)| rest.trim() == anchor)
                })
            };
            if !has("ANCHOR:") || !has("ANCHOR_END:") {
                problems.push(format!(
                    "{}: no anchor {anchor} in {}",
                    ch.path.display(),
                    &c[2]
                ));
            }
        }
    }
    problems
}

/// `rust` code blocks with anything but include directives in them.
pub fn inline_rust_problems(ch: &Chapter) -> Vec<String> {
    classify(&ch.text)
        .into_iter()
        .enumerate()
        .filter_map(|(i, l)| match l {
            Line::Code { info, text }
                if info
                    .split(',')
                    .next()
                    .is_some_and(|lang| lang.trim() == "rust")
                    && !text.trim().is_empty()
                    && !INCLUDE.is_match(text.trim()) =>
            {
                Some(format!(
                    "{}:{}: Rust typed inline; include it from chapters-code by anchor",
                    ch.path.display(),
                    i + 1
                ))
            }
            _ => None,
        })
        .collect()
}

/// A displayed equation and the marker after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Equation {
    /// The line of the opening `$$` (from 1).
    pub line: usize,
    /// The TeX between the delimiters.
    pub tex: String,
    /// `Some(name)` for `<!-- check: name -->`, `None` for `<!-- definition -->`.
    pub check: Option<String>,
}

/// Every displayed equation of a chapter with its marker, or problems where one is missing.
pub fn equations(ch: &Chapter) -> (Vec<Equation>, Vec<String>) {
    let lines = classify(&ch.text);
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Line::Prose(l) = lines[i] else {
            i += 1;
            continue;
        };
        let t = l.trim();
        if !t.starts_with("$$") {
            if t.contains("$$") {
                problems.push(format!(
                    "{}:{}: put a displayed equation's $$ at the start of a line of its own",
                    ch.path.display(),
                    i + 1
                ));
            }
            i += 1;
            continue;
        }
        let start = i;
        let mut tex = String::new();
        // `$$ ... $$` on one line, or an opening `$$` line through a closing `$$` line.
        let body = t.trim_start_matches("$$");
        if body.trim_end().ends_with("$$") && !body.trim().is_empty() {
            tex.push_str(body.trim_end().trim_end_matches("$$"));
        } else {
            tex.push_str(body);
            i += 1;
            loop {
                match lines.get(i) {
                    Some(Line::Prose(l)) if l.trim_end().ends_with("$$") => {
                        tex.push('\n');
                        tex.push_str(l.trim_end().trim_end_matches("$$"));
                        break;
                    }
                    Some(Line::Prose(l)) => {
                        tex.push('\n');
                        tex.push_str(l);
                        i += 1;
                    }
                    _ => {
                        problems.push(format!(
                            "{}:{}: $$ is never closed",
                            ch.path.display(),
                            start + 1
                        ));
                        return (found, problems);
                    }
                }
            }
        }
        i += 1;
        // The marker is the next non-blank line.
        while matches!(lines.get(i), Some(Line::Prose(l)) if l.trim().is_empty()) {
            i += 1;
        }
        let marker = match lines.get(i) {
            Some(Line::Prose(l)) => MARKER.captures(l.trim()),
            _ => None,
        };
        match marker {
            Some(c) => found.push(Equation {
                line: start + 1,
                tex: tex.trim().to_string(),
                check: c.get(1).map(|m| m.as_str().to_string()),
            }),
            None => problems.push(format!(
                "{}:{}: displayed equation without <!-- check: NAME --> or <!-- definition -->",
                ch.path.display(),
                start + 1
            )),
        }
    }
    (found, problems)
}

/// Decimal numbers typed into the text (outside code, include directives, comments and link
/// targets). A number the book quotes must be included from a file the code wrote.
pub fn typed_number_problems(ch: &Chapter) -> Vec<String> {
    let without_comments = COMMENT.replace_all(&ch.text, |c: &regex::Captures<'_>| {
        // Keep the line count so messages point at the right line.
        "\n".repeat(c[0].matches('\n').count())
    });
    let mut problems = Vec::new();
    for (i, l) in classify(&without_comments).into_iter().enumerate() {
        let Line::Prose(text) = l else { continue };
        let text = INCLUDE.replace_all(text, " ");
        let text = INLINE_CODE.replace_all(&text, " ");
        let text = LINK_TARGET.replace_all(&text, "]");
        let text = DOI.replace_all(&text, " ");
        if let Some(c) = DECIMAL.captures(&text) {
            problems.push(format!(
                "{}:{}: the number {} is typed by hand; include it from figures/data/numbers.txt",
                ch.path.display(),
                i + 1,
                &c[1]
            ));
        }
    }
    problems
}

static NAMED_TEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:test|check)\s+`([a-z][a-z0-9_]+)`").unwrap());

/// Tests and checks that the text names (``the test `name` ``, ``the check `name` ``) but that
/// do not exist as a function in `code`, the concatenated sources of `chapters-code`.
pub fn named_test_problems(ch: &Chapter, code: &str) -> Vec<String> {
    let joined = ch.text.split_whitespace().collect::<Vec<_>>().join(" ");
    NAMED_TEST
        .captures_iter(&joined)
        .filter(|c| !code.contains(&format!("fn {}(", &c[1])))
        .map(|c| {
            format!(
                "{}: names `{}`, which does not exist",
                ch.path.display(),
                &c[1]
            )
        })
        .collect()
}

/// Markdown files under `src_dir` that `SUMMARY.md` does not link to.
pub fn summary_problems(src_dir: &Path) -> Vec<String> {
    let summary = std::fs::read_to_string(src_dir.join("SUMMARY.md")).unwrap_or_default();
    chapters(src_dir)
        .into_iter()
        .filter_map(|ch| {
            let rel = ch
                .path
                .strip_prefix(src_dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (rel != "SUMMARY.md" && !summary.contains(&format!("]({rel})")))
                .then(|| format!("{rel} is not listed in SUMMARY.md"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(text: &str) -> Chapter {
        Chapter {
            path: PathBuf::from("src/test.md"),
            text: text.to_string(),
        }
    }

    #[test]
    fn equations_need_a_marker() {
        let (eqs, problems) = equations(&ch(
            "$$a = b$$\n\n<!-- check: ab -->\n\n$$\nc\n= d\n$$\n<!-- definition -->\n\n$$e$$\ntext\n",
        ));
        assert_eq!(eqs.len(), 2);
        assert_eq!(eqs[0].check.as_deref(), Some("ab"));
        assert_eq!(eqs[1].check, None);
        assert_eq!(eqs[1].tex, "c\n= d");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains(":11:"));
    }

    #[test]
    fn dollars_in_code_blocks_are_not_equations() {
        let (eqs, problems) = equations(&ch("```text\n$$ not math\n```\n"));
        assert!(eqs.is_empty() && problems.is_empty());
        let (_, problems) = equations(&ch("Text with $$a = b$$ inside.\n"));
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn inline_rust_is_found_but_includes_are_fine() {
        let good = ch("```rust\n{{#include ../chapters-code/src/a.rs:x}}\n```\n");
        assert!(inline_rust_problems(&good).is_empty());
        let bad = ch("```rust,ignore\nfn main() {}\n```\n");
        assert_eq!(inline_rust_problems(&bad).len(), 1);
        let text = ch("```text\nfn main() {}\n```\n");
        assert!(inline_rust_problems(&text).is_empty());
    }

    #[test]
    fn typed_numbers_are_found_where_they_matter() {
        assert_eq!(
            typed_number_problems(&ch("The slope is 0.25 here.")).len(),
            1
        );
        assert_eq!(typed_number_problems(&ch("about 4e-18 at x")).len(), 1);
        assert_eq!(typed_number_problems(&ch("in $0.25$")).len(), 1);
        for fine in [
            "Chapter 2 in 1997 with 10 layers.",
            "`--weight 0.5` and {{#include ../figures/data/numbers.txt:k}}",
            "<!-- 0.25 -->",
            "[paper](https://doi.org/10.1162/neco.1997.9.8.1735)",
            "```text\n0.25\n```",
            "version 0.16.4 of KaTeX", // not a number: three parts
            "[doi:10.1038/323533a0](https://doi.org/10.1038/323533a0)",
            "[arXiv:1502.03167](https://arxiv.org/abs/1502.03167)",
        ] {
            assert!(typed_number_problems(&ch(fine)).is_empty(), "{fine}");
        }
    }

    #[test]
    fn named_tests_must_exist() {
        let code = "fn real_test() {}";
        let c = ch("The test `real_test` and the check\n`made_up` and `plain_code`.");
        let p = named_test_problems(&c, code);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("made_up"));
    }

    #[test]
    fn includes_must_resolve() {
        let dir = std::env::temp_dir().join(format!("vg-src-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.rs"),
            "// ANCHOR: here\nx\n// ANCHOR_END: here\n",
        )
        .unwrap();
        let c = Chapter {
            path: dir.join("c.md"),
            text: "{{#include a.rs:here}} {{#include a.rs:gone}} {{#include b.rs}} {{#include a.rs:2}}"
                .into(),
        };
        let p = include_problems(&c);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
