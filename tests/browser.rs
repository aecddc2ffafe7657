//! The reader's view: the built book in a real browser.
//!
//! We drive Debian's Chromium, headless, through the DevTools protocol with the
//! `headless_chrome` crate: it is synchronous (no async runtime in a test), talks to the browser
//! directly without a separate WebDriver binary, and gives us the protocol's events, which we
//! need to see every request a page makes and every console message.
//!
//! Every page of `SUMMARY.md` and `print.html` is opened twice, over a loopback HTTP server and
//! as `file://`. The checks read the page's state (fonts, images, anchors, requests), never its
//! pixels; screenshots are saved for people to look at.
//!
//! Without Chromium the tests say so in one line and pass; under `CI=true` a missing browser
//! is a failure.

use headless_chrome::browser::tab::Tab;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Network, Page};
use headless_chrome::{Browser, LaunchOptions};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use vanishing_gradients::{build, repo_root};

/// Chromium's executable: `$CHROMIUM`, or the first of the usual names on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A fresh headless browser, or `None` (after one line of explanation) when there is none and
/// we are not in CI.
fn browser() -> Option<Browser> {
    let Some(path) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but no Chromium was found: .ci/run installs Debian's chromium");
        }
        eprintln!("browser tests skipped: no chromium on PATH (apt-get install chromium)");
        return None;
    };
    let profile = tempdir("chromium-profile");
    let args: Vec<&OsStr> = [
        "--disable-quic",
        "--disable-component-update",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-sync",
        "--disable-gpu",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        user_data_dir: Some(profile),
        window_size: Some((1280, 900)),
        idle_browser_timeout: Duration::from_secs(120),
        args,
        ..LaunchOptions::default()
    };
    Some(Browser::new(options).expect("Chromium starts"))
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The book, built once for these tests.
static BOOK: LazyLock<PathBuf> = LazyLock::new(|| {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-browser");
    let _ = std::fs::remove_dir_all(&out);
    build::render(&repo_root(), Some(&out)).expect("the book builds")
});

/// A static file server on loopback for the built book; returns its base URL.
static SERVER: LazyLock<String> = LazyLock::new(|| {
    let root = BOOK.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || serve(stream, &root));
        }
    });
    format!("http://127.0.0.1:{port}/")
});

fn serve(mut stream: std::net::TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // Read (and ignore) the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.join(percent_decode(path.trim_start_matches('/')));
    if file.is_dir() {
        file.push("index.html");
    }
    let inside = file
        .canonicalize()
        .is_ok_and(|f| f.starts_with(root.canonicalize().unwrap()));
    let (status, body) = match std::fs::read(&file) {
        Ok(b) if inside => ("200 OK", b),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(v))) = (b[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pages to check: every chapter `SUMMARY.md` links to, and the print page.
fn pages() -> Vec<String> {
    let summary = std::fs::read_to_string(repo_root().join("src/SUMMARY.md")).unwrap();
    let mut pages: Vec<String> = summary
        .split("](")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .map(|md| md.replace(".md", ".html"))
        .collect();
    pages.push("print.html".into());
    pages
}

/// What the page's own scripts and resources did while it loaded.
#[derive(Default)]
struct Recorded {
    requests: Vec<String>,
    errors: Vec<String>,
}

fn record(tab: &Tab) -> Arc<Mutex<Recorded>> {
    let rec = Arc::new(Mutex::new(Recorded::default()));
    let sink = rec.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let mut r = sink.lock().unwrap();
        match event {
            Event::NetworkRequestWillBeSent(e) => r.requests.push(e.params.request.url.clone()),
            Event::RuntimeExceptionThrown(e) => r
                .errors
                .push(format!("exception: {}", e.params.exception_details.text)),
            Event::RuntimeConsoleAPICalled(e) => {
                let kind = format!("{:?}", e.params.Type).to_lowercase();
                if kind == "error" || kind == "assert" {
                    let args: Vec<String> = e
                        .params
                        .args
                        .iter()
                        .map(|a| {
                            a.value
                                .as_ref()
                                .map_or_else(|| format!("{:?}", a.description), |v| v.to_string())
                        })
                        .collect();
                    r.errors.push(format!("console.{kind}: {}", args.join(" ")));
                }
            }
            Event::LogEntryAdded(e)
                if format!("{:?}", e.params.entry.level).to_lowercase() == "error" =>
            {
                r.errors.push(format!(
                    "log: {} {}",
                    e.params.entry.text,
                    e.params.entry.url.clone().unwrap_or_default()
                ));
            }
            _ => {}
        }
    }))
    .unwrap();
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .unwrap();
    tab.enable_runtime().unwrap();
    tab.enable_log().unwrap();
    rec
}

