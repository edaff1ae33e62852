//! Watching the content, templates and theme folders and the configuration file:
//! notify's events, debounced by notify-debouncer-full, classified (editor
//! droppings dropped) and handed over as one batch of changed paths.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Result;
use notify::event::ModifyKind;
use notify::{Event, EventHandler, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

use super::engine::{Batch, Roots};

pub enum WatchMsg {
    Fs(DebounceEventResult),
    /// The folders changed (the configuration was edited): watch the new ones.
    Roots(Roots),
}

/// A debounced batch, and how many relevant events it covers (see `seen`).
pub struct Changes {
    pub batch: Batch,
    pub through: u64,
}

/// Starts the watcher. `seen` counts relevant events as they arrive (before the
/// debounce), so a background build can tell it read files that changed under it.
/// `debounce` is the quiet time after a path's last event before it is handed over.
pub fn start(
    roots: Roots,
    debounce: Duration,
    seen: Arc<AtomicU64>,
    out: Sender<Changes>,
) -> Result<Sender<WatchMsg>> {
    let (tx, rx) = std::sync::mpsc::channel::<WatchMsg>();
    let fs_tx = tx.clone();
    let shared_roots = Arc::new(Mutex::new(roots.clone()));
    let left = Arc::new(Mutex::new(Vec::new()));
    ARRIVALS.with(|a| {
        *a.borrow_mut() = Some(Arrivals {
            seen: seen.clone(),
            roots: shared_roots.clone(),
            left: left.clone(),
        })
    });
    // A zero timeout would make the debouncer's tick loop spin. A path is handed
    // over at the first tick after its quiet time: ticks of a tenth of it (the
    // crate's default is a quarter) keep that within 10% of the debounce.
    let debounce = debounce.max(Duration::from_millis(1));
    let debouncer = notify_debouncer_full::new_debouncer_opt::<_, Counted, _>(
        debounce,
        Some((debounce / 10).max(Duration::from_millis(1))),
        move |res: DebounceEventResult| {
            let _ = fs_tx.send(WatchMsg::Fs(res));
        },
        RecommendedCache::new(),
        notify::Config::default(),
    );
    ARRIVALS.with(|a| a.borrow_mut().take());
    let mut w = Watch {
        debouncer: debouncer?,
        watched: BTreeSet::new(),
        roots,
        shared_roots,
        left,
    };
    w.setup()?;
    std::thread::Builder::new()
        .name("svcguide-watch".into())
        .spawn(move || w.run(rx, seen, out))?;
    Ok(tx)
}

/// What [`Counted`] needs besides the debouncer's handler.
struct Arrivals {
    seen: Arc<AtomicU64>,
    roots: Arc<Mutex<Roots>>,
    /// Paths that were removed or renamed away, as they happen: see [`Watch::left`].
    left: Arc<Mutex<Vec<PathBuf>>>,
}

thread_local! {
    /// Hands [`Arrivals`] to [`Counted::new`], which the debouncer calls on this
    /// thread with nothing but its own event handler.
    static ARRIVALS: RefCell<Option<Arrivals>> = const { RefCell::new(None) };
}

/// The platform's watcher with the events counted as they arrive: the debouncer
/// hands events over only after the quiet time, but a full build must know of a
/// change the moment it happens. Reads are dropped before the debouncer (every
/// full build opens every file).
struct Counted(RecommendedWatcher);

impl Watcher for Counted {
    fn new<F: EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let Arrivals { seen, roots, left } = ARRIVALS
            .with(|a| a.borrow_mut().take())
            .ok_or_else(|| notify::Error::generic("the watcher was made outside `watch::start`"))?;
        let inner = RecommendedWatcher::new(
            move |res: notify::Result<Event>| {
                let relevant = match &res {
                    Ok(e) if e.need_rescan() => true,
                    Ok(e) if matches!(e.kind, EventKind::Access(_)) => return,
                    Ok(e) => {
                        let roots = roots.lock().unwrap_or_else(PoisonError::into_inner);
                        e.paths.iter().any(|p| roots.classify(p).is_some())
                    }
                    Err(_) => true,
                };
                if relevant {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                if let Ok(e) = &res {
                    if matches!(
                        e.kind,
                        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
                    ) {
                        let roots = roots.lock().unwrap_or_else(PoisonError::into_inner);
                        let mut left = left.lock().unwrap_or_else(PoisonError::into_inner);
                        left.extend(
                            e.paths
                                .iter()
                                .filter(|p| roots.classify(p).is_some())
                                .cloned(),
                        );
                    }
                }
                handler.handle_event(res);
            },
            config,
        )?;
        Ok(Counted(inner))
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn configure(&mut self, option: notify::Config) -> notify::Result<bool> {
        self.0.configure(option)
    }

    fn kind() -> notify::WatcherKind {
        RecommendedWatcher::kind()
    }
}

struct Watch {
    debouncer: Debouncer<Counted, RecommendedCache>,
    watched: BTreeSet<(PathBuf, bool)>,
    roots: Roots,
    /// The roots [`Counted`] classifies arriving events by.
    shared_roots: Arc<Mutex<Roots>>,
    /// Paths removed or renamed away since the last batch. The debouncer can
    /// lose one: `mv a.md b.md` and then an editor's save of `b.md` through
    /// a temporary file came out as a remove and a create of `b.md`, and
    /// `a.md` stayed in the guide. Each batch takes them all; the engine
    /// reads what exists and drops the rest.
    left: Arc<Mutex<Vec<PathBuf>>>,
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
            let _ = self.debouncer.unwatch(&old.0);
            self.watched.remove(&old);
        }
        for new in want.difference(&self.watched.clone()) {
            let mode = if new.1 {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            self.debouncer.watch(&new.0, mode)?;
            self.watched.insert(new.clone());
        }
        Ok(())
    }

    fn run(mut self, rx: Receiver<WatchMsg>, seen: Arc<AtomicU64>, out: Sender<Changes>) {
        let mut handed_over = 0;
        for msg in rx {
            let batch = match msg {
                WatchMsg::Fs(Ok(events)) => {
                    let mut batch = Batch::default();
                    for event in events {
                        batch.rescan |= event.need_rescan();
                        let paths = event.event.paths.into_iter();
                        batch
                            .paths
                            .extend(paths.filter(|p| self.roots.classify(p).is_some()));
                    }
                    // With the batch they belong to (the debouncer hands them
                    // over with the rest of their edit, or loses them), not with
                    // a batch of unrelated events before it.
                    if !batch.paths.is_empty() {
                        let left = std::mem::take(
                            &mut *self.left.lock().unwrap_or_else(PoisonError::into_inner),
                        );
                        batch.paths.extend(left);
                    }
                    batch.paths.sort();
                    batch.paths.dedup();
                    batch
                }
                WatchMsg::Fs(Err(_)) => Batch {
                    paths: Vec::new(),
                    rescan: true,
                },
                WatchMsg::Roots(roots) => {
                    *self
                        .shared_roots
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = roots.clone();
                    self.roots = roots;
                    let _ = self.setup();
                    continue;
                }
            };
            // Templates or theme folders may have appeared or gone.
            let _ = self.setup();
            // An empty batch is handed over only to count the events it covers as applied.
            let through = seen.load(Ordering::SeqCst);
            if batch.paths.is_empty() && !batch.rescan && through == handed_over {
                continue;
            }
            handed_over = through;
            if out.send(Changes { batch, through }).is_err() {
                return;
            }
        }
    }
}
