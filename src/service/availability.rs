//! On which Windows versions a service exists, and which item holds on each.
//!
//! An unlabeled item holds where the service exists, not on all seven
//! versions; where that is comes from evidence, strongest first, and every
//! version keeps its source so that pages can show an inference as one:
//! 1. stated: a `windows:` front matter field (`[xp, 2003]`, `XP+`, `Vista-7`);
//! 2. labelled: an OS label in Default, Recommended or Process (a Default item
//!    saying `Not available` for a whole version says it is not there);
//! 3. described: plain statements in the description (`- Win2k SP3+: ...`
//!    lines, "in Win2k3 this service", "introduced with Windows Vista",
//!    "removed in Windows 8", "Windows 7 only"), read conservatively;
//! 4. related: a qualifier on a Depends/Supports relation (`(WinNT4 only)`),
//!    this article's or another's that lists this service: a relation that
//!    holds on a version needs both of its services there;
//! 5. inferred: unlabeled items describe the Windows current when the article
//!    was written and later ones, up to the newest version any evidence names.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use jiff::civil::{date, Date};
use serde::Serialize;

use super::os::{parse_label, split_label, OsFamily, OsScope, OsTarget};
use super::state::{StartState, StateValue};
use super::{Item, Service};

/// A set of Windows families.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OsSet(u8);

impl OsSet {
    pub const EMPTY: OsSet = OsSet(0);

    fn bit(f: OsFamily) -> u8 {
        1 << (f as u8)
    }
    pub fn insert(&mut self, f: OsFamily) {
        self.0 |= Self::bit(f);
    }
    pub fn remove(&mut self, f: OsFamily) {
        self.0 &= !Self::bit(f);
    }
    pub fn contains(self, f: OsFamily) -> bool {
        self.0 & Self::bit(f) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The families as bits (NT4 lowest), as `impact` and graph-data.js carry them.
    pub fn bits(self) -> u8 {
        self.0
    }
    pub fn union(self, other: OsSet) -> OsSet {
        OsSet(self.0 | other.0)
    }
    pub fn iter(self) -> impl Iterator<Item = OsFamily> {
        OsFamily::ALL.into_iter().filter(move |&f| self.contains(f))
    }
    pub fn max(self) -> Option<OsFamily> {
        self.iter().last()
    }
    pub fn from_scope(scope: &OsScope) -> OsSet {
        let mut set = OsSet::EMPTY;
        for f in scope.families() {
            set.insert(f);
        }
        set
    }
    /// Every family from `from` to `to`, both included.
    pub fn range(from: OsFamily, to: OsFamily) -> OsSet {
        let mut set = OsSet::EMPTY;
        for f in OsFamily::ALL {
            if f >= from && f <= to {
                set.insert(f);
            }
        }
        set
    }
}

/// Where a version of a service's availability comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Stated,
    Labelled,
    Described,
    Related,
    Inferred,
}

impl Source {
    pub fn id(self) -> &'static str {
        match self {
            Source::Stated => "stated",
            Source::Labelled => "labelled",
            Source::Described => "described",
            Source::Related => "related",
            Source::Inferred => "inferred",
        }
    }
}

/// The first day each Windows counts as current for the guide's author: its
/// release to manufacturing, a few weeks to months before the retail release
/// (`RELEASED`), when the guide started describing it.
const RTM: [(OsFamily, Date); 7] = [
    (OsFamily::Nt4, date(1996, 7, 31)),
    (OsFamily::W2000, date(1999, 12, 15)),
    (OsFamily::Xp, date(2001, 8, 24)),
    (OsFamily::W2003, date(2003, 3, 28)),
    (OsFamily::Vista, date(2006, 11, 8)),
    (OsFamily::W7, date(2009, 7, 22)),
    (OsFamily::W8, date(2012, 8, 1)),
];

/// Retail release dates, shown to readers.
pub const RELEASED: [(OsFamily, &str); 7] = [
    (OsFamily::Nt4, "1996-07-29"),
    (OsFamily::W2000, "2000-02-17"),
    (OsFamily::Xp, "2001-10-25"),
    (OsFamily::W2003, "2003-04-24"),
    (OsFamily::Vista, "2007-01-30"),
    (OsFamily::W7, "2009-10-22"),
    (OsFamily::W8, "2012-10-26"),
];

/// The Windows current on `day`: the newest released to manufacturing by then.
pub fn current_on(day: Date) -> OsFamily {
    RTM.iter()
        .rev()
        .find(|(_, rtm)| *rtm <= day)
        .map_or(OsFamily::Nt4, |(f, _)| *f)
}

