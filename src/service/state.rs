//! State values: `Automatic (Delayed Start).`, `Manual, if in a Workgroup (...)`,
//! `Not installed`, `Disabled, if not having a printer.`

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartState {
    Automatic,
    Manual,
    Disabled,
    NotInstalled,
    NotAvailable,
}

impl StartState {
    pub const ALL: [StartState; 5] = [
        StartState::Automatic,
        StartState::Manual,
        StartState::Disabled,
        StartState::NotInstalled,
        StartState::NotAvailable,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StartState::Automatic => "automatic",
            StartState::Manual => "manual",
            StartState::Disabled => "disabled",
            StartState::NotInstalled => "not_installed",
            StartState::NotAvailable => "not_available",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StartState::Automatic => "Automatic",
            StartState::Manual => "Manual",
            StartState::Disabled => "Disabled",
            StartState::NotInstalled => "Not installed",
            StartState::NotAvailable => "Not available",
        }
    }

    /// True when the service is not part of that Windows at all.
    pub fn is_absent(self) -> bool {
        matches!(self, StartState::NotInstalled | StartState::NotAvailable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateValue {
    pub state: StartState,
    /// The parenthesised text right after the state word (`Delayed Start`).
    pub qualifier: Option<String>,
    /// Free text after the state (`if not having a printer`), Markdown kept.
    pub condition: Option<String>,
}

impl StateValue {
    /// "Manual (Trigger Start)" — the state with its qualifier, for tables.
    pub fn short(&self) -> String {
        match &self.qualifier {
            Some(q) => format!("{} ({q})", self.state.label()),
            None => self.state.label().to_string(),
        }
    }
}

/// Reads a state value; `None` when it does not start with a state word.
pub fn parse_state(value: &str) -> Option<StateValue> {
    let v = value.trim();
    let v = v.strip_suffix('.').unwrap_or(v).trim_end();
    let lower = v.to_ascii_lowercase();
    let (state, len) = StartState::ALL.iter().find_map(|&s| {
        let word = s.label().to_ascii_lowercase();
        let rest = lower.strip_prefix(&word)?;
        (!rest.starts_with(|c: char| c.is_alphanumeric())).then_some((s, word.len()))
    })?;
    let mut rest = v[len..].trim_start();
    let mut qualifier = None;
    if rest.starts_with('(') {
        if let Some(close) = matching_paren(rest) {
            qualifier = Some(rest[1..close].trim().to_string()).filter(|q| !q.is_empty());
            rest = rest[close + 1..].trim_start();
        }
    }
    let condition = rest.trim_start_matches([',', ';', ':', '-']).trim();
    Some(StateValue {
        state,
        qualifier,
        condition: (!condition.is_empty()).then(|| condition.to_string()),
    })
}

/// Index of the `)` closing the `(` at the start of `s`.
pub fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The state word an unknown value was probably meant to be.
pub fn suggest(value: &str) -> Option<&'static str> {
    let first: String = value
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == ' ')
        .collect();
    let words: Vec<&str> = first.split_whitespace().collect();
    let candidates = StartState::ALL.map(StartState::label);
    let one = words
        .first()
        .and_then(|w| crate::diag::nearest(w, candidates));
    let two = (words.len() >= 2)
        .then(|| crate::diag::nearest(&words[..2].join(" "), candidates))
        .flatten();
    two.or(one)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (StartState, Option<String>, Option<String>) {
        let v = parse_state(s).unwrap_or_else(|| panic!("{s}"));
        (v.state, v.qualifier, v.condition)
    }

    #[test]
    fn states_qualifiers_and_conditions() {
        use StartState::*;
        assert_eq!(p("Automatic."), (Automatic, None, None));
        assert_eq!(p("not installed"), (NotInstalled, None, None));
        assert_eq!(
            p("Manual (Trigger Start - FIREWALL PORT EVENT)"),
            (
                Manual,
                Some("Trigger Start - FIREWALL PORT EVENT".into()),
                None
            )
        );
        assert_eq!(
            p("Manual, if in a Workgroup (If started it will stop automatically)."),
            (
                Manual,
                None,
                Some("if in a Workgroup (If started it will stop automatically)".into())
            )
        );
        assert_eq!(
            p("Disabled, if not having a printer."),
            (Disabled, None, Some("if not having a printer".into()))
        );
        assert_eq!(
            p("Automatic, vital part"),
            (Automatic, None, Some("vital part".into()))
        );
        assert_eq!(
            p("Automatic (Delayed Start)."),
            (Automatic, Some("Delayed Start".into()), None)
        );
    }

    #[test]
    fn unknown_words_are_not_states() {
        assert!(parse_state("Automatically").is_none());
        assert!(parse_state("Sometimes").is_none());
        assert_eq!(suggest("Manaul."), Some("Manual"));
        assert_eq!(suggest("Not instaled"), Some("Not installed"));
    }
}
