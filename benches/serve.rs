//! Benchmark of `svcguide serve` on a generated guide (default 10,000 articles):
//!
//! * the full build (`svcguide build`) for comparison;
//! * the time from saving one article to the live-reload event, for an edit of
//!   the text (in place), of a title (in place, new title), of a Depends link
//!   (graph patched), a new and a deleted article (guide rebuilt); each
//!   measured with the server idle, and text edits also back to
//!   back while the background full build of the previous edit still runs;
//! * a load test: 20,000 GET requests over 8 kept-alive connections from
//!   127.0.0.1, with the error count and requests per second.
//!
//! Run it with `cargo bench --bench serve` (10,000 articles), or smaller:
//! `SVCGUIDE_BENCH_N=2000 SVCGUIDE_BENCH_EDITS=5 cargo bench --bench serve`, and
//! on another shape of dependency graph: `SVCGUIDE_BENCH_SHAPE=chain` (`layered`,
//! `chain`, `ring`, `hub`; examples/gen_corpus.rs). The structural edits (titles,
//! links, articles) run `SVCGUIDE_BENCH_ROUNDS` times each (default 5).
//!
//! Every wait is bounded; the server is killed at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

#[path = "../examples/gen_corpus.rs"]
#[allow(dead_code)]
mod gen_corpus;

const WAIT: Duration = Duration::from_secs(600);

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_svcguide"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One kept-alive connection.
struct Conn {
    r: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            r: BufReader::with_capacity(64 * 1024, s),
        }
    }

    /// (status, body length); `Err` on a broken connection.
    fn get(&mut self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        self.r
            .get_mut()
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())?;
        let mut line = String::new();
        self.r.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut len = 0usize;
        loop {
            line.clear();
            self.r.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                if n.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body)?;
        Ok((status, body))
    }
}

fn status(addr: &str) -> serde_json::Value {
    let (_, body) = Conn::open(addr).get("/__svcguide/status").unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn wait_complete(addr: &str) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let s = status(addr);
        if s["complete"] == true {
            return s;
        }
        assert!(Instant::now() < deadline, "never complete: {s}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reload events, as they arrive.
fn events(addr: &str) -> Receiver<Instant> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /__svcguide/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(s);
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            if line.starts_with("event: reload") && tx.send(Instant::now()).is_err() {
                return;
            }
            line.clear();
        }
    });
    rx
}

fn wait_reload(rx: &Receiver<Instant>) -> Instant {
    rx.recv_timeout(WAIT).expect("no reload event")
}

/// Drops the reload events of earlier edits (a background full build that
/// corrects pages sends one more when it completes) so that the next wait
/// times the next save, not a late event of the last one.
fn drain(rx: &Receiver<Instant>) {
    std::thread::sleep(Duration::from_millis(200));
    while rx.try_recv().is_ok() {}
}

fn stats(v: &mut [f64]) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms (n={})",
        pick(0.5),
        pick(0.9),
        v[0],
        v[v.len() - 1],
        v.len()
    )
}

