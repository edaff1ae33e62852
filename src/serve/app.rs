//! The dev server's routes: the site's files from the current snapshot (HTML
//! pages get the live-reload script and, when the build is broken, the error
//! overlay), the live-reload event stream, its script, and a status document.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use hyper::{Method, Response};

use super::http::{content_type, response, site_path, text, with_header, Body, Handler, Req};
use super::state::Shared;

/// Where the dev server's own routes live (no article can be written there:
/// permalinks name `.html` files, and these have no extension).
pub const PREFIX: &str = "__svcguide/";

const RELOAD_JS: &str = r#"// svcguide serve: reload this page when the site is rebuilt.
(function () {
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var version = me.getAttribute("data-version");
  // Relative to this script, so it works under any base path and behind proxies.
  var source = new EventSource(new URL("events", me.src).href);
  // Says the channel is up (tests wait for it before saving a file).
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-svcguide-live", "open");
  });
  function check(e) {
    if (e.data !== version) {
      source.close();
      location.reload();
    }
  }
  source.addEventListener("hello", check);
  source.addEventListener("reload", check);
})();
"#;

/// The most event streams kept open at once.
const MAX_STREAMS: usize = 64;
/// How long a request for a file that is still being built may wait.
const BUILD_WAIT: Duration = Duration::from_secs(120);

pub struct App {
    pub shared: Arc<Shared>,
    streams: Arc<AtomicUsize>,
    /// Time between comments on an idle event stream (keeps proxies from closing it).
    pub heartbeat: Duration,
}

impl App {
    pub fn new(shared: Arc<Shared>) -> App {
        App {
            shared,
            streams: Arc::new(AtomicUsize::new(0)),
            heartbeat: Duration::from_secs(15),
        }
    }
}

/// What a site path resolves to in the current snapshot.
enum Lookup {
    File(String, super::engine::Bytes),
    Redirect(String),
    Missing(Option<super::engine::Bytes>),
    Broken,
    Timeout,
}

/// A served file's bytes as a response body part, without copying them.
fn part(bytes: &super::engine::Bytes) -> Bytes {
    Bytes::from_owner(bytes.clone())
}

impl App {
    async fn lookup(&self, path: &str) -> Lookup {
        let deadline = Instant::now() + BUILD_WAIT;
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        let mut view = self.shared.view();
        loop {
            if let Some(snap) = &view.snapshot {
                // A pending page's bytes are out of date: wait for the snapshot
                // that has it, unless the build broke (then the overlay says so).
                let pending = snap.pending.contains(&file) && view.overlay.is_none();
                if let (Some(bytes), false) = (snap.files.get(&file), pending) {
                    return Lookup::File(file, bytes.clone());
                }
                if !pending
                    && !path.is_empty()
                    && !path.ends_with('/')
                    && snap.files.contains_key(&format!("{path}/index.html"))
                {
                    let last = path.rsplit('/').next().unwrap_or(path);
                    return Lookup::Redirect(format!("{last}/"));
                }
                if snap.complete && !pending {
                    return Lookup::Missing(snap.files.get("404.html").cloned());
                }
                if view.overlay.is_some() {
                    return Lookup::Broken;
                }
            }
            if Instant::now() >= deadline {
                return Lookup::Timeout;
            }
            view = self.shared.wait_change(view.seq, deadline).await;
        }
    }

    /// An HTML page with the reload script (and what is shown over the page:
    /// overlay or notice, as of now) added before `</body>`.
    fn html(&self, status: u16, path: &str, page: Bytes) -> Response<Body> {
        let view = self.shared.view();
        let depth = path.matches('/').count();
        let mut inject = view.shown_over().unwrap_or_default().to_string();
        inject.push_str(&format!(
            "<script src=\"{}{PREFIX}reload.js\" data-version=\"{}\"></script>\n",
            "../".repeat(depth),
            self.shared.tag(view.version)
        ));
        let at = find_body_end(&page).unwrap_or(page.len());
        response(
            status,
            "text/html; charset=utf-8",
            vec![page.slice(..at), inject.into(), page.slice(at..)],
        )
    }

