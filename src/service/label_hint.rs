//! Items that start with something meant as an OS label but not one (`Wn7:`,
//! `Win10:`, `WinXp Prof:`), and the label the author most likely meant. Kept
//! apart from the label grammar (`os.rs`): this only reads its answers.

use super::os::{known_names, parse_label};

/// A prefix that is not an OS label but was meant as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLabel<'a> {
    pub label: &'a str,
    /// Byte offset of the value after the separator.
    pub value_offset: usize,
    /// The nearest valid label, when one is close.
    pub suggestion: Option<String>,
}

/// Edition words the guide uses, for "did you mean" (`Prof` → `Pro`).
const EDITIONS: &[&str] = &[
    "Pro",
    "Srv.",
    "Server",
    "Home",
    "Basic",
    "Premium",
    "Business",
    "Ultimate",
    "Enterprise",
    "Starter",
    "Embedded",
];

/// The label part of `item` when it is meant as an OS label but is not one.
pub fn unknown_label(item: &str) -> Option<UnknownLabel<'_>> {
    let (pos, sep) = [": ", " - "]
        .iter()
        .filter_map(|sep| item.find(sep).map(|p| (p, *sep)))
        .min()?;
    let label = item[..pos].trim();
    if label.is_empty() || label.len() > 40 || parse_label(label).is_some() {
        return None;
    }
    let suggestion = suggest(label);
    if !(looks_like_os(label) || suggestion.is_some()) {
        return None;
    }
    let after = &item[pos + sep.len()..];
    let value_offset = pos + sep.len() + (after.len() - after.trim_start().len());
    Some(UnknownLabel {
        label,
        value_offset,
        suggestion,
    })
}

/// Starts like a Windows name (`Win10`, `NT3.51`, `XP Pro`).
fn looks_like_os(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    ["win", "nt", "vista", "xp", "w2k"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// The nearest valid label, segment by segment (`Wn7/Vista` → `Win7/Vista`).
pub fn suggest(label: &str) -> Option<String> {
    let mut segments = Vec::new();
    for segment in label.split(['/', '\\']).map(str::trim) {
        let mut words = segment.split_whitespace();
        let first = words.next()?;
        let name = if parse_label(first).is_some() {
            canonical(first).unwrap_or(first).to_string()
        } else {
            super::os::nearest_name(first)?.to_string()
        };
        let mut out = vec![name];
        for word in words {
            let known = EDITIONS.iter().find(|e| e.eq_ignore_ascii_case(word));
            let fixed = match known {
                Some(e) => e,
                None if is_service_pack(word) || word == "+" => word,
                None => crate::diag::nearest(word, EDITIONS.iter().copied()).unwrap_or(word),
            };
            out.push(fixed.to_string());
        }
        segments.push(out.join(" "));
    }
    let suggestion = segments.join("/");
    (suggestion != label && parse_label(&suggestion).is_some()).then_some(suggestion)
}

/// The house spelling of a family name written in another case (`WinXp` → `WinXP`).
fn canonical(word: &str) -> Option<&'static str> {
    known_names().find(|n| n.eq_ignore_ascii_case(word))
}

fn is_service_pack(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower
        .strip_prefix("sp")
        .is_some_and(|n| n.trim_end_matches('+').parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(item: &str) -> Option<Option<String>> {
        unknown_label(item).map(|u| u.suggestion)
    }

    #[test]
    fn misspelt_labels_get_the_nearest_label() {
        assert_eq!(hint("Wn7: Not installed"), Some(Some("Win7".into())));
        assert_eq!(suggest("WinXp Prof").as_deref(), Some("WinXP Pro"));
        assert_eq!(suggest("Wn7/Vista").as_deref(), Some("Win7/Vista"));
        assert_eq!(hint("Win10: Manual"), Some(None));
        // Another number is another Windows, not a slip: no suggestion.
        for other in ["Win98", "Win2k8", "Win2k12", "WinNT3", "Win9"] {
            assert_eq!(hint(&format!("{other}: Manual")), Some(None), "{other}");
        }
        assert_eq!(hint("Vsta: Manual"), Some(Some("Vista".into())));
        let u = unknown_label("Wn7: Not installed").unwrap();
        assert_eq!(&"Wn7: Not installed"[u.value_offset..], "Not installed");
    }

    #[test]
    fn prose_and_valid_labels_are_left_alone() {
        assert_eq!(hint("Win7: Manual"), None);
        assert_eq!(hint("Note: this is prose"), None);
        assert_eq!(hint("Manual"), None);
        assert_eq!(hint("Disabled - if you never print"), None);
    }
}
