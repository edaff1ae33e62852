//! Readers' views derived from the model: per-Windows-version tables, the process
//! index, tag pages, the dependency graph, the Atom feed and robots.txt.
//!
//! Each view builds a small typed context from the `Guide` and renders one of the
//! `views/*.html` templates (autoescaped by tera); the XML, SVG and CSV outputs are
//! written by hand with the escapers of `escape`.

pub mod escape;
pub mod feed;
pub mod graph;
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
use crate::site::Work;

/// Templates of the views (name, built-in text); a file in the templates folder wins.
pub const TEMPLATES: &[(&str, &str)] = &[
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
];

/// What `base.html` needs to know about the site (same shape as render's).
#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    /// Relative prefix from this page to the site root (`../`).
    pub root: String,
    pub search: bool,
}

impl<'a> SiteCtx<'a> {
    pub fn new(config: &'a Config, out_path: &str) -> SiteCtx<'a> {
        SiteCtx {
            title: &config.title,
            root: crate::url::root_prefix(out_path),
            search: config.search.enabled,
        }
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
    ctx: &C,
    html_bytes: usize,
) -> Result<OutFile> {
    let ctx = tera::Context::from_serialize(ctx)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::render::tera_error(&e)))?;
    let mut bytes = Vec::with_capacity(html_bytes + 64 * 1024);
    tera.render_to(template, &ctx, &mut bytes)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::render::tera_error(&e)))?;
    Ok(OutFile {
        path: path.to_string(),
        bytes,
    })
}

/// Receives each file as soon as it is made (so the views' files, tens of
/// megabytes on a big guide, are never all held at once).
pub type Emit<'a> = dyn Fn(OutFile) -> Result<()> + Sync + 'a;

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
    // The views are independent: each is a task, the per-version pages split further.
    type Job<'a> = Box<dyn Fn() -> Result<()> + Send + Sync + 'a>;
    let jobs: Vec<Job> = vec![
        Box::new(|| os::render(tera, config, guide, work, emit)),
        Box::new(|| emit(processes::render(tera, config, guide)?)),
        Box::new(|| emit(graph::render_page(tera, config, guide)?)),
        Box::new(|| tags::render(tera, config, guide, emit)),
        Box::new(|| {
            emit(OutFile {
                path: impact::PATH.into(),
                bytes: impact::script(guide).into_bytes(),
            })
        }),
        Box::new(|| {
            emit(OutFile {
                path: "feed.xml".into(),
                bytes: feed::atom(config, guide).into_bytes(),
            })
        }),
        Box::new(|| {
            emit(OutFile {
                path: "robots.txt".into(),
                bytes: feed::robots(config).into_bytes(),
            })
        }),
    ];
    use rayon::prelude::*;
    jobs.par_iter().try_for_each(|job| job())
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
