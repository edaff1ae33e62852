//! Process items: `[svchost.exe -k netsvcs](/article/winnt-services-wrapper.html) (Browser)`,
//! `LServer.exe (termservlicensing)`, `(dmserver, System User)`, `Rpcss.exe`.

use serde::Serialize;

use super::state::matching_paren;
use crate::text::unescape_markdown;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Process {
    /// The executable (`svchost.exe`), as written.
    pub image: Option<String>,
    /// Its arguments (`-k netsvcs`).
    pub args: Option<String>,
    /// The svchost group after `-k`, case kept as written.
    pub group: Option<String>,
    /// The service's short name, from the final parentheses.
    pub name: Option<String>,
    /// Text after a comma inside those parentheses (`System User`).
    pub note: Option<String>,
    /// Where the exe part links to (usually the wrapper article).
    pub link: Option<String>,
}

/// A Markdown link at the start of `s`: (text, destination, rest after it).
pub fn leading_link(s: &str) -> Option<(&str, &str, &str)> {
    let s = s.strip_prefix('[')?;
    let text_end = closing_bracket(s)?;
    let after = s[text_end + 1..].strip_prefix('(')?;
    // The destination ends at the first `)` that is not inside a quoted title.
    let dest_close = link_dest_end(after)?;
    let inner = after[..dest_close].trim();
    let dest = inner.split_whitespace().next().unwrap_or("");
    Some((&s[..text_end], dest, &after[dest_close + 1..]))
}

fn closing_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn link_dest_end(s: &str) -> Option<usize> {
    let mut in_title = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_title = !in_title,
            ')' if !in_title => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits a trailing `(...)` group off: (before, inner).
pub fn trailing_parens(s: &str) -> (&str, Option<&str>) {
    let t = s.trim_end();
    if !t.ends_with(')') {
        return (s, None);
    }
    // Find the `(` whose group closes at the very end.
    let mut depth = 0usize;
    for (i, c) in t.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let inner_end = i + matching_paren(&t[i..]).unwrap_or(t.len() - 1 - i);
                    return (&t[..i], Some(&t[i + 1..inner_end]));
                }
            }
            _ => {}
        }
    }
    (s, None)
}

pub fn parse_process(value: &str) -> Process {
    let value = value.trim().trim_end_matches('.');
    let (exe_part, link, rest) = match leading_link(value) {
        Some((text, dest, rest)) => (text.to_string(), Some(dest.to_string()), rest),
        None => {
            let (before, _) = trailing_parens(value);
            (before.to_string(), None, &value[before.len()..])
        }
    };
    let (_, inner) = trailing_parens(rest);
    let mut process = Process {
        link,
        ..Default::default()
    };
    if let Some(inner) = inner {
        let (name, note) = match inner.split_once(',') {
            Some((n, note)) => (n, Some(note.trim())),
            None => (inner, None),
        };
        process.name = Some(unescape_markdown(name.trim())).filter(|n| !n.is_empty());
        process.note = note.filter(|n| !n.is_empty()).map(str::to_string);
    }
    let exe = unescape_markdown(exe_part.trim());
    let mut words = exe.splitn(2, char::is_whitespace);
    process.image = words.next().filter(|w| !w.is_empty()).map(str::to_string);
    process.args = words
        .next()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    if let Some(args) = &process.args {
        let mut it = args.split_whitespace();
        while let Some(word) = it.next() {
            if word.eq_ignore_ascii_case("-k") || word.eq_ignore_ascii_case("/k") {
                process.group = it.next().map(str::to_string);
                break;
            }
        }
    }
    process
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_svchost_with_group() {
        let p = parse_process(
            "[svchost.exe -k netsvcs](/article/winnt-services-wrapper.html) (Browser)",
        );
        assert_eq!(p.image.as_deref(), Some("svchost.exe"));
        assert_eq!(p.args.as_deref(), Some("-k netsvcs"));
        assert_eq!(p.group.as_deref(), Some("netsvcs"));
        assert_eq!(p.name.as_deref(), Some("Browser"));
        assert_eq!(
            p.link.as_deref(),
            Some("/article/winnt-services-wrapper.html")
        );
    }

    #[test]
    fn plain_and_odd_forms() {
        let p = parse_process("LServer.exe (termservlicensing)");
        assert_eq!(
            (p.image.as_deref(), p.name.as_deref()),
            (Some("LServer.exe"), Some("termservlicensing"))
        );
        let p = parse_process("Rpcss.exe");
        assert_eq!((p.image.as_deref(), p.name), (Some("Rpcss.exe"), None));
        let p = parse_process(r"mscorsvw.exe (clr\_optimization)");
        assert_eq!(p.name.as_deref(), Some("clr_optimization"));
        let p = parse_process("[svchost.exe -k netsvcs](/a.html) (dmserver, System User)");
        assert_eq!(
            (p.name.as_deref(), p.note.as_deref()),
            (Some("dmserver"), Some("System User"))
        );
        let p = parse_process("MsPMSPSv.exe (WMDM PMSP Service)");
        assert_eq!(p.name.as_deref(), Some("WMDM PMSP Service"));
        let p = parse_process("[dllhost.exe /processid:{25add706-617e}](/a.html) (SwPrv)");
        assert_eq!(p.args.as_deref(), Some("/processid:{25add706-617e}"));
        let p = parse_process("(dmserver)");
        assert_eq!((p.image, p.name.as_deref()), (None, Some("dmserver")));
    }
}
