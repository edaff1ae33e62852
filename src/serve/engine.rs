//! The incremental build behind `svcguide serve`.
//!
//! The engine keeps every parsed article keyed by its file (with a hash of its
//! normalised text), the `Guide` built from them, and the rendered HTML of every
//! page. On a change it re-reads only the files that changed and re-renders only
//! the pages whose inputs changed:
//!
//! * **fast path** — an article changed but not in a way the guide's structure
//!   sees (`Guide::fit`: same permalink, status, id, kind and Depends/Supports
//!   links): the page is swapped into the guide in place (`Guide::replace`) and
//!   only it is re-rendered; with a new title, also the pages that show it;
//! * **links** — only an article's Depends or Supports links changed (with its
//!   text, but not its title): the page is swapped in and the guide's graph
//!   patched (`Guide::relink`); the pages re-rendered are chosen as on the slow
//!   path;
//! * **slow path** — anything else (new, deleted or renamed files, a title and
//!   links at once, assets added or removed): the guide is rebuilt from the parsed pages
//!   (no file is read again; the unchanged pages' resolved links are carried over,
//!   `Guide::build_after`), and a page is re-rendered when its own text
//!   changed or when what it shows of the rest of the guide
//!   (`views::article::Shown`, `ImpactShown`) changed;
//! * **full** — templates: every page is re-rendered; configuration: the engine is
//!   opened again from scratch.
//!
//! Everything else the site holds (index, views, search, exports) is not built
//! here: `serve` takes it from a full `site::build` run in the background, which
//! also checks every page this engine rendered (see `serve::coordinator`).

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::config::{Config, Overrides};
use crate::diag::Diagnostic;
use crate::guide::{Fit, Guide};
use crate::load::{self, Asset};
use crate::page::{self, Page};
use crate::views::article::{ImpactShown, Shown};

/// Bytes of one served file, shared between snapshots without copying.
pub type Bytes = Arc<[u8]>;

/// The folders and file a change can come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    pub content: PathBuf,
    pub templates: PathBuf,
    pub theme: PathBuf,
    pub config: PathBuf,
    /// Static folders (the default `static` even before it exists, so its
    /// creation is seen). Their files come from the background full build.
    pub statics: Vec<PathBuf>,
}

/// Where a changed path belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Config,
    Template,
    Theme,
    /// Relative to the content folder, `/`-separated.
    Content(String),
}

impl Roots {
    /// Classifies a changed path; `None` for paths svcguide does not read (and for
    /// editor droppings, see `load::is_ignored`).
    pub fn classify(&self, path: &Path) -> Option<Origin> {
        if path == self.config {
            return Some(Origin::Config);
        }
        let ignored = |rel: &Path| {
            rel.components()
                .any(|c| load::is_ignored(&c.as_os_str().to_string_lossy()))
        };
        let statics = self.statics.iter().map(|s| (s, Origin::Theme));
        for (root, origin) in [
            (&self.templates, Origin::Template),
            (&self.theme, Origin::Theme),
        ]
        .into_iter()
        .chain(statics)
        {
            if let Ok(rel) = path.strip_prefix(root) {
                return (!ignored(rel)).then_some(origin);
            }
        }
        let rel = path.strip_prefix(&self.content).ok()?;
        if ignored(rel) {
            return None;
        }
        Some(Origin::Content(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        ))
    }
}

/// What happened to the served files in one update.
#[derive(Debug, Default, Clone)]
pub struct Update {
    /// Output paths whose bytes changed or that are new.
    pub rendered: Vec<String>,
    /// Output paths that are no longer part of the site.
    pub removed: Vec<String>,
    /// Content files (relative) that were read again and changed.
    pub changed_files: Vec<String>,
    /// How the pages were brought up to date.
    pub path: UpdatePath,
    /// Theme or template files changed: what depends only on them is stale too.
    pub theme_changed: bool,
    pub templates_changed: bool,
    pub config_changed: bool,
    pub took: Duration,
    /// Time per step (read, guide, keys, render), for `--verbose`.
    pub steps: Vec<(&'static str, Duration)>,
    /// Pages rendered again (some may have come out the same).
    pub pages_rendered: usize,
    /// Pages left for [`Engine::render_deferred`]: they still hold their old
    /// bytes, which must not be served (see [`Engine::deferred`]).
    pub deferred: usize,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum UpdatePath {
    /// Nothing the site depends on changed (a save without changes, a draft...).
    #[default]
    Nothing,
    /// Pages swapped into the guide in place.
    Fast,
    /// Pages swapped in place with new titles (orders redone).
    Titles,
    /// Pages swapped in place with new Depends or Supports links (graph patched).
    Links,
    /// The guide rebuilt from the parsed pages.
    Slow,
    /// Templates or configuration: everything rendered again.
    Full,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        self.rendered.is_empty()
            && self.removed.is_empty()
            && !self.theme_changed
            && !self.templates_changed
            && !self.config_changed
            && self.path == UpdatePath::Nothing
    }
}

/// A batch of changed paths, as the watcher reports them after debouncing.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    /// The watcher lost track (overflow, error): compare every file again.
    pub rescan: bool,
}

enum Slot {
    /// Published: the page lives in `guide.pages`.
    Guide,
    /// Parsed but kept out of the guide (a draft, or a duplicate permalink).
    Held(Box<Page>),
    /// Could not become a page (unreadable, no front matter...).
    Failed,
    /// Went into the guide but did not come back out of it: parse again when needed.
    Lost,
}

struct FileState {
    path: PathBuf,
    /// Hash of the normalised text; `None` when the file could not be read.
    hash: Option<u64>,
    /// Diagnostics of reading and parsing the file.
    diags: Vec<Diagnostic>,
    slot: Slot,
}

/// One re-read article.
struct Parsed {
    rel: String,
    path: PathBuf,
    hash: Option<u64>,
    diags: Vec<Diagnostic>,
    page: Option<Page>,
}

