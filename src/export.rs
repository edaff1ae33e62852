//! `services.json`: the typed model as data, schema version 2 (documented in
//! docs/services-json.md). Every value also keeps the author's text.
//!
//! Schema 2 leaves out every key whose value is null, an empty list or false
//! (a reader takes a missing key as that value): on a 10,000-article guide
//! they were a fifth of the file.

use serde::Serialize;

use crate::guide::{Guide, Resolved};
use crate::page::Page;
use crate::service::availability::state_on;
use crate::service::availability::{Availability, Source};
use crate::service::os::{OsFamily, OsScope, OsTarget};

const fn is_false(b: &bool) -> bool {
    !*b
}

fn is_nowhere(a: &&Availability) -> bool {
    a.0.is_empty()
}

/// An OS of a label ([`OsTarget`]) as schema 2 writes it.
#[derive(Serialize)]
pub struct TargetJson<'a> {
    pub os: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub editions: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp: Option<u8>,
    #[serde(skip_serializing_if = "is_false")]
    pub and_later: bool,
}

fn targets(scope: &OsScope) -> Vec<TargetJson<'_>> {
    scope
        .0
        .iter()
        .map(|t: &OsTarget| TargetJson {
            os: t.family.id(),
            editions: &t.editions,
            sp: t.sp,
            and_later: t.and_later,
        })
        .collect()
}
use crate::service::process::Process;
use crate::service::refs::{Ref, RefList};
use crate::service::state::StateValue;
use crate::service::Item;

pub const SCHEMA: u32 = 2;

#[derive(Serialize)]
pub struct Export<'a> {
    pub schema: u32,
    pub generator: &'static str,
    pub title: &'a str,
    pub services: Vec<ServiceJson<'a>>,
    pub by_os: std::collections::BTreeMap<&'static str, Vec<OsRow<'a>>>,
}

#[derive(Serialize)]
pub struct ServiceJson<'a> {
    pub slug: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub tags: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub names: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recommended: Vec<StateJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default: Vec<StateJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<ProcessJson<'a>>,
    pub depends: RefListJson<'a>,
    pub supports: RefListJson<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_by: Vec<&'a str>,
    /// The versions the service exists on, each with where that comes from.
    #[serde(skip_serializing_if = "is_nowhere")]
    pub availability: &'a Availability,
}

#[derive(Serialize)]
pub struct StateJson<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<TargetJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct ProcessJson<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<TargetJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct RefListJson<'a> {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<RefJson<'a>>,
}

#[derive(Serialize)]
pub struct RefJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<&'static str>,
    /// The link names a page that is not in the guide (a broken link).
    #[serde(skip_serializing_if = "is_false")]
    pub missing: bool,
    pub text: &'a str,
}

/// One row of a per-version view (`by_os`).
#[derive(Serialize, Clone)]
pub struct OsRow<'a> {
    pub slug: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended: Option<&'static str>,
    /// Where the service's presence on this version comes from.
    pub source: Source,
}

pub fn os_ids(scope: &OsScope) -> Vec<&'static str> {
    scope.families().into_iter().map(OsFamily::id).collect()
}

fn state<'a>(item: &'a Item<StateValue>) -> StateJson<'a> {
    let v = item.value.as_ref();
    StateJson {
        os: os_ids(&item.scope),
        scope: targets(&item.scope),
        state: v.map(|v| v.state.id()),
        qualifier: v.and_then(|v| v.qualifier.as_deref()),
        condition: v.and_then(|v| v.condition.as_deref()),
        text: &item.raw,
    }
}

fn process<'a>(item: &'a Item<Process>) -> ProcessJson<'a> {
    let v = item.value.as_ref();
    let f = |get: fn(&Process) -> &Option<String>| v.and_then(|p| get(p).as_deref());
    ProcessJson {
        os: os_ids(&item.scope),
        scope: targets(&item.scope),
        image: f(|p| &p.image),
        args: f(|p| &p.args),
        group: f(|p| &p.group),
        name: f(|p| &p.name),
        note: f(|p| &p.note),
        link: f(|p| &p.link),
        text: &item.raw,
    }
}

fn refs<'a>(guide: &'a Guide, page: &'a Page, list: &'a RefList) -> RefListJson<'a> {
    let items = list
        .items()
        .iter()
        .filter_map(|item| Some((item, item.value.as_ref()?)))
        .map(|(item, r): (&Item<Ref>, &Ref)| {
            let (slug, fragment, missing) = match r.href.as_deref() {
                Some(href) => match guide.resolve(&page.out_path, href) {
                    Resolved::Page { index, fragment } => {
                        (Some(guide.pages[index].slug.clone()), fragment, false)
                    }
                    Resolved::Missing { path, .. } => (
                        Some(
                            path.rsplit('/')
                                .next()
                                .unwrap_or("")
                                .trim_end_matches(".html")
                                .to_string(),
                        ),
                        None,
                        true,
                    ),
                    Resolved::Asset(_) | Resolved::External => (None, None, false),
                },
                None => (None, None, false),
            };
            RefJson {
                slug,
                fragment,
                name: &r.name,
                qualifier: r.qualifier.as_deref(),
                os: os_ids(&r.scope),
                missing,
                text: &item.raw,
            }
        })
        .collect();
    RefListJson {
        kind: list.kind(),
        items,
    }
}

