//! The OS label grammar: `Win8/Win7/Vista`, `Win2k Srv.`, `WinXP SP2+`,
//! `Vista Business/Ultimate`, `WinNT4/2k/XP`, `Win7\\Vista\\WinXP`, `Vista+`.

use serde::Serialize;

/// The Windows families the guide covers, oldest first (the order matters for `+`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum OsFamily {
    Nt4,
    W2000,
    Xp,
    W2003,
    Vista,
    W7,
    W8,
}

impl OsFamily {
    pub const ALL: [OsFamily; 7] = [
        OsFamily::Nt4,
        OsFamily::W2000,
        OsFamily::Xp,
        OsFamily::W2003,
        OsFamily::Vista,
        OsFamily::W7,
        OsFamily::W8,
    ];

    /// The id used in URLs, JSON and CSV.
    pub fn id(self) -> &'static str {
        match self {
            OsFamily::Nt4 => "nt4",
            OsFamily::W2000 => "2000",
            OsFamily::Xp => "xp",
            OsFamily::W2003 => "2003",
            OsFamily::Vista => "vista",
            OsFamily::W7 => "7",
            OsFamily::W8 => "8",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OsFamily::Nt4 => "Windows NT 4.0",
            OsFamily::W2000 => "Windows 2000",
            OsFamily::Xp => "Windows XP",
            OsFamily::W2003 => "Windows Server 2003",
            OsFamily::Vista => "Windows Vista",
            OsFamily::W7 => "Windows 7",
            OsFamily::W8 => "Windows 8",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            OsFamily::Nt4 => "NT4",
            OsFamily::W2000 => "2000",
            OsFamily::Xp => "XP",
            OsFamily::W2003 => "2003",
            OsFamily::Vista => "Vista",
            OsFamily::W7 => "7",
            OsFamily::W8 => "8",
        }
    }

    pub fn from_id(id: &str) -> Option<OsFamily> {
        let id = id.trim().to_ascii_lowercase();
        OsFamily::ALL
            .into_iter()
            .find(|f| f.id() == id)
            .or_else(|| {
                match_name(&id, true)
                    .filter(|(_, len)| *len == id.len())
                    .map(|(f, _)| f)
            })
    }
}

/// One OS named in a label, with what the author said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsTarget {
    #[serde(rename = "os", serialize_with = "family_id")]
    pub family: OsFamily,
    /// Edition words as written (`Srv.`, `Home Basic`, `+IE4`, `WMP 7.1+`).
    pub editions: Vec<String>,
    pub sp: Option<u8>,
    /// `Vista+`: this and later versions; `WinXP SP2+`: this and later service packs.
    pub and_later: bool,
}

fn family_id<S: serde::Serializer>(f: &OsFamily, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.id())
}

/// The versions an item holds for; empty means every version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OsScope(pub Vec<OsTarget>);

impl OsScope {
    pub fn is_all(&self) -> bool {
        self.0.is_empty()
    }

