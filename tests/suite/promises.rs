//! The README's promises that had no test, each asserted with exact exit codes:
//! the `service:` front matter form and its diagnostics, `check --since` and
//! `--changed`, build's exit 2 when an article cannot become a page,
//! `[search] max_bytes`, `--drafts`, a template error's line:col, canonical
//! links, and "check writes nothing".

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A service article in the house format; `extra` goes into the front matter.
fn article(slug: &str, title: &str, extra: &str, depends: &str) -> (String, String) {
    (
        format!("{slug}.html.md"),
        format!(
            "---\ntitle: '{title}'\nstatus: publish\npermalink: /article/{slug}.html\ncategory:\n    - 'Services Guide'\n{extra}---\n##### Description:\n\nWhat {title} does, in a sentence.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- WinXP: Manual\n\n##### Process Name:\n\n- {slug}.exe (X{slug})\n\n##### Supports:\n\n- None\n\n##### Depends:\n\n- {depends}\n"
        ),
    )
}

/// A service article whose description ends with a line holding `link`
/// (a link in the text: a broken one is an error, where a Depends link to an
/// article nobody wrote is a warning).
fn article_citing(slug: &str, title: &str, link: &str) -> (String, String) {
    let (name, text) = article(slug, title, "", "None");
    let text = text.replacen(
        " in a sentence.\n",
        &format!(" in a sentence.\nSee {link}.\n"),
        1,
    );
    (name, text)
}

