//! Criterion benchmarks of the stages of `svcguide build`, on a generated guide.
//!
//! The corpus comes from `examples/gen_corpus.rs` (the same generator as
//! `benches/serve.rs`): `SVCGUIDE_BENCH_N` service articles (default 1,000) plus
//! the how-to pages it adds, written once per run into a temporary folder. Each
//! stage's inputs are prepared outside the timed closure; stages that consume
//! their input get a fresh copy per iteration through `iter_batched`.
//!
//! Groups and what they time (the order of `site::build`):
//!
//! * `templates` — `render::load_templates`: parsing the built-in Tera templates.
//! * `load` — `load::load(content)`: walking the content folder, reading every
//!   file (from the page cache after the first run) and parsing front matter,
//!   sections and the typed service facts, in parallel.
//! * `model` — `guide::Guide::build`: the model (paths, ids, the service graph)
//!   from the loaded pages; the pages are cloned outside the timing.
//! * `render_pages` — `render::render_pages`: Markdown, highlighting and the
//!   `page.html` template for every article, in parallel.
//! * `index_export` — `render::render_index` (the home page), `export::build` +
//!   `export::to_json` (services.json), and all of them together with the 404
//!   page and the sitemap, as the build's `head_files` does.
//! * `views` — `views::render`: the per-Windows-version tables, processes,
//!   graph, tags and feed pages.
//! * `search` — `docs`: the `SearchDoc` of every rendered article (rebuilt here
//!   from public fields, as the private `site::search_doc` does); `index`:
//!   `search::build`, the prebuilt lunr index and doc store.
//! * `checks` — `check::graph::check`, `check::ids_by_path`,
//!   `check::links::check`, `check::output::check` (its per-page content URLs
//!   are computed outside the timing, as the private `site::content_urls`
//!   does), and all four in a row; inputs are the files of one full build.
//! * `write` — `output::write_site` of the built files into a fresh folder
//!   (`fresh`) and over an identical earlier output (`unchanged`, where files are
//!   hard-linked from the old site).
//! * `site_build` — the whole `site::build(&config)` in memory (templates to
//!   checks, without writing).
//!
//! Not timed separately: the "collect" step of `site::build` (sorting the files,
//! copying theme and assets) and the Liquid diagnostics, which are private and
//! only part of `site_build`.
//!
//! Run it with `nice cargo bench --bench stages` (1,000 articles: about a minute
//! and a half on two cores once built), one group with
//! `nice cargo bench --bench stages -- render_pages`, or at 10,000 articles with
//! `SVCGUIDE_BENCH_N=10000 nice cargo bench --bench stages` (ten times the
//! work per iteration; criterion warns that it stretches the 3 s windows to
//! take its 10 samples, which is expected). Reports land in `target/criterion`.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};

use svcguide::config::Config;
use svcguide::guide::Guide;
use svcguide::render::RenderedPage;
use svcguide::search::SearchDoc;

#[path = "../examples/gen_corpus.rs"]
#[allow(dead_code)]
mod gen_corpus;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Everything the stages read: a generated guide and one full pass over it.
struct Fixture {
    /// Holds the corpus and the output folders; removed on drop.
    dir: tempfile::TempDir,
    config: Config,
    tera: tera::Tera,
    loaded: svcguide::load::Loaded,
    guide: Guide,
    pages: Vec<RenderedPage>,
    docs: Vec<SearchDoc>,
    site: svcguide::site::Site,
    content_links: HashMap<String, HashSet<String>>,
    ids: HashMap<String, HashSet<String>>,
}

impl Fixture {
    fn new() -> Fixture {
        let n = env_num("SVCGUIDE_BENCH_N", 1_000);
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let t = Instant::now();
        let written = gen_corpus::generate(n, &content, 1, 0.01, 0.05).unwrap();
        eprintln!(
            "generated {written} articles (N = {n}) in {:.2?}",
            t.elapsed()
        );
        // Templates and theme folders do not exist under the temp folder: the
        // built-in ones are used, as in a guide without overrides.
        let config = Config {
            root: dir.path().to_path_buf(),
            content: "content".into(),
            output: "public".into(),
            ..Config::default()
        };
        let tera = svcguide::render::load_templates(&config.resolve(&config.templates)).unwrap();
        let loaded = svcguide::load::load(&content);
        let mut diags = loaded.diags.clone();
        let guide = Guide::build(
            loaded.pages.clone(),
            loaded.assets.clone(),
            config.drafts,
            &mut diags,
        );
        let pages = svcguide::render::render_pages(&tera, &config, &guide).unwrap();
        let docs = search_docs(&guide, &pages);
        let site = svcguide::site::build(&config).unwrap();
        let content_links = content_urls(&site.guide, &site.pages);
        let ids = svcguide::check::ids_by_path(&site.files);
        eprintln!(
            "{} pages, {} output files, {} diagnostics",
            site.guide.pages.len(),
            site.files.len(),
            site.diags.len()
        );
        Fixture {
            dir,
            config,
            tera,
            loaded,
            guide,
            pages,
            docs,
            site,
            content_links,
            ids,
        }
    }

    fn content(&self) -> std::path::PathBuf {
        self.config.resolve(&self.config.content)
    }
}

/// The search documents of the rendered pages, as `site::search_doc` makes them
/// (private there; rebuilt here from the public fields).
fn search_docs(guide: &Guide, pages: &[RenderedPage]) -> Vec<SearchDoc> {
    pages.iter().map(|p| search_doc(guide, p)).collect()
}

