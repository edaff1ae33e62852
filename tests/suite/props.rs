//! Property tests for the parsers (issue 8).
//!
//! 1. Nothing panics, whatever the text.
//! 2. Nothing is lost: every byte of a list section ends up in an item's raw text,
//!    a stray line, or is a list marker; the sections tile the body; an item's raw
//!    text is exactly what the author wrote after the `- `.
//! 3. Round trips: typed values written in the house format by a generator read
//!    back as the same typed values, both through the parser and through a real
//!    `svcguide build` and its services.json.

use crate::common;

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config as PropConfig;
use serde_json::Value;
use svcguide::frontmatter;
use svcguide::page::{self, Page};
use svcguide::service::os::{parse_label, split_label, OsFamily, OsScope, OsTarget};
use svcguide::service::process::parse_process;
use svcguide::service::refs::{parse_ref, RefList};
use svcguide::service::sections::{list_items, split};
use svcguide::service::state::{parse_state, StartState};
use svcguide::service::{parse_body, Item};
use svcguide::source::Source;

// ---------------------------------------------------------------------------
// Generators of typed values, and how the house format writes them.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Target {
    family: OsFamily,
    /// Index into the family's spellings (0 = the canonical `WinXP` form).
    spelling: usize,
    editions: Vec<&'static str>,
    sp: Option<u8>,
    and_later: bool,
}

/// Ways authors spell each family; the last ones are short forms that only count
/// after a `/` (they inherit the `Win` of the OS before them).
fn spellings(f: OsFamily) -> (&'static [&'static str], &'static [&'static str]) {
    match f {
        OsFamily::Nt4 => (&["WinNT4", "Windows NT4", "Win NT4"], &["NT4"]),
        OsFamily::W2000 => (&["Win2k", "Windows 2000", "Win2000"], &["2k", "2000"]),
        OsFamily::Xp => (&["WinXP", "Windows XP", "Win XP"], &["XP", "Xp"]),
        OsFamily::W2003 => (&["Win2k3", "Windows Server 2003", "Win2003"], &["2k3"]),
        OsFamily::Vista => (&["Vista", "Windows Vista", "WinVista"], &[]),
        OsFamily::W7 => (&["Win7", "Windows 7", "Win 7"], &["7"]),
        OsFamily::W8 => (&["Win8", "Windows 8"], &["8"]),
    }
}

const EDITIONS: &[&str] = &[
    "Pro",
    "Srv.",
    "Home Basic",
    "Business",
    "Ultimate",
    "Enterprise",
    "Datacenter",
];

fn family() -> impl Strategy<Value = OsFamily> {
    prop::sample::select(OsFamily::ALL.to_vec())
}

fn target() -> impl Strategy<Value = Target> {
    (
        family(),
        0usize..8,
        prop::collection::vec(prop::sample::select(EDITIONS), 0..3),
        prop::option::of(0u8..5),
        any::<bool>(),
    )
        .prop_map(|(family, spelling, mut editions, sp, and_later)| {
            editions.dedup();
            // `Vista+` is only written without editions (`Vista Business+` is an edition word).
            let and_later = and_later && (sp.is_some() || editions.is_empty());
            Target {
                family,
                spelling,
                editions,
                sp,
                and_later,
            }
        })
}

fn write_target(t: &Target, first: bool) -> String {
    let (long, short) = spellings(t.family);
    let names: Vec<&str> = if first {
        long.to_vec()
    } else {
        long.iter().chain(short).copied().collect()
    };
    let mut s = names[t.spelling % names.len()].to_string();
    if let Some(e) = t.editions.first() {
        s.push(' ');
        s.push_str(e);
    }
    if let Some(sp) = t.sp {
        s.push_str(&format!(" SP{sp}"));
    }
    if t.and_later {
        s.push('+');
    }
    for e in t.editions.iter().skip(1) {
        s.push('/');
        s.push_str(e);
    }
    s
}

fn write_label(targets: &[Target]) -> String {
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| write_target(t, i == 0))
        .collect::<Vec<_>>()
        .join(if targets.len() % 2 == 0 { "/" } else { r"\\" })
}

