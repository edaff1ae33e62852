//! The dev server's routes: the site's files from the current snapshot (HTML
//! pages get the live-reload script and, when the build is broken, the error
//! overlay), the live-reload event stream, its script, and a status document.

use std::io::{self, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http::{content_type, site_path, Flow, Handler, Method, Request, Response};
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
    streams: AtomicUsize,
    /// Time between comments on an idle event stream (keeps proxies from closing it).
    pub heartbeat: Duration,
}

impl App {
    pub fn new(shared: Arc<Shared>) -> App {
        App {
            shared,
            streams: AtomicUsize::new(0),
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

impl App {
    fn lookup(&self, path: &str) -> Lookup {
        let deadline = Instant::now() + BUILD_WAIT;
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        let mut view = self.shared.view();
        loop {
            if let Some(snap) = &view.snapshot {
                if let Some(bytes) = snap.files.get(&file) {
                    return Lookup::File(file, bytes.clone());
                }
                if !path.is_empty()
                    && !path.ends_with('/')
                    && snap.files.contains_key(&format!("{path}/index.html"))
                {
                    let last = path.rsplit('/').next().unwrap_or(path);
                    return Lookup::Redirect(format!("{last}/"));
                }
                if snap.complete {
                    return Lookup::Missing(snap.files.get("404.html").cloned());
                }
                if view.overlay.is_some() {
                    return Lookup::Broken;
                }
            }
            if Instant::now() >= deadline {
                return Lookup::Timeout;
            }
            view = self.shared.wait_change(view.seq, deadline);
        }
    }

    /// Adds the reload script (and the overlay) before `</body>`.
    fn html<'a>(
        &self,
        status: u16,
        path: &str,
        bytes: &'a [u8],
        inject: &'a mut String,
        overlay: Option<&str>,
        version: u64,
    ) -> Response<'a> {
        let depth = path.matches('/').count();
        if let Some(o) = overlay {
            inject.push_str(o);
        }
        inject.push_str(&format!(
            "<script src=\"{}{PREFIX}reload.js\" data-version=\"{}\"></script>\n",
            "../".repeat(depth),
            self.shared.tag(version)
        ));
        let at = find_body_end(bytes).unwrap_or(bytes.len());
        Response::new(
            status,
            "text/html; charset=utf-8",
            vec![&bytes[..at], inject.as_bytes(), &bytes[at..]],
        )
    }

    fn site(&self, req: &Request, out: &mut TcpStream, flow: Flow) -> io::Result<Flow> {
        let head = req.method == Method::Head;
        let path = match site_path(&req.target) {
            Ok(p) => p,
            Err(why) => {
                let msg = format!("bad request path: {}\n", why.0);
                return Response::text(400, &msg).write(out, head, flow);
            }
        };
        if let Some(route) = path.strip_prefix(PREFIX) {
            return self.own(route, req, out, flow);
        }
        let view = self.shared.view();
        let mut inject = String::new();
        match self.lookup(&path) {
            Lookup::File(file, bytes) => {
                let ty = content_type(&file);
                if ty.starts_with("text/html") {
                    // Overlay and version as of now (the lookup may have waited).
                    let view = self.shared.view();
                    self.html(
                        200,
                        &path,
                        &bytes,
                        &mut inject,
                        view.shown_over(),
                        view.version,
                    )
                    .write(out, head, flow)
                } else {
                    Response::new(200, ty, vec![&bytes]).write(out, head, flow)
                }
            }
            Lookup::Redirect(to) => Response::text(301, "moved\n")
                .header("Location", to)
                .write(out, head, flow),
            Lookup::Missing(Some(page)) => {
                let view = self.shared.view();
                self.html(
                    404,
                    &path,
                    &page,
                    &mut inject,
                    view.shown_over(),
                    view.version,
                )
                .write(out, head, flow)
            }
            Lookup::Missing(None) => Response::text(404, "not found\n").write(out, head, flow),
            Lookup::Broken => {
                let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><p>The site could not be built; fix the errors below.</p>\n</body></html>";
                self.html(
                    503,
                    &path,
                    page.as_bytes(),
                    &mut inject,
                    view.shown_over(),
                    view.version,
                )
                .write(out, head, flow)
            }
            Lookup::Timeout => Response::text(503, "the site is still being built; try again\n")
                .header("Retry-After", "1")
                .write(out, head, flow),
        }
    }

    /// `/__svcguide/...`
    fn own(&self, route: &str, req: &Request, out: &mut TcpStream, flow: Flow) -> io::Result<Flow> {
        let head = req.method == Method::Head;
        match route {
            "events" => self.events(out, head),
            "reload.js" => Response::new(
                200,
                "text/javascript; charset=utf-8",
                vec![RELOAD_JS.as_bytes()],
            )
            .write(out, head, flow),
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
                Response::new(200, "application/json", vec![body.as_bytes()]).write(out, head, flow)
            }
            _ => Response::text(404, "not found\n").write(out, head, flow),
        }
    }

    /// Server-Sent Events: `hello` with the current version, then `reload` on every
    /// new version, and a comment line as a heartbeat.
    fn events(&self, out: &mut TcpStream, head: bool) -> io::Result<Flow> {
        if self.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            self.streams.fetch_sub(1, Ordering::SeqCst);
            return Response::text(503, "too many event streams\n")
                .header("Retry-After", "5")
                .write(out, head, Flow::Close);
        }
        struct Release<'a>(&'a AtomicUsize);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _release = Release(&self.streams);
        let mut version = self.shared.view().version;
        let mut msg = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n");
        if head {
            out.write_all(msg.as_bytes())?;
            return Ok(Flow::Close);
        }
        msg.push_str(&format!(
            "retry: 1000\n\nevent: hello\ndata: {}\n\n",
            self.shared.tag(version)
        ));
        out.write_all(msg.as_bytes())?;
        out.flush()?;
        loop {
            let now = self.shared.wait_version(version, self.heartbeat);
            let msg = if now != version {
                version = now;
                format!("event: reload\ndata: {}\n\n", self.shared.tag(version))
            } else {
                ": ping\n\n".to_string()
            };
            out.write_all(msg.as_bytes())?;
            out.flush()?;
        }
    }
}

impl Handler for App {
    fn handle(&self, req: &Request, out: &mut TcpStream) -> io::Result<Flow> {
        let flow = if req.keep_alive {
            Flow::KeepAlive
        } else {
            Flow::Close
        };
        match &req.method {
            Method::Get | Method::Head => self.site(req, out, flow),
            Method::Other(_) => Response::text(405, "only GET and HEAD are served\n")
                .header("Allow", "GET, HEAD")
                .write(out, false, flow),
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

    #[test]
    fn overlay_escapes() {
        let html = overlay_html("Build failed", &["a.md:1:2: <script>".into()]);
        assert!(html.contains("a.md:1:2: &lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
