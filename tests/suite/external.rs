//! `svcguide check --external` against a tiny HTTP server on 127.0.0.1 started by
//! each test (hand-written responses): 200, 404, a 301 → 302 → 200 chain, 429, a
//! 503-then-200 host and one that accepts and never answers. No test touches the
//! internet.

use crate::common;

#[cfg(feature = "external")]
mod with_the_feature {
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    use serde_json::Value;

    use super::common;

    /// The test server: counts requests per path, stops on drop.
    struct Server {
        addr: SocketAddr,
        stop: Arc<AtomicBool>,
        hits: Arc<Mutex<HashMap<String, usize>>>,
        accept: Option<JoinHandle<()>>,
    }

    impl Server {
        fn start() -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let addr = listener.local_addr().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let hits = Arc::new(Mutex::new(HashMap::new()));
            let (s, h) = (stop.clone(), hits.clone());
            let accept = std::thread::spawn(move || {
                let started = Instant::now();
                // Bounded: the server never lives longer than two minutes.
                while !s.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(120) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (s, h) = (s.clone(), h.clone());
                            std::thread::spawn(move || serve(stream, addr, &s, &h));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            });
            Server {
                addr,
                stop,
                hits,
                accept: Some(accept),
            }
        }

        fn url(&self, path: &str) -> String {
            format!("http://{}{path}", self.addr)
        }

        fn hits(&self, path: &str) -> usize {
            self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
        }

