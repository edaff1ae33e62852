//! Pages to HTML with tera. Templates get small typed contexts built from the
//! model (never raw maps); Markdown is rendered once per page, in parallel.

use std::path::Path;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::date::PostDate;
use crate::guide::Guide;
use crate::markdown::{plain_text, Fragment, Link, Renderer};
use crate::page::Page;
use crate::service::availability::{assumed_on, items_on, Availability, Source};
use crate::service::os::OsScope;
use crate::service::refs::RefList;
use crate::service::state::StateValue;
use crate::service::{Item, Service};
use crate::url::relative;

/// Built-in templates; a file of the same name in the templates folder wins.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("service.html", include_str!("../../templates/service.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

pub fn load_templates(dir: &Path) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    // One escaping for templates and the lists the views write in Rust.
    tera.set_escape_fn(crate::views::escape::html_to);
    tera.autoescape_on([".html", ".xml"]);
    tera.register_filter("safe", safe);
    tera.register_filter("xml", crate::views::feed::xml_filter);
    let mut sources: Vec<(String, String)> = Vec::new();
    for (name, builtin) in TEMPLATES.iter().chain(crate::views::TEMPLATES) {
        let custom = dir.join(name);
        let text = if custom.is_file() {
            std::fs::read_to_string(&custom)
                .with_context(|| format!("cannot read {}", custom.display()))?
        } else {
            builtin.to_string()
        };
        sources.push((name.to_string(), text));
    }
    tera.add_raw_templates(sources)
        .map_err(|e| anyhow::anyhow!("template error: {}", tera_error(&e)))?;
    Ok(tera)
}

/// Tera's `safe`, without its copy: a string is marked safe where it stands
/// (tera's own filter copies it, and pages pass their whole body through it).
/// Anything else is printed first, as tera's filter does.
fn safe(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.is_string() {
        value.clone().mark_safe()
    } else {
        tera::Value::safe_string(&value.to_string())
    }
}

/// `tera.render` into a buffer of the expected size: growing a page-sized
/// string by doubling costs copies and fresh memory for every page.
pub fn render_sized(
    tera: &tera::Tera,
    template: &str,
    ctx: &tera::Context,
    expected: usize,
) -> tera::TeraResult<String> {
    let mut out = Vec::with_capacity(expected);
    tera.render_to(template, ctx, &mut out)?;
    // Tera writes only the UTF-8 of its templates and values.
    String::from_utf8(out).map_err(|e| tera::Error::message(e.to_string()))
}

