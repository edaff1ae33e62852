//! One page per Windows version (`os/<id>.html` and `os/<id>.csv`): every service
//! the articles place on that version, with its default and recommended state and
//! its process there. Presence and the first state come from `export::os_row`, so
//! the pages and services.json's `by_os` agree; the other items that hold for the
//! version (editions, service packs, conditions) are shown beside it.

use anyhow::Result;
use serde::Serialize;

use super::{escape, render_template, SiteCtx};
use crate::config::Config;
use crate::export::os_row;
use crate::guide::Guide;
use crate::markdown::plain_text as plain;
use crate::output::OutFile;
use crate::page::Page;
use crate::service::availability::{assumed_on, items_on, Source};
use crate::service::os::OsFamily;
use crate::service::process::Process;
use crate::service::state::{StartState, StateValue};
use crate::service::Item;
use crate::url::relative;

/// One item that holds on the version, ready to show (its texts borrowed from
/// the service's `ItemText`, worked out once for all versions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant<'a> {
    /// Editions / service pack of the label on this version (`Business/Ultimate`, `SP2+`).
    pub note: Option<String>,
    /// State id (`manual`), `None` when the author's text could not be typed.
    pub state: Option<&'static str>,
    /// `Manual (Trigger Start)`, or the author's text when untyped.
    pub text: &'a str,
    /// Free text after the state, as plain text.
    pub condition: Option<&'a str>,
}

/// What a state item shows on any version: its state, text and condition.
#[derive(Debug)]
struct ItemText {
    state: Option<&'static str>,
    text: String,
    condition: Option<String>,
}

impl Variant<'_> {
    /// The whole variant as one line: `Business/Ultimate: Manual, if ...`.
    pub fn line(&self) -> String {
        let mut s = String::new();
        if let Some(n) = &self.note {
            s.push_str(n);
            s.push_str(": ");
        }
        s.push_str(self.text);
        if let Some(c) = self.condition {
            s.push_str(", ");
            s.push_str(c);
        }
        s
    }
}

/// A service's row on one version: what the table shows (see `os_table`), the
/// CSV and the counts.
#[derive(Clone, Debug)]
pub struct VersionRow<'a> {
    pub index: usize,
    pub slug: &'a str,
    pub title: &'a str,
    /// Relative to `os/<id>.html`.
    pub url: &'a str,
    pub names: Vec<&'a str>,
    /// The first default state (the one services.json's `by_os` gives).
    pub default: Option<&'static str>,
    pub default_label: &'static str,
    pub qualifier: Option<&'a str>,
    pub defaults: Vec<Variant<'a>>,
    pub recommended: Option<&'static str>,
    pub recommended_label: &'static str,
    pub recommendeds: Vec<Variant<'a>>,
    pub processes: Vec<&'a str>,
    /// The row's state column (`manual`, `not_stated`): what the filter and
    /// the counts of `os/index.html` both go by, so that they agree.
    pub states: String,
    /// Where the service's presence on the version comes from.
    pub source: Source,
    /// Known only from another article's relation, with the state of an
    /// unlabelled item: an assumption, marked as an inference.
    pub assumed: bool,
    /// Sort keys for the state columns.
    pub recommended_rank: usize,
}

fn rank(state: Option<&'static str>) -> usize {
    StartState::ALL
        .iter()
        .position(|s| Some(s.id()) == state)
        .unwrap_or(StartState::ALL.len())
}

