//! Checks of the built HTML book, as a reader's browser would meet it.
//!
//! Each function returns a list of problems, one line each, naming the page; an empty list
//! means the check passed. The tests of this module feed each check a page with the defect it
//! looks for, so a check that can never fail would be noticed.

use regex::Regex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static SCRIPT_OR_STYLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(script|style)\b[^>]*>.*?</(script|style)>").unwrap());
static PRE_OR_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(pre|code)\b[^>]*>.*?</(pre|code)>").unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
static TAG_WITH_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(a|link|script|img|iframe|source|video|audio|embed|object)\b[^>]*?\s(href|src|data)\s*=\s*["']([^"']*)["']"#)
        .unwrap()
});
static CSS_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"url\(([^)]*)\)").unwrap());
static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\s(?:id|name)\s*=\s*["']([^"']+)["']"#).unwrap());
static KATEX_ERROR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)class="katex-error"[^>]*?title="([^"]*)""#).unwrap());

/// Whether `url` points at another host (a scheme with `//`, or protocol-relative).
pub fn is_external(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("//")
        || u.starts_with("http:")
        || u.starts_with("https:")
        || u.starts_with("ftp:")
}

/// Runs every check on the book in `out_dir`.
pub fn check(out_dir: &Path) -> Vec<String> {
    let pages: HashMap<PathBuf, String> = crate::files_with_extension(out_dir, "html")
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect();
    let mut problems = Vec::new();
    if !out_dir.join("index.html").is_file() {
        problems.push(format!("{}: no index.html", out_dir.display()));
    }
    let mut names: Vec<&PathBuf> = pages.keys().collect();
    names.sort();
    for path in names {
        let html = &pages[path];
        let page = path
            .strip_prefix(out_dir)
            .unwrap_or(path)
            .display()
            .to_string();
        problems.extend(math_problems(&page, html));
        problems.extend(external_problems(&page, html));
        // mdBook's 404 page is served from the site root with a <base>; its links are not
        // relative to its file.
        if !page.ends_with("404.html") {
            problems.extend(link_problems(path, html, &pages));
        }
    }
    for css in crate::files_with_extension(out_dir, "css") {
        let text = std::fs::read_to_string(&css).unwrap_or_default();
        let page = css
            .strip_prefix(out_dir)
            .unwrap_or(&css)
            .display()
            .to_string();
        problems.extend(css_problems(&css, &page, &text));
    }
    problems
}

/// KaTeX errors, and math left unrendered: a `$` or an include directive in the visible text.
pub fn math_problems(page: &str, html: &str) -> Vec<String> {
    let mut problems: Vec<String> = KATEX_ERROR
        .captures_iter(html)
        .map(|c| format!("{page}: KaTeX error: {}", &c[1]))
        .collect();
    // With throw-on-error off, KaTeX draws an unknown command in its error colour instead.
    if html.contains("color:#cc0000") {
        problems.push(format!(
            "{page}: KaTeX drew an unknown command in its error colour"
        ));
    }
    let visible = SCRIPT_OR_STYLE.replace_all(html, " ");
    let visible = PRE_OR_CODE.replace_all(&visible, " ");
    let visible = TAG.replace_all(&visible, " ");
    for needle in ["$", "{{#"] {
        if let Some(i) = visible.find(needle) {
            let start = visible[..i]
                .char_indices()
                .rev()
                .nth(40)
                .map_or(0, |(j, _)| j);
            let end = visible[i..]
                .char_indices()
                .nth(40)
                .map_or(visible.len(), |(j, _)| i + j);
            let context = visible[start..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let what = if needle == "$" {
                "unrendered math"
            } else {
                "unexpanded directive"
            };
            problems.push(format!("{page}: {what} near \"{context}\""));
        }
    }
    problems
}

/// Resources (stylesheets, scripts, images, frames) fetched from another host. Links a reader
/// clicks (`<a href>`) may point anywhere.
pub fn external_problems(page: &str, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for c in TAG_WITH_URL.captures_iter(html) {
        let (tag, url) = (c[1].to_ascii_lowercase(), &c[3]);
        if tag != "a" && is_external(url) {
            problems.push(format!("{page}: <{tag}> loads {url} from another host"));
        }
    }
    // Inline styles can load fonts too.
    for c in CSS_URL.captures_iter(html) {
        if is_external(unquote(&c[1])) {
            problems.push(format!("{page}: url({}) loads from another host", &c[1]));
        }
    }
    problems
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'').trim()
}

fn split_url(url: &str) -> (&str, Option<&str>) {
    let url = url.split('?').next().unwrap_or(url);
    match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    }
}

