//! A small HTTP/1.1 server on `std::net`: one thread per connection, bounded in
//! number; keep-alive; strict limits on the request head; deadlines so that a
//! slow or silent client only ever holds its own thread, and not for long.
//!
//! Only `GET` and `HEAD` without a body are served; anything else is refused
//! with the right status. The request target is decoded and checked by
//! [`site_path`] before anything looks it up.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bounds that keep one client from holding the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Request line plus headers, in bytes (larger: 431).
    pub max_head: usize,
    pub max_headers: usize,
    /// Time a client has to send a whole request head once it started (else 408).
    pub head_timeout: Duration,
    /// Time a kept-alive connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// Time a response may take to be written.
    pub write_timeout: Duration,
    /// Connections served at once (more get 503 and are closed).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            max_headers: 100,
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(15),
            max_connections: 256,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Other(String),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The request target exactly as sent.
    pub target: String,
    /// The client wants the connection kept open after the response.
    pub keep_alive: bool,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to do with the connection after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    KeepAlive,
    Close,
}

/// The application: writes one response per request.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: &Request, out: &mut TcpStream) -> io::Result<Flow>;
}

/// A response with a body held in memory (in parts, to avoid copying).
pub struct Response<'a> {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<&'a [u8]>,
}

impl<'a> Response<'a> {
    pub fn new(status: u16, content_type: &str, body: Vec<&'a [u8]>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    pub fn text(status: u16, body: &'a str) -> Self {
        Response::new(status, "text/plain; charset=utf-8", vec![body.as_bytes()])
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response; `HEAD` gets the headers only.
    pub fn write(&self, out: &mut impl Write, head_only: bool, flow: Flow) -> io::Result<Flow> {
        let len: usize = self.body.iter().map(|b| b.len()).sum();
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str(&format!(
            "Content-Length: {len}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n\r\n",
            if flow == Flow::KeepAlive { "keep-alive" } else { "close" }
        ));
        if head_only || len == 0 {
            out.write_all(head.as_bytes())?;
        } else if len < 16 * 1024 {
            // One write for small responses: fewer packets, no Nagle delays.
            let mut all = Vec::with_capacity(head.len() + len);
            all.extend_from_slice(head.as_bytes());
            for part in &self.body {
                all.extend_from_slice(part);
            }
            out.write_all(&all)?;
        } else {
            out.write_all(head.as_bytes())?;
            for part in &self.body {
                out.write_all(part)?;
            }
        }
        out.flush()?;
        Ok(flow)
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Why no request could be read.
#[derive(Debug)]
enum ReadError {
    /// The client closed or stayed idle before starting a request: just close.
    Idle,
    /// The client started a request but did not finish it in time.
    Timeout,
    TooLarge,
    Bad(&'static str),
    Version,
    Io,
}

/// Accepts connections until the listener fails; one thread per connection.
pub fn serve(listener: TcpListener, handler: Arc<dyn Handler>, limits: Limits) {
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            // Out of file descriptors and similar: back off a little.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let count = active.fetch_add(1, Ordering::SeqCst) + 1;
        let guard = Active(active.clone());
        if count > limits.max_connections {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let mut stream = stream;
            let _ = Response::text(503, "too many connections\n")
                .header("Retry-After", "1")
                .write(&mut stream, false, Flow::Close);
            let _ = stream.shutdown(Shutdown::Both);
            drop(guard);
            continue;
        }
        let handler = handler.clone();
        let limits = limits.clone();
        let spawned = std::thread::Builder::new()
            .name("svcguide-http".into())
            .spawn(move || {
                let _guard = guard;
                connection(stream, &*handler, &limits);
            });
        if spawned.is_err() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

struct Active(Arc<AtomicUsize>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn connection(mut stream: TcpStream, handler: &dyn Handler, limits: &Limits) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.write_timeout));
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut first = true;
    loop {
        let wait = if first {
            limits.head_timeout
        } else {
            limits.idle_timeout
        };
        first = false;
        let req = match read_request(&mut stream, &mut buf, limits, wait) {
            Ok(r) => r,
            Err(e) => {
                let (status, msg) = match e {
                    ReadError::Idle | ReadError::Io => break,
                    ReadError::Timeout => (408, "request head not received in time\n"),
                    ReadError::TooLarge => (431, "request head too large\n"),
                    ReadError::Bad(why) => (400, why),
                    ReadError::Version => (505, "only HTTP/1.0 and HTTP/1.1 are served\n"),
                };
                let _ = Response::text(status, msg).write(&mut stream, false, Flow::Close);
                break;
            }
        };
        // No request here has a body; one that announces one is refused.
        let has_body = req.header("Transfer-Encoding").is_some()
            || req
                .header("Content-Length")
                .is_some_and(|v| v.trim() != "0");
        let flow = if has_body {
            let _ = Response::text(413, "request bodies are not accepted\n").write(
                &mut stream,
                req.method == Method::Head,
                Flow::Close,
            );
            Flow::Close
        } else {
            match handler.handle(&req, &mut stream) {
                Ok(f) => f,
                Err(_) => Flow::Close,
            }
        };
        if flow == Flow::Close {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads one request head. `buf` keeps bytes of a pipelined next request.
fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    limits: &Limits,
    first_byte_wait: Duration,
) -> Result<Request, ReadError> {
    let mut deadline = Instant::now() + first_byte_wait;
    let mut started = !buf.is_empty();
    if started {
        deadline = Instant::now() + limits.head_timeout;
    }
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(buf) {
            let head: Vec<u8> = buf.drain(..end).collect();
            return parse_head(&head, limits);
        }
        if buf.len() > limits.max_head {
            return Err(ReadError::TooLarge);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(if started {
                ReadError::Timeout
            } else {
                ReadError::Idle
            });
        }
        let _ = stream.set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))));
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(if started {
                    ReadError::Bad("connection closed in the middle of a request\n")
                } else {
                    ReadError::Idle
                })
            }
            Ok(n) => {
                if !started {
                    started = true;
                    deadline = Instant::now() + limits.head_timeout;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Io),
        }
    }
}