fn run(cmd: &mut Command) -> (i32, Output) {
    let out = cmd.output().unwrap();
    (out.status.code().expect("exited, not killed"), out)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (code, file, line) of every diagnostic of a JSON report.
fn located(report: &Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["file"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u64 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}")) as u64
        + 1
}

// ---------------------------------------------------------------------------
// The `service:` front matter form.
// ---------------------------------------------------------------------------

#[test]
fn the_service_form_gives_the_same_facts_as_the_sections() {
    let built = common::build_fixture("service-form/content");
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    let services = common::services_by_slug(&built.out);
    let form = &services["winnt-services-formfacts"];
    let body = &services["winnt-services-bodyfacts"];
    // Written by hand from the fixture's front matter.
    assert_eq!(form["names"], serde_json::json!(["FormFacts", "FormFx"]));
    assert_eq!(form["recommended"][0]["state"], "manual");
    assert_eq!(
        form["recommended"][0]["condition"],
        "unless you print labels"
    );
    assert_eq!(form["default"][0]["text"], "WinXP/Win2k3: Automatic");
    assert_eq!(form["default"][0]["state"], "automatic");
    assert_eq!(form["default"][1]["state"], "automatic");
    assert_eq!(form["default"][1]["qualifier"], "Delayed Start");
    assert_eq!(form["processes"][0]["image"], "svchost.exe");
    assert_eq!(form["processes"][0]["group"], "labels");
    assert_eq!(form["processes"][0]["name"], "FormFacts");
    assert_eq!(form["supports"]["kind"], "none");
    assert_eq!(form["depends"]["kind"], "items");
    assert_eq!(
        form["depends"]["items"][0]["slug"],
        "winnt-services-bodyfacts"
    );
    assert_eq!(form["depends"]["items"][0]["exists"], true);
    // The section parser, another reader of the same item grammar, agrees.
    for key in ["recommended", "default", "processes", "supports"] {
        assert_eq!(form[key], body[key], "{key}");
    }
    // The form's dependency shows on the other page as "required by".
    assert_eq!(
        body["required_by"],
        serde_json::json!(["winnt-services-formfacts"])
    );
    // And the form-only article's page shows the facts.
    let page =
        std::fs::read_to_string(built.out.join("article/winnt-services-formfacts.html")).unwrap();
    assert!(page.contains("svchost.exe"), "{page}");
    assert!(page.contains("Delayed Start"), "{page}");
}

#[test]
fn service_form_problems_are_located_warnings() {
    let content = common::fixture("service-form/content");
    let (exit, report) = common::check_json(&content, &[]);
    let src = |name: &str| std::fs::read_to_string(content.join(name)).unwrap();
    let mut got: Vec<_> = located(&report)
        .into_iter()
        .filter(|d| d.0.starts_with("service-form"))
        .collect();
    got.sort();
    let disagree = src("winnt-services-disagree.html.md");
    let odd = src("winnt-services-oddform.html.md");
    let not_map = src("winnt-services-notamap.html.md");
    let mut want = vec![
        (
            "service-form-mismatch".to_string(),
            "winnt-services-disagree.html.md".to_string(),
            line_of(&disagree, "  default:"),
        ),
        (
            "service-form".into(),
            "winnt-services-oddform.html.md".into(),
            line_of(&odd, "  colour:"),
        ),
        (
            "service-form".into(),
            "winnt-services-oddform.html.md".into(),
            line_of(&odd, "  process:"),
        ),
        (
            "service-form".into(),
            "winnt-services-notamap.html.md".into(),
            line_of(&not_map, "service:"),
        ),
    ];
    want.sort();
    assert_eq!(got, want, "{report}");
    // The agreeing `recommended:` of the disagreeing article is not reported.
    let mismatch = common::diagnostic(&report, "service-form-mismatch");
    assert_eq!(mismatch["severity"], "warning");
    let message = mismatch["message"].as_str().unwrap();
    assert!(
        message.contains("service.default") && message.contains("Default State"),
        "{message}"
    );
    assert!(mismatch["help"].is_string());
    // Warnings only: check exits 0.
    assert_eq!(report["counts"]["error"], 0, "{report}");
    assert_eq!(exit, 0);
}

// ---------------------------------------------------------------------------
// check --changed / --since
// ---------------------------------------------------------------------------

/// A guide where `a` links to a page that does not exist (an error) and `b` is clean.
fn guide_with_one_broken_article(root: &Path) -> PathBuf {
    let content = root.join("content");
    let (a_name, a_text) = article_citing(
        "winnt-services-a",
        "Alpha",
        "[Missing](/article/winnt-services-missing.html)",
    );
    let (b_name, b_text) = article("winnt-services-b", "Beta", "", "None");
    write_files(&content, &[(&a_name, &a_text), (&b_name, &b_text)]);
    content
}

fn check_in(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let (exit, out) = run(common::bin()
        .current_dir(cwd)
        .args(["check", "--format", "json", "--content", "content"])
        .args(args));
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    (exit, report)
}

#[test]
fn check_changed_reports_only_the_named_files_and_exits_by_them() {
    let dir = tempfile::tempdir().unwrap();
    guide_with_one_broken_article(dir.path());
    let (exit, report) = check_in(dir.path(), &[]);
    assert_eq!(exit, 2, "the whole guide has an error: {report}");
    let (exit, report) = check_in(
        dir.path(),
        &["--changed", "content/winnt-services-a.html.md"],
    );
    assert_eq!(exit, 2, "{report}");
    let codes: Vec<_> = located(&report);
    assert_eq!(
        codes,
        [(
            "link-broken".to_string(),
            "winnt-services-a.html.md".to_string(),
            line_of(
                &std::fs::read_to_string(dir.path().join("content/winnt-services-a.html.md"))
                    .unwrap(),
                "See [Missing]"
            )
        )]
    );
    // The clean article alone: its links still resolve against the whole guide.
    let (exit, report) = check_in(
        dir.path(),
        &["--changed", "content/winnt-services-b.html.md"],
    );
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    assert_eq!(exit, 0);
}

fn git(repo: &Path, args: &[&str]) {
    let (exit, out) = run(Command::new("git")
        .current_dir(repo)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args));
    assert_eq!(exit, 0, "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn check_since_reports_the_files_changed_since_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let content = guide_with_one_broken_article(repo);
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "guide"]);
    // Nothing changed since HEAD: the old error is not this change's.
    let (exit, report) = check_in(repo, &["--since", "HEAD"]);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    assert_eq!(exit, 0);
    // An edit to the clean article that breaks one of its links.
    let b = content.join("winnt-services-b.html.md");
    let edited = std::fs::read_to_string(&b).unwrap().replace(
        " in a sentence.\n",
        " in a sentence.\nSee [Gone](/article/winnt-services-gone.html).\n",
    );
    std::fs::write(&b, &edited).unwrap();
    // An untracked new article with its own broken link.
    let (c_name, c_text) = article_citing(
        "winnt-services-c",
        "Gamma",
        "[Nowhere](/article/winnt-services-nowhere.html)",
    );
    write_files(&content, &[(&c_name, &c_text)]);
    let (exit, report) = check_in(repo, &["--since", "HEAD"]);
    let mut got = located(&report);
    got.sort();
    let mut want = vec![
        (
            "link-broken".to_string(),
            "winnt-services-b.html.md".to_string(),
            line_of(&edited, "See [Gone]"),
        ),
        (
            "link-broken".into(),
            "winnt-services-c.html.md".into(),
            line_of(&c_text, "See [Nowhere]"),
        ),
    ];
    want.sort();
    assert_eq!(got, want, "{report}");
    assert_eq!(exit, 2);
    // Committed, then compared with the revision before: the same two files.
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "edit"]);
    let (exit, report) = check_in(repo, &["--since", "HEAD~1"]);
    let mut again = located(&report);
    again.sort();
    assert_eq!(again, want);
    assert_eq!(exit, 2);
    // A revision git does not know is the tool failing: exit 1.
    let (exit, out) = run(common::bin().current_dir(repo).args([
        "check",
        "--content",
        "content",
        "--since",
        "no-such-revision",
    ]));
    assert_eq!(exit, 1, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no-such-revision"));
}