/// What one article says about where its service exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Evidence {
    /// From `windows:`; `None` when the article has no such field.
    pub stated: Option<OsSet>,
    /// Named by a label in Default, Recommended or Process.
    pub labelled: OsSet,
    /// Every Default item naming the whole version says `Not available`.
    pub unavailable: OsSet,
    /// Named by a statement in the description.
    pub described: OsSet,
    /// Ruled out by the description ("introduced with Vista" rules out XP).
    pub described_absent: OsSet,
    /// Named by a qualifier on this article's own Depends/Supports items.
    pub related: OsSet,
    /// Some Default item has no label (or there is none): it holds wherever
    /// the service exists, which inference then has to bound.
    pub unlabeled: bool,
    /// The Windows current when the article was written.
    pub written: Option<OsFamily>,
    /// Versions on which the article contradicts itself, and how.
    pub conflicts: Vec<(OsFamily, &'static str)>,
    /// The version the description says the service was introduced with.
    pub introduced: Option<OsFamily>,
}

/// One version of a service's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Version {
    #[serde(serialize_with = "family_id")]
    pub os: OsFamily,
    pub source: Source,
}

fn family_id<S: serde::Serializer>(f: &OsFamily, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.id())
}

/// The versions a service exists on, oldest first, each with its source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Availability(pub Vec<Version>);

impl Availability {
    pub fn source(&self, os: OsFamily) -> Option<Source> {
        self.0.iter().find(|v| v.os == os).map(|v| v.source)
    }
    pub fn contains(&self, os: OsFamily) -> bool {
        self.source(os).is_some()
    }
    pub fn families(&self) -> impl Iterator<Item = OsFamily> + '_ {
        self.0.iter().map(|v| v.os)
    }
    /// True when every version rests on inference alone.
    pub fn only_inferred(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(|v| v.source == Source::Inferred)
    }
}

impl Evidence {
    /// Combines this article's evidence with `related_elsewhere`, the versions
    /// other articles' relations to this service name.
    pub fn availability(&self, related_elsewhere: OsSet) -> Availability {
        let mut found: [Option<Source>; 7] = [None; 7];
        let mut mark = |set: OsSet, source: Source| {
            for f in set.iter() {
                found[f as usize].get_or_insert(source);
            }
        };
        if let Some(stated) = self.stated {
            mark(stated, Source::Stated);
            return collect(found);
        }
        mark(self.labelled, Source::Labelled);
        mark(self.described, Source::Described);
        let related = self.related.union(related_elsewhere);
        mark(related, Source::Related);
        if self.unlabeled {
            if let Some(written) = self.written {
                // Past the newest version any evidence names, the article says nothing.
                let named = self.labelled.union(self.described).union(related);
                let last = named
                    .iter()
                    .filter(|&f| f >= written)
                    .last()
                    .unwrap_or(OsFamily::W8);
                mark(OsSet::range(written, last), Source::Inferred);
            }
        }
        for f in OsFamily::ALL {
            // `Not available` in Default outweighs every other source; the
            // description's "introduced with"/"removed in" outweigh the weaker ones.
            let ruled_out = match found[f as usize] {
                Some(Source::Labelled | Source::Described) => self.unavailable.contains(f),
                Some(_) => self.unavailable.contains(f) || self.described_absent.contains(f),
                None => false,
            };
            if ruled_out {
                found[f as usize] = None;
            }
        }
        collect(found)
    }
}

fn collect(found: [Option<Source>; 7]) -> Availability {
    Availability(
        OsFamily::ALL
            .into_iter()
            .filter_map(|os| found[os as usize].map(|source| Version { os, source }))
            .collect(),
    )
}

/// Reads a `windows:` value: a list of versions or ranges (`xp`, `2003`,
/// `WinXP`, `XP+`, `Vista-7`, `WinNT4/Win2k`). Returns the set, or the entry
/// that could not be read.
pub fn parse_windows(entries: &[String]) -> Result<OsSet, String> {
    let mut set = OsSet::EMPTY;
    for entry in entries.iter().flat_map(|e| e.split(',')) {
        let e = entry.trim();
        if e.is_empty() {
            continue;
        }
        set = set.union(parse_windows_entry(e).ok_or_else(|| e.to_string())?);
    }
    Ok(set)
}