impl Parsed {
    /// What the engine keeps of the file once its page (taken out) is in `slot`.
    fn into_state(self, slot: Slot) -> (String, FileState) {
        let state = FileState {
            path: self.path,
            hash: self.hash,
            diags: self.diags,
            slot,
        };
        (self.rel, state)
    }
}

/// What a page's rendering depends on besides its own text: its render key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RenderKey {
    rel: String,
    /// Hash of the page's own (normalised) text.
    text: u64,
    /// What the page shows of the rest of the guide ([`Shown`]).
    near: u64,
    /// What the page shows of its transitive dependents ([`ImpactShown`]).
    impact: u64,
}

pub struct Engine {
    /// What the command line says, re-applied whenever the configuration is read again.
    pub inputs: Overrides,
    pub config: Config,
    pub roots: Roots,
    tera: tera::Tera,
    templates_dirty: bool,
    files: BTreeMap<String, FileState>,
    assets: BTreeMap<String, Asset>,
    /// Problems found while walking the content folder (skipped links...).
    walk_diags: Vec<Diagnostic>,
    guide: Guide,
    /// Problems found while building the guide (duplicate permalinks...).
    guide_diags: Vec<Diagnostic>,
    rel_index: rustc_hash::FxHashMap<String, usize>,
    keys: rustc_hash::FxHashMap<String, RenderKey>,
    /// Rendered pages and content assets, by output path.
    out: HashMap<String, Bytes>,
    /// After a failed render: render everything on the next update.
    render_all_next: bool,
    /// After a failed update: compare every file again on the next one.
    rescan_next: bool,
    /// Pages of unchanged files that an update changes (what they show of
    /// other services: "required by", the impact summary), left to render
    /// after the reload, which waits only for the changed files' own pages: on
    /// a ring a new article changes all 10,000 impact summaries, and a hub's
    /// page lists every service; the author's page waits for neither. With
    /// its render key, when already made. Empty at the start of every update.
    deferred: Vec<(usize, Option<RenderKey>)>,
}

fn text_hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

fn read_article(rel: &str, path: &Path) -> Parsed {
    let mut diags = Vec::new();
    let (hash, page) = match load::read_source(rel, path) {
        Ok(src) => {
            let hash = text_hash(&src.text);
            (Some(hash), page::parse(src, &mut diags))
        }
        Err(d) => {
            diags.push(*d);
            (None, None)
        }
    };
    Parsed {
        rel: rel.to_string(),
        path: path.to_path_buf(),
        hash,
        diags,
        page,
    }
}

/// How far a title shows along Depends links: the "required by" list of each
/// service it depends on (1 step), and the impact lists, whose nearest entries
/// start at depth 2 and gain at least one entry per level until they are full
/// (`guide::summarise_impact`), so no list shows a page more than
/// `IMPACT_NEAREST + 1` steps away.
const TITLE_REACH: usize = crate::guide::IMPACT_NEAREST + 1;

/// The text part of a render key: the hash of the file's text as last read.
fn text_of(files: &BTreeMap<String, FileState>, rel: &str) -> u64 {
    files.get(rel).and_then(|f| f.hash).unwrap_or(0)
}

/// The render key of page `i`; `impact` when known to be unchanged (it is the
/// costly part).
fn render_key(
    guide: &Guide,
    files: &BTreeMap<String, FileState>,
    i: usize,
    impact: Option<u64>,
) -> RenderKey {
    let page = &guide.pages[i];
    RenderKey {
        rel: page.src.rel.clone(),
        text: text_of(files, &page.src.rel),
        near: Shown::of(guide, i).map_or(0, |s| s.key()),
        impact: impact.unwrap_or_else(|| ImpactShown::of(guide, i).map_or(0, |s| s.key())),
    }
}

impl Engine {
    /// Loads, models and renders the whole guide.
    pub fn open(inputs: &Overrides) -> Result<Engine> {
        let mut config = inputs.load()?;
        // The engine outlives the command line: resolve against today's folder once.
        config.root = std::path::absolute(&config.root)?;
        let roots = Roots {
            content: std::path::absolute(config.resolve(&config.content))?,
            templates: std::path::absolute(config.resolve(&config.templates))?,
            theme: std::path::absolute(config.resolve(&config.theme))?,
            config: inputs.config_path()?,
            statics: match &config.static_dirs {
                Some(dirs) => dirs.iter().map(|d| config.resolve(d)).collect(),
                None => vec![config.resolve(Path::new("static"))],
            }
            .into_iter()
            .map(std::path::absolute)
            .collect::<std::io::Result<_>>()?,
        };
        if !roots.content.is_dir() {
            anyhow::bail!(
                "content folder {} does not exist or is not a folder",
                roots.content.display()
            );
        }
        let tera = crate::views::article::load_templates(&roots.templates)?;
        let mut engine = Engine {
            inputs: inputs.clone(),
            config,
            roots,
            tera,
            templates_dirty: false,
            files: BTreeMap::new(),
            assets: BTreeMap::new(),
            walk_diags: Vec::new(),
            guide: Guide::build(Vec::new(), Vec::new(), false, &mut Vec::new()),
            guide_diags: Vec::new(),
            rel_index: Default::default(),
            keys: Default::default(),
            out: HashMap::new(),
            render_all_next: false,
            rescan_next: false,
            deferred: Vec::new(),
        };
        engine.rescan(true)?;
        Ok(engine)
    }

    /// The served files this engine makes: every page and every content asset.
    pub fn files(&self) -> &HashMap<String, Bytes> {
        &self.out
    }

    pub fn guide(&self) -> &Guide {
        &self.guide
    }