    /// The families covered, in the order written, `Vista+` expanded to later versions.
    pub fn families(&self) -> Vec<OsFamily> {
        let mut out = Vec::new();
        for t in &self.0 {
            let later = t.and_later && t.sp.is_none();
            for f in OsFamily::ALL {
                if (f == t.family || (later && f > t.family)) && !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }

    pub fn covers(&self, family: OsFamily) -> bool {
        // `families().contains(..)` without its list: this runs for every item
        // of every service on every version.
        self.is_all()
            || self
                .0
                .iter()
                .any(|t| t.family == family || (t.and_later && t.sp.is_none() && family > t.family))
    }

    /// The editions and service pack this scope names on `os` (`Pro`,
    /// `Business/Ultimate`, `SP2+`); `None` for the whole version.
    pub fn note_on(&self, os: OsFamily) -> Option<String> {
        let targets: Vec<_> = self.0.iter().filter(|t| t.family == os).collect();
        if targets.is_empty() {
            return None; // covered by an earlier version's `+`
        }
        let mut notes = Vec::new();
        for t in targets {
            let mut note = t.editions.join("/");
            if let Some(sp) = t.sp {
                if !note.is_empty() {
                    note.push(' ');
                }
                note.push_str(&format!("SP{sp}"));
                if t.and_later {
                    note.push('+');
                }
            }
            if note.is_empty() {
                return None;
            }
            notes.push(note);
        }
        Some(notes.join("/"))
    }

    /// The target naming `family` directly (for editions and service packs).
    pub fn target(&self, family: OsFamily) -> Option<&OsTarget> {
        self.0.iter().find(|t| t.family == family)
    }
}

/// Names by which authors write each family; longer names are tried first.
/// `short` names (`2k`, `XP`) only count after a `/`, where they inherit the `Win`.
const NAMES: &[(&str, OsFamily, bool)] = &[
    ("windows server 2003", OsFamily::W2003, false),
    ("windows nt 4.0", OsFamily::Nt4, false),
    ("windows vista", OsFamily::Vista, false),
    ("windows 2000", OsFamily::W2000, false),
    ("windows 2003", OsFamily::W2003, false),
    ("windows nt4", OsFamily::Nt4, false),
    ("windows xp", OsFamily::Xp, false),
    ("windows nt", OsFamily::Nt4, false),
    ("windows 7", OsFamily::W7, false),
    ("windows 8", OsFamily::W8, false),
    ("win 2000", OsFamily::W2000, false),
    ("winvista", OsFamily::Vista, false),
    ("win2003", OsFamily::W2003, false),
    ("win2000", OsFamily::W2000, false),
    ("win2k3", OsFamily::W2003, false),
    ("win 2k3", OsFamily::W2003, false),
    ("win 2k", OsFamily::W2000, false),
    ("win xp", OsFamily::Xp, false),
    ("winnt4", OsFamily::Nt4, false),
    ("win nt4", OsFamily::Nt4, false),
    ("win2k", OsFamily::W2000, false),
    ("winxp", OsFamily::Xp, false),
    ("winnt", OsFamily::Nt4, false),
    ("win 7", OsFamily::W7, false),
    ("win 8", OsFamily::W8, false),
    ("vista", OsFamily::Vista, false),
    ("w2k3", OsFamily::W2003, false),
    ("win7", OsFamily::W7, false),
    ("win8", OsFamily::W8, false),
    ("2003", OsFamily::W2003, true),
    ("2000", OsFamily::W2000, true),
    ("nt4", OsFamily::Nt4, false),
    ("w2k", OsFamily::W2000, false),
    ("2k3", OsFamily::W2003, true),
    ("2k", OsFamily::W2000, true),
    ("xp", OsFamily::Xp, false),
    ("7", OsFamily::W7, true),
    ("8", OsFamily::W8, true),
];

/// Every family name, for "did you mean" hints.
pub fn known_names() -> impl Iterator<Item = &'static str> {
    [
        "WinNT4", "Win2k", "WinXP", "Win2k3", "Vista", "Win7", "Win8",
    ]
    .into_iter()
}

/// The family name nearest to a misspelt `word`, for "did you mean": only one
/// with the same digits, since a number names another Windows (`Win98` is not
/// `Win8`, nor `Win2k8` `Win2k`, nor `WinNT3` `WinNT4`).
pub fn nearest_name(word: &str) -> Option<&'static str> {
    let digits = |w: &str| w.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(word);
    crate::diag::nearest(word, known_names().filter(|n| digits(n) == wanted))
}

/// An edition word of `scope` that is one slip from a version's name (`Vitsa`
/// in `Win7/XP/Vitsa`: read as an edition of XP, so Vista is lost), with the
/// name meant. Only words of four letters or more, one letter wrong, missing,
/// extra or swapped with its neighbour: real editions (`Pro`, `Srv.`,
/// `Business`) are far from every name.
pub fn misspelled_version(scope: &OsScope) -> Option<(&str, &'static str)> {
    scope
        .0
        .iter()
        .flat_map(|t| &t.editions)
        .find_map(|edition| {
            let word = edition.trim();
            if word.chars().count() < 4 || word.contains(' ') {
                return None;
            }
            let lower = word.to_ascii_lowercase();
            known_names()
                .find(|name| one_slip(&lower, &name.to_ascii_lowercase()))
                .map(|name| (word, name))
        })
}

