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
//! * `templates` — `views::article::load_templates`: parsing the built-in Tera templates.
//! * `load` — `load::load(content)`: walking the content folder, reading every
//!   file (from the page cache after the first run) and parsing front matter,
//!   sections and the typed service facts, in parallel.
//! * `model` — `guide::Guide::build`: the model (paths, ids, the service graph)
//!   from the loaded pages; the pages are cloned outside the timing. And
//!   `guide_rebuild_after_deletion`: `Guide::build_after` as `serve` calls it
//!   when an article is deleted, links carried over from the previous guide.
//! * `render_pages` — `views::article::render_pages`: Markdown, highlighting and the
//!   `page.html` template for every article, in parallel.
//! * `index_export` — `views::article::render_index` (the home page),
//!   `export::to_json` (services.json), and all of them together with the 404
//!   page and the sitemap, as the build's `head_files` does.
//! * `views` — `views::render`: the per-Windows-version tables, processes,
//!   graph, tags and feed pages.
//! * `search` — `docs`: the `SearchDoc` of every rendered article
//!   (`site::search_doc`); `index`: `search::build`, the prebuilt lunr index and
//!   doc store.
//! * `checks` — `graph` (`check::graph::check`), `html_facts` (what the build
//!   keeps of each HTML file as it streams it out: ids and template links,
//!   `check::output::HtmlFacts::of`), `links` (`check::links::check`), `output`
//!   (`check::output::check` on the facts), and all of them in a row.
//! * `write` — `output::write_site` of the built files into a fresh folder
//!   (`fresh`) and over an identical earlier output (`unchanged`, where files are
//!   hard-linked from the old site).
//! * `site_build` — the whole `site::build(&config)` in memory (templates to
//!   checks, without writing).
//!
//! Not timed separately: the Liquid diagnostics, only part of `site_build`.
//!
//! Run it with `nice cargo bench --bench stages` (1,000 articles: about a minute
//! and a half on two cores once built), one group with
//! `nice cargo bench --bench stages -- render_pages`, or at 10,000 articles with
//! `SVCGUIDE_BENCH_N=10000 nice cargo bench --bench stages` (ten times the
//! work per iteration; criterion warns that it stretches the 3 s windows to
//! take its 10 samples, which is expected). Reports land in `target/criterion`.

use rustc_hash::FxHashSet;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};

use svcguide::check::output::HtmlFacts;
use svcguide::config::Config;
use svcguide::guide::Guide;
use svcguide::search::SearchDoc;
use svcguide::views::article::RenderedPage;

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
    facts: Vec<HtmlFacts>,
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
        let tera =
            svcguide::views::article::load_templates(&config.resolve(&config.templates)).unwrap();
        let loaded = svcguide::load::load(&content);
        let mut diags = loaded.diags.clone();
        let guide = Guide::build(
            loaded.pages.clone(),
            loaded.assets.clone(),
            config.drafts,
            &mut diags,
        );
        let pages = svcguide::views::article::render_pages(&tera, &config, &guide).unwrap();
        let docs = search_docs(&guide, &pages);
        let site = svcguide::site::build(&config).unwrap();
        let facts = html_facts(&site);
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
            facts,
        }
    }

    fn content(&self) -> std::path::PathBuf {
        self.config.resolve(&self.config.content)
    }
}

/// The search documents of the rendered pages, as the build makes them.
fn search_docs(guide: &Guide, pages: &[RenderedPage]) -> Vec<SearchDoc> {
    pages
        .iter()
        .map(|p| svcguide::site::search_doc(guide, p))
        .collect()
}

/// What the output check keeps of each HTML file, as the build takes it.
fn html_facts(site: &svcguide::site::Site) -> Vec<HtmlFacts> {
    let by_path: HashMap<&str, &RenderedPage> = site
        .pages
        .iter()
        .map(|p| (site.guide.pages[p.index].out_path.as_str(), p))
        .collect();
    site.files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| {
            let from = by_path
                .get(f.path.as_str())
                .map(|p| svcguide::site::content_urls(&f.path, p));
            HtmlFacts::of(&f.path, &f.bytes, from.as_ref())
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
            b.iter(|| svcguide::views::article::load_templates(black_box(&dir)).unwrap())
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
        // What `serve` does when an article is deleted: the guide again from the
        // other pages, links carried over from the previous guide.
        let gone = fx.guide.services[fx.guide.services.len() / 2];
        g.bench_function("guide_rebuild_after_deletion", |b| {
            b.iter_batched(
                || {
                    let mut pages = fx.guide.pages.clone();
                    pages.remove(gone);
                    pages
                },
                |pages| {
                    let old = &fx.guide;
                    let kept = |p: &svcguide::page::Page, i: usize| {
                        i != gone && old.pages[i].src.rel == p.src.rel
                    };
                    let previous = svcguide::guide::Previous {
                        guide: old,
                        kept: &kept,
                    };
                    let mut diags = Vec::new();
                    let built = Guide::build_after(
                        pages,
                        fx.loaded.assets.clone(),
                        cfg.drafts,
                        &mut diags,
                        Some(previous),
                    );
                    (built, diags)
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    {
        let mut g = group(c, "render_pages");
        g.bench_function("render_pages", |b| {
            b.iter(|| svcguide::views::article::render_pages(&fx.tera, cfg, &fx.guide).unwrap())
        });
        g.finish();
    }

    {
        let mut g = group(c, "index_export");
        g.bench_function("render_index", |b| {
            b.iter(|| svcguide::views::article::render_index(&fx.tera, cfg, &fx.guide).unwrap())
        });
        g.bench_function("export_json", |b| {
            b.iter(|| svcguide::export::to_json(&fx.guide, &cfg.title))
        });
        g.bench_function("head_files", |b| {
            b.iter(|| {
                (
                    svcguide::views::article::render_index(&fx.tera, cfg, &fx.guide).unwrap(),
                    svcguide::views::article::render_404(&fx.tera, cfg).unwrap(),
                    svcguide::views::feed::sitemap(&fx.tera, cfg, &fx.guide).unwrap(),
                    svcguide::export::to_json(&fx.guide, &cfg.title),
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
        g.bench_function("html_facts", |b| b.iter(|| html_facts(black_box(site))));
        let paths: FxHashSet<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
        g.bench_function("links", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                let ids = svcguide::check::output::ids_of(&fx.facts);
                svcguide::check::links::check(&site.guide, &site.pages, &ids, &paths, &mut diags);
                diags
            })
        });
        g.bench_function("output", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                let ids = svcguide::check::output::ids_of(&fx.facts);
                svcguide::check::output::check(&fx.facts, &ids, &paths, &base, &mut diags);
                diags
            })
        });
        g.bench_function("all", |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                svcguide::check::graph::check(&site.guide, &mut diags);
                let facts = html_facts(site);
                let ids = svcguide::check::output::ids_of(&facts);
                svcguide::check::links::check(&site.guide, &site.pages, &ids, &paths, &mut diags);
                svcguide::check::output::check(&facts, &ids, &paths, &base, &mut diags);
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