fn parse_windows_entry(e: &str) -> Option<OsSet> {
    let one = |s: &str| -> Option<OsFamily> {
        let s = s.trim();
        OsFamily::from_id(s).or_else(|| {
            let scope = parse_label(s)?;
            let fams = scope.families();
            (fams.len() == 1).then(|| fams[0])
        })
    };
    if let Some(from) = e.strip_suffix('+') {
        return Some(OsSet::range(one(from)?, OsFamily::W8));
    }
    if let Some((a, b)) = e.split_once('-') {
        let (a, b) = (one(a)?, one(b)?);
        return (a <= b).then(|| OsSet::range(a, b));
    }
    if let Some(f) = one(e) {
        let mut set = OsSet::EMPTY;
        set.insert(f);
        return Some(set);
    }
    parse_label(e).map(|scope| OsSet::from_scope(&scope))
}

/// Gathers one service article's evidence. `description` is its prose as
/// Markdown; `date` and `stated` come from the front matter.
pub fn evidence(
    service: &Service,
    date: Option<Date>,
    stated: Option<OsSet>,
    description: &str,
) -> Evidence {
    let mut ev = Evidence {
        stated,
        written: date.map(current_on),
        unlabeled: service.default.is_empty() || service.default.iter().any(|i| i.scope.is_all()),
        ..Evidence::default()
    };
    for item in service.recommended.iter().map(|i| &i.scope) {
        ev.labelled = ev.labelled.union(OsSet::from_scope(item));
    }
    for item in service.processes.iter().map(|i| &i.scope) {
        ev.labelled = ev.labelled.union(OsSet::from_scope(item));
    }
    // A version is unavailable when each Default item naming it, as a whole
    // version (no edition, no service pack), says `Not available`.
    let mut available_somewhere = OsSet::EMPTY;
    let mut whole_version_absent = OsSet::EMPTY;
    for item in &service.default {
        let not_there = item
            .value
            .as_ref()
            .is_some_and(|v| v.state == StartState::NotAvailable);
        for t in &item.scope.0 {
            let set = OsSet::from_scope(&OsScope(vec![t.clone()]));
            if !not_there {
                available_somewhere = available_somewhere.union(set);
            } else if t.editions.is_empty() && t.sp.is_none() {
                whole_version_absent = whole_version_absent.union(set);
            }
        }
    }
    for f in whole_version_absent.iter() {
        if !available_somewhere.contains(f) {
            ev.unavailable.insert(f);
        }
    }
    for list in [&service.depends, &service.supports] {
        for item in list.items() {
            if let Some(r) = &item.value {
                ev.related = ev.related.union(OsSet::from_scope(&r.scope));
            }
        }
    }
    read_description(description, &mut ev);
    // Checked before Default's own labels join: those cannot contradict it.
    let conflicts_with_default = ev.labelled;
    ev.labelled = ev.labelled.union(available_somewhere);
    for f in OsFamily::ALL {
        let conflict = if ev.unavailable.contains(f) && conflicts_with_default.contains(f) {
            Some("Default State says `Not available`, but a Recommended State or Process Name item is labelled with it")
        } else if ev.stated.is_some_and(|s| !s.contains(f))
            && ev.labelled.union(available_somewhere).contains(f)
        {
            Some("a label names it, but `windows:` leaves it out")
        } else if ev.stated.is_some_and(|s| s.contains(f)) && ev.unavailable.contains(f) {
            Some("`windows:` names it, but Default State says `Not available`")
        } else if ev.described_absent.contains(f) && ev.labelled.contains(f) {
            Some("a label names it, but the description rules it out")
        } else {
            None
        };
        if let Some(why) = conflict {
            ev.conflicts.push((f, why));
        }
    }
    ev
}

/// The conservative reading of the description: lines that start with an OS
/// label, and a few plain statements about the service.
fn read_description(text: &str, ev: &mut Evidence) {
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            let labelled = split_label(item.trim());
            if labelled.label.is_some() {
                ev.described = ev.described.union(OsSet::from_scope(&labelled.scope));
            }
        }
    }
    // Most descriptions hold no trigger and no " only": then no sentence of
    // them does (each is a piece of the text), and splitting is skipped.
    let statement = FINDER
        .find_overlapping_iter(text)
        .any(|m| m.pattern().as_usize() != SERVICE_PATTERN);
    if statement {
        for sentence in sentences(text) {
            read_sentence(sentence, ev);
        }
    }
    if let Some(first) = ev.introduced {
        for f in OsFamily::ALL.into_iter().filter(|&f| f >= first) {
            if !ev.described_absent.contains(f) {
                ev.described.insert(f);
            }
        }
    }
}

/// What follows a version that a sentence says the service exists on alone.
const ONLY: &str = " only";
const SERVICE: &str = "service";
/// The pattern number of `SERVICE` in [`FINDER`] (after the triggers).
const SERVICE_PATTERN: usize = TRIGGERS.len();