/// Edition words the guide's labels use (lowercase, without a closing `.`).
/// Whether an edition as written names a known edition word (`Home Basic`,
/// `Pro`), not just any words after a version (`this service`).
pub fn names_an_edition(edition: &str) -> bool {
    edition
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| EDITION_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

const EDITION_WORDS: &[&str] = &[
    "home",
    "basic",
    "premium",
    "business",
    "ultimate",
    "enterprise",
    "professional",
    "pro",
    "starter",
    "datacenter",
    "web",
    "standard",
    "std",
    "srv",
    "server",
    "workstation",
    "media",
    "center",
    "tablet",
    "edition",
    "small",
    "embedded",
    "advanced",
    "storage",
    "cluster",
];

/// An edition word of `scope` one slip from a known edition (`Ultmate`,
/// `Buisness`), with the word meant. Words of five letters or more only, so
/// that short forms (`Std`, `Wks`, `IE4`) and abbreviations pass.
pub fn misspelled_edition(scope: &OsScope) -> Option<(&str, &'static str)> {
    scope
        .0
        .iter()
        .flat_map(|t| &t.editions)
        .flat_map(|edition| edition.split_whitespace())
        .find_map(|word| {
            let bare = word.trim_end_matches('.');
            let lower = bare.to_ascii_lowercase();
            if bare.chars().count() < 5
                || !bare.chars().all(|c| c.is_ascii_alphabetic())
                || EDITION_WORDS.contains(&lower.as_str())
            {
                return None;
            }
            // A long word may take two slips (`Proffesional`).
            let far = lower.len() >= 8;
            EDITION_WORDS
                .iter()
                .find(|known| {
                    one_slip(&lower, known)
                        || (far && crate::diag::edit_distance(&lower, known) <= 2)
                })
                .map(|&known| (bare, known))
        })
}

/// A service pack of `scope` that its version never had (`WinXP SP4`), with
/// the version's last one (0 for a version without any).
pub fn impossible_service_pack(scope: &OsScope) -> Option<(OsFamily, u8, u8)> {
    scope.0.iter().find_map(|t| {
        let last = match t.family {
            OsFamily::Nt4 => 6,
            OsFamily::W2000 => 4,
            OsFamily::Xp => 3,
            OsFamily::W2003 | OsFamily::Vista => 2,
            OsFamily::W7 => 1,
            OsFamily::W8 => 0,
        };
        t.sp.filter(|&sp| sp > last).map(|sp| (t.family, sp, last))
    })
}

/// Whether `a` becomes `b` by one edit: a letter changed, inserted or
/// deleted, or two neighbours swapped.
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Greater => ra.len() == rb.len() + 1 && ra[1..] == *rb,
        std::cmp::Ordering::Less => rb.len() == ra.len() + 1 && rb[1..] == *ra,
    }
}

/// Matches a family name at the start of `s` (lowercase); returns it and its length.
fn match_name(lower: &str, allow_short: bool) -> Option<(OsFamily, usize)> {
    NAMES.iter().find_map(|&(name, family, short)| {
        if short && !allow_short {
            return None;
        }
        let rest = lower.strip_prefix(name)?;
        // The name must end at a word boundary: `Win2k Pro`, `Vista+`, `WinNT4+IE4`.
        let ok = rest.is_empty() || rest.starts_with([' ', '+', '.', '(', ',']);
        ok.then_some((family, name.len()))
    })
}

