//! The whole model: published pages, the permalink index, and the dependency
//! graph with "required by" derived from Depends. Once built, it changes only
//! by [`Guide::replace`], which swaps in pages that keep its structure, and
//! [`Guide::relink`], which patches the graph for pages whose links changed.

use crate::url::{is_external, site_path};
use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::diag::{Code, Diagnostic};
pub use crate::impact::{ImpactSummary, IMPACT_NEAREST};
use crate::load::Asset;
use crate::page::Page;
use crate::service::availability::{Availability, OsSet};
use crate::service::os::OsScope;
use crate::service::refs::RefList;

pub struct Guide {
    /// Published pages, sorted by output path.
    pub pages: Vec<Page>,
    /// Output path (`article/x.html`) → page index.
    pub by_path: FxHashMap<String, usize>,
    /// Lowercased output path → page index, for "did you mean".
    by_path_lower: FxHashMap<String, usize>,
    /// Output paths of static assets.
    pub assets: BTreeSet<String>,
    pub asset_files: Vec<Asset>,
    /// Service pages, sorted by title.
    pub services: Vec<usize>,
    /// Per page: the service pages its Depends items link to.
    pub depends_on: Vec<Vec<usize>>,
    /// Per page, beside each entry of `depends_on`: the index of the Depends
    /// item that links there first (its qualifier is shown in "Required by").
    depends_via: Vec<Vec<u32>>,
    /// Per page, beside each entry of `depends_on`: the versions its links
    /// there name (every version for a link without a version limit), with
    /// [`crate::impact::OFFICIAL`] when one of them is not marked Unofficial.
    depends_versions: Vec<Vec<crate::impact::Versions>>,
    /// Per page: the services whose Depends link to it, each with the versions
    /// on which that holds (see [`crate::impact::edge_versions`]).
    pub impact_edges: Vec<Vec<crate::impact::Edge>>,
    /// Per page: the service pages whose Depends link to it (derived).
    pub required_by: Vec<Vec<usize>>,
    /// Per page: the service pages its Supports items link to.
    pub supports: Vec<Vec<usize>>,
    /// Per page: the Windows versions other articles' qualified relations to it
    /// name (`[Spooler](...) (WinNT4 only)` on another page).
    related: Vec<OsSet>,
    /// Per page: its own qualified relations (target, versions), which
    /// `related` gathers; kept so that [`Guide::relink`] can gather them again.
    scoped: Vec<Vec<(usize, OsSet)>>,
    /// Per page: its place in the order by lowercased title (see [`title_ranks`]).
    ranks: Vec<u32>,
    /// Per page: every Depends and Supports link of it found another service
    /// page, so a later build may carry its lists over (see [`Previous`]).
    settled: Vec<bool>,
    /// Per page: the versions its service exists on (empty for plain pages).
    pub availability: Vec<Availability>,
    /// Per page: how many services stop with it, on some version (see
    /// [`crate::impact::reach_counts_by_version`]); `None` until
    /// [`Guide::settle_impact`] after `serve` patched the graph (a page then
    /// counts by its own walk: the pages shown before the reload are few).
    impact_counts: Option<Vec<usize>>,
    suggester: std::sync::OnceLock<Suggester>,
    /// Why a link to a page the guide does not publish finds none: the pages
    /// held back (drafts) and the articles that could not be read.
    pub unpublished: Unpublished,
}

/// Articles that would have pages but are not published: drafts by their
/// output path, and the files whose reading stopped (a front matter error) by
/// the output path their `permalink:` line names, else by the page name their
/// file name gives (`x.html.md` → `x.html`).
#[derive(Default)]
pub struct Unpublished {
    drafts: FxHashMap<String, (String, String)>,
    unreadable: FxHashMap<String, String>,
    unreadable_names: FxHashMap<String, String>,
}

/// Why an article has no page, for the help of a link to it.
pub enum NotPublished<'a> {
    /// A draft: its file and status.
    Draft { rel: &'a str, status: &'a str },
    /// A file that failed to load, whose `permalink:` line names the page.
    Unreadable { rel: &'a str },
    /// A file that failed to load, whose name matches the link's page.
    UnreadableByName { rel: &'a str },
}

impl Unpublished {
    fn new(drafts: impl Iterator<Item = (String, String, String)>) -> Self {
        Unpublished {
            drafts: drafts
                .map(|(path, rel, status)| (path, (rel, status)))
                .collect(),
            ..Default::default()
        }
    }

    /// Notes the articles that could not be read (see
    /// [`crate::load::Loaded::unreadable`]).
    pub fn note_unreadable(&mut self, files: &[(String, Option<String>)]) {
        for (rel, out_path) in files {
            match out_path {
                Some(path) => {
                    self.unreadable.insert(path.clone(), rel.clone());
                }
                None => {
                    if let Some(name) = crate::load::strip_markdown_extension(basename(rel)) {
                        self.unreadable_names
                            .insert(name.to_lowercase(), rel.clone());
                    }
                }
            }
        }
    }

    /// Why the page at site path `path` (`article/x.html`) is not published,
    /// when an article would have it.
    pub fn why(&self, path: &str) -> Option<NotPublished<'_>> {
        if let Some((rel, status)) = self.drafts.get(path) {
            return Some(NotPublished::Draft { rel, status });
        }
        if let Some(rel) = self.unreadable.get(path) {
            return Some(NotPublished::Unreadable { rel });
        }
        let name = basename(path).to_lowercase();
        self.unreadable_names
            .get(&name)
            .map(|rel| NotPublished::UnreadableByName { rel })
    }
}

/// The guide a new one is built after, for the lists of the pages that stay
/// (see [`Guide::build_after`]).
pub struct Previous<'a> {
    /// The previous guide; its pages may have gone into the new one.
    pub guide: &'a Guide,
    /// Whether a page of the new guide is, unchanged, the page the previous
    /// guide had at the given index.
    pub kept: &'a (dyn Fn(&Page, usize) -> bool + Sync),
}

/// A service page's resolved links.
struct Links {
    depends: Vec<usize>,
    /// Beside `depends`: the item each entry comes from.
    depends_via: Vec<u32>,
    /// Beside `depends`: the versions its links name.
    depends_versions: Vec<crate::impact::Versions>,
    supports: Vec<usize>,
    /// Qualified relations: (target, versions).
    scoped: Vec<(usize, OsSet)>,
    /// Every link found another service page.
    settled: bool,
}

/// What [`Guide::replace`] changed beyond the pages.
pub struct Replaced {
    /// The pages whose title changed.
    pub retitled: Vec<usize>,
    /// Whether the impact graph changed (a service now exists on other versions).
    pub impact_changed: bool,
}