fn expected_scope(targets: &[Target]) -> OsScope {
    OsScope(
        targets
            .iter()
            .map(|t| OsTarget {
                family: t.family,
                editions: t.editions.iter().map(|e| e.to_string()).collect(),
                sp: t.sp,
                and_later: t.and_later,
            })
            .collect(),
    )
}

fn label() -> impl Strategy<Value = Vec<Target>> {
    prop::collection::vec(target(), 1..4).prop_filter("labels are at most 80 bytes", |t| {
        write_label(t).len() <= 80
    })
}

#[derive(Debug, Clone)]
struct State {
    state: StartState,
    case: u8,
    qualifier: Option<String>,
    condition: Option<String>,
    dot: bool,
}

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z][a-z0-9]{0,8}", 1..max).prop_map(|w| w.join(" "))
}

fn state() -> impl Strategy<Value = State> {
    (
        prop::sample::select(StartState::ALL.to_vec()),
        0u8..3,
        prop::option::of(prop_oneof![
            Just("Delayed Start".to_string()),
            Just("Trigger Start - FIREWALL PORT EVENT".to_string()),
            Just("Not Started".to_string()),
            words(4),
        ]),
        prop::option::of(prop_oneof![
            words(6).prop_map(|w| format!("if {w}")),
            (words(3), words(3)).prop_map(|(a, b)| format!("if {a} ({b})")),
        ]),
        any::<bool>(),
    )
        .prop_map(|(state, case, qualifier, condition, dot)| State {
            state,
            case,
            qualifier,
            condition,
            dot,
        })
}

fn write_state(s: &State) -> String {
    let word = match s.case {
        0 => s.state.label().to_string(),
        1 => s.state.label().to_lowercase(),
        _ => s.state.label().to_uppercase(),
    };
    let mut out = word;
    if let Some(q) = &s.qualifier {
        out.push_str(&format!(" ({q})"));
    }
    if let Some(c) = &s.condition {
        out.push_str(&format!(", {c}"));
    }
    if s.dot {
        out.push('.');
    }
    out
}

#[derive(Debug, Clone)]
struct Proc {
    image: String,
    args: Option<String>,
    group: Option<String>,
    name: Option<String>,
    note: Option<String>,
    link: bool,
}

fn process() -> impl Strategy<Value = Proc> {
    (
        "[a-zA-Z][a-zA-Z0-9]{0,10}\\.exe",
        prop::option::of(prop_oneof![
            "[a-zA-Z]{3,12}".prop_map(|g| (format!("-k {g}"), Some(g))),
            "[0-9a-f]{8}".prop_map(|id| (format!("/processid:{{{id}}}"), None)),
            Just(("-service".to_string(), None)),
        ]),
        prop::option::of("[A-Za-z][A-Za-z0-9_]{0,12}( [A-Z][a-z]{1,6})?"),
        prop::option::of(Just("System User".to_string())),
        any::<bool>(),
    )
        .prop_map(|(image, args, name, note, link)| Proc {
            image,
            group: args.as_ref().and_then(|a| a.1.clone()),
            args: args.map(|a| a.0),
            note: note.filter(|_| name.is_some()),
            name,
            link,
        })
}

fn write_process(p: &Proc) -> String {
    let mut exe = p.image.clone();
    if let Some(a) = &p.args {
        exe.push(' ');
        exe.push_str(a);
    }
    let mut out = if p.link {
        format!("[{exe}](/article/fx-wrapper.html)")
    } else {
        exe
    };
    if let Some(n) = &p.name {
        // The house format escapes underscores.
        out.push_str(&format!(" ({}", n.replace('_', r"\_")));
        if let Some(note) = &p.note {
            out.push_str(&format!(", {note}"));
        }
        out.push(')');
    }
    out
}

#[derive(Debug, Clone)]
struct RefV {
    name: String,
    slug: Option<String>,
    qualifier: Option<&'static str>,
}