/// Every trigger, "service" and " only", in any case, in one pass.
static FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let patterns = TRIGGERS.iter().map(|(t, _)| *t).chain([SERVICE, ONLY]);
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(patterns)
        .expect("fixed patterns")
});

/// The statements of one sentence: a trigger phrase followed by a version
/// ("introduced with Vista"), or a version followed by " only".
fn read_sentence(sentence: &str, ev: &mut Evidence) {
    let mut about_service = false;
    let mut after_triggers = Vec::new();
    let mut onlys = Vec::new();
    for m in FINDER.find_overlapping_iter(sentence) {
        match m.pattern().as_usize() {
            i if i < TRIGGERS.len() => after_triggers.push((TRIGGERS[i].1, m.end())),
            SERVICE_PATTERN => about_service = true,
            _ => onlys.push(m.start()),
        }
    }
    for (meaning, start) in after_triggers {
        if meaning.needs_service_word() && !about_service {
            continue;
        }
        let Some(at) = os_at(&sentence[start..]) else {
            continue;
        };
        match meaning {
            // "Note in Windows Vista this service has been replaced by …":
            // gone from that version on. Only said of the whole version
            // (no edition, no service pack), right after it, and with no
            // condition after ("… is not available on 64-bit systems").
            Meaning::There if !at.part && service_is_gone(&sentence[start + at.end..]) => {
                Meaning::Removed.apply(at.os, at.later, ev)
            }
            _ => meaning.apply(at.os, at.later, ev),
        }
    }
    // "Windows 7 only": the version comes before the trigger.
    if about_service || sentence.trim_start().len() < 40 {
        for end in onlys {
            // `(Windows 7 only)`, `Windows 7 only.`, not `WinXP only uses`.
            let closes = sentence[end + ONLY.len()..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, ')' | ',' | '.' | ';' | ':'));
            if !closes {
                continue;
            }
            if let Some((os, start)) = os_before(&sentence[..end]) {
                if !follows_a_link(&sentence[..start]) {
                    Meaning::Only.apply(os, false, ev);
                }
            }
        }
    }
}

/// What "this service" (or "the service") is said to be when a version no
/// longer has it: passive verbs after a form of "be", or a state. Read only
/// right after the subject: "this service replaced the old one" and "… no
/// longer needs the Workstation service" keep the service there.
const GONE_PASSIVE: &[&str] = &[
    "replaced",
    "removed",
    "superseded",
    "dropped",
    "retired",
    "discontinued",
];
const GONE_STATE: &[&str] = &[
    "gone",
    "missing",
    "no longer available",
    "no longer included",
    "no longer present",
    "no longer part of",
    "not available",
    "not included",
    "not present",
    "not part of",
    "isn't available",
    "isn't included",
    "isn't present",
    "isn't part of",
];
const BE: &[&str] = &[
    "has been",
    "had been",
    "have been",
    "has now been",
    "was",
    "were",
    "is now",
    "is",
];

fn service_is_gone(after_version: &str) -> bool {
    let lower = after_version.trim_start().to_ascii_lowercase();
    ["this service ", "the service "]
        .iter()
        .any(|subject| lower.strip_prefix(subject).is_some_and(gone_after_subject))
}

/// `rest` follows "this service ": "has been replaced …", "is gone",
/// "isn't included", "doesn't exist", and nothing after that limits it
/// (only "by …", "with …", "in favour of …", "anymore").
fn gone_after_subject(rest: &str) -> bool {
    let gone = |text: &str, list: &[&str]| {
        list.iter()
            .any(|w| text.strip_prefix(w).is_some_and(nothing_limits))
    };
    gone(
        rest,
        &["doesn't exist", "does not exist", "no longer exists"],
    ) || gone(rest, GONE_STATE)
        || BE
            .iter()
            .filter_map(|be| rest.strip_prefix(be)?.strip_prefix(' '))
            .any(|after| gone(after, GONE_PASSIVE) || gone(after, GONE_STATE))
}

/// Whether what follows a "gone" phrase leaves it whole: the end, or what
/// replaced the service.
fn nothing_limits(more: &str) -> bool {
    let more = more.trim_end();
    more.is_empty()
        || more.starts_with(['.', '!', ';'])
        || [
            " by ",
            " with ",
            " in favour of ",
            " in favor of ",
            " anymore",
            " any more",
        ]
        .iter()
        .any(|w| more.starts_with(w))
}

