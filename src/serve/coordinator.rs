//! The coordinator: applies each batch of changes to the engine, publishes the
//! new pages (or shows the overlay when the build broke), and runs a full build
//! in the background that completes the site and checks every page it served.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::engine::{self, Bytes, Engine, UpdatePath};
use super::state::{Shared, Snapshot};
use super::{app, ms, watch, Log};
use crate::diag::{Code, Diagnostic, Severity};
use crate::site::Site;

pub enum Msg {
    Changes(watch::Changes),
    Built(Box<Built>),
}

pub struct Built {
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

/// The sink of a background build: keeps each file as it comes, compared with
/// the served snapshot. An equal file keeps the served bytes (shared with the
/// engine) and its new copy is dropped at once: the build never holds a second
/// copy of the article pages (on a 10,000-article guide, 100 MB and more).
struct AgainstServed<'a> {
    served: &'a Snapshot,
    files: std::sync::Mutex<HashMap<String, Bytes>>,
    /// Served files the build made differently.
    wrong: std::sync::Mutex<Vec<String>>,
}

impl crate::output::Sink for AgainstServed<'_> {
    fn put(&self, f: crate::output::OutFile) -> Result<()> {
        let bytes = match self.served.files.get(&f.path) {
            Some(b) if **b == *f.bytes => b.clone(),
            Some(_) => {
                self.wrong
                    .lock()
                    .expect("no panic while held")
                    .push(f.path.clone());
                f.bytes.into()
            }
            None => f.bytes.into(),
        };
        self.files
            .lock()
            .expect("no panic while held")
            .insert(f.path, bytes);
        Ok(())
    }
}

impl AgainstServed<'_> {
    /// The files, and what the build got wrong: differently, or not at all.
    fn finish(self, diags: Vec<Diagnostic>) -> Checked {
        let files = self.files.into_inner().expect("no panic while held");
        let mut wrong = self.wrong.into_inner().expect("no panic while held");
        wrong.extend(
            self.served
                .files
                .keys()
                .filter(|path| !files.contains_key(*path))
                .cloned(),
        );
        wrong.sort();
        wrong.dedup();
        Checked {
            files,
            wrong,
            diags,
        }
    }
}

struct Job {
    seen_at_start: u64,
    config: crate::config::Config,
}

/// Runs full builds on a thread pool of its own, at low priority, so that the
/// next incremental update is not stuck behind it.
pub struct Background {
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
    pub fn start(out: Sender<Msg>, shared: Arc<Shared>) -> Result<Background> {
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
                    let (built, rest) = Background::build(&pool, job, &shared);
                    if out.send(Msg::Built(Box::new(built))).is_err() {
                        return;
                    }
                    // Freeing a big guide takes a while: after the result is out.
                    drop(rest);
                    // The pool's threads now idle until the next edit: what they
                    // freed goes back now (an idle thread's heap is never purged).
                    pool.broadcast(|_| crate::memory::release());
                }
            })?;
        Ok(Background { jobs })
    }

    /// One full build, each file compared as it is made (here, not on the thread
    /// that applies changes) with what is served when it starts; also what is
    /// left of it, to free later.
    fn build(pool: &rayon::ThreadPool, job: Job, shared: &Shared) -> (Built, Option<Site>) {
        let started = Instant::now();
        // What is served now: the build is for exactly this state (a change
        // while it runs makes its result outdated, and it is dropped).
        let served = shared.view().snapshot.unwrap_or_default();
        let sink = AgainstServed {
            served: &served,
            files: Default::default(),
            wrong: Default::default(),
        };
        let result = pool.install(|| {
            crate::site::build_into(&job.config, &sink, crate::views::Work::Everything)
        });
        let took = started.elapsed();
        let (result, rest) = match result {
            Ok(mut site) => {
                let diags = std::mem::take(&mut site.diags);
                (Ok(sink.finish(diags)), Some(site))
            }
            Err(e) => (Err(e), None),
        };
        let built = Built {
            seen_at_start: job.seen_at_start,
            result,
            took,
        };
        (built, rest)
    }
}

