//! The build pipeline: load → model → render → (check) → files. Shared by
//! `build` and `check`; only `build` writes the result to disk.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Result;

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;
use crate::output::OutFile;
use crate::render::RenderedPage;

/// Built-in theme assets; a file of the same name in the theme folder wins.
const THEME: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../theme/style.css")),
    ("search.js", include_bytes!("../theme/search.js")),
    ("lunr.js", include_bytes!("../theme/lunr.js")),
    ("lunr.LICENSE", include_bytes!("../theme/lunr.LICENSE")),
    ("tables.js", include_bytes!("../theme/tables.js")),
];

pub struct Site {
    pub guide: Guide,
    pub files: Vec<OutFile>,
    pub diags: Vec<Diagnostic>,
    /// What each article page links to (its HTML has moved into `files`).
    pub pages: Vec<RenderedPage>,
}

/// Loads, renders and checks the guide in memory.
pub fn build(config: &Config) -> Result<Site> {
    let content = config.resolve(&config.content);
    if !content.is_dir() {
        anyhow::bail!(
            "content folder {} does not exist or is not a folder",
            content.display()
        );
    }
    let mut clock = crate::timing::Stopwatch::new();
    let tera = crate::render::load_templates(&config.resolve(&config.templates))?;
    clock.lap("templates");
    let loaded = crate::load::load(&content);
    clock.lap("load+parse");
    let mut diags = loaded.diags;
    let guide = Guide::build(loaded.pages, loaded.assets, config.drafts, &mut diags);
    clock.lap("model");
    let pages = crate::render::render_pages(&tera, config, &guide)?;
    clock.lap("render pages");
    // The home page, services.json, the views and the search index only read the
    // model and the rendered pages: build them side by side.
    let ((head, views), search) = rayon::join(
        || {
            rayon::join(
                || head_files(&tera, config, &guide),
                || crate::views::render(&tera, config, &guide),
            )
        },
        || {
            config
                .search
                .enabled
                .then(|| search_files(config, &guide, &pages))
        },
    );
    clock.lap("views+search");
    let mut files = Vec::with_capacity(pages.len() + 128);
    files.extend(head?);
    files.extend(views?);
    files.extend(theme_files(&config.resolve(&config.theme))?);
    for asset in &guide.asset_files {
        files.push(OutFile {
            path: asset.rel.clone(),
            bytes: std::fs::read(&asset.path)?,
        });
    }
    if let Some((search, too_big)) = search {
        files.extend(search);
        diags.extend(too_big);
    }
    let content_links = content_urls(&guide, &pages);
    let mut pages_links = Vec::with_capacity(pages.len());
    for mut p in pages {
        for (offset, tag) in &p.unknown_liquid {
            let src = &guide.pages[p.index].src;
            diags.push(
                Diagnostic::at(
                    Code::LiquidUnknown,
                    src,
                    *offset,
                    format!("Liquid tag `{tag}` is not understood"),
                )
                .help(
                    "only `{{ 'path' | relative_url }}` is supported; the tag is shown as written",
                ),
            );
        }
        files.push(OutFile {
            path: guide.pages[p.index].out_path.clone(),
            bytes: std::mem::take(&mut p.html).into_bytes(),
        });
        pages_links.push(p);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    clock.lap("collect");
    crate::check::graph::check(&guide, &mut diags);
    clock.lap("check graph");
    let ids = crate::check::ids_by_path(&files);
    clock.lap(" check/ids");
    crate::check::links::check(&guide, &pages_links, &ids, &mut diags);
    clock.lap(" check/content");
    crate::check::output::check(
        &files,
        &config.base_path(),
        &content_links,
        &ids,
        &mut diags,
    );
    clock.lap("check links");
    crate::scaffold::check_placeholders(&guide, &mut diags);
    config.apply_levels(&mut diags);
    crate::diag::normalise(&mut diags);
    Ok(Site {
        guide,
        files,
        diags,
        pages: pages_links,
    })
}

/// The home page, the 404 page, the sitemap and services.json.
fn head_files(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<Vec<OutFile>> {
    let export = crate::export::build(guide, &config.title);
    Ok(vec![
        OutFile {
            path: "index.html".into(),
            bytes: crate::render::render_index(tera, config, guide)?.into_bytes(),
        },
        OutFile {
            path: "404.html".into(),
            bytes: crate::render::render_404(tera, config)?.into_bytes(),
        },
        OutFile {
            path: "sitemap.xml".into(),
            bytes: crate::render::sitemap(config, guide).into_bytes(),
        },
        OutFile {
            path: "services.json".into(),
            bytes: crate::export::to_json(&export).into_bytes(),
        },
    ])
}

/// The prebuilt lunr index and doc store, and a warning when they exceed the budget.
fn search_files(
    config: &Config,
    guide: &Guide,
    pages: &[RenderedPage],
) -> (Vec<OutFile>, Option<Diagnostic>) {
    let docs: Vec<crate::search::SearchDoc> = pages.iter().map(|p| search_doc(guide, p)).collect();
    let built = crate::search::build(&docs);
    let size = (built.index_js.len() + built.docs_js.len()) as u64;
    let too_big = (size > config.search.max_bytes).then(|| {
        Diagnostic::new(
            Code::SearchSize,
            "svcguide.toml",
            1,
            1,
            format!(
                "the search index and doc store take {size} bytes, over the budget of {}",
                config.search.max_bytes
            ),
        )
        .help("raise [search] max_bytes in svcguide.toml, or shorten descriptions")
    });
    let files = vec![
        OutFile {
            path: "search-index.js".into(),
            bytes: built.index_js.into_bytes(),
        },
        OutFile {
            path: "search-docs.js".into(),
            bytes: built.docs_js.into_bytes(),
        },
    ];
    (files, too_big)
}

fn search_doc(guide: &Guide, rendered: &RenderedPage) -> crate::search::SearchDoc {
    let page = &guide.pages[rendered.index];
    let mut doc = crate::search::SearchDoc {
        slug: page.slug.clone(),
        title: page.title.clone(),
        body: rendered.text.clone(),
        url: page.out_path.clone(),
        excerpt: page.fm.excerpt.clone().unwrap_or_else(|| {
            crate::text::truncate_words(&rendered.text, crate::search::EXCERPT_CHARS)
        }),
        ..Default::default()
    };
    if let Some(s) = page.service() {
        doc.names = s.names.clone();
        for p in s.processes.iter().filter_map(|i| i.value.as_ref()) {
            if let Some(image) = &p.image {
                if !doc.images.contains(image) {
                    doc.images.push(image.clone());
                }
            }
            if let Some(group) = &p.group {
                if !doc.groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
                    doc.groups.push(group.clone());
                }
            }
        }
        doc.recommended = s
            .recommended
            .first()
            .map(|r| {
                r.value
                    .as_ref()
                    .map_or_else(|| r.raw_value.clone(), |v| v.short())
            })
            .unwrap_or_default();
    }
    doc
}

fn theme_files(dir: &Path) -> Result<Vec<OutFile>> {
    let mut out = Vec::new();
    for (name, builtin) in THEME {
        let custom = dir.join(name);
        let bytes = if custom.is_file() {
            std::fs::read(&custom)?
        } else {
            builtin.to_vec()
        };
        out.push(OutFile {
            path: format!("theme/{name}"),
            bytes,
        });
    }
    out.push(OutFile {
        path: "theme/syntax.css".into(),
        bytes: crate::highlight::stylesheet().into_bytes(),
    });
    Ok(out)
}

/// Per output path, the URLs that article text put into the page (after rewriting).
fn content_urls(guide: &Guide, pages: &[RenderedPage]) -> HashMap<String, HashSet<String>> {
    pages
        .iter()
        .map(|p| {
            let from = &guide.pages[p.index].out_path;
            let urls = p
                .links
                .iter()
                .map(|l| {
                    if l.dest.starts_with('/') && !l.dest.starts_with("//") {
                        crate::url::relative(from, &l.dest)
                    } else {
                        l.dest.clone()
                    }
                })
                .collect();
            (from.clone(), urls)
        })
        .collect()
}