/// Whether the parenthesis that `before` ends in follows a link
/// (`[Foo](/article/foo.html) (WinXP only)`): the qualifier is the link's.
fn follows_a_link(before: &str) -> bool {
    let Some(b) = before.trim_end().strip_suffix('(') else {
        return false;
    };
    // `](destination)`: the `)` closes a link's destination, with no space in it.
    let Some(inner) = b.trim_end().strip_suffix(')') else {
        return false;
    };
    inner
        .rfind("](")
        .is_some_and(|at| !inner[at + 2..].contains(char::is_whitespace))
}

#[derive(Clone, Copy)]
enum Meaning {
    /// "in Win2k3 this service": the service is there.
    There,
    /// "introduced with Vista": there, and not before.
    Introduced,
    /// "removed in Windows 8": not there, nor after.
    Removed,
    /// "Windows 7 only" / "only on Windows 7": there and nowhere else.
    Only,
}

impl Meaning {
    fn needs_service_word(self) -> bool {
        !matches!(self, Meaning::There)
    }

    fn apply(self, os: OsFamily, later: bool, ev: &mut Evidence) {
        match self {
            Meaning::There => {
                ev.described.insert(os);
            }
            Meaning::Introduced => {
                // There from this version on (until the description says removed):
                // the later versions are added once every statement is read.
                ev.described.insert(os);
                ev.introduced = Some(ev.introduced.map_or(os, |f: OsFamily| f.min(os)));
                for f in OsFamily::ALL.into_iter().filter(|&f| f < os) {
                    ev.described_absent.insert(f);
                }
            }
            Meaning::Removed => {
                for f in OsFamily::ALL.into_iter().filter(|&f| f >= os) {
                    ev.described_absent.insert(f);
                }
            }
            Meaning::Only => {
                ev.described.insert(os);
                for f in OsFamily::ALL {
                    if f != os && !(later && f > os) {
                        ev.described_absent.insert(f);
                    }
                }
            }
        }
    }
}

const TRIGGERS: &[(&str, Meaning)] = &[
    ("note in ", Meaning::There),
    ("introduced in ", Meaning::Introduced),
    ("introduced with ", Meaning::Introduced),
    ("first appeared in ", Meaning::Introduced),
    ("new in ", Meaning::Introduced),
    ("new with ", Meaning::Introduced),
    ("removed in ", Meaning::Removed),
    ("removed from ", Meaning::Removed),
    ("removed completely in ", Meaning::Removed),
    ("removed entirely in ", Meaning::Removed),
    ("no longer exists in ", Meaning::Removed),
    ("no longer available in ", Meaning::Removed),
    ("no longer included in ", Meaning::Removed),
    ("only available in ", Meaning::Only),
    ("only available on ", Meaning::Only),
    ("only exists in ", Meaning::Only),
    ("only exists on ", Meaning::Only),
];

/// Sentences of the prose: split at `.`, `!`, `?` before a space or line end,
/// and at blank lines and list items.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .flat_map(|para| para.split("\n- "))
        .flat_map(|para| para.split(". ").flat_map(|s| s.split("! ")))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A version named in a sentence ([`os_at`]).
struct Named {
    os: OsFamily,
    /// "and later" or `+` follows it.
    later: bool,
    /// It names an edition or a service pack: part of the version.
    part: bool,
    /// Where its name ends.
    end: usize,
}

/// The Windows version named at the start of `text` (`Windows Vista`,
/// `Win2k3 SP1`, `XP`), with whether "and later" or `+` follows it. Whole
/// words only: `Win7-based` is not `Win7`.
fn os_at(text: &str) -> Option<Named> {
    let words: Vec<(usize, &str)> = word_ends(text).take(4).collect();
    for &(end, _) in words.iter().rev() {
        let phrase = text[..end].trim_end_matches([',', ';', ':', ')', '.']);
        if let Some(scope) = parse_label(phrase) {
            // "Windows Vista this service" reads as Vista with the edition
            // "this service": the version ends before words that name none.
            if let [target] = scope.0.as_slice() {
                if !target
                    .editions
                    .iter()
                    .all(|e| super::os::names_an_edition(e))
                {
                    continue;
                }
                let rest = text[end..].to_ascii_lowercase();
                let rest = rest.trim_start();
                let later = target.and_later
                    || rest.starts_with("and later")
                    || rest.starts_with("and newer")
                    || rest.starts_with("or later");
                return Some(Named {
                    os: target.family,
                    later,
                    part: target.sp.is_some() || !target.editions.is_empty(),
                    end,
                });
            }
        }
    }
    None
}