fn reference() -> impl Strategy<Value = RefV> {
    (
        "[A-Z][a-z]{2,8}( [A-Z][a-z]{1,8}){0,3}",
        prop::option::of("[a-z][a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}"),
        prop::option::of(prop::sample::select(
            &[
                "Vista+",
                "WinXP only",
                "Unofficial",
                "If IIS installed",
                "WinNT4 name",
                "WinXP only, Unofficial",
            ][..],
        )),
    )
        .prop_filter("None and Everything are list words", |(n, _, _)| {
            !matches!(n.to_lowercase().as_str(), "none" | "everything")
        })
        .prop_map(|(name, slug, qualifier)| RefV {
            name,
            slug,
            qualifier,
        })
}

fn write_ref(r: &RefV) -> String {
    let mut out = match &r.slug {
        Some(slug) => format!("[{}](/article/{slug}.html)", r.name),
        None => r.name.clone(),
    };
    if let Some(q) = r.qualifier {
        out.push_str(&format!(" ({q})"));
    }
    out
}

fn sep() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&[": ", " : ", " - "][..])
}

/// A list item with an optional label.
fn labelled<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = (Option<Vec<Target>>, &'static str, T)> {
    (prop::option::of(label()), sep(), value)
}

fn write_item<T>(item: &(Option<Vec<Target>>, &str, T), write: fn(&T) -> String) -> String {
    match &item.0 {
        Some(l) => format!("{}{}{}", write_label(l), item.1, write(&item.2)),
        None => write(&item.2),
    }
}

fn scope_of(label: &Option<Vec<Target>>) -> OsScope {
    label.as_deref().map(expected_scope).unwrap_or_default()
}

/// The releases in order, written out here rather than taken from `OsFamily`'s
/// own ordering, so the expectations below do not share the code under test.
const RELEASE_ORDER: [OsFamily; 7] = [
    OsFamily::Nt4,
    OsFamily::W2000,
    OsFamily::Xp,
    OsFamily::W2003,
    OsFamily::Vista,
    OsFamily::W7,
    OsFamily::W8,
];