// ---------------------------------------------------------------------------
// build
// ---------------------------------------------------------------------------

#[test]
fn build_exits_2_when_an_article_cannot_become_a_page() {
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    write_files(&content, &[(&a_name, &a_text)]);
    let built = common::build_dir(&content, &["--quiet"]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    // The same guide plus an article that is not UTF-8 (Latin-1 bytes).
    let mut latin1 = article("winnt-services-l", "Latin", "", "None")
        .1
        .into_bytes();
    latin1.extend_from_slice(b"\nCaf\xe9 au lait.\n");
    std::fs::write(content.join("winnt-services-l.html.md"), latin1).unwrap();
    let built = common::build_dir(&content, &[]);
    assert_eq!(built.output.status.code(), Some(2), "{}", built.stderr());
    let stderr = built.stderr();
    assert!(stderr.contains("winnt-services-l.html.md"), "{stderr}");
    assert!(stderr.contains("invalid-utf8"), "{stderr}");
    // The rest of the site is still written; the broken article is not a page.
    assert!(built.out.join("article/winnt-services-a.html").is_file());
    assert!(!built.out.join("article/winnt-services-l.html").exists());
    // A warning alone (a broken link) does not change the exit status.
    std::fs::remove_file(content.join("winnt-services-l.html.md")).unwrap();
    let (b_name, b_text) = article_citing(
        "winnt-services-b",
        "Beta",
        "[Missing](/article/winnt-services-missing.html)",
    );
    write_files(&content, &[(&b_name, &b_text)]);
    let built = common::build_dir(&content, &[]);
    assert!(built.stderr().contains("link-broken"), "{}", built.stderr());
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
}

#[test]
fn drafts_are_published_only_with_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    let (d_name, d_text) = article("winnt-services-d", "Draft One", "", "None");
    let d_text = d_text.replace("status: publish", "status: draft");
    write_files(&content, &[(&a_name, &a_text), (&d_name, &d_text)]);
    let slugs = |out: &Path| -> Vec<String> { common::services_by_slug(out).into_keys().collect() };
    let built = common::build_dir(&content, &["--quiet"]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    assert_eq!(slugs(&built.out), ["winnt-services-a"]);
    assert!(!built.out.join("article/winnt-services-d.html").exists());
    let index = std::fs::read_to_string(built.out.join("index.html")).unwrap();
    assert!(!index.contains("Draft One"));
    let built = common::build_dir(&content, &["--quiet", "--drafts"]);
    assert_eq!(built.output.status.code(), Some(0), "{}", built.stderr());
    assert_eq!(slugs(&built.out), ["winnt-services-a", "winnt-services-d"]);
    assert!(built.out.join("article/winnt-services-d.html").is_file());
    let index = std::fs::read_to_string(built.out.join("index.html")).unwrap();
    assert!(index.contains("Draft One"));
}

/// `svcguide build` run in `dir` (where its svcguide.toml is).
fn build_in(dir: &Path, args: &[&str]) -> (i32, Output) {
    run(common::bin().current_dir(dir).arg("build").args(args))
}

#[test]
fn search_max_bytes_warns_with_search_size() {
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    write_files(dir.path(), &[(&format!("content/{a_name}"), &a_text)]);
    // A budget far below the index of even one article.
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "[search]\nenabled = true\nmax_bytes = 100\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(exit, 0, "a warning: {stderr}");
    assert!(stderr.contains("search-size"), "{stderr}");
    let index = std::fs::metadata(dir.path().join("public/search-index.js"))
        .unwrap()
        .len();
    assert!(index > 100);
    // A budget the index fits in: no warning.
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "[search]\nenabled = true\nmax_bytes = 5000000\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &[]);
    assert_eq!(exit, 0);
    assert!(!text(&out.stderr).contains("search-size"));
    // Made an error in [checks], the budget fails check.
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "[search]\nmax_bytes = 100\n[checks]\nsearch-size = \"error\"\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &[]);
    assert!(text(&out.stderr).contains("search-size"));
    assert_eq!(exit, 0, "search-size never keeps a page out of the site");
}

#[test]
fn a_template_error_names_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    write_files(dir.path(), &[(&format!("content/{a_name}"), &a_text)]);
    // Line 3, column 8: a block tag that is never closed... on a line of its own.
    write_files(
        dir.path(),
        &[(
            "templates/404.html",
            "<!doctype html>\n<title>Lost</title>\n<p>{{ site.title | nosuchfilter }}</p>\n",
        )],
    );
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "templates = \"templates\"\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(exit, 1, "the tool failed: {stderr}");
    assert!(stderr.contains("404.html:3:"), "{stderr}");
    assert!(!dir.path().join("public").exists(), "nothing half-written");
    // A syntax error: `{% if %}` never closed, opened on line 2 column 1.
    write_files(
        dir.path(),
        &[(
            "templates/404.html",
            "<!doctype html>\n{% if site.title %}\n<p>lost</p>\n",
        )],
    );
    let (exit, out) = build_in(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(exit, 1, "{stderr}");
    assert!(stderr.contains("404.html:"), "{stderr}");
}

/// The feed and the sitemap are templates like the pages: a file of the same
/// name in the templates folder replaces the built-in one, and the `xml` filter
/// escapes for XML.
#[test]
fn feed_and_sitemap_templates_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article(
        "winnt-services-a",
        "Alpha & Co",
        "date: '2005-01-02T03:04:05+02:00'\n",
        "None",
    );
    write_files(
        dir.path(),
        &[
            (&format!("content/{a_name}"), &a_text),
            (
                "templates/feed.xml",
                "<feed>{% for e in entries %}<t>{{ e.title | xml }}</t>{% endfor %}</feed>\n",
            ),
            (
                "templates/sitemap.xml",
                "{% for url in urls %}{{ url.loc | xml }}\n{% endfor %}",
            ),
        ],
    );
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "templates = \"templates\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &["--quiet"]);
    assert_eq!(exit, 0, "{}", text(&out.stderr));
    let read = |rel: &str| std::fs::read_to_string(dir.path().join("public").join(rel)).unwrap();
    assert_eq!(read("feed.xml"), "<feed><t>Alpha &amp; Co</t></feed>\n");
    let sitemap = read("sitemap.xml");
    assert!(sitemap.starts_with("https://example.org/\n"), "{sitemap}");
    assert!(
        sitemap.contains("https://example.org/article/winnt-services-a.html\n"),
        "{sitemap}"
    );
}