/// Returns what every thread of the engine's pool (and this one) freed to the
/// system now. A thread's freed memory goes back only when it next allocates
/// or frees after the purge delay; the pool's threads idle between edits, and
/// held a 10,000-article guide's garbage (705 MB resident at rest, 374 after).
fn release_everywhere() {
    rayon::broadcast(|_| crate::memory::release());
    crate::memory::release();
}

/// What is served, as against the engine's state.
enum Served {
    /// The engine's pages; the files made from the whole guide (index, views,
    /// search, exports) are not in yet. `checking`: a full build of exactly this
    /// state runs, started when the watcher had seen that many events.
    Partial { checking: Option<u64> },
    /// A full build of the engine's state, checked against the served pages.
    Complete,
    /// The last good pages with an overlay: the engine's state does not build.
    Broken,
}

/// The problems of the guide, as known from full builds.
enum Problems {
    /// No full build has finished yet.
    Unknown,
    Known {
        /// The problems when `serve` started: any other was caused by an edit since.
        initial: HashSet<ProblemKey>,
        /// The caused problems already printed (each is printed once).
        printed: HashSet<ProblemKey>,
    },
}

/// A problem told apart from others without its line (edits above it move it).
type ProblemKey = (String, Code, String, Option<String>);

fn problem_key(d: &Diagnostic) -> ProblemKey {
    (d.file.clone(), d.code, d.message.clone(), d.target.clone())
}

fn error_key(d: &Diagnostic) -> (String, Code) {
    (d.file.clone(), d.code)
}

pub struct Coordinator {
    pub engine: Engine,
    shared: Arc<Shared>,
    log: Log,
    /// Relevant file-system events seen by the watcher, and applied here.
    seen: Arc<AtomicU64>,
    applied: u64,
    served: Served,
    /// A full build started before the last change runs: its result is dropped.
    outdated_running: bool,
    /// Errors (file, code) present in the served build: only new ones break it.
    baseline: HashSet<(String, Code)>,
    /// Files that depend only on the theme, templates and configuration (the
    /// theme folder and 404.html), from the last full build.
    carry: HashMap<String, Bytes>,
    background: Background,
    watch_tx: Sender<watch::WatchMsg>,
    /// Content files changed since diagnostics were last printed.
    to_report: BTreeSet<String>,
    problems: Problems,
}

impl Coordinator {
    pub fn new(
        engine: Engine,
        shared: Arc<Shared>,
        log: Log,
        seen: Arc<AtomicU64>,
        background: Background,
        watch_tx: Sender<watch::WatchMsg>,
    ) -> Coordinator {
        Coordinator {
            engine,
            shared,
            log,
            seen,
            applied: 0,
            served: Served::Partial { checking: None },
            outdated_running: false,
            baseline: HashSet::new(),
            carry: HashMap::new(),
            background,
            watch_tx,
            to_report: BTreeSet::new(),
            problems: Problems::Unknown,
        }
    }

