//! The typed service record, parsed from the six `#####` sections of an article
//! (or from a `service:` front matter map, see `form`). Parse leniently: every
//! item keeps its raw text, and what cannot be typed becomes a diagnostic.

pub mod availability;
pub mod form;
pub mod label_hint;
pub mod os;
pub mod process;
pub mod refs;
pub mod sections;
pub mod state;

use std::ops::Range;

use crate::diag::{Code, Diagnostic};
use crate::source::Source;
use os::{split_label, OsScope};
use process::{parse_process, Process};
use refs::{list_kind, parse_ref, Ref, RefList};
use sections::{list_items, ListLine, SectionKind};
use state::{parse_state, StateValue};

/// One list item: where it holds, what it says typed (if it could be), and as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<T> {
    pub scope: OsScope,
    /// The OS label as written (`Win8/Win7/Vista`).
    pub label: Option<String>,
    pub value: Option<T>,
    /// The item as written, after the `- `.
    pub raw: String,
    /// The value part of `raw` (after the label), Markdown kept.
    pub raw_value: String,
    /// Byte offset of `raw` in the source.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub names: Vec<String>,
    pub recommended: Vec<Item<StateValue>>,
    pub default: Vec<Item<StateValue>>,
    pub processes: Vec<Item<Process>>,
    pub supports: RefList,
    pub depends: RefList,
    /// Markdown ranges shown as the article's prose: the description, then any
    /// unknown sections (heading included) so that no text is dropped.
    pub prose: Vec<Range<usize>>,
    /// Lines in list sections that are not items, rendered under their fact.
    pub strays: Vec<(SectionKind, ListLine)>,
    /// What the article says about the Windows versions the service exists on.
    pub evidence: availability::Evidence,
}

impl Service {
    fn empty() -> Service {
        Service {
            names: vec![],
            recommended: vec![],
            default: vec![],
            processes: vec![],
            supports: RefList::Items(vec![]),
            depends: RefList::Items(vec![]),
            prose: vec![],
            strays: vec![],
            evidence: availability::Evidence::default(),
        }
    }

    /// Unique short names from the process items, in order of first appearance.
    fn collect_names(&mut self) {
        for item in &self.processes {
            if let Some(name) = item.value.as_ref().and_then(|p| p.name.as_ref()) {
                if !self.names.contains(name) {
                    self.names.push(name.clone());
                }
            }
        }
    }
}

/// Parses the body of a service article that starts at `body_start`.
pub fn parse_body(src: &Source, body_start: usize, diags: &mut Vec<Diagnostic>) -> Service {
    let text = &src.text;
    let split = sections::split(text, body_start);
    let mut service = Service::empty();
    if !text[split.preamble.clone()].trim().is_empty() {
        service.prose.push(split.preamble.clone());
    }
    let mut seen: Vec<SectionKind> = Vec::new();
    let written: Vec<SectionKind> = split.sections.iter().filter_map(|s| s.kind).collect();
    for section in &split.sections {
        let Some(kind) = section.kind else {
            // A misspelt heading of a section the article lacks (`Suports`) is
            // read as that section: its list keeps its meaning.
            let meant = sections::suggest(&section.heading)
                .filter(|k| !written.contains(k) && !seen.contains(k));
            diags.push(unknown_section(src, section, meant));
            match meant {
                Some(kind) => {
                    seen.push(kind);
                    if kind == SectionKind::Description {
                        service.prose.push(section.content.clone());
                    } else {
                        list_section(&mut service, src, section, kind, diags);
                    }
                }
                // Shown as part of the description.
                None => service
                    .prose
                    .push(section.heading_start..section.content.end),
            }
            continue;
        };
        check_heading(src, section, kind, &seen, diags);
        seen.push(kind);
        if kind == SectionKind::Description {
            service.prose.push(section.content.clone());
        } else {
            list_section(&mut service, src, section, kind, diags);
        }
    }
    for kind in SectionKind::ALL {
        if !seen.contains(&kind) {
            diags.push(
                Diagnostic::at(
                    Code::SectionMissing,
                    src,
                    missing_at(text, &split, kind),
                    format!("missing section `{}`", kind.heading()),
                )
                .help(format!(
                    "add a `##### {}` section ({})",
                    kind.heading(),
                    empty_help(kind)
                )),
            );
        }
    }
    service.collect_names();
    service
}