#[test]
fn canonical_links_use_the_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    write_files(dir.path(), &[(&format!("content/{a_name}"), &a_text)]);
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "base_url = \"https://example.org/guide/\"\n",
    )
    .unwrap();
    let (exit, out) = build_in(dir.path(), &["--quiet"]);
    assert_eq!(exit, 0, "{}", text(&out.stderr));
    let read = |rel: &str| std::fs::read_to_string(dir.path().join("public").join(rel)).unwrap();
    assert!(
        read("article/winnt-services-a.html").contains(
            r#"<link rel="canonical" href="https://example.org/guide/article/winnt-services-a.html">"#
        ),
        "{}",
        read("article/winnt-services-a.html")
    );
    assert!(
        read("index.html").contains(r#"<link rel="canonical" href="https://example.org/guide/">"#),
        "{}",
        read("index.html")
    );
    // --base-url wins over the file.
    let (exit, _) = build_in(
        dir.path(),
        &["--quiet", "--base-url", "https://other.example/"],
    );
    assert_eq!(exit, 0);
    assert!(read("article/winnt-services-a.html").contains(
        r#"<link rel="canonical" href="https://other.example/article/winnt-services-a.html">"#
    ));
}

// ---------------------------------------------------------------------------
// check writes nothing
// ---------------------------------------------------------------------------

