//! The second way to give service facts: a structured `service:` map in the front
//! matter. Every value uses the same item grammar as the house-format lists, so
//! both forms produce the same model. Keys (all optional):
//!
//! ```yaml
//! service:
//!   name: Spooler                      # or names: [Spooler, Spool]
//!   recommended: Automatic, if you print
//!   default:                           # a list of items, or a map label -> value
//!     WinXP/Win2k3: Automatic
//!     Vista+: Automatic (Delayed Start)
//!   process: spoolsv.exe (Spooler)     # one item or a list/map of them
//!   depends: [winnt-services-rpcss]    # slugs, item texts, or `none` / `everything`
//!   supports: none
//! ```

use serde_yaml_ng::{Mapping, Value};

use super::refs::RefList;
use super::sections::{ListLine, SectionKind};
use super::{add_items, Item, Service};
use crate::diag::{Code, Diagnostic};
use crate::frontmatter::{nested_key_offset, scalar_string, FrontMatter, Split};
use crate::source::Source;

/// Builds a service from the `service:` map. Unreadable values are diagnostics.
pub fn parse(
    src: &Source,
    fm: &FrontMatter,
    split: Split,
    diags: &mut Vec<Diagnostic>,
) -> Option<Service> {
    let value = fm.service.as_ref()?;
    let base = fm.key_offset("service");
    let Value::Mapping(map) = value else {
        diags.push(
            Diagnostic::at(
                Code::ServiceForm,
                src,
                base,
                "`service:` should be a map of keys",
            )
            .help("see the README: name, recommended, default, process, depends, supports"),
        );
        return None;
    };
    let mut service = Service::empty();
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        let key_at = nested_key_offset(&src.text, split, base, key).unwrap_or(base);
        let kind = match key {
            "name" | "names" => {
                service.names = crate::frontmatter::string_list(value);
                continue;
            }
            // Where the service exists: read with the top-level `windows:` (page.rs).
            "windows" => continue,
            "recommended" => SectionKind::Recommended,
            "default" => SectionKind::Default,
            "process" | "processes" => SectionKind::Process,
            "depends" => SectionKind::Depends,
            "supports" => SectionKind::Supports,
            other => {
                diags.push(
                    Diagnostic::at(
                        Code::ServiceForm,
                        src,
                        key_at,
                        format!("unknown key `service.{other}`"),
                    )
                    .help(
                        "known keys: name, names, windows, recommended, default, process, depends, supports",
                    ),
                );
                continue;
            }
        };
        let lines = item_lines(value, kind, src, key_at);
        if lines.is_empty() && !value.is_null() {
            diags.push(
                Diagnostic::at(
                    Code::ServiceForm,
                    src,
                    key_at,
                    format!("`service.{key}` holds no readable items"),
                )
                .help("give a text, a list of texts, or a map from OS label to text"),
            );
        }
        add_items(&mut service, kind, &lines, src, diags);
    }
    // The declared names first, in the author's order, then any other name
    // the process items give.
    let mut names = std::mem::take(&mut service.names);
    service.collect_names();
    for name in std::mem::take(&mut service.names) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    service.names = names;
    Some(service)
}

/// The values of one key as item lines (`<label>: <value>` for map entries).
fn item_lines(value: &Value, kind: SectionKind, src: &Source, key_at: usize) -> Vec<ListLine> {
    let mut texts: Vec<String> = Vec::new();
    match value {
        Value::Sequence(items) => texts.extend(items.iter().filter_map(scalar_string)),
        Value::Mapping(map) => texts.extend(map_items(map)),
        other => texts.extend(scalar_string(other)),
    }
    texts
        .into_iter()
        .map(|t| {
            let text = if matches!(kind, SectionKind::Depends | SectionKind::Supports) {
                slug_ref(&t)
            } else {
                t
            };
            // Point at the value where it is written, else at the key.
            let offset = src.text[key_at..]
                .find(text.as_str())
                .map_or(key_at, |i| key_at + i);
            ListLine { text, offset }
        })
        .collect()
}

fn map_items(map: &Mapping) -> Vec<String> {
    map.iter()
        .filter_map(|(k, v)| Some(format!("{}: {}", scalar_string(k)?, scalar_string(v)?)))
        .collect()
}

/// A bare slug (`winnt-services-rpcss`) stands for a link to that article.
fn slug_ref(text: &str) -> String {
    let t = text.trim();
    let is_slug = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && t.contains('-');
    if is_slug {
        let slug = t.trim_end_matches(".html");
        format!("[{slug}](/article/{slug}.html)")
    } else {
        t.to_string()
    }
}

/// Compares the two forms and reports every disagreement at the front matter key.
pub fn compare(
    src: &Source,
    fm: &FrontMatter,
    split: Split,
    form: &Service,
    body: &Service,
    diags: &mut Vec<Diagnostic>,
) {
    let base = fm.key_offset("service");
    // Only the facts the form gives can disagree: a key it leaves out is not
    // a claim that the section is empty.
    let given = |key: &str| {
        let alias = match key {
            "name" => "names",
            "process" => "processes",
            other => other,
        };
        matches!(&fm.service, Some(Value::Mapping(map)) if map.contains_key(key) || map.contains_key(alias))
    };
    let mut report = |key: &str, section: &str, a: String, b: String| {
        if given(key) && a != b {
            let at = nested_key_offset(&src.text, split, base, key).unwrap_or(base);
            diags.push(
                Diagnostic::at(Code::ServiceFormMismatch, src, at, format!("`service.{key}` says {a} but the `##### {section}` section says {b}"))
                    .help("give the facts once (front matter or body), or make both agree; the body's version is shown"),
            );
        }
    };
    if !form.names.is_empty() {
        report(
            "name",
            "Process Name:",
            format!("{:?}", form.names),
            format!("{:?}", body.names),
        );
    }
    report(
        "recommended",
        "Recommended State:",
        states(&form.recommended),
        states(&body.recommended),
    );
    report(
        "default",
        "Default State:",
        states(&form.default),
        states(&body.default),
    );
    report(
        "process",
        "Process Name:",
        processes(&form.processes),
        processes(&body.processes),
    );
    report(
        "depends",
        "Depends:",
        refs(&form.depends),
        refs(&body.depends),
    );
    report(
        "supports",
        "Supports:",
        refs(&form.supports),
        refs(&body.supports),
    );
}

fn scope_text<T>(item: &Item<T>) -> String {
    let ids: Vec<_> = item.scope.families().iter().map(|f| f.id()).collect();
    if ids.is_empty() {
        "all".into()
    } else {
        ids.join("/")
    }
}

fn states(items: &[Item<super::state::StateValue>]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match &i.value {
            Some(v) => format!("{}: {}", scope_text(i), v.short()),
            None => format!("{}: {}", scope_text(i), i.raw_value),
        })
        .collect();
    format!("`{}`", parts.join("; "))
}

fn processes(items: &[Item<super::process::Process>]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| {
            let p = i.value.clone().unwrap_or_default();
            format!(
                "{}: {} {} ({})",
                scope_text(i),
                p.image.unwrap_or_default(),
                p.args.unwrap_or_default(),
                p.name.unwrap_or_default()
            )
        })
        .collect();
    format!("`{}`", parts.join("; "))
}

fn refs(list: &RefList) -> String {
    match list {
        RefList::Items(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|i| i.value.as_ref())
                .map(|r| r.href.clone().unwrap_or_else(|| r.name.clone()))
                .collect();
            format!("`{}`", parts.join(", "))
        }
        other => format!("`{}`", other.kind()),
    }
}