/// How a new version of a page fits into the guide (see [`Guide::fit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// It can replace the old version in place.
    Same,
    /// In place too, but its title changed: orders that follow titles change.
    Title,
    /// In place too, but its Depends or Supports links changed: the graph is
    /// patched ([`Guide::relink`]).
    Links,
    /// The guide must be built again.
    Rebuild,
}

/// The part of a page that `Guide::build` reads: when it is unchanged, so is the
/// guide's structure (index, graph, order).
#[derive(PartialEq)]
struct Structure<'a> {
    rel: &'a str,
    out_path: &'a str,
    permalink: &'a str,
    title: &'a str,
    published: bool,
    id: Option<&'a str>,
    /// Depends and Supports link targets, in order, with the versions their
    /// qualifiers name (evidence of where the linked service exists).
    links: Option<[Vec<LinkFact<'a>>; 2]>,
}

/// A Depends/Supports item as the guide reads it: where it links, the
/// versions its qualifier names, and the qualifier as written (the page it
/// links to shows it in "Required by").
type LinkFact<'a> = (Option<&'a str>, &'a OsScope, Option<&'a str>);

impl<'a> Structure<'a> {
    fn of(page: &'a Page) -> Structure<'a> {
        fn hrefs(list: &RefList) -> Vec<LinkFact<'_>> {
            list.items()
                .iter()
                .map(|i| match &i.value {
                    Some(v) => (v.href.as_deref(), &v.scope, v.qualifier.as_deref()),
                    None => (None, &i.scope, None),
                })
                .collect()
        }
        Structure {
            rel: &page.src.rel,
            out_path: &page.out_path,
            permalink: &page.permalink,
            title: &page.title,
            published: page.fm.is_published(),
            id: page.fm.id.as_deref(),
            links: page
                .service()
                .map(|s| [hrefs(&s.depends), hrefs(&s.supports)]),
        }
    }
}

/// The service list's order: by lowercased title, then output path.
fn sort_services(services: &mut [usize], ranks: &[u32]) {
    services.sort_unstable_by_key(|&i| ranks[i]);
}

/// A "required by" list's order: by lowercased title, then page order.
fn sort_required_by(list: &mut [usize], ranks: &[u32]) {
    list.sort_unstable_by_key(|&i| ranks[i]);
}

/// Each page's place in the order by lowercased title, then page order (pages
/// are in output path order, so also by output path): one lowercasing per page,
/// where sorting each list by its titles lowercased them once per entry.
fn title_ranks(pages: &[Page]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_cached_key(|&i| (pages[i].title.to_lowercase(), i));
    let mut ranks = vec![0u32; pages.len()];
    for (rank, i) in order.into_iter().enumerate() {
        ranks[i] = rank as u32;
    }
    ranks
}

/// What a link points at once resolved against the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Page {
        index: usize,
        fragment: Option<String>,
    },
    Asset(String),
    /// An internal path that nothing in the guide provides.
    Missing {
        path: String,
    },
    External,
}

