//! Guidance text that `svcguide new` wrote and the author has not replaced
//! yet (code `scaffold-todo`).

use std::collections::HashSet;

use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;

/// What marks guidance text the author still has to replace.
pub const MARKER: &str = "TODO:";

/// How each guidance text of `svcguide new` begins after the marker: an
/// author's own "TODO:" in an article is theirs, not a placeholder (and
/// hides nothing else on its line). `scaffold`'s tests hold its text to these.
pub const GUIDANCE: &[&str] = &[
    "say what the ",
    "the state you recommend",
    "the startup type",
    "or the startup type",
    "or Automatic, Disabled",
    "the program that runs the service",
    "link the services that need this one",
    "link the services this one needs",
];

/// The guidance `svcguide new` left in the article bodies, one diagnostic each
/// (the articles are searched in parallel).
pub fn placeholders(guide: &Guide) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let finder = memchr::memmem::Finder::new(MARKER);
    guide
        .pages
        .par_iter()
        .flat_map_iter(|page| {
            let text = &page.src.text;
            let body = page.split.body_start.min(text.len());
            finder
                .find_iter(&text.as_bytes()[body..])
                .filter(|&i| {
                    let after = text[body + i + MARKER.len()..].trim_start();
                    GUIDANCE.iter().any(|g| after.starts_with(g))
                })
                .map(|i| {
                    let offset = body + i;
                    let rest = &text[offset + MARKER.len()..];
                    let line_end = rest.find('\n').unwrap_or(rest.len());
                    let guidance = without_wrapping_paren(rest[..line_end].trim());
                    Diagnostic::at(
                        Code::ScaffoldTodo,
                        &page.src,
                        offset,
                        format!("still to fill in: {guidance}"),
                    )
                    .help("replace the `TODO:` text (written by `svcguide new`) with the article's own words")
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The guidance without the `)` that closes the parenthesis it was written
/// in (`Manual (TODO: … Windows version)`); a parenthesis of its own stays
/// (`like … (one item per case)`).
fn without_wrapping_paren(guidance: &str) -> &str {
    let opened = guidance.matches('(').count();
    let closed = guidance.matches(')').count();
    match guidance.strip_suffix(')') {
        Some(inner) if closed > opened => inner.trim_end(),
        _ => guidance,
    }
}

/// Adds the [`placeholders`] to `diags`. Other problems on a placeholder's line
/// go: they are about the guidance text (`None (TODO: …)` is not `None`, its
/// example links lead nowhere), which the placeholder already reports.
pub fn add_placeholders(found: Vec<Diagnostic>, diags: &mut Vec<Diagnostic>) {
    if found.is_empty() {
        return;
    }
    let lines: HashSet<(&str, usize)> = found.iter().map(|d| (d.file.as_str(), d.line)).collect();
    diags.retain(|d| !lines.contains(&(d.file.as_str(), d.line)));
    drop(lines);
    diags.extend(found);
}

#[cfg(test)]
mod tests {
    use super::without_wrapping_paren;

    #[test]
    fn only_the_wrapping_parenthesis_goes() {
        assert_eq!(
            without_wrapping_paren("the startup type, one per version)"),
            "the startup type, one per version"
        );
        assert_eq!(
            without_wrapping_paren("like `Disabled.` (one item per case)"),
            "like `Disabled.` (one item per case)"
        );
        assert_eq!(
            without_wrapping_paren("like `services.exe` (X))"),
            "like `services.exe` (X)"
        );
    }
}