/// Where a missing section belongs: at the heading of the first section that
/// follows it in the house order, else at the end of the text's last line (a
/// text's closing newline would put it on a line past the file's end).
fn missing_at(text: &str, split: &sections::Sections, kind: SectionKind) -> usize {
    let after = split
        .sections
        .iter()
        .find(|s| s.kind.is_some_and(|k| k > kind));
    match after {
        Some(section) => section.heading_start,
        None => text.trim_end().len(),
    }
}

/// A `#####` heading that names none of the six sections, with a guess;
/// `read_as`: the section it is read as meanwhile.
fn unknown_section(
    src: &Source,
    section: &sections::Section,
    read_as: Option<SectionKind>,
) -> Diagnostic {
    let d = Diagnostic::at(
        Code::SectionUnknown,
        src,
        section.heading_start,
        format!("unknown section heading `{}`", section.heading),
    );
    match (read_as, sections::suggest(&section.heading)) {
        (Some(k), _) => d.help(format!(
            "did you mean `##### {}`? It is read as that section meanwhile",
            k.heading()
        )),
        (None, Some(k)) => d.help(format!("did you mean `##### {}`?", k.heading())),
        (None, None) => d.help("the six sections are Description, Recommended State, Default State, Process Name, Supports, Depends; the text is shown as part of the description"),
    }
}

/// How a known section's heading is written: as a heading, once, in the
/// house order (`seen`: the sections before it).
fn check_heading(
    src: &Source,
    section: &sections::Section,
    kind: SectionKind,
    seen: &[SectionKind],
    diags: &mut Vec<Diagnostic>,
) {
    if section.loose {
        diags.push(
            Diagnostic::at(
                Code::SectionMissing,
                src,
                section.heading_start,
                format!(
                    "`{}` is not written as a `##### {}` heading; it is read as one",
                    src.text[section.heading_start..section.content.start].trim(),
                    kind.heading()
                ),
            )
            .help(format!("write the line as `##### {}`", kind.heading())),
        );
    }
    if seen.contains(&kind) {
        diags.push(
            Diagnostic::at(
                Code::SectionDuplicate,
                src,
                section.heading_start,
                format!("section `{}` appears a second time", kind.heading()),
            )
            .help("merge the two sections into one; both are kept meanwhile"),
        );
    } else if let Some(&after) = seen.iter().find(|&&k| k > kind) {
        diags.push(
            Diagnostic::at(Code::SectionOrder, src, section.heading_start, format!("section `{}` comes after `{}`", kind.heading(), after.heading()))
                .help("keep the house order: Description, Recommended State, Default State, Process Name, Supports, Depends"),
        );
    }
}

/// A list section's items, typed into the service; its stray lines kept
/// and reported, an empty list reported.
fn list_section(
    service: &mut Service,
    src: &Source,
    section: &sections::Section,
    kind: SectionKind,
    diags: &mut Vec<Diagnostic>,
) {
    let (items, strays) = list_items(&src.text, section.content.clone());
    for stray in &strays {
        diags.push(
            Diagnostic::at(
                Code::ListStrayText,
                src,
                stray.offset,
                format!("text in `{}` that is not a `- ` list item", kind.heading()),
            )
            .help("start the line with `- ` to make it an item; it is shown as written meanwhile"),
        );
    }
    service.strays.extend(strays.into_iter().map(|s| (kind, s)));
    if items.is_empty() {
        diags.push(
            Diagnostic::at(
                Code::SectionEmpty,
                src,
                section.heading_start,
                format!("section `{}` has no items", kind.heading()),
            )
            .help(empty_help(kind)),
        );
    }
    add_items(service, kind, &items, src, diags);
}