impl Guide {
    /// Builds the model; duplicate permalinks keep the first file (sorted by path).
    pub fn build(
        pages: Vec<Page>,
        assets: Vec<Asset>,
        include_drafts: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Guide {
        Guide::build_holding(pages, assets, include_drafts, diags).0
    }

    /// [`Guide::build`], and the pages it held back: drafts (unless
    /// `include_drafts`) and the later files (by path) of a permalink in use.
    pub fn build_holding(
        pages: Vec<Page>,
        assets: Vec<Asset>,
        include_drafts: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> (Guide, Vec<Page>) {
        Guide::build_after(pages, assets, include_drafts, diags, None)
    }

    /// [`Guide::build_holding`], after a `previous` guide: a page it had,
    /// unchanged, whose links all found service pages that are still at their
    /// paths, has its lists carried over (resolving every link is most of the
    /// model on a big guide). Otherwise the same guide.
    pub fn build_after(
        pages: Vec<Page>,
        assets: Vec<Asset>,
        include_drafts: bool,
        diags: &mut Vec<Diagnostic>,
        previous: Option<Previous>,
    ) -> (Guide, Vec<Page>) {
        let mut clock = crate::timing::Stopwatch::new();
        // Orders of indices: a page is moved once, into its place in the guide
        // (moving 10,000 pages into two lists first took longer than the rest).
        let (mut by_rel, drafts): (Vec<usize>, Vec<usize>) =
            (0..pages.len()).partition(|&i| include_drafts || pages[i].fm.is_published());
        let unpublished = Unpublished::new(drafts.iter().map(|&i| {
            let p = &pages[i];
            let status = p.fm.status.clone().unwrap_or_default();
            (p.out_path.clone(), p.src.rel.clone(), status)
        }));
        by_rel.sort_unstable_by(|&a, &b| pages[a].src.rel.cmp(&pages[b].src.rel));
        clock.lap(" model/sort");
        let (mut kept, later) = first_of_each_permalink(&pages, &by_age(&pages, &by_rel), diags);
        clock.lap(" model/dups");
        kept.sort_unstable_by(|&a, &b| pages[a].out_path.cmp(&pages[b].out_path));
        let published = kept.len();
        kept.extend(drafts.into_iter().chain(later));
        let mut pages = pages;
        permute(&mut pages, kept);
        let held = pages.split_off(published);
        // The indexes by path beside the order by title: neither reads the other.
        let ((by_path, by_path_lower), (services, ranks)) = rayon::join(
            || {
                let by_path: FxHashMap<String, usize> = pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.out_path.clone(), i))
                    .collect();
                (by_path, case_index(&pages, diags))
            },
            || {
                let mut services: Vec<usize> = pages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.service().is_some())
                    .map(|(i, _)| i)
                    .collect();
                let ranks = title_ranks(&pages);
                sort_services(&mut services, &ranks);
                (services, ranks)
            },
        );
        clock.lap(" model/index+titles");
        let mut guide = Guide {
            assets: assets.iter().map(|a| a.rel.clone()).collect(),
            asset_files: assets,
            depends_on: vec![vec![]; pages.len()],
            depends_via: vec![vec![]; pages.len()],
            depends_versions: vec![vec![]; pages.len()],
            impact_edges: vec![vec![]; pages.len()],
            required_by: vec![vec![]; pages.len()],
            supports: vec![vec![]; pages.len()],
            related: vec![OsSet::EMPTY; pages.len()],
            scoped: vec![vec![]; pages.len()],
            ranks,
            settled: vec![false; pages.len()],
            availability: Vec::new(),
            impact_counts: None,
            pages,
            by_path,
            by_path_lower,
            services,
            suggester: Default::default(),
            unpublished,
        };
        let first = previous.is_none();
        guide.link_graph(previous);
        clock.lap(" model/graph");
        guide.availability = {
            use rayon::prelude::*;
            let g = &guide;
            (0..g.pages.len())
                .into_par_iter()
                .map(|i| g.availability_of(i))
                .collect()
        };
        clock.lap(" model/availability");
        guide.refresh_impact();
        // A first build renders every page: the counts, once for all. After
        // another (`serve`), a few pages are shown before the reload.
        if first {
            guide.settle_impact();
        }
        clock.lap(" model/impact");
        (guide, held)
    }

    /// Replaces pages in place with new versions of themselves that
    /// [`fit`](Guide::fit) (`Same` or `Title`), and redoes the orders that follow
    /// titles, and the impact when the versions a service exists on changed.
    pub fn replace(&mut self, new: Vec<(usize, Page)>) -> Replaced {
        let mut retitled = Vec::new();
        let mut moved = false;
        for (i, page) in new {
            if page.title != self.pages[i].title {
                retitled.push(i);
            }
            self.pages[i] = page;
            let before = self.exists_on(i);
            self.refresh_availability(i);
            moved |= self.exists_on(i) != before;
        }
        let mut impact_changed = false;
        if moved {
            let before = std::mem::take(&mut self.impact_edges);
            let counts = self.impact_counts.take();
            self.refresh_impact();
            impact_changed = self.impact_edges != before;
            if !impact_changed {
                // The same graph: the same counts.
                self.impact_counts = counts;
            }
        }
        if !retitled.is_empty() {
            self.ranks = title_ranks(&self.pages);
            sort_services(&mut self.services, &self.ranks);
            for &i in &retitled {
                for &j in &self.depends_on[i] {
                    sort_required_by(&mut self.required_by[j], &self.ranks);
                }
            }
        }
        Replaced {
            retitled,
            impact_changed,
        }
    }

    /// The versions service page `i` exists on as the impact reads them: those
    /// its availability gives, or every version when it gives none.
    fn exists_on(&self, i: usize) -> crate::impact::Versions {
        let mut set = OsSet::EMPTY;
        for f in self.availability[i].families() {
            set.insert(f);
        }
        match set.bits() {
            0 => crate::impact::ALL,
            bits => bits,
        }
    }

    /// The impact graph and counts, from the Depends links and where each
    /// service exists (after either changed).
    fn refresh_impact(&mut self) {
        let n = self.pages.len();
        let exists: Vec<crate::impact::Versions> = (0..n).map(|i| self.exists_on(i)).collect();
        let mut edges: Vec<Vec<crate::impact::Edge>> = vec![Vec::new(); n];
        for (j, targets) in self.depends_on.iter().enumerate() {
            for (&i, &link) in targets.iter().zip(&self.depends_versions[j]) {
                if link & crate::impact::OFFICIAL == 0 {
                    continue;
                }
                let link = link & crate::impact::ALL;
                // A page that links to another twice: one edge, on the versions of both.
                match edges[i].last_mut() {
                    Some((last, v)) if *last == j => *v |= link,
                    _ => edges[i].push((j, link)),
                }
            }
        }
        for (i, list) in edges.iter_mut().enumerate() {
            for (j, versions) in list.iter_mut() {
                *versions = crate::impact::edge_versions(*versions, exists[*j], exists[i]);
            }
        }
        self.impact_edges = edges;
        self.impact_counts = None;
    }

    /// Counts what stops with each service, once for all pages (a page
    /// without the counts walks the whole graph from itself).
    pub fn settle_impact(&mut self) {
        if self.impact_counts.is_none() {
            self.impact_counts = Some(crate::impact::reach_counts_by_version(&self.impact_edges));
        }
    }

    /// Replaces pages in place with new versions whose Depends or Supports
    /// links changed but that [`fit`](Guide::fit) otherwise (`Links`, or
    /// `Same`), and patches the graph to what [`Guide::build`] would make of
    /// them: only these pages' links are resolved again (resolving every
    /// link is most of a build's model on a big guide).
    pub fn relink(&mut self, new: Vec<(usize, Page)>) {
        let is_service = self.service_flags();
        let mut lists_changed = Vec::new();
        let mut relinked = Vec::with_capacity(new.len());
        for (i, page) in new {
            self.pages[i] = page;
            relinked.push(i);
            if !is_service[i] {
                // A page that fits stays what it was: this one has no links to follow.
                continue;
            }
            let Links {
                depends,
                depends_via,
                depends_versions,
                supports,
                scoped,
                settled,
            } = self.links_of(i, &is_service);
            self.depends_via[i] = depends_via;
            self.depends_versions[i] = depends_versions;
            // `required_by[j]` holds `i` exactly when `depends_on[i]` holds `j`.
            for j in std::mem::replace(&mut self.depends_on[i], depends) {
                self.required_by[j].retain(|&k| k != i);
                lists_changed.push(j);
            }
            let mut targets = self.depends_on[i].clone();
            targets.sort_unstable();
            targets.dedup();
            for j in targets {
                self.required_by[j].push(i);
                lists_changed.push(j);
            }
            self.supports[i] = supports;
            self.scoped[i] = scoped;
            self.settled[i] = settled;
        }
        lists_changed.sort_unstable();
        lists_changed.dedup();
        for j in lists_changed {
            sort_required_by(&mut self.required_by[j], &self.ranks);
        }
        let related = self.gather_related();
        let mut stale = relinked;
        stale.extend((0..related.len()).filter(|&j| related[j] != self.related[j]));
        self.related = related;
        for i in stale {
            self.refresh_availability(i);
        }
        self.refresh_impact();
    }

    /// How a new version of a page fits into a guide built with `old`: whether
    /// what [`Guide::build`] reads of it is unchanged.
    pub fn fit(old: &Page, new: &Page) -> Fit {
        let (old, new) = (Structure::of(old), Structure::of(new));
        // Everything but the title and the links.
        type Rest<'s> = (&'s str, &'s str, &'s str, bool, Option<&'s str>);
        fn rest<'s>(s: &Structure<'s>) -> Rest<'s> {
            (s.rel, s.out_path, s.permalink, s.published, s.id)
        }
        if old == new {
            Fit::Same
        } else if rest(&old) == rest(&new) && old.links == new.links {
            Fit::Title
        } else if rest(&old) == rest(&new)
            && old.title == new.title
            && old.links.is_some()
            && new.links.is_some()
        {
            Fit::Links
        } else {
            Fit::Rebuild
        }
    }

    /// Recomputes page `i`'s availability from its own evidence and what the
    /// guide's other articles say of it (after the page was replaced in place).
    fn refresh_availability(&mut self, i: usize) {
        self.availability[i] = self.availability_of(i);
    }

    /// Page `i`'s availability from its own evidence and what the guide's
    /// other articles say of it.
    fn availability_of(&self, i: usize) -> Availability {
        match self.pages[i].service() {
            Some(s) => s.evidence.availability(self.related[i]),
            None => Availability::default(),
        }
    }

    /// Per page, whether it is a service page. Looked up once per link: a
    /// list of flags stays in cache, the pages do not.
    fn service_flags(&self) -> Vec<bool> {
        let mut is_service = vec![false; self.pages.len()];
        for &i in &self.services {
            is_service[i] = true;
        }
        is_service
    }

    /// The service pages whose Depends or Supports lists link to service page
    /// `j`. Reads only the graph, so it also answers for a guide whose pages
    /// went into a new one.
    pub fn linked_by(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        let supporting = (0..self.supports.len()).filter(move |&i| self.supports[i].contains(&j));
        let mut all: Vec<usize> = self.required_by[j]
            .iter()
            .copied()
            .chain(supporting)
            .collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
    }

    /// Service page `i`'s links, resolved.
    fn links_of(&self, i: usize, is_service: &[bool]) -> Links {
        let service = self.pages[i].service().expect("service page");
        let mut links = Links {
            depends: Vec::new(),
            depends_via: Vec::new(),
            depends_versions: Vec::new(),
            supports: Vec::new(),
            scoped: Vec::new(),
            settled: true,
        };
        (links.depends, links.depends_via, links.depends_versions) =
            self.service_targets(i, &service.depends, is_service, &mut links);
        links.supports = self
            .service_targets(i, &service.supports, is_service, &mut links)
            .0;
        links
    }

    /// Service page `i`'s links as the `previous` guide resolved them, when
    /// they hold in this one: the page is the one it had (`old_of`), unchanged,
    /// and every link found a service page whose path is still a service's.
    fn carried_links(
        &self,
        i: usize,
        is_service: &[bool],
        previous: &Previous,
        (old_of, new_of): (&[Option<usize>], &[Option<usize>]),
    ) -> Option<Links> {
        let (old, i0) = (previous.guide, old_of[i]?);
        if !old.settled[i0] || !(previous.kept)(&self.pages[i], i0) {
            return None;
        }
        let map = |j0: usize| new_of[j0].filter(|&j| is_service[j]);
        Some(Links {
            depends: old.depends_on[i0]
                .iter()
                .map(|&j| map(j))
                .collect::<Option<_>>()?,
            // The same page, unchanged: its items are where they were.
            depends_via: old.depends_via[i0].clone(),
            depends_versions: old.depends_versions[i0].clone(),
            supports: old.supports[i0]
                .iter()
                .map(|&j| map(j))
                .collect::<Option<_>>()?,
            scoped: old.scoped[i0]
                .iter()
                .map(|&(j, versions)| Some((map(j)?, versions)))
                .collect::<Option<_>>()?,
            settled: true,
        })
    }

    /// Per page, the versions the qualified relations to it name.
    fn gather_related(&self) -> Vec<OsSet> {
        let mut related = vec![OsSet::EMPTY; self.pages.len()];
        // A relation that holds on some versions needs both services there.
        for (j, versions) in self.scoped.iter().flatten() {
            related[*j] = related[*j].union(*versions);
        }
        related
    }

    fn link_graph(&mut self, previous: Option<Previous>) {
        use rayon::prelude::*;
        let is_service = self.service_flags();
        // Each page's index in the previous guide (by path), and back.
        let (mut old_of, mut new_of) = (Vec::new(), Vec::new());
        if let Some(previous) = &previous {
            let old = &previous.guide.by_path;
            old_of = self
                .pages
                .par_iter()
                .map(|p| old.get(&p.out_path).copied())
                .collect();
            new_of = vec![None; old.len()];
            for (i, i0) in old_of.iter().enumerate() {
                if let Some(i0) = *i0 {
                    new_of[i0] = Some(i);
                }
            }
        }
        // Resolving every Depends/Supports link is the bulk of the work: per service, in parallel.
        let edges: Vec<(usize, Links)> = self
            .services
            .par_iter()
            .map(|&i| {
                let carried = previous.as_ref().and_then(|previous| {
                    self.carried_links(i, &is_service, previous, (&old_of, &new_of))
                });
                (i, carried.unwrap_or_else(|| self.links_of(i, &is_service)))
            })
            .collect();
        for (i, links) in edges {
            self.depends_on[i] = links.depends;
            self.depends_via[i] = links.depends_via;
            self.depends_versions[i] = links.depends_versions;
            self.supports[i] = links.supports;
            self.scoped[i] = links.scoped;
            self.settled[i] = links.settled;
        }
        self.related = self.gather_related();
        for (i, targets) in self.depends_on.iter().enumerate() {
            for &j in targets {
                // Pages come in order: a repeat of `i` can only be the last entry
                // (a search of the list made a hub's list quadratic).
                if self.required_by[j].last() != Some(&i) {
                    self.required_by[j].push(i);
                }
            }
        }
        for list in &mut self.required_by {
            sort_required_by(list, &self.ranks);
        }
    }

    /// The other service pages a Depends or Supports list of page `i` links to,
    /// and beside each the index of the item that links there; a link limited
    /// to some versions also goes into `links.scoped`, with them, and a link
    /// that finds no other service unsettles `links`.
    fn service_targets(
        &self,
        i: usize,
        list: &RefList,
        is_service: &[bool],
        links: &mut Links,
    ) -> (Vec<usize>, Vec<u32>, Vec<crate::impact::Versions>) {
        let from = &self.pages[i].out_path;
        let (mut out, mut via): (Vec<usize>, Vec<u32>) = (Vec::new(), Vec::new());
        let mut versions: Vec<crate::impact::Versions> = Vec::new();
        for (k, item) in list.items().iter().enumerate() {
            let Some(r) = &item.value else { continue };
            let Some(href) = r.href.as_deref() else {
                continue;
            };
            match self.page_of(from, href) {
                Some(index) if index != i && is_service[index] => {
                    let mut named = if r.limits_versions() {
                        OsSet::from_scope(&r.scope).bits()
                    } else {
                        crate::impact::ALL
                    };
                    if !r.is_unofficial() {
                        named |= crate::impact::OFFICIAL;
                    }
                    // A repeat of the link just before it is one entry (the
                    // first item's), on the versions of both.
                    if out.last() == Some(&index) {
                        if let Some(v) = versions.last_mut() {
                            *v |= named;
                        }
                    } else {
                        out.push(index);
                        via.push(k as u32);
                        versions.push(named);
                    }
                    if !r.scope.is_all() {
                        links.scoped.push((index, OsSet::from_scope(&r.scope)));
                    }
                }
                _ => links.settled = false,
            }
        }
        (out, via, versions)
    }

    /// The qualifiers of service page `from`'s Depends links to page `to`, in
    /// the order written, once each, joined by `; ` (FAX names the spooler
    /// twice: `Win2k/WinXP/Vista name; WinNT4 name`); `None` for none.
    pub fn depends_qualifiers(&self, from: usize, to: usize) -> Option<String> {
        let k = self.depends_on[from].iter().position(|&j| j == to)?;
        let first = self.depends_via[from][k] as usize;
        let items = self.pages[from].service()?.depends.items();
        let first_href = items[first].value.as_ref()?.href.as_deref();
        let mut found: Vec<String> = Vec::new();
        for (at, item) in items.iter().enumerate().skip(first) {
            let Some(link) = &item.value else { continue };
            let (Some(q), Some(href)) = (link.qualifier.as_deref(), link.href.as_deref()) else {
                continue;
            };
            let same = at == first
                || Some(href) == first_href
                || self.page_of(&self.pages[from].out_path, href) == Some(to);
            // `(WinNT4 name)` says what the link's text names the service on
            // a version: on the other page it reads `as “Spooler” on WinNT4`,
            // not as a name of the depending service.
            let said = match crate::service::refs::name_part(q.trim()) {
                Some(versions) => format!("as “{}” on {}", link.name, versions.trim()),
                None => q.to_string(),
            };
            if same && !found.contains(&said) {
                found.push(said);
            }
        }
        (!found.is_empty()).then(|| found.join("; "))
    }

    /// The page a link written on the page at `from` points at, if any. A
    /// plain absolute link is looked up as it is written, without a new string.
    pub fn page_of(&self, from: &str, href: &str) -> Option<usize> {
        let path = crate::url::link_target(from, href)?;
        self.by_path.get(path.as_ref()).copied()
    }

    /// Resolves a link written on the page at output path `from`.
    pub fn resolve(&self, from: &str, href: &str) -> Resolved {
        if is_external(href) {
            return Resolved::External;
        }
        let (path, fragment) = site_path(from, href);
        if let Some(&index) = self.by_path.get(&path) {
            return Resolved::Page { index, fragment };
        }
        if self.assets.contains(&path) {
            return Resolved::Asset(path);
        }
        Resolved::Missing { path }
    }

    /// Builds the index [`Guide::suggest`] uses (on the calling thread's pool),
    /// so that many threads asking at once do not wait on one of them building it.
    pub fn prepare_suggestions(&self) {
        self.suggester.get_or_init(|| Suggester::new(&self.pages));
    }

    /// The page titled `name` (case and spacing aside), for a service named
    /// without a link (`- Print Spooler`).
    pub fn page_titled(&self, name: &str) -> Option<usize> {
        let index = self.suggester.get_or_init(|| Suggester::new(&self.pages));
        index.titles.get(&title_key(name)).copied()
    }

    /// The nearest existing permalink, for "did you mean". `text` is the
    /// link's text when it has one: a page of that title is the answer, and
    /// a page whose file name is near but whose title shares no word with the
    /// text is not (`wecsvc` for "Windows Event Collector" is not `wscsvc`,
    /// Security Center: a different service one letter away).
    pub fn suggest(&self, path: &str, text: Option<&str>) -> Option<String> {
        // A link to an article's source file (`x.html.md`) means its page.
        let path = crate::load::strip_markdown_extension(path).unwrap_or(path);
        let lower = path.to_lowercase();
        // The page itself, whatever the case, with `.htm` for `.html` or
        // without its extension.
        let name = basename(&lower);
        let spellings = [
            Some(lower.clone()),
            lower.strip_suffix(".htm").map(|p| format!("{p}.html")),
            (!name.contains('.')).then(|| format!("{lower}.html")),
        ];
        for spelling in spellings.iter().flatten() {
            if let Some(&i) = self.by_path_lower.get(spelling) {
                return Some(self.pages[i].permalink.clone());
            }
        }
        let name = basename(path).to_lowercase();
        let index = self.suggester.get_or_init(|| Suggester::new(&self.pages));
        if let Some(&i) = text.and_then(|t| index.titles.get(&title_key(t))) {
            return Some(self.pages[i].permalink.clone());
        }
        let candidates = index.candidates(&name);
        let names = candidates
            .iter()
            .map(|&i| basename(&self.pages[i].out_path));
        let near = crate::diag::nearest(&name, names)?;
        candidates
            .iter()
            .map(|&i| &self.pages[i])
            .find(|p| basename(&p.out_path) == near)
            .filter(|p| text.is_none_or(|t| may_name(t, &p.title)))
            .map(|p| p.permalink.clone())
    }

    /// What a page shows of its transitive impact: how many services stop with
    /// `start`, and the nearest of them beyond its direct "required by" (which
    /// the page lists already), at most `bound`, by depth then title.
    ///
    /// The count comes from [`crate::impact::reach_counts_by_version`] (computed with the graph); the walk
    /// stops at the first depth that fills the list.
    pub fn impact_summary(&self, start: usize, bound: usize) -> ImpactSummary {
        let count = self.impact_counts.as_ref().map(|c| c[start]);
        crate::impact::summarise(&self.impact_edges, count, start, bound, |i| {
            self.pages[i].title.to_lowercase()
        })
    }
}