fn label_of(state: Option<&'static str>) -> &'static str {
    StartState::ALL
        .iter()
        .find(|s| Some(s.id()) == state)
        .map_or("", |s| s.label())
}

/// What an item shows, on whichever version.
fn item_text(item: &Item<StateValue>) -> ItemText {
    match &item.value {
        Some(v) => ItemText {
            state: Some(v.state.id()),
            text: plain(&v.short()),
            condition: v.condition.as_deref().map(plain).filter(|c| !c.is_empty()),
        },
        None => ItemText {
            state: None,
            text: plain(&item.raw_value),
            condition: None,
        },
    }
}

/// The variants of the items that hold on `os`; `texts[i]` is item `i`'s.
fn variants<'a>(
    items: &[Item<StateValue>],
    texts: &'a [ItemText],
    os: OsFamily,
) -> Vec<Variant<'a>> {
    items_on(items, os)
        .into_iter()
        .map(|item| {
            let at = items
                .iter()
                .position(|i| std::ptr::eq(i, item))
                .expect("items_on returns items of the list");
            let t = &texts[at];
            Variant {
                note: item.scope.note_on(os),
                state: t.state,
                text: &t.text,
                condition: t.condition.as_deref(),
            }
        })
        .collect()
}

/// Beside variants for an edition or service pack (`SP2: Disabled`), the plain
/// one gets the version's name (`XP: Manual`), so that each line says where it holds.
fn name_plain(mut list: Vec<Variant<'_>>, os: OsFamily) -> Vec<Variant<'_>> {
    if list.iter().any(|v| v.note.is_some()) && list.iter().any(|v| v.note.is_none()) {
        for v in &mut list {
            if v.note.is_none() {
                v.note = Some(os.short().to_string());
            }
        }
    }
    list
}

fn process_text(p: &Process) -> Option<String> {
    let image = p.image.as_deref()?;
    Some(match &p.args {
        Some(a) => format!("{image} {a}"),
        None => image.to_string(),
    })
}

fn push_unique<'a>(list: &mut Vec<&'a str>, s: &'a str) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// What a service's rows show on every version alike, worked out once per
/// service (its rows on seven versions borrow it).
struct Shown<'a> {
    guide: &'a Guide,
    index: usize,
    page: &'a Page,
    service: &'a crate::service::Service,
    /// Relative to `os/<id>.html` (the same folder for every version).
    url: String,
    defaults: Vec<ItemText>,
    recommendeds: Vec<ItemText>,
    /// Each process item's `image args`, when it names an image.
    processes: Vec<Option<String>>,
}

impl<'a> Shown<'a> {
    fn of(guide: &'a Guide, index: usize) -> Option<Shown<'a>> {
        let page: &Page = &guide.pages[index];
        let service = page.service()?;
        Some(Shown {
            guide,
            index,
            page,
            service,
            url: relative(&page_path(OsFamily::ALL[0]), &page.permalink),
            defaults: service.default.iter().map(item_text).collect(),
            recommendeds: service.recommended.iter().map(item_text).collect(),
            processes: service
                .processes
                .iter()
                .map(|i| i.value.as_ref().and_then(process_text))
                .collect(),
        })
    }

    /// The service's row on `os`, if the articles put it there.
    fn row(&self, os: OsFamily) -> Option<VersionRow<'_>> {
        let (page, s) = (self.page, self.service);
        let row = os_row(self.guide, self.index, os)?;
        let defaults = variants(&s.default, &self.defaults, os);
        let recommendeds = variants(&s.recommended, &self.recommendeds, os);
        let (defaults, recommendeds) = (name_plain(defaults, os), name_plain(recommendeds, os));
        let mut names = Vec::new();
        let mut processes = Vec::new();
        for item in items_on(&s.processes, os) {
            let at = s
                .processes
                .iter()
                .position(|i| std::ptr::eq(i, item))
                .expect("items_on returns items of the list");
            if let Some(n) = item.value.as_ref().and_then(|p| p.name.as_deref()) {
                push_unique(&mut names, n);
            }
            if let Some(t) = self.processes[at].as_deref() {
                push_unique(&mut processes, t);
            }
        }
        if names.is_empty() {
            names = s.names.iter().map(String::as_str).collect();
        }
        let states = row_states(row.default, &defaults);
        Some(VersionRow {
            index: self.index,
            slug: &page.slug,
            title: &page.title,
            url: &self.url,
            names,
            default: row.default,
            default_label: label_of(row.default),
            qualifier: row.qualifier,
            defaults,
            recommended: row.recommended,
            recommended_label: label_of(row.recommended),
            recommendeds,
            processes,
            states,
            source: row.source,
            assumed: assumed_on(&s.default, os, row.source),
            recommended_rank: rank(row.recommended),
        })
    }
}

