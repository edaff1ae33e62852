//! The build pipeline: load → model → render → (check) → files. Shared by
//! `build` and `check`; only `build` writes the result to disk.

use rustc_hash::FxHashSet;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Result;
use rayon::prelude::*;

use crate::check::output::HtmlFacts;
use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;
use crate::output::{OutFile, Sink};
use crate::views::article::RenderedPage;

/// Built-in theme assets; a file of the same name in the theme folder wins.
const THEME: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../theme/style.css")),
    ("search.js", include_bytes!("../theme/search.js")),
    ("lunr.js", include_bytes!("../theme/lunr.js")),
    ("lunr.LICENSE", include_bytes!("../theme/lunr.LICENSE")),
    ("tables.js", include_bytes!("../theme/tables.js")),
    ("graph.js", include_bytes!("../theme/graph.js")),
    ("favicon.svg", include_bytes!("../theme/favicon.svg")),
    ("impact.js", include_bytes!("../theme/impact.js")),
];

pub struct Site {
    pub guide: Guide,
    /// The files, sorted by path, when built with [`build`]; empty when they
    /// went to another sink.
    pub files: Vec<OutFile>,
    pub diags: Vec<Diagnostic>,
    /// What each article page links to. Its HTML has gone to the sink and its
    /// text to the search index: both fields are empty here.
    pub pages: Vec<RenderedPage>,
    /// Bytes of the search index and doc store (0 when search is off).
    pub search_bytes: usize,
}

pub use crate::views::Work;

/// Loads, renders and checks the guide in memory.
pub fn build(config: &Config) -> Result<Site> {
    let memory = crate::output::Memory::default();
    let mut site = build_into(config, &memory, Work::Everything)?;
    site.files = memory.into_files();
    Ok(site)
}

/// Loads, renders and checks the guide, handing each file to `sink` as soon as
/// it is made (so a build to disk never holds the whole site in memory).
///
/// The stages, in order: load (templates beside the articles), model, render
/// (the article pages beside everything that only reads the model), the
/// files that must come last, then the search index beside the checks.
pub fn build_into(config: &Config, sink: &dyn Sink, work: Work) -> Result<Site> {
    let content = content_folder(config)?;
    let mut clock = crate::timing::Stopwatch::new();
    let (tera, loaded) = load(config, &content)?;
    clock.lap("templates+load+parse");
    let mut diags = loaded.diags;
    let mut guide = model(config, &content, loaded.pages, loaded.assets, &mut diags)?;
    guide.unpublished.note_unreadable(&loaded.unreadable);
    clock.lap("model");
    let collector = Collector::new(sink);
    let (rendered, from_model) = rayon::join(
        || render_articles(&tera, config, &guide, work, &collector),
        || render_from_model(&tera, config, &guide, work, &collector),
    );
    diags.extend(from_model?);
    let (pages, search) = rendered?;
    clock.lap("render pages");
    // From here on, buffers of megabytes (the search files) while the pages' die.
    let _at_once = crate::memory::purge_at_once();
    last_files(config, &content, &guide, work, &collector, &mut diags)?;
    let (paths, html) = collector.into_facts();
    // The search files hold no links: the index is finished (and the site
    // closed) while the checks run.
    let (published, (found, placeholders)) = rayon::join(
        || publish_search(config, &guide, search, sink),
        || check_output(config, &guide, &pages, paths, html),
    );
    let (search_bytes, too_big) = published?;
    diags.extend(too_big);
    diags.extend(found);
    clock.lap("search+checks");
    // A placeholder replaces the other findings on its line.
    crate::check::placeholders::add_placeholders(placeholders, &mut diags);
    config.apply_levels(&mut diags);
    crate::diag::normalise(&mut diags);
    Ok(Site {
        guide,
        files: Vec::new(),
        diags,
        pages,
        search_bytes,
    })
}

/// The configured content folder, which must exist.
fn content_folder(config: &Config) -> Result<std::path::PathBuf> {
    let content = config.resolve(&config.content);
    if !content.is_dir() {
        anyhow::bail!(
            "content folder {} does not exist or is not a folder",
            content.display()
        );
    }
    Ok(content)
}

/// Reads the templates and the articles. Parsing the templates is one
/// thread's work: it goes on beside the articles'.
fn load(config: &Config, content: &Path) -> Result<(tera::Tera, crate::load::Loaded)> {
    let (tera, loaded) = rayon::join(
        || crate::views::article::load_templates(&config.resolve(&config.templates)),
        || crate::load::load(content),
    );
    let tera = tera?;
    if loaded.pages.is_empty() && !loaded.diags.iter().any(|d| d.code.stops_page()) {
        // Almost always a wrong --content or `content` setting, not a real guide.
        anyhow::bail!(
            "content folder {} holds no article (no .md file); is it the right folder?",
            content.display()
        );
    }
    Ok((tera, loaded))
}