/// Parses a whole label; `None` when `s` is not a label (so the item has none).
pub fn parse_label(s: &str) -> Option<OsScope> {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    let mut targets: Vec<OsTarget> = Vec::new();
    for segment in s
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let lower = segment.to_ascii_lowercase();
        match match_name(&lower, !targets.is_empty()) {
            Some((family, len)) => targets.push(parse_target(family, &segment[len..])?),
            None if service_pack(&lower).is_some() => {
                // `WinXP SP2/SP4`: another service pack of the OS before it.
                let prev = targets.last()?;
                let target = parse_target(prev.family, segment)?;
                targets.push(target);
            }
            None => {
                // `Vista Business/Ultimate`: a bare word is another edition of the OS before it.
                let prev = targets.last_mut()?;
                if !is_edition(segment) {
                    return None;
                }
                prev.editions.push(segment.to_string());
            }
        }
    }
    (!targets.is_empty()).then_some(OsScope(targets))
}

/// `sp4` → (4, false), `sp2+` → (2, true) (lowercase).
fn service_pack(lower: &str) -> Option<(u8, bool)> {
    let num = lower.strip_prefix("sp")?;
    let (digits, plus) = match num.strip_suffix('+') {
        Some(d) => (d, true),
        None => (num, false),
    };
    Some((digits.parse().ok()?, plus))
}

/// What follows a family name: `SP2`, `SP2+`, `+`, editions (`Srv.`, `Home Basic`).
fn parse_target(family: OsFamily, rest: &str) -> Option<OsTarget> {
    let mut target = OsTarget {
        family,
        editions: Vec::new(),
        sp: None,
        and_later: false,
    };
    let rest = rest.trim();
    if rest == "+" {
        target.and_later = true;
        return Some(target);
    }
    let mut edition_words = Vec::new();
    // `SP 2` and `Service Pack 2` are `SP2`.
    let mut words: Vec<String> = Vec::new();
    let mut raw = rest.split_whitespace().peekable();
    while let Some(word) = raw.next() {
        let lower = word.to_ascii_lowercase();
        let pack = lower == "sp"
            || (lower == "service" && raw.peek().is_some_and(|w| w.eq_ignore_ascii_case("pack")));
        if pack {
            if lower == "service" {
                raw.next();
            }
            if let Some(n) = raw.next_if(|w| w.trim_end_matches('+').parse::<u8>().is_ok()) {
                words.push(format!("SP{n}"));
                continue;
            }
            words.push(word.to_string());
            continue;
        }
        words.push(word.to_string());
    }
    for word in &words {
        let word = word.as_str();
        let lower = word.to_ascii_lowercase();
        if let Some((n, plus)) = service_pack(&lower) {
            target.sp = Some(n);
            target.and_later |= plus;
            continue;
        }
        edition_words.push(word);
    }
    if !edition_words.is_empty() {
        let edition = edition_words.join(" ");
        if !is_edition(&edition) || names_another_version(family, edition_words[0]) {
            return None;
        }
        target.editions.push(edition);
    }
    Some(target)
}

/// A version number after a family name that is not the family's own
/// (`WinNT 3.51`, `Win8.1`): another Windows, not an edition of this one
/// (`WinNT 4.0` is NT4 itself).
fn names_another_version(family: OsFamily, word: &str) -> bool {
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return false;
    }
    let number = word.trim_start_matches('.');
    let number = number.strip_suffix(".0").unwrap_or(number);
    let own = match family {
        OsFamily::Nt4 => "4",
        OsFamily::W2000 => "2000",
        OsFamily::W2003 => "2003",
        OsFamily::W7 => "7",
        OsFamily::W8 => "8",
        OsFamily::Xp | OsFamily::Vista => "",
    };
    word.starts_with('.') || number != own
}

/// Editions are short and plain: `Srv.`, `Home Premium`, `+IE4`, `WMP 7.1+`,
/// `Media Center Edition 2005`.
fn is_edition(s: &str) -> bool {
    s.split_whitespace().count() <= 4
        && s.len() <= 32
        && s.chars().any(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " .+-".contains(c))
}

/// An item split into its label and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled<'a> {
    pub scope: OsScope,
    pub label: Option<&'a str>,
    pub value: &'a str,
    /// Byte offset of `value` within the item text.
    pub value_offset: usize,
}

