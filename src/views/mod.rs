//! Readers' views derived from the model: per-Windows-version tables, the process
//! index, tag pages, the dependency graph, the Atom feed, the sitemap and robots.txt.
//!
//! Each view builds a small typed context from the `Guide` and renders one of the
//! `views/*.html` templates (autoescaped by tera), or `feed.xml` / `sitemap.xml`
//! (escaped by their `xml` filter); the SVG and CSV outputs are written by hand
//! with the escapers of `escape`.

pub mod article;
pub mod escape;
pub mod feed;
pub mod graph;
pub mod home;
pub mod impact;
pub mod os;
mod os_table;
pub mod processes;
pub mod tags;

use anyhow::Result;
use serde::Serialize;

use crate::config::Config;
use crate::guide::Guide;
use crate::output::OutFile;

/// How much of the site a run needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Work {
    /// Every file (`build`, `serve`).
    Everything,
    /// What the checks read: the search index, its doc store, services.json and the
    /// sitemap are not built (they hold no links; their paths still exist for the
    /// link checks, and `build` reports the search size budget).
    Checks,
}

/// Templates of the views (name, built-in text); a file in the templates folder wins.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("feed.xml", include_str!("../../templates/feed.xml")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    (
        "views/os.html",
        include_str!("../../templates/views/os.html"),
    ),
    (
        "views/os_index.html",
        include_str!("../../templates/views/os_index.html"),
    ),
    (
        "views/processes.html",
        include_str!("../../templates/views/processes.html"),
    ),
    (
        "views/graph.html",
        include_str!("../../templates/views/graph.html"),
    ),
    (
        "views/tag.html",
        include_str!("../../templates/views/tag.html"),
    ),
    (
        "views/tags_index.html",
        include_str!("../../templates/views/tags_index.html"),
    ),
    (
        "views/search.html",
        include_str!("../../templates/views/search.html"),
    ),
];

/// What `base.html` needs to know about the site (every page's context holds it as `site`).
#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    /// Relative prefix from this page to the site root (`../`).
    pub root: String,
    pub search: bool,
    /// The header navigation entry this page belongs to (`os`, `processes`,
    /// `graph`, `tags`, `az`), empty for none: it gets `aria-current`.
    pub nav: &'static str,
    /// Whether the configured base URL has a scheme and host: canonical and
    /// OpenGraph URLs are only written when they come out absolute.
    pub absolute_urls: bool,
}

impl<'a> SiteCtx<'a> {
    pub fn new(config: &'a Config, out_path: &str) -> SiteCtx<'a> {
        SiteCtx {
            title: &config.title,
            root: crate::url::root_prefix(out_path),
            search: config.search.enabled,
            nav: nav_section(out_path),
            absolute_urls: config.base_url.contains("://"),
        }
    }
}

/// The header navigation entry of the page written at `out_path`.
pub fn nav_section(out_path: &str) -> &'static str {
    match out_path {
        "index.html" => "az",
        "processes.html" => "processes",
        "graph.html" => "graph",
        p if p.starts_with("os/") => "os",
        p if p.starts_with("tags/") => "tags",
        _ => "",
    }
}

/// A link for templates (already relative to the page it is on).
#[derive(Serialize, Clone, Debug)]
pub struct LinkCtx {
    pub title: String,
    pub url: String,
}

/// Renders `template` into a buffer of `html_bytes` (the size of the HTML the
/// context carries written) and room for the page around it: the view pages
/// run to megabytes, and growing them by doubling copied each several times.
pub(crate) fn render_template<C: Serialize>(
    tera: &tera::Tera,
    template: &str,
    path: &str,
    typed: C,
    html_bytes: usize,
) -> Result<OutFile> {
    let ctx = tera::Context::from_serialize(&typed)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::views::article::tera_error(&e)))?;
    // Given by value, the typed context goes before the page is made: its
    // strings (megabytes of pre-rendered rows on the big views) are in
    // tera's context now, and are not held three times at once.
    drop(typed);
    let mut bytes = Vec::with_capacity(html_bytes + 64 * 1024);
    tera.render_to(template, &ctx, &mut bytes)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::views::article::tera_error(&e)))?;
    Ok(OutFile {
        path: path.to_string(),
        bytes,
    })
}

/// Receives each file as soon as it is made (so the views' files, tens of
/// megabytes on a big guide, are never all held at once).
pub type Emit<'a> = dyn Fn(OutFile) -> Result<()> + Sync + 'a;

/// One view's share of the work: makes its files and hands them on.
pub type Job<'a> = Box<dyn Fn() -> Result<()> + Send + Sync + 'a>;

/// Renders every view page of the guide, handing each file to `emit`. For the
/// checks (`Work::Checks`) the data files (CSV) are handed over empty: only
/// their paths matter to the link checks.
pub fn render_each(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
    work: Work,
    emit: &Emit,
) -> Result<()> {
    let (big, small) = jobs(tera, config, guide, work, emit);
    run(&big, &small)
}