/// What each service shows, sorted by title (the services' order).
fn shown_services(guide: &Guide) -> Vec<Shown<'_>> {
    use rayon::prelude::*;
    guide
        .services
        .par_iter()
        .filter_map(|&i| Shown::of(guide, i))
        .collect()
}

/// Every version with its rows, links relative to `os/<id>.html`.
fn all_version_rows<'a>(shown: &'a [Shown<'a>]) -> Vec<(OsFamily, Vec<VersionRow<'a>>)> {
    use rayon::prelude::*;
    OsFamily::ALL
        .par_iter()
        .map(|&os| (os, shown.iter().filter_map(|s| s.row(os)).collect()))
        .collect()
}

pub fn page_path(os: OsFamily) -> String {
    format!("os/{}.html", os.id())
}

pub fn csv_path(os: OsFamily) -> String {
    format!("os/{}.csv", os.id())
}

pub const CSV_HEADER: [&str; 10] = [
    "slug",
    "title",
    "names",
    "default",
    "qualifier",
    "recommended",
    "process",
    "default_all",
    "recommended_all",
    "source",
];

/// `os/<id>.csv`: one record per row of the page.
pub fn csv(rows: &[VersionRow]) -> String {
    // About 100 bytes a row in the generated guides: one buffer, grown rarely.
    let mut out = String::with_capacity(128 * (rows.len() + 1));
    escape::csv_row_into(&mut out, &CSV_HEADER);
    for r in rows {
        let all = |v: &[Variant]| v.iter().map(Variant::line).collect::<Vec<_>>().join("; ");
        escape::csv_row_into(
            &mut out,
            &[
                r.slug,
                r.title,
                &r.names.join("; "),
                r.default_label,
                r.qualifier.unwrap_or_default(),
                r.recommended_label,
                &r.processes.join("; "),
                &all(&r.defaults),
                &all(&r.recommendeds),
                r.source.id(),
            ],
        );
    }
    out
}

#[derive(Serialize)]
struct OsCtx {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    url: String,
    csv_url: String,
    current: bool,
    count: usize,
    counts: Vec<usize>,
}

#[derive(Serialize)]
struct StateOpt {
    id: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct OsPageCtx<'a> {
    site: SiteCtx<'a>,
    title: String,
    canonical: String,
    os: OsCtx,
    versions: Vec<OsCtx>,
    /// The table's rows, already HTML (see `os_table`).
    rows_html: String,
    states: Vec<StateOpt>,
    index_url: String,
}

#[derive(Serialize)]
struct OsIndexCtx<'a> {
    site: SiteCtx<'a>,
    title: &'static str,
    canonical: String,
    versions: Vec<OsCtx>,
    states: Vec<StateOpt>,
}

/// The columns a version's services are counted in: its state there (the
/// item `state_on` picks), or "Not stated" when no Default item holds there.
const STATE_COLUMNS: [(&str, &str); 6] = [
    ("automatic", "Automatic"),
    ("manual", "Manual"),
    ("disabled", "Disabled"),
    ("not_installed", "Not installed"),
    ("not_available", "Not available"),
    ("not_stated", "Not stated"),
];