    async fn site(&self, req: &Req) -> Response<Body> {
        let path = match site_path(&req.target) {
            Ok(p) => p,
            Err(why) => return text(400, &format!("bad request path: {}\n", why.0)),
        };
        if let Some(route) = path.strip_prefix(PREFIX) {
            return self.own(route, req.method == Method::HEAD);
        }
        match self.lookup(&path).await {
            Lookup::File(file, bytes) => {
                let ty = content_type(&file);
                if ty.starts_with("text/html") {
                    self.html(200, &path, part(&bytes))
                } else {
                    response(200, ty, vec![part(&bytes)])
                }
            }
            Lookup::Redirect(to) => with_header(text(301, "moved\n"), "location", &to),
            Lookup::Missing(Some(page)) => self.html(404, &path, part(&page)),
            Lookup::Missing(None) => text(404, "not found\n"),
            Lookup::Broken => {
                let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><p>The site could not be built; fix the errors below.</p>\n</body></html>";
                self.html(503, &path, Bytes::from_static(page.as_bytes()))
            }
            Lookup::Timeout => with_header(
                text(503, "the site is still being built; try again\n"),
                "retry-after",
                "1",
            ),
        }
    }

    /// `/__svcguide/...`
    fn own(&self, route: &str, head: bool) -> Response<Body> {
        match route {
            "events" => self.events(head),
            "reload.js" => response(
                200,
                "text/javascript; charset=utf-8",
                vec![Bytes::from_static(RELOAD_JS.as_bytes())],
            ),
            "status" => {
                let view = self.shared.view();
                let stats = self.shared.stats();
                let body = serde_json::json!({
                    "version": self.shared.tag(view.version),
                    "ready": view.snapshot.is_some(),
                    "complete": view.snapshot.as_ref().is_some_and(|s| s.complete),
                    "broken": view.overlay.is_some(),
                    "files": view.snapshot.as_ref().map_or(0, |s| s.files.len()),
                    "stats": stats,
                })
                .to_string();
                response(200, "application/json", vec![body.into()])
            }
            _ => text(404, "not found\n"),
        }
    }

    /// Server-Sent Events: `hello` with the current version, then `reload` on every
    /// new version, and a comment line as a heartbeat. A task per stream writes
    /// them into the response body until the client goes.
    fn events(self: &App, head: bool) -> Response<Body> {
        if self.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            self.streams.fetch_sub(1, Ordering::SeqCst);
            let r = with_header(text(503, "too many event streams\n"), "retry-after", "5");
            return with_header(r, "connection", "close");
        }
        let release = Release(self.streams.clone());
        let mut version = self.shared.view().version;
        let hello = format!(
            "retry: 1000\n\nevent: hello\ndata: {}\n\n",
            self.shared.tag(version)
        );
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
        if !head {
            let (shared, heartbeat) = (self.shared.clone(), self.heartbeat);
            tokio::spawn(async move {
                let _release = release;
                loop {
                    let now = shared.wait_version(version, heartbeat).await;
                    let msg = if now != version {
                        version = now;
                        format!("event: reload\ndata: {}\n\n", shared.tag(version))
                    } else {
                        ": ping\n\n".to_string()
                    };
                    if tx.send(msg.into()).await.is_err() {
                        return;
                    }
                }
            });
        }
        let mut r = Response::new(Body::stream(hello.into(), rx));
        for (name, value) in [
            ("content-type", "text/event-stream"),
            ("x-accel-buffering", "no"),
            ("connection", "close"),
        ] {
            r = with_header(r, name, value);
        }
        r
    }
}

/// Gives an event stream's place back when its task ends.
struct Release(Arc<AtomicUsize>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Handler for App {
    async fn handle(self: Arc<Self>, req: Req) -> Response<Body> {
        match req.method {
            Method::GET | Method::HEAD => self.site(&req).await,
            _ => with_header(
                text(405, "only GET and HEAD are served\n"),
                "allow",
                "GET, HEAD",
            ),
        }
    }
}

/// Offset of the last `</body>` (any case).
fn find_body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body>";
    (0..html.len().saturating_sub(TAG.len() - 1))
        .rev()
        .take(64 * 1024)
        .find(|&i| html[i..i + TAG.len()].eq_ignore_ascii_case(TAG))
}