/// The model, from the parsed articles and every asset (content and static folders).
fn model(
    config: &Config,
    content: &Path,
    pages: Vec<crate::page::Page>,
    mut assets: Vec<crate::load::Asset>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Guide> {
    for dir in config.static_folders()? {
        assets.extend(crate::load::discover_static(&dir, content, diags));
    }
    Ok(Guide::build(pages, assets, config.drafts, diags))
}

/// Everything that only reads the model: the home, 404 and data files, the
/// views, and the graph checks (whose diagnostics come back). The files of
/// megabytes are made one after another, beside the small ones and the article
/// pages (see [`crate::views::run`]).
fn render_from_model(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
    work: Work,
    collector: &Collector,
) -> Result<Vec<Diagnostic>> {
    let emit: &crate::views::Emit = &|f: OutFile| collector.put(f.path, f.bytes, None);
    let (mut big, mut small) = head_jobs(tera, config, guide, work, collector, emit);
    let (views_big, views_small) = crate::views::jobs(tera, config, guide, work, emit);
    big.extend(views_big);
    small.extend(views_small);
    let mut made = Ok(());
    let mut found = Vec::new();
    rayon::scope(|s| {
        s.spawn(|_| made = crate::views::run(&big, &small));
        crate::check::graph::check(guide, &mut found);
    });
    made?;
    Ok(found)
}

fn put_all(collector: &Collector, files: Result<Vec<OutFile>>) -> Result<()> {
    files?
        .into_par_iter()
        .try_for_each(|f| collector.put(f.path, f.bytes, None))
}

/// The files made once every page is: the theme, the search files' paths, and
/// the copied assets. Copied last, once every generated path is known: no file
/// copied as it is may take the place of one svcguide made.
fn last_files(
    config: &Config,
    content: &Path,
    guide: &Guide,
    work: Work,
    collector: &Collector,
    diags: &mut Vec<Diagnostic>,
) -> Result<()> {
    put_all(collector, theme_files(&config.resolve(&config.theme)))?;
    // The checks need only the search files' paths; they are written later.
    if config.search.enabled {
        collector.declare(SEARCH_FILES.iter().map(|p| p.to_string()));
    }
    let assets = crate::copied::admit(guide, config, content, &collector.taken(), diags);
    assets.into_par_iter().try_for_each(|asset| {
        if work == Work::Checks && !asset.rel.ends_with(".html") {
            // Only the path matters to the checks: the bytes are not read.
            collector.declare(std::iter::once(asset.rel.clone()));
            return Ok(());
        }
        collector.put(asset.rel.clone(), std::fs::read(&asset.path)?, None)
    })
}

/// Finishes the search index (when the pages gave terms), writes its files
/// and closes the sink: the bytes written, and a warning over the budget.
fn publish_search(
    config: &Config,
    guide: &Guide,
    search: Option<SearchTerms>,
    sink: &dyn Sink,
) -> Result<(usize, Option<Diagnostic>)> {
    let mut made = (0, None);
    if let Some((indexer, mut prepared)) = search {
        // Processes and svchost groups are results too.
        let hosts = crate::views::processes::search_docs(guide);
        prepared.extend(hosts.iter().map(|d| indexer.prepare(d)));
        let (files, too_big) = search_files(config, indexer.finish(prepared));
        made = (files.iter().map(|f| f.bytes.len()).sum(), too_big);
        for f in files {
            sink.put(f)?;
        }
    }
    sink.close()?;
    Ok(made)
}

/// The checks of the made site: Liquid tags, links and fragments in the
/// articles and in the output; and, apart, the placeholders left in.
fn check_output(
    config: &Config,
    guide: &Guide,
    pages: &[RenderedPage],
    paths: Vec<String>,
    html: Vec<HtmlFacts>,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (found, placeholders) = rayon::join(
        || {
            let mut found = liquid_diags(guide, pages);
            let ids = crate::check::output::ids_of(&html);
            let paths: FxHashSet<&str> = paths.iter().map(String::as_str).collect();
            crate::check::links::check(guide, pages, &ids, &paths, &mut found);
            let base = config.base_path();
            crate::check::output::check(&html, &ids, &paths, &base, &mut found);
            found
        },
        || crate::check::placeholders::placeholders(guide),
    );
    // Hundreds of thousands of small strings: freed on a pool thread
    // rather than on this one, which has the report to write.
    rayon::spawn(move || drop((paths, html)));
    (found, placeholders)
}

/// Liquid tags the article texts hold that the repairs did not understand,
/// and HTML comments and elements they never close.
fn liquid_diags(guide: &Guide, pages: &[RenderedPage]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for p in pages {
        let src = &guide.pages[p.index].src;
        let mut found = |code, offset, message: String, help: String| {
            diags.push(Diagnostic::at(code, src, offset, message).help(help));
        };
        for (offset, tag) in &p.unknown_liquid {
            found(
                Code::LiquidUnknown,
                *offset,
                format!("Liquid tag `{tag}` is not understood"),
                "only `{{ 'path' | relative_url }}` is supported; the tag is shown as written"
                    .into(),
            );
        }
        for &offset in &p.unclosed_comments {
            found(
                Code::HtmlCommentUnclosed,
                offset,
                "this HTML comment is never closed: browsers hide everything after it".into(),
                "close it with `-->`; the page ends the comment at the end of this text meanwhile"
                    .into(),
            );
        }
        for (offset, name) in &p.unclosed_tags {
            found(
                Code::HtmlUnclosed,
                *offset,
                format!("`<{name}>` is never closed: a browser would keep it open over what follows"),
                format!("close it with `</{name}>`; where the page shows this text, it closes it at the text's end meanwhile"),
            );
        }
    }
    diags
}

/// The search index's share of the article pages: the indexer and each page's terms.
type SearchTerms = (crate::search::Indexer, Vec<crate::search::Prepared>);

/// The article pages, each handed to the collector as it is made. With the
/// search index on, each page's search terms are taken as it is rendered, so
/// no page's HTML or text outlives its turn.
fn render_articles(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
    work: Work,
    collector: &Collector,
) -> Result<(Vec<RenderedPage>, Option<SearchTerms>)> {
    let indexer =
        (config.search.enabled && work == Work::Everything).then(crate::search::Indexer::default);
    let (pages, prepared): (Vec<RenderedPage>, Vec<_>) = (0..guide.pages.len())
        .into_par_iter()
        .map(|i| {
            let mut page = crate::views::article::render_page(tera, config, guide, i)?;
            let path = &guide.pages[i].out_path;
            let html = std::mem::take(&mut page.html).into_bytes();
            collector.put(path.clone(), html, Some(&content_urls(path, &page)))?;
            let text = std::mem::take(&mut page.text);
            let prepared = indexer
                .as_ref()
                .map(|ix| ix.prepare(&search_doc_of(guide, i, text)));
            Ok((page, prepared))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    Ok((
        pages,
        indexer.map(|ix| (ix, prepared.into_iter().flatten().collect())),
    ))
}

/// Passes files on to the sink, keeping what the checks need of them: every
/// path, and the facts of each HTML file.
struct Collector<'a> {
    sink: &'a dyn Sink,
    paths: Mutex<Vec<String>>,
    html: Mutex<Vec<HtmlFacts>>,
}

impl<'a> Collector<'a> {
    fn new(sink: &'a dyn Sink) -> Self {
        Collector {
            sink,
            paths: Mutex::default(),
            html: Mutex::default(),
        }
    }

    /// `from_content`: for an article page, the URLs its text produced.
    fn put(
        &self,
        path: String,
        bytes: Vec<u8>,
        from_content: Option<&FxHashSet<String>>,
    ) -> Result<()> {
        if path.ends_with(".html") {
            let facts = HtmlFacts::of(&path, &bytes, from_content);
            self.html
                .lock()
                .expect("no panic while pushing")
                .push(facts);
        }
        self.paths
            .lock()
            .expect("no panic while pushing")
            .push(path.clone());
        self.sink.put(OutFile { path, bytes })
    }

    /// Paths of files this run does not make but the site has.
    fn declare(&self, paths: impl Iterator<Item = String>) {
        self.paths
            .lock()
            .expect("no panic while pushing")
            .extend(paths);
    }

    /// Every path handed on or declared so far.
    fn taken(&self) -> FxHashSet<String> {
        let paths = self.paths.lock().expect("no panic while pushing");
        paths.iter().cloned().collect()
    }

    /// Paths and HTML facts, sorted by path (the checks report in that order).
    fn into_facts(self) -> (Vec<String>, Vec<HtmlFacts>) {
        let mut paths = self.paths.into_inner().expect("no panic while pushing");
        let mut html = self.html.into_inner().expect("no panic while pushing");
        paths.sort();
        html.sort_by(|a, b| a.path.cmp(&b.path));
        (paths, html)
    }
}

/// The jobs of the home page, the 404 page, the sitemap and services.json
/// (the last two only declared when the run is for the checks): services.json,
/// tens of megabytes, is the big one.
fn head_jobs<'a>(
    tera: &'a tera::Tera,
    config: &'a Config,
    guide: &'a Guide,
    work: Work,
    collector: &Collector,
    emit: &'a crate::views::Emit,
) -> (Vec<crate::views::Job<'a>>, Vec<crate::views::Job<'a>>) {
    let page = |path: &str, bytes: Result<String>| -> Result<()> {
        emit(OutFile {
            path: path.into(),
            bytes: bytes?.into_bytes(),
        })
    };
    let mut big: Vec<crate::views::Job> = Vec::new();
    let mut small: Vec<crate::views::Job> = vec![
        Box::new(move || {
            page(
                "index.html",
                crate::views::article::render_index(tera, config, guide),
            )
        }),
        Box::new(move || page("404.html", crate::views::article::render_404(tera, config))),
    ];
    if work == Work::Everything {
        big.push(Box::new(move || {
            let json = crate::export::to_json(guide, &config.title);
            page(DATA_FILES[1], Ok(json))
        }));
        small.push(Box::new(move || {
            page(
                DATA_FILES[0],
                crate::views::feed::sitemap(tera, config, guide),
            )
        }));
    } else {
        // Data files hold no links to check: only their paths matter.
        collector.declare(DATA_FILES.iter().map(|p| p.to_string()));
    }
    (big, small)
}

/// The sitemap and services.json.
const DATA_FILES: [&str; 2] = ["sitemap.xml", "services.json"];

/// The full lunr index, the names index and the doc store.
const SEARCH_FILES: [&str; 3] = ["search-index.js", "search-names.js", "search-docs.js"];

/// The prebuilt lunr index and doc store, and a warning when they exceed the budget.
fn search_files(
    config: &Config,
    built: crate::search::SearchFiles,
) -> (Vec<OutFile>, Option<Diagnostic>) {
    let size = (built.index_js.len() + built.names_js.len() + built.docs_js.len()) as u64;
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
            path: SEARCH_FILES[0].into(),
            bytes: built.index_js.into_bytes(),
        },
        OutFile {
            path: SEARCH_FILES[1].into(),
            bytes: built.names_js.into_bytes(),
        },
        OutFile {
            path: SEARCH_FILES[2].into(),
            bytes: built.docs_js.into_bytes(),
        },
    ];
    (files, too_big)
}