    /// Every diagnostic the engine knows of (parsing, walking, guide), unsorted.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .walk_diags
            .iter()
            .chain(self.files.values().flat_map(|f| f.diags.iter()))
            .chain(self.guide_diags.iter())
            .cloned()
            .collect();
        self.config.apply_levels(&mut all);
        crate::diag::normalise(&mut all);
        all
    }

    /// Diagnostics of problems that keep a page (or a file) out of the site.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut errors = self.diagnostics();
        errors.retain(|d| d.code.stops_page());
        errors
    }

    /// Brings the engine up to date with a batch of changed paths.
    pub fn apply(&mut self, batch: &Batch) -> Result<Update> {
        let result = self.apply_inner(batch);
        if result.is_err() {
            // When in doubt, rebuild fully: the next update compares every file
            // and renders every page again.
            self.rescan_next = true;
            self.render_all_next = true;
        }
        result
    }

    fn apply_inner(&mut self, batch: &Batch) -> Result<Update> {
        let started = Instant::now();
        // Deferred pages name indices of the guide this update may replace.
        self.render_deferred()?;
        let mut update = Update::default();
        let mut content: Vec<String> = Vec::new();
        for path in &batch.paths {
            match self.roots.classify(path) {
                Some(Origin::Config) => update.config_changed = true,
                Some(Origin::Template) => update.templates_changed = true,
                Some(Origin::Theme) => update.theme_changed = true,
                Some(Origin::Content(rel)) => content.push(rel),
                None => {}
            }
        }
        if update.config_changed {
            let fresh = Engine::open(&self.inputs)?;
            let old: HashMap<String, Bytes> = std::mem::take(&mut self.out);
            *self = fresh;
            diff_files(&old, &self.out, &mut update);
            update.path = UpdatePath::Full;
            update.took = started.elapsed();
            return Ok(update);
        }
        let mut render_all = std::mem::take(&mut self.render_all_next);
        if update.templates_changed || self.templates_dirty {
            self.templates_dirty = true;
            self.tera = crate::views::article::load_templates(&self.roots.templates)?;
            self.templates_dirty = false;
            update.templates_changed = true;
            render_all = true;
        }
        let before: HashMap<String, Bytes> = if render_all {
            self.out.clone()
        } else {
            HashMap::new()
        };
        let rescan = std::mem::take(&mut self.rescan_next) || batch.rescan;
        let result = if rescan || content.iter().any(|r| self.needs_rescan(r)) {
            self.rescan(render_all)
        } else if !content.is_empty() || render_all {
            self.update_content(&content, render_all)
        } else {
            Ok(ContentUpdate::default())
        };
        let cu = result?;
        update.changed_files = cu.changed_files;
        update.steps = cu.steps;
        update.pages_rendered = cu.pages_rendered;
        update.deferred = self.deferred.len();
        update.path = if render_all {
            UpdatePath::Full
        } else {
            cu.path
        };
        if render_all {
            diff_files(&before, &self.out, &mut update);
        } else {
            update.rendered = cu.rendered;
            update.removed = cu.removed;
        }
        update.took = started.elapsed();
        Ok(update)
    }

    /// A path whose change cannot be handled file by file: folders, symbolic links,
    /// and anything that vanished while being a folder.
    fn needs_rescan(&self, rel: &str) -> bool {
        if rel.is_empty() {
            return true;
        }
        let path = self.roots.content.join(rel);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => !meta.is_file(),
            Err(_) => {
                // Gone: a folder if we knew files below it.
                let prefix = format!("{rel}/");
                self.files.keys().any(|k| k.starts_with(&prefix))
                    || self.assets.keys().any(|k| k.starts_with(&prefix))
            }
        }
    }

    /// Walks the whole content folder and compares every file with what is known.
    fn rescan(&mut self, render_all: bool) -> Result<ContentUpdate> {
        let mut walk_diags = Vec::new();
        let (articles, assets) = load::discover(&self.roots.content, &mut walk_diags);
        self.walk_diags = walk_diags;
        let mut rels: Vec<String> = articles.iter().map(|(r, _)| r.clone()).collect();
        rels.extend(assets.iter().map(|a| a.rel.clone()));
        let present: HashSet<&str> = rels.iter().map(String::as_str).collect();
        let mut gone: Vec<String> = self
            .files
            .keys()
            .chain(self.assets.keys())
            .filter(|k| !present.contains(k.as_str()))
            .cloned()
            .collect();
        gone.sort();
        rels.extend(gone);
        self.update_content(&rels, render_all)
    }

    /// Sorts changed content paths: articles to read again and articles gone;
    /// assets are taken in (or dropped) here. True when the set of assets changed.
    fn sort_paths(&mut self, rels: &[&String], cu: &mut ContentUpdate) -> Result<Sorted> {
        let mut structural = false;
        let mut to_read: Vec<(String, PathBuf)> = Vec::new();
        let mut removed_articles: Vec<String> = Vec::new();
        // The walk's own rule: a link to outside the folder is not read, even if it
        // appeared between the walk and now.
        let canonical_root = self
            .roots
            .content
            .canonicalize()
            .unwrap_or_else(|_| self.roots.content.clone());
        for &rel in rels {
            let path = self.roots.content.join(rel);
            let exists = load::is_readable_content(&canonical_root, &path);
            if load::is_markdown(Path::new(rel)) {
                if exists {
                    to_read.push((rel.clone(), path));
                } else if self.files.contains_key(rel) {
                    removed_articles.push(rel.clone());
                }
            } else if exists && !crate::copied::may_serve(rel, &self.config) {
                // Never in place of a generated file, nor unsanitized: the
                // background build reports it (copied-file-shadows/-active).
            } else if exists {
                let bytes: Bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?
                    .into();
                if !self.assets.contains_key(rel) {
                    structural = true;
                    self.assets.insert(
                        rel.clone(),
                        Asset {
                            rel: rel.clone(),
                            path: path.clone(),
                        },
                    );
                }
                if self.out.get(rel) != Some(&bytes) {
                    self.out.insert(rel.clone(), bytes);
                    cu.rendered.push(rel.clone());
                    cu.changed_files.push(rel.clone());
                }
            } else if self.assets.remove(rel).is_some() {
                structural = true;
                self.out.remove(rel);
                cu.removed.push(rel.clone());
                cu.changed_files.push(rel.clone());
            }
        }
        Ok(Sorted {
            to_read,
            removed_articles,
            assets_changed: structural,
        })
    }

    /// Re-reads the given content paths (articles or assets, present or gone).
    fn update_content(&mut self, rels: &[String], render_all: bool) -> Result<ContentUpdate> {
        let mut rels: Vec<&String> = rels.iter().collect();
        rels.sort();
        rels.dedup();
        let mut cu = ContentUpdate::default();
        cu.step("");
        let Sorted {
            to_read,
            removed_articles,
            assets_changed,
        } = self.sort_paths(&rels, &mut cu)?;
        let structural = render_all || assets_changed;
        let parsed: Vec<Parsed> = to_read
            .par_iter()
            .map(|(rel, path)| read_article(rel, path))
            .collect();
        cu.step("read");
        // Keep only real changes (an editor saving the same text changes nothing).
        let mut changed: Vec<Parsed> = Vec::new();
        for p in parsed {
            match self.files.get_mut(&p.rel) {
                Some(f)
                    if f.hash.is_some() && f.hash == p.hash && !matches!(f.slot, Slot::Lost) =>
                {
                    f.path = p.path;
                }
                _ => changed.push(p),
            }
        }
        if changed.is_empty() && removed_articles.is_empty() && !structural {
            cu.path = if cu.rendered.is_empty() && cu.removed.is_empty() {
                UpdatePath::Nothing
            } else {
                UpdatePath::Fast
            };
            return Ok(cu);
        }
        cu.changed_files
            .extend(changed.iter().map(|p| p.rel.clone()));
        cu.changed_files.extend(removed_articles.iter().cloned());
        let fits: Vec<Fit> = if structural || !removed_articles.is_empty() {
            vec![Fit::Rebuild]
        } else {
            changed.iter().map(|p| self.fit(p)).collect()
        };
        let relinked = fits.contains(&Fit::Links);
        if fits.contains(&Fit::Rebuild) || (relinked && fits.contains(&Fit::Title)) {
            self.rebuild_guide(changed, &removed_articles, render_all, &mut cu)?;
            cu.path = UpdatePath::Slow;
        } else if relinked {
            self.relink(changed, &mut cu)?;
            cu.path = UpdatePath::Links;
        } else {
            cu.path = self.swap(changed, &mut cu)?;
        }
        Ok(cu)
    }

    /// How the new version of an article fits into the guide as it stands.
    fn fit(&self, p: &Parsed) -> Fit {
        let (Some(new), Some(f)) = (&p.page, self.files.get(&p.rel)) else {
            return Fit::Rebuild;
        };
        if !matches!(f.slot, Slot::Guide) {
            return Fit::Rebuild;
        }
        let Some(&i) = self.rel_index.get(&p.rel) else {
            return Fit::Rebuild;
        };
        // Problems the guide reports about this file point into its old text;
        // and a file whose permalink another file claims too may now win or
        // lose it by its date: the guide decides again.
        if self.guide_diags.iter().any(|d| {
            d.file == p.rel
                || (d.code == crate::diag::Code::PermalinkDuplicate
                    && d.related.as_deref() == Some(p.rel.as_str()))
        }) {
            return Fit::Rebuild;
        }
        Guide::fit(&self.guide.pages[i], new)
    }

    /// Swaps pages that fit into the guide in place. Only they are rendered
    /// again, unless a title changed: then every page whose render key changed
    /// (the pages that list it).
    fn swap(&mut self, changed: Vec<Parsed>, cu: &mut ContentUpdate) -> Result<UpdatePath> {
        let pages = self.take_in(changed)?;
        let swapped: Vec<usize> = pages.iter().map(|(i, _)| *i).collect();
        let replaced = self.guide.replace(pages);
        cu.step("swap");
        if replaced.impact_changed {
            // A service now exists on other versions: what stops with the
            // services upstream of it may have changed, on any of their pages.
            self.rerender(None, None, false, cu)?;
            return Ok(UpdatePath::Titles);
        }
        let retitled = replaced.retitled;
        if retitled.is_empty() {
            let items = swapped.into_iter().map(|i| (i, self.key_of(i))).collect();
            self.render(items, false, cu)?;
            return Ok(UpdatePath::Fast);
        }
        let touched: HashSet<String> = retitled
            .iter()
            .map(|&i| self.guide.pages[i].src.rel.clone())
            .collect();
        // A title shows on its page, in the "required by" lists of the pages it
        // depends on (depth 1) and in the impact lists of the pages it reaches
        // within the nearest list's reach (see `TITLE_REACH`): all in `dirty`.
        let Some(dirty) = self.depends_closure(&touched, Some(TITLE_REACH)) else {
            self.rerender(None, None, false, cu)?;
            return Ok(UpdatePath::Titles);
        };
        cu.step("closure");
        let mut candidates = swapped;
        candidates.extend(
            (0..self.guide.pages.len()).filter(|&i| dirty.contains(&self.guide.pages[i].out_path)),
        );
        candidates.sort_unstable();
        candidates.dedup();
        let (guide, files, keys) = (&self.guide, &self.files, &self.keys);
        let items: Vec<(usize, RenderKey)> = candidates
            .into_par_iter()
            .map(|i| (i, render_key(guide, files, i, None)))
            .filter(|(i, key)| keys.get(&guide.pages[*i].out_path) != Some(key))
            .collect();
        cu.step("keys");
        self.render(items, true, cu)?;
        Ok(UpdatePath::Titles)
    }

    /// The new versions of pages that fit into the guide, with their places
    /// in it; their files are recorded as read.
    fn take_in(&mut self, changed: Vec<Parsed>) -> Result<Vec<(usize, Page)>> {
        let mut pages = Vec::with_capacity(changed.len());
        for mut p in changed {
            let i = self.rel_index[&p.rel];
            let Some(page) = p.page.take() else {
                anyhow::bail!("{}: a page that fits was not parsed", p.rel);
            };
            pages.push((i, page));
            let (rel, state) = p.into_state(Slot::Guide);
            self.files.insert(rel, state);
        }
        Ok(pages)
    }

    /// Patches the guide for pages whose Depends or Supports links changed
    /// (`Guide::relink`: no page comes, goes or moves) and re-renders what
    /// that changed, as [`Engine::rebuild_guide`] does: the pages themselves
    /// and the pages their links find, before and after; then, after the
    /// reload, the impact summaries along Depends.
    fn relink(&mut self, changed: Vec<Parsed>, cu: &mut ContentUpdate) -> Result<()> {
        let touched: HashSet<String> = changed.iter().map(|p| p.rel.clone()).collect();
        let impact_before = self.depends_closure(&touched, None);
        let mut near_dirty = self.linked_from(&touched);
        let pages = self.take_in(changed)?;
        cu.step("collect");
        self.guide.relink(pages);
        cu.step("guide");
        let impact_dirty = match (impact_before, self.depends_closure(&touched, None)) {
            (Some(mut dirty), Some(after)) => {
                dirty.extend(after);
                Some(dirty)
            }
            _ => None,
        };
        cu.step("closure");
        if let Some(near) = &mut near_dirty {
            near.extend(self.linked_from(&touched).into_iter().flatten());
        }
        cu.step("near");
        self.rerender(impact_dirty, near_dirty, false, cu)
    }

    /// Rebuilds the guide from the parsed pages and re-renders what it changed.
    fn rebuild_guide(
        &mut self,
        changed: Vec<Parsed>,
        removed: &[String],
        render_all: bool,
        cu: &mut ContentUpdate,
    ) -> Result<()> {
        // Pages whose "impact" list may change: everything the changed pages
        // reach through Depends, before (here) and after (below) the change.
        let touched: HashSet<String> = changed
            .iter()
            .map(|p| p.rel.clone())
            .chain(removed.iter().cloned())
            .collect();
        let mut impact_dirty = self.depends_closure(&touched, None);
        let mut near_dirty = self.linked_from(&touched);
        let mut own_paths = self.own_paths(&touched);
        let was_held = self.held_back(&touched);
        let (pages, lost) = self.collect_pages(changed, removed, &touched);
        cu.step("collect");
        let mut guide_diags = Vec::new();
        let assets: Vec<Asset> = self.assets.values().cloned().collect();
        // A page the old guide had, from a file that did not change, keeps
        // its resolved links when their targets are still where they were.
        let rel_index = &self.rel_index;
        let kept = |p: &Page, old: usize| {
            !touched.contains(&p.src.rel) && rel_index.get(&p.src.rel) == Some(&old)
        };
        let previous = crate::guide::Previous {
            guide: &self.guide,
            kept: &kept,
        };
        let (guide, held) = Guide::build_after(
            pages,
            assets,
            self.config.drafts,
            &mut guide_diags,
            Some(previous),
        );
        cu.step("guide");
        self.guide_diags = guide_diags;
        let old = self.install(guide, held);
        cu.step("index");
        // Files other than the changed ones that came into the guide (a second
        // file of a permalink, when the first went) or left it (displaced from
        // their permalink), or that were lost: their links are not in the
        // walks above, so every page is compared.
        let others_moved = lost || self.held_back(&touched) != was_held;
        if others_moved {
            impact_dirty = None;
        }
        impact_dirty = match (impact_dirty, self.depends_closure(&touched, None)) {
            (Some(mut dirty), Some(after)) => {
                dirty.extend(after);
                Some(dirty)
            }
            _ => None,
        };
        cu.step("closure");
        // A page's other lists change only with the pages that link to it, and
        // with the pages its own links find: a page that came or went changes
        // those. With no other file moved, paths come and go only with the
        // changed files (a file displaced from its permalink moves).
        own_paths.extend(self.own_paths(&touched));
        let (new_paths, old_paths) = (&self.guide.by_path, &old.by_path);
        let came_or_went: Vec<&str> = own_paths
            .iter()
            .filter(|p| new_paths.contains_key(*p) != old_paths.contains_key(*p))
            .map(String::as_str)
            .collect();
        let near_dirty = match (others_moved || render_all, &mut near_dirty) {
            (false, Some(near)) => {
                near.extend(self.linked_from(&touched).into_iter().flatten());
                near.extend(self.linking_to(&old, &came_or_went));
                Some(std::mem::take(near))
            }
            _ => None,
        };
        drop(came_or_went);
        cu.step("near");
        let result = self.rerender(impact_dirty, near_dirty, render_all, cu);
        // Freeing the old maps takes a while on a big guide: not on this
        // thread, and not while the pages above were being rendered.
        std::thread::spawn(move || drop(old));
        result
    }

    /// The files held out of the guide (drafts, second files of a permalink),
    /// but the `changed` ones, in path order.
    fn held_back(&self, changed: &HashSet<String>) -> Vec<String> {
        self.files
            .iter()
            .filter(|(rel, f)| matches!(f.slot, Slot::Held(_)) && !changed.contains(*rel))
            .map(|(rel, _)| rel.clone())
            .collect()
    }

    /// Output paths of the given files' pages in the guide as it stands.
    fn own_paths(&self, rels: &HashSet<String>) -> Vec<String> {
        rels.iter()
            .filter_map(|rel| {
                let page = self.guide.pages.get(*self.rel_index.get(rel)?)?;
                (&page.src.rel == rel).then(|| page.out_path.clone())
            })
            .collect()
    }

    /// Output paths of the service pages with a Depends or Supports link to
    /// one of `paths` (site paths): whether such a link finds its page shows.
    /// A service page's are in the graph of the guide it is in (the new one,
    /// or the `old` one, whose pages went into the new); links to other pages
    /// are found by reading every list.
    fn linking_to(&self, old: &Guide, paths: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        let mut in_old = Vec::new();
        for &path in paths {
            let new_service = self
                .guide
                .by_path
                .get(path)
                .filter(|&&j| self.guide.pages[j].service().is_some());
            let old_service = old.by_path.get(path).filter(|j| old.services.contains(j));
            match (new_service, old_service) {
                (Some(&j), _) => out.extend(
                    self.guide
                        .linked_by(j)
                        .map(|i| self.guide.pages[i].out_path.clone()),
                ),
                (None, Some(&j)) => in_old.extend(old.linked_by(j)),
                (None, None) => unknown.push(path),
            }
        }
        if !in_old.is_empty() {
            let mut linking = vec![false; old.by_path.len()];
            for i in in_old {
                linking[i] = true;
            }
            out.extend(
                old.by_path
                    .iter()
                    .filter(|(_, &i)| linking[i])
                    .map(|(path, _)| path.clone()),
            );
        }
        if unknown.is_empty() {
            return out;
        }
        let g = &self.guide;
        let found: Vec<String> = g
            .services
            .par_iter()
            .filter(|&&i| {
                let page = &g.pages[i];
                let Some(s) = page.service() else {
                    return false;
                };
                s.depends
                    .items()
                    .iter()
                    .chain(s.supports.items())
                    .filter_map(|item| item.value.as_ref()?.href.as_deref())
                    .filter_map(|href| crate::url::link_target(&page.out_path, href))
                    .any(|path| unknown.contains(&path.as_ref()))
            })
            .map(|&i| g.pages[i].out_path.clone())
            .collect();
        out.extend(found);
        out
    }

    /// Output paths of the given files' pages and of every page their Depends
    /// and Supports lists link to (whose "required by" lists and versions they
    /// feed), in the guide as it stands. `None` when there is no guide yet.
    fn linked_from(&self, rels: &HashSet<String>) -> Option<HashSet<String>> {
        let g = &self.guide;
        if g.pages.is_empty() {
            return None;
        }
        let mut out = HashSet::new();
        for rel in rels {
            let Some(&i) = self.rel_index.get(rel) else {
                continue;
            };
            if g.pages.get(i).is_none_or(|p| &p.src.rel != rel) {
                continue;
            }
            out.insert(g.pages[i].out_path.clone());
            for &j in g.depends_on[i].iter().chain(&g.supports[i]) {
                out.insert(g.pages[j].out_path.clone());
            }
        }
        Some(out)
    }

    /// Every page for a new guide: the published ones but the `touched` (taken
    /// back out of the guide, not copied), the changed ones, and the ones the
    /// guide held back or lost (those read again). True when some were lost.
    fn collect_pages(
        &mut self,
        changed: Vec<Parsed>,
        removed: &[String],
        touched: &HashSet<String>,
    ) -> (Vec<Page>, bool) {
        for rel in removed {
            self.files.remove(rel);
        }
        // In place: moving every page into a new list took longer than the rest.
        let mut pages = std::mem::take(&mut self.guide.pages);
        pages.retain(|p| !touched.contains(&p.src.rel));
        for mut p in changed {
            let slot = match p.page.take() {
                Some(page) => {
                    pages.push(page);
                    Slot::Guide
                }
                None => Slot::Failed,
            };
            let (rel, state) = p.into_state(slot);
            self.files.insert(rel, state);
        }
        let mut reread: Vec<(String, PathBuf)> = Vec::new();
        for (rel, f) in self.files.iter_mut() {
            match std::mem::replace(&mut f.slot, Slot::Guide) {
                Slot::Held(page) => pages.push(*page),
                Slot::Lost => reread.push((rel.clone(), f.path.clone())),
                Slot::Failed => f.slot = Slot::Failed,
                Slot::Guide => {}
            }
        }
        let lost = !reread.is_empty();
        for p in reread
            .par_iter()
            .map(|(rel, path)| read_article(rel, path))
            .collect::<Vec<_>>()
        {
            let Some(f) = self.files.get_mut(&p.rel) else {
                continue;
            };
            f.hash = p.hash;
            f.diags = p.diags;
            match p.page {
                Some(page) => pages.push(page),
                None => f.slot = Slot::Failed,
            }
        }
        (pages, lost)
    }

    /// Takes a new guide in, with the pages it held back; returns the old one.
    fn install(&mut self, guide: Guide, held: Vec<Page>) -> Guide {
        for page in held {
            if let Some(f) = self.files.get_mut(&page.src.rel) {
                f.slot = Slot::Held(Box::new(page));
            }
        }
        self.rel_index = guide
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.src.rel.clone(), i))
            .collect();
        for (rel, f) in self.files.iter_mut() {
            if matches!(f.slot, Slot::Guide) && !self.rel_index.contains_key(rel) {
                f.slot = Slot::Lost;
            }
        }
        std::mem::replace(&mut self.guide, guide)
    }

    /// Compares every page's render key with the stored one and renders the pages
    /// whose key changed; impact lists are recomputed only for pages in
    /// `impact_dirty` (all when `None`). Drops pages no longer in the guide.
    fn rerender(
        &mut self,
        impact_dirty: Option<HashSet<String>>,
        near_dirty: Option<HashSet<String>>,
        render_all: bool,
        cu: &mut ContentUpdate,
    ) -> Result<()> {
        // Which pages render differently now? With both sets known, the
        // pages of changed files (all in `near_dirty`, see `linked_from`)
        // have their keys made now. A page of an unchanged file whose lists
        // or impact summary may have changed is left for after the reload,
        // unseen (`render_deferred` makes its key: a hub's, with 10,000
        // entries to hash, took 5 ms before the reload).
        let known = near_dirty.is_some() && !render_all;
        if !known {
            // Every page's key is made now: each needs its impact count.
            self.guide.settle_impact();
        }
        let guide = &self.guide;
        let (files, keys) = (&self.files, &self.keys);
        let known = near_dirty.as_ref().filter(|_| known);
        let sorted: Vec<(usize, Option<RenderKey>)> = (0..guide.pages.len())
            .into_par_iter()
            .filter_map(|i| {
                let page = &guide.pages[i];
                let old = keys.get(&page.out_path);
                if let (Some(old), Some(near)) = (old, known) {
                    if old.rel == page.src.rel && !near.contains(&page.out_path) {
                        let impact_may_change = impact_dirty
                            .as_ref()
                            .is_none_or(|d| d.contains(&page.out_path));
                        return impact_may_change.then_some((i, None));
                    }
                    if old.rel == page.src.rel && old.text == text_of(files, &page.src.rel) {
                        return Some((i, None));
                    }
                }
                let impact = match (old, &impact_dirty) {
                    (Some(k), Some(dirty)) if !dirty.contains(&page.out_path) => Some(k.impact),
                    _ => None,
                };
                let key = render_key(guide, files, i, impact);
                (render_all || old != Some(&key)).then_some((i, Some(key)))
            })
            .collect();
        let mut todo: Vec<(usize, RenderKey)> = Vec::new();
        for (i, key) in sorted {
            match key {
                Some(key) => todo.push((i, key)),
                None => self.deferred.push((i, None)),
            }
        }
        cu.step("keys");
        let gone: Vec<String> = self
            .keys
            .keys()
            .filter(|k| !guide.by_path.contains_key(k.as_str()))
            .cloned()
            .collect();
        cu.step("diff");
        for path in gone {
            self.keys.remove(&path);
            if !self.assets.contains_key(&path) {
                self.out.remove(&path);
            }
            cu.removed.push(path);
        }
        self.render(todo, !render_all, cu)
    }

    /// Output paths of the given files' pages and of every page they reach through
    /// Depends links in the current guide (whose impact lists include them), in
    /// at most `depth` steps when given. `None` for every page: when the walk
    /// reaches them all (on a ring), or when a file is unknown to the guide in
    /// a way that hides its edges.
    fn depends_closure(
        &self,
        rels: &HashSet<String>,
        depth: Option<usize>,
    ) -> Option<HashSet<String>> {
        let g = &self.guide;
        if g.pages.is_empty() {
            return Some(HashSet::new());
        }
        let mut seen = vec![false; g.pages.len()];
        let mut stack: Vec<usize> = Vec::new();
        for rel in rels {
            if let Some(&i) = self.rel_index.get(rel) {
                if g.pages.get(i).is_some_and(|p| &p.src.rel == rel) && !seen[i] {
                    seen[i] = true;
                    stack.push(i);
                }
            }
        }
        // Level by level, so that a bounded walk stops at its depth.
        let mut steps = 0;
        while !stack.is_empty() && depth.is_none_or(|d| steps < d) {
            steps += 1;
            let mut next = Vec::new();
            for i in stack {
                for &j in &g.depends_on[i] {
                    if !seen[j] {
                        seen[j] = true;
                        next.push(j);
                    }
                }
            }
            stack = next;
        }
        if seen.iter().all(|&s| s) {
            return None;
        }
        Some(
            seen.iter()
                .enumerate()
                .filter(|(_, &s)| s)
                .map(|(i, _)| g.pages[i].out_path.clone())
                .collect(),
        )
    }

    /// The render key of page `i` as the guide stands.
    fn key_of(&self, i: usize) -> RenderKey {
        render_key(&self.guide, &self.files, i, None)
    }

    /// Renders the given pages (in parallel) and records their keys. With
    /// `defer`, the pages of unchanged files are left for
    /// [`Engine::render_deferred`].
    fn render(
        &mut self,
        mut items: Vec<(usize, RenderKey)>,
        defer: bool,
        cu: &mut ContentUpdate,
    ) -> Result<()> {
        if items.len() > 64 {
            // Many pages: the counts once, not a walk of the graph from each.
            self.guide.settle_impact();
        }
        if defer {
            let keys = &self.keys;
            let pages = &self.guide.pages;
            let (later, now): (Vec<_>, Vec<_>) = items.into_iter().partition(|(i, key)| {
                keys.get(&pages[*i].out_path)
                    .is_some_and(|old| old.rel == key.rel && old.text == key.text)
            });
            self.deferred
                .extend(later.into_iter().map(|(i, k)| (i, Some(k))));
            items = now;
        }
        let guide = &self.guide;
        let (tera, config) = (&self.tera, &self.config);
        // Each page is made into its shared bytes where it is rendered: the
        // rendered strings (with room to spare) are never all held at once.
        let rendered: Vec<(usize, RenderKey, Bytes)> = items
            .into_par_iter()
            .map(|(i, key)| {
                crate::views::article::render_page(tera, config, guide, i)
                    .map(|r| (i, key, Bytes::from(r.html.into_bytes())))
            })
            .collect::<Result<_>>()?;
        cu.step("render");
        cu.pages_rendered += rendered.len();
        for (i, key, bytes) in rendered {
            let page = &self.guide.pages[i];
            if self.out.get(&page.out_path) != Some(&bytes) {
                cu.rendered.push(page.out_path.clone());
            }
            self.out.insert(page.out_path.clone(), bytes);
            self.keys.insert(page.out_path.clone(), key);
        }
        cu.step("store");
        Ok(())
    }

    /// Output paths of the pages left for [`Engine::render_deferred`]: their
    /// bytes in [`Engine::files`] are out of date.
    pub fn deferred(&self) -> impl Iterator<Item = &str> {
        self.deferred
            .iter()
            .map(|(i, _)| self.guide.pages[*i].out_path.as_str())
    }

    /// Renders the pages the last update left for after its reload.
    pub fn render_deferred(&mut self) -> Result<Update> {
        let started = Instant::now();
        let mut cu = ContentUpdate::default();
        let deferred = std::mem::take(&mut self.deferred);
        if !deferred.is_empty() {
            // After the reload: the counts once for all pages, rather than a
            // walk of the whole graph from each (see `Guide::settle_impact`).
            self.guide.settle_impact();
            cu.step("");
            let (guide, files, keys) = (&self.guide, &self.files, &self.keys);
            let items: Vec<(usize, RenderKey)> = deferred
                .into_par_iter()
                .filter_map(|(i, key)| {
                    let key = key.unwrap_or_else(|| render_key(guide, files, i, None));
                    (keys.get(&guide.pages[i].out_path) != Some(&key)).then_some((i, key))
                })
                .collect();
            cu.step("keys");
            if let Err(e) = self.render(items, false, &mut cu) {
                self.render_all_next = true;
                return Err(e);
            }
        }
        Ok(Update {
            rendered: cu.rendered,
            steps: cu.steps,
            pages_rendered: cu.pages_rendered,
            path: UpdatePath::Fast,
            took: started.elapsed(),
            ..Update::default()
        })
    }

    /// After the background build found a page that differs from ours: take its
    /// bytes and forget our key, so the page is rendered again next time.
    pub fn correct(&mut self, path: &str, bytes: Bytes) {
        self.keys.remove(path);
        self.out.insert(path.to_string(), bytes);
        self.render_all_next = true;
    }
}