/// Every path under `root` with its bytes (folders as empty entries).
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (e.path().strip_prefix(root).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

#[test]
fn check_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let content = guide_with_one_broken_article(dir.path());
    std::fs::write(
        dir.path().join("svcguide.toml"),
        "base_url = \"https://example.org/\"\n",
    )
    .unwrap();
    let before = tree(dir.path());
    let mtimes = std::fs::metadata(content.join("winnt-services-a.html.md"))
        .unwrap()
        .modified()
        .unwrap();
    for format in ["human", "json", "github"] {
        let (exit, _) = run(common::bin()
            .current_dir(dir.path())
            .args(["check", "--format", format]));
        assert_eq!(exit, 2, "{format}");
    }
    assert_eq!(tree(dir.path()), before, "check changed the folder");
    assert!(!dir.path().join("public").exists());
    assert_eq!(
        std::fs::metadata(content.join("winnt-services-a.html.md"))
            .unwrap()
            .modified()
            .unwrap(),
        mtimes
    );
}

// ---------------------------------------------------------------------------
// serve: default port, --bind, --open
// ---------------------------------------------------------------------------

/// A running `svcguide serve`, killed when dropped.
struct Serving {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on a one-article guide and waits for its `serving URL` line.
fn serve(args: &[&str], path_env: Option<&Path>) -> Serving {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    write_files(dir.path(), &[(&format!("content/{a_name}"), &a_text)]);
    let mut cmd = common::bin();
    cmd.current_dir(dir.path())
        .args(["serve", "--content", "content"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if let Some(path) = path_env {
        cmd.env("PATH", path);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("serving ") {
                    break url.to_string();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("serve ended before printing its address");
            }
        }
    };
    // Keep reading stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving {
        child,
        url,
        _dir: dir,
    }
}

/// `GET path` on host:port; the status line.
fn status_line(host_port: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host_port)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(text(&out).lines().next().unwrap_or_default().to_string())
}

fn host_port(url: &str) -> String {
    url.strip_prefix("http://")
        .unwrap()
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn serve_listens_on_127_0_0_1_port_1111_or_the_next_free_one() {
    // Hold 1111 (unless someone else does already): serve takes the next free port.
    let held = std::net::TcpListener::bind(("127.0.0.1", 1111));
    let server = serve(&[], None);
    let hp = host_port(&server.url);
    let (host, port) = hp.rsplit_once(':').unwrap();
    let port: u16 = port.parse().unwrap();
    assert_eq!(host, "127.0.0.1");
    assert!((1112..=1120).contains(&port), "{}", server.url);
    assert_eq!(
        status_line(&hp, "/article/winnt-services-a.html").unwrap(),
        "HTTP/1.1 200 OK"
    );
    drop(server);
    drop(held);
    // 1111 free: serve takes it (another process may grab it in between; then
    // it must at least be busy).
    let server = serve(&[], None);
    let hp = host_port(&server.url);
    if hp != "127.0.0.1:1111" {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", 1111)).is_err(),
            "1111 was free but serve chose {}",
            server.url
        );
    }
}

#[test]
fn serve_bind_chooses_the_address() {
    // Any 127/8 address is loopback on Linux: the server must answer on the
    // one given and not on 127.0.0.1.
    let server = serve(&["--bind", "127.0.0.2", "--port", "0"], None);
    let hp = host_port(&server.url);
    assert!(hp.starts_with("127.0.0.2:"), "{}", server.url);
    assert_eq!(status_line(&hp, "/").unwrap(), "HTTP/1.1 200 OK");
    let port = hp.rsplit_once(':').unwrap().1;
    let other = status_line(&format!("127.0.0.1:{port}"), "/");
    assert!(other.is_err(), "answered on 127.0.0.1 too: {other:?}");
}

/// A folder holding a fake `xdg-open` that appends its argument to `opened`.
fn fake_opener(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = dir.join("opened");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, opened)
}

#[test]
fn open_hands_the_page_to_the_desktop_opener() {
    let tools = tempfile::tempdir().unwrap();
    let (bin, opened) = fake_opener(tools.path());
    let server = serve(&["--port", "0", "--open"], Some(&bin));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !opened.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap().trim(),
        server.url,
        "serve --open"
    );
    drop(server);
    // build --open opens the built home page from disk.
    std::fs::remove_file(&opened).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a_name, a_text) = article("winnt-services-a", "Alpha", "", "None");
    write_files(dir.path(), &[(&format!("content/{a_name}"), &a_text)]);
    let (exit, out) = run(common::bin()
        .current_dir(dir.path())
        .env("PATH", &bin)
        .args(["build", "--quiet", "--open"]));
    assert_eq!(exit, 0, "{}", text(&out.stderr));
    // The path as printed, relative to where build ran.
    let arg = std::fs::read_to_string(&opened).unwrap();
    assert_eq!(
        dir.path().join(arg.trim()).canonicalize().unwrap(),
        dir.path().join("public/index.html").canonicalize().unwrap()
    );
}
