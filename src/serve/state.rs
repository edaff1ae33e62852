//! What the server shows right now: the published snapshot of the site, the
//! version pages reload on, and the error overlay. Builders publish; request and
//! event-stream threads read and wait on it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use super::engine::Bytes;

/// A consistent set of site files.
#[derive(Default)]
pub struct Snapshot {
    pub files: HashMap<String, Bytes>,
    /// True when the snapshot holds the whole site; false while the files built
    /// from the whole guide (index, views, search, exports) are being made: a
    /// request for a file that is not here yet waits for them.
    pub complete: bool,
    /// Pages whose bytes here are out of date, being rendered after the reload
    /// (`Engine::render_deferred`): a request for one waits for the next snapshot.
    pub pending: HashSet<String>,
}

/// A copy of the state at one moment.
#[derive(Clone)]
pub struct View {
    pub snapshot: Option<Arc<Snapshot>>,
    /// Changes when what a page shows changes (its reload signal).
    pub version: u64,
    /// Changes on every change of the state (waiters wake on it).
    pub seq: u64,
    /// Escaped HTML of the diagnostics of a broken build.
    pub overlay: Option<Arc<str>>,
    /// Escaped HTML of a badge listing the problems this session's edits
    /// caused anywhere in the guide (pages are still served as built).
    pub notice: Option<Arc<str>>,
}

impl View {
    /// What is shown over the pages: the overlay of a broken build, else the notice.
    pub fn shown_over(&self) -> Option<&str> {
        self.overlay.as_deref().or(self.notice.as_deref())
    }
}

/// Counters for `/__svcguide/status` (tests and benchmarks read them).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Incremental updates published.
    pub updates: u64,
    /// Background full builds that were published.
    pub full_builds: u64,
    /// Files an incremental update got wrong, found by a background build.
    pub mismatches: u64,
    /// Milliseconds of the last incremental update (after the debounce), up
    /// to the reload.
    pub last_update_ms: f64,
    /// Milliseconds spent after that reload on the pages it left pending.
    pub last_deferred_ms: f64,
    /// Milliseconds of the last full background build.
    pub last_full_build_ms: f64,
    /// Messages of the errors shown in the overlay.
    pub errors: Vec<String>,
    /// The problems in the notice: caused by edits since `serve` started, anywhere in the guide.
    pub problems: Vec<String>,
}

struct Inner {
    view: View,
    stats: Stats,
}

pub struct Shared {
    inner: Mutex<Inner>,
    /// `(seq, version)` of the view, for the request tasks that wait on them.
    changed: watch::Sender<(u64, u64)>,
    /// Told apart from other runs of the server, so that pages reload after a restart.
    boot: String,
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

impl Shared {
    pub fn new() -> Shared {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Shared {
            inner: Mutex::new(Inner {
                view: View {
                    snapshot: None,
                    version: 0,
                    seq: 0,
                    overlay: None,
                    notice: None,
                },
                stats: Stats::default(),
            }),
            changed: watch::Sender::new((0, 0)),
            boot: format!("{:x}", (nanos as u64) ^ u64::from(std::process::id())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn view(&self) -> View {
        self.lock().view.clone()
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    pub fn update_stats(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.lock().stats);
    }

    /// The tag a page carries for a version: it reloads when the tag changes.
    pub fn tag(&self, version: u64) -> String {
        format!("{}-{version}", self.boot)
    }

    /// Serves a new snapshot; `reload` tells open pages to load again. Clears the overlay.
    pub fn publish(&self, snapshot: Snapshot, reload: bool) {
        let mut inner = self.lock();
        let v = &mut inner.view;
        // The old snapshot is freed after the waiters are told (it can be large).
        let _old = v.snapshot.replace(Arc::new(snapshot));
        v.seq += 1;
        if reload || v.overlay.is_some() {
            v.version += 1;
        }
        v.overlay = None;
        inner.stats.errors.clear();
        let now = (inner.view.seq, inner.view.version);
        drop(inner);
        self.changed.send_replace(now);
    }

    /// Shows (or clears) the error overlay over the pages served as they are.
    pub fn set_overlay(&self, overlay: Option<String>, errors: Vec<String>) {
        let mut inner = self.lock();
        let v = &mut inner.view;
        let new: Option<Arc<str>> = overlay.map(Into::into);
        if v.overlay != new {
            v.overlay = new;
            v.version += 1;
        }
        v.seq += 1;
        inner.stats.errors = errors;
        let now = (inner.view.seq, inner.view.version);
        drop(inner);
        self.changed.send_replace(now);
    }

    /// Shows (or clears) the notice of problems caused by edits.
    pub fn set_notice(&self, notice: Option<String>, problems: Vec<String>) {
        let mut inner = self.lock();
        let v = &mut inner.view;
        let new: Option<Arc<str>> = notice.map(Into::into);
        if v.notice != new {
            v.notice = new;
            v.version += 1;
        }
        v.seq += 1;
        inner.stats.problems = problems;
        let now = (inner.view.seq, inner.view.version);
        drop(inner);
        self.changed.send_replace(now);
    }

    /// Waits until the state changes from `seq`, or until `deadline`.
    pub async fn wait_change(&self, seq: u64, deadline: Instant) -> View {
        let mut rx = self.changed.subscribe();
        let _ = tokio::time::timeout_at(deadline.into(), rx.wait_for(|&(s, _)| s != seq)).await;
        self.view()
    }

    /// Waits until the version changes from `version`, or for `timeout`.
    pub async fn wait_version(&self, version: u64, timeout: Duration) -> u64 {
        let mut rx = self.changed.subscribe();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|&(_, v)| v != version)).await;
        self.view().version
    }
}