/// The families a generated label covers, in the order written: each target's
/// family, and with `+` (and no service pack) every later release. An unlabelled
/// item (no targets) covers every release.
fn expected_families(targets: Option<&[Target]>) -> Vec<OsFamily> {
    let Some(targets) = targets.filter(|t| !t.is_empty()) else {
        return RELEASE_ORDER.to_vec();
    };
    let rank = |f: OsFamily| RELEASE_ORDER.iter().position(|&g| g == f).unwrap();
    let mut out = Vec::new();
    for t in targets {
        let later = t.and_later && t.sp.is_none();
        for f in RELEASE_ORDER {
            if (f == t.family || (later && rank(f) > rank(t.family))) && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// What each qualifier the reference generator writes means, by hand.
fn qualifier_expected(q: Option<&str>) -> OsScope {
    let on = |family, and_later| {
        expected_scope(&[Target {
            family,
            spelling: 0,
            editions: Vec::new(),
            sp: None,
            and_later,
        }])
    };
    match q {
        None | Some("Unofficial" | "If IIS installed") => OsScope::default(),
        Some("Vista+") => on(OsFamily::Vista, true),
        Some("WinXP only" | "WinXP only, Unofficial") => on(OsFamily::Xp, false),
        Some("WinNT4 name") => on(OsFamily::Nt4, false),
        Some(other) => panic!("no hand-written scope for the qualifier {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Checks shared by the parser and the build round trips.
// ---------------------------------------------------------------------------

fn check_state(got: &Item<svcguide::service::state::StateValue>, want: &State) {
    let v = got.value.as_ref().expect("typed");
    assert_eq!(v.state, want.state, "{got:?}");
    assert_eq!(v.qualifier, want.qualifier, "{got:?}");
    assert_eq!(v.condition, want.condition, "{got:?}");
}

fn check_process(got: &svcguide::service::process::Process, want: &Proc) {
    assert_eq!(got.image.as_deref(), Some(want.image.as_str()), "{got:?}");
    assert_eq!(got.args, want.args, "{got:?}");
    assert_eq!(got.group, want.group, "{got:?}");
    assert_eq!(got.name, want.name, "{got:?}");
    assert_eq!(got.note, want.note, "{got:?}");
    assert_eq!(
        got.link.is_some(),
        want.link,
        "{got:?} should be linked: {}",
        want.link
    );
}

fn check_ref(got: &svcguide::service::refs::Ref, want: &RefV) {
    assert_eq!(got.name, want.name);
    assert_eq!(
        got.href,
        want.slug.as_ref().map(|s| format!("/article/{s}.html"))
    );
    assert_eq!(got.qualifier.as_deref(), want.qualifier);
    assert_eq!(got.scope, qualifier_expected(want.qualifier));
}

// ---------------------------------------------------------------------------
// 1 + 2: never panic, lose nothing.
// ---------------------------------------------------------------------------

/// Lines that look like the guide's bodies, and some that do not.
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("##### Description:".to_string()),
        2 => prop::sample::select(&["Recommended State:", "Default state", "Proces name:", "Supports", "Depends:", "Bogus:"][..]).prop_map(|h| format!("##### {h}")),
        4 => "[-*+] [ -~]{0,30}".prop_map(|s| s.to_string()),
        1 => Just("-".to_string()),
        2 => "  [ -~]{0,20}",
        2 => "[ -~]{0,30}",
        1 => Just("```".to_string()),
        1 => Just(String::new()),
        1 => "[ \t]{1,3}",
        1 => "\\PC{0,10}",
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(body_line(), 0..30).prop_map(|l| l.join("\n"))
}

fn non_blank(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

proptest! {
    #![proptest_config(PropConfig { cases: 512, ..PropConfig::default() })]

    #[test]
    fn parsers_never_panic(s in "\\PC{0,200}") {
        let _ = frontmatter::split(&s);
        let src = Source::from_text("a.md", Path::new("a.md"), &s);
        let _ = frontmatter::parse(&src, &mut Vec::new());
        let _ = page::parse(src.clone(), &mut Vec::new());
        let _ = parse_body(&src, 0, &mut Vec::new());
        let l = split_label(&s);
        prop_assert_eq!(&s[l.value_offset..], l.value);
        let _ = parse_label(&s);
        let _ = parse_state(&s);
        let _ = parse_process(&s);
        let _ = parse_ref(&s);
        let _ = svcguide::repair::repair(&s);
    }

    #[test]
    fn covers_and_families_match_the_generated_targets(targets in prop::collection::vec(target(), 0..4)) {
        let scope = expected_scope(&targets);
        let want = expected_families(Some(&targets));
        for f in RELEASE_ORDER {
            prop_assert_eq!(scope.covers(f), want.contains(&f), "{:?} on {:?}", scope, f);
        }
        if !targets.is_empty() {
            prop_assert_eq!(scope.families(), want, "{:?}", scope);
        }
    }

    #[test]
    fn sections_tile_the_body_and_lists_lose_nothing(text in body(), start in 0usize..64) {
        let mut body_start = start.min(text.len());
        while !text.is_char_boundary(body_start) {
            body_start -= 1;
        }
        let s = split(&text, body_start);
        prop_assert_eq!(s.preamble.start, body_start);
        let mut pos = s.preamble.end;
        for section in &s.sections {
            prop_assert_eq!(section.heading_start, pos);
            let heading_line = &text[section.heading_start..section.content.start];
            // A loose heading (`#### Description:` before the first section) is
            // any line that names a section.
            prop_assert!(section.loose || heading_line.trim_start().starts_with("#####"));
            prop_assert!(heading_line.contains(section.heading.as_str()));
            pos = section.content.end;
        }
        prop_assert_eq!(pos, text.len());
        for section in &s.sections {
            let (items, strays) = list_items(&text, section.content.clone());
            let kept: usize = items.iter().map(|i| non_blank(&i.text) + 1).sum::<usize>()
                + strays.iter().map(|s| non_blank(&s.text)).sum::<usize>();
            prop_assert_eq!(kept, non_blank(&text[section.content.clone()]));
        }
    }

    #[test]
    fn items_keep_their_raw_text(text in body()) {
        let full = format!("---\ntitle: x\n---\n{text}");
        let src = Source::from_text("a.md", Path::new("a.md"), &full);
        let service = parse_body(&src, 16, &mut Vec::new());
        let s = split(&full, 16);
        let mut raws: Vec<String> = Vec::new();
        for section in s.sections.iter().filter(|s| s.kind.is_some_and(|k| k.is_list())) {
            raws.extend(list_items(&full, section.content.clone()).0.into_iter().map(|l| l.text));
        }
        raws.sort();
        let mut got: Vec<String> = Vec::new();
        fn take<T>(items: &[Item<T>], got: &mut Vec<String>) -> Result<(), TestCaseError> {
            for i in items {
                prop_assert!(i.raw.ends_with(&i.raw_value), "{:?}", (&i.raw, &i.raw_value));
                if let Some(label) = &i.label {
                    prop_assert!(i.raw.starts_with(label.as_str()));
                } else {
                    prop_assert_eq!(&i.raw, &i.raw_value);
                }
                got.push(i.raw.clone());
            }
            Ok(())
        }
        take(&service.recommended, &mut got)?;
        take(&service.default, &mut got)?;
        take(&service.processes, &mut got)?;
        for list in [&service.supports, &service.depends] {
            match list {
                RefList::Items(items) => take(items, &mut got)?,
                // A lone `None`/`Everything` item is typed as the whole list.
                RefList::None => got.push(raws.iter().find(|r| r.trim_end_matches('.').eq_ignore_ascii_case("none")).cloned().unwrap_or_default()),
                RefList::Everything => got.push(raws.iter().find(|r| r.trim_end_matches('.').eq_ignore_ascii_case("everything")).cloned().unwrap_or_default()),
            }
        }
        got.sort();
        prop_assert_eq!(got, raws);
        for range in &service.prose {
            prop_assert!(range.start <= range.end && range.end <= full.len());
        }
    }

    #[test]
    fn repair_offsets_stay_in_bounds_and_monotonic(s in "(\\PC|\n|\\[x\\]\\(u \"|\"\\)|> \\*|\\*|: - |\\{\\{|\\}\\}| \\| relative_url){0,40}") {
        let r = svcguide::repair::repair(&s);
        let mut last = 0;
        for o in 0..=r.text.len() {
            let m = r.original(o);
            prop_assert!(m <= s.len() && m >= last, "original({}) = {} (last {}, len {})", o, m, last, s.len());
            last = m;
        }
        prop_assert_eq!(r.original(r.text.len()), s.len());
    }
}

// ---------------------------------------------------------------------------
// 3: typed values → house format → typed values.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(PropConfig { cases: 1024, ..PropConfig::default() })]

    #[test]
    fn os_labels_round_trip(targets in label()) {
        let text = write_label(&targets);
        prop_assert_eq!(parse_label(&text), Some(expected_scope(&targets)), "{}", text);
    }

    #[test]
    fn states_round_trip(item in labelled(state())) {
        let text = write_item(&item, write_state);
        let l = split_label(&text);
        prop_assert_eq!(&l.scope, &scope_of(&item.0), "{}", text);
        let v = parse_state(l.value).expect("a state");
        let want = &item.2;
        prop_assert_eq!(v.state, want.state, "{}", text);
        prop_assert_eq!(&v.qualifier, &want.qualifier, "{}", text);
        prop_assert_eq!(&v.condition, &want.condition, "{}", text);
    }

    #[test]
    fn processes_round_trip(item in labelled(process())) {
        let text = write_item(&item, write_process);
        let l = split_label(&text);
        prop_assert_eq!(&l.scope, &scope_of(&item.0), "{}", text);
        check_process(&parse_process(l.value), &item.2);
    }

    #[test]
    fn refs_round_trip(r in reference()) {
        let text = write_ref(&r);
        check_ref(&parse_ref(&text).expect("a ref"), &r);
    }
}

#[derive(Debug, Clone)]
struct Article {
    slug: String,
    title: String,
    recommended: Vec<(Option<Vec<Target>>, &'static str, State)>,
    default: Vec<(Option<Vec<Target>>, &'static str, State)>,
    processes: Vec<(Option<Vec<Target>>, &'static str, Proc)>,
    depends: Vec<RefV>,
    supports: Vec<RefV>,
}

fn article() -> impl Strategy<Value = Article> {
    (
        "[a-z]{3,10}",
        "[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8}){0,3}",
        prop::collection::vec(labelled(state()), 1..3),
        prop::collection::vec(labelled(state()), 1..5),
        prop::collection::vec(labelled(process()), 1..3),
        prop::collection::vec(reference(), 0..4),
        prop::collection::vec(reference(), 0..3),
    )
        .prop_map(
            |(slug, title, recommended, default, processes, depends, supports)| Article {
                slug: format!("fx-{slug}"),
                title,
                recommended,
                default,
                processes,
                depends,
                supports,
            },
        )
}

fn write_article(a: &Article) -> String {
    let mut out = format!(
        "---\ntitle: '{}'\nstatus: publish\npermalink: /article/{}.html\ncategory:\n    - 'Services Guide'\n---\n##### Description:\nGenerated for a property test.\n\n##### Recommended State:\n",
        a.title, a.slug
    );
    let list = |out: &mut String, lines: Vec<String>| {
        if lines.is_empty() {
            out.push_str("- None\n");
        }
        for l in lines {
            out.push_str(&format!("- {l}\n"));
        }
        out.push('\n');
    };
    list(
        &mut out,
        a.recommended
            .iter()
            .map(|i| write_item(i, write_state))
            .collect(),
    );
    out.push_str("##### Default State:\n");
    list(
        &mut out,
        a.default
            .iter()
            .map(|i| write_item(i, write_state))
            .collect(),
    );
    out.push_str("##### Process Name:\n");
    list(
        &mut out,
        a.processes
            .iter()
            .map(|i| write_item(i, write_process))
            .collect(),
    );
    out.push_str("##### Supports:\n");
    list(&mut out, a.supports.iter().map(write_ref).collect());
    out.push_str("##### Depends:\n");
    list(&mut out, a.depends.iter().map(write_ref).collect());
    out.trim_end().to_string()
}

fn parse_article(text: &str) -> Page {
    let src = Source::from_text("a.md", Path::new("a.md"), text);
    let mut diags = Vec::new();
    page::parse(src, &mut diags).unwrap_or_else(|| panic!("{diags:?}\n{text}"))
}

fn check_refs(list: &RefList, want: &[RefV]) {
    if want.is_empty() {
        assert_eq!(list, &RefList::None);
        return;
    }
    let items = list.items();
    assert_eq!(items.len(), want.len());
    for (got, want) in items.iter().zip(want) {
        check_ref(got.value.as_ref().expect("typed"), want);
    }
}

proptest! {
    #![proptest_config(PropConfig { cases: 256, ..PropConfig::default() })]

    /// Articles written by a generator parse back to the values it wrote.
    #[test]
    fn articles_round_trip_through_the_parser(a in article()) {
        let text = write_article(&a);
        let page = parse_article(&text);
        let s = page.service().expect("a service");
        prop_assert_eq!(s.recommended.len(), a.recommended.len());
        for (got, want) in s.recommended.iter().zip(&a.recommended) {
            prop_assert_eq!(&got.scope, &scope_of(&want.0), "{}", got.raw);
            check_state(got, &want.2);
        }
        prop_assert_eq!(s.default.len(), a.default.len());
        for (got, want) in s.default.iter().zip(&a.default) {
            prop_assert_eq!(&got.scope, &scope_of(&want.0), "{}", got.raw);
            check_state(got, &want.2);
        }
        prop_assert_eq!(s.processes.len(), a.processes.len());
        for (got, want) in s.processes.iter().zip(&a.processes) {
            prop_assert_eq!(&got.scope, &scope_of(&want.0), "{}", got.raw);
            check_process(got.value.as_ref().expect("typed"), &want.2);
        }
        check_refs(&s.depends, &a.depends);
        check_refs(&s.supports, &a.supports);
        // Every item's raw text is the line as written.
        for item in &s.default {
            let line = format!("- {}", item.raw);
            let found = text.lines().any(|l| l == line);
            prop_assert!(found, "{:?} is not a line of the article", line);
        }
    }
}

/// The same round trip through a real build: write a site of generated articles,
/// run `svcguide build`, and compare services.json with the generated values.
#[test]
fn articles_round_trip_through_services_json() {
    let mut runner = proptest::test_runner::TestRunner::new(PropConfig {
        cases: 6,
        ..PropConfig::default()
    });
    let site = prop::collection::vec(article(), 1..12).prop_map(|mut v| {
        v.sort_by(|a, b| a.slug.cmp(&b.slug));
        v.dedup_by(|a, b| a.slug == b.slug);
        v
    });
    runner
        .run(&site, |articles| {
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            std::fs::create_dir_all(&content).unwrap();
            for a in &articles {
                std::fs::write(
                    content.join(format!("{}.html.md", a.slug)),
                    write_article(a),
                )
                .unwrap();
            }
            let built = common::build_dir(&content, &["--quiet"]);
            let services = common::services_by_slug(&built.out);
            prop_assert_eq!(services.len(), articles.len(), "{}", built.stderr());
            for a in &articles {
                let got = &services[&a.slug];
                prop_assert_eq!(got["title"].as_str(), Some(a.title.as_str()));
                let states = |key: &str, want: &[(Option<Vec<Target>>, &str, State)]| {
                    let items = got[key].as_array().unwrap();
                    assert_eq!(items.len(), want.len());
                    for (g, w) in items.iter().zip(want) {
                        let os: Vec<&str> = if w.0.is_some() {
                            expected_families(w.0.as_deref())
                                .iter()
                                .map(|f| f.id())
                                .collect()
                        } else {
                            Vec::new()
                        };
                        assert_eq!(g["os"], serde_json::json!(os));
                        assert_eq!(g["state"].as_str(), Some(w.2.state.id()));
                        assert_eq!(g["qualifier"].as_str(), w.2.qualifier.as_deref());
                        assert_eq!(g["condition"].as_str(), w.2.condition.as_deref());
                        assert_eq!(
                            g["text"].as_str(),
                            Some(write_item(w, write_state).as_str())
                        );
                    }
                };
                states("recommended", &a.recommended);
                states("default", &a.default);
                let procs = got["processes"].as_array().unwrap();
                prop_assert_eq!(procs.len(), a.processes.len());
                for (g, w) in procs.iter().zip(&a.processes) {
                    let p = &w.2;
                    prop_assert_eq!(g["image"].as_str(), Some(p.image.as_str()));
                    prop_assert_eq!(g["args"].as_str(), p.args.as_deref());
                    prop_assert_eq!(g["group"].as_str(), p.group.as_deref());
                    prop_assert_eq!(g["name"].as_str(), p.name.as_deref());
                    prop_assert_eq!(g["note"].as_str(), p.note.as_deref());
                }
                let refs = |key: &str, want: &[RefV]| {
                    let list = &got[key];
                    if want.is_empty() {
                        assert_eq!(list["kind"], "none");
                        return;
                    }
                    let items = list["items"].as_array().unwrap();
                    assert_eq!(items.len(), want.len());
                    for (g, w) in items.iter().zip(want) {
                        assert_eq!(g["name"].as_str(), Some(w.name.as_str()));
                        assert_eq!(g["slug"].as_str(), w.slug.as_deref());
                        assert_eq!(g["qualifier"].as_str(), w.qualifier);
                        assert_eq!(
                            g["exists"],
                            Value::Bool(
                                w.slug
                                    .as_ref()
                                    .is_some_and(|s| articles.iter().any(|a| &a.slug == s))
                            )
                        );
                    }
                };
                refs("depends", &a.depends);
                refs("supports", &a.supports);
            }
            Ok(())
        })
        .unwrap();
}