/// The pages (sorted by source path) without those whose permalink an
/// earlier one took, each reported; a repeated `id` is reported too.
/// Goes through the pages in `order` (by file path) and keeps the first of
/// each permalink; returns the kept and the later ones (each reported), as
/// indices into `pages`. Also reports ids used twice.
/// `order` (pages by path) with the oldest article first: by date, then by
/// WordPress id (given in the order posts were made), then by path. Of two
/// articles that claim one permalink or id, the one published first keeps it.
fn by_age(pages: &[Page], order: &[usize]) -> Vec<usize> {
    let mut by_age = order.to_vec();
    // Stable: pages without a date or id keep their order by path. Cached: an
    // id parsed once, not at every comparison.
    by_age.sort_by_cached_key(|&i| {
        let p = &pages[i];
        let id: Option<u64> = p.fm.id.as_deref().and_then(|id| id.trim().parse().ok());
        (
            p.date.map(|d| d.instant()).is_none(),
            p.date.map(|d| d.instant()),
            id.is_none(),
            id,
        )
    });
    by_age
}

fn first_of_each_permalink(
    pages: &[Page],
    order: &[usize],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<usize>, Vec<usize>) {
    let mut first_at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut ids: FxHashMap<&str, &str> = FxHashMap::default();
    let (mut kept, mut later) = (Vec::with_capacity(pages.len()), Vec::new());
    for &i in order {
        let page = &pages[i];
        if let Some(&first) = first_at.get(page.out_path.as_str()) {
            diags.push(
                Diagnostic::at(
                    Code::PermalinkDuplicate,
                    &page.src,
                    page.fm.key_offset("permalink"),
                    format!(
                        "permalink `{}` is already used by {}",
                        page.permalink, pages[first].src.rel
                    ),
                )
                .help("give this article its own permalink; the article published first (by date, then id) keeps the page")
                .related(&pages[first].src.rel),
            );
            later.push(i);
            continue;
        }
        if let Some(id) = &page.fm.id {
            if let Some(other) = ids.get(id.as_str()) {
                diags.push(
                    Diagnostic::at(
                        Code::IdDuplicate,
                        &page.src,
                        page.fm.key_offset("id"),
                        format!("id {id} is also used by {other}"),
                    )
                    .help("give every article a unique id")
                    .related(*other),
                );
            } else {
                ids.insert(id, &page.src.rel);
            }
        }
        first_at.insert(&page.out_path, i);
        kept.push(i);
    }
    (kept, later)
}

