//! `svcguide serve`: the guide built in memory and served on loopback, rebuilt
//! on every change and reloaded in open browsers.
//!
//! Threads, each with one job:
//!
//! * **watcher** (`watch`, notify-debouncer-full): file-system events →
//!   debounced, classified batches;
//! * **coordinator** (here, the main thread): owns the incremental [`Engine`];
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
pub mod engine;
pub mod http;
pub mod state;
pub mod watch;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{IsTerminal, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::Args;

use crate::diag::{Code, Diagnostic};
use crate::site::Site;
use crate::config::Overrides;
use engine::{Bytes, Engine, UpdatePath};
use state::{Shared, Snapshot};

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
    let listener = bind(&args)?;
    let addr = listener.local_addr()?;
    if !args.bind.is_loopback() {
        // Printed even with --quiet: the owner must know others can connect.
        eprintln!(
            "warning: listening on {}: the preview is reachable from other machines",
            args.bind
        );
    }
    let shared = Arc::new(Shared::new());
    let mut app = app::App::new(shared.clone());
    app.heartbeat = Duration::from_secs(15);
    let limits = http::Limits {
        head_timeout: Duration::from_millis(args.head_timeout_ms),
        ..http::Limits::default()
    };
    let app = Arc::new(app);
    std::thread::Builder::new()
        .name("svcguide-accept".into())
        .spawn(move || {
            if let Err(e) = http::serve(listener, app, limits) {
                eprintln!("svcguide: error: the preview server stopped: {e}");
            }
        })?;