/// Tera hides the cause of an error in its source chain. Located errors come as
/// a report (message, `--> template:line:col`, the line marked) that starts with
/// its own `error: `, which the caller already says.
pub fn tera_error(e: &tera::Error) -> String {
    let text = e.to_string();
    let mut msg = text.strip_prefix("error: ").unwrap_or(&text).to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// What `base.html` needs to know about the site.
type SiteView<'a> = crate::views::SiteCtx<'a>;

#[derive(Serialize)]
struct LinkView {
    title: String,
    url: String,
}

/// A service whose Depends list links here, with the versions it says.
#[derive(Serialize)]
struct RequiredRow {
    title: String,
    url: String,
    qualifier: Option<String>,
}

#[derive(Serialize)]
struct StateRow {
    label: Option<String>,
    os: String,
    state: Option<&'static str>,
    state_label: Option<String>,
    condition_html: Option<String>,
    /// The author's text, shown when the value could not be typed.
    raw_html: String,
}

/// One row of a service page's default-state table: a version the service
/// exists on, every item that holds there, and where its presence comes from.
#[derive(Serialize)]
struct OsCell {
    os: &'static str,
    id: &'static str,
    /// `stated`, `labelled`, `described`, `related` or `inferred`.
    source: &'static str,
    /// What the source means, for a tooltip.
    source_text: &'static str,
    /// The version is known only from another article's relation, and the
    /// state shown is this article's unlabelled item: assumed to hold there,
    /// which the page marks as an inference.
    assumed: bool,
    variants: Vec<OsVariant>,
}

#[derive(Serialize)]
struct OsVariant {
    /// Editions or service pack the item's label names (`Pro`, `SP2+`).
    note: Option<String>,
    state: Option<&'static str>,
    text: String,
    /// Free text after the state (`if in a Workgroup`): variants of one
    /// version often differ only by it.
    condition: Option<String>,
}

#[derive(Serialize)]
struct ProcessRow {
    os: String,
    image: Option<String>,
    args: Option<String>,
    group: Option<String>,
    name: Option<String>,
    note: Option<String>,
    link: Option<String>,
    raw_html: String,
    typed: bool,
}

#[derive(Serialize, Clone)]
struct RefRow {
    name: String,
    url: Option<String>,
    exists: bool,
    qualifier: Option<String>,
    raw_html: String,
}

#[derive(Serialize)]
struct RefsView {
    kind: &'static str,
    items: Vec<RefRow>,
}

#[derive(Serialize)]
struct ServiceView {
    names: Vec<String>,
    recommended: Vec<StateRow>,
    default: Vec<StateRow>,
    by_os: Vec<OsCell>,
    /// Said under the table when a version rests on inference.
    inferred_note: Option<String>,
    /// Whether a row's state is assumed (see `OsCell::assumed`): the table's
    /// note says what that means.
    assumed_rows: bool,
    processes: Vec<ProcessRow>,
    depends: RefsView,
    supports: RefsView,
    required_by: Vec<RequiredRow>,
    /// The article's own Supports items that "Required by" does not show:
    /// services whose articles do not list this one back, and names without
    /// an article. Never dropped for being one-sided.
    supports_more: Vec<RefRow>,
    impact: ImpactView,
    strays_html: Vec<String>,
}

/// "Disabling this service also stops": a count and the nearest services, never
/// the whole set (on a long chain of dependencies that set is most of the guide,
/// on every page). `theme/impact.js` lists the rest from `graph-data.js`.
#[derive(Serialize)]
struct ImpactView {
    /// Every service that stops with this one.
    count: usize,
    /// Of those, the ones in "Required by".
    direct: usize,
    /// The others in "Required by": their links are all Unofficial, and
    /// stop nothing.
    not_counted: usize,
    /// The nearest of the others, by depth then title (the depths are left to
    /// `theme/impact.js`'s full list: a label per item doubled the block).
    nearest: Vec<LinkView>,
    /// The others not in `nearest`.
    unlisted: usize,
    /// The page's key in `graph-data.js` (its output path).
    key: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    site: SiteView<'a>,
    title: &'a str,
    canonical: String,
    /// The post date.
    date: Option<String>,
    date_iso: Option<&'a str>,
    /// From `updated` or `last_modified_at`, when the front matter has one.
    updated: Option<String>,
    updated_iso: Option<&'a str>,
    /// For the meta description: the excerpt, else the start of the text.
    description: String,
    tags: &'a [String],
    body_html: String,
    /// Whether the body holds a code block, the only thing `syntax.css` styles
    /// (most articles have none, and the link was 45 bytes on each page).
    has_code: bool,
    service: Option<ServiceView>,
    tag_links: Vec<crate::views::LinkCtx>,
}

/// A rendered page with the links it holds (for the checker).
pub struct RenderedPage {
    pub index: usize,
    pub html: String,
    pub links: Vec<Link>,
    pub heading_ids: Vec<String>,
    pub text: String,
    pub unknown_liquid: Vec<(usize, String)>,
    /// Where the article opens an HTML comment it never closes (offsets).
    pub unclosed_comments: Vec<usize>,
    /// Elements its raw HTML opens and never closes: (offset of the `<`, name).
    pub unclosed_tags: Vec<(usize, String)>,
}

/// The versions of a label with what else it names: `XP Pro`, `2000 SP4+`,
/// `NT4 +IE4`, `Vista+` (a process can differ by edition or add-on).
fn scope_text_full(scope: &OsScope) -> String {
    scope
        .0
        .iter()
        .map(|t| {
            let mut s = t.family.short().to_string();
            if !t.editions.is_empty() {
                s.push(' ');
                s.push_str(&t.editions.join("/"));
            }
            if let Some(sp) = t.sp {
                s.push_str(&format!(" SP{sp}"));
            }
            if t.and_later {
                s.push('+');
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn scope_text(scope: &OsScope) -> String {
    scope
        .families()
        .iter()
        .map(|f| f.short())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a list item's value (inline Markdown) at its place in the source.
fn inline_value<T>(r: &mut Renderer, page: &Page, item: &Item<T>, frag: &mut Fragment) -> String {
    // The value is the whole item or follows its label: no search for those.
    let at = if item.raw.starts_with(&item.raw_value) {
        Some(0)
    } else if item.raw.ends_with(&item.raw_value) {
        Some(item.raw.len() - item.raw_value.len())
    } else {
        item.raw.find(&item.raw_value)
    };
    let start = item.offset + at.unwrap_or(0);
    let end = (start + item.raw_value.len()).min(page.src.text.len());
    // Continuation lines make raw differ from the source; fall back to the raw text then.
    let f = if page.src.text.get(start..end) == Some(item.raw_value.as_str()) {
        r.inline(&page.src.text, start..end)
    } else {
        r.inline(&item.raw_value, 0..item.raw_value.len())
    };
    frag.links.extend(f.links);
    frag.unclosed_comments.extend(f.unclosed_comments);
    frag.unclosed_tags.extend(f.unclosed_tags);
    f.html
}

fn state_rows(
    r: &mut Renderer,
    page: &Page,
    items: &[Item<StateValue>],
    frag: &mut Fragment,
) -> Vec<StateRow> {
    items
        .iter()
        .map(|item| {
            let raw_html = inline_value(r, page, item, frag);
            let condition_html = item
                .value
                .as_ref()
                .and_then(|v| v.condition.as_ref())
                .map(|c| {
                    let f = r.inline(c, 0..c.len());
                    f.html
                });
            StateRow {
                label: item.label.clone(),
                os: scope_text(&item.scope),
                state: item.value.as_ref().map(|v| v.state.id()),
                state_label: item.value.as_ref().map(|v| plain_text(&v.short())),
                condition_html,
                raw_html,
            }
        })
        .collect()
}

fn refs_view(
    r: &mut Renderer,
    page: &Page,
    list: &RefList,
    exists: &mut impl Iterator<Item = bool>,
    frag: &mut Fragment,
) -> RefsView {
    let items = list
        .items()
        .iter()
        .map(|item| {
            let raw_html = inline_value(r, page, item, frag);
            let v = item.value.as_ref();
            let href = v.and_then(|v| v.href.as_deref());
            let exists = exists.next().unwrap_or(false);
            RefRow {
                name: v.map_or_else(|| item.raw.clone(), |v| v.name.clone()),
                url: href.map(|h| {
                    if h.starts_with('/') {
                        relative(&page.out_path, h)
                    } else {
                        h.to_string()
                    }
                }),
                exists,
                qualifier: v.and_then(|v| v.qualifier.clone()),
                raw_html,
            }
        })
        .collect();
    RefsView {
        kind: list.kind(),
        items,
    }
}

/// What a service page shows of the rest of the guide, read here and nowhere
/// else: [`render_page`] renders from it, so a page whose `Shown` (and own text)
/// is unchanged renders to the same bytes. `serve` compares their
/// [`key`](Shown::key)s to find the pages to render again.
#[derive(Hash)]
pub struct Shown<'g> {
    /// The versions the service exists on (other articles' relations are evidence).
    availability: &'g Availability,
    /// Per Depends item, then per Supports item: whether its link names a page.
    exists: Vec<bool>,
    /// The pages whose Depends link here: (title, permalink), and the
    /// qualifier of their link (`Vista+`).
    required_by: Vec<((&'g str, &'g str), Option<String>)>,
}

/// What a service page shows of the services that stop with it
/// ([`Guide::impact_summary`]), apart from [`Shown`]: it is the costly part.
#[derive(Hash)]
pub struct ImpactShown<'g> {
    count: usize,
    direct: usize,
    /// The nearest ones: (title, permalink).
    nearest: Vec<(&'g str, &'g str)>,
}

/// A page's title and permalink, as links to it show them.
fn shown_as(guide: &Guide, i: usize) -> (&str, &str) {
    (&guide.pages[i].title, &guide.pages[i].permalink)
}

impl<'g> Shown<'g> {
    /// `None` for a page that is not a service (it shows nothing of the guide).
    pub fn of(guide: &'g Guide, index: usize) -> Option<Shown<'g>> {
        let page = &guide.pages[index];
        let s = page.service()?;
        let exists = [&s.depends, &s.supports]
            .into_iter()
            .flat_map(|list| list.items())
            .map(|item| {
                item.value
                    .as_ref()
                    .and_then(|v| v.href.as_deref())
                    .is_some_and(|h| guide.page_of(&page.out_path, h).is_some())
            })
            .collect();
        Some(Shown {
            availability: &guide.availability[index],
            exists,
            required_by: guide.required_by[index]
                .iter()
                .map(|&j| (shown_as(guide, j), guide.depends_qualifiers(j, index)))
                .collect(),
        })
    }

    pub fn key(&self) -> u64 {
        hash(self)
    }
}

impl<'g> ImpactShown<'g> {
    /// `None` for a page that is not a service.
    pub fn of(guide: &'g Guide, index: usize) -> Option<ImpactShown<'g>> {
        guide.pages[index].service()?;
        let summary = guide.impact_summary(index, crate::guide::IMPACT_NEAREST);
        Some(ImpactShown {
            count: summary.count,
            direct: summary.direct,
            nearest: summary
                .nearest
                .into_iter()
                .map(|(j, _)| shown_as(guide, j))
                .collect(),
        })
    }

    pub fn key(&self) -> u64 {
        hash(self)
    }
}

fn hash(value: &impl std::hash::Hash) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(value)
}

fn link_to(from: &Page, (title, permalink): (&str, &str)) -> LinkView {
    LinkView {
        title: title.to_string(),
        url: relative(&from.out_path, permalink),
    }
}

fn impact_view(page: &Page, impact: ImpactShown, required_by: usize) -> ImpactView {
    ImpactView {
        count: impact.count,
        direct: impact.direct,
        not_counted: required_by.saturating_sub(impact.direct),
        unlisted: impact.count - impact.direct - impact.nearest.len(),
        nearest: impact
            .nearest
            .into_iter()
            .map(|shown| link_to(page, shown))
            .collect(),
        key: page.out_path.clone(),
    }
}

/// With `sanitize = true`, the only link schemes the templates may write (the
/// Markdown itself is cleaned by ammonia; these URLs go into templates directly).
fn safe_url(url: &str) -> bool {
    if !crate::url::is_external(url) {
        return true;
    }
    let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "ftp" | "mailto")
}

/// The rows of a service page's default-state table: one per version the
/// service exists on, with each item that holds there.
fn os_cells(s: &Service, availability: &Availability) -> Vec<OsCell> {
    // Each item's text and condition, as plain text: read once, shown on
    // every version the item holds for.
    let shown: Vec<(String, Option<String>)> = s
        .default
        .iter()
        .map(|item| {
            let value = item.value.as_ref();
            (
                plain_text(&value.map_or_else(|| item.raw_value.clone(), StateValue::short)),
                value
                    .and_then(|v| v.condition.as_deref())
                    .map(plain_text)
                    .filter(|c| !c.is_empty()),
            )
        })
        .collect();
    availability
        .0
        .iter()
        .map(|v| {
            let assumed = assumed_on(&s.default, v.os, v.source);
            let variants = items_on(&s.default, v.os)
                .into_iter()
                .map(|item| {
                    let k = s
                        .default
                        .iter()
                        .position(|i| std::ptr::eq(i, item))
                        .expect("items_on returns items of the list");
                    let (text, condition) = shown[k].clone();
                    OsVariant {
                        note: item.scope.note_on(v.os),
                        state: item.value.as_ref().map(|v| v.state.id()),
                        text,
                        condition,
                    }
                })
                .collect();
            OsCell {
                os: v.os.name(),
                id: v.os.id(),
                source: v.source.id(),
                source_text: match v.source {
                    Source::Stated => "The article's windows: field names this version.",
                    Source::Labelled => "An item of the article is labelled with this version.",
                    Source::Described => "The article's description names this version.",
                    Source::Related => {
                        "A dependency of this service is qualified with this version."
                    }
                    Source::Inferred => "Inferred from the article's date; see below the table.",
                },
                assumed,
                variants,
            }
        })
        .collect()
}

/// Why an inferred version is shown, in the reader's words.
fn inferred_from(s: &Service, availability: &Availability, date: Option<PostDate>) -> String {
    let written = s.evidence.written.map_or("", |f| f.name());
    let day = date.map(|d| d.display()).unwrap_or_default();
    // The range stops at the newest version the article or a link names:
    // past it, the article says nothing.
    let last = availability.0.iter().map(|v| v.os).max();
    let until = match last {
        Some(crate::service::os::OsFamily::W8) | None => "and the later ones".to_string(),
        Some(last) => format!(
            "and the later ones up to {}, the newest version the article or a link to it names",
            last.name()
        ),
    };
    format!(
        "Versions marked inferred are not named by the article: it was written on {day}, when {written} was current, and gives its default state without naming versions, which is taken to hold for the version current then {until}."
    )
}

/// Longest meta description, in characters (what search engines show).
const DESCRIPTION_CHARS: usize = 160;

/// Renders one article page.
pub fn render_page(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
    index: usize,
) -> Result<RenderedPage> {
    let page = &guide.pages[index];
    let mut r = Renderer::new(&page.out_path);
    r.sanitize = config.sanitize;
    let mut body = Fragment::default();
    let mut facts = Fragment::default();
    let shown = Shown::of(guide, index).zip(ImpactShown::of(guide, index));
    let service = match (page.service(), shown) {
        (Some(s), Some((shown, impact))) => {
            for range in &s.prose {
                body.append(r.block(&page.src.text, range.clone()));
            }
            Some(service_view(
                &mut r, config, page, s, shown, impact, &mut facts,
            ))
        }
        _ => {
            let text = &page.src.text[page.split.body_start..];
            // The page's title is its h1: its first headings are h2 (an
            // article of `#####` headings went from h1 to h5).
            if let Some(top) = crate::markdown::top_heading_level(text) {
                r.heading_shift = 2 - top as i8;
            }
            body.append(r.block(&page.src.text, page.split.body_start..page.src.text.len()));
            None
        }
    };
    let view = PageView {
        site: SiteView::new(config, &page.out_path),
        title: &page.title,
        canonical: crate::url::absolute(&config.base_url, &page.out_path),
        date: page.date.map(|d| d.display()),
        date_iso: page.fm.date.as_deref(),
        updated: page.updated.map(|d| d.display()),
        updated_iso: crate::page::updated_text(&page.fm),
        description: crate::text::truncate_words(
            &crate::text::collapse_whitespace(
                page.fm.excerpt.as_deref().unwrap_or(body.text.as_str()),
            ),
            DESCRIPTION_CHARS,
        ),
        tags: &page.fm.tags,
        tag_links: crate::views::tags::links(&page.out_path, &page.fm.tags),
        has_code: memchr::memmem::find(body.html.as_bytes(), b"<pre").is_some(),
        body_html: std::mem::take(&mut body.html),
        service,
    };
    let template = if view.service.is_some() {
        "service.html"
    } else {
        "page.html"
    };
    let ctx = tera::Context::from_serialize(&view).context("page context")?;
    let html = render_sized(tera, template, &ctx, page.src.text.len() * 2 + 8192)
        .map_err(|e| anyhow::anyhow!("{}: {}", page.src.rel, tera_error(&e)))?;
    let mut links = body.links;
    links.extend(facts.links);
    let mut unclosed_comments = body.unclosed_comments;
    unclosed_comments.extend(facts.unclosed_comments);
    let mut unclosed_tags = body.unclosed_tags;
    unclosed_tags.extend(facts.unclosed_tags);
    Ok(RenderedPage {
        index,
        html,
        links,
        heading_ids: body.headings.into_iter().map(|h| h.id).collect(),
        text: body.text,
        unknown_liquid: body.unknown_liquid,
        unclosed_comments,
        unclosed_tags,
    })
}

/// The facts of service page `index` for its template: states, versions,
/// processes, relations and impact. Their links go into `facts`.
fn service_view(
    r: &mut Renderer,
    config: &Config,
    page: &Page,
    s: &Service,
    shown: Shown,
    impact: ImpactShown,
    facts: &mut Fragment,
) -> ServiceView {
    let recommended = state_rows(r, page, &s.recommended, facts);
    let default = state_rows(r, page, &s.default, facts);
    let availability = shown.availability;
    let by_os = os_cells(s, availability);
    let inferred_note = availability
        .0
        .iter()
        .any(|v| v.source == Source::Inferred)
        .then(|| inferred_from(s, availability, page.date));
    let processes = s
        .processes
        .iter()
        .map(|item| process_row(r, config, page, item, facts))
        .collect();
    let mut exists = shown.exists.iter().copied();
    let depends = refs_view(r, page, &s.depends, &mut exists, facts);
    let supports = refs_view(r, page, &s.supports, &mut exists, facts);
    let strays_html = s
        .strays
        .iter()
        .map(|(_, line)| {
            let f = r.inline(&page.src.text, line.offset..line.offset + line.text.len());
            facts.links.extend(f.links);
            facts.unclosed_comments.extend(f.unclosed_comments);
            facts.unclosed_tags.extend(f.unclosed_tags);
            f.html
        })
        .collect();
    // What this article's own Supports items say of a service that requires
    // it (`[FAX](…) (WinNT4 only)`): shown beside that service's own words,
    // since its Supports item is not listed again.
    let own: rustc_hash::FxHashMap<&str, &str> = supports
        .items
        .iter()
        .filter(|row| row.exists)
        .filter_map(|row| Some((row.url.as_deref()?, row.qualifier.as_deref()?)))
        .collect();
    let required_by: Vec<RequiredRow> = shown
        .required_by
        .iter()
        .map(|(shown, qualifier)| {
            let LinkView { title, url } = link_to(page, *shown);
            let qualifier = match (qualifier.as_deref(), own.get(url.as_str())) {
                (Some(theirs), Some(mine)) if !theirs.contains(mine) => {
                    Some(format!("{theirs}; {mine}"))
                }
                (None, Some(mine)) => Some(mine.to_string()),
                _ => qualifier.clone(),
            };
            RequiredRow {
                title,
                url,
                qualifier,
            }
        })
        .collect();
    // A set, not a scan per item: a hub is required by thousands.
    let listed: rustc_hash::FxHashSet<&str> = if supports.items.is_empty() {
        Default::default()
    } else {
        required_by.iter().map(|l| l.url.as_str()).collect()
    };
    let supports_more = supports
        .items
        .iter()
        .filter(|row| !(row.exists && row.url.as_deref().is_some_and(|u| listed.contains(u))))
        .cloned()
        .collect();
    let required_count = required_by.len();
    ServiceView {
        names: s.names.clone(),
        recommended,
        default,
        assumed_rows: by_os.iter().any(|c| c.assumed),
        by_os,
        inferred_note,
        processes,
        depends,
        supports,
        required_by,
        supports_more,
        impact: impact_view(page, impact, required_count),
        strays_html,
    }
}

/// One Process Name item: its typed parts, and the item as written.
fn process_row(
    r: &mut Renderer,
    config: &Config,
    page: &Page,
    item: &Item<crate::service::process::Process>,
    facts: &mut Fragment,
) -> ProcessRow {
    let raw_html = inline_value(r, page, item, facts);
    let p = item.value.clone().unwrap_or_default();
    ProcessRow {
        os: scope_text_full(&item.scope),
        typed: item.value.is_some(),
        image: p.image,
        args: p.args,
        group: p.group,
        name: p.name,
        note: p.note,
        link: p.link.filter(|l| !config.sanitize || safe_url(l)).map(|l| {
            if l.starts_with('/') {
                relative(&page.out_path, &l)
            } else {
                l
            }
        }),
        raw_html,
    }
}

pub fn render_pages(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
) -> Result<Vec<RenderedPage>> {
    (0..guide.pages.len())
        .into_par_iter()
        .map(|i| render_page(tera, config, guide, i))
        .collect()
}

/// The home page: every service A–Z, then the other articles by group.
pub fn render_index(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<String> {
    crate::views::home::render(tera, config, guide)
}

#[derive(Serialize)]
struct NotFoundView<'a> {
    site: SiteView<'a>,
    title: &'a str,
    canonical: String,
}

/// The 404 page is served at any depth, so its links start at the base path.
pub fn render_404(tera: &tera::Tera, config: &Config) -> Result<String> {
    let view = NotFoundView {
        site: SiteView {
            root: config.base_path(),
            ..SiteView::new(config, "404.html")
        },
        title: "Page not found",
        canonical: crate::url::absolute(&config.base_url, "404.html"),
    };
    let ctx = tera::Context::from_serialize(&view)?;
    tera.render("404.html", &ctx)
        .map_err(|e| anyhow::anyhow!("404.html: {}", tera_error(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template's values go through `views::escape`, the escaping of the lists
    /// written in Rust: both quotes escaped, `/` left as it is.
    #[test]
    fn templates_escape_values_like_the_rust_lists() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("404.html"),
            "<a title='{{ site.title }}' href=\"{{ site.root }}x.html\">{{ site.title }}</a>",
        )
        .unwrap();
        let tera = load_templates(dir.path()).unwrap();
        let config = Config {
            title: "Tom's <\"guide\"> & co/op".into(),
            ..Config::default()
        };
        let html = render_404(&tera, &config).unwrap();
        let mut title = String::new();
        crate::views::escape::html_into(&mut title, &config.title);
        assert_eq!(title, "Tom&#39;s &lt;&quot;guide&quot;&gt; &amp; co/op");
        assert!(
            html.contains(&format!("<a title='{title}' href=\"")),
            "{html}"
        );
        assert!(html.ends_with(&format!("x.html\">{title}</a>")), "{html}");
    }

    /// Our `safe` (which marks a string without copying it) prints what tera's does.
    #[test]
    fn safe_prints_like_teras_own_filter() {
        let template = "{{ html | safe }}|{{ n | safe }}|{{ list | safe }}|{{ html }}";
        let mut ctx = tera::Context::new();
        ctx.insert("html", "<b>x</b> & 'y'");
        ctx.insert("n", &5);
        ctx.insert("list", &["<a>", "b"]);
        let render = |tera: &mut tera::Tera| {
            tera.autoescape_on([".html"]);
            tera.add_raw_template("t.html", template).unwrap();
            tera.render("t.html", &ctx).unwrap()
        };
        let theirs = render(&mut tera::Tera::default());
        let mut ours = tera::Tera::default();
        ours.register_filter("safe", safe);
        assert_eq!(render(&mut ours), theirs);
        assert!(theirs.starts_with("<b>x</b> & 'y'|5|"), "{theirs}");
    }
}