/// End of the head (after the blank line), accepting bare LF line ends.
fn head_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(p) = buf[i..].iter().position(|&b| b == b'\n') {
        let at = i + p;
        let rest = &buf[at + 1..];
        if rest.starts_with(b"\r\n") {
            return Some(at + 3);
        }
        if rest.starts_with(b"\n") {
            return Some(at + 2);
        }
        i = at + 1;
    }
    None
}

fn parse_head(head: &[u8], limits: &Limits) -> Result<Request, ReadError> {
    let text =
        std::str::from_utf8(head).map_err(|_| ReadError::Bad("request head is not UTF-8\n"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    // Tolerate empty lines before the request line (RFC 9112, 2.2).
    let line = lines
        .by_ref()
        .find(|l| !l.is_empty())
        .ok_or(ReadError::Bad("empty request\n"))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad("malformed request line\n"));
    };
    if method.is_empty() || target.is_empty() {
        return Err(ReadError::Bad("malformed request line\n"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        v if v.starts_with("HTTP/") => return Err(ReadError::Version),
        _ => return Err(ReadError::Bad("malformed request line\n")),
    };
    let mut headers = Vec::new();
    for l in lines {
        if l.is_empty() {
            break;
        }
        if headers.len() >= limits.max_headers {
            return Err(ReadError::TooLarge);
        }
        let (name, value) = l
            .split_once(':')
            .ok_or(ReadError::Bad("malformed header line\n"))?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(ReadError::Bad("malformed header name\n"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let connection = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .map(|(_, v)| v.to_ascii_lowercase());
    let keep_alive = match connection.as_deref() {
        Some(v) if v.split(',').any(|t| t.trim() == "close") => false,
        Some(v) if v.split(',').any(|t| t.trim() == "keep-alive") => true,
        _ => http11,
    };
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        m => Method::Other(m.to_string()),
    };
    Ok(Request {
        method,
        target: target.to_string(),
        keep_alive,
        headers,
    })
}

/// Why a request target was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPath(pub &'static str);

/// Decodes a request target into a site path (`article/x.html`, `` for the root,
/// `tags/` for a folder), refusing anything that could step outside the site:
/// `.`/`..` segments, encoded or raw backslashes, encoded slashes, NUL and other
/// control characters, empty segments, invalid UTF-8.
pub fn site_path(target: &str) -> Result<String, BadPath> {
    let mut t = target;
    // Absolute form (`GET http://host/x HTTP/1.1`): keep the path.
    for scheme in ["http://", "https://"] {
        if let Some(rest) = t.strip_prefix(scheme) {
            t = rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    let t = t.split(['?', '#']).next().unwrap_or("");
    let Some(t) = t.strip_prefix('/') else {
        return Err(BadPath("the request target must start with `/`"));
    };
    let raw = t.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        let b = if b == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let (Some(h), Some(l)) = (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            ) else {
                return Err(BadPath("bad percent escape"));
            };
            i += 3;
            let d = (h * 16 + l) as u8;
            if d == b'/' {
                return Err(BadPath("encoded `/` in the path"));
            }
            d
        } else {
            i += 1;
            b
        };
        if b == b'\\' {
            return Err(BadPath("backslash in the path"));
        }
        if b < 0x20 || b == 0x7f {
            return Err(BadPath("control character in the path"));
        }
        bytes.push(b);
    }
    let path = String::from_utf8(bytes).map_err(|_| BadPath("the path is not UTF-8"))?;
    let segments: Vec<&str> = path.split('/').collect();
    for (k, seg) in segments.iter().enumerate() {
        let last = k + 1 == segments.len();
        if *seg == "." || *seg == ".." {
            return Err(BadPath("`.` or `..` in the path"));
        }
        if seg.is_empty() && !last {
            return Err(BadPath("empty segment in the path"));
        }
        if seg.contains(':') {
            return Err(BadPath("`:` in the path"));
        }
    }
    Ok(path)
}

/// The media type of a site file, from its extension.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        // `lunr.LICENSE` and other text files without a known extension.
        "license" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_are_decoded_and_traversal_refused() {
        assert_eq!(site_path("/").unwrap(), "");
        assert_eq!(
            site_path("/article/a.html?x=1#f").unwrap(),
            "article/a.html"
        );
        assert_eq!(site_path("/tags/").unwrap(), "tags/");
        assert_eq!(site_path("/a%20b.html").unwrap(), "a b.html");
        assert_eq!(site_path("http://h:1/x.css").unwrap(), "x.css");
        for bad in [
            "/../etc/passwd",
            "/article/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a%2fb",
            "/a%5c..%5cb",
            "/a\\..\\b",
            "/a%00.html",
            "/a%0a.html",
            "/./a",
            "//etc/passwd",
            "/a//b",
            "/C:/x",
            "/%zz",
            "/%",
            "/%ff%fe",
            "x.html",
            "*",
        ] {
            assert!(site_path(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn heads_parse_with_limits() {
        let limits = Limits::default();
        let r = parse_head(
            b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            &limits,
        )
        .unwrap();
        assert_eq!(r.method, Method::Get);
        assert!(!r.keep_alive);
        let r = parse_head(b"HEAD / HTTP/1.0\n\n", &limits).unwrap();
        assert_eq!(r.method, Method::Head);
        assert!(!r.keep_alive);
        assert!(matches!(
            parse_head(b"GET / HTTP/2.0\r\n\r\n", &limits),
            Err(ReadError::Version)
        ));
        assert!(matches!(
            parse_head(b"GET /\r\n\r\n", &limits),
            Err(ReadError::Bad(_))
        ));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nA: b\n\nrest"), Some(21));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("theme/style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("search-index.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("services.json"), "application/json");
        assert_eq!(content_type("feed.xml"), "application/xml");
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        assert_eq!(content_type("p.png"), "image/png");
        assert_eq!(content_type("p.JPG"), "image/jpeg");
        assert_eq!(content_type("services.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("bin"), "application/octet-stream");
    }
}
