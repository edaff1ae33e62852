//! `processes.html`: every process image (grouped case-insensitively, `svchost` and
//! `svchost.exe` together) and every svchost group (`netsvcs`, `LocalService`, ...),
//! with the services that run in it and on which versions.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::{render_template, SiteCtx};
use crate::config::Config;
use crate::guide::Guide;
use crate::output::OutFile;
use crate::service::availability::items_on;
use crate::service::os::OsFamily;
use crate::service::process::Process;
use crate::url::relative;

const PATH: &str = "processes.html";

/// One service in a process or group.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub title: String,
    pub url: String,
    pub names: Vec<String>,
    /// Arguments as written (`-k netsvcs`), distinct.
    pub args: Vec<String>,
    /// Version ids (`xp`), oldest first.
    pub os: Vec<&'static str>,
    /// `XP, 2003, Vista`; a version known only by inference (the article's
    /// date, or a link's qualifier) where an unlabelled item is assumed to
    /// hold: `8 (inferred)`.
    pub os_text: String,
}

/// A process image or an svchost group.
#[derive(Serialize, Clone, Debug)]
pub struct Host {
    /// The spelling shown (the most frequent one).
    pub name: String,
    /// Other spellings seen.
    pub also: Vec<String>,
    pub id: String,
    pub members: Vec<Member>,
}

/// The grouping key of an image: lower case, `.exe` implied.
pub fn image_key(image: &str) -> String {
    let lower = image.trim().to_ascii_lowercase();
    match lower.strip_suffix(".exe") {
        Some(stem) => stem.to_string(),
        None => lower,
    }
}

#[derive(Default)]
struct Acc {
    spellings: BTreeMap<String, usize>,
    /// Service page index → what its items say.
    members: BTreeMap<usize, MemberAcc>,
}

#[derive(Default)]
struct MemberAcc {
    names: Vec<String>,
    args: Vec<String>,
    os: Vec<OsFamily>,
    /// Of `os`, the versions no item names and the service is known on only
    /// by inference.
    inferred: Vec<OsFamily>,
}

/// The versions of `os` on which an unlabelled `item` holds only by
/// inference: no label names them, and the article's date or a link's
/// qualifier, not the article's own words, put the service there.
fn inferred_of(
    guide: &Guide,
    i: usize,
    item_is_unlabelled: bool,
    os: &[OsFamily],
) -> Vec<OsFamily> {
    use crate::service::availability::Source;
    if !item_is_unlabelled {
        return Vec::new();
    }
    os.iter()
        .copied()
        .filter(|&f| {
            matches!(
                guide.availability[i].source(f),
                Some(Source::Inferred | Source::Related)
            )
        })
        .collect()
}

fn add(
    acc: &mut Acc,
    spelling: &str,
    service: usize,
    p: &Process,
    (os, inferred): (&[OsFamily], &[OsFamily]),
) {
    *acc.spellings.entry(spelling.to_string()).or_default() += 1;
    let m = acc.members.entry(service).or_default();
    if let Some(n) = &p.name {
        if !m.names.contains(n) {
            m.names.push(n.clone());
        }
    }
    if let Some(a) = &p.args {
        if !m.args.contains(a) {
            m.args.push(a.clone());
        }
    }
    for f in os {
        if !m.os.contains(f) {
            m.os.push(*f);
            if inferred.contains(f) {
                m.inferred.push(*f);
            }
        }
    }
}

