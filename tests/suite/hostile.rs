//! Hostile and broken input (issue 8). Every input is generated at test time.
//!
//! Each case is built by the real binary as a subprocess with a wall-clock limit;
//! its peak memory is sampled from /proc (VmHWM). Each broken file gets a
//! diagnostic with its code at the right file:line, or is handled; the build
//! finishes; and nothing is written outside the output folder.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Bounds every hostile build must stay within (debug binary, 2 shared cores).
const TIME_LIMIT: Duration = Duration::from_secs(180);
const RSS_LIMIT_MB: u64 = 1536;

struct Run {
    code: Option<i32>,
    elapsed: Duration,
    max_rss_mb: u64,
    stdout: String,
    stderr: String,
}

/// The peak resident set of a running process (VmHWM), in kB.
fn vm_hwm_kb(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `cmd` to completion or until `limit`, measuring the child's own peak RSS.
///
/// The peak is sampled from /proc (VmHWM, every few ms): `wait4`'s `ru_maxrss`
/// would also count the test process itself, whose memory the child inherits
/// at spawn time.
fn run_limited(mut cmd: Command, limit: Duration) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let started = Instant::now();
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child we spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut peak_kb = 0;
    let code = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        // SAFETY: pid is our own child; status and usage point to live locals.
        let rc = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(rc >= 0, "wait4 failed");
        if rc == pid {
            break libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        }
        if started.elapsed() > limit {
            // SAFETY: sending a signal to our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            // SAFETY: as above, reaping it.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            panic!(
                "still running after {limit:?}: {}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    drop(child);
    Run {
        code,
        elapsed: started.elapsed(),
        max_rss_mb: peak_kb / 1024,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// A content folder, an output folder beside it, and the temp dir around both.
struct Site {
    dir: tempfile::TempDir,
    content: PathBuf,
    out: PathBuf,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        let out = dir.path().join("public");
        Site { dir, content, out }
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.content.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `svcguide build` within the bounds; asserts the bounds and that nothing was
    /// written outside the output folder.
    fn build(&self, what: &str) -> Run {
        let before = tree(self.dir.path(), &self.out);
        let mut cmd = common::bin();
        cmd.current_dir(self.dir.path())
            .args(["build", "--content"])
            .arg(&self.content)
            .arg("--output")
            .arg(&self.out);
        let run = run_limited(cmd, TIME_LIMIT);
        eprintln!(
            "{what}: exit {:?} in {:.2?}, peak RSS {} MB",
            run.code, run.elapsed, run.max_rss_mb
        );
        assert!(
            run.max_rss_mb < RSS_LIMIT_MB,
            "{what}: peak RSS {} MB",
            run.max_rss_mb
        );
        assert!(
            matches!(run.code, Some(0 | 2)),
            "{what}: the build must finish (exit 0, or 2 for diagnostics): {:?}\n{}",
            run.code,
            run.stderr
        );
        assert!(
            self.out.join("index.html").is_file(),
            "{what}: no site written"
        );
        assert_eq!(
            before,
            tree(self.dir.path(), &self.out),
            "{what}: something was written outside the output folder"
        );
        run
    }

    /// `svcguide check --format json`: the diagnostics as (code, file, line).
    fn check(&self) -> Vec<(String, String, u64)> {
        let mut cmd = common::bin();
        cmd.current_dir(self.dir.path())
            .args(["check", "--format", "json", "--content"])
            .arg(&self.content);
        let run = run_limited(cmd, TIME_LIMIT);
        assert!(matches!(run.code, Some(0 | 2)), "{}", run.stderr);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["file"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

/// Every path under `root` (except `skip`) with its size and modification time.
fn tree(root: &Path, skip: &Path) -> BTreeMap<PathBuf, String> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.path() != skip)
        .map(|e| {
            let e = e.unwrap();
            let meta = e.path().symlink_metadata().unwrap();
            // A folder's own mtime changes when the output folder appears in it.
            let what = if meta.is_dir() {
                "dir".to_string()
            } else {
                format!("{} {:?}", meta.len(), meta.modified().ok())
            };
            (e.path().to_path_buf(), what)
        })
        .collect()
}

fn front(title: &str, permalink: &str) -> String {
    format!(
        "---\ntitle: '{title}'\npermalink: {permalink}\ncategory:\n    - 'Services Guide'\n---\n"
    )
}

const SECTIONS: &str = "##### Recommended State:\n- Manual\n##### Default State:\n- Manual\n##### Process Name:\n- x.exe (X)\n##### Supports:\n- None\n##### Depends:\n- None";

/// Deterministic pseudo-random words (xorshift), so big inputs are not all one byte.
fn prose(bytes: usize) -> String {
    const WORDS: &[&str] = &[
        "service",
        "starts",
        "the",
        "network",
        "printer",
        "when",
        "a",
        "user",
        "logs",
        "on",
        "Windows",
        "registry",
        "disabled",
        "manual",
        "&amp;",
        "`code`",
        "*emphasis*",
        "[link](/article/big.html)",
        "[kb](http://example.invalid/kb/1)",
    ];
    let mut out = String::with_capacity(bytes + 64);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut n = 0;
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        n += 1;
        out.push(if n % 97 == 0 { '\n' } else { ' ' });
        if n % 800 == 0 {
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_20_mb_article() {
    let site = Site::new();
    let body = prose(20 * 1024 * 1024);
    site.write(
        "big.html.md",
        format!(
            "{}##### Description:\n{body}\n{SECTIONS}",
            front("Big", "/article/big.html")
        ),
    );
    let run = site.build("20 MB article");
    let html = std::fs::metadata(site.out.join("article/big.html")).unwrap();
    assert!(html.len() > 10 * 1024 * 1024, "the page holds the text");
    assert!(run.code == Some(0) || run.code == Some(2));
}

#[test]
fn a_100000_line_list() {
    let site = Site::new();
    let mut list = String::new();
    for i in 0..100_000 {
        let label = ["WinXP", "Vista", "Win7", "Win2k3 Srv."][i % 4];
        let _ = writeln!(
            list,
            "- {label}: Manual (Item {i}), if [x](/article/long.html)"
        );
    }
    site.write(
        "long.html.md",
        format!(
            "{}##### Description:\nLong.\n##### Recommended State:\n- Manual\n##### Default State:\n{list}##### Process Name:\n- x.exe (X)\n##### Supports:\n- None\n##### Depends:\n- None",
            front("Long", "/article/long.html")
        ),
    );
    site.build("100,000-line list");
    let json = common::services_json(&site.out);
    assert_eq!(
        json["services"][0]["default"].as_array().unwrap().len(),
        100_000
    );
}

#[test]
fn ten_thousand_deep_nesting() {
    let site = Site::new();
    let depth = 10_000;
    let quotes = format!("{} deep quote\n", "> ".repeat(depth));
    // `- - - x` nests a list per marker; indented levels are capped at 1,000 (the
    // indentation alone grows quadratically).
    let mut lists = format!("{}x\n\n", "- ".repeat(depth));
    for i in 0..1_000 {
        let _ = writeln!(lists, "{}- level {i}", "  ".repeat(i));
    }
    let inline = format!("{}x{}", "[".repeat(depth), "](y)".repeat(depth));
    let emphasis = format!("{}x{}", "*_".repeat(depth), "_*".repeat(depth));
    site.write(
        "quotes.html.md",
        format!("{}{quotes}", front("Quotes", "/article/quotes.html")),
    );
    site.write(
        "lists.html.md",
        format!("{}{lists}", front("Lists", "/article/lists.html")),
    );
    site.write(
        "inline.html.md",
        format!(
            "{}{inline}\n\n{emphasis}\n",
            front("Inline", "/article/inline.html")
        ),
    );
    site.write(
        "service.html.md",
        format!(
            "{}##### Description:\n{quotes}\n{lists}\n{SECTIONS}",
            front("Nested Service", "/article/nested.html")
        ),
    );
    site.build("10,000-deep nesting");
    for page in ["quotes", "lists", "inline", "nested"] {
        assert!(
            site.out.join(format!("article/{page}.html")).is_file(),
            "{page}"
        );
    }
}

#[test]
fn yaml_bombs_in_front_matter() {
    let site = Site::new();
    // Billion laughs: nine levels of nine aliases.
    let mut bomb = String::from("---\ntitle: Bomb\npermalink: /article/bomb.html\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let p = i - 1;
        let _ = writeln!(
            bomb,
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]"
        );
    }
    bomb.push_str("---\nBody.");
    site.write("bomb.html.md", &bomb);
    // 100,000 keys.
    let mut keys = String::from("---\ntitle: Keys\npermalink: /article/keys.html\n");
    for i in 0..100_000 {
        let _ = writeln!(keys, "key{i}: value {i}");
    }
    keys.push_str("---\nBody.");
    site.write("keys.html.md", &keys);
    // Deeply nested YAML flow sequences.
    let deep = format!(
        "---\ntitle: Deep\npermalink: /article/deep.html\nx: {}{}\n---\nBody.",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    site.write("deep.html.md", &deep);
    site.build("YAML bombs");
    let diags = site.check();
    // The bomb is refused with a syntax error, and is not a page. serde_yaml's
    // alias-expansion limit carries no position, so the error points at the
    // first line of the YAML (line 2).
    assert!(
        diags
            .iter()
            .any(|d| d.0 == "frontmatter-syntax" && d.1 == "bomb.html.md" && d.2 == 2),
        "{diags:?}"
    );
    assert!(!site.out.join("article/bomb.html").exists());
    assert!(
        diags
            .iter()
            .any(|d| d.0 == "frontmatter-syntax" && d.1 == "deep.html.md" && d.2 == 4),
        "{diags:?}"
    );
    assert!(site.out.join("article/keys.html").is_file());
}

#[test]
fn broken_files_get_located_diagnostics() {
    let site = Site::new();
    let good = format!("{}Fine.", front("Good", "/article/good.html"));
    site.write("good.html.md", &good);
    // Invalid UTF-8 in the body's first line (line 7).
    let mut bad = front("Latin", "/article/latin.html").into_bytes();
    bad.extend_from_slice(b"caf\xe9 au lait");
    site.write("latin1.html.md", &bad);
    // NUL bytes in text.
    let mut nul = front("Nul", "/article/nul.html").into_bytes();
    nul.extend_from_slice(b"a\0b");
    site.write("nul.html.md", &nul);
    // A PNG named .md.
    let png: Vec<u8> =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
            .iter()
            .copied()
            .chain((0..4096u32).map(|i| (i * 7 % 251) as u8))
            .collect();
    site.write("image.html.md", &png);
    // CRLF and a BOM: accepted, and lines still count right (the unknown state is on line 10).
    let crlf = format!(
        "\u{feff}{}##### Description:\nText.\n##### Recommended State:\n- Sometimes\n##### Default State:\n- Manual\n##### Process Name:\n- x.exe (X)\n##### Supports:\n- None\n##### Depends:\n- None",
        front("Windows Editor", "/article/crlf.html")
    )
    .replace('\n', "\r\n");
    site.write("crlf.html.md", crlf);
    // An empty file, and front matter that never closes.
    site.write("empty.html.md", "");
    site.write(
        "unclosed.html.md",
        "---\ntitle: x\npermalink: /article/u.html\n",
    );
    let run = site.build("broken files");
    // Articles that cannot become pages: build says so with exit 2 (README).
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let diags = site.check();
    let has = |code: &str, file: &str, line: u64| {
        assert!(
            diags
                .iter()
                .any(|d| d.0 == code && d.1 == file && d.2 == line),
            "expected {code} at {file}:{line} in {diags:#?}"
        );
    };
    has("invalid-utf8", "latin1.html.md", 7);
    has("binary-file", "nul.html.md", 1);
    has("binary-file", "image.html.md", 1);
    has("state-unknown", "crlf.html.md", 10);
    has("frontmatter-missing", "empty.html.md", 1);
    has("frontmatter-missing", "unclosed.html.md", 1);
    assert!(site.out.join("article/crlf.html").is_file());
    assert!(site.out.join("article/good.html").is_file());
    assert!(!site.out.join("article/latin.html").exists());
}

#[test]
fn symlink_loops_and_links_outside_the_content_folder() {
    let site = Site::new();
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    let secret = site.dir.path().join("secret.md");
    std::fs::write(
        &secret,
        format!("{}TOP-SECRET-TEXT", front("Secret", "/article/secret.html")),
    )
    .unwrap();
    let c = &site.content;
    std::os::unix::fs::symlink(&secret, c.join("outside.html.md")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", c.join("passwd.txt")).unwrap();
    std::os::unix::fs::symlink(c.join("loop-b.md"), c.join("loop-a.md")).unwrap();
    std::os::unix::fs::symlink(c.join("loop-a.md"), c.join("loop-b.md")).unwrap();
    std::fs::create_dir_all(c.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", c.join("sub/up")).unwrap();
    std::os::unix::fs::symlink(c, c.join("sub/self")).unwrap();
    std::os::unix::fs::symlink("missing.md", c.join("dangling.md")).unwrap();
    // A link to a file inside the folder is followed.
    std::os::unix::fs::symlink(c.join("good.html.md"), c.join("sub/alias.png")).unwrap();
    site.build("symlinks");
    let diags = site.check();
    for file in [
        "outside.html.md",
        "passwd.txt",
        "loop-a.md",
        "loop-b.md",
        "sub/up",
        "sub/self",
        "dangling.md",
    ] {
        assert!(
            diags
                .iter()
                .any(|d| d.0 == "io-error" && d.1 == file && d.2 == 1),
            "{file}: {diags:#?}"
        );
    }
    for e in walkdir::WalkDir::new(&site.out) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("TOP-SECRET-TEXT"), "{}", e.path().display());
            assert!(!text.contains("root:x:0:0"), "{}", e.path().display());
        }
    }
    assert!(site.out.join("sub/alias.png").is_file());
}

#[test]
fn unsafe_permalinks_are_refused_and_nothing_escapes() {
    let site = Site::new();
    let cases: &[(&str, &str)] = &[
        ("dotdot", "/article/../../../escaped.html"),
        ("dotdot-plain", "/../escaped.html"),
        ("relative", "article/x.html"),
        ("protocol", "//evil.invalid/x.html"),
        ("scheme", "file:///etc/x.html"),
        ("windows-abs", "C:\\\\temp\\\\x.html"),
        ("pct", "/article/%2e%2e/%2e%2e/escaped.html"),
        ("backslash", "/article\\\\..\\\\..\\\\escaped.html"),
        ("nul", "\"/article/a\\0b.html\""),
        ("con", "/article/CON.html"),
        ("aux", "/aux.html"),
        ("lpt", "/article/lpt1.txt.html"),
        ("generator-file", "/index.html"),
        ("theme", "/theme/style.css.html"),
        ("not-html", "/article/x.php"),
        ("dot-segment", "/article/./x.html"),
    ];
    for (name, permalink) in cases {
        site.write(
            &format!("{name}.html.md"),
            format!("---\ntitle: {name}\nid: 1\npermalink: {permalink}\n---\nBody of {name}."),
        );
    }
    site.write(
        "upper.html.md",
        format!("{}Upper.", front("Upper", "/article/Same.html")),
    );
    site.write(
        "lower.html.md",
        format!("{}Lower.", front("Lower", "/article/same.html")),
    );
    site.build("unsafe permalinks");
    let diags = site.check();
    for (name, permalink) in cases {
        assert!(
            diags
                .iter()
                .any(|d| d.0 == "permalink-unsafe" && d.1 == format!("{name}.html.md") && d.2 == 4),
            "{permalink} should be refused at {name}.html.md:4: {diags:#?}"
        );
    }
    assert!(
        diags
            .iter()
            .any(|d| d.0 == "permalink-case-clash" && d.2 == 3),
        "{diags:#?}"
    );
    assert!(!site.dir.path().join("escaped.html").exists());
    assert!(!site
        .dir
        .path()
        .parent()
        .unwrap()
        .join("escaped.html")
        .exists());
    // The generator's own index.html is its own, not the article's.
    let index = std::fs::read_to_string(site.out.join("index.html")).unwrap();
    assert!(!index.contains("Body of generator-file"));
}

// ---------------------------------------------------------------------------
// Issue 21: secrets that stay secret, a dev server that only talks to its
// owner, permalinks that cannot poison later builds, well-formed outputs.
// ---------------------------------------------------------------------------

/// A `svcguide serve` process on a free loopback port; killed on drop.
struct Serve {
    child: std::process::Child,
    addr: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `serve` in `dir` and waits (bounded) for the address it prints.
    fn start(dir: &Path, args: &[&str]) -> Serve {
        use std::io::BufRead;
        let mut child = common::bin()
            .current_dir(dir)
            .args(["serve", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = common::drain_stderr(&mut child);
        let (tx, rx) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve printed no address: {}", stderr.lock().unwrap()));
            if let Some(url) = line.strip_prefix("serving http://") {
                break url.trim_end_matches('/').to_string();
            }
        };
        let serve = Serve {
            child,
            addr,
            stderr,
        };
        // Wait (bounded) until the whole site is ready.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !serve
            .get("/__svcguide/status", &serve.host())
            .1
            .contains("\"complete\":true")
        {
            assert!(Instant::now() < deadline, "serve never completed a build");
            std::thread::sleep(Duration::from_millis(50));
        }
        serve
    }

    /// The `Host` a browser sends for the printed address.
    fn host(&self) -> String {
        self.addr.clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// One request with `Connection: close`: (status, whole response as text).
    fn get(&self, target: &str, host: &str) -> (u16, String) {
        let raw = self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let status = raw
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, raw)
    }

    /// Sends raw bytes on a new connection and reads until the server closes it.
    fn raw(&self, request: &[u8]) -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(request).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// `svcguide check` in the human format (stdout is a pipe: no colour).
fn check_human(site: &Site) -> Run {
    let mut cmd = common::bin();
    cmd.current_dir(site.dir.path())
        .args(["check", "--content"])
        .arg(&site.content);
    let run = run_limited(cmd, TIME_LIMIT);
    assert!(matches!(run.code, Some(0 | 2)), "{}", run.stderr);
    run
}

#[test]
fn a_skipped_symlink_is_never_read_by_check_build_or_serve() {
    const MARKER: &str = "CI_TOKEN=h21-secret-marker";
    let site = Site::new();
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    // A secret outside the content folder whose first line is the marker: a code
    // frame at line 1 of the skipped link would print it.
    let secret = site.dir.path().join("environ");
    std::fs::write(&secret, format!("{MARKER}\nPATH=/usr/bin\n")).unwrap();
    std::os::unix::fs::symlink(&secret, site.content.join("x.md")).unwrap();
    std::os::unix::fs::symlink(&secret, site.content.join("notes.txt")).unwrap();

    let run = check_human(&site);
    assert!(run.stdout.contains("x.md"), "{}", run.stdout);
    assert!(
        run.stdout.contains("symbolic link skipped"),
        "{}",
        run.stdout
    );
    for (what, text) in [("check stdout", &run.stdout), ("check stderr", &run.stderr)] {
        assert!(!text.contains(MARKER), "{what} leaked the secret:\n{text}");
    }
    let run = site.build("skipped symlinks");
    assert!(
        run.stderr.contains("symbolic link skipped"),
        "{}",
        run.stderr
    );
    for (what, text) in [("build stdout", &run.stdout), ("build stderr", &run.stderr)] {
        assert!(!text.contains(MARKER), "{what} leaked the secret:\n{text}");
    }
    for e in walkdir::WalkDir::new(&site.out) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
            assert!(!text.contains(MARKER), "{}", e.path().display());
        }
    }
    let serve = Serve::start(site.dir.path(), &["--content", "content"]);
    for target in [
        "/",
        "/article/good.html",
        "/__svcguide/status",
        "/notes.txt",
    ] {
        let (_, body) = serve.get(target, &serve.host());
        assert!(!body.contains(MARKER), "serve {target} leaked the secret");
    }
    let stderr = serve.stderr();
    assert!(stderr.contains("symbolic link skipped"), "{stderr}");
    assert!(!stderr.contains(MARKER), "serve stderr leaked:\n{stderr}");
}

#[test]
fn poisoning_permalinks_are_diagnostics_and_the_rest_of_the_guide_builds() {
    let site = Site::new();
    let long = "a".repeat(300);
    let cases: Vec<(&str, String)> = vec![
        ("git", "/.git/config.html".to_string()),
        ("output-marker", "/.svcguide-output/x.html".to_string()),
        ("hidden-file", "/article/.hidden.html".to_string()),
        ("trailing-dot", "/article./x.html".to_string()),
        ("long-segment", format!("/article/{long}.html")),
        ("nul-device", "/article/nul.txt.html".to_string()),
    ];
    for (name, permalink) in &cases {
        site.write(
            &format!("{name}.html.md"),
            format!("---\ntitle: {name}\nid: 1\npermalink: {permalink}\n---\nBody of {name}."),
        );
    }
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    // Spaces around a permalink: used trimmed, with a warning; never in an href.
    site.write(
        "spaced.html.md",
        "---\ntitle: 'Spaced'\npermalink: '  /article/spaced.html  '\ncategory:\n    - 'Services Guide'\n---\nSpaced.",
    );
    for round in ["first build", "second build"] {
        let run = site.build(round);
        assert_eq!(run.code, Some(2), "{round}: {}", run.stderr);
        assert!(site.out.join("article/good.html").is_file(), "{round}");
        assert!(site.out.join("article/spaced.html").is_file(), "{round}");
        assert!(!site.out.join(".git").exists(), "{round}");
        // `.svcguide-output` is the build's own marker file, not the article's folder.
        assert!(!site.out.join(".svcguide-output").is_dir(), "{round}");
    }
    let diags = site.check();
    for (name, permalink) in &cases {
        assert!(
            diags
                .iter()
                .any(|d| d.0 == "permalink-unsafe" && d.1 == format!("{name}.html.md") && d.2 == 4),
            "{permalink} should be refused at {name}.html.md:4: {diags:#?}"
        );
    }
    assert!(
        diags
            .iter()
            .any(|d| d.0 == "frontmatter-key-type" && d.1 == "spaced.html.md" && d.2 == 3),
        "{diags:#?}"
    );
    for e in walkdir::WalkDir::new(&site.out) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
            for bad in ["  /article/spaced", "spaced.html  ", "%20%20"] {
                assert!(!text.contains(bad), "{}: {bad:?}", e.path().display());
            }
        }
    }
    let index = std::fs::read_to_string(site.out.join("index.html")).unwrap();
    assert!(index.contains("href=\"article/spaced.html\""), "{index}");
}

/// True when `text` holds only characters XML 1.0 allows.
fn xml_chars_only(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    })
}

#[test]
fn control_characters_and_escapes_never_reach_xml_or_the_terminal() {
    let site = Site::new();
    site.write(
        "dated.html.md",
        "---\ntitle: 'Dated'\ndate: \"\\u0001\\u000b2002-08-06\"\npermalink: /article/dated.html\n---\nText.",
    );
    site.write(
        "odd-date.html.md",
        "---\ntitle: 'Odd'\ndate: \"20\\u00010-01-01T00:00:00Z\"\npermalink: /article/odd-date.html\n---\nText.",
    );
    // A broken link on a line that also holds terminal escapes: the human report
    // draws that line in a code frame.
    site.write(
        "escapes.html.md",
        "---\ntitle: 'Escapes'\npermalink: /article/escapes.html\n---\n[x](/article/missing.html) \u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[1A\r FAKE LOG LINE \u{9b}31m\n",
    );
    site.build("control characters");
    for file in ["sitemap.xml", "feed.xml"] {
        let text = std::fs::read_to_string(site.out.join(file)).unwrap();
        assert!(
            xml_chars_only(&text),
            "{file} is not well-formed XML:\n{text:?}"
        );
    }
    let sitemap = std::fs::read_to_string(site.out.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("<lastmod>\u{1}"), "{sitemap:?}");
    let run = check_human(&site);
    assert!(run.stdout.contains("link-broken"), "{}", run.stdout);
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\r'] {
        assert!(
            !run.stdout.contains(c),
            "{c:?} reached the terminal:\n{:?}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("\\u{1b}[2J"), "{:?}", run.stdout);
}

#[test]
fn sanitized_raw_html_cannot_reuse_the_templates_ids() {
    let site = Site::new();
    std::fs::write(site.dir.path().join("svcguide.toml"), "sanitize = true\n").unwrap();
    site.write(
        "ids.html.md",
        format!(
            "{}##### Description:\n\n<div id=\"main\">one</div>\n\n<h2 id=\"search-input\">two</h2>\n\n<div id=\"facts\">three</div>\n\n## Main\n\n<div id=\"own-id\">four</div>\n\n{SECTIONS}",
            front("Ids", "/article/ids.html")
        ),
    );
    site.build("template ids");
    let page = std::fs::read_to_string(site.out.join("article/ids.html")).unwrap();
    for id in ["main", "search-input", "facts"] {
        assert_eq!(
            page.matches(&format!("id=\"{id}\"")).count(),
            1,
            "id {id} appears more than once:\n{page}"
        );
    }
    assert!(page.contains("id=\"own-id\""), "{page}");
}

#[test]
fn serve_answers_only_host_names_of_its_own() {
    let site = Site::new();
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    let serve = Serve::start(site.dir.path(), &["--content", "content", "--drafts"]);
    let port = serve.addr.rsplit(':').next().unwrap().to_string();
    for host in [
        serve.host(),
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(serve.get("/", &host).0, 200, "Host: {host}");
    }
    for host in [
        "rebind.attacker.example".to_string(),
        format!("rebind.attacker.example:{port}"),
        "127.0.0.1.attacker.example".to_string(),
        "localhost.attacker.example".to_string(),
        "10.0.0.1".to_string(),
        "".to_string(),
    ] {
        for target in ["/", "/__svcguide/status", "/article/good.html"] {
            let (status, body) = serve.get(target, &host);
            assert!(
                status == 421 || status == 403,
                "Host: {host:?} {target} gave {status}"
            );
            assert!(!body.contains("Fine."), "{body}");
        }
    }
    // Absolute-form targets naming another host are refused; the own host is fine.
    let (status, _) = serve.get(
        "http://rebind.attacker.example/__svcguide/status",
        &serve.host(),
    );
    assert!(status == 421 || status == 403, "{status}");
    let (status, _) = serve.get(&format!("http://{}/", serve.addr), &serve.host());
    assert_eq!(status, 200);
}

#[test]
fn serve_keeps_answering_a_new_client_while_another_hogs_every_slot() {
    use std::io::Write;
    let site = Site::new();
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    let serve = Serve::start(site.dir.path(), &["--content", "content"]);
    let host = serve.host();
    // A hog (the reproducer): 256 kept-alive connections, each sending
    // a HEAD every 2 s, reconnecting whenever the server closes one, for 6 s.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hog = {
        let (addr, host, stop) = (serve.addr.clone(), host.clone(), stop.clone());
        std::thread::spawn(move || {
            let head = format!("HEAD / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            let connect = || std::net::TcpStream::connect(&addr).ok();
            let mut conns: Vec<Option<std::net::TcpStream>> = (0..256).map(|_| connect()).collect();
            let started = Instant::now();
            while !stop.load(std::sync::atomic::Ordering::SeqCst)
                && started.elapsed() < Duration::from_secs(30)
            {
                for c in conns.iter_mut() {
                    let sent = c
                        .as_mut()
                        .is_some_and(|s| s.write_all(head.as_bytes()).is_ok());
                    if !sent {
                        *c = connect();
                    }
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let mut worst = Duration::ZERO;
    for _ in 0..24 {
        let t = Instant::now();
        let (status, _) = serve.get("/article/good.html", &host);
        assert_eq!(
            status, 200,
            "a new client was refused while one hogs the slots"
        );
        worst = worst.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(250));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    hog.join().unwrap();
    eprintln!("behind the hog: 24 requests, slowest {worst:?}");
    assert!(worst < Duration::from_secs(2), "{worst:?}");
    // Slowloris: 256 connections with heads that never finish.
    let mut slow = Vec::new();
    for _ in 0..256 {
        let Ok(mut s) = std::net::TcpStream::connect(&serve.addr) else {
            break;
        };
        let _ = s.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: ").as_bytes());
        slow.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        let t = Instant::now();
        let (status, _) = serve.get("/article/good.html", &host);
        assert_eq!(
            status, 200,
            "a new client was refused behind unfinished heads"
        );
        worst = worst.max(t.elapsed());
    }
    eprintln!("behind 256 unfinished heads: 10 requests, slowest {worst:?}");
    assert!(worst < Duration::from_secs(2), "{worst:?}");
    drop(slow);
}

#[test]
fn serve_warns_about_a_network_bind_even_when_quiet() {
    let site = Site::new();
    site.write(
        "good.html.md",
        format!("{}Fine.", front("Good", "/article/good.html")),
    );
    let serve = Serve::start(
        site.dir.path(),
        &["--content", "content", "--bind", "0.0.0.0", "--quiet"],
    );
    let stderr = serve.stderr();
    assert!(
        stderr.contains("reachable from other machines"),
        "{stderr:?}"
    );
}

#[cfg(feature = "external")]
#[test]
fn external_check_never_contacts_a_private_host_in_any_spelling() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // A local server that only counts connections.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (h, s) = (hits.clone(), stop.clone());
    let accept = std::thread::spawn(move || {
        let started = Instant::now();
        while !s.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(120) {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    use std::io::Write;
                    h.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    let spellings = [
        format!("http://127.0.0.1:{port}/plain"),
        format!("http://[::ffff:127.0.0.1]:{port}/mapped"),
        format!("http://[::ffff:7f00:1]:{port}/mapped-hex"),
        format!("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/mapped-long"),
        format!("http://[::127.0.0.1]:{port}/compatible"),
        format!("http://2130706433:{port}/decimal"),
        format!("http://0177.0.0.1:{port}/octal"),
        format!("http://0x7f.0.0.1:{port}/hex"),
        format!("http://0x7f000001:{port}/hex-whole"),
        format!("http://127.1:{port}/short"),
        format!("http://0.0.0.0:{port}/unspecified"),
        format!("http://0:{port}/zero"),
        format!("http://localhost:{port}/name"),
        format!("http://LOCALHOST.:{port}/name-dot"),
        format!("http://[::1]:{port}/v6"),
        format!("http://[::]:{port}/v6-unspecified"),
        format!("http://[fd00::1]:{port}/unique-local"),
        format!("http://[fe80::1]:{port}/link-local"),
        format!("http://169.254.169.254:{port}/metadata"),
        format!("http://100.64.0.1:{port}/shared"),
    ];
    let body: String = spellings
        .iter()
        .enumerate()
        .map(|(i, u)| format!("[link {i}]({u})\n\n"))
        .collect();
    let site = Site::new();
    site.write(
        "links.md",
        format!("---\ntitle: 'Links'\npermalink: /article/links.html\n---\n{body}"),
    );
    std::fs::write(
        site.dir.path().join("svcguide.toml"),
        "content = \"content\"\n\n[external]\ntimeout = 2\nretries = 0\n",
    )
    .unwrap();
    let mut cmd = common::bin();
    cmd.current_dir(site.dir.path())
        .args(["check", "--external", "--format", "json"]);
    let run = run_limited(cmd, TIME_LIMIT);
    stop.store(true, Ordering::SeqCst);
    accept.join().unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the private server was contacted:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "{} link(s) to private hosts skipped",
            spellings.len()
        )),
        "{}",
        run.stderr
    );
}