fn resolve(base_file: &Path, rel: &str) -> PathBuf {
    let mut p = base_file.parent().unwrap_or(Path::new("")).to_path_buf();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                p.pop();
            }
            other => p.push(percent_decode(other)),
        }
    }
    if rel.ends_with('/') || p.is_dir() {
        p.push("index.html");
    }
    p
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(b))) = (bytes[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Internal links and images that do not resolve: a missing file, a missing `id` for a
/// `#fragment`, or an empty image.
pub fn link_problems(path: &Path, html: &str, pages: &HashMap<PathBuf, String>) -> Vec<String> {
    let page = path.display();
    let visible = SCRIPT_OR_STYLE.replace_all(html, " ");
    let mut problems = Vec::new();
    for c in TAG_WITH_URL.captures_iter(&visible) {
        let (tag, url) = (c[1].to_ascii_lowercase(), &c[3]);
        let lower = url.to_ascii_lowercase();
        if is_external(url) || lower.starts_with("mailto:") || lower.starts_with("javascript:") {
            continue;
        }
        let (file, fragment) = split_url(url);
        let target = if file.is_empty() {
            path.to_path_buf()
        } else {
            resolve(path, file)
        };
        let Ok(meta) = std::fs::metadata(&target) else {
            problems.push(format!(
                "{page}: <{tag}> {url}: {} does not exist",
                target.display()
            ));
            continue;
        };
        if tag == "img" && meta.len() == 0 {
            problems.push(format!("{page}: <img> {url} is empty"));
        }
        if let Some(frag) = fragment.filter(|f| !f.is_empty()) {
            let text = pages
                .get(&target)
                .cloned()
                .or_else(|| std::fs::read_to_string(&target).ok())
                .unwrap_or_default();
            let frag = percent_decode(frag);
            if !ID.captures_iter(&text).any(|i| i[1] == frag) {
                problems.push(format!(
                    "{page}: <{tag}> {url}: no id \"{frag}\" in the target"
                ));
            }
        }
    }
    problems
}

/// Stylesheet URLs (fonts, images) that load from another host or do not resolve.
pub fn css_problems(css_path: &Path, page: &str, css: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for c in CSS_URL.captures_iter(css) {
        let url = unquote(&c[1]);
        if url.starts_with("data:") || url.starts_with('#') {
            continue;
        }
        if is_external(url) {
            problems.push(format!("{page}: url({url}) loads from another host"));
            continue;
        }
        let (file, _) = split_url(url);
        if !resolve(css_path, file).is_file() {
            problems.push(format!("{page}: url({url}) does not resolve"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unrendered_math_and_katex_errors_but_not_code() {
        assert!(math_problems("p", "<p>fine</p><pre><code>$ cargo run</code></pre>").is_empty());
        assert_eq!(math_problems("p", "<p>the value $x^2$ is</p>").len(), 1);
        assert_eq!(math_problems("p", "<p>{{#include x.txt:key}}</p>").len(), 1);
        let err = r#"<span class="katex-error" title="ParseError: KaTeX parse error: Undefined control sequence: \foo">\foo</span>"#;
        assert!(math_problems("p", err)[0].contains("Undefined control sequence"));
        let red = r#"<span class="mord text" style="color:#cc0000;">\foo</span>"#;
        assert_eq!(math_problems("p", red).len(), 1);
    }

    #[test]
    fn finds_resources_from_other_hosts_but_allows_links() {
        let html = r#"<link rel="stylesheet" href="https://cdn.example/katex.css">
            <script src="//cdn.example/x.js"></script>
            <a href="https://doi.org/10.1/x">paper</a>
            <div style="background: url('https://x.example/a.png')"></div>"#;
        let p = external_problems("p", html);
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn finds_broken_links_anchors_and_images() {
        let dir = std::env::temp_dir().join(format!("vg-site-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("figures")).unwrap();
        let a = dir.join("a.html");
        let b = dir.join("b.html");
        std::fs::write(&b, r#"<h2 id="there">x</h2>"#).unwrap();
        std::fs::write(dir.join("figures/ok.svg"), "<svg/>").unwrap();
        std::fs::write(dir.join("figures/empty.svg"), "").unwrap();
        let html = r##"<a href="b.html#there">ok</a> <a href="b.html#nowhere">bad</a>
            <a href="missing.html">bad</a> <a href="#self">bad</a> <h1 id="top"></h1>
            <a href="#top">ok</a> <img src="figures/ok.svg"> <img src="figures/empty.svg">
            <img src="figures/none.svg">"##;
        std::fs::write(&a, html).unwrap();
        let pages: HashMap<PathBuf, String> = [
            (a.clone(), html.to_string()),
            (b.clone(), std::fs::read_to_string(&b).unwrap()),
        ]
        .into_iter()
        .collect();
        let p = link_problems(&a, html, &pages);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(p.len(), 5, "{p:#?}");
    }

    #[test]
    fn finds_font_urls_that_do_not_resolve() {
        let dir = std::env::temp_dir().join(format!("vg-css-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("fonts")).unwrap();
        std::fs::write(dir.join("fonts/a.woff2"), "x").unwrap();
        let css = dir.join("k.css");
        let text = r#"@font-face{src:url(fonts/a.woff2)} @font-face{src:url("fonts/b.woff2")}
            @font-face{src:url(https://cdn.example/c.woff2)} .x{background:url(data:image/png;base64,AA)}
            @font-face{src:url({{ resource "fonts/d.woff2" }})}"#;
        let p = css_problems(&css, "k.css", text);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(p.len(), 3, "{p:#?}");
    }
}