fn id_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn finish(guide: &Guide, map: BTreeMap<String, Acc>, prefix: &str) -> Vec<Host> {
    let mut used = std::collections::HashSet::new();
    let mut hosts: Vec<Host> = map
        .into_values()
        .map(|acc| {
            let mut spellings: Vec<(String, usize)> = acc.spellings.into_iter().collect();
            // Most frequent first; ties: the one with `.exe`, then alphabetical.
            spellings.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then(b.0.ends_with(".exe").cmp(&a.0.ends_with(".exe")))
                    .then(a.0.cmp(&b.0))
            });
            let name = spellings[0].0.clone();
            let also = spellings[1..].iter().map(|s| s.0.clone()).collect();
            let mut members: Vec<Member> = acc
                .members
                .into_iter()
                .map(
                    |(
                        i,
                        MemberAcc {
                            names,
                            args,
                            mut os,
                            inferred,
                        },
                    )| {
                        os.sort();
                        let page = &guide.pages[i];
                        let shown = |f: &OsFamily| match inferred.contains(f) {
                            true => format!("{} (inferred)", f.short()),
                            false => f.short().to_string(),
                        };
                        Member {
                            title: page.title.clone(),
                            url: relative(PATH, &page.permalink),
                            names,
                            args,
                            os_text: os.iter().map(shown).collect::<Vec<_>>().join(", "),
                            os: os.iter().map(|f| f.id()).collect(),
                        }
                    },
                )
                .collect();
            members.sort_by_key(|m| m.title.to_lowercase());
            let base = format!("{prefix}-{}", id_part(&name));
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            Host {
                name,
                also,
                id,
                members,
            }
        })
        .collect();
    hosts.sort_by_key(|h| h.name.to_lowercase());
    hosts
}

/// (process images, svchost groups) of the whole guide.
pub fn collect(guide: &Guide) -> (Vec<Host>, Vec<Host>) {
    let mut images: BTreeMap<String, Acc> = BTreeMap::new();
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for &i in &guide.services {
        let page = &guide.pages[i];
        let s = page.service().expect("service");
        let present: Vec<OsFamily> = guide.availability[i].families().collect();
        for (k, item) in s.processes.iter().enumerate() {
            let Some(p) = &item.value else { continue };
            // The versions this item is the process on: where the service is and the
            // item holds (a more specific label for a version wins over no label).
            let mut os: Vec<OsFamily> = present
                .iter()
                .copied()
                .filter(|&f| {
                    items_on(&s.processes, f)
                        .iter()
                        .any(|it| std::ptr::eq(*it, &s.processes[k]))
                })
                .collect();
            if os.is_empty() {
                os = item.scope.families();
            }
            let inferred = inferred_of(guide, i, item.scope.is_all(), &os);
            let versions = (os.as_slice(), inferred.as_slice());
            if let Some(image) = p.image.as_deref().filter(|s| !s.is_empty()) {
                add(
                    images.entry(image_key(image)).or_default(),
                    image,
                    i,
                    p,
                    versions,
                );
            }
            if let Some(group) = p.group.as_deref().filter(|s| !s.is_empty()) {
                add(
                    groups.entry(group.to_ascii_lowercase()).or_default(),
                    group,
                    i,
                    p,
                    versions,
                );
            }
        }
    }
    (
        finish(guide, images, "image"),
        finish(guide, groups, "group"),
    )
}

/// A search document for each svchost group and each program that runs
/// more than one service: their sections of this page, so "svchost -k
/// netsvcs" finds the group.
pub fn search_docs(guide: &Guide) -> Vec<crate::search::SearchDoc> {
    use crate::search::{DocKind, SearchDoc};
    let (images, groups) = collect(guide);
    let members = |host: &Host| -> String {
        host.members
            .iter()
            .map(|m| m.title.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let count = |host: &Host| match host.members.len() {
        1 => "1 service".to_string(),
        n => format!("{n} services"),
    };
    // A program of one service is that service's own result.
    let image_docs = images.iter().filter(|h| h.members.len() > 1).map(|h| {
        let mut spellings = vec![h.name.clone()];
        spellings.extend(h.also.iter().cloned());
        SearchDoc {
            slug: format!("processes#{}", h.id),
            title: format!("{} (program)", h.name),
            images: spellings,
            body: members(h),
            url: format!("{PATH}#{}", h.id),
            excerpt: format!("{} run in {}: {}", count(h), h.name, members(h)),
            processes: vec![h.name.clone()],
            kind: DocKind::Process,
            ..Default::default()
        }
    });
    let group_docs = groups.iter().map(|h| {
        let line = format!("svchost.exe -k {}", h.name);
        SearchDoc {
            slug: format!("processes#{}", h.id),
            title: format!("svchost -k {} (svchost group)", h.name),
            names: vec![h.name.clone()],
            images: vec!["svchost.exe".into()],
            groups: std::iter::once(&h.name).chain(&h.also).cloned().collect(),
            body: members(h),
            url: format!("{PATH}#{}", h.id),
            excerpt: format!(
                "{} {line}: {}",
                if h.members.len() == 1 {
                    "1 service runs as".to_string()
                } else {
                    format!("{} share", count(h))
                },
                members(h)
            ),
            processes: vec![line],
            kind: DocKind::Group,
            ..Default::default()
        }
    });
    image_docs.chain(group_docs).collect()
}

#[derive(Serialize)]
struct Ctx<'a> {
    site: SiteCtx<'a>,
    title: &'static str,
    canonical: String,
    images: Vec<HostCtx<'a>>,
    groups: Vec<HostCtx<'a>>,
}

/// A host for the template: its table rows come written (see [`rows_html`]).
#[derive(Serialize)]
struct HostCtx<'a> {
    name: &'a str,
    also: &'a [String],
    id: &'a str,
    count: usize,
    rows_html: String,
}