fn article(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("services/winnt-services-svc{i:05}.html.md"))
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    // Some generated files are saved with CRLF line ends.
    let (from, to) = if text.contains("\r\n") {
        (from.replace('\n', "\r\n"), to.replace('\n', "\r\n"))
    } else {
        (from.to_string(), to.to_string())
    };
    let (from, to) = (from.as_str(), to.as_str());
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Appends " Renamed" to the title in the front matter.
fn rename_title(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("\ntitle: ").unwrap() + 1;
    let end = start + text[start..].find(['\r', '\n']).unwrap();
    let line = &text[start..end];
    let renamed = match line.strip_suffix('\'') {
        Some(l) => format!("{l} Renamed'"),
        None => format!("{line} Renamed"),
    };
    std::fs::write(path, format!("{}{renamed}{}", &text[..start], &text[end..])).unwrap();
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let n = env_num("SVCGUIDE_BENCH_N", 10_000);
    let edits = env_num("SVCGUIDE_BENCH_EDITS", 20);
    let requests = env_num("SVCGUIDE_BENCH_REQUESTS", 20_000);
    let conns = env_num("SVCGUIDE_BENCH_CONNECTIONS", 8);
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    let t = Instant::now();
    let shape = std::env::var("SVCGUIDE_BENCH_SHAPE").unwrap_or_else(|_| "layered".into());
    let shape = gen_corpus::Shape::parse(&shape)
        .unwrap_or_else(|| panic!("SVCGUIDE_BENCH_SHAPE: {shape}: layered, chain, ring or hub"));
    gen_corpus::generate_shaped(n, &content, shape, 1, 0.01, 0.05).unwrap();
    println!(
        "generated {n} {} articles in {:.2?}",
        shape.name(),
        t.elapsed()
    );

    // The full build, for comparison.
    let out = tmp.path().join("public");
    let t = Instant::now();
    let o = bin()
        .current_dir(tmp.path())
        .args(["build", "-q", "--content", "content", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    let full_build = t.elapsed();
    assert!(out.join("index.html").exists(), "build failed: {o:?}");
    println!("full build (svcguide build, to disk): {full_build:.2?}");

    let t = Instant::now();
    let mut child = bin()
        .current_dir(tmp.path())
        .args(["serve", "--port", "0", "--content", "content", "--quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("serve ended").unwrap();
        if let Some(u) = line.strip_prefix("serving http://") {
            break u.trim_end_matches('/').to_string();
        }
    };
    let first_page = t.elapsed();
    let s = wait_complete(&addr);
    println!(
        "serve start: pages served after {first_page:.2?}, whole site after {:.2?} (background full build {:.0} ms)",
        t.elapsed(),
        s["stats"]["last_full_build_ms"].as_f64().unwrap_or(0.0)
    );
    let reloads = events(&addr);

    // Text edits, server idle.
    let mut idle = Vec::new();
    let mut apply = Vec::new();
    for k in 0..edits {
        let i = 1 + (k * 7919) % (n - 1);
        let path = article(&content, i);
        drain(&reloads);
        replace_in(
            &path,
            "##### Description:\n\n",
            &format!("##### Description:\n\nEdited {k}. "),
        );
        let t0 = Instant::now();
        let at = wait_reload(&reloads);
        idle.push((at - t0).as_secs_f64() * 1000.0);
        let s = wait_complete(&addr);
        apply.push(s["stats"]["last_update_ms"].as_f64().unwrap());
        assert_eq!(s["stats"]["mismatches"], 0, "{s}");
    }
    println!(
        "save → reload, text edit, server idle: {}",
        stats(&mut idle)
    );
    println!(
        "  of which the update itself (after the 50 ms debounce): {}",
        stats(&mut apply)
    );

    // Text edits back to back, while the background build of the last one runs.
    let mut busy = Vec::new();
    for k in 0..edits {
        let i = 1 + (k * 104_729) % (n - 1);
        let path = article(&content, i);
        replace_in(
            &path,
            "##### Description:\n\n",
            &format!("##### Description:\n\nAgain {k}. "),
        );
        let t0 = Instant::now();
        let at = wait_reload(&reloads);
        busy.push((at - t0).as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(150));
        // Only this edit's reload is timed; the build it started runs on.
        while reloads.try_recv().is_ok() {}
    }
    println!(
        "save → reload, text edit, background build running: {}",
        stats(&mut busy)
    );
    let s = wait_complete(&addr);
    assert_eq!(s["stats"]["mismatches"], 0, "{s}");

    // Structural edits, server idle, `rounds` of each (one sample is noise).
    let rounds = env_num("SVCGUIDE_BENCH_ROUNDS", 5);
    let one = |change: &dyn Fn()| -> (f64, f64) {
        drain(&reloads);
        let t0 = Instant::now();
        change();
        let at = wait_reload(&reloads);
        let s = wait_complete(&addr);
        assert_eq!(s["stats"]["mismatches"], 0, "{s}");
        (
            (at - t0).as_secs_f64() * 1000.0,
            s["stats"]["last_update_ms"].as_f64().unwrap(),
        )
    };
    let leaf_i = n / 2 + 1;
    let leaf = article(&content, leaf_i);
    let core = article(&content, 100.min(n - 1) / 100 * 100);
    let linker = article(&content, leaf_i + 2);
    let kinds = [
        "title of a leaf service",
        "title of a core service (many pages list it)",
        "new Depends link (graph patched)",
        "new article",
        "deleted article",
    ];
    let mut samples: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); kinds.len()];
    for round in 0..rounds {
        let added = content.join(format!("services/winnt-services-bench-new{round}.html.md"));
        let edits: [&dyn Fn(); 5] = [
            &|| rename_title(&leaf),
            &|| rename_title(&core),
            &|| {
                let text = std::fs::read_to_string(&linker).unwrap();
                let at = text.rfind("##### Depends:").unwrap() + "##### Depends:".len();
                let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
                let link = format!("{nl}{nl}- [Core](/article/winnt-services-svc{round:05}.html)");
                std::fs::write(&linker, format!("{}{link}{}", &text[..at], &text[at..])).unwrap();
            },
            &|| {
                let text = std::fs::read_to_string(article(&content, leaf_i + 1))
                    .unwrap()
                    .replace(
                        &format!("svc{:05}", leaf_i + 1),
                        &format!("bench-new{round}"),
                    )
                    .replace(&format!("id: {}", 10_000 + leaf_i + 1), "id: 99999");
                std::fs::write(&added, text).unwrap();
            },
            &|| std::fs::remove_file(&added).unwrap(),
        ];
        for (k, edit) in edits.iter().enumerate() {
            let (reload, update) = one(*edit);
            samples[k].0.push(reload);
            samples[k].1.push(update);
        }
    }
    for (what, (reload, update)) in kinds.iter().zip(&mut samples) {
        println!("save → reload, {what}: {}", stats(reload));
        println!("  update: {}", stats(update));
    }

    // Load test.
    let paths: Vec<String> = (0..200)
        .map(|k| format!("/article/winnt-services-svc{:05}.html", (k * 37) % n))
        .chain([
            "/theme/style.css".to_string(),
            "/".to_string(),
            "/os/".to_string(),
        ])
        .collect();
    let per = requests / conns;
    let t = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|c| {
            let addr = addr.clone();
            let paths = paths.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr);
                let (mut ok, mut errors, mut bytes) = (0usize, 0usize, 0usize);
                let deadline = Instant::now() + Duration::from_secs(120);
                for k in 0..per {
                    if Instant::now() > deadline {
                        errors += per - k;
                        break;
                    }
                    match conn.get(&paths[(k * 13 + c) % paths.len()]) {
                        Ok((200, body)) => {
                            ok += 1;
                            bytes += body.len();
                        }
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            conn = Conn::open(&addr);
                        }
                    }
                }
                (ok, errors, bytes)
            })
        })
        .collect();
    let (mut ok, mut errors, mut bytes) = (0, 0, 0);
    for h in handles {
        let (o, e, b) = h.join().unwrap();
        ok += o;
        errors += e;
        bytes += b;
    }
    let took = t.elapsed();
    println!(
        "load test: {} requests over {conns} connections in {took:.2?}: {:.0} requests/s, {:.0} MB/s, {errors} errors",
        ok + errors,
        (ok + errors) as f64 / took.as_secs_f64(),
        bytes as f64 / took.as_secs_f64() / 1e6
    );
    assert_eq!(errors, 0, "load test had errors");
}
