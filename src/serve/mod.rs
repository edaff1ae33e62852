//! `svcguide serve`: the guide built in memory and served on loopback, rebuilt
//! on every change and reloaded in open browsers.
//!
//! Threads, each with one job:
//!
//! * **watcher** (`watch`, notify-debouncer-full): file-system events →
//!   debounced, classified batches;
//! * **coordinator** (`coordinator`, on the main thread): owns the incremental [`Engine`];
//!   applies each batch, publishes the new pages at once (open pages reload),
//!   shows an error overlay instead when the build broke;
//! * **background**: a full `site::build` at low priority after each update. It
//!   supplies everything built from the whole guide (index, views, search,
//!   exports) — requests for those files wait until it is done, so no stale file
//!   is ever served — and it checks every page the engine rendered: a page that
//!   differs is counted, reported, replaced and reloaded;
//! * **http** (`http`, `app`): hyper on a small tokio runtime, reading only the
//!   current snapshot.
//!
//! The built site is never written to disk, and the reload script is only ever
//! added to pages as they are served.

pub mod app;
pub mod coordinator;
pub mod engine;
pub mod http;
pub mod state;
pub mod watch;

use std::io::{IsTerminal, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::Args;

use crate::config::Overrides;
use coordinator::{Background, Coordinator, Msg};
use engine::Engine;
use state::Shared;

/// Port tried first when `--port` is not given (and the next few after it).
pub const DEFAULT_PORT: u16 = 1111;

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Content folder (default: `content` from svcguide.toml, else ./content).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Configuration file (default: ./svcguide.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A folder copied as it is to the site root (repeatable; default: `static`
    /// from svcguide.toml, else ./static when it exists).
    #[arg(long = "static", value_name = "DIR")]
    pub static_dirs: Vec<PathBuf>,
    /// Port to listen on; 0 picks a free one (default: 1111, or the next free one).
    #[arg(long, short, value_name = "N")]
    pub port: Option<u16>,
    /// Address to listen on. Anything but loopback makes the preview reachable
    /// from other machines.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the home page in a browser.
    #[arg(long)]
    pub open: bool,
    /// Also publish articles whose status is not `publish`.
    #[arg(long)]
    pub drafts: bool,
    /// Print only errors (and the address).
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print what every rebuild did and how long each step took.
    #[arg(long, short)]
    pub verbose: bool,
    /// Quiet time after a change before rebuilding, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 50, hide = true)]
    pub debounce_ms: u64,
    /// Time a client has to send a request head, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000, hide = true)]
    pub head_timeout_ms: u64,
}

/// Terminal output: progress and results on stderr, the address on stdout.
#[derive(Clone, Copy)]
pub struct Log {
    pub quiet: bool,
    pub verbose: bool,
    pub colour: bool,
}

impl Log {
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
    pub fn verbose(&self, msg: impl AsRef<str>) {
        if self.verbose {
            eprintln!("  {}", msg.as_ref());
        }
    }
    pub fn error(&self, msg: impl AsRef<str>) {
        if self.colour {
            eprintln!("\x1b[1;31merror\x1b[0m: {}", msg.as_ref());
        } else {
            eprintln!("error: {}", msg.as_ref());
        }
    }
}

fn ms(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let log = Log {
        quiet: args.quiet,
        verbose: args.verbose,
        colour: std::io::stderr().is_terminal(),
    };
    let inputs = Overrides {
        content: args.content.clone(),
        config: args.config.clone(),
        base_url: None,
        drafts: args.drafts,
        static_dirs: args.static_dirs.clone(),
    };
    let shared = Arc::new(Shared::new());
    let addr = start_http(&args, shared.clone())?;
    log.info("building the guide…");
    let started = Instant::now();
    let engine = Engine::open(&inputs)?;
    log.info(format!(
        "rendered {} pages ({} services) in {}",
        engine.guide().pages.len(),
        engine.guide().services.len(),
        ms(started.elapsed())
    ));
    let (tx, rx) = channel::<Msg>();
    let seen = Arc::new(AtomicU64::new(0));
    let watch_tx = start_watching(&engine, &args, seen.clone(), tx.clone())?;
    let background = Background::start(tx, shared.clone())?;
    let mut co = Coordinator::new(engine, shared, log, seen, background, watch_tx);
    co.first_publish();
    let url = url_for(addr);
    println!("serving {url}");
    let _ = std::io::stdout().flush();
    log.info(format!(
        "watching {} (Ctrl+C to stop)",
        co.engine.roots.content.display()
    ));
    if args.open {
        open_in_browser(&url, &log);
    }
    co.run(rx);
    Ok(ExitCode::SUCCESS)
}

/// Binds the address and serves the snapshots in `shared` from a thread of its own.
fn start_http(args: &ServeArgs, shared: Arc<Shared>) -> Result<SocketAddr> {
    let listener = bind(args)?;
    let addr = listener.local_addr()?;
    if !args.bind.is_loopback() {
        // Printed even with --quiet: the owner must know others can connect.
        eprintln!(
            "warning: listening on {}: the preview is reachable from other machines",
            args.bind
        );
    }
    let app = Arc::new(app::App::new(shared));
    let limits = http::Limits {
        head_timeout: Duration::from_millis(args.head_timeout_ms),
        ..http::Limits::default()
    };
    std::thread::Builder::new()
        .name("svcguide-accept".into())
        .spawn(move || {
            if let Err(e) = http::serve(listener, app, limits) {
                eprintln!("svcguide: error: the preview server stopped: {e}");
            }
        })?;
    Ok(addr)
}

/// Starts the watcher on the engine's folders; its batches go to `tx`.
fn start_watching(
    engine: &Engine,
    args: &ServeArgs,
    seen: Arc<AtomicU64>,
    tx: Sender<Msg>,
) -> Result<Sender<watch::WatchMsg>> {
    let (changes_tx, changes_rx) = channel::<watch::Changes>();
    let watch_tx = watch::start(
        engine.roots.clone(),
        Duration::from_millis(args.debounce_ms),
        seen,
        changes_tx,
    )
    .context("cannot watch the content folder")?;
    std::thread::Builder::new()
        .name("svcguide-changes".into())
        .spawn(move || {
            for c in changes_rx {
                if tx.send(Msg::Changes(c)).is_err() {
                    return;
                }
            }
        })?;
    Ok(watch_tx)
}

fn url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
        ip => ip,
    };
    match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{}/", addr.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}/", addr.port()),
    }
}

fn bind(args: &ServeArgs) -> Result<TcpListener> {
    if let Some(port) = args.port {
        return TcpListener::bind((args.bind, port))
            .with_context(|| format!("cannot listen on {}:{port}", args.bind));
    }
    let mut last = None;
    for port in DEFAULT_PORT..DEFAULT_PORT + 10 {
        match TcpListener::bind((args.bind, port)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("tried a port")).with_context(|| {
        format!(
            "cannot listen on {} ports {DEFAULT_PORT}-{}; pass --port",
            args.bind,
            DEFAULT_PORT + 9
        )
    })
}

/// Hands the URL to the desktop's opener (the `open` crate), without waiting.
fn open_in_browser(url: &str, log: &Log) {
    if let Err(e) = open::that_detached(url) {
        log.info(format!(
            "could not start a browser ({e}); open {url} in one"
        ));
    }
}