/// Puts `items[order[p]]` at `p` for every `p`, in place (`order` is a
/// permutation): each item is swapped along its cycle, no second list is made.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut p = start;
        while order[p] != p {
            let from = order[p];
            order[p] = p;
            if from == start {
                break;
            }
            items.swap(p, from);
            p = from;
        }
    }
}

/// Lowercased output path → page index; a path that differs from an earlier
/// one only in case is reported (the two collide on Windows and macOS).
fn case_index(pages: &[Page], diags: &mut Vec<Diagnostic>) -> FxHashMap<String, usize> {
    let mut by_path_lower: FxHashMap<String, usize> = FxHashMap::default();
    for (i, p) in pages.iter().enumerate() {
        if let Some(&other) = by_path_lower.get(&p.out_path.to_lowercase()) {
            diags.push(
                Diagnostic::at(
                    Code::PermalinkCase,
                    &p.src,
                    p.fm.key_offset("permalink"),
                    format!(
                        "permalink `{}` differs only in case from {}",
                        p.permalink, pages[other].src.rel
                    ),
                )
                .help("the two files collide on Windows and macOS; rename one")
                .related(&pages[other].src.rel),
            );
        } else {
            by_path_lower.insert(p.out_path.to_lowercase(), i);
        }
    }
    by_path_lower
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Finds names within two edits without comparing against every page: each name
/// is indexed under itself and every one-character deletion of it (two names
/// within two edits share such a variant). Built only when a link is broken.
#[derive(Default)]
pub struct Suggester {
    /// (hash of a one-deletion variant of a page's file name, page), sorted.
    /// A hash collision only adds a candidate; `diag::nearest` has the last word.
    variants: Vec<(u64, usize)>,
    /// Page titles ([`title_key`]) → the first page (by path) of that title.
    titles: FxHashMap<String, usize>,
}

/// Whether a link's `text` may name the page titled `title`: they share a
/// word (or one word begins the other: "Print", "Printer"), leaving out the
/// words every service has. Only text written as a name (every word
/// capitalised: "Windows Event Collector") can name another page: "here",
/// a URL or `svchost.exe -k netsvcs` may go to any page.
fn may_name(text: &str, title: &str) -> bool {
    const COMMON: &[&str] = &[
        "windows",
        "service",
        "services",
        "microsoft",
        "the",
        "and",
        "for",
    ];
    const NAMELESS: &[&str] = &[
        "here", "this", "that", "there", "link", "page", "article", "more", "see", "click", "read",
        "below", "above",
    ];
    let is_name = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .all(|w| {
            w.trim_start_matches(|c: char| !c.is_alphanumeric())
                .starts_with(char::is_uppercase)
        });
    if !is_name || text.contains("://") || text.contains('/') || text.contains(".htm") {
        return true;
    }
    fn words(s: &str) -> impl Iterator<Item = String> + '_ {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
    }
    let said: Vec<String> = words(text)
        .filter(|w| !COMMON.contains(&w.as_str()) && !NAMELESS.contains(&w.as_str()))
        .collect();
    if said.is_empty() {
        return true;
    }
    let alike = |a: &str, b: &str| {
        a == b || (a.len().min(b.len()) >= 4 && (a.starts_with(b) || b.starts_with(a)))
    };
    words(title)
        .filter(|w| !COMMON.contains(&w.as_str()))
        .any(|w| said.iter().any(|s| alike(s, &w)))
}