fn empty_help(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Description => "describe what the service does",
        SectionKind::Recommended => "add an item such as `- Manual, if ...`",
        SectionKind::Default => "add items such as `- WinXP: Automatic`",
        SectionKind::Process => "add an item such as `- svchost.exe -k netsvcs (ShortName)`",
        SectionKind::Supports | SectionKind::Depends => "list linked services, or write `- None`",
    }
}

/// Types the items of one list section and appends them to the service.
fn add_items(
    service: &mut Service,
    kind: SectionKind,
    items: &[ListLine],
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) {
    match kind {
        SectionKind::Recommended | SectionKind::Default => {
            let typed = items
                .iter()
                .map(|line| typed_item(line, src, diags, parse_state_checked));
            let list = if kind == SectionKind::Default {
                &mut service.default
            } else {
                &mut service.recommended
            };
            list.extend(typed);
        }
        SectionKind::Process => {
            let typed = items
                .iter()
                .map(|line| typed_item(line, src, diags, parse_process_checked));
            service.processes.extend(typed);
        }
        SectionKind::Supports | SectionKind::Depends => {
            let split = one_service_each(items, src, diags);
            let items = split.as_deref().unwrap_or(items);
            let texts: Vec<&str> = items.iter().map(|l| l.text.as_str()).collect();
            let list = match list_kind(&texts) {
                Some(kind) => kind,
                None => RefList::Items(
                    items
                        .iter()
                        .map(|line| typed_item(line, src, diags, parse_ref_checked))
                        .collect(),
                ),
            };
            let slot = if kind == SectionKind::Supports {
                &mut service.supports
            } else {
                &mut service.depends
            };
            *slot = match (std::mem::replace(slot, RefList::Items(vec![])), list) {
                (RefList::Items(mut a), RefList::Items(b)) => {
                    a.extend(b);
                    RefList::Items(a)
                }
                (_, other) => other,
            };
        }
        SectionKind::Description => {}
    }
}

