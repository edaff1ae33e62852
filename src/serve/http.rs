//! A small HTTP/1.1 server on `std::net`: one thread per connection, bounded in
//! number overall and per client address; keep-alive; strict limits on the
//! request head; deadlines so that a slow or silent client only ever holds its
//! own thread, and not for long. When the slots are full, a newcomer takes the
//! slot of the connection that has waited longest for a request (idle, or
//! dribbling a head), so one client cannot lock the others out.
//!
//! Only `GET` and `HEAD` without a body are served; anything else is refused
//! with the right status. Requests must name the server itself: a `Host` (or an
//! absolute-form target) that is not loopback or the bound address gets 421, so
//! a web page cannot read the preview through DNS rebinding. The request target
//! is decoded and checked by [`site_path`] before anything looks it up.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
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
    /// Connections served at once; past it a waiting connection is closed to
    /// make room, and when none is waiting the newcomer gets 503.
    pub max_connections: usize,
    /// Connections one client address may hold at once (the same rule within it).
    pub max_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            max_headers: 100,
            head_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(15),
            max_connections: 256,
            max_per_client: 128,
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
    /// HTTP/1.1 (else 1.0).
    pub http11: bool,
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
        421 => "Misdirected Request",
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
    let bound = listener
        .local_addr()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip());
    let registry = Arc::new(Registry::default());
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            // Out of file descriptors and similar: back off a little.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let peer = stream
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip().to_canonical());
        let Some(id) = registry.admit(peer, &stream, &limits) else {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let mut stream = stream;
            let _ = Response::text(503, "too many connections\n")
                .header("Retry-After", "1")
                .write(&mut stream, false, Flow::Close);
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        };
        let handler = handler.clone();
        let limits = limits.clone();
        let slot = Slot {
            registry: registry.clone(),
            id,
        };
        let spawned = std::thread::Builder::new()
            .name("svcguide-http".into())
            .spawn(move || {
                connection(stream, &*handler, &limits, bound, &slot);
            });
        if spawned.is_err() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// One open connection as the registry sees it.
struct Conn {
    peer: IpAddr,
    /// A handle on the socket, to close it when the slot is taken.
    stream: TcpStream,
    /// Since when it waits for a request (head not complete); `None` while a
    /// response is being made or written.
    waiting_since: Option<Instant>,
}

/// The open connections, so that a newcomer can take the slot of one that only waits.
#[derive(Default)]
struct Registry {
    conns: Mutex<(u64, HashMap<u64, Conn>)>,
}

impl Registry {
    /// Registers a new connection, making room when its client or the server is
    /// full; `None` when no connection is waiting and the newcomer must be refused.
    fn admit(&self, peer: IpAddr, stream: &TcpStream, limits: &Limits) -> Option<u64> {
        let mut guard = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        let (next, conns) = &mut *guard;
        let same = conns.values().filter(|c| c.peer == peer).count();
        if same >= limits.max_per_client {
            evict_longest_waiting(conns, |c| c.peer == peer)?;
        } else if conns.len() >= limits.max_connections {
            evict_longest_waiting(conns, |_| true)?;
        }
        let handle = stream.try_clone().ok()?;
        let id = *next;
        *next += 1;
        conns.insert(
            id,
            Conn {
                peer,
                stream: handle,
                waiting_since: Some(Instant::now()),
            },
        );
        Some(id)
    }

    /// Marks a connection waiting or busy; false when its slot was taken.
    fn set_waiting(&self, id: u64, waiting: bool) -> bool {
        let mut guard = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        match guard.1.get_mut(&id) {
            Some(c) => {
                c.waiting_since = if waiting {
                    Some(c.waiting_since.unwrap_or_else(Instant::now))
                } else {
                    None
                };
                true
            }
            None => false,
        }
    }

    fn remove(&self, id: u64) {
        let mut guard = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        guard.1.remove(&id);
    }
}

/// Closes the matching connection that has waited longest for a request.
fn evict_longest_waiting(
    conns: &mut HashMap<u64, Conn>,
    matches: impl Fn(&Conn) -> bool,
) -> Option<()> {
    let (&id, _) = conns
        .iter()
        .filter(|(_, c)| matches(c))
        .filter_map(|(id, c)| c.waiting_since.map(|t| (id, t)))
        .min_by_key(|(_, t)| *t)?;
    if let Some(c) = conns.remove(&id) {
        // Its thread's read ends at once; the thread then closes and exits.
        let _ = c.stream.shutdown(Shutdown::Both);
    }
    Some(())
}

/// A connection's place in the registry, given back when its thread ends.
struct Slot {
    registry: Arc<Registry>,
    id: u64,
}