/// The views' jobs: those that make files of megabytes on a big guide (the
/// per-version tables, the graph page, the process index), and the rest.
pub fn jobs<'a>(
    tera: &'a tera::Tera,
    config: &'a Config,
    guide: &'a Guide,
    work: Work,
    emit: &'a Emit,
) -> (Vec<Job<'a>>, Vec<Job<'a>>) {
    let big: Vec<Job> = vec![
        Box::new(move || emit(graph::render_page(tera, config, guide)?)),
        Box::new(move || os::render(tera, config, guide, work, emit)),
        Box::new(move || emit(processes::render(tera, config, guide)?)),
    ];
    let small: Vec<Job> = vec![
        Box::new(move || tags::render(tera, config, guide, emit)),
        Box::new(move || emit(render_search_page(tera, config)?)),
        Box::new(move || {
            emit(OutFile {
                path: impact::PATH.into(),
                bytes: impact::script(guide).into_bytes(),
            })
        }),
        Box::new(move || {
            emit(OutFile {
                path: "feed.xml".into(),
                bytes: feed::atom(tera, config, guide)?.into_bytes(),
            })
        }),
        Box::new(move || {
            emit(OutFile {
                path: "robots.txt".into(),
                bytes: feed::robots(config).into_bytes(),
            })
        }),
    ];
    (big, small)
}

/// Runs the big jobs one after another (each still splits its own work
/// across the threads), beside the small ones. Each big job holds its rows,
/// its template context and its page at once, tens of megabytes at 10,000
/// articles: side by side they made the build's peak (docs/benchmarks.md).
pub fn run(big: &[Job], small: &[Job]) -> Result<()> {
    use rayon::prelude::*;
    let (big, small) = rayon::join(
        || {
            big.iter().try_for_each(|job| {
                job()?;
                // Its buffers go back now, not after the next job made its own.
                crate::memory::release();
                Ok(())
            })
        },
        || small.par_iter().try_for_each(|job| job()),
    );
    big.and(small)
}

/// `search.html`: the full list of results for `?q=…`, filled in by
/// `theme/search.js` (from disk too: it reads the query from the address).
fn render_search_page(tera: &tera::Tera, config: &Config) -> Result<OutFile> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        site: SiteCtx<'a>,
        title: &'static str,
        canonical: String,
        description: &'static str,
    }
    const PATH: &str = "search.html";
    let ctx = Ctx {
        site: SiteCtx::new(config, PATH),
        title: "Search",
        canonical: crate::url::absolute(&config.base_url, PATH),
        description: "Search the guide's services, programs and svchost groups.",
    };
    render_template(tera, "views/search.html", PATH, &ctx, 0)
}

/// Every view file, sorted by path.
pub fn render(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<Vec<OutFile>> {
    let files = std::sync::Mutex::new(Vec::new());
    render_each(tera, config, guide, Work::Everything, &|f| {
        files.lock().expect("no panic while pushing").push(f);
        Ok(())
    })?;
    let mut files = files.into_inner().expect("no panic while pushing");
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The HTML pages the views write, for the sitemap.
pub fn sitemap_paths(guide: &Guide) -> Vec<String> {
    let mut paths = vec!["os/index.html".to_string()];
    paths.extend(
        crate::service::os::OsFamily::ALL
            .iter()
            .map(|os| format!("os/{}.html", os.id())),
    );
    paths.push("processes.html".into());
    paths.push("graph.html".into());
    paths.push("tags/index.html".into());
    paths.extend(
        tags::collect(guide)
            .iter()
            .map(|t| format!("tags/{}.html", t.slug)),
    );
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    #[test]
    fn big_jobs_run_one_at_a_time_beside_the_small_ones() {
        let (running, most, small_done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let big_job = || -> Result<()> {
            most.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(5));
            running.fetch_sub(1, SeqCst);
            Ok(())
        };
        let big: Vec<Job> = (0..4).map(|_| Box::new(big_job) as Job).collect();
        let small: Vec<Job> = (0..8)
            .map(|_| {
                Box::new(|| {
                    small_done.fetch_add(1, SeqCst);
                    Ok(())
                }) as Job
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        pool.install(|| run(&big, &small)).unwrap();
        assert_eq!(most.load(SeqCst), 1);
        assert_eq!(small_done.load(SeqCst), 8);
    }

    #[test]
    fn a_failed_big_job_fails_the_run() {
        let big: Vec<Job> = vec![Box::new(|| anyhow::bail!("no room"))];
        let small: Vec<Job> = vec![Box::new(|| Ok(()))];
        assert_eq!(run(&big, &small).unwrap_err().to_string(), "no room");
    }
}
