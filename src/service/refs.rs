//! Supports / Depends items: `[Display Name](/article/<slug>.html) (Vista+)`,
//! `None`, `Everything`, or an unlinked name (`HTTP Driver (If IIS installed)`).

use serde::Serialize;

use super::os::{parse_label, OsScope};
use super::process::{leading_link, trailing_parens};
use super::Item;
use crate::text::{decode_entities, unescape_markdown};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The link destination as written (`None` for an unlinked name).
    pub href: Option<String>,
    /// Link text or plain name, unescaped.
    pub name: String,
    /// The trailing parenthesised text (`Vista+`, `WinXP only, Unofficial`).
    pub qualifier: Option<String>,
    /// The versions the qualifier names (`(WinXP only)`); empty when it names none.
    pub scope: OsScope,
}

impl Ref {
    /// Whether the link holds on some versions only: a qualifier that names
    /// versions (`WinXP only`, `Vista+`), but not one that says what the
    /// service is called on them (`WinNT4 name`: FAX names the spooler
    /// "Spooler" on NT4 and "Print Spooler" later, and depends on it on all).
    pub fn limits_versions(&self) -> bool {
        !self.scope.is_all()
            && self
                .qualifier
                .as_deref()
                .and_then(versions_part)
                .is_some_and(|(_, is_name)| !is_name)
    }

