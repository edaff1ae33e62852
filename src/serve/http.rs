//! The dev server's HTTP: hyper reads and writes HTTP/1.1 (parsing, limits on
//! the head, keep-alive, pipelining, framing, `HEAD`) on a small tokio runtime of
//! its own. It is sync-free: tokio is in the tree for `check --external`, and a
//! task per connection costs a few kilobytes where a thread cost a stack.
//!
//! What stays here is what hyper leaves to the server, each kept small:
//!
//! * **who may connect**: connections are bounded in number overall and per
//!   client address; when the slots are full, a newcomer takes the slot of the
//!   connection that has waited longest for a request (idle, or dribbling a
//!   head), so one client cannot lock the others out ([`Registry`]);
//! * **deadlines**: a head not received in time gets 408 (hyper's own header
//!   timeout closes without a word), an idle kept-alive connection is closed,
//!   and a client that stops reading a response is dropped ([`Io`]);
//! * **whom it answers**: requests must name the server itself: a `Host` (or an
//!   absolute-form target) that is not loopback or the bound address gets 421,
//!   so a web page cannot read the preview through DNS rebinding; a request
//!   with a body is refused (nothing here takes one);
//! * **what it serves**: the request target is decoded and checked by
//!   [`site_path`] before anything looks it up, and a file's media type comes
//!   from [`content_type`].

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Body as HttpBody, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::rt::ReadBufCursor;
use hyper::{Method, Request, Response, StatusCode, Version};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};

/// Bounds that keep one client from holding the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Request line plus headers, in bytes (larger: 431). hyper's minimum is 8 KiB.
    pub max_head: usize,
    pub max_headers: usize,
    /// Time a client has to send a whole request head once it started (else 408).
    pub head_timeout: Duration,
    /// Time a kept-alive connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// Time a response may wait for the client to read it.
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

/// A request as the application sees it, once this layer has accepted it.
pub struct Req {
    pub method: Method,
    /// The request target as sent (origin or absolute form).
    pub target: String,
}

/// The application: one response per request.
pub trait Handler: Send + Sync + 'static {
    fn handle(self: Arc<Self>, req: Req) -> impl Future<Output = Response<Body>> + Send;
}

/// A response body: parts held in memory (no copy of a served file), or a
/// stream of parts sent as they come (the live-reload events).
pub struct Body {
    parts: VecDeque<Bytes>,
    stream: Option<mpsc::Receiver<Bytes>>,
    /// Marks the connection waiting again once the response is written.
    _busy: Option<Busy>,
}

impl Body {
    pub fn parts(parts: impl IntoIterator<Item = Bytes>) -> Body {
        Body {
            parts: parts.into_iter().filter(|p| !p.is_empty()).collect(),
            stream: None,
            _busy: None,
        }
    }

    pub fn stream(first: Bytes, rest: mpsc::Receiver<Bytes>) -> Body {
        Body {
            stream: Some(rest),
            ..Body::parts([first])
        }
    }

