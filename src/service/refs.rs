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
    let qualifier = trailing_parens(rest)
        .1
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

/// `WinXP only, Unofficial` → XP; `Vista+` → Vista and later; `WinNT4 name` → NT4.
pub fn qualifier_scope(q: &str) -> OsScope {
    let first = q.split(',').next().unwrap_or(q).trim();
    let first = first
        .strip_suffix(" only")
        .or_else(|| first.strip_suffix(" name"))
        .unwrap_or(first);
    parse_label(&unescape_markdown(first)).unwrap_or_default()
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
    }

    #[test]
    fn none_and_everything() {
        assert_eq!(list_kind(&["None"]), Some(RefList::None));
        assert_eq!(list_kind(&["none."]), Some(RefList::None));
        assert_eq!(list_kind(&["Everything"]), Some(RefList::Everything));
        assert_eq!(list_kind(&["None", "x"]), None);
    }
}