impl<'a> HostCtx<'a> {
    fn of(host: &'a Host, with_args: bool) -> Self {
        HostCtx {
            name: &host.name,
            also: &host.also,
            id: &host.id,
            count: host.members.len(),
            rows_html: rows_html(&host.members, with_args),
        }
    }
}

/// The rows of a host's table, as the template's loop wrote them before: a
/// row per service (thousands share `svchost.exe`), which tera made slowly.
fn rows_html(members: &[Member], with_args: bool) -> String {
    use super::escape::{code_list_into, html_into};
    let mut out = String::with_capacity(members.len() * 200);
    for m in members {
        out.push_str("\n          <tr><th scope=\"row\"><a href=\"");
        html_into(&mut out, &m.url);
        out.push_str("\">");
        html_into(&mut out, &m.title);
        out.push_str("</a></th><td>");
        code_list_into(&mut out, &m.names, ", ");
        out.push_str("</td><td>");
        if with_args {
            code_list_into(&mut out, &m.args, "<br>");
            out.push_str("</td><td>");
        }
        html_into(&mut out, &m.os_text);
        out.push_str("</td></tr>\n        ");
    }
    out
}

pub fn render(tera: &tera::Tera, config: &Config, guide: &Guide) -> Result<OutFile> {
    let (images, groups) = collect(guide);
    let ctx = Ctx {
        site: SiteCtx::new(config, PATH),
        title: "Processes",
        canonical: crate::url::absolute(&config.base_url, PATH),
        images: images.iter().map(|h| HostCtx::of(h, true)).collect(),
        groups: groups.iter().map(|h| HostCtx::of(h, false)).collect(),
    };
    // Each host's section and table of contents entry take about 600 bytes
    // beside its rows (a page outgrowing its buffer is copied into one twice
    // its size).
    let html_bytes = ctx
        .images
        .iter()
        .chain(&ctx.groups)
        .map(|h| h.rows_html.len() + 768)
        .sum();
    render_template(tera, "views/processes.html", PATH, ctx, html_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_escape_values_and_show_arguments_only_for_programs() {
        let member = Member {
            title: "Tom & Jerry".into(),
            url: "../article/a.html".into(),
            names: vec!["A".into(), "B".into()],
            args: vec!["-k netsvcs".into(), "-k <x>".into()],
            os: vec!["xp"],
            os_text: "XP".into(),
        };
        assert_eq!(
            rows_html(std::slice::from_ref(&member), true),
            "\n          <tr><th scope=\"row\"><a href=\"../article/a.html\">Tom &amp; Jerry</a></th>\
             <td><code>A</code>, <code>B</code></td><td><code>-k netsvcs</code><br><code>-k &lt;x&gt;</code></td>\
             <td>XP</td></tr>\n        "
        );
        assert_eq!(
            rows_html(&[member], false),
            "\n          <tr><th scope=\"row\"><a href=\"../article/a.html\">Tom &amp; Jerry</a></th>\
             <td><code>A</code>, <code>B</code></td><td>XP</td></tr>\n        "
        );
    }
}
