//! Watching the content, templates and theme folders and the configuration file:
//! file-system events are classified (editor droppings dropped), debounced and
//! handed over as one batch of changed paths.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use notify::{EventKind, RecursiveMode, Watcher};

use super::engine::{Batch, Roots};

pub enum WatchMsg {
    Fs(notify::Result<notify::Event>),
    /// The folders changed (the configuration was edited): watch the new ones.
    Roots(Roots),
}

/// A debounced batch, and how many relevant events it covers (see `seen`).
pub struct Changes {
    pub batch: Batch,
    pub through: u64,
}

pub struct WatchConfig {
    /// Quiet time that ends a batch.
    pub debounce: Duration,
    /// A batch is handed over after this long even if events keep coming.
    pub max_wait: Duration,
}

/// Starts the watcher thread. `seen` counts relevant events as they arrive
/// (before the debounce), so a background build can tell it read files that
/// changed under it.
pub fn start(
    roots: Roots,
    cfg: WatchConfig,
    seen: Arc<AtomicU64>,
    out: Sender<Changes>,
) -> Result<Sender<WatchMsg>> {
    let (tx, rx) = std::sync::mpsc::channel::<WatchMsg>();
    let fs_tx = tx.clone();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // Reads (every full build opens every file) are dropped right here.
        if !matches!(&res, Ok(e) if matches!(e.kind, EventKind::Access(_)) && !e.need_rescan()) {
            let _ = fs_tx.send(WatchMsg::Fs(res));
        }
    })?;
    let mut w = Watch {
        watcher,
        watched: BTreeSet::new(),
        roots,
    };
    w.setup()?;
    std::thread::Builder::new()
        .name("svcguide-watch".into())
        .spawn(move || w.run(rx, cfg, seen, out))?;
    Ok(tx)
}

struct Watch {
    watcher: notify::RecommendedWatcher,
    watched: BTreeSet<(PathBuf, bool)>,
    roots: Roots,
}

/// The nearest folder that exists, for watching a folder that is not there yet.
fn existing_ancestor(p: &Path) -> Option<PathBuf> {
    p.ancestors().find(|a| a.is_dir()).map(Path::to_path_buf)
}

impl Watch {
    /// Watches what the roots name; folders that do not exist yet are watched
    /// through their nearest existing parent (so their creation is seen).
    fn setup(&mut self) -> Result<()> {
        let mut want: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
        want.insert((self.roots.content.clone(), true));
        let statics = self.roots.statics.iter();
        for dir in [&self.roots.templates, &self.roots.theme]
            .into_iter()
            .chain(statics)
        {
            if dir.is_dir() {
                want.insert((dir.clone(), true));
            } else if let Some(a) = existing_ancestor(dir) {
                want.insert((a, false));
            }
        }
        if let Some(a) = self.roots.config.parent().and_then(existing_ancestor) {
            want.insert((a, false));
        }
        // A recursive watch covers the same folder watched flat.
        let recursive: Vec<PathBuf> = want
            .iter()
            .filter(|(_, r)| *r)
            .map(|(p, _)| p.clone())
            .collect();
        want.retain(|(p, r)| *r || !recursive.contains(p));
        for old in self.watched.difference(&want).cloned().collect::<Vec<_>>() {
            let _ = self.watcher.unwatch(&old.0);
            self.watched.remove(&old);
        }
        for new in want.difference(&self.watched.clone()) {
            let mode = if new.1 {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            self.watcher.watch(&new.0, mode)?;
            self.watched.insert(new.clone());
        }
        Ok(())
    }

    fn run(
        mut self,
        rx: Receiver<WatchMsg>,
        cfg: WatchConfig,
        seen: Arc<AtomicU64>,
        out: Sender<Changes>,
    ) {
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        let mut rescan = false;
        // First relevant event of the batch, and the last one: the batch is handed
        // over once relevant events stop for the debounce time (irrelevant ones,
        // like reads, do not extend it), or after `max_wait` in any case.
        let mut window: Option<(Instant, Instant)> = None;
        loop {
            let msg = match window {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some((first, last)) => {
                    let due = (last + cfg.debounce).min(first + cfg.max_wait);
                    match due.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => rx.recv_timeout(left),
                        _ => Err(RecvTimeoutError::Timeout),
                    }
                }
            };
            let mut relevant = false;
            match msg {
                Ok(WatchMsg::Fs(Ok(event))) => {
                    if event.need_rescan() {
                        rescan = true;
                        relevant = true;
                    }
                    if !matches!(event.kind, EventKind::Access(_)) {
                        for p in event.paths {
                            if self.roots.classify(&p).is_some() {
                                relevant = true;
                                paths.insert(p);
                            }
                        }
                    }
                }
                Ok(WatchMsg::Fs(Err(_))) => {
                    rescan = true;
                    relevant = true;
                }
                Ok(WatchMsg::Roots(roots)) => {
                    self.roots = roots;
                    let _ = self.setup();
                }
                Err(RecvTimeoutError::Timeout) => {
                    // Quiet for the debounce time (or waited long enough): hand over.
                    let batch = Batch {
                        paths: std::mem::take(&mut paths).into_iter().collect(),
                        rescan: std::mem::take(&mut rescan),
                    };
                    window = None;
                    // Templates or theme folders may have appeared or gone.
                    let _ = self.setup();
                    let through = seen.load(Ordering::SeqCst);
                    if out.send(Changes { batch, through }).is_err() {
                        return;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if relevant {
                seen.fetch_add(1, Ordering::SeqCst);
                let now = Instant::now();
                window = Some(window.map_or((now, now), |(first, _)| (first, now)));
            }
        }
    }
}
