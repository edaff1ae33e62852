//! Readers' views derived from the model: per-Windows-version tables, the process
//! index, tag pages, the dependency graph, the Atom feed and robots.txt.
//!
//! Each view builds a small typed context from the `Guide` and renders one of the
//! `views/*.html` templates (autoescaped by tera); the XML, SVG and CSV outputs are
//! written by hand with the escapers of `escape`.

pub mod escape;
pub mod feed;
pub mod graph;
pub mod os;
pub mod processes;
pub mod tags;

use anyhow::Result;
use serde::Serialize;

use crate::config::Config;
use crate::guide::Guide;
use crate::output::OutFile;

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

pub(crate) fn render_template<C: Serialize>(
    tera: &tera::Tera,
    template: &str,
    path: &str,
    ctx: &C,
) -> Result<OutFile> {
    let ctx = tera::Context::from_serialize(ctx)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::render::tera_error(&e)))?;
    let mut bytes = Vec::with_capacity(64 * 1024);
    tera.render_to(template, &ctx, &mut bytes)
        .map_err(|e| anyhow::anyhow!("{path}: {}", crate::render::tera_error(&e)))?;
    Ok(OutFile {
        path: path.to_string(),
        bytes,
    })
}

/// Renders every view page of the guide.
pub fn render(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<Vec<OutFile>> {
    // The views are independent: each is a task, the per-version pages split further.
    type Job<'a> = Box<dyn Fn() -> Result<Vec<OutFile>> + Send + Sync + 'a>;
    let jobs: Vec<Job> = vec![
        Box::new(|| os::render(tera, config, guide)),
        Box::new(|| Ok(vec![processes::render(tera, config, guide)?])),
        Box::new(|| Ok(vec![graph::render_page(tera, config, guide)?])),
        Box::new(|| tags::render(tera, config, guide)),
        Box::new(|| {
            Ok(vec![OutFile {
                path: "feed.xml".into(),
                bytes: feed::atom(config, guide).into_bytes(),
            }])
        }),
    ];
    use rayon::prelude::*;
    let done: Vec<Result<Vec<OutFile>>> = jobs.par_iter().map(|job| job()).collect();
    let mut files = Vec::new();
    for result in done {
        files.extend(result?);
    }
    files.push(OutFile {
        path: "robots.txt".into(),
        bytes: feed::robots(config).into_bytes(),
    });
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