    /// Whether the qualifier says the link is unofficial (`Unofficial`,
    /// `WinXP only, Unofficial`): a dependency the author knows of that
    /// Windows does not enforce (it neither waits for it at start nor stops
    /// the dependent with it).
    pub fn is_unofficial(&self) -> bool {
        self.qualifier.as_deref().is_some_and(|q| {
            q.as_bytes()
                .windows(b"unofficial".len())
                .any(|w| w.eq_ignore_ascii_case(b"unofficial"))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefList {
    None,
    Everything,
    Items(Vec<Item<Ref>>),
}

impl RefList {
    pub fn items(&self) -> &[Item<Ref>] {
        match self {
            RefList::Items(items) => items,
            _ => &[],
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RefList::None => "none",
            RefList::Everything => "everything",
            RefList::Items(_) => "items",
        }
    }
}

/// What a whole list section says, given its item texts.
pub fn list_kind(items: &[&str]) -> Option<RefList> {
    if let [only] = items {
        let word = only.trim().trim_end_matches('.').to_ascii_lowercase();
        match word.as_str() {
            "none" => return Some(RefList::None),
            "everything" => return Some(RefList::Everything),
            _ => {}
        }
    }
    None
}

pub fn parse_ref(value: &str) -> Option<Ref> {
    let value = value.trim();
    let (name, href, rest) = match leading_link(value) {
        Some((text, dest, rest)) => (text.to_string(), Some(dest.to_string()), rest),
        None => {
            let (before, _) = trailing_parens(value);
            let before = if before.trim().is_empty() {
                value
            } else {
                before
            };
            (before.to_string(), None, &value[before.len()..])
        }
    };
    let name = decode_entities(&unescape_markdown(name.trim()));
    if name.is_empty() {
        return None;
    }
    // Unescaped as the name is: `Win7\\Vista` in Markdown reads `Win7\Vista`.
    let qualifier = qualifiers(rest)
        .map(|q| decode_entities(&unescape_markdown(q.trim())))
        .filter(|q| !q.is_empty());
    let scope = qualifier
        .as_deref()
        .map(qualifier_scope)
        .unwrap_or_default();
    Some(Ref {
        href,
        name,
        qualifier,
        scope,
    })
}

/// Where the links of an item that links several services start, after the
/// first (`[RPC](…), [Telephony](…)` or `[A](…) (Vista+) and [B](…)`): each
/// further link follows the one before (and its qualifier) after a `,`, `;`,
/// `/`, `&` or `and`. Empty for an item of one link, or of text between links
/// (`[A](…) through [B](…)` is one service named with help from another).
pub fn further_links(value: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = value.len() - value.trim_start().len();
    while let Some((_, _, rest)) = leading_link(&value[at..]) {
        let mut tail = rest.trim_start();
        // The link's own qualifier, `(Vista+)`.
        if tail.starts_with('(') {
            match super::state::matching_paren(tail) {
                Some(close) => tail = tail[close + 1..].trim_start(),
                None => break,
            }
        }
        let Some(next) = [",", ";", "/", "&", "and "]
            .iter()
            .find_map(|sep| tail.strip_prefix(sep))
            .map(str::trim_start)
            .filter(|t| t.starts_with('['))
        else {
            break;
        };
        at = value.len() - next.len();
        starts.push(at);
    }
    if starts.last() == Some(&at) && leading_link(&value[at..]).is_none() {
        // The last "link" is none (`[x] y`): it stays with the one before.
        starts.pop();
    }
    // Two names of one service (`[Directory Replicator](x) / [File
    // Replication](x)`) are one item.
    let dest = |at: usize| leading_link(value[at..].trim_start()).map(|(_, d, _)| d);
    let first = dest(0);
    if starts.iter().all(|&at| dest(at) == first) {
        starts.clear();
    }
    starts
}

/// The parenthesised groups that end `rest` (what follows a ref's name),
/// joined by `, `: `(Unofficial) (Vista+)` → `Unofficial, Vista+`. A group
/// right after `]` is another link's destination, not a qualifier.
fn qualifiers(rest: &str) -> Option<String> {
    let mut groups: Vec<&str> = Vec::new();
    let mut left = rest;
    while let (before, Some(q)) = trailing_parens(left) {
        if before.trim_end().ends_with(']') {
            break;
        }
        groups.push(q);
        left = before;
    }
    groups.reverse();
    (!groups.is_empty()).then(|| groups.join(", "))
}

/// `WinXP only, Unofficial` → XP; `Vista+` → Vista and later; `WinNT4 name` → NT4;
/// `Unofficial, Vista+` → Vista and later (the first part that names versions).
pub fn qualifier_scope(q: &str) -> OsScope {
    versions_part(q).map(|(scope, _)| scope).unwrap_or_default()
}

/// The versions qualifier `q` limits the link to (its first part that names
/// some, `WinXP only`), else those its first name part names (`WinNT4
/// name`), with whether they come from a name part.
fn versions_part(q: &str) -> Option<(OsScope, bool)> {
    let parts = || q.split([',', ';']).map(str::trim);
    let versions = |v: &str| parse_label(&unescape_markdown(v));
    parts()
        .filter(|part| name_part(part).is_none())
        .find_map(|part| versions(part.strip_suffix(" only").unwrap_or(part)))
        .map(|scope| (scope, false))
        .or_else(|| {
            parts()
                .find_map(|part| versions(name_part(part)?))
                .map(|scope| (scope, true))
        })
}

/// The versions of a name part (`WinNT4 name`, any case): what the link's
/// text calls the service there.
pub fn name_part(part: &str) -> Option<&str> {
    [" name", " names"].iter().find_map(|suffix| {
        let cut = part.len().checked_sub(suffix.len())?;
        let (versions, tail) = (part.get(..cut)?, part.get(cut..)?);
        tail.eq_ignore_ascii_case(suffix).then_some(versions)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_with_qualifier() {
        let r =
            parse_ref("[Remote Procedure Call (RPC)](/article/winnt-services-rpcss.html) (Vista+)")
                .unwrap();
        assert_eq!(r.name, "Remote Procedure Call (RPC)");
        assert_eq!(
            r.href.as_deref(),
            Some("/article/winnt-services-rpcss.html")
        );
        assert_eq!(r.qualifier.as_deref(), Some("Vista+"));
        assert_eq!(r.scope.families().len(), 3);
        // Markdown escapes are read, as in the name.
        let r = parse_ref(r"[FAX](/article/fax.html) (Win7\\Vista\\WinXP only)").unwrap();
        assert_eq!(r.qualifier.as_deref(), Some(r"Win7\Vista\WinXP only"));
        assert_eq!(r.scope.families().len(), 3);
    }

    #[test]
    fn several_links_in_one_item() {
        let v = "[RPC](/article/rpcss.html), [Telephony](/article/tapisrv.html)";
        assert_eq!(further_links(v), [v.find("[Telephony").unwrap()]);
        let v = "[A](/a.html) (Vista+) and [B](/b.html) (WinXP only); [C](/c.html)";
        assert_eq!(
            further_links(v),
            [v.find("[B]").unwrap(), v.find("[C]").unwrap()]
        );
        for one in [
            "[RPC](/article/rpcss.html) (Vista+)",
            "[A](/a.html) through [B](/b.html)",
            "[A](/a.html), see text",
            "Plain name, [B](/b.html)",
            "[A](/a.html), [not a link] here",
            "[Directory Replicator](/n.html) / [File Replication](/n.html)",
        ] {
            assert!(further_links(one).is_empty(), "{one}");
        }
    }

    #[test]
    fn every_qualifier_after_the_link_counts() {
        let r = parse_ref("[B](/article/b.html) (Unofficial) (Vista+)").unwrap();
        assert_eq!(r.qualifier.as_deref(), Some("Unofficial, Vista+"));
        assert!(r.is_unofficial());
        assert_eq!(r.scope.families().len(), 3);
        // Another link's destination is no qualifier.
        let r = parse_ref("[B](/article/b.html) or [C](/article/c.html)").unwrap();
        assert_eq!(r.qualifier, None);
    }

    #[test]
    fn unlinked_names() {
        let r = parse_ref("HTTP Driver (If IIS installed)").unwrap();
        assert_eq!(
            (r.name.as_str(), r.qualifier.as_deref(), r.href),
            ("HTTP Driver", Some("If IIS installed"), None)
        );
        assert!(r.scope.is_all());
        let r = parse_ref("NetBIOSGroup").unwrap();
        assert_eq!(r.name, "NetBIOSGroup");
    }

    #[test]
    fn qualifier_scopes() {
        let ids = |q: &str| {
            qualifier_scope(q)
                .families()
                .iter()
                .map(|f| f.id())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("WinXP only, Unofficial"), ["xp"]);
        assert_eq!(ids("Win2k SP3+ only"), ["2000"]);
        assert_eq!(ids(r"Win7\\Vista only"), ["7", "vista"]);
        assert_eq!(ids("WinNT4 name"), ["nt4"]);
        assert!(ids("Unofficial").is_empty());
        // A name qualifier names versions, but does not limit the link to them.
        let limits = |v: &str| parse_ref(v).unwrap().limits_versions();
        assert!(limits("[A](/a.html) (WinXP only, Unofficial)"));
        assert!(limits("[A](/a.html) (Unofficial, Vista+)"));
        assert!(!limits("[A](/a.html) (WinNT4 name)"));
        assert!(!limits("[A](/a.html) (Win2k/WinXP name, Unofficial)"));
        assert!(!limits("[A](/a.html) (Unofficial)"));
        assert!(!limits("[A](/a.html) (WinNT4 Name)"));
        assert!(!limits("[A](/a.html) (WinNT4 names)"));
        assert!(limits("[A](/a.html) (WinNT4 name; WinXP only)"));
        // An "only" limits the link whatever name part comes first.
        let r = parse_ref("[A](/a.html) (WinNT4 name, WinXP only)").unwrap();
        assert!(r.limits_versions());
        assert_eq!(r.scope.families(), [crate::service::os::OsFamily::Xp]);
        assert!(!limits("[A](/a.html)"));
    }

    #[test]
    fn none_and_everything() {
        assert_eq!(list_kind(&["None"]), Some(RefList::None));
        assert_eq!(list_kind(&["none."]), Some(RefList::None));
        assert_eq!(list_kind(&["Everything"]), Some(RefList::Everything));
        assert_eq!(list_kind(&["None", "x"]), None);
    }
}