    log.info("building the guide…");
    let started = Instant::now();
    let engine = Engine::open(&inputs)?;
    log.info(format!(
        "rendered {} pages ({} services) in {}",
        engine.guide().pages.len(),
        engine.guide().services.len(),
        ms(started.elapsed())
    ));
    let url = url_for(addr);
    let (tx, rx) = channel::<Msg>();
    let seen = Arc::new(AtomicU64::new(0));
    let (changes_tx, changes_rx) = channel::<watch::Changes>();
    let watch_tx = watch::start(
        engine.roots.clone(),
        Duration::from_millis(args.debounce_ms),
        seen.clone(),
        changes_tx,
    )
    .context("cannot watch the content folder")?;
    {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("svcguide-changes".into())
            .spawn(move || {
                for c in changes_rx {
                    if tx.send(Msg::Changes(c)).is_err() {
                        return;
                    }
                }
            })?;
    }
    let background = Background::start(tx.clone(), shared.clone())?;
    let mut co = Coordinator {
        engine,
        shared: shared.clone(),
        log,
        seen,
        applied: 0,
        gen: 1,
        published_gen: 0,
        complete_gen: 0,
        broken: false,
        baseline: HashSet::new(),
        carry: HashMap::new(),
        background,
        background_busy: false,
        watch_tx,
        to_report: BTreeSet::new(),
        reported_once: false,
        initial: HashSet::new(),
        caused_printed: HashSet::new(),
    };
    co.first_publish();
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

enum Msg {
    Changes(watch::Changes),
    Built(Box<Built>),
}

struct Built {
    gen: u64,
    seen_at_start: u64,
    result: Result<Checked>,
    took: Duration,
}

/// A full build compared with what was served when it ended.
struct Checked {
    files: HashMap<String, Bytes>,
    /// Served files the full build made differently (or not at all).
    wrong: Vec<String>,
    diags: Vec<Diagnostic>,
}

/// Compares a full build with the served snapshot. Equal files keep the served
/// bytes (shared with the engine, not copied again).
fn check_against(site: Site, served: &Snapshot) -> (Checked, Site) {
    let mut site = site;
    let files = std::mem::take(&mut site.files);
    let diags = std::mem::take(&mut site.diags);
    let mut all: HashMap<String, Bytes> = HashMap::with_capacity(files.len());
    let mut wrong: Vec<String> = Vec::new();
    for f in files {
        let bytes = match served.files.get(&f.path) {
            Some(b) if **b == *f.bytes => b.clone(),
            Some(_) => {
                wrong.push(f.path.clone());
                f.bytes.into()
            }
            None => f.bytes.into(),
        };
        all.insert(f.path, bytes);
    }
    for path in served.files.keys() {
        if !all.contains_key(path) {
            wrong.push(path.clone());
        }
    }
    wrong.sort();
    (
        Checked {
            files: all,
            wrong,
            diags,
        },
        site,
    )
}

struct Job {
    gen: u64,
    seen_at_start: u64,
    config: crate::config::Config,
}

/// Runs full builds on a thread pool of its own, at low priority, so that the
/// next incremental update is not stuck behind it.
struct Background {
    jobs: Sender<Job>,
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: plain syscalls on the calling thread; Linux keeps nice per thread.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

impl Background {
    fn start(out: Sender<Msg>, shared: Arc<Shared>) -> Result<Background> {
        let (jobs, rx) = channel::<Job>();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("svcguide-full-{i}"))
            .start_handler(|_| lower_priority())
            .build()?;
        std::thread::Builder::new()
            .name("svcguide-full".into())
            .spawn(move || {
                lower_priority();
                for job in rx {
                    let started = Instant::now();
                    let result = pool.install(|| crate::site::build(&job.config));
                    let took = started.elapsed();
                    // Compared here, not on the thread that applies changes.
                    let served = shared.view().snapshot.unwrap_or_default();
                    let (result, rest) = match result {
                        Ok(site) => {
                            let (checked, rest) = check_against(site, &served);
                            (Ok(checked), Some(rest))
                        }
                        Err(e) => (Err(e), None),
                    };
                    drop(served);
                    let built = Built {
                        gen: job.gen,
                        seen_at_start: job.seen_at_start,
                        result,
                        took,
                    };
                    if out.send(Msg::Built(Box::new(built))).is_err() {
                        return;
                    }
                    // Freeing a big guide takes a while: after the result is out.
                    drop(rest);
                }
            })?;
        Ok(Background { jobs })
    }
}

struct Coordinator {
    engine: Engine,
    shared: Arc<Shared>,
    log: Log,
    /// Relevant file-system events seen by the watcher, and applied here.
    seen: Arc<AtomicU64>,
    applied: u64,
    /// Generation of the engine's state; the served snapshot's; the last complete one's.
    gen: u64,
    published_gen: u64,
    complete_gen: u64,
    broken: bool,
    /// Errors (file, code) present in the served build: only new ones break it.
    baseline: HashSet<(String, Code)>,
    /// Files that depend only on the theme, templates and configuration (the
    /// theme folder and 404.html), from the last full build.
    carry: HashMap<String, Bytes>,
    background: Background,
    background_busy: bool,
    watch_tx: Sender<watch::WatchMsg>,
    /// Content files changed since diagnostics were last printed.
    to_report: BTreeSet<String>,
    reported_once: bool,
    /// The problems of the guide when `serve` started (from the first full build):
    /// any other problem was caused by an edit since, wherever it is.
    initial: HashSet<ProblemKey>,
    /// The caused problems already printed (each is printed once).
    caused_printed: HashSet<ProblemKey>,
}

/// A problem told apart from others without its line (edits above it move it).
type ProblemKey = (String, Code, String, Option<String>);

fn problem_key(d: &Diagnostic) -> ProblemKey {
    (d.file.clone(), d.code, d.message.clone(), d.target.clone())
}

fn error_key(d: &Diagnostic) -> (String, Code) {
    (d.file.clone(), d.code)
}

impl Coordinator {
    fn snapshot(&self) -> Snapshot {
        let mut files = self.engine.files().clone();
        for (k, v) in &self.carry {
            files.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Snapshot {
            files,
            complete: false,
        }
    }

    fn first_publish(&mut self) {
        let errors = self.engine.errors();
        if !errors.is_empty() {
            self.print_diags(&errors);
        }
        self.baseline = errors.iter().map(error_key).collect();
        let snap = self.snapshot();
        self.shared.publish(snap, true);
        self.published_gen = self.gen;
        self.maybe_start_background();
    }

    fn run(&mut self, rx: Receiver<Msg>) {
        for msg in rx {
            match msg {
                Msg::Changes(c) => self.changes(c),
                Msg::Built(b) => self.built(*b),
            }
            self.maybe_start_background();
        }
    }

    fn print_diags(&self, diags: &[Diagnostic]) {
        if diags.is_empty() {
            return;
        }
        eprint!(
            "{}",
            crate::report::human(diags, &self.engine.roots.content, self.log.colour)
        );
    }

    fn show_broken(&mut self, title: &str, items: Vec<String>) {
        self.broken = true;
        let overlay = app::overlay_html(title, &items);
        self.shared.set_overlay(Some(overlay), items);
    }

    fn changes(&mut self, c: watch::Changes) {
        self.applied = c.through;
        let old_roots = self.engine.roots.clone();
        let result = self.engine.apply(&c.batch);
        if self.engine.roots != old_roots {
            let _ = self
                .watch_tx
                .send(watch::WatchMsg::Roots(self.engine.roots.clone()));
        }
        let update = match result {
            Ok(u) => u,
            Err(e) => {
                let msg = format!("{e:#}");
                self.log.error(format!("the site cannot be built: {msg}"));
                self.show_broken("The site cannot be built", vec![msg]);
                return;
            }
        };
        if update.is_empty() {
            self.log.verbose("no change to the site");
            if self.broken
                && self
                    .engine
                    .errors()
                    .iter()
                    .all(|d| self.baseline.contains(&error_key(d)))
            {
                // A failed update was fixed without changing any output.
                self.publish_update(&update);
            }
            return;
        }
        self.gen += 1;
        self.to_report.extend(update.changed_files.iter().cloned());
        if update.theme_changed || update.templates_changed || update.config_changed {
            self.carry.clear();
        }
        let errors = self.engine.errors();
        let new: Vec<&Diagnostic> = errors
            .iter()
            .filter(|d| !self.baseline.contains(&error_key(d)))
            .collect();
        if !new.is_empty() {
            self.log.error(format!(
                "{} problem(s) keep pages out of the site; still serving the last good build",
                new.len()
            ));
            self.print_diags(&errors);
            let items = errors.iter().map(crate::report::line).collect();
            self.show_broken("The build has errors", items);
            return;
        }
        self.baseline = errors.iter().map(error_key).collect();
        self.publish_update(&update);
    }

    fn publish_update(&mut self, update: &engine::Update) {
        let was_broken = std::mem::take(&mut self.broken);
        let snap = self.snapshot();
        self.shared.publish(snap, true);
        self.published_gen = self.gen;
        let took = update.took;
        self.shared.update_stats(|s| {
            s.updates += 1;
            s.last_update_ms = took.as_secs_f64() * 1000.0;
        });
        let what = match update.path {
            UpdatePath::Nothing => "no page changed",
            UpdatePath::Fast => "in place",
            UpdatePath::Titles => "in place, new title",
            UpdatePath::Slow => "guide rebuilt",
            UpdatePath::Full => "full",
        };
        let files = if update.changed_files.len() <= 3 {
            update.changed_files.join(", ")
        } else {
            format!("{} files", update.changed_files.len())
        };
        let mut line = format!(
            "rebuilt in {} ({what}): {} page(s) changed, {} removed",
            ms(took),
            update.rendered.len(),
            update.removed.len()
        );
        if !files.is_empty() {
            line.push_str(&format!(" [{files}]"));
        }
        if update.theme_changed {
            line.push_str(" [theme]");
        }
        if update.templates_changed {
            line.push_str(" [templates]");
        }
        if update.config_changed {
            line.push_str(" [config]");
        }
        if was_broken {
            line.push_str("; errors fixed");
        }
        self.log.info(line);
        if !update.steps.is_empty() {
            let steps: Vec<String> = update
                .steps
                .iter()
                .map(|(name, d)| format!("{name} {:.1} ms", d.as_secs_f64() * 1000.0))
                .collect();
            self.log.verbose(format!(
                "{} ({} page(s) rendered)",
                steps.join(", "),
                update.pages_rendered
            ));
        }
        for p in update.rendered.iter().take(50) {
            self.log.verbose(format!("rendered {p}"));
        }
        for p in update.removed.iter().take(50) {
            self.log.verbose(format!("removed {p}"));
        }
    }

    fn maybe_start_background(&mut self) {
        if self.background_busy
            || self.broken
            || self.complete_gen == self.published_gen
            || self.published_gen != self.gen
        {
            return;
        }
        let seen = self.seen.load(Ordering::SeqCst);
        if seen != self.applied {
            // A batch is on its way; build after it.
            return;
        }
        let job = Job {
            gen: self.gen,
            seen_at_start: seen,
            config: self.engine.config.clone(),
        };
        if self.background.jobs.send(job).is_ok() {
            self.background_busy = true;
            self.log
                .verbose("checking the whole site in the background…");
        }
    }

    fn built(&mut self, b: Built) {
        self.background_busy = false;
        let current = b.gen == self.gen
            && b.gen == self.published_gen
            && !self.broken
            && self.seen.load(Ordering::SeqCst) == b.seen_at_start;
        if !current {
            self.log.verbose(format!(
                "full build of an older state dropped ({})",
                ms(b.took)
            ));
            return;
        }
        // Every file served before this build must be exactly what it made.
        let Checked {
            files: all,
            wrong,
            diags,
        } = match b.result {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("{e:#}");
                self.log.error(format!("the site cannot be built: {msg}"));
                self.show_broken("The site cannot be built", vec![msg]);
                return;
            }
        };
        if !wrong.is_empty() {
            self.log.error(format!(
                "the incremental rebuild got {} file(s) wrong (now replaced): {}",
                wrong.len(),
                wrong.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
            for path in &wrong {
                if let Some(bytes) = all.get(path) {
                    if self.engine.files().contains_key(path) {
                        self.engine.correct(path, bytes.clone());
                    }
                }
            }
        }
        self.carry = all
            .iter()
            .filter(|(k, _)| k.starts_with("theme/") || k.as_str() == "404.html")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let count = all.len();
        self.shared.publish(
            Snapshot {
                files: all,
                complete: true,
            },
            !wrong.is_empty(),
        );
        self.complete_gen = self.gen;
        let took = b.took;
        let mismatches = wrong.len() as u64;
        self.shared.update_stats(|s| {
            s.full_builds += 1;
            s.mismatches += mismatches;
            s.last_full_build_ms = took.as_secs_f64() * 1000.0;
        });
        self.log.verbose(format!(
            "whole site built and checked in {}: {count} files{}",
            ms(took),
            if wrong.is_empty() {
                ", every served file as rendered".to_string()
            } else {
                format!(", {mismatches} corrected")
            }
        ));
        // The first time a summary; then the diagnostics of the files changed
        // since, as `svcguide check` sees them.
        if !self.reported_once {
            self.reported_once = true;
            self.initial = diags.iter().map(problem_key).collect();
            let c = crate::report::counts(&diags);
            if c.error + c.warning + c.info > 0 {
                self.log.info(format!(
                    "the guide has {} error(s), {} warning(s), {} info; `svcguide check` lists them",
                    c.error, c.warning, c.info
                ));
            }
        } else {
            self.report_caused(diags);
        }
        self.to_report.clear();
    }

    /// Names, in the terminal, the problems of the changed files and those the
    /// edits caused in any other file (a deleted or renamed page, a removed
    /// heading), and keeps a badge listing the caused ones over every page.
    fn report_caused(&mut self, diags: Vec<Diagnostic>) {
        let caused: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity != crate::diag::Severity::Info)
            .filter(|d| !self.initial.contains(&problem_key(d)))
            .collect();
        let elsewhere: BTreeSet<&str> = caused
            .iter()
            .filter(|d| !self.to_report.contains(&d.file))
            .filter(|d| !self.caused_printed.contains(&problem_key(d)))
            .map(|d| d.file.as_str())
            .collect();
        if !self.log.quiet {
            let report: Vec<Diagnostic> = diags
                .iter()
                .filter(|d| self.to_report.contains(&d.file) || elsewhere.contains(d.file.as_str()))
                .cloned()
                .collect();
            if !elsewhere.is_empty() {
                let files: Vec<&str> = elsewhere.iter().copied().take(5).collect();
                self.log.info(format!(
                    "your edits caused problems in {} other file(s): {}{}",
                    elsewhere.len(),
                    files.join(", "),
                    if elsewhere.len() > 5 { ", …" } else { "" }
                ));
            }
            self.print_diags(&report);
        }
        self.caused_printed = caused.iter().map(|d| problem_key(d)).collect();
        let items: Vec<String> = caused.iter().map(|d| crate::report::line(d)).collect();
        let notice = (!caused.is_empty()).then(|| {
            let c = crate::report::counts(&caused.iter().map(|d| (*d).clone()).collect::<Vec<_>>());
            app::notice_html(c.error, c.warning, &items)
        });
        self.shared.set_notice(notice, items);
    }
}