/// The version named right before `text` ends ("... Windows 7" + " only"),
/// and where its name starts.
fn os_before(text: &str) -> Option<(OsFamily, usize)> {
    let text = text.trim_end();
    let starts: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| c == ' ' || c == '(' || i == 0)
        .map(|(i, c)| {
            if i == 0 && c != ' ' && c != '(' {
                0
            } else {
                i + 1
            }
        })
        .collect();
    for &start in starts.iter().rev().take(3) {
        if let Some(scope) = parse_label(&text[start..]) {
            if let [target] = scope.0.as_slice() {
                return Some((target.family, start));
            }
        }
    }
    None
}

/// Byte offsets just past each of the first words of `text`.
fn word_ends(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = &text[pos..];
        let start = rest.len() - rest.trim_start().len();
        let word_len = rest[start..]
            .find(|c: char| c.is_whitespace())
            .unwrap_or(rest.len() - start);
        if word_len == 0 {
            return None;
        }
        let end = pos + start + word_len;
        let word = &text[pos + start..end];
        pos = end;
        Some((end, word))
    })
}

/// The items of `items` that hold on `os`: those whose label names it
/// (editions and service packs included), or else the unlabeled ones. Only
/// for versions the service exists on (see [`Availability`]).
pub fn items_on<T>(items: &[Item<T>], os: OsFamily) -> Vec<&Item<T>> {
    let labelled: Vec<&Item<T>> = items
        .iter()
        .filter(|i| !i.scope.is_all() && i.scope.covers(os))
        .collect();
    if labelled.is_empty() {
        items.iter().filter(|i| i.scope.is_all()).collect()
    } else {
        labelled
    }
}

/// Whether the state `items` give on `os` is an assumption: the version is
/// known only from another article's relation (`source`), and only unlabelled
/// items hold there. Pages mark it as an inference.
pub fn assumed_on<T>(items: &[Item<T>], os: OsFamily, source: Source) -> bool {
    let holding = items_on(items, os);
    source == Source::Related && !holding.is_empty() && holding.iter().all(|i| i.scope.is_all())
}

/// The item that speaks for `os` in a one-state-per-version view, among those
/// that hold there: not a `Not available` edition while others exist (the
/// service is on the version), then the newest service pack (`WinXP SP2:
/// Disabled` over `WinXP: Automatic`: the version as it stands), then the
/// whole version over a full edition over a home one (`WinXP Pro: Automatic`
/// over `WinXP Home: Manual`: the home editions are the cut-down ones), then
/// the first written.
pub fn state_on(items: &[Item<StateValue>], os: OsFamily) -> Option<&Item<StateValue>> {
    let holding = items_on(items, os);
    let exists = |i: &&Item<StateValue>| {
        i.value
            .as_ref()
            .is_none_or(|v| v.state != StartState::NotAvailable)
    };
    let candidates: Vec<&Item<StateValue>> = if holding.iter().any(exists) {
        holding.iter().copied().filter(exists).collect()
    } else {
        holding
    };
    let sp = |i: &Item<StateValue>| i.scope.target(os).and_then(|t| t.sp).unwrap_or(0);
    let newest = candidates.iter().map(|i| sp(i)).max()?;
    candidates
        .into_iter()
        .filter(|i| sp(i) == newest)
        .min_by_key(|i| edition_rank(i.scope.target(os)))
}

/// 0 for a whole version (no edition named), 1 for a full edition, 2 for a
/// home one (`Home`, `Home Basic`, `Premium`, `Starter`, `Media Center`).
fn edition_rank(target: Option<&OsTarget>) -> u8 {
    let Some(t) = target.filter(|t| !t.editions.is_empty()) else {
        return 0;
    };
    let home = |e: &String| {
        let e = e.to_ascii_lowercase();
        ["home", "basic", "premium", "starter", "media center"]
            .iter()
            .any(|w| e.contains(w))
    };
    if t.editions.iter().all(home) {
        2
    } else {
        1
    }
}