impl Slot {
    fn waiting(&self, waiting: bool) -> bool {
        self.registry.set_waiting(self.id, waiting)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

fn connection(
    mut stream: TcpStream,
    handler: &dyn Handler,
    limits: &Limits,
    bound: IpAddr,
    slot: &Slot,
) {
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
        if !slot.waiting(true) {
            break;
        }
        let read = read_request(&mut stream, &mut buf, limits, wait);
        // Busy from here: a connection making a response keeps its slot.
        if !slot.waiting(false) {
            break;
        }
        let req = match read {
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
        } else if let Err((status, why)) = check_host(&req, bound) {
            let _ = Response::text(status, why).write(
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

/// Refuses a request that does not name this server: its `Host`, and the
/// authority of an absolute-form target, must be loopback or the bound address.
fn check_host(req: &Request, bound: IpAddr) -> Result<(), (u16, &'static str)> {
    const OTHER: &str = "this server answers only for localhost and the address it listens on\n";
    let mut hosts = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("host"));
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => return Err((400, "more than one Host header\n")),
        (Some((_, host)), None) if !host_allowed(host, bound) => return Err((421, OTHER)),
        (None, _) if req.http11 => return Err((400, "an HTTP/1.1 request needs a Host header\n")),
        _ => {}
    }
    if let Some(authority) = absolute_authority(&req.target) {
        if !host_allowed(authority, bound) {
            return Err((421, OTHER));
        }
    }
    Ok(())
}

/// The authority of an absolute-form target (`http://host:port/path`).
fn absolute_authority(target: &str) -> Option<&str> {
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &target[7..]
    } else if lower.starts_with("https://") {
        &target[8..]
    } else {
        return None;
    };
    Some(rest.split(['/', '?', '#']).next().unwrap_or(""))
}

/// True when `authority` (`host[:port]`) names this server: `localhost` (and
/// `*.localhost`), a loopback address in any spelling, or the bound address.
/// When bound to every interface, any IP literal is accepted (DNS rebinding
/// needs a name), but never a name other than localhost.
pub fn host_allowed(authority: &str, bound: IpAddr) -> bool {
    let is_port = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    let authority = authority.trim();
    if authority.contains('@') {
        return false;
    }
    let ip = if let Some(rest) = authority.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return false;
        }
        match inside.parse::<Ipv6Addr>() {
            Ok(v6) => IpAddr::V6(v6),
            Err(_) => return false,
        }
    } else {
        let host = match authority.rsplit_once(':') {
            Some((h, p)) if is_port(p) => h,
            Some(_) => return false,
            None => authority,
        };
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        match name.parse::<Ipv4Addr>() {
            Ok(v4) => IpAddr::V4(v4),
            Err(_) => return false,
        }
    };
    let ip = ip.to_canonical();
    ip.is_loopback() || ip == bound.to_canonical() || bound.is_unspecified()
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
        http11,
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
    fn only_hosts_naming_this_server_are_allowed() {
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for ok in [
            "localhost",
            "localhost:1111",
            "LocalHost.:1111",
            "preview.localhost:80",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.1.2.3:9",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
        ] {
            assert!(host_allowed(ok, lo), "{ok} should be allowed");
        }
        for bad in [
            "",
            "rebind.attacker.example",
            "rebind.attacker.example:1111",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "10.0.0.1",
            "192.168.1.5:1111",
            "localhost:x",
            "localhost:1111:1",
            "[::1",
            "[::1]x",
            "user@localhost",
            "2130706433",
        ] {
            assert!(!host_allowed(bad, lo), "{bad:?} should be refused");
        }
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        assert!(host_allowed("192.168.1.5:1111", lan));
        assert!(!host_allowed("192.168.1.6:1111", lan));
        assert!(!host_allowed("myhost.example", lan));
        let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        assert!(host_allowed("192.168.1.6:1111", any));
        assert!(!host_allowed("rebind.attacker.example", any));
    }

    #[test]
    fn absolute_targets_must_name_this_server_too() {
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let req = |target: &str, host: Option<&str>, http11: bool| Request {
            method: Method::Get,
            target: target.to_string(),
            keep_alive: false,
            http11,
            headers: host
                .map(|h| vec![("Host".to_string(), h.to_string())])
                .unwrap_or_default(),
        };
        assert!(check_host(&req("/", Some("localhost"), true), lo).is_ok());
        assert!(check_host(&req("/", None, false), lo).is_ok());
        assert_eq!(check_host(&req("/", None, true), lo).unwrap_err().0, 400);
        assert_eq!(
            check_host(&req("/", Some("evil.example"), true), lo)
                .unwrap_err()
                .0,
            421
        );
        assert_eq!(
            check_host(&req("HTTP://evil.example/x", Some("localhost"), true), lo)
                .unwrap_err()
                .0,
            421
        );
        assert!(check_host(&req("http://127.0.0.1:5/x", Some("localhost"), true), lo).is_ok());
        let mut two = req("/", Some("localhost"), true);
        two.headers.push(("host".into(), "localhost".into()));
        assert_eq!(check_host(&two, lo).unwrap_err().0, 400);
    }

    #[test]
    fn a_newcomer_takes_the_slot_of_the_longest_waiting_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = Limits {
            max_connections: 3,
            max_per_client: 2,
            ..Limits::default()
        };
        let registry = Registry::default();
        let mut clients: Vec<TcpStream> = Vec::new();
        let mut admit = |registry: &Registry| {
            let c = TcpStream::connect(addr).unwrap();
            let (s, _) = listener.accept().unwrap();
            clients.push(c);
            registry.admit(s.peer_addr().unwrap().ip(), &s, &limits)
        };
        let a = admit(&registry).unwrap();
        let b = admit(&registry).unwrap();
        assert!(registry.set_waiting(b, false), "b is busy");
        // The client is at its limit: its waiting connection `a` makes room.
        let c = admit(&registry).unwrap();
        assert!(!registry.set_waiting(a, true), "a was closed");
        assert!(registry.set_waiting(b, false));
        // Now every connection of the client is busy: the newcomer is refused.
        assert!(registry.set_waiting(c, false));
        assert!(admit(&registry).is_none());
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