fn search_doc(guide: &Guide, rendered: &RenderedPage) -> SearchDoc {
    let page = &guide.pages[rendered.index];
    let mut doc = SearchDoc {
        slug: page.slug.clone(),
        title: page.title.clone(),
        body: rendered.text.clone(),
        url: page.out_path.clone(),
        excerpt: page.fm.excerpt.clone().unwrap_or_else(|| {
            svcguide::text::truncate_words(&rendered.text, svcguide::search::EXCERPT_CHARS)
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

/// Per output path, the URLs that article text put into the page, as the private
/// `site::content_urls` computes them for `check::output::check`.
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
                        svcguide::url::relative(from, &l.dest)
                    } else {
                        l.dest.clone()
                    }
                })
                .collect();
            (from.clone(), urls)
        })
        .collect()
}

/// Ten samples, short warm-up and measurement: the whole run stays within minutes.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        // Most stages take milliseconds to seconds: one run per iteration, no ramp.
        .sampling_mode(SamplingMode::Flat);
    g
}

fn stages(c: &mut Criterion) {
    let fx = Fixture::new();
    let cfg = &fx.config;
    let content = fx.content();

    {
        let mut g = group(c, "templates");
        let dir = cfg.resolve(&cfg.templates);
        g.bench_function("load_templates", |b| {
            b.iter(|| svcguide::render::load_templates(black_box(&dir)).unwrap())
        });
        g.finish();
    }

    {
        let mut g = group(c, "load");
        g.bench_function("load_parse", |b| {
            b.iter(|| svcguide::load::load(black_box(&content)))
        });
        g.finish();
    }

    {
        let mut g = group(c, "model");
        g.bench_function("guide_build", |b| {
            b.iter_batched(
                || {
                    (
                        fx.loaded.pages.clone(),
                        fx.loaded.assets.clone(),
                        fx.loaded.diags.clone(),
                    )
                },
                |(pages, assets, mut diags)| {
                    let guide = Guide::build(pages, assets, cfg.drafts, &mut diags);
                    (guide, diags)
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    {
        let mut g = group(c, "render_pages");
        g.bench_function("render_pages", |b| {
            b.iter(|| svcguide::render::render_pages(&fx.tera, cfg, &fx.guide).unwrap())
        });
        g.finish();
    }

    {
        let mut g = group(c, "index_export");
        g.bench_function("render_index", |b| {
            b.iter(|| svcguide::render::render_index(&fx.tera, cfg, &fx.guide).unwrap())
        });
        g.bench_function("export_json", |b| {
            b.iter(|| {
                let export = svcguide::export::build(&fx.guide, &cfg.title);
                svcguide::export::to_json(&export)
            })
        });
        g.bench_function("head_files", |b| {
            b.iter(|| {
                let export = svcguide::export::build(&fx.guide, &cfg.title);
                (
                    svcguide::render::render_index(&fx.tera, cfg, &fx.guide).unwrap(),
                    svcguide::render::render_404(&fx.tera, cfg).unwrap(),
                    svcguide::render::sitemap(cfg, &fx.guide),
                    svcguide::export::to_json(&export),
                )
            })
        });
        g.finish();
    }

    {
        let mut g = group(c, "views");
        g.bench_function("views_render", |b| {
            b.iter(|| svcguide::views::render(&fx.tera, cfg, &fx.guide).unwrap())
        });
        g.finish();
    }

    {
        let mut g = group(c, "search");
        g.bench_function("docs", |b| {
            b.iter(|| search_docs(&fx.guide, black_box(&fx.pages)))
        });
        g.bench_function("index", |b| {
            b.iter(|| svcguide::search::build(black_box(&fx.docs)))
        });
        g.finish();
    }

    {
        let site = &fx.site;
        let base = cfg.base_path();
        let mut g = group(c, "checks");
        g.bench_function("graph", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                svcguide::check::graph::check(&site.guide, &mut diags);
                diags
            })
        });
        g.bench_function("ids_by_path", |b| {
            b.iter(|| svcguide::check::ids_by_path(black_box(&site.files)))
        });
        g.bench_function("links", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                svcguide::check::links::check(&site.guide, &site.pages, &fx.ids, &mut diags);
                diags
            })
        });
        g.bench_function("output", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                svcguide::check::output::check(
                    &site.files,
                    &base,
                    &fx.content_links,
                    &fx.ids,
                    &mut diags,
                );
                diags
            })
        });
        g.bench_function("all", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                svcguide::check::graph::check(&site.guide, &mut diags);
                let ids = svcguide::check::ids_by_path(&site.files);
                svcguide::check::links::check(&site.guide, &site.pages, &ids, &mut diags);
                svcguide::check::output::check(
                    &site.files,
                    &base,
                    &fx.content_links,
                    &ids,
                    &mut diags,
                );
                diags
            })
        });
        g.finish();
    }

    {
        let files = &fx.site.files;
        let fresh = fx.dir.path().join("fresh").join("public");
        let kept = fx.dir.path().join("kept").join("public");
        svcguide::output::write_site(&kept, files).unwrap();
        let mut g = group(c, "write");
        g.bench_function("fresh", |b| {
            b.iter_batched(
                || remove(&fresh),
                |()| svcguide::output::write_site(&fresh, files).unwrap(),
                BatchSize::PerIteration,
            )
        });
        g.bench_function("unchanged", |b| {
            b.iter(|| svcguide::output::write_site(&kept, files).unwrap())
        });
        g.finish();
    }

    {
        let mut g = group(c, "site_build");
        // A few hundred milliseconds per build at 1,000 articles: a longer window.
        g.measurement_time(Duration::from_secs(6));
        g.bench_function("site_build", |b| {
            b.iter(|| svcguide::site::build(black_box(cfg)).unwrap())
        });
        g.finish();
    }
}

fn remove(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