/// A row's `data-states`: its default state first (the Default column sorts by
/// it), then every other state a variant has on this version (`Pro: Automatic`
/// beside `Server: Manual`), so the state filter finds the row by any of them.
fn row_states(default: Option<&'static str>, variants: &[Variant]) -> String {
    // The first stays the row's own (services.json's `default`), even "Not
    // stated": the summary counts each row once, by it.
    let mut ids: Vec<&str> = vec![state_column(default).0];
    for v in variants {
        let id = state_column(v.state).0;
        if v.state.is_some() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.join(" ")
}

fn state_column(default: Option<&'static str>) -> (&'static str, &'static str) {
    default
        .and_then(|d| STATE_COLUMNS.iter().copied().find(|(id, _)| *id == d))
        .unwrap_or(STATE_COLUMNS[5])
}

/// Rows per state: by their own default state (`Variants::Own`: the summary's
/// columns, which add up to the services), or by any variant's
/// (`Variants::Any`: what the state filter finds).
fn state_counts(rows: &[VersionRow], by: Variants) -> Vec<usize> {
    STATE_COLUMNS
        .iter()
        .map(|(id, _)| {
            rows.iter()
                .filter(|r| match by {
                    Variants::Own => r.states.split(' ').next() == Some(*id),
                    Variants::Any => r.states.split(' ').any(|s| s == *id),
                })
                .count()
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Variants {
    Own,
    Any,
}

pub fn render(
    tera: &tera::Tera,
    config: &Config,
    guide: &Guide,
    work: crate::views::Work,
    emit: &super::Emit,
) -> Result<()> {
    use rayon::prelude::*;
    let shown = shown_services(guide);
    let all = all_version_rows(&shown);
    // Counted once per version: every page lists every version.
    let counts: Vec<Vec<usize>> = all
        .iter()
        .map(|(_, rows)| state_counts(rows, Variants::Own))
        .collect();
    let os_ctx = |from: &str, v: usize, current: bool| {
        let (os, rows) = (all[v].0, &all[v].1);
        OsCtx {
            id: os.id(),
            name: os.name(),
            short: os.short(),
            url: relative(from, &format!("/{}", page_path(os))),
            csv_url: relative(from, &format!("/{}", csv_path(os))),
            current,
            count: rows.len(),
            counts: counts[v].clone(),
        }
    };
    let state_opts = |rows: &[VersionRow]| -> Vec<StateOpt> {
        STATE_COLUMNS
            .iter()
            .zip(state_counts(rows, Variants::Any))
            .map(|(&(id, label), count)| StateOpt { id, label, count })
            .collect()
    };
    // One page and one CSV per version, each its own task (the big tables dominate).
    (0..all.len()).into_par_iter().try_for_each(|v| {
        let (os, rows) = (&all[v].0, &all[v].1);
        let path = page_path(*os);
        let ctx = OsPageCtx {
            site: SiteCtx::new(config, &path),
            title: format!("Services on {}", os.name()),
            canonical: crate::url::absolute(&config.base_url, &path),
            os: os_ctx(&path, v, true),
            versions: (0..all.len()).map(|o| os_ctx(&path, o, o == v)).collect(),
            states: state_opts(rows),
            rows_html: super::os_table::rows_html(rows),
            index_url: relative(&path, "/os/index.html"),
        };
        let size = ctx.rows_html.len();
        emit(render_template(tera, "views/os.html", &path, ctx, size)?)?;
        emit(OutFile {
            path: csv_path(*os),
            bytes: match work {
                crate::views::Work::Everything => csv(rows).into_bytes(),
                crate::views::Work::Checks => Vec::new(),
            },
        })
    })?;
    let path = "os/index.html";
    let ctx = OsIndexCtx {
        site: SiteCtx::new(config, path),
        title: "Services by Windows version",
        canonical: crate::url::absolute(&config.base_url, path),
        versions: (0..all.len()).map(|o| os_ctx(path, o, false)).collect(),
        states: state_opts(&[]),
    };
    emit(render_template(tera, "views/os_index.html", path, &ctx, 0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(state: Option<&'static str>) -> Variant<'static> {
        Variant {
            note: None,
            state,
            text: "",
            condition: None,
        }
    }

    #[test]
    fn a_row_is_found_by_every_state_of_its_variants() {
        let both = [variant(Some("manual")), variant(Some("automatic"))];
        assert_eq!(row_states(Some("manual"), &both), "manual automatic");
        assert_eq!(row_states(None, &[]), "not_stated");
        assert_eq!(row_states(None, &[variant(None)]), "not_stated");
        assert_eq!(
            row_states(None, &[variant(Some("disabled"))]),
            "not_stated disabled"
        );
    }
}