/// Changed content paths, sorted (see `Engine::sort_paths`).
struct Sorted {
    /// Articles to read again.
    to_read: Vec<(String, PathBuf)>,
    /// Articles that are gone.
    removed_articles: Vec<String>,
    /// An asset appeared or went.
    assets_changed: bool,
}

#[derive(Default)]
struct ContentUpdate {
    rendered: Vec<String>,
    removed: Vec<String>,
    changed_files: Vec<String>,
    path: UpdatePath,
    steps: Vec<(&'static str, Duration)>,
    pages_rendered: usize,
    /// Start of the current step.
    mark: Option<Instant>,
}

impl ContentUpdate {
    /// Ends the current step under `name` and starts the next.
    fn step(&mut self, name: &'static str) {
        let now = Instant::now();
        if let Some(m) = self.mark {
            self.steps.push((name, now - m));
        }
        self.mark = Some(now);
    }
}

fn diff_files(old: &HashMap<String, Bytes>, new: &HashMap<String, Bytes>, update: &mut Update) {
    for (path, bytes) in new {
        if old.get(path) != Some(bytes) {
            update.rendered.push(path.clone());
        }
    }
    for path in old.keys() {
        if !new.contains_key(path) {
            update.removed.push(path.clone());
        }
    }
    update.rendered.sort();
    update.removed.sort();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An edit of an article's Depends and Supports links patches the graph
    /// in place, and the pages then (the deferred ones rendered too) are the
    /// ones a new engine makes of the same files.
    #[test]
    fn a_links_edit_patches_the_graph_as_a_new_engine_would_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir(&content).unwrap();
        let write = |slug: &str, depends: &str, supports: &str| {
            let text =
                crate::scaffold::article(slug, &format!("Svc {slug}"), slug, 1, "2012-01-01", "me");
            let text = text.split("##### Supports:").next().unwrap().to_string()
                + &format!("##### Supports:\n\n{supports}\n\n##### Depends:\n\n{depends}\n");
            let path = content.join(format!("{slug}.html.md"));
            std::fs::write(&path, text).unwrap();
            path
        };
        let link = |slug: &str, scope: &str| format!("- [{slug}](/article/{slug}.html){scope}");
        write("c", "- None", "- None");
        write("b", &link("c", ""), "- None");
        write("a", &link("b", ""), "- None");
        let inputs = Overrides {
            content: Some(content.clone()),
            ..Default::default()
        };
        let mut engine = Engine::open(&inputs).unwrap();
        let mut apply = |path: PathBuf| {
            let update = engine
                .apply(&Batch {
                    paths: vec![path],
                    rescan: false,
                })
                .unwrap();
            engine.render_deferred().unwrap();
            let fresh = Engine::open(&inputs).unwrap();
            for (path, bytes) in fresh.files() {
                let served = engine.files().get(path).map(|b| String::from_utf8_lossy(b));
                let (served, fresh) = (served.unwrap_or_default(), String::from_utf8_lossy(bytes));
                // The first line that differs, not two whole pages.
                let differ = served.lines().zip(fresh.lines()).find(|(a, b)| a != b);
                assert!(served == fresh, "{path}: first different line {differ:?}");
            }
            assert_eq!(engine.files().len(), fresh.files().len());
            assert_eq!(engine.guide().required_by, fresh.guide().required_by);
            assert_eq!(engine.guide().availability, fresh.guide().availability);
            update.path
        };
        let a = write("a", &link("c", " (WinXP only)"), &link("b", " (Vista+)"));
        assert_eq!(apply(a), UpdatePath::Links);
        // The same versions in other words: c's "Required by" shows the words.
        let a = write(
            "a",
            &link("c", " (XP only, Unofficial)"),
            &link("b", " (Vista+)"),
        );
        assert_eq!(apply(a), UpdatePath::Links);
        // Links to pages that come and go: the pages that hold them show it.
        let a = write(
            "a",
            &format!("{}\n{}", link("c", ""), link("d", "")),
            "- None",
        );
        assert_eq!(apply(a), UpdatePath::Links);
        let c = content.join("c.html.md");
        std::fs::remove_file(&c).unwrap();
        assert_eq!(apply(c), UpdatePath::Slow);
        let d = write("d", "- None", "- None");
        assert_eq!(apply(d), UpdatePath::Slow);
    }