/// The overlay shown over every page while the build is broken: each
/// diagnostic with its file:line:col, all text escaped.
pub fn overlay_html(title: &str, items: &[String]) -> String {
    let esc = crate::text::escape_html;
    let mut out = String::from(
        "<div id=\"svcguide-overlay\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#f4f4f4;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2em\">",
    );
    out.push_str(&format!(
        "<h2 style=\"color:#ff8080;margin-top:0\">{}</h2><p>The pages below are the last good build. Fix the problems and save: the page reloads by itself.</p>",
        esc(title)
    ));
    for item in items {
        out.push_str(
            "<pre style=\"white-space:pre-wrap;border-left:3px solid #ff8080;padding-left:1em\">",
        );
        out.push_str(&esc(item));
        out.push_str("</pre>");
    }
    out.push_str("</div>\n");
    out
}

/// A badge in a corner of every page: the problems (errors and warnings) the
/// edits of this session caused anywhere in the guide, listed when opened.
pub fn notice_html(errors: usize, warnings: usize, items: &[String]) -> String {
    let esc = crate::text::escape_html;
    let colour = if errors > 0 { "#c62828" } else { "#b26a00" };
    let mut out = format!(
        "<details id=\"svcguide-problems\" style=\"position:fixed;right:1em;bottom:1em;z-index:2147483647;max-width:min(48em,90vw);max-height:60vh;overflow:auto;background:#1e1e1e;color:#f4f4f4;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;border-left:4px solid {colour};padding:.5em 1em\"><summary style=\"cursor:pointer\"><b id=\"svcguide-problem-count\">{}</b> error(s), <b>{}</b> warning(s) caused by your edits</summary>",
        errors, warnings
    );
    for item in items {
        out.push_str("<pre style=\"white-space:pre-wrap\">");
        out.push_str(&esc(item));
        out.push_str("</pre>");
    }
    out.push_str("</details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_counts_and_escapes() {
        let html = notice_html(1, 2, &["b.md:3:1: <b>".into()]);
        assert!(
            html.contains(">1</b> error(s), <b>2</b> warning(s)"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>\n"));
    }

    #[test]
    fn body_end_is_found_in_any_case() {
        assert_eq!(find_body_end(b"<p>x</p></body></html>"), Some(8));
        assert_eq!(find_body_end(b"<p>x</p></BODY>"), Some(8));
        assert_eq!(find_body_end(b"no body"), None);
        assert_eq!(find_body_end(b""), None);
    }

    /// A page rendered after the reload (`Snapshot::pending`) is not served
    /// from its old bytes: the request waits for the snapshot that has it.
    #[test]
    fn a_pending_page_waits_for_the_snapshot_that_renders_it() {
        use super::super::state::Snapshot;
        let snapshot = |body: &str, pending: &[&str]| Snapshot {
            files: [("a.html", body), ("b.html", "b")]
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        super::super::engine::Bytes::from(v.as_bytes()),
                    )
                })
                .collect(),
            complete: true,
            pending: pending.iter().map(|p| p.to_string()).collect(),
        };
        let shared = Arc::new(Shared::new());
        let app = App::new(shared.clone());
        shared.publish(snapshot("old", &["a.html"]), true);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let body = |l: Lookup| match l {
                Lookup::File(_, bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                _ => panic!("not a file"),
            };
            // Another page is served as usual meanwhile.
            assert_eq!(body(app.lookup("b.html").await), "b");
            let waiting = app.lookup("a.html");
            tokio::pin!(waiting);
            let early = tokio::time::timeout(Duration::from_millis(150), &mut waiting).await;
            assert!(
                early.is_err(),
                "a pending page was served from its old bytes"
            );
            shared.publish(snapshot("new", &[]), false);
            assert_eq!(body(waiting.await), "new");
            // When the rest could not be rendered, the overlay says so over
            // the page as it was: no request waits for a render that failed.
            shared.publish(snapshot("old", &["a.html"]), true);
            shared.set_overlay(Some("broken".into()), vec!["broken".into()]);
            let answer = tokio::time::timeout(Duration::from_millis(150), app.lookup("a.html"));
            assert_eq!(body(answer.await.expect("answered at once")), "old");
        });
    }

    #[test]
    fn overlay_escapes() {
        let html = overlay_html("Build failed", &["a.md:1:2: <script>".into()]);
        assert!(html.contains("a.md:1:2: &lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
