//! `feed.xml` (Atom 1.0, newest first), `sitemap.xml` and `robots.txt`, with
//! absolute URLs from `base_url`. The feed and the sitemap are templates (built
//! in, overridable by name like the others); their contexts carry plain text,
//! escaped by the templates' `xml` filter.

use anyhow::Result;
use serde::Serialize;

use crate::config::Config;
use crate::date::PostDate;
use crate::guide::Guide;
use crate::url::absolute;

use super::escape::xml;

/// An id for an entry: its absolute URL when `base_url` makes one, else a URN
/// (Atom ids must be absolute IRIs).
fn entry_id(config: &Config, path: &str, slug: &str) -> String {
    let url = absolute(&config.base_url, path);
    if url.contains("://") {
        url
    } else {
        format!("urn:svcguide:{}", slug)
    }
}

#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    /// The day an article was posted, when its date reads as one.
    lastmod: Option<String>,
}

/// `sitemap.xml` (template `sitemap.xml`): the home page, every view and every
/// article.
pub fn sitemap(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<String> {
    #[derive(Serialize)]
    struct Ctx {
        urls: Vec<SitemapUrl>,
    }
    let url = |path: &str, date: Option<PostDate>| SitemapUrl {
        loc: absolute(&config.base_url, path),
        lastmod: date.map(|d| d.day().to_string()),
    };
    let mut urls = vec![url("", None)];
    urls.extend(super::sitemap_paths(guide).iter().map(|p| url(p, None)));
    urls.extend(guide.pages.iter().map(|p| url(&p.out_path, p.date)));
    // About 100 bytes a URL.
    render(tera, "sitemap.xml", &Ctx { urls }, guide.pages.len() * 100)
}

/// How many articles the feed carries: readers poll it, so it stays small
/// however large the guide grows (the sitemap lists everything).
pub const FEED_ENTRIES: usize = 100;

#[derive(Serialize)]
struct FeedEntry<'a> {
    title: &'a str,
    url: String,
    id: String,
    /// RFC 3339, in the zone the article was written in.
    date: String,
    author: Option<&'a str>,
    /// Tag slugs.
    categories: Vec<String>,
    summary: Option<&'a str>,
}

#[derive(Serialize)]
struct FeedCtx<'a> {
    title: &'a str,
    id: String,
    home: String,
    self_url: String,
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

/// The Atom feed (template `feed.xml`) of the newest dated articles, newest first.
pub fn atom(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<String> {
    let mut dated: Vec<(PostDate, usize)> = guide
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.date?, i)))
        .collect();
    dated.sort_by(|a, b| {
        b.0.instant()
            .cmp(&a.0.instant())
            .then_with(|| guide.pages[a.1].out_path.cmp(&guide.pages[b.1].out_path))
    });
    dated.truncate(FEED_ENTRIES);
    let entries: Vec<FeedEntry> = dated
        .iter()
        .map(|(date, i)| {
            let p = &guide.pages[*i];
            FeedEntry {
                title: &p.title,
                url: absolute(&config.base_url, &p.out_path),
                id: entry_id(config, &p.out_path, &p.slug),
                date: date.rfc3339(),
                author: p.fm.author.as_deref().filter(|a| !a.trim().is_empty()),
                categories: p
                    .fm
                    .tags
                    .iter()
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| super::tags::tag_slug(t))
                    .collect(),
                summary: p
                    .fm
                    .excerpt
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty()),
            }
        })
        .collect();
    let home = absolute(&config.base_url, "");
    let ctx = FeedCtx {
        title: &config.title,
        id: if home.contains("://") {
            home.clone()
        } else {
            "urn:svcguide:feed".to_string()
        },
        self_url: absolute(&config.base_url, "feed.xml"),
        updated: entries
            .first()
            .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |e| e.date.clone()),
        home,
        entries,
    };
    render(tera, "feed.xml", &ctx, 64 * 1024)
}

fn render<C: Serialize>(
    tera: &tera::Tera,
    template: &str,
    ctx: &C,
    expected: usize,
) -> Result<String> {
    let ctx = tera::Context::from_serialize(ctx)
        .map_err(|e| anyhow::anyhow!("{template}: {}", super::article::tera_error(&e)))?;
    super::article::render_sized(tera, template, &ctx, expected)
        .map_err(|e| anyhow::anyhow!("{template}: {}", super::article::tera_error(&e)))
}

/// Tera's `xml` filter: text escaped by [`xml`] (which also drops the
/// characters XML forbids) and marked safe, so autoescape leaves it alone.
pub fn xml_filter(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    match value.as_str() {
        Some(s) => tera::Value::safe_string(&xml(s)),
        None => tera::Value::safe_string(&xml(&value.to_string())),
    }
}

/// robots.txt: everything may be crawled; the sitemap's URL when the base URL
/// makes it absolute (crawlers take only a full URL there; a site without a
/// base URL may be served from any host and folder).
pub fn robots(config: &Config) -> String {
    let sitemap = absolute(&config.base_url, "sitemap.xml");
    if sitemap.contains("://") {
        format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")
    } else {
        "User-agent: *\nAllow: /\n".to_string()
    }
}