        /// Stops accepting and closes the port.
        fn stop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            if let Some(t) = self.accept.take() {
                t.join().unwrap();
            }
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.stop();
        }
    }

    fn serve(
        mut stream: TcpStream,
        addr: SocketAddr,
        stop: &AtomicBool,
        hits: &Mutex<HashMap<String, usize>>,
    ) {
        stream.set_nonblocking(false).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        let n = {
            let mut h = hits.lock().unwrap();
            let n = h.entry(path.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let (status, extra) = match path.as_str() {
            "/ok" | "/final" => ("200 OK", String::new()),
            "/r1" => (
                "301 Moved Permanently",
                format!("Location: http://{addr}/r2\r\n"),
            ),
            "/r2" => ("302 Found", "Location: /final\r\n".to_string()),
            "/busy" => ("429 Too Many Requests", "Retry-After: 0\r\n".to_string()),
            "/flaky" if n == 1 => ("503 Service Unavailable", String::new()),
            "/flaky" => ("200 OK", String::new()),
            "/slow" => {
                // Accept, then never answer (until the test is over).
                let started = Instant::now();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            _ => ("404 Not Found", String::new()),
        };
        let body = format!("<html><body>{status}</body></html>");
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
        let _ = stream.flush();
        let _ = stream.shutdown(std::net::Shutdown::Write);
        // Drain what the client still sends (a chunked terminator) so closing sends no RST.
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
    }

    /// A guide folder: svcguide.toml with `[external]` settings, and content/.
    fn guide(config_external: &str, files: &[(&str, String)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("svcguide.toml"),
            format!("content = \"content\"\n\n[external]\n{config_external}"),
        )
        .unwrap();
        for (name, text) in files {
            let path = dir.path().join("content").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// `svcguide check --external --format json` in the guide folder: (exit, report, stderr).
    fn check(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
        let output = common::bin()
            .current_dir(dir)
            .args(["check", "--external", "--format", "json", "--config"])
            .arg(dir.join("svcguide.toml"))
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let report =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        (output.status.code().unwrap_or(-1), report, stderr)
    }

    /// (code, file, line, col, target) of the external-* diagnostics, sorted.
    fn external(report: &Value) -> Vec<(String, String, u64, u64, String)> {
        let mut v: Vec<_> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"].as_str().unwrap().starts_with("external-"))
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["file"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["col"].as_u64().unwrap(),
                    d["target"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        v.sort();
        v
    }

    /// The external diagnostic whose target is `target` (exactly one).
    fn diag<'a>(report: &'a Value, target: &str) -> &'a Value {
        let found: Vec<&Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["target"] == target)
            .collect();
        assert_eq!(found.len(), 1, "{target} in {report:#}");
        found[0]
    }

    /// Line and column (1-based, in characters) of `[label](` in the file text.
    fn at(text: &str, label: &str) -> (u64, u64) {
        let i = text
            .find(&format!("[{label}]("))
            .unwrap_or_else(|| panic!("{label}"));
        let before = &text[..i];
        let line = before.matches('\n').count() as u64 + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
        (line, col)
    }

    fn page(title: &str, slug: &str, body: &str) -> String {
        format!("---\ntitle: '{title}'\nstatus: publish\npermalink: /article/{slug}.html\n---\n{body}\n")
    }

    /// A service article whose Supports item links outside the guide.
    fn service(supports_item: &str) -> String {
        format!(
            "---\ntitle: 'Example Service'\nstatus: publish\npermalink: /article/winnt-services-example.html\nid: 4242\ncategory:\n    - 'Services Guide'\n---\n\
             ##### Description:\n\nText.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- WinXP: Manual\n\n\
             ##### Process Name:\n\n- x.exe (X)\n\n##### Supports:\n\n- {supports_item}\n\n##### Depends:\n\n- None\n"
        )
    }

    const FAST: &str =
        "timeout = 2\nretries = 1\nretry_wait = \"100ms\"\ncheck_private = true\nper_host = 2\n";

    fn row(
        code: &str,
        file: &str,
        pos: (u64, u64),
        target: &str,
    ) -> (String, String, u64, u64, String) {
        (
            code.to_string(),
            file.to_string(),
            pos.0,
            pos.1,
            target.to_string(),
        )
    }

    #[test]
    fn every_kind_of_answer_is_reported_once_per_place_and_cached_when_settled() {
        let mut server = Server::start();
        let (ok, missing, r1, busy, slow, flaky) = (
            server.url("/ok"),
            server.url("/missing"),
            server.url("/r1"),
            server.url("/busy"),
            server.url("/slow"),
            server.url("/flaky"),
        );
        let links = page(
            "Links",
            "links",
            &format!(
                "Fine: [ok]({ok}) and [ok again]({ok}#part).\n\n\
                 Missing: [gone]({missing}).\n\n\
                 Moved: [moved]({r1}).\n\n\
                 Busy: [busy]({busy}).\n\n\
                 Slow: [slow]({slow}).\n\n\
                 Flaky: [flaky]({flaky}).\n\n\
                 Not checked: [files](ftp://ftp.example.invalid/f.zip) and [mail](mailto:a@example.invalid)."
            ),
        );
        let missing_frag = format!("{missing}#top");
        let svc = service(&format!("[Vendor]({missing_frag})"));
        let dir = guide(
            FAST,
            &[
                ("links.md", links.clone()),
                ("winnt-services-example.html.md", svc.clone()),
            ],
        );
        let svc_file = "winnt-services-example.html.md";
        let mut expected = vec![
            row("external-broken", "links.md", at(&links, "gone"), &missing),
            row("external-redirect", "links.md", at(&links, "moved"), &r1),
            row(
                "external-rate-limited",
                "links.md",
                at(&links, "busy"),
                &busy,
            ),
            row("external-broken", "links.md", at(&links, "slow"), &slow),
            row(
                "external-broken",
                svc_file,
                at(&svc, "Vendor"),
                &missing_frag,
            ),
        ];
        expected.sort();

        let (code, report, stderr) = check(dir.path(), &["--cache"]);
        assert_eq!(
            code, 0,
            "external problems are warnings: {report:#}\n{stderr}"
        );
        assert_eq!(external(&report), expected, "{report:#}\n{stderr}");
        // One fetch per URL however many places link to it; retries for transient answers.
        assert_eq!(server.hits("/ok"), 1);
        assert_eq!(server.hits("/missing"), 1);
        assert_eq!(server.hits("/r1"), 1);
        assert_eq!(server.hits("/final"), 1);
        assert_eq!(server.hits("/flaky"), 2, "503 is retried, then 200 is fine");
        assert_eq!(server.hits("/busy"), 2, "429 is retried once (retries = 1)");
        assert_eq!(server.hits("/slow"), 2, "a timeout is retried once");
        let redirect = diag(&report, &r1);
        assert_eq!(redirect["severity"], "info");
        assert!(
            redirect["help"]
                .as_str()
                .unwrap()
                .ends_with(&server.url("/final")),
            "{redirect}"
        );
        assert!(redirect["message"].as_str().unwrap().contains("2 hops"));
        assert!(diag(&report, &missing)["message"]
            .as_str()
            .unwrap()
            .contains("404"));
        assert_eq!(diag(&report, &busy)["severity"], "warning");
        assert!(diag(&report, &slow)["message"]
            .as_str()
            .unwrap()
            .contains("no answer"));
        assert!(stderr.contains("1 ftp:"), "{stderr}");
        assert!(stderr.contains("1 mailto:"), "{stderr}");

        // Only settled results are in the cache: no timeout, no 429.
        let cache: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(".svcguide-cache/external.json")).unwrap(),
        )
        .unwrap();
        let mut keys: Vec<&str> = cache["entries"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        let mut want = vec![ok.as_str(), missing.as_str(), r1.as_str(), flaky.as_str()];
        want.sort();
        assert_eq!(keys, want);

        // Second run with the server gone: the cached results come back as they were,
        // the uncached ones (429, timeout) now fail to connect.
        server.stop();
        let (code, report2, stderr2) = check(dir.path(), &["--cache"]);
        assert_eq!(code, 0);
        let mut expected2 = expected.clone();
        for r in &mut expected2 {
            if r.4 == busy {
                r.0 = "external-broken".into();
            }
        }
        expected2.sort();
        assert_eq!(external(&report2), expected2, "{report2:#}\n{stderr2}");
        for cached in [&missing, &missing_frag, &r1] {
            let m = diag(&report2, cached)["message"].as_str().unwrap();
            assert!(m.contains("cached"), "{cached}: {m}");
        }
        for fresh in [&busy, &slow] {
            let m = diag(&report2, fresh)["message"].as_str().unwrap();
            assert!(
                !m.contains("cached") && !m.contains("no answer"),
                "{fresh}: {m}"
            );
        }
        assert!(
            stderr2.contains("2 URL(s) checked, 4 from cache"),
            "{stderr2}"
        );

        // Without --cache the cache is not read: everything fails to connect.
        let (_, report3, _) = check(dir.path(), &[]);
        let broken: Vec<_> = external(&report3).into_iter().map(|r| (r.0, r.4)).collect();
        assert_eq!(broken.len(), 8, "every place fails to connect: {report3:#}");
        assert!(broken.iter().all(|(c, _)| c == "external-broken"));

        // Results older than max_age are not trusted.
        let toml = dir.path().join("svcguide.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, format!("{text}max_age = 0\n")).unwrap();
        let (_, report4, stderr4) = check(dir.path(), &["--cache"]);
        assert_eq!(external(&report4).len(), 8, "{report4:#}");
        assert!(stderr4.contains("0 from cache"), "{stderr4}");
    }

    #[test]
    fn excluded_urls_are_not_fetched() {
        let server = Server::start();
        let (ok, missing, r1) = (server.url("/ok"), server.url("/missing"), server.url("/r1"));
        let text = page(
            "Links",
            "links",
            &format!("[a]({ok}) [b]({missing}) [c]({r1})\n\n[d]({missing}?q=1)"),
        );
        let dir = guide(
            &format!("{FAST}exclude = [\"^http://127\\\\.0\\\\.0\\\\.1:[0-9]+/missing\"]\n"),
            &[("links.md", text.clone())],
        );
        let (code, report, stderr) = check(dir.path(), &[]);
        assert_eq!(code, 0);
        assert_eq!(
            external(&report),
            vec![row("external-redirect", "links.md", at(&text, "c"), &r1)],
            "{stderr}"
        );
        assert_eq!(server.hits("/missing"), 0);
        assert_eq!(server.hits("/ok"), 1);
        assert!(stderr.contains("2 link(s) excluded"), "{stderr}");
    }

    #[test]
    fn private_hosts_are_skipped_unless_asked_for() {
        let server = Server::start();
        let missing = server.url("/missing");
        let text = page("Links", "links", &format!("[gone]({missing})"));
        let dir = guide("timeout = 2\n", &[("links.md", text)]);
        let (code, report, stderr) = check(dir.path(), &[]);
        assert_eq!(code, 0);
        assert_eq!(external(&report), vec![]);
        assert_eq!(server.hits("/missing"), 0);
        assert!(
            stderr.contains("1 link(s) to private hosts skipped"),
            "{stderr}"
        );
    }

    #[test]
    fn a_bad_exclude_pattern_is_a_clear_error() {
        let dir = guide("exclude = [\"(\"]\n", &[("a.md", page("A", "a", "x"))]);
        let output = common::bin()
            .current_dir(dir.path())
            .args(["check", "--external", "--config", "svcguide.toml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("exclude pattern `(`"), "{stderr}");
    }

    #[test]
    fn cache_needs_external() {
        let dir = guide("", &[("a.md", page("A", "a", "x"))]);
        let output = common::bin()
            .current_dir(dir.path())
            .args(["check", "--cache"])
            .output()
            .unwrap();
        // A usage error: 64, never 2 (which says "errors found").
        assert_eq!(output.status.code(), Some(64), "a usage error");
    }
}

#[cfg(not(feature = "external"))]
#[test]
fn without_the_feature_external_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    let output = common::bin()
        .current_dir(dir.path())
        .args(["check", "--external"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("built without the `external` feature"),
        "{stderr}"
    );
}