/// A versions set written the way `windows:` takes it (`XP+`, `2000-2003`, `nt4, xp`).
pub fn windows_line(families: impl Iterator<Item = OsFamily>) -> String {
    let fams: Vec<OsFamily> = families.collect();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < fams.len() {
        let mut j = i;
        while j + 1 < fams.len() && fams[j + 1] as u8 == fams[j] as u8 + 1 {
            j += 1;
        }
        let (a, b) = (fams[i], fams[j]);
        parts.push(if a == b {
            a.id().to_string()
        } else if b == OsFamily::W8 {
            format!("{}+", a.id())
        } else {
            format!("{}-{}", a.id(), b.id())
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use OsFamily::*;

    fn set(fams: &[OsFamily]) -> OsSet {
        let mut s = OsSet::EMPTY;
        for &f in fams {
            s.insert(f);
        }
        s
    }

    #[test]
    fn the_current_windows_follows_release_to_manufacturing() {
        assert_eq!(current_on(date(2000, 6, 6)), W2000);
        assert_eq!(current_on(date(1999, 12, 14)), Nt4);
        assert_eq!(current_on(date(1999, 12, 15)), W2000);
        assert_eq!(current_on(date(2009, 9, 20)), W7);
        assert_eq!(current_on(date(2012, 7, 31)), W7);
        assert_eq!(current_on(date(1990, 1, 1)), Nt4);
        assert_eq!(current_on(date(2020, 1, 1)), W8);
    }

    #[test]
    fn windows_values() {
        let s = |v: &[&str]| parse_windows(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            s(&["xp", "2003", "vista", "7"]),
            Ok(set(&[Xp, W2003, Vista, W7]))
        );
        assert_eq!(s(&["XP+"]), Ok(set(&[Xp, W2003, Vista, W7, W8])));
        assert_eq!(s(&["Vista-7"]), Ok(set(&[Vista, W7])));
        assert_eq!(s(&["WinNT4/Win2k", "Win8"]), Ok(set(&[Nt4, W2000, W8])));
        assert_eq!(s(&["nt4, 2000"]), Ok(set(&[Nt4, W2000])));
        assert_eq!(s(&["Windows 95"]), Err("Windows 95".to_string()));
        assert_eq!(s(&["7-Vista"]), Err("7-Vista".to_string()));
    }

    #[test]
    fn windows_lines_round_trip() {
        for fams in [
            vec![Xp, W2003, Vista, W7, W8],
            vec![Nt4, W2000, W2003],
            vec![Vista, W7],
            vec![W8],
        ] {
            let line = windows_line(fams.iter().copied());
            assert_eq!(
                parse_windows(std::slice::from_ref(&line)),
                Ok(set(&fams)),
                "{line}"
            );
        }
        assert_eq!(windows_line([Xp, W2003, Vista, W7, W8].into_iter()), "xp+");
        assert_eq!(
            windows_line([Nt4, W2000, W2003].into_iter()),
            "nt4-2000, 2003"
        );
    }

    #[test]
    fn descriptions_read_conservatively() {
        let read = |text: &str| {
            let mut ev = Evidence::default();
            read_description(text, &mut ev);
            (ev.described, ev.described_absent)
        };
        assert_eq!(read("- Win2k SP3+: open the applet").0, set(&[W2000]));
        assert_eq!(
            read("Note in Win2k3 this service runs as Network Service.").0,
            set(&[W2003])
        );
        let (there, absent) = read("This service was introduced with Windows Vista.");
        assert_eq!(
            (there, absent),
            (set(&[Vista, W7, W8]), set(&[Nt4, W2000, Xp, W2003]))
        );
        let (there, absent) = read(
            "This service was introduced with Windows Vista. The service was removed in Windows 8.",
        );
        assert_eq!(
            (there, absent),
            (set(&[Vista, W7]), set(&[Nt4, W2000, Xp, W2003, W8]))
        );
        let (there, absent) = read("The service was removed in Windows 8.");
        assert_eq!((there, absent), (OsSet::EMPTY, set(&[W8])));
        let (there, absent) = read("This service is Windows 7 only.");
        assert_eq!(there, set(&[W7]));
        assert!(absent.contains(Vista) && absent.contains(W8));
        // Not about the service, or not a version: nothing.
        assert_eq!(
            read("A feature introduced with Windows Vista."),
            (OsSet::EMPTY, OsSet::EMPTY)
        );
        assert_eq!(
            read("See the Windows XP help. It only works sometimes."),
            (OsSet::EMPTY, OsSet::EMPTY)
        );
        assert_eq!(
            read("The search on WinXP only uses the Indexing Service when told to."),
            (OsSet::EMPTY, OsSet::EMPTY)
        );
        assert_eq!(
            read("A service for tablets (Windows 7 only).").0,
            set(&[W7])
        );
        assert_eq!(
            read("The service is new in version 2.0."),
            (OsSet::EMPTY, OsSet::EMPTY)
        );
        // A note that the service is gone, or a version limit of another
        // service, says nothing of where this one is.
        // A note that the service is gone from a version: not there, nor later.
        for gone in [
            "Note in Windows Vista this service has been replaced by the Broker.",
            "Note in Windows Vista this service was dropped.",
            "Note in Windows Vista this service isn't available.",
            "Note in Windows Vista this service is gone.",
            "Note in Windows Vista this service doesn't exist anymore.",
            "Note in Windows Vista this service is no longer included.",
            "Note in Windows Vista the service was retired in favour of the Broker.",
        ] {
            assert_eq!(read(gone), (OsSet::EMPTY, set(&[Vista, W7, W8])), "{gone}");
        }
        // Still there: other verbs, other subjects, an edition, a service pack.
        for there in [
            "Note in Windows XP this service is not started by default.",
            "Note in Windows XP this service no longer needs the Workstation service.",
            "Note in Windows XP this service replaced the older Broker service.",
            "Note in Windows XP this service is disabled, because it is no longer needed.",
            "Note in Windows XP the old settings can be removed with the registry editor.",
            "Note in Windows XP this service is not available on the Home Edition.",
            "Note in Windows XP this service starts Help, which replaced the Help Desk tool.",
            "Note in Windows XP SP2 this service was replaced by the Windows Firewall.",
        ] {
            assert_eq!(read(there), (set(&[Xp]), OsSet::EMPTY), "{there}");
        }
        // Conditions, editions and other clauses keep the version.
        for kept in [
            "Note in Windows XP Home this service isn't available.",
            "Note in Windows XP this service runs at boot; in Windows Vista this service has been replaced by the Broker.",
            "Note in Windows XP this service is not available before SP2 is installed.",
            "Note in Windows XP the service has been replaced in Windows Vista by the Broker.",
            "Note in Windows 7 this service is not included in the N versions.",
            "Note in Windows 7 this service is not available on 64-bit systems.",
        ] {
            assert!(read(kept).0.iter().next().is_some(), "{kept}");
            assert_eq!(read(kept).1, OsSet::EMPTY, "{kept}");
        }
        assert_eq!(
            read("This service (Tablet PC) (WinXP only) keeps pens calibrated.").0,
            set(&[Xp])
        );
        // `(WinXP only)` after a link qualifies the link.
        assert_eq!(
            read("This service works with [the broker](/article/b.html) (WinXP only)."),
            (OsSet::EMPTY, OsSet::EMPTY)
        );
        for own in [
            "The Tablet Pen Service (WinXP only) keeps the pens calibrated.",
            "This service keeps the pens calibrated over USB (WinXP only).",
        ] {
            assert_eq!(read(own).0, set(&[Xp]), "{own}");
        }
    }

    #[test]
    fn inference_runs_from_the_written_version_to_the_newest_named() {
        let ev = Evidence {
            unlabeled: true,
            written: Some(W2000),
            described: set(&[W2003]),
            ..Evidence::default()
        };
        let a = ev.availability(OsSet::EMPTY);
        assert_eq!(
            a.0,
            vec![
                Version {
                    os: W2000,
                    source: Source::Inferred
                },
                Version {
                    os: Xp,
                    source: Source::Inferred
                },
                Version {
                    os: W2003,
                    source: Source::Described
                },
            ]
        );
        // Nothing named after the written version: every later one.
        let ev = Evidence {
            unlabeled: true,
            written: Some(Vista),
            ..Evidence::default()
        };
        assert_eq!(
            ev.availability(OsSet::EMPTY).families().collect::<Vec<_>>(),
            [Vista, W7, W8]
        );
        assert!(ev.availability(OsSet::EMPTY).only_inferred());
        // Related evidence from another article counts, and extends the bound.
        let a = ev.availability(set(&[Nt4]));
        assert_eq!(a.source(Nt4), Some(Source::Related));
        assert!(!a.only_inferred());
        // No date: no inference.
        let ev = Evidence {
            unlabeled: true,
            ..Evidence::default()
        };
        assert!(ev.availability(OsSet::EMPTY).0.is_empty());
    }

    #[test]
    fn labels_and_not_available() {
        let ev = Evidence {
            labelled: set(&[W2000, W2003]),
            unavailable: set(&[Xp]),
            unlabeled: true,
            written: Some(W2000),
            ..Evidence::default()
        };
        let fams: Vec<_> = ev.availability(OsSet::EMPTY).families().collect();
        assert_eq!(fams, [W2000, W2003], "XP is ruled out, the bound is 2003");
        let stated = Evidence {
            stated: Some(set(&[Xp])),
            ..ev.clone()
        };
        assert_eq!(
            stated.availability(set(&[W8])).0,
            vec![Version {
                os: Xp,
                source: Source::Stated
            }]
        );
        // `Not available` outweighs a Process label.
        let ev = Evidence {
            labelled: set(&[Xp, W2003]),
            ..ev
        };
        let fams: Vec<_> = ev.availability(OsSet::EMPTY).families().collect();
        assert_eq!(fams, [W2000, W2003]);
    }
}