/// The checks that run inside the page; returns JSON with the problems found and the links
/// to other pages, which the test resolves itself.
const PAGE_CHECKS: &str = r##"(async () => {
  await document.fonts.ready;
  const problems = [];
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) problems.push('image not loaded: ' + img.getAttribute('src'));
  }
  for (const img of document.querySelectorAll('main img')) {
    if (img.offsetParent === null) continue; // the hidden copy of mdBook's zoomable image
    const r = img.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) problems.push('image with zero size: ' + img.getAttribute('src'));
  }
  const math = document.querySelectorAll('.katex');
  const faces = [...document.fonts].filter(f => f.family.replace(/"/g, '').startsWith('KaTeX'));
  for (const f of faces) {
    if (f.status === 'error') problems.push('font failed to load: ' + f.family + ' ' + f.style + ' ' + f.weight);
  }
  if (math.length > 0) {
    for (const family of ['KaTeX_Main', 'KaTeX_Math']) {
      const loaded = faces.some(f => f.family.replace(/"/g, '') === family && f.status === 'loaded');
      if (!loaded) problems.push(family + ' is not loaded: formulas fall back to another font');
    }
    for (const el of math) {
      const family = getComputedStyle(el).fontFamily;
      if (!family.includes('KaTeX')) { problems.push('formula not set in KaTeX fonts: ' + family); break; }
    }
  }
  const main = document.querySelector('main');
  if (main) {
    const clone = main.cloneNode(true);
    clone.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
    const text = clone.textContent;
    const m = text.match(/.{0,30}(\$|\\(frac|sigma|mathcal|begin|left|right)\b).{0,30}/s);
    if (m) problems.push('raw TeX on screen: ' + m[0].replace(/\s+/g, ' '));
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (id && !document.getElementById(id) && document.getElementsByName(id).length === 0) {
      problems.push('in-page link to a missing anchor: #' + id);
    }
  }
  const links = [...document.querySelectorAll('a[href]')].map(a => a.href)
    .filter(h => h.startsWith('file:') || h.startsWith(location.origin + '/'));
  return JSON.stringify({ problems, links, math: math.length });
})()"##;

fn evaluate_json(tab: &Tab, js: &str) -> serde_json::Value {
    let result = tab.evaluate(js, true).expect("the page script runs");
    let text = result.value.expect("the page script returns a value");
    serde_json::from_str(text.as_str().expect("a JSON string")).unwrap()
}

/// The file a same-site URL points at, and its fragment.
fn url_to_file(url: &str, base: &str) -> (PathBuf, Option<String>) {
    let (path, frag) = match url.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap();
    let file = if let Some(rest) = path.strip_prefix(base) {
        BOOK.join(percent_decode(rest))
    } else {
        PathBuf::from(percent_decode(path.trim_start_matches("file://")))
    };
    let file = if file.is_dir() {
        file.join("index.html")
    } else {
        file
    };
    (file, frag)
}

fn is_local(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("file:") || lower.starts_with("data:") || lower.starts_with("blob:") {
        return true;
    }
    lower.starts_with("http://127.0.0.1:") || lower.starts_with("http://localhost:")
}

/// The problems of one page, and how many formulas it has.
/// Navigates `tab` to `url` and waits until its document has loaded (the `load` event).
///
/// `Tab::wait_until_navigated` waits for Chromium's "network almost idle", which comes at least
/// half a second after the last request; the checks need only the loaded document (they wait
/// for the fonts themselves, and for late requests below).
fn load(tab: &Tab, url: &str) -> Result<(), String> {
    tab.navigate_to(url).map_err(|e| e.to_string())?;
    let check = format!(
        "document.readyState === 'complete' && document.URL === {}",
        serde_json::to_string(url).unwrap()
    );
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let done = tab
            .evaluate(&check, false)
            .ok()
            .and_then(|r| r.value)
            .is_some_and(|v| v == serde_json::Value::Bool(true));
        if done {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("{url} did not finish loading within 20 s"))
}

/// Loads `url` in `tab`, whose events `rec` records (cleared here first), and checks it.
fn check_page(tab: &Tab, rec: &Mutex<Recorded>, url: &str, base: &str) -> (Vec<String>, u64) {
    *rec.lock().unwrap() = Recorded::default();
    let mut problems = Vec::new();
    if let Err(e) = load(tab, url) {
        return (vec![format!("{url}: does not load: {e}")], 0);
    }
    let report = evaluate_json(tab, PAGE_CHECKS);
    let math = report["math"].as_u64().unwrap_or(0);
    for p in report["problems"].as_array().unwrap() {
        problems.push(format!("{url}: {}", p.as_str().unwrap()));
    }
    for link in report["links"].as_array().unwrap() {
        let link = link.as_str().unwrap();
        let (file, frag) = url_to_file(link, base);
        match anchors_of(&file) {
            None if file.is_file() => {}
            None => problems.push(format!("{url}: link to {link}: no such file")),
            Some(ids) => {
                if let Some(f) = frag.filter(|f| !f.is_empty())
                    && !ids.contains(&f)
                {
                    problems.push(format!("{url}: link to {link}: no such anchor"));
                }
            }
        }
    }
    // Let late requests (fonts, the search index) arrive before reading the record.
    std::thread::sleep(Duration::from_millis(200));
    let r = rec.lock().unwrap();
    for req in &r.requests {
        if !is_local(req) {
            problems.push(format!("{url}: request to another host: {req}"));
        }
    }
    for e in &r.errors {
        problems.push(format!("{url}: {e}"));
    }
    (problems, math)
}

/// The ids and names in an HTML file (`None` when it cannot be read as text), read once per
/// file: print.html links to every anchor of the book.
fn anchors_of(file: &Path) -> Option<Arc<BTreeSet<String>>> {
    static CACHE: LazyLock<Mutex<std::collections::HashMap<PathBuf, Arc<BTreeSet<String>>>>> =
        LazyLock::new(Default::default);
    if let Some(ids) = CACHE.lock().unwrap().get(file) {
        return Some(ids.clone());
    }
    let html = std::fs::read_to_string(file).ok()?;
    let ids: Arc<BTreeSet<String>> = Arc::new(
        regex_ids()
            .captures_iter(&html)
            .map(|c| c[1].to_string())
            .collect(),
    );
    CACHE
        .lock()
        .unwrap()
        .insert(file.to_path_buf(), ids.clone());
    Some(ids)
}

fn regex_ids() -> regex::Regex {
    regex::Regex::new(r#"\s(?:id|name)\s*=\s*["']([^"']+)["']"#).unwrap()
}

fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_page_renders_cleanly_over_http_and_as_a_file() {
    let Some(browser) = browser() else { return };
    let base = SERVER.clone();
    let mut problems = Vec::new();
    let mut math = 0;
    // One tab for every page: its recorder is cleared before each page loads.
    let tab = browser.new_tab().unwrap();
    let rec = record(&tab);
    for page in pages() {
        for url in [
            format!("{base}{page}"),
            format!("file://{}", BOOK.join(&page).display()),
        ] {
            let (found, formulas) = check_page(&tab, &rec, &url, &base);
            problems.extend(found);
            math += formulas;
        }
    }
    tab.close(false).unwrap();
    assert!(
        math > 50,
        "only {math} formulas found: is KaTeX output still recognized?"
    );
    assert_none(problems);
}

/// The pages whose Markdown mentions `term` (case-insensitively), with every whole-file
/// include (such as the generated list of references) expanded: where search must lead.
fn pages_mentioning(term: &str) -> BTreeSet<String> {
    let include = regex::Regex::new(r"\{\{#include ([^:}]+)\}\}").unwrap();
    let src = repo_root().join("src");
    vanishing_gradients::source::chapters(&src)
        .into_iter()
        .filter(|c| !c.path.ends_with("SUMMARY.md"))
        .filter(|c| {
            let mut text = c.text.clone();
            for m in include.captures_iter(&c.text) {
                text.push_str(&std::fs::read_to_string(src.join(&m[1])).unwrap_or_default());
            }
            text.to_lowercase().contains(&term.to_lowercase())
        })
        .map(|c| c.path.file_stem().unwrap().to_string_lossy().to_string() + ".html")
        .collect()
}

#[test]
fn search_leads_to_the_chapters_that_mention_the_term() {
    let Some(browser) = browser() else { return };
    let base = SERVER.clone();
    for term in ["sigmoid", "LSTM"] {
        let tab = browser.new_tab().unwrap();
        load(&tab, &format!("{base}index.html")).unwrap();
        tab.wait_for_element("#mdbook-search-toggle")
            .unwrap()
            .click()
            .unwrap();
        tab.wait_for_element("#mdbook-searchbar")
            .unwrap()
            .type_into(term)
            .unwrap();
        let expected = pages_mentioning(term);
        assert!(
            !expected.is_empty(),
            "no page mentions {term}: the test would prove nothing"
        );
        tab.wait_for_element("#mdbook-searchresults a").unwrap();
        let found = evaluate_json(
            &tab,
            "JSON.stringify([...document.querySelectorAll('#mdbook-searchresults a')].map(a => a.getAttribute('href')))",
        );
        let found: BTreeSet<String> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                h.as_str()
                    .unwrap()
                    .split(['#', '?'])
                    .next()
                    .unwrap()
                    .to_string()
            })
            .filter(|h| h != "print.html")
            .collect();
        assert_eq!(found, expected, "search for {term:?}");
        tab.close(false).unwrap();
    }
}

#[test]
fn screenshots_of_every_chapter_at_desktop_and_phone_width() {
    let Some(browser) = browser() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = SERVER.clone();
    for (label, width, height, mobile) in [("desktop", 1280, 900, false), ("phone", 390, 844, true)]
    {
        let tab = browser.new_tab().unwrap();
        tab.call_method(Emulation::SetDeviceMetricsOverride {
            width,
            height,
            device_scale_factor: 1.0,
            mobile,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        })
        .unwrap();
        for page in pages().iter().filter(|p| *p != "print.html") {
            load(&tab, &format!("{base}{page}")).unwrap();
            tab.evaluate("document.fonts.ready.then(() => true)", true)
                .unwrap();
            // The picture is for people: let the fonts arrive first.
            tab.evaluate("document.fonts.ready.then(() => true)", true)
                .unwrap();
            let png = tab
                .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
                .unwrap();
            assert!(png.len() > 1000, "{page} {label}: an empty screenshot");
            std::fs::write(
                dir.join(format!("{}-{label}.png", page.trim_end_matches(".html"))),
                png,
            )
            .unwrap();
        }
        tab.close(false).unwrap();
    }
    println!("screenshots: {}", dir.display());
    eprintln!("screenshots: {}", dir.display());
}

/// The mdBook themes: the light ones and the dark ones.
const THEMES: [&str; 5] = ["light", "rust", "coal", "navy", "ayu"];

#[test]
fn figures_stay_on_white_in_every_theme() {
    let Some(browser) = browser() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("themes");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = SERVER.clone();
    let tab = browser.new_tab().unwrap();
    let page = "ch06-recurrent.html";
    let mut problems = Vec::new();
    load(&tab, &format!("{base}{page}")).unwrap();
    tab.evaluate("document.fonts.ready.then(() => true)", true)
        .unwrap();
    for theme in THEMES {
        // mdBook keeps the reader's theme in local storage and as a class of <html>.
        let report = evaluate_json(
            &tab,
            &format!(
                r#"(() => {{
                    localStorage.setItem('mdbook-theme', '{theme}');
                    const html = document.documentElement;
                    html.classList.remove(...{themes:?});
                    html.classList.add('{theme}');
                    const imgs = [...document.querySelectorAll('main img')];
                    const page = getComputedStyle(document.body).backgroundColor;
                    return JSON.stringify({{
                        page,
                        figures: imgs.length,
                        unreadable: imgs
                            .filter(i => getComputedStyle(i).backgroundColor !== 'rgb(255, 255, 255)'
                                || getComputedStyle(i).filter !== 'none'
                                || Number(getComputedStyle(i).opacity) < 1)
                            .map(i => i.getAttribute('src')),
                    }});
                }})()"#,
                themes = THEMES
            ),
        );
        if report["figures"].as_u64().unwrap_or(0) == 0 {
            problems.push(format!("{theme}: no figure on {page}"));
        }
        for src in report["unreadable"].as_array().unwrap() {
            problems.push(format!("{theme}: {src} is not drawn on opaque white"));
        }
        // Scroll to the first figure and keep a picture for people to look at.
        tab.evaluate("document.querySelector('main img').scrollIntoView()", false)
            .unwrap();
        let png = tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        std::fs::write(dir.join(format!("{theme}.png")), png).unwrap();
        if theme != "light" && report["page"] == "rgb(255, 255, 255)" {
            problems.push(format!(
                "{theme}: the theme did not apply (page still white)"
            ));
        }
    }
    tab.close(false).unwrap();
    eprintln!("theme screenshots: {}", dir.display());
    assert_none(problems);
}