/// Where the separators between a label and its value, as the guide writes
/// them (` : `, `: `, ` - `, `:`), occur in `window` (the start of an item of
/// `item_len` bytes), sorted; a bare `:` counts only at the end of the item.
/// One pass over the colons and dashes: this runs for every list item of every
/// article. Unlike `str::match_indices`, it also lists a ` - ` or ` : ` that
/// overlaps the one before (` - - `), which only adds a later, longer label
/// to try after the shorter one.
fn separators_in(window: &[u8], item_len: usize) -> Vec<(usize, &'static str)> {
    let spaced = |i: usize| i >= 1 && window[i - 1] == b' ' && window.get(i + 1) == Some(&b' ');
    let mut found = Vec::new();
    for i in memchr::memchr2_iter(b':', b'-', window) {
        if window[i] == b'-' {
            if spaced(i) {
                found.push((i - 1, " - "));
            }
            continue;
        }
        if spaced(i) {
            found.push((i - 1, " : "));
        }
        if window.get(i + 1) == Some(&b' ') {
            found.push((i, ": "));
        }
        if i + 1 == item_len {
            found.push((i, ":"));
        }
    }
    found.sort();
    found
}

/// Splits `<label><sep><value>`; an item with no label holds for every version.
pub fn split_label(item: &str) -> Labelled<'_> {
    // Only a separator at or before byte 80 can end a label (see the loop), so
    // a long item is searched in its first 83 bytes, not in full. The window
    // ends on a character boundary; the ASCII separators never span one.
    let mut end = item.len().min(80 + 3);
    while !item.is_char_boundary(end) {
        end -= 1;
    }
    let candidates = separators_in(&item.as_bytes()[..end], item.len());
    for (pos, sep) in candidates {
        if pos > 80 {
            break;
        }
        if let Some(scope) = parse_label(&item[..pos]) {
            let value_offset = pos + sep.len();
            let value = &item[value_offset..];
            let trimmed = value.trim_start();
            return Labelled {
                scope,
                label: Some(item[..pos].trim()),
                value: trimmed,
                value_offset: value_offset + (value.len() - trimmed.len()),
            };
        }
    }
    Labelled {
        scope: OsScope::default(),
        label: None,
        value: item,
        value_offset: 0,
    }
}