    fn len(&self) -> Option<u64> {
        self.stream
            .is_none()
            .then(|| self.parts.iter().map(|p| p.len() as u64).sum())
    }
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(part) = this.parts.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        match &mut this.stream {
            Some(rx) => rx.poll_recv(cx).map(|p| p.map(|b| Ok(Frame::data(b)))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty() && self.stream.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        self.len()
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

/// A response with a body held in memory.
pub fn response(status: u16, content_type: &str, parts: Vec<Bytes>) -> Response<Body> {
    let mut r = Response::new(Body::parts(parts));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

/// A plain-text response.
pub fn text(status: u16, body: &str) -> Response<Body> {
    response(
        status,
        "text/plain; charset=utf-8",
        vec![Bytes::copy_from_slice(body.as_bytes())],
    )
}

/// Adds a header (values here are the server's own, always valid).
pub fn with_header(mut r: Response<Body>, name: &'static str, value: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

/// Accepts connections until the listener fails, on a runtime of its own.
pub fn serve<H: Handler>(
    listener: std::net::TcpListener,
    handler: Arc<H>,
    limits: Limits,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("svcguide-http")
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async move {
        let bound = listener
            .local_addr()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip());
        let listener = TcpListener::from_std(listener)?;
        let registry = Arc::new(Registry::default());
        let limits = Arc::new(limits);
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                // Out of file descriptors and similar: back off a little.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let Some(slot) = registry.admit(peer.ip().to_canonical(), &limits) else {
                // Answered before any request is read: there is no slot to read it in.
                let _ = stream.try_write(TOO_MANY);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (handler, limits) = (handler.clone(), limits.clone());
            tokio::spawn(connection(stream, slot, handler, limits, bound));
        }
    })
}

const TOO_MANY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n";
const TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 35\r\nConnection: close\r\n\r\nrequest head not received in time\n";

/// Serves one connection until it ends, its slot is taken, or a deadline passes.
async fn connection<H: Handler>(
    stream: TcpStream,
    slot: Slot,
    handler: Arc<H>,
    limits: Arc<Limits>,
    bound: IpAddr,
) {
    let stream = Arc::new(stream);
    let conn = slot.conn.clone();
    let io = Io {
        stream: stream.clone(),
        conn: conn.clone(),
        write_timeout: limits.write_timeout,
        stalled: None,
    };
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let busy = Busy::start(&conn);
        let handler = handler.clone();
        async move {
            let mut resp = accept(&req, bound).unwrap_or(None);
            let head = req.method() == Method::HEAD;
            if resp.is_none() {
                let req = Req {
                    method: req.method().clone(),
                    target: req.uri().to_string(),
                };
                resp = Some(handler.handle(req).await);
            }
            Ok::<_, Infallible>(finish(resp.unwrap_or_else(|| text(500, "")), head, busy))
        }
    });
    let serving = hyper::server::conn::http1::Builder::new()
        .max_buf_size(limits.max_head.max(8192))
        .max_headers(limits.max_headers)
        .serve_connection(io, service);
    tokio::pin!(serving);
    loop {
        let check = slot.conn.deadline(&limits);
        tokio::select! {
            _ = &mut serving => return,
            _ = slot.conn.close.notified() => return,
            _ = slot.conn.answered.notified() => {}
            _ = tokio::time::sleep_until(check.into()) => {
                match slot.conn.expired(&limits) {
                    Some(true) => {
                        let _ = stream.try_write(TIMEOUT);
                        return;
                    }
                    Some(false) => return,
                    None => {}
                }
            }
        }
    }
}

/// Refuses what the application never sees: requests with a body, and requests
/// that do not name this server. `Ok(None)`: accepted.
fn accept(req: &Request<Incoming>, bound: IpAddr) -> Result<Option<Response<Body>>, Infallible> {
    let h = req.headers();
    let has_body = h.contains_key(header::TRANSFER_ENCODING)
        || h.get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes().trim_ascii() != b"0");
    if has_body {
        return Ok(Some(text(413, "request bodies are not accepted\n")));
    }
    let hosts: Vec<&str> = h
        .get_all(header::HOST)
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    let target = req.uri().to_string();
    let http11 = req.version() != Version::HTTP_10;
    Ok(check_host(&hosts, &target, http11, bound)
        .err()
        .map(|(status, why)| text(status, why)))
}

/// The headers every response carries; `HEAD` gets them without the body.
fn finish(mut r: Response<Body>, head: bool, busy: Busy) -> Response<Body> {
    let len = r.body().len();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    let body = r.body_mut();
    if head {
        body.parts.clear();
        body.stream = None;
    }
    body._busy = Some(busy);
    r
}