pub fn build<'a>(guide: &'a Guide, title: &'a str) -> Export<'a> {
    Export {
        schema: SCHEMA,
        generator: "svcguide",
        title,
        services: guide.services.iter().map(|&i| service(guide, i)).collect(),
        by_os: by_os(guide),
    }
}

/// The entry of service page `i`.
fn service(guide: &Guide, i: usize) -> ServiceJson<'_> {
    let page = &guide.pages[i];
    let s = page.service().expect("service");
    ServiceJson {
        slug: &page.slug,
        url: &page.permalink,
        title: &page.title,
        date: page.fm.date.as_deref(),
        tags: &page.fm.tags,
        names: &s.names,
        recommended: s.recommended.iter().map(state).collect(),
        default: s.default.iter().map(state).collect(),
        processes: s.processes.iter().map(process).collect(),
        depends: refs(guide, page, &s.depends),
        supports: refs(guide, page, &s.supports),
        required_by: guide.required_by[i]
            .iter()
            .map(|&j| guide.pages[j].slug.as_str())
            .collect(),
        availability: &guide.availability[i],
    }
}

/// The rows of every version's view, services in the guide's order.
fn by_os(guide: &Guide) -> std::collections::BTreeMap<&'static str, Vec<OsRow<'_>>> {
    let mut by_os: std::collections::BTreeMap<&'static str, Vec<OsRow>> = Default::default();
    for &i in &guide.services {
        for os in OsFamily::ALL {
            if let Some(row) = os_row(guide, i, os) {
                by_os.entry(os.id()).or_default().push(row);
            }
        }
    }
    by_os
}

/// A service's row on one Windows version, if it exists there (see
/// [`Availability`]): the first Default and Recommended items that hold there.
pub fn os_row(guide: &Guide, index: usize, os: OsFamily) -> Option<OsRow<'_>> {
    let page = &guide.pages[index];
    let s = page.service()?;
    let source = guide.availability[index].source(os)?;
    let value = state_on(&s.default, os).and_then(|d| d.value.as_ref());
    let recommended = state_on(&s.recommended, os).and_then(|r| r.value.as_ref());
    Some(OsRow {
        slug: &page.slug,
        default: value.map(|v| v.state.id()),
        qualifier: value.and_then(|v| v.qualifier.as_deref()),
        recommended: recommended.map(|v| v.state.id()),
        source,
    })
}

/// `services.json` of the guide: the bytes `serde_json` writes for
/// [`build`]'s export, plus a newline.
pub fn to_json(guide: &Guide, title: &str) -> String {
    use rayon::prelude::*;
    // Compact: at 10,000 services the pretty form is half again as large.
    // The services (nearly all of its 20 MB on a big guide) are made and
    // written in chunks on every core, and joined: the same bytes as one
    // serde_json pass, since a list is its items joined by commas. No chunk's
    // entries outlive it, and each chunk is freed once joined: the whole
    // export was held at once before, as much again as the file.
    let chunks: Vec<Vec<u8>> = guide
        .services
        .par_chunks(256)
        .map(|chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 2560);
            for (n, &i) in chunk.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, &service(guide, i)).expect("export serialises");
            }
            out.shrink_to_fit();
            out
        })
        .collect();
    let size: usize = chunks.iter().map(|c| c.len() + 1).sum();
    let mut out = Vec::with_capacity(size + guide.services.len() * 128 + 1024);
    field(&mut out, "schema", &SCHEMA);
    field(&mut out, "generator", "svcguide");
    field(&mut out, "title", title);
    out.extend_from_slice(b",\"services\":[");
    for (n, chunk) in chunks.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&chunk);
    }
    out.push(b']');
    field(&mut out, "by_os", &by_os(guide));
    out.extend_from_slice(b"}\n");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// `"key":value` of a JSON object (`{` first, `,` after).
fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &str, value: &T) {
    out.extend_from_slice(if out.is_empty() { b"{\"" } else { b",\"" });
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(out, value).expect("export serialises");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunked writer gives what one serde_json pass over the whole export
    /// gives (which also catches a field of `Export` it would leave out).
    #[test]
    fn the_chunked_json_is_serde_jsons() {
        let content = tempfile::tempdir().unwrap();
        for n in 0..600 {
            let text = format!(
                "---\ntitle: 'Service {n} \"quoted\" & <odd>'\nstatus: publish\npermalink: /article/s{n}.html\nid: {n}\ncategory:\n    - 'Services Guide'\ntags:\n    - t{}\n---\n\
                 ##### Description:\n\nText {n}.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- WinXP: Manual\n- Vista+: Automatic\n\n\
                 ##### Process Name:\n\n- svchost.exe -k g{} (S{n})\n\n##### Supports:\n\n- None\n\n##### Depends:\n\n- [Service {}](/article/s{}.html)\n",
                n % 7,
                n % 5,
                (n + 1) % 600,
                (n + 1) % 600
            );
            std::fs::write(content.path().join(format!("s{n}.html.md")), text).unwrap();
        }
        let config = crate::config::Config {
            content: content.path().to_path_buf(),
            ..crate::config::Config::default()
        };
        let site = crate::site::build(&config).unwrap();
        let export = build(&site.guide, "Guide \u{e9}");
        assert_eq!(export.services.len(), 600, "several chunks");
        assert_eq!(
            to_json(&site.guide, "Guide \u{e9}"),
            serde_json::to_string(&export).unwrap() + "\n"
        );
    }
}