/// A prefix that looks like an OS label but is not one (`Win95: Manual`), with a hint.
pub fn suspicious_label(item: &str) -> Option<(&str, Option<&'static str>)> {
    let colon = item.find(": ")?;
    let prefix = item[..colon].trim();
    let lower = prefix.to_ascii_lowercase();
    let looks_like_os = ["win", "nt", "vista", "xp"]
        .iter()
        .any(|p| lower.starts_with(p));
    if !looks_like_os || prefix.len() > 40 || parse_label(prefix).is_some() {
        return None;
    }
    let first = prefix.split(['/', ' ', '\\']).next().unwrap_or(prefix);
    Some((prefix, nearest_name(first)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OsFamily::*;

    fn fams(label: &str) -> Vec<&'static str> {
        parse_label(label)
            .unwrap_or_else(|| panic!("{label} should parse"))
            .families()
            .iter()
            .map(|f| f.id())
            .collect()
    }

    #[test]
    fn a_version_name_one_slip_away_is_caught() {
        let slip = |label: &str| misspelled_version(&parse_label(label).unwrap()).map(|m| m.1);
        assert_eq!(slip("Win7/XP/Vitsa/Win2k"), Some("Vista"));
        assert_eq!(slip("WinXP/Wista"), Some("Vista"));
        assert_eq!(slip("Win2k/WinXPP"), Some("WinXP"));
        for fine in [
            "Vista Business/Ultimate",
            "Win2k Srv./Pro",
            "WinXP Pro/2k3",
            "WinNT4+IE4",
            "Win2k WMP 7.1+",
            "Vista Home Premium",
        ] {
            assert_eq!(slip(fine), None, "{fine}");
        }
    }

    #[test]
    fn lists_with_slashes_and_backslashes() {
        assert_eq!(fams("Win8/Win7/Vista"), ["8", "7", "vista"]);
        assert_eq!(
            fams(r"Win7\\Vista\\WinXP\\Win2k\\WinNT4"),
            ["7", "vista", "xp", "2000", "nt4"]
        );
        assert_eq!(fams("WinNT4/2k/XP"), ["nt4", "2000", "xp"]);
        assert_eq!(fams("WinXP/2k3"), ["xp", "2003"]);
        assert_eq!(
            fams("WinXP Pro/2k3/Vista/Win7/Win8"),
            ["xp", "2003", "vista", "7", "8"]
        );
    }

    #[test]
    fn misspelt_editions_and_service_packs_never_released() {
        let slip =
            |l: &str| misspelled_edition(&parse_label(l).unwrap()).map(|(w, k)| (w.to_string(), k));
        assert_eq!(slip("Win7 Ultmate"), Some(("Ultmate".into(), "ultimate")));
        assert_eq!(
            slip("Vista Home Buisness"),
            Some(("Buisness".into(), "business"))
        );
        assert_eq!(
            slip("Win2k3 Enterprise/Datacentre"),
            Some(("Datacentre".into(), "datacenter"))
        );
        assert_eq!(
            slip("Win7 Proffesional"),
            Some(("Proffesional".into(), "professional"))
        );
        for fine in [
            "WinXP Prof",
            "Win2k Srv.",
            "Vista Home Premium",
            "Win2k/WinNT4+IE4",
            "Win2k WMP 7.1+",
            "Win2k3 Std.",
            "WinXP Pro SP2",
        ] {
            assert_eq!(slip(fine), None, "{fine}");
        }
        let sp = |l: &str| impossible_service_pack(&parse_label(l).unwrap());
        assert_eq!(sp("WinXP Service Pack 4"), Some((Xp, 4, 3)));
        assert_eq!(sp("WinXP SP2/SP4"), Some((Xp, 4, 3)));
        assert_eq!(sp("WinXP SP1/SP2"), None);
        assert_eq!(sp("Win7 SP 2"), Some((W7, 2, 1)));
        assert!(parse_label("WinXP Media Center Edition 2005").is_some());
        assert_eq!(sp("WinXP SP4"), Some((Xp, 4, 3)));
        assert_eq!(sp("Win8 SP1"), Some((W8, 1, 0)));
        assert_eq!(sp("WinXP/Win2k SP5"), Some((W2000, 5, 4)));
        for fine in [
            "WinXP SP3",
            "WinNT4 SP6",
            "Win2k SP4+",
            "Win7 SP1",
            "Vista SP2",
        ] {
            assert_eq!(sp(fine), None, "{fine}");
        }
    }

    #[test]
    fn editions_service_packs_and_later() {
        let s = parse_label("Vista Business/Ultimate").unwrap();
        assert_eq!(s.0.len(), 1);
        assert_eq!(s.0[0].editions, ["Business", "Ultimate"]);
        let s = parse_label("Win2k3 Enterprise/Datacenter/Web").unwrap();
        assert_eq!(s.0[0].editions, ["Enterprise", "Datacenter", "Web"]);
        let s = parse_label("WinXP SP2+").unwrap();
        assert_eq!((s.0[0].sp, s.0[0].and_later), (Some(2), true));
        assert_eq!(fams("WinXP SP2+"), ["xp"]);
        assert_eq!(fams("Vista+"), ["vista", "7", "8"]);
        let s = parse_label("Win2k/WinNT4+IE4").unwrap();
        assert_eq!(s.0[1].editions, ["+IE4"]);
        assert!(!s.0[1].and_later);
        let s = parse_label("Win2k WMP 7.1+").unwrap();
        assert_eq!(s.0[0].editions, ["WMP 7.1+"]);
        assert_eq!(
            parse_label("Vista Home Basic").unwrap().0[0].editions,
            ["Home Basic"]
        );
        assert_eq!(parse_label("Win2k Srv.").unwrap().0[0].editions, ["Srv."]);
        assert_eq!(parse_label("Windows 7 Pro").unwrap().0[0].family, W7);
        // A number of another Windows is no edition: the label is not one.
        for other in ["WinNT 3.51", "Win8.1", "Win8 .1", "WinXP 64", "Win7 95"] {
            assert_eq!(parse_label(other), None, "{other}");
        }
        // The family's own number is.
        for own in ["WinNT 4.0", "WinNT4 4.0", "Win7 7"] {
            assert!(parse_label(own).is_some(), "{own}");
        }
    }

    #[test]
    fn prose_is_not_a_label() {
        for s in [
            "Manual",
            "Note",
            "Disabled, if not needed",
            "7",
            "Automatic (Trigger Start",
        ] {
            assert!(parse_label(s).is_none(), "{s}");
        }
    }

    /// `split_label` as it was before it searched a window in one pass: each
    /// separator's `match_indices` over the whole item, then the same loop.
    fn split_label_full_search(item: &str) -> Labelled<'_> {
        const SEPARATORS: &[&str] = &[" : ", ": ", " - ", ":"];
        let mut candidates: Vec<(usize, &str)> = SEPARATORS
            .iter()
            .flat_map(|sep| item.match_indices(sep).map(|(i, _)| (i, *sep)))
            .filter(|(i, sep)| *sep != ":" || item[i + 1..].is_empty())
            .collect();
        candidates.sort();
        for (pos, sep) in candidates {
            if pos > 80 {
                break;
            }
            if let Some(scope) = parse_label(&item[..pos]) {
                let value_offset = pos + sep.len();
                let value = &item[value_offset..];
                let trimmed = value.trim_start();
                return Labelled {
                    scope,
                    label: Some(item[..pos].trim()),
                    value: trimmed,
                    value_offset: value_offset + (value.len() - trimmed.len()),
                };
            }
        }
        Labelled {
            scope: OsScope::default(),
            label: None,
            value: item,
            value_offset: 0,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        /// Labels of 1 to 16 versions (up to about 100 bytes) and separators put
        /// label ends on both sides of byte 80; multi-byte padding puts
        /// characters across the window's end; runs of ` `, `:` and `-` make
        /// separators that overlap.
        #[test]
        fn the_window_finds_what_the_full_search_finds(
            names in proptest::collection::vec(proptest::sample::select(
                &["Win8", "Win7", "Vista", "WinXP", "Win2003", "Win2000", "NT4", "XP SP2+"][..]), 1..16),
            sep in proptest::sample::select(&[" : ", ": ", " - ", ":", " "][..]),
            pad in "[a-z é€𝄞]{0,6}",
            rest in "[a-zA-Z é€𝄞:-]{0,40}|[ :a-z-]{0,12}",
        ) {
            let item = format!("{pad}{}{sep}{rest}", names.join("/"));
            proptest::prop_assert_eq!(split_label(&item), split_label_full_search(&item));
        }
    }

    #[test]
    fn splitting_items() {
        let l = split_label("Win8 - Automatic (Delayed Start)");
        assert_eq!(
            (l.label, l.value),
            (Some("Win8"), "Automatic (Delayed Start)")
        );
        let l = split_label("Win2k3 : Manual.");
        assert_eq!((l.label, l.value), (Some("Win2k3"), "Manual."));
        let l = split_label("Manual (Trigger Start - FIREWALL PORT EVENT)");
        assert_eq!(l.label, None);
        let l = split_label("Win8: Manual (Trigger Start - FIREWALL PORT EVENT)");
        assert_eq!(l.value, "Manual (Trigger Start - FIREWALL PORT EVENT)");
        assert_eq!(&"Win8: Manual"[l.value_offset..], "Manual");
    }

    #[test]
    fn suspicious_labels_get_a_hint() {
        assert_eq!(
            suspicious_label("WinXq: Manual"),
            Some(("WinXq", Some("WinXP")))
        );
        assert_eq!(suspicious_label("WinXP: Manual"), None);
    }
}