#[test]
fn the_print_page_makes_a_clean_pdf() {
    let Some(browser) = browser() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("print");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tab = browser.new_tab().unwrap();
    // print.html opens the print dialog as it loads; here we print through the protocol.
    tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
        source: "window.print = () => {};".into(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .unwrap();
    load(&tab, &format!("{}print.html", SERVER.clone())).unwrap();
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some("print".into()),
        features: None,
    })
    .unwrap();
    let report = evaluate_json(
        &tab,
        r#"(() => {
            const breaks = document.querySelectorAll('div[style*="break-before: page"]').length;
            const bad = (sel, ok) => [...document.querySelectorAll(sel)]
                .filter(e => !ok(getComputedStyle(e))).length;
            return JSON.stringify({
                breaks,
                chapters: document.querySelectorAll('main h1').length,
                figures: document.querySelectorAll('main img').length,
                figures_that_may_split: bad('main img', s => s.breakInside === 'avoid'),
                formulas_that_may_split: bad('.katex-display', s => s.breakInside === 'avoid'),
                formulas_cut_off: bad('.katex-display', s => s.overflowX === 'visible'),
                hidden_navigation: bad('#mdbook-sidebar, .nav-chapters, #mdbook-menu-bar',
                    s => s.display === 'none'),
            });
        })()"#,
    );
    let mut problems = Vec::new();
    let chapters = report["chapters"].as_u64().unwrap();
    if report["breaks"].as_u64().unwrap() + 1 < chapters {
        problems.push(format!("{report}: not every chapter starts a new page"));
    }
    for key in [
        "figures_that_may_split",
        "formulas_that_may_split",
        "formulas_cut_off",
        "hidden_navigation",
    ] {
        if report[key].as_u64() != Some(0) {
            problems.push(format!("{key}: {}", report[key]));
        }
    }
    let pdf = tab
        .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
            print_background: Some(true),
            ..Default::default()
        }))
        .unwrap();
    // Each page is an object "/Type /Page" (the page tree is "/Type /Pages").
    let pages = pdf
        .windows(12)
        .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
        .count();
    if pages < chapters as usize {
        problems.push(format!("the PDF has {pages} pages for {chapters} chapters"));
    }
    std::fs::write(dir.join("book.pdf"), &pdf).unwrap();
    eprintln!(
        "printed book: {} ({pages} pages)",
        dir.join("book.pdf").display()
    );
    tab.close(false).unwrap();
    assert_none(problems);
}