    fn snapshot(&self) -> Snapshot {
        let mut files = self.engine.files().clone();
        for (k, v) in &self.carry {
            files.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let pending = self.engine.deferred().map(str::to_string).collect();
        Snapshot {
            files,
            complete: false,
            pending,
        }
    }

    pub fn first_publish(&mut self) {
        let errors = self.engine.errors();
        if !errors.is_empty() {
            self.print_diags(&errors);
        }
        self.baseline = errors.iter().map(error_key).collect();
        let snap = self.snapshot();
        self.shared.publish(snap, true);
        self.served = Served::Partial { checking: None };
        release_everywhere();
        self.maybe_start_background();
    }

    pub fn run(&mut self, rx: Receiver<Msg>) {
        for msg in rx {
            match msg {
                Msg::Changes(c) => {
                    self.changes(c);
                    // After the reload is out: the pages the update replaced go
                    // back to the system from every thread that rendered.
                    release_everywhere();
                }
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

    /// The engine's state changed: a full build running now is of an older one.
    fn moved_on(&mut self) {
        if let Served::Partial { checking: Some(_) } = self.served {
            self.outdated_running = true;
        }
    }

    fn show_broken(&mut self, title: &str, items: Vec<String>) {
        self.moved_on();
        self.served = Served::Broken;
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
            self.unchanged(&update);
            return;
        }
        self.moved_on();
        self.to_report.extend(update.changed_files.iter().cloned());
        if update.theme_changed || update.templates_changed || update.config_changed {
            self.carry.clear();
        }
        let errors = self.engine.errors();
        let new = errors
            .iter()
            .filter(|d| !self.baseline.contains(&error_key(d)))
            .count();
        if new > 0 {
            self.log.error(format!(
                "{new} problem(s) keep pages out of the site; still serving the last good build"
            ));
            self.print_diags(&errors);
            let items = errors.iter().map(crate::report::line).collect();
            self.show_broken("The build has errors", items);
            return;
        }
        self.baseline = errors.iter().map(error_key).collect();
        self.publish_update(&update);
    }

    /// An update that changed no output: it may still have fixed a failed one.
    fn unchanged(&mut self, update: &engine::Update) {
        self.log.verbose("no change to the site");
        let fixed = self
            .engine
            .errors()
            .iter()
            .all(|d| self.baseline.contains(&error_key(d)));
        if matches!(self.served, Served::Broken) && fixed {
            self.publish_update(update);
        }
    }

    fn publish_update(&mut self, update: &engine::Update) {
        let was_broken = matches!(self.served, Served::Broken);
        let snap = self.snapshot();
        self.shared.publish(snap, true);
        self.served = Served::Partial { checking: None };
        let took = update.took;
        self.shared.update_stats(|s| {
            s.updates += 1;
            s.last_update_ms = took.as_secs_f64() * 1000.0;
        });
        self.log.info(update_line(update, was_broken));
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
        if update.deferred > 0 {
            self.render_deferred();
        }
    }

    /// After the reload: the pages of unchanged files that the update changed.
    /// Until they are published, requests for them wait (`Snapshot::pending`).
    fn render_deferred(&mut self) {
        match self.engine.render_deferred() {
            Ok(done) => {
                self.shared.publish(self.snapshot(), false);
                let took = done.took;
                self.shared.update_stats(|s| {
                    s.last_deferred_ms = took.as_secs_f64() * 1000.0;
                });
                self.log.verbose(format!(
                    "then {} page(s) of other files, in {} ({} changed)",
                    done.pages_rendered,
                    ms(took),
                    done.rendered.len()
                ));
            }
            Err(e) => {
                let msg = format!("{e:#}");
                self.log.error(format!("the site cannot be built: {msg}"));
                self.show_broken("The site cannot be built", vec![msg]);
            }
        }
    }

    fn maybe_start_background(&mut self) {
        if self.outdated_running || !matches!(self.served, Served::Partial { checking: None }) {
            return;
        }
        let seen = self.seen.load(Ordering::SeqCst);
        if seen != self.applied {
            // A batch is on its way; build after it.
            return;
        }
        let job = Job {
            seen_at_start: seen,
            config: self.engine.config.clone(),
        };
        if self.background.jobs.send(job).is_ok() {
            self.served = Served::Partial {
                checking: Some(seen),
            };
            self.log
                .verbose("checking the whole site in the background…");
        }
    }

    fn built(&mut self, b: Built) {
        let current = !std::mem::take(&mut self.outdated_running)
            && matches!(self.served, Served::Partial { checking: Some(s) } if s == b.seen_at_start)
            && self.seen.load(Ordering::SeqCst) == b.seen_at_start;
        if !current {
            if let Served::Partial { checking } = &mut self.served {
                *checking = None;
            }
            self.log.verbose(format!(
                "full build of an older state dropped ({})",
                ms(b.took)
            ));
            return;
        }
        match b.result {
            Ok(checked) => self.complete(checked, b.took),
            Err(e) => {
                let msg = format!("{e:#}");
                self.log.error(format!("the site cannot be built: {msg}"));
                self.show_broken("The site cannot be built", vec![msg]);
            }
        }
    }

    /// Serves a full build of the current state: every file served before it
    /// must be exactly what it made, and any that is not is replaced.
    fn complete(&mut self, checked: Checked, took: Duration) {
        let Checked {
            files,
            wrong,
            diags,
        } = checked;
        if !wrong.is_empty() {
            self.correct(&files, &wrong);
        }
        self.carry = files
            .iter()
            .filter(|(k, _)| k.starts_with("theme/") || k.as_str() == "404.html")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let count = files.len();
        self.shared.publish(
            Snapshot {
                files,
                complete: true,
                pending: HashSet::new(),
            },
            !wrong.is_empty(),
        );
        self.served = Served::Complete;
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
        self.report(diags);
        self.to_report.clear();
    }

    /// Takes the full build's bytes for the files the engine got wrong.
    fn correct(&mut self, files: &HashMap<String, Bytes>, wrong: &[String]) {
        self.log.error(format!(
            "the incremental rebuild got {} file(s) wrong (now replaced): {}",
            wrong.len(),
            wrong.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
        for path in wrong {
            if let Some(bytes) = files.get(path) {
                if self.engine.files().contains_key(path) {
                    self.engine.correct(path, bytes.clone());
                }
            }
        }
    }

    /// The first time a summary; then the diagnostics of the files changed
    /// since, as `svcguide check` sees them.
    fn report(&mut self, diags: Vec<Diagnostic>) {
        match &self.problems {
            Problems::Unknown => {
                self.problems = Problems::Known {
                    initial: diags.iter().map(problem_key).collect(),
                    printed: HashSet::new(),
                };
                let c = crate::report::counts(&diags);
                if c.error + c.warning + c.info > 0 {
                    self.log.info(format!(
                        "the guide has {} error(s), {} warning(s), {} info; `svcguide check` lists them",
                        c.error, c.warning, c.info
                    ));
                }
            }
            Problems::Known { .. } => self.report_caused(diags),
        }
    }

    /// Names, in the terminal, the problems of the changed files and those the
    /// edits caused in any other file (a deleted or renamed page, a removed
    /// heading), and keeps a badge listing the caused ones over every page.
    fn report_caused(&mut self, diags: Vec<Diagnostic>) {
        let Problems::Known { initial, printed } = &mut self.problems else {
            return;
        };
        let caused: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .filter(|d| !initial.contains(&problem_key(d)))
            .collect();
        let elsewhere: BTreeSet<&str> = caused
            .iter()
            .filter(|d| !self.to_report.contains(&d.file))
            .filter(|d| !printed.contains(&problem_key(d)))
            .map(|d| d.file.as_str())
            .collect();
        *printed = caused.iter().map(|d| problem_key(d)).collect();
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
        let items: Vec<String> = caused.iter().map(|d| crate::report::line(d)).collect();
        let notice = (!caused.is_empty()).then(|| {
            let c = crate::report::counts(&caused.iter().map(|d| (*d).clone()).collect::<Vec<_>>());
            app::notice_html(c.error, c.warning, &items)
        });
        self.shared.set_notice(notice, items);
    }
}

/// The terminal's line for a published update.
fn update_line(update: &engine::Update, was_broken: bool) -> String {
    let what = match update.path {
        UpdatePath::Nothing => "no page changed",
        UpdatePath::Fast => "in place",
        UpdatePath::Titles => "in place, new title",
        UpdatePath::Links => "links patched",
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
        ms(update.took),
        update.rendered.len(),
        update.removed.len()
    );
    if !files.is_empty() {
        line.push_str(&format!(" [{files}]"));
    }
    for (changed, what) in [
        (update.theme_changed, " [theme]"),
        (update.templates_changed, " [templates]"),
        (update.config_changed, " [config]"),
    ] {
        if changed {
            line.push_str(what);
        }
    }
    if was_broken {
        line.push_str("; errors fixed");
    }
    line
}
