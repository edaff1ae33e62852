//! `svcguide serve` end to end: a real server process on a free loopback port,
//! driven over HTTP and its live-reload event stream while the test edits a
//! temp copy of `tests/fixtures/serve`. After every edit the served site must
//! equal a fresh `svcguide build` file for file, and the background full build
//! must have found no page the incremental rebuild got wrong.
//!
//! Every wait is bounded; the server is killed when a test ends, pass or fail.

use crate::common;
use crate::common::copy_dir;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::gen_corpus;

const WAIT: Duration = Duration::from_secs(60);

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_svcguide"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/content")
}

struct Server {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
    stderr: Arc<Mutex<String>>,
    builds: usize,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- svcguide serve stderr ---\n{}",
                self.stderr.lock().unwrap()
            );
        }
    }
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(), &dir.path().join("content"));
        Server::start_in(dir, extra)
    }

    /// Serves `dir/content`.
    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let mut child = bin()
            .current_dir(dir.path())
            .args(["serve", "--port", "0", "--content", "content", "--verbose"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = common::drain_stderr(&mut child);
        let (tx, rx) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            dir,
            stderr,
            builds: 0,
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve printed no address in time"));
            if let Some(url) = line.strip_prefix("serving http://") {
                server.addr = url.trim_end_matches('/').to_string();
                break;
            }
        }
        server
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn get(&self, path: &str) -> Resp {
        get(&self.addr, path)
    }

    fn status(&self) -> Value {
        let r = self.get("/__svcguide/status");
        assert_eq!(r.status, 200);
        serde_json::from_slice(&r.body).unwrap()
    }

    /// Waits until the whole site (background full build included) is served.
    fn wait_complete(&self) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.status();
            if s["complete"] == true || s["broken"] == true {
                return s;
            }
            assert!(Instant::now() < deadline, "site never completed: {s}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Builds the same folder with `svcguide build` and compares every file with
    /// what the server serves (minus the injected reload script).
    fn assert_matches_full_build(&mut self) {
        // Let any straggling file-system event be handled first.
        std::thread::sleep(Duration::from_millis(300));
        let status = self.wait_complete();
        assert_eq!(status["broken"], false, "{status}");
        assert_eq!(
            status["stats"]["mismatches"], 0,
            "the incremental rebuild served a page that differs from a full build: {status}"
        );
        self.builds += 1;
        let out = self.path(&format!("built-{}", self.builds));
        let o = bin()
            .current_dir(self.dir.path())
            .args(["build", "-q", "--content", "content", "--output"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(out.join("index.html").exists(), "build failed: {o:?}");
        let mut files = Vec::new();
        walk(&out, &out, &mut files);
        assert!(files.len() > 20);
        let mut differ = Vec::new();
        for rel in &files {
            let want = std::fs::read(out.join(rel)).unwrap();
            let r = self.get(&format!("/{rel}"));
            let got = if rel.ends_with(".html") {
                strip_injection(&r.body)
            } else {
                r.body.clone()
            };
            if r.status != 200 || got != want {
                differ.push(format!("{rel} ({})", r.status));
            }
        }
        assert!(
            differ.is_empty(),
            "served files differ from a full build: {differ:?}"
        );
        let status = self.status();
        assert_eq!(
            status["files"].as_u64().unwrap() as usize,
            files.len(),
            "the server holds other files than a full build makes"
        );
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let p = entry.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel != ".svcguide-output" {
                out.push(rel);
            }
        }
    }
    out.sort();
}

/// Removes the `<script src=".../__svcguide/reload.js" ...></script>` line (and
/// the badge of problems caused by edits, injected before it).
fn strip_injection(html: &[u8]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(html).to_string();
    if let Some(start) = text.find("<details id=\"svcguide-problems\"") {
        let end = start + text[start..].find("</details>\n").unwrap() + "</details>\n".len();
        text.replace_range(start..end, "");
    }
    let Some(i) = text.find("__svcguide/reload.js") else {
        return text.into_bytes();
    };
    let start = text[..i].rfind("<script").unwrap();
    let end = i + text[i..].find("</script>\n").unwrap() + "</script>\n".len();
    let mut out = text[..start].to_string();
    out.push_str(&text[end..]);
    out.into_bytes()
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn parse_response(raw: &[u8], head_only: bool) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if !head_only {
            assert!(body.len() >= len, "short body");
        }
        body.truncate(len);
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// Sends raw bytes on a new connection and reads until the server closes it.
fn raw_request(addr: &str, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn get(addr: &str, path: &str) -> Resp {
    let raw = raw_request(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    parse_response(&raw, false)
}

/// The live-reload stream, read on a thread of its own.
struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    fn open(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
        s.write_all(
            b"GET /__svcguide/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n",
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(s);
            let mut line = String::new();
            // Response head.
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
            }
            let (mut event, mut data) = (String::new(), String::new());
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let l = line.trim_end_matches(['\r', '\n']);
                if l.is_empty() {
                    if !event.is_empty() && tx.send((event.clone(), data.clone())).is_err() {
                        return;
                    }
                    event.clear();
                    data.clear();
                } else if let Some(e) = l.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(d) = l.strip_prefix("data: ") {
                    data = d.to_string();
                }
            }
        });
        let events = Events { rx };
        events.expect("hello");
        events
    }

    /// The data of the next event of that name (other events are skipped).
    fn expect(&self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((e, d)) if e == name => return d,
                Ok(_) => {}
                Err(_) => panic!("no `{name}` event in time"),
            }
        }
    }

    /// True if no event arrives within `d`.
    fn quiet_for(&self, d: Duration) -> bool {
        self.rx.recv_timeout(d).is_err()
    }

    fn drain(&self) {
        while self.rx.try_recv().is_ok() {}
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn edits_renames_deletions_and_templates_are_served_as_a_full_build_would() {
    let mut server = Server::start(&[]);
    let events = Events::open(&server.addr);
    server.assert_matches_full_build();
    let page = |s: &Server, p: &str| s.get(p).text();
    assert!(page(&server, "/article/svc-event.html").contains("__svcguide/reload.js"));

    // 1. Text of one article (the in-place path): only that page changes.
    let before = page(&server, "/article/svc-rpc.html");
    edit(
        &server.path("content/services/svc-event.html.md"),
        "Writes the system",
        "Keeps the system",
    );
    events.expect("reload");
    assert!(page(&server, "/article/svc-event.html").contains("Keeps the system"));
    assert_eq!(
        strip_injection(before.as_bytes()),
        strip_injection(page(&server, "/article/svc-rpc.html").as_bytes())
    );
    server.assert_matches_full_build();

    // 2. A title: every page that lists the service shows the new one.
    edit(
        &server.path("content/services/svc-wks.html.md"),
        "title: 'Workstation'",
        "title: 'Workstation Client'",
    );
    events.expect("reload");
    assert!(page(&server, "/article/svc-wks.html").contains("Workstation Client"));
    assert!(page(&server, "/article/svc-rpc.html").contains("Workstation Client"));
    server.assert_matches_full_build();

    // 3. A new article depending on another: both pages change.
    let new = std::fs::read_to_string(server.path("content/services/svc-netlogon.html.md"))
        .unwrap()
        .replace("svc-netlogon", "svc-helper")
        .replace("Net Logon", "Helper Service")
        .replace("id: 506", "id: 530")
        .replace(
            "[Workstation](/article/svc-wks.html)",
            "[Event Log](/article/svc-event.html)",
        );
    std::fs::write(server.path("content/services/svc-helper.html.md"), new).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/article/svc-helper.html").status, 200);
    assert!(page(&server, "/article/svc-event.html").contains("Helper Service"));
    server.assert_matches_full_build();

    // 4. A rename with a new permalink: the old address is gone.
    let old = server.path("content/services/svc-netlogon.html.md");
    let text = std::fs::read_to_string(&old)
        .unwrap()
        .replace("/article/svc-netlogon.html", "/article/svc-logon.html");
    std::fs::write(server.path("content/services/svc-logon.html.md"), text).unwrap();
    std::fs::remove_file(&old).unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(server.get("/article/svc-netlogon.html").status, 404);
    assert_eq!(server.get("/article/svc-logon.html").status, 200);

    // 4b. `mv`, then an editor's save through a temporary file (`sed -i`):
    // the watcher's debouncer reported only a remove and a create of the new
    // name, and the old article stayed in the guide.
    let from = server.path("content/services/svc-logon.html.md");
    let to = server.path("content/services/svc-logon2.html.md");
    std::fs::rename(&from, &to).unwrap();
    let text = std::fs::read_to_string(&to)
        .unwrap()
        .replace("/article/svc-logon.html", "/article/svc-logon2.html");
    let temp = server.path("content/services/.sedtmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, &to).unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(server.get("/article/svc-logon.html").status, 404);
    assert_eq!(server.get("/article/svc-logon2.html").status, 200);

    // 5. A deletion.
    std::fs::remove_file(server.path("content/services/svc-server.html.md")).unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(server.get("/article/svc-server.html").status, 404);

    // 6. A draft published.
    edit(
        &server.path("content/services/svc-draft.html.md"),
        "status: draft",
        "status: publish",
    );
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(server.get("/article/svc-draft.html").status, 200);

    // 7. A template: every page is rendered again.
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"))
            .unwrap();
    std::fs::create_dir_all(server.path("templates")).unwrap();
    std::fs::write(
        server.path("templates/base.html"),
        base.replace(
            "</head>",
            "<meta name=\"x-test\" content=\"custom\">\n</head>",
        ),
    )
    .unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert!(page(&server, "/article/svc-rpc.html").contains("x-test"));
    assert!(page(&server, "/").contains("x-test"));

    // 8. The theme and the configuration.
    std::fs::create_dir_all(server.path("theme")).unwrap();
    std::fs::write(server.path("theme/style.css"), "body { color: teal }\n").unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(
        server.get("/theme/style.css").text(),
        "body { color: teal }\n"
    );
    std::fs::write(server.path("svcguide.toml"), "title = \"Test Guide\"\n").unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert!(page(&server, "/article/svc-rpc.html").contains("Test Guide"));

    // 9. An asset.
    std::fs::write(server.path("content/images/notes.txt"), "New notes.\n").unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    assert_eq!(server.get("/images/notes.txt").text(), "New notes.\n");

    // 10. Editor droppings change nothing.
    events.drain();
    std::fs::write(server.path("content/services/.svc-rpc.html.md.swp"), "x").unwrap();
    std::fs::write(server.path("content/services/svc-rpc.html.md~"), "x").unwrap();
    std::fs::write(server.path("content/services/#svc-rpc.html.md#"), "x").unwrap();
    assert!(
        events.quiet_for(Duration::from_millis(800)),
        "a temp file caused a reload"
    );

    // 11. Several edits in a burst end up as one consistent site.
    for i in 0..5 {
        edit(
            &server.path("content/services/svc-rpc.html.md"),
            if i == 0 {
                "Lets programs"
            } else {
                "Allows programs"
            },
            "Allows programs",
        );
        edit(
            &server.path("content/services/svc-event.html.md"),
            "Keeps the system",
            "Keeps the system",
        );
    }
    events.expect("reload");
    server.assert_matches_full_build();
    let stats = server.status();
    assert!(stats["stats"]["updates"].as_u64().unwrap() >= 9, "{stats}");
}

#[test]
fn a_broken_build_keeps_the_last_good_pages_and_shows_an_overlay() {
    let mut server = Server::start(&[]);
    let events = Events::open(&server.addr);
    server.wait_complete();
    let good = server.get("/article/svc-event.html").text();
    let file = server.path("content/services/svc-event.html.md");
    let text = std::fs::read_to_string(&file).unwrap();

    // Front matter that is not YAML: the article would drop out of the site.
    std::fs::write(
        &file,
        text.replacen("title: 'Event Log'", "title: [<b>unclosed", 1),
    )
    .unwrap();
    events.expect("reload");
    let status = server.status();
    assert_eq!(status["broken"], true, "{status}");
    let shown = server.get("/article/svc-event.html");
    assert_eq!(shown.status, 200, "the last good page is still served");
    let body = shown.text();
    assert!(body.contains("svcguide-overlay"));
    assert!(
        body.contains("services/svc-event.html.md:"),
        "file:line in the overlay"
    );
    assert!(body.contains("frontmatter-syntax"));
    assert!(!body.contains("<b>unclosed"), "overlay text is escaped");
    assert!(body.contains("Writes the system"), "old content kept");
    // The terminal gets the same diagnostics; its stderr arrives through a reader thread.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stderr.lock().unwrap().contains("svc-event.html.md") && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.stderr.lock().unwrap().contains("svc-event.html.md"));
    // Other pages get the overlay too, and the site stays the last good one.
    assert!(server.get("/").text().contains("svcguide-overlay"));
    let start = body.find("<div id=\"svcguide-overlay\"").unwrap();
    let end = start + body[start..].find("</div>\n").unwrap() + "</div>\n".len();
    let without = format!("{}{}", &body[..start], &body[end..]);
    assert_eq!(
        strip_injection(good.as_bytes()),
        strip_injection(without.as_bytes())
    );

    // Fixing the file clears the overlay. Under load the watcher may read the
    // file between the truncation and the write (an editor's save can do the
    // same) and publish one more broken build first, so wait for the reload
    // that follows the last event.
    std::fs::write(&file, &text).unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        events.expect("reload");
        if server.status()["broken"] == false {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the fix never cleared the overlay"
        );
    }
    assert!(!server
        .get("/article/svc-event.html")
        .text()
        .contains("svcguide-overlay"));
    server.assert_matches_full_build();

    // A template that does not compile: same story.
    std::fs::create_dir_all(server.path("templates")).unwrap();
    std::fs::write(
        server.path("templates/page.html"),
        "{% extends \"base.html\" %}{% block main %}{{ oops(",
    )
    .unwrap();
    events.expect("reload");
    let body = server.get("/article/svc-hosts.html").text();
    assert!(body.contains("svcguide-overlay"), "template error shown");
    assert!(body.contains("template"), "{body}");
    std::fs::remove_file(server.path("templates/page.html")).unwrap();
    events.expect("reload");
    assert!(!server
        .get("/article/svc-hosts.html")
        .text()
        .contains("svcguide-overlay"));
    server.assert_matches_full_build();
}

#[test]
fn only_site_files_are_served_with_their_types() {
    let server = Server::start(&[]);
    server.wait_complete();
    let a = &server.addr;
    for (path, ty) in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/article/svc-rpc.html", "text/html"),
        ("/theme/style.css", "text/css"),
        ("/search-index.js", "text/javascript"),
        ("/services.json", "application/json"),
        ("/sitemap.xml", "application/xml"),
        ("/images/host.png", "image/png"),
        ("/images/notes.txt", "text/plain"),
        ("/os/", "text/html"),
    ] {
        let r = get(a, path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type").unwrap().starts_with(ty),
            "{path}: {:?}",
            r.header("content-type")
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    // The reload script goes into HTML pages only, never elsewhere.
    assert!(!get(a, "/services.json").text().contains("reload.js"));
    assert!(get(a, "/article/svc-rpc.html")
        .text()
        .contains("src=\"../__svcguide/reload.js\""));
    assert!(get(a, "/").text().contains("src=\"__svcguide/reload.js\""));
    // A folder without its slash is redirected (relatively).
    let r = get(a, "/os");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("os/"));
    // Misses get the site's 404 page with status 404.
    let r = get(a, "/article/nothing-here.html");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Page not found"), "{}", r.text());
    assert!(r.text().contains("src=\"../__svcguide/reload.js\""));

    // Traversal in every spelling is refused before any lookup.
    for target in [
        "/../Cargo.toml",
        "/article/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd",
        "/article%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/..\\..\\etc\\passwd",
        "/article/svc-rpc.html%00.png",
        "/.%2e/etc/passwd",
        "//etc/passwd",
        "/%c0%ae%c0%ae/etc/passwd",
        "/C:/Windows/win.ini",
    ] {
        let raw = raw_request(
            a,
            format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let r = parse_response(&raw, false);
        assert_eq!(r.status, 400, "{target} gave {}", r.status);
    }
    // Methods, bodies, versions.
    let r = parse_response(
        &raw_request(
            a,
            b"POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ),
        false,
    );
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    let r = parse_response(
        &raw_request(
            a,
            b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
        ),
        false,
    );
    assert_eq!(r.status, 413);
    let r = parse_response(
        &raw_request(a, b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n"),
        false,
    );
    // hyper refuses a request line of another version as malformed.
    assert_eq!(r.status, 400);
    let r = parse_response(&raw_request(a, b"GARBAGE\r\n\r\n"), false);
    assert_eq!(r.status, 400);
    let r = parse_response(
        &raw_request(
            a,
            b"HEAD /article/svc-rpc.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ),
        true,
    );
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert!(
        r.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 1000
    );
    // Oversized heads.
    let big = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let r = parse_response(&raw_request(a, big.as_bytes()), false);
    assert_eq!(r.status, 431);
    let many: String = (0..500).map(|i| format!("X-{i}: y\r\n")).collect();
    let r = parse_response(
        &raw_request(a, format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
        false,
    );
    assert_eq!(r.status, 431);
    // Keep-alive: several requests on one connection, pipelined.
    let raw = raw_request(
        a,
        b"GET /theme/style.css HTTP/1.1\r\nHost: localhost\r\n\r\nGET /images/notes.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
}

#[test]
fn slow_and_idle_clients_do_not_block_others() {
    // No wall-clock limit per request (a loaded 2-core machine stalls for seconds):
    // the proof is the order of events. The slow client's head timeout is 10 s;
    // if requests queued behind it, none would be answered before it is cut off,
    // so after 20 answered requests its 408 must not be there yet.
    let server = Server::start(&["--head-timeout-ms", "10000"]);
    server.wait_complete();
    let a = server.addr.clone();
    // A client that starts a request and stalls, and many that never send anything.
    let mut slow = TcpStream::connect(&a).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let idle: Vec<TcpStream> = (0..100).map(|_| TcpStream::connect(&a).unwrap()).collect();
    for _ in 0..20 {
        let r = get(&a, "/article/svc-rpc.html");
        assert_eq!(r.status, 200);
    }
    slow.set_nonblocking(true).unwrap();
    let mut first = [0u8; 1];
    match slow.read(&mut first) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the slow client was answered before the others were served: {other:?}"),
    }
    // The slow client is cut off with 408 once its time is up.
    slow.set_nonblocking(false).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut out = Vec::new();
    let _ = slow.read_to_end(&mut out);
    assert!(
        String::from_utf8_lossy(&out).starts_with("HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    drop(idle);
}

/// A tiny deterministic generator for the edit sequence.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The text after `marker` up to the next `#####` heading (or the end).
/// The `title:` line of an article.
fn title_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("title: "))
        .expect("a title line")
        .to_string()
}

fn replace_section(text: &str, marker: &str, body: &str) -> String {
    let start = text.find(marker).expect("section") + marker.len();
    let end = text[start..]
        .find("\n#####")
        .map_or(text.len(), |e| start + e);
    format!("{}\n\n{body}\n{}", &text[..start], &text[end..])
}

#[test]
fn random_edits_of_a_generated_guide_match_full_builds() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let n = 150;
    gen_corpus::generate(n, &content, 7, 0.03, 0.0).unwrap();
    let mut server = Server::start_in(dir, &[]);
    let events = Events::open(&server.addr);
    server.assert_matches_full_build();
    let file = |i: usize| content.join(format!("services/winnt-services-svc{i:05}.html.md"));
    let mut rng = Lcg(42);
    let mut alive: Vec<usize> = (0..n).collect();
    let mut next_new = n;
    for step in 0..14 {
        let i = alive[rng.below(alive.len())];
        let path = file(i);
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = step % 7;
        match kind {
            // Prose.
            0 => std::fs::write(
                &path,
                text.replacen(
                    "##### Description:\n\n",
                    &format!("##### Description:\n\nStep {step}. "),
                    1,
                ),
            )
            .unwrap(),
            // Title (core services are listed by many pages).
            1 => {
                let target = if step % 2 == 0 { i / 100 * 100 } else { i };
                let p = file(target);
                let t = std::fs::read_to_string(&p).unwrap();
                let line = title_line(&t);
                let renamed = match line.strip_suffix('\'') {
                    Some(l) => format!("{l} v{step}'"),
                    None => format!("{line} v{step}"),
                };
                std::fs::write(&p, t.replacen(&line, &renamed, 1)).unwrap();
            }
            // New Depends links (to a live and to a missing article).
            2 => {
                let j = alive[rng.below(alive.len())];
                let body = format!(
                    "- [Target {j}](/article/winnt-services-svc{j:05}.html)\n- [Gone](/article/winnt-services-gone{step}.html)"
                );
                std::fs::write(&path, replace_section(&text, "##### Depends:", &body)).unwrap();
            }
            // A deletion.
            3 => {
                std::fs::remove_file(&path).unwrap();
                alive.retain(|&k| k != i);
            }
            // A new article that depends on an existing one.
            4 => {
                let k = next_new;
                next_new += 1;
                let t = text
                    .replace(&format!("svc{i:05}"), &format!("svc{k:05}"))
                    .replacen("\nid: ", "\nid: 9", 1);
                std::fs::write(file(k), t).unwrap();
                alive.push(k);
            }
            // Draft and back.
            5 => {
                std::fs::write(&path, text.replacen("status: publish", "status: draft", 1)).unwrap()
            }
            // A rename with a new permalink.
            _ => {
                let k = next_new;
                next_new += 1;
                std::fs::write(
                    file(k),
                    text.replace(&format!("svc{i:05}"), &format!("svc{k:05}")),
                )
                .unwrap();
                std::fs::remove_file(&path).unwrap();
                alive.retain(|&x| x != i);
                alive.push(k);
            }
        }
        events.expect("reload");
        server.assert_matches_full_build();
        if kind == 5 {
            // Publish it again.
            std::fs::write(&path, text).unwrap();
            events.expect("reload");
            server.assert_matches_full_build();
        }
    }
}

#[test]
#[ignore = "needs node, `npm ci` in tests/node and chromium: run with --include-ignored (.ci/run does)"]
fn live_reload_and_overlay_in_headless_chromium() {
    let tools = common::require(common::browser_tools());
    let server = Server::start(&[]);
    server.wait_complete();
    let mut child = Command::new(&tools.node)
        .arg("--test")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/serve.test.mjs"))
        .env("CHROMIUM", &tools.chromium)
        .env("SVCGUIDE_SERVE_URL", format!("http://{}/", server.addr))
        .env("SVCGUIDE_SERVE_CONTENT", server.path("content"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: a browser that hangs fails the test instead of the whole run.
    let deadline = Instant::now() + Duration::from_secs(240);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::tap_count(&stdout, "fail"), 0, "{stdout}");
    assert_eq!(common::tap_count(&stdout, "skipped"), 0, "{stdout}");
    assert_eq!(common::tap_count(&stdout, "pass"), 3, "{stdout}");
}

/// Deleting a page others link to keeps every page served (nothing stops a
/// page), but the problems it causes in the other articles are named in the
/// terminal and listed in a badge over every page (issue 17).
#[test]
fn problems_an_edit_causes_elsewhere_are_named_and_badged() {
    let server = Server::start(&[]);
    server.wait_complete();
    std::fs::remove_file(server.path("content/services/svc-rpc.html.md")).unwrap();
    let deadline = Instant::now() + WAIT;
    let problems = loop {
        let s = server.status();
        let p = s["stats"]["problems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if s["complete"] == true && !p.is_empty() {
            break p;
        }
        assert!(Instant::now() < deadline, "no problems reported: {s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let text: Vec<&str> = problems.iter().filter_map(Value::as_str).collect();
    assert!(
        text.iter()
            .any(|p| p.starts_with("services/svc-event.html.md:")
                && p.contains("ref-unwritten")
                && p.contains("/article/svc-rpc.html")),
        "{text:?}"
    );
    let page = server.get("/article/svc-event.html").text();
    assert!(page.contains("id=\"svcguide-problems\""), "{page}");
    assert!(page.contains("caused by your edits"));
    let stderr = server.stderr.lock().unwrap().clone();
    assert!(
        stderr.contains("your edits caused problems in") && stderr.contains("svc-event.html.md"),
        "{stderr}"
    );
}

/// Static files are served, and a static folder created while serving is seen.
#[test]
fn static_files_are_served_and_watched() {
    let server = Server::start(&[]);
    server.wait_complete();
    std::fs::create_dir(server.path("static")).unwrap();
    std::fs::create_dir(server.path("static/assets")).unwrap();
    std::fs::write(server.path("static/assets/hello.txt"), "hello").unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let r = server.get("/assets/hello.txt");
        if r.status == 200 {
            assert_eq!(r.text(), "hello");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "static file never served: {}",
            r.status
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(server.path("static/assets/hello.txt"), "hello again").unwrap();
    let deadline = Instant::now() + WAIT;
    while server.get("/assets/hello.txt").text() != "hello again" {
        assert!(
            Instant::now() < deadline,
            "the changed static file was not served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A content file at a generated path (`theme/search.js`) is never served in
/// its place, before or after the full build (issue 21, item 1).
#[test]
fn a_content_file_never_replaces_a_generated_one() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), &dir.path().join("content"));
    std::fs::create_dir_all(dir.path().join("content/theme")).unwrap();
    std::fs::write(dir.path().join("content/theme/search.js"), "alert('x')").unwrap();
    let server = Server::start_in(dir, &[]);
    let js = server.get("/theme/search.js");
    assert!(!js.text().contains("alert('x')"), "{}", js.status);
    server.wait_complete();
    let js = server.get("/theme/search.js");
    assert_eq!(js.status, 200);
    assert!(!js.text().contains("alert('x')"));
}

/// A new title is re-rendered only within the reach of the lists that show it
/// (`TITLE_REACH` in serve::engine); on a ring and on long chains, where every
/// page reaches every other, the pages far along must still match a full build.
#[test]
fn retitles_on_rings_and_chains_match_full_builds() {
    for shape in [gen_corpus::Shape::Ring, gen_corpus::Shape::Chain] {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        gen_corpus::generate_shaped(40, &content, shape, 5, 0.0, 0.0).unwrap();
        let mut server = Server::start_in(dir, &[]);
        let events = Events::open(&server.addr);
        server.assert_matches_full_build();
        for (step, i) in [0usize, 20, 39].into_iter().enumerate() {
            let path = content.join(format!("services/winnt-services-svc{i:05}.html.md"));
            let text = std::fs::read_to_string(&path).unwrap();
            let line = title_line(&text);
            // "A…" sorts first: the page moves into the nearest lists that end at its depth.
            let renamed = line.replacen("title: ", &format!("title: A{step} "), 1);
            std::fs::write(&path, text.replacen(&line, &renamed, 1)).unwrap();
            events.expect("reload");
            server.assert_matches_full_build();
        }
    }
}

/// On a ring, a new article changes the impact summaries of the pages it
/// depends on, directly or not (on the versions its links hold). The reload
/// waits only for the new article's own page; the rest are rendered after it,
/// and a request for one of them in between waits for it instead of getting
/// the old count.
#[test]
fn other_pages_follow_the_reload_and_are_never_served_stale() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let n = 40;
    gen_corpus::generate_shaped(n, &content, gen_corpus::Shape::Ring, 5, 0.0, 0.0).unwrap();
    let mut server = Server::start_in(dir, &[]);
    let events = Events::open(&server.addr);
    server.assert_matches_full_build();
    let count = |body: &[u8]| {
        let html = String::from_utf8_lossy(body).into_owned();
        let at = html
            .find("<p class=\"impact-count\">")
            .expect("an impact count")
            + 24;
        html[at..].split(' ').next().unwrap().to_string()
    };
    // The page the new article depends on: one more service stops with it.
    let far = "/article/winnt-services-svc00011.html";
    let before: usize = count(&server.get(far).body).parse().unwrap();

    let text =
        std::fs::read_to_string(content.join("services/winnt-services-svc00010.html.md")).unwrap();
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap()
            .to_string()
    };
    let new = text
        .replacen(&line("title: "), "title: 'Fresh Dependent'", 1)
        .replacen(
            &line("permalink: "),
            "permalink: /article/winnt-services-fresh.html",
            1,
        )
        .replacen(&line("id: "), "id: 987654", 1);
    std::fs::write(content.join("services/winnt-services-fresh.html.md"), new).unwrap();
    events.expect("reload");
    // Asked for at once: the page is either already rendered again or waited for.
    assert_eq!(count(&server.get(far).body), (before + 1).to_string());
    let deadline = Instant::now() + WAIT;
    // The pages upstream: the impact summaries, and the "required by" list
    // of the one it depends on.
    let said = "page(s) of other files";
    while !server.stderr.lock().unwrap().contains(said) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(
        server.stderr.lock().unwrap().contains(said),
        "the ring's other pages were not left for after the reload"
    );
    server.assert_matches_full_build();
}

/// Edits whose effects reach pages they do not touch, each against a full
/// build: `serve` makes render keys only for the pages such an edit can
/// change (see `Engine::rebuild_guide`), so each way of reaching one is here.
#[test]
fn edits_that_reach_untouched_pages_match_full_builds() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    gen_corpus::generate(60, &content, 11, 0.0, 0.0).unwrap();
    let mut server = Server::start_in(dir, &[]);
    let events = Events::open(&server.addr);
    server.assert_matches_full_build();
    let file = |name: &str| content.join(format!("services/{name}.html.md"));
    let read = |name: &str| std::fs::read_to_string(file(name)).unwrap();
    let link = |i: usize, scope: &str| {
        format!("- [Service {i}](/article/winnt-services-svc{i:05}.html){scope}")
    };

    // A Supports link limited to some versions: the versions of the page it names.
    let text = read("winnt-services-svc00040");
    let body = format!("{}\n{}", link(3, " (WinXP only)"), link(7, " (Vista+)"));
    std::fs::write(
        file("winnt-services-svc00040"),
        replace_section(&text, "##### Supports:", &body),
    )
    .unwrap();
    events.expect("reload");
    server.assert_matches_full_build();

    // The versions a service exists on: the links through it hold on others,
    // so the counts of the services it and its dependents depend on change.
    for labels in ["- Win7: Manual", "- WinNT4: Manual"] {
        let text = read("winnt-services-svc00020");
        std::fs::write(
            file("winnt-services-svc00020"),
            replace_section(&text, "##### Default State:", labels),
        )
        .unwrap();
        events.expect("reload");
        server.assert_matches_full_build();
    }

    // A Depends link to a page that does not exist yet, then the page.
    let text = read("winnt-services-svc00041");
    let body = "- [Later](/article/winnt-services-later.html)";
    std::fs::write(
        file("winnt-services-svc00041"),
        replace_section(&text, "##### Depends:", body),
    )
    .unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
    let later = read("winnt-services-svc00042")
        .replace("svc00042", "later")
        .replacen("\nid: ", "\nid: 8", 1);
    std::fs::write(file("winnt-services-later"), &later).unwrap();
    events.expect("reload");
    server.assert_matches_full_build();

    // A second file of a permalink is held back (an error, so the build is
    // shown broken) and comes in when the first goes, with links of its own.
    let second = later.replacen("\nid: ", "\nid: 7", 1).replace(
        "##### Depends:",
        &format!("##### Depends:\n\n{}\n", link(5, "")),
    );
    std::fs::write(file("winnt-services-later2"), second).unwrap();
    events.expect("reload");
    let deadline = Instant::now() + WAIT;
    while server.status()["broken"] != true && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(
        server.status()["broken"],
        true,
        "a duplicate permalink is an error"
    );
    std::fs::remove_file(file("winnt-services-later")).unwrap();
    events.expect("reload");
    server.assert_matches_full_build();
}