/// Supports/Depends items, one service each: an item that links several
/// (`[RPC](…), [Telephony](…)`) is read as one item per link, and reported.
/// `None` when every item links one (the items stand as they are: no copy of
/// every list of every article).
fn one_service_each(
    items: &[ListLine],
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<ListLine>> {
    if items
        .iter()
        .all(|l| refs::further_links(&l.text).is_empty())
    {
        return None;
    }
    let mut out = Vec::with_capacity(items.len() + 1);
    for line in items {
        let starts = refs::further_links(&line.text);
        if starts.is_empty() {
            out.push(line.clone());
            continue;
        }
        diags.push(
            Diagnostic::at(
                Code::RefSeveral,
                src,
                line.offset + starts[0],
                format!("this item links {} services", starts.len() + 1),
            )
            .help(
                "give each service its own `- ` item; each link is read as its own item meanwhile",
            ),
        );
        // Offsets into the text hold where the item is one line as written;
        // an item joined from several lines points each part at its start.
        let as_written = src.text[line.offset..].starts_with(line.text.as_str());
        let mut parts: Vec<ListLine> = Vec::new();
        let mut from = 0;
        for end in starts.iter().copied().chain([line.text.len()]) {
            let part = &line.text[from..end];
            let text = part
                .trim_end()
                .trim_end_matches([',', ';', '/', '&'])
                .trim_end();
            let text = text.strip_suffix(" and").unwrap_or(text);
            parts.push(ListLine {
                text: text.to_string(),
                offset: line.offset + if as_written { from } else { 0 },
            });
            from = end;
        }
        // `[E](…) / [F](…) (Vista+)`: a qualifier after the last link only is
        // read as the whole item's.
        let last = parts
            .last()
            .and_then(|p| parse_ref(&p.text))
            .and_then(|r| r.qualifier);
        if let Some(q) = last {
            for part in parts.iter_mut().rev().skip(1) {
                if parse_ref(&part.text).is_some_and(|r| r.qualifier.is_none()) {
                    part.text = format!("{} ({q})", part.text);
                }
            }
        }
        out.extend(parts);
    }
    Some(out)
}

type ValueParser<T> = fn(&str, usize, &Source, &mut Vec<Diagnostic>) -> Option<T>;

/// Splits off the label and types the value; a value that cannot be typed stays raw.
pub fn typed_item<T>(
    line: &ListLine,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
    parse: ValueParser<T>,
) -> Item<T> {
    let labelled = split_label(&line.text);
    if labelled.label.is_none() {
        if let Some(unknown) = label_hint::unknown_label(&line.text) {
            let d = Diagnostic::at(
                Code::OsLabelUnknown,
                src,
                line.offset,
                format!("`{}` is not a known Windows version label", unknown.label),
            );
            diags.push(d.help(match unknown.suggestion {
                Some(h) => format!("did you mean `{h}`? Labels are WinNT4, Win2k, WinXP, Win2k3, Vista, Win7, Win8 (with editions, SPn, `+`)"),
                None => "labels are WinNT4, Win2k, WinXP, Win2k3, Vista, Win7, Win8, joined by `/`".to_string(),
            }));
            // The value after it is checked for its own problems (one mistake,
            // one diagnostic); the item's data is read as before, label and all.
            let value = &line.text[unknown.value_offset..];
            let _ = parse(value, line.offset + unknown.value_offset, src, diags);
            return Item {
                value: parse(labelled.value, line.offset, src, &mut Vec::new()),
                scope: labelled.scope,
                label: None,
                raw: line.text.clone(),
                raw_value: labelled.value.to_string(),
                offset: line.offset,
            };
        }
    }
    if let Some((word, meant)) = os::misspelled_version(&labelled.scope) {
        diags.push(
            Diagnostic::at(
                Code::OsLabelUnknown,
                src,
                line.offset,
                format!("`{word}` is not a known Windows version label; it is read as an edition of the version before it"),
            )
            .help(format!("did you mean `{meant}`? Labels are WinNT4, Win2k, WinXP, Win2k3, Vista, Win7, Win8 (with editions, SPn, `+`)")),
        );
    }
    label_slips(&labelled.scope, src, line.offset, diags);
    let value_offset = line.offset + labelled.value_offset;
    Item {
        value: parse(labelled.value, value_offset, src, diags),
        scope: labelled.scope,
        label: labelled.label.map(str::to_string),
        raw: line.text.clone(),
        raw_value: labelled.value.to_string(),
        offset: line.offset,
    }
}

/// A misspelt edition (`Win7 Ultmate`) or a service pack the version never
/// had (`WinXP SP4`): the label is read as written, and the slip reported.
fn label_slips(scope: &OsScope, src: &Source, offset: usize, diags: &mut Vec<Diagnostic>) {
    if let Some((word, meant)) = os::misspelled_edition(scope) {
        diags.push(
            Diagnostic::at(
                Code::OsLabelUnknown,
                src,
                offset,
                format!("`{word}` is not a Windows edition; it is shown as written"),
            )
            .help(format!("did you mean `{}`?", capitalised(meant))),
        );
    }
    if let Some((family, sp, last)) = os::impossible_service_pack(scope) {
        let had = match last {
            0 => format!("{} had no service pack", family.name()),
            n => format!("the last service pack of {} was SP{n}", family.name()),
        };
        diags.push(
            Diagnostic::at(
                Code::OsLabelUnknown,
                src,
                offset,
                format!("{} had no SP{sp}", family.name()),
            )
            .help(format!("{had}; correct the label")),
        );
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn parse_state_checked(
    value: &str,
    offset: usize,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<StateValue> {
    let parsed = parse_state(value);
    if parsed.is_none() {
        let mut d = Diagnostic::at(
            Code::StateUnknown,
            src,
            offset,
            format!("`{}` does not start with a state word", first_words(value)),
        );
        d = match state::suggest(value) {
            Some(s) => d.help(format!("did you mean `{s}`? States are Automatic, Manual, Disabled, Not installed, Not available")),
            None => d.help("start the value with Automatic, Manual, Disabled, Not installed or Not available"),
        };
        diags.push(d);
    }
    parsed
}

fn parse_process_checked(
    value: &str,
    offset: usize,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Process> {
    let p = parse_process(value);
    if p.name.is_none() {
        diags.push(
            Diagnostic::at(
                Code::ProcessNoName,
                src,
                offset,
                format!("process `{}` names no service", first_words(value)),
            )
            .help("add the service's short name in parentheses, e.g. `spoolsv.exe (Spooler)`"),
        );
    }
    (p.image.is_some() || p.name.is_some()).then_some(p)
}

fn parse_ref_checked(
    value: &str,
    offset: usize,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Ref> {
    let r = parse_ref(value);
    if r.is_none() {
        diags.push(
            Diagnostic::at(Code::RefEmpty, src, offset, "empty Supports/Depends item")
                .help("write a linked service name, e.g. `[Event Log](/article/winnt-services-eventlog.html)`, or remove the item"),
        );
    }
    r
}

fn first_words(s: &str) -> String {
    crate::text::truncate_words(s.trim(), 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depends_of(items: &str) -> (Vec<(String, Option<String>)>, Vec<Diagnostic>) {
        let text = format!("##### Depends:\n\n{items}\n");
        let src = Source::from_text("a.md", std::path::Path::new("a.md"), &text);
        let mut diags = Vec::new();
        let service = parse_body(&src, 0, &mut diags);
        let refs = service
            .depends
            .items()
            .iter()
            .filter_map(|i| i.value.as_ref())
            .map(|r| (r.name.clone(), r.qualifier.clone()))
            .collect();
        diags.retain(|d| d.code == Code::RefSeveral);
        (refs, diags)
    }

    /// The default state a one-state-per-version view shows on `os`.
    fn default_on(items: &str, os: os::OsFamily) -> Option<state::StartState> {
        let text = format!("##### Default State:\n\n{items}\n");
        let src = Source::from_text("a.md", std::path::Path::new("a.md"), &text);
        let service = parse_body(&src, 0, &mut Vec::new());
        let item = availability::state_on(&service.default, os)?;
        item.value.as_ref().map(|v| v.state)
    }

    #[test]
    fn a_version_shows_its_whole_or_full_edition_before_a_home_one() {
        use os::OsFamily::*;
        use state::StartState::*;
        let xp = "- WinXP Home: Manual\n- WinXP Pro: Automatic";
        assert_eq!(default_on(xp, Xp), Some(Automatic));
        let vista = "- Vista Home Basic/Home Premium: Disabled\n- Vista Business/Ultimate: Manual";
        assert_eq!(default_on(vista, Vista), Some(Manual));
        // The whole version over an edition; else the first written.
        let whole = "- WinXP Pro: Automatic\n- WinXP: Manual";
        assert_eq!(default_on(whole, Xp), Some(Manual));
        let two_full = "- Win2k3 Web: Disabled\n- Win2k3 Enterprise: Manual";
        assert_eq!(default_on(two_full, W2003), Some(Disabled));
        // The newest service pack still comes first.
        let sp = "- WinXP Pro: Automatic\n- WinXP Home SP2: Disabled";
        assert_eq!(default_on(sp, Xp), Some(Disabled));
    }

    #[test]
    fn an_item_of_several_links_is_one_item_each() {
        let (refs, diags) = depends_of("- [E](/e.html) / [F](/f.html) (Vista+)");
        assert_eq!(
            refs,
            [
                ("E".to_string(), Some("Vista+".to_string())),
                ("F".to_string(), Some("Vista+".to_string()))
            ]
        );
        assert_eq!(diags.len(), 1);
        // Two names of one service stay one item, without a warning.
        let (refs, diags) =
            depends_of("- [Directory Replicator](/n.html) / [File Replication](/n.html)");
        assert_eq!(refs.len(), 1);
        assert!(diags.is_empty());
    }
}