    #[test]
    fn classifies_paths_and_ignores_editor_files() {
        let roots = Roots {
            content: "/s/content".into(),
            templates: "/s/templates".into(),
            theme: "/s/theme".into(),
            config: "/s/svcguide.toml".into(),
            statics: vec!["/s/static".into()],
        };
        assert_eq!(
            roots.classify(Path::new("/s/static/assets/x.jpg")),
            Some(Origin::Theme)
        );
        assert_eq!(
            roots.classify(Path::new("/s/content/services/a.html.md")),
            Some(Origin::Content("services/a.html.md".into()))
        );
        assert_eq!(
            roots.classify(Path::new("/s/templates/base.html")),
            Some(Origin::Template)
        );
        assert_eq!(
            roots.classify(Path::new("/s/theme/style.css")),
            Some(Origin::Theme)
        );
        assert_eq!(
            roots.classify(Path::new("/s/svcguide.toml")),
            Some(Origin::Config)
        );
        for ignored in [
            "/s/content/services/.a.html.md.swp",
            "/s/content/services/a.html.md~",
            "/s/content/services/#a.html.md#",
            "/s/content/.git/index",
            "/s/templates/.base.html.swp",
            "/s/other/file.md",
        ] {
            assert_eq!(roots.classify(Path::new(ignored)), None, "{ignored}");
        }
    }
}