/// The search document of one rendered page.
pub fn search_doc(guide: &Guide, rendered: &RenderedPage) -> crate::search::SearchDoc {
    search_doc_of(guide, rendered.index, rendered.text.clone())
}

/// The search document of page `index`, whose rendered text is `text`.
fn search_doc_of(guide: &Guide, index: usize, text: String) -> crate::search::SearchDoc {
    let page = &guide.pages[index];
    let mut doc =
        crate::search::SearchDoc {
            slug: page.slug.clone(),
            title: page.title.clone(),
            excerpt: page.fm.excerpt.clone().unwrap_or_else(|| {
                crate::text::truncate_words(&text, crate::search::EXCERPT_CHARS)
            }),
            body: text,
            url: page.out_path.clone(),
            ..Default::default()
        };
    if let Some(s) = page.service() {
        doc.kind = crate::search::DocKind::Service;
        doc.names = s.names.clone();
        for p in s.processes.iter().filter_map(|i| i.value.as_ref()) {
            if let Some(image) = &p.image {
                if !doc.images.contains(image) {
                    doc.images.push(image.clone());
                }
                let line = match &p.args {
                    Some(args) => format!("{image} {args}"),
                    None => image.clone(),
                };
                if !doc.processes.iter().any(|l| l.eq_ignore_ascii_case(&line)) {
                    doc.processes.push(line);
                }
            }
            if let Some(group) = &p.group {
                if !doc.groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
                    doc.groups.push(group.clone());
                }
            }
        }
        doc.recommended = crate::search::recommendations(&s.recommended);
        // A service's excerpt is the start of its description: the export's
        // excerpts say only "Description and recommended settings for …".
        if !doc.body.trim().is_empty() {
            doc.excerpt = crate::text::truncate_words(&doc.body, crate::search::EXCERPT_CHARS);
        }
        // The words the page shows after its states ("vital part", "if in a
        // Workgroup") are found like its description's. The state words and
        // their qualifiers (`Delayed Start`), on thousands of pages, would
        // only add weight: the per-version tables list those.
        for item in s.recommended.iter().chain(&s.default) {
            let words = match &item.value {
                Some(v) => v.condition.as_deref(),
                None => Some(item.raw_value.as_str()),
            };
            if let Some(text) = words {
                doc.body.push(' ');
                doc.body.push_str(&crate::markdown::plain_text(text));
            }
        }
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

/// The URLs that article text put into a page, which the output check leaves to
/// the content check: Markdown links as rewritten, raw HTML links as written.
pub fn content_urls(from: &str, page: &RenderedPage) -> FxHashSet<String> {
    let mut urls = FxHashSet::default();
    for l in &page.links {
        if l.dest.starts_with('/') && !l.dest.starts_with("//") {
            urls.insert(crate::url::relative(from, &l.dest));
        }
        urls.insert(l.dest.clone());
    }
    urls
}