/// A title as a link's text may write it: lowercase, spaces collapsed.
fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Suggester {
    fn new(pages: &[Page]) -> Suggester {
        use rayon::prelude::*;
        let mut variants: Vec<(u64, usize)> = pages
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, p)| {
                deletion_hashes(&basename(&p.out_path).to_lowercase())
                    .into_iter()
                    .map(move |h| (h, i))
            })
            .collect();
        variants.par_sort_unstable();
        let mut titles = FxHashMap::default();
        for (i, p) in pages.iter().enumerate() {
            titles.entry(title_key(&p.title)).or_insert(i);
        }
        Suggester { variants, titles }
    }

    fn candidates(&self, name: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for h in deletion_hashes(name) {
            let from = self.variants.partition_point(|&(v, _)| v < h);
            out.extend(
                self.variants[from..]
                    .iter()
                    .take_while(|&&(v, _)| v == h)
                    .map(|&(_, i)| i),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Hashes of the word itself and of each of its one-character deletions.
fn deletion_hashes(word: &str) -> Vec<u64> {
    // FNV-1a over the characters, skipping one.
    let hash = |skip: Option<usize>| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, c) in word.chars().enumerate() {
            if Some(i) != skip {
                h = (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    };
    std::iter::once(hash(None))
        .chain((0..word.chars().count()).map(|skip| hash(Some(skip))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything reachable from `start` on some version, with each one's
    /// distance (its shortest path that holds on one version): a plain
    /// breadth-first search with a queue per version, over the links that
    /// hold on it, the results merged.
    fn reachable_reference(edges: &[Vec<crate::impact::Edge>], start: usize) -> Vec<(usize, u32)> {
        let mut best: Vec<Option<u32>> = vec![None; edges.len()];
        for bit in 0..7 {
            let mut depth: Vec<Option<u32>> = vec![None; edges.len()];
            depth[start] = Some(0);
            let mut queue = std::collections::VecDeque::from([start]);
            while let Some(i) = queue.pop_front() {
                for &(j, versions) in &edges[i] {
                    if versions & (1 << bit) != 0 && depth[j].is_none() {
                        depth[j] = Some(depth[i].unwrap() + 1);
                        queue.push_back(j);
                    }
                }
            }
            for (b, d) in best.iter_mut().zip(depth) {
                if let Some(d) = d {
                    *b = Some(b.map_or(d, |b: u32| b.min(d)));
                }
            }
        }
        best.into_iter()
            .enumerate()
            .filter(|&(i, d)| i != start && d.is_some())
            .map(|(i, d)| (i, d.unwrap()))
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 500, ..Default::default() })]
        /// The counts and the summary walk agree with a search per version:
        /// on graphs whose links hold everywhere, on some versions, or on
        /// versions no path shares.
        #[test]
        fn impact_summary_counts_what_a_search_per_version_reaches(
            edges in proptest::collection::vec(
                (0usize..40, 0usize..40, proptest::sample::select(vec![0x7fu8, 0x7f, 0x7f, 1, 2, 3, 0x0c, 0x70, 0x40, 0x55])),
                0..120,
            ),
            nodes in 1usize..40,
            bound in 0usize..8,
        ) {
            let mut impact: Vec<Vec<crate::impact::Edge>> = vec![Vec::new(); nodes];
            for (a, b, versions) in edges {
                let (a, b) = (a % nodes, b % nodes);
                if a != b && !impact[a].iter().any(|e| e.0 == b) {
                    impact[a].push((b, versions));
                }
            }
            let title = |i: usize| format!("t{:02}", (i * 7) % 40);
            let counts = crate::impact::reach_counts_by_version(&impact);
            for (start, &count) in counts.iter().enumerate() {
                let summary = crate::impact::summarise(&impact, Some(count), start, bound, title);
                // A page walked without the counts counts the same, and lists the same.
                let walked = crate::impact::summarise(&impact, None, start, bound, title);
                proptest::prop_assert_eq!(&walked, &summary);
                let reached = reachable_reference(&impact, start);
                proptest::prop_assert_eq!(summary.count, reached.len());
                proptest::prop_assert_eq!(
                    summary.direct,
                    reached.iter().filter(|r| r.1 == 1).count()
                );
                // The nearest: depth 2 and up, by depth then title, as many as fit.
                let mut beyond: Vec<(usize, u32)> =
                    reached.into_iter().filter(|r| r.1 > 1).collect();
                beyond.sort_by_key(|&(i, d)| (d, title(i), i));
                beyond.truncate(bound);
                proptest::prop_assert_eq!(summary.nearest, beyond);
            }
        }
    }

    /// Articles for the relink property: services `s00`.. with Depends and
    /// Supports items, and one plain page (`plain`), which links may name too.
    mod relinked {
        use crate::page::Page;
        use crate::source::Source;
        use proptest::prelude::*;
        use std::path::Path;

        /// A link item: target (past the services: a plain page, then a
        /// missing one), and a qualifier (0 for none).
        pub type Item = (usize, usize);

        fn item(n: usize, (target, scope): Item) -> String {
            let href = match target {
                t if t < n => format!("/article/s{t:02}.html"),
                t if t == n => "/article/plain.html".to_string(),
                _ => "/article/missing.html".to_string(),
            };
            let scope = ["", " (WinXP only)", " (Vista+)", " (Win7/Win8)"][scope % 4];
            format!("- [Target]({href}){scope}")
        }

        fn list(n: usize, items: &[Item]) -> String {
            if items.is_empty() {
                return "- None".to_string();
            }
            let lines: Vec<String> = items.iter().map(|&i| item(n, i)).collect();
            lines.join("\n")
        }

        fn parse(rel: &str, text: &str) -> Page {
            let src = Source::from_text(rel, Path::new(rel), text);
            crate::page::parse(src, &mut Vec::new()).expect("a page")
        }

        /// Service `k` of `n`, with its Depends and Supports items.
        pub fn service(k: usize, n: usize, links: &(Vec<Item>, Vec<Item>)) -> Page {
            let text = format!(
                "---\ntitle: 'Svc {t:02}'\nstatus: publish\npermalink: /article/s{k:02}.html\nid: {k}\n\
                 category:\n    - 'Services Guide'\n---\n\
                 ##### Description:\n\nService {k}.\n\n##### Default State:\n\n- WinXP: Manual\n\n\
                 ##### Supports:\n\n{}\n\n##### Depends:\n\n{}\n",
                list(n, &links.1),
                list(n, &links.0),
                // Titles out of path order, so that orders by title show.
                t = (k * 7) % 11,
            );
            parse(&format!("s{k:02}.html.md"), &text)
        }

        pub fn plain() -> Page {
            parse(
                "plain.html.md",
                "---\ntitle: Plain\nstatus: publish\npermalink: /article/plain.html\n---\nText.\n",
            )
        }

        /// A page that is no service, at service `k`'s path.
        pub fn plain_at(k: usize) -> Page {
            parse(
                &format!("s{k:02}.html.md"),
                &format!("---\ntitle: Page {k}\nstatus: publish\npermalink: /article/s{k:02}.html\n---\nText.\n"),
            )
        }

        pub fn links(n: usize) -> impl Strategy<Value = (Vec<Item>, Vec<Item>)> {
            let items = proptest::collection::vec((0..n + 2, 0usize..4), 0..4);
            (items.clone(), items)
        }

        /// Every list, version and count of `guide` is the one of `built`.
        pub fn same_graph(guide: &super::Guide, built: &super::Guide) -> Result<(), TestCaseError> {
            prop_assert_eq!(&guide.services, &built.services);
            prop_assert_eq!(&guide.depends_on, &built.depends_on);
            prop_assert_eq!(&guide.depends_via, &built.depends_via);
            prop_assert_eq!(&guide.depends_versions, &built.depends_versions);
            prop_assert_eq!(&guide.impact_edges, &built.impact_edges);
            prop_assert_eq!(&guide.required_by, &built.required_by);
            prop_assert_eq!(&guide.supports, &built.supports);
            prop_assert_eq!(&guide.related, &built.related);
            prop_assert_eq!(&guide.settled, &built.settled);
            prop_assert_eq!(&guide.availability, &built.availability);
            // The counts follow from the impact edges.
            Ok(())
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]
        /// Patching the graph for pages whose links changed gives what a new
        /// build of the same pages gives: every list, version and count.
        #[test]
        fn relink_matches_a_new_build(
            (n, before, after, edited) in proptest::strategy::Strategy::prop_flat_map(2usize..12, |n| (
                proptest::strategy::Just(n),
                proptest::collection::vec(relinked::links(n), n),
                proptest::collection::vec(relinked::links(n), n),
                proptest::collection::vec(proptest::bool::ANY, n),
            )),
        ) {
            let pages = |links: &[(Vec<relinked::Item>, Vec<relinked::Item>)]| {
                let mut pages: Vec<Page> =
                    (0..n).map(|k| relinked::service(k, n, &links[k])).collect();
                pages.push(relinked::plain());
                pages
            };
            let now: Vec<_> = (0..n)
                .map(|k| if edited[k] { after[k].clone() } else { before[k].clone() })
                .collect();
            let mut guide = Guide::build(pages(&before), vec![], false, &mut Vec::new());
            let mut changed = Vec::new();
            for (k, page) in pages(&now).into_iter().enumerate().take(n) {
                if edited[k] {
                    let i = guide.by_path[&page.out_path];
                    let fit = Guide::fit(&guide.pages[i], &page);
                    proptest::prop_assert!(matches!(fit, Fit::Same | Fit::Links), "{:?}", fit);
                    changed.push((i, page));
                }
            }
            guide.relink(changed);
            let built = Guide::build(pages(&now), vec![], false, &mut Vec::new());
            relinked::same_graph(&guide, &built)?;
        }

        /// A guide built after another, carrying over the lists of the pages
        /// that stayed, is the guide built from scratch: pages come, go and
        /// change their links, and links find pages that come and go.
        #[test]
        fn a_build_after_another_matches_a_new_build(
            (n, before, after, present) in proptest::strategy::Strategy::prop_flat_map(2usize..12, |n| (
                proptest::strategy::Just(n),
                proptest::collection::vec(relinked::links(n), n),
                proptest::collection::vec(proptest::option::of(relinked::links(n)), n),
                proptest::collection::vec((proptest::bool::ANY, 0u8..3), n),
            )),
        ) {
            // Service k is in the first guide when present.0; in the second,
            // present.1 is 0 for none, 1 for the service (with `after[k]`'s
            // links when given), 2 for a page at its path that is no service.
            let pages = |second: bool| {
                let mut pages: Vec<Page> = (0..n)
                    .filter_map(|k| match (second, present[k]) {
                        (false, (true, _)) => Some(relinked::service(k, n, &before[k])),
                        (true, (_, 1)) => {
                            Some(relinked::service(k, n, after[k].as_ref().unwrap_or(&before[k])))
                        }
                        (true, (_, 2)) => Some(relinked::plain_at(k)),
                        _ => None,
                    })
                    .collect();
                pages.push(relinked::plain());
                pages
            };
            let mut old = Guide::build(pages(false), vec![], false, &mut Vec::new());
            let was: Vec<(String, String)> = old
                .pages
                .iter()
                .map(|p| (p.src.rel.clone(), p.src.text.to_string()))
                .collect();
            // As in `serve`: the old guide's pages have gone into the new one.
            old.pages.clear();
            let kept = |p: &Page, i: usize| was[i] == (p.src.rel.clone(), p.src.text.to_string());
            let previous = Previous { guide: &old, kept: &kept };
            let (after_old, _) = Guide::build_after(pages(true), vec![], false, &mut Vec::new(), Some(previous));
            let built = Guide::build(pages(true), vec![], false, &mut Vec::new());
            relinked::same_graph(&after_old, &built)?;
        }
    }

    #[test]
    fn a_link_text_may_name_a_title_by_a_shared_word() {
        assert!(may_name("Task Scheduler", "Scheduler"));
        assert!(may_name("the Print Spooler", "Printer Spooler"));
        assert!(may_name("Printer", "Print Spooler"));
        assert!(!may_name(
            "Windows Event Collector",
            "Windows Security Center"
        ));
        assert!(!may_name("Wireless Zero Configuration", "Security Center"));
        // Text that is not written as a name contradicts nothing.
        assert!(may_name("here", "Security Center"));
        assert!(may_name(
            "svchost.exe -k netsvcs",
            "Service host processes explained"
        ));
        assert!(may_name("the event collector", "Security Center"));
        assert!(may_name("Here", "Security Center"));
        assert!(!may_name("Remote Procedure Call (RPC)", "Security Center"));
        assert!(may_name("/article/x.html", "Security Center"));
        assert!(may_name("Windows service", "Security Center"));
    }

    /// The pages linking to a service are read off the graph alone: the
    /// engine asks a guide whose pages have gone into a new one.
    #[test]
    fn linked_by_needs_only_the_graph() {
        let (depends, supports) = (vec![(2, 0)], vec![(2, 1)]);
        let mut guide = Guide::build(
            vec![
                relinked::service(0, 3, &(vec![], supports)),
                relinked::service(1, 3, &(depends, vec![])),
                relinked::service(2, 3, &(vec![], vec![])),
                relinked::plain(),
            ],
            vec![],
            false,
            &mut Vec::new(),
        );
        let at = |k: usize| guide.by_path[&format!("article/s{k:02}.html")];
        let (s0, s1, s2) = (at(0), at(1), at(2));
        guide.pages.clear();
        let mut linking: Vec<usize> = guide.linked_by(s2).collect();
        linking.sort_unstable();
        let mut expected = vec![s0, s1];
        expected.sort_unstable();
        assert_eq!(linking, expected);
    }

    /// Past several blocks of 4,096 target nodes: a simple chain, a ring, and a random
    /// graph with cycles, against the plain search.
    #[test]
    fn reach_counts_span_several_blocks() {
        let n = 20_000;
        let chain: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let counts = crate::impact::reach_counts(&chain);
        assert!((0..n).all(|i| counts[i] == n - 1 - i));
        let ring: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        assert!(crate::impact::reach_counts(&ring)
            .iter()
            .all(|&c| c == n - 1));
        let mut state = 7u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        // Links that hold everywhere (one plain reachability), then on some
        // versions (the union of several).
        let random: Vec<Vec<crate::impact::Edge>> = (0..n)
            .map(|_| (0..next() % 3).map(|_| (next() % n, 0x7f)).collect())
            .collect();
        let scoped: Vec<Vec<crate::impact::Edge>> = random
            .iter()
            .map(|list| {
                list.iter()
                    .map(|&(j, _)| (j, [0x7f, 0x03, 0x70][next() % 3]))
                    .collect()
            })
            .collect();
        for edges in [&random, &scoped] {
            let counts = crate::impact::reach_counts_by_version(edges);
            for start in (0..n).step_by(997) {
                let reached = reachable_reference(edges, start);
                assert_eq!(counts[start], reached.len(), "{start}");
            }
        }
    }
}