/// Refuses a request that does not name this server: its `Host`, and the
/// authority of an absolute-form target, must be loopback or the bound address.
fn check_host(
    hosts: &[&str],
    target: &str,
    http11: bool,
    bound: IpAddr,
) -> Result<(), (u16, &'static str)> {
    const OTHER: &str = "this server answers only for localhost and the address it listens on\n";
    match hosts {
        [_, _, ..] => return Err((400, "more than one Host header\n")),
        [host] if !host_allowed(host, bound) => return Err((421, OTHER)),
        [] if http11 => return Err((400, "an HTTP/1.1 request needs a Host header\n")),
        _ => {}
    }
    if let Some(authority) = absolute_authority(target) {
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

/// One open connection as the registry and its deadlines see it.
struct Conn {
    peer: IpAddr,
    /// Told when the slot is taken by a newcomer.
    close: Notify,
    /// Told when a response is done (a new wait, with its own deadline, begins).
    answered: Notify,
    wait: Mutex<Wait>,
}

struct Wait {
    /// Since when it waits for a request; `None` while a response is being
    /// made or written.
    since: Option<Instant>,
    /// When the first byte of the awaited head arrived.
    started: Option<Instant>,
    /// A response was written (later waits are idle time, not a first head).
    answered: bool,
}

impl Conn {
    fn new(peer: IpAddr) -> Conn {
        Conn {
            peer,
            close: Notify::new(),
            answered: Notify::new(),
            wait: Mutex::new(Wait {
                since: Some(Instant::now()),
                started: None,
                answered: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Wait> {
        self.wait.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn waiting_since(&self) -> Option<Instant> {
        self.lock().since
    }

    /// Bytes arrived: while waiting, the head has started.
    fn read(&self) {
        let mut w = self.lock();
        if w.since.is_some() && w.started.is_none() {
            w.started = Some(Instant::now());
        }
    }

    /// When the current wait ends: the head's deadline once it started, else
    /// the first head's, else the idle time's (checked again later while busy).
    fn deadline(&self, limits: &Limits) -> Instant {
        let w = self.lock();
        match (w.since, w.started) {
            (_, Some(started)) => started + limits.head_timeout,
            (Some(since), None) if !w.answered => since + limits.head_timeout,
            (Some(since), None) => since + limits.idle_timeout,
            (None, None) => Instant::now() + limits.head_timeout,
        }
    }

    /// `Some(true)`: a head was started and not finished in time (408);
    /// `Some(false)`: idle for too long; `None`: still within its time.
    fn expired(&self, limits: &Limits) -> Option<bool> {
        let due = self.deadline(limits);
        let w = self.lock();
        (w.since.is_some() && Instant::now() >= due).then_some(w.started.is_some())
    }
}

/// Held while a request is being answered; the connection waits again when
/// the response body (and so this) is dropped.
pub struct Busy(Arc<Conn>);

impl Busy {
    fn start(conn: &Arc<Conn>) -> Busy {
        let mut w = conn.lock();
        w.since = None;
        w.started = None;
        drop(w);
        Busy(conn.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut w = self.0.lock();
        w.since = Some(Instant::now());
        w.started = None;
        w.answered = true;
        drop(w);
        self.0.answered.notify_one();
    }
}

/// The open connections, so that a newcomer can take the slot of one that only waits.
#[derive(Default)]
struct Registry {
    conns: Mutex<(u64, HashMap<u64, Arc<Conn>>)>,
}

impl Registry {
    /// Registers a new connection, making room when its client or the server is
    /// full; `None` when no connection is waiting and the newcomer must be refused.
    fn admit(self: &Arc<Self>, peer: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut guard = self.conns.lock().unwrap_or_else(PoisonError::into_inner);
        let (next, conns) = &mut *guard;
        let same = conns.values().filter(|c| c.peer == peer).count();
        if same >= limits.max_per_client {
            evict_longest_waiting(conns, |c| c.peer == peer)?;
        } else if conns.len() >= limits.max_connections {
            evict_longest_waiting(conns, |_| true)?;
        }
        let id = *next;
        *next += 1;
        let conn = Arc::new(Conn::new(peer));
        conns.insert(id, conn.clone());
        Some(Slot {
            registry: self.clone(),
            id,
            conn,
        })
    }

    fn remove(&self, id: u64) {
        let mut guard = self.conns.lock().unwrap_or_else(PoisonError::into_inner);
        guard.1.remove(&id);
    }
}

/// Closes the matching connection that has waited longest for a request.
fn evict_longest_waiting(
    conns: &mut HashMap<u64, Arc<Conn>>,
    matches: impl Fn(&Conn) -> bool,
) -> Option<()> {
    let (&id, _) = conns
        .iter()
        .filter(|(_, c)| matches(c))
        .filter_map(|(id, c)| c.waiting_since().map(|t| (id, t)))
        .min_by_key(|(_, t)| *t)?;
    if let Some(c) = conns.remove(&id) {
        c.close.notify_one();
    }
    Some(())
}

/// A connection's place in the registry, given back when its task ends.
struct Slot {
    registry: Arc<Registry>,
    id: u64,
    conn: Arc<Conn>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// The socket as hyper uses it. Shared, so that a 408 can still be written
/// after hyper is dropped; arriving bytes start the head's deadline; a write
/// the client does not take within `write_timeout` fails.
struct Io {
    stream: Arc<TcpStream>,
    conn: Arc<Conn>,
    write_timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let mut chunk = [0u8; 8192];
        let want = buf.remaining().min(chunk.len());
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match self.stream.try_read(&mut chunk[..want]) {
                Ok(n) => {
                    if n > 0 {
                        self.conn.read();
                    }
                    buf.put_slice(&chunk[..n]);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            match self.stream.poll_write_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    let timeout = self.write_timeout;
                    let stalled = self
                        .stalled
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                    ready!(stalled.as_mut().poll(cx));
                    return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
                }
            }
            match self.stream.try_write(data) {
                Ok(n) => {
                    self.stalled = None;
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// The socket closes when the connection's task ends (the last handle goes).
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
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
        assert!(check_host(&["localhost"], "/", true, lo).is_ok());
        assert!(check_host(&[], "/", false, lo).is_ok());
        assert_eq!(check_host(&[], "/", true, lo).unwrap_err().0, 400);
        assert_eq!(
            check_host(&["evil.example"], "/", true, lo).unwrap_err().0,
            421
        );
        assert_eq!(
            check_host(&["localhost"], "HTTP://evil.example/x", true, lo)
                .unwrap_err()
                .0,
            421
        );
        assert!(check_host(&["localhost"], "http://127.0.0.1:5/x", true, lo).is_ok());
        assert_eq!(
            check_host(&["localhost", "localhost"], "/", true, lo)
                .unwrap_err()
                .0,
            400
        );
    }

    #[test]
    fn a_newcomer_takes_the_slot_of_the_longest_waiting_connection() {
        let limits = Limits {
            max_connections: 3,
            max_per_client: 2,
            ..Limits::default()
        };
        let registry = Arc::new(Registry::default());
        let peer = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let open = |r: &Arc<Registry>, id: u64| r.conns.lock().unwrap().1.contains_key(&id);
        let a = registry.admit(peer, &limits).unwrap();
        let b = registry.admit(peer, &limits).unwrap();
        let b_busy = Busy::start(&b.conn);
        // The client is at its limit: its waiting connection `a` makes room.
        let c = registry.admit(peer, &limits).unwrap();
        assert!(!open(&registry, a.id), "a was closed");
        assert!(open(&registry, b.id) && open(&registry, c.id));
        // Now every connection of the client is busy: the newcomer is refused.
        let _c_busy = Busy::start(&c.conn);
        assert!(registry.admit(peer, &limits).is_none());
        // Once `b` has answered it waits again, and makes room.
        drop(b_busy);
        assert!(registry.admit(peer, &limits).is_some());
        assert!(!open(&registry, b.id));
    }

    #[test]
    fn deadlines_tell_a_slow_head_from_an_idle_connection() {
        let limits = Limits {
            head_timeout: Duration::ZERO,
            idle_timeout: Duration::ZERO,
            ..Limits::default()
        };
        let conn = Arc::new(Conn::new(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(conn.expired(&limits), Some(false), "nothing sent: idle");
        conn.read();
        assert_eq!(conn.expired(&limits), Some(true), "a head begun: 408");
        let busy = Busy::start(&conn);
        assert_eq!(conn.expired(&limits), None, "answering: no deadline");
        drop(busy);
        assert_eq!(conn.expired(&limits), Some(false));
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
