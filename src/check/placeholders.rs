//! Guidance text that `svcguide new` wrote and the author has not replaced
//! yet (code `scaffold-todo`).

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::guide::Guide;

/// What marks guidance text the author still has to replace.
pub const MARKER: &str = "TODO:";

/// The guidance texts `svcguide new` writes after the marker (`{title}`
/// stands for the service's name; a closing `)` after them is the item's). Only
/// these whole texts are placeholders: an author's own "TODO:" is theirs, and
/// hides nothing else on its line. `scaffold`'s tests hold its text to these.
pub const GUIDANCE: &[&str] = &[
    "say what the {title} service does, which programs and features need it, and what stops working when it is stopped or disabled.",
    "the state you recommend and when, like `Disabled, if not having a printer.` (one item per case)",
    "the startup type after a clean install, one item per Windows version",
    "or Automatic, Disabled, Not installed",
    "or the startup type",
    "the program that runs the service, like `services.exe` or `svchost.exe -k LocalService`",
    "link the services that need this one, like `[Fax](/article/winnt-services-fax.html)`, or keep None",
    "link the services this one needs, like `[Workstation](/article/winnt-services-lanmanworkstation.html)`, or keep None",
];

/// Whether `rest` (a line after the marker) is one of the [`GUIDANCE`] texts.
fn is_guidance(rest: &str) -> bool {
    let rest = rest.trim();
    GUIDANCE.iter().any(|g| {
        let matches = |text: &str| match g.split_once("{title}") {
            Some((before, after)) => {
                text.len() > before.len() + after.len()
                    && text.starts_with(before)
                    && text.ends_with(after)
            }
            None => text == *g,
        };
        matches(rest)
            || rest
                .strip_suffix(')')
                .is_some_and(|r| matches(r.trim_end()))
    })
}

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
                    let after = &text[body + i + MARKER.len()..];
                    is_guidance(&after[..after.find('\n').unwrap_or(after.len())])
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
/// example links lead nowhere), which the placeholder already reports. A link
/// the author wrote before the guidance is still checked.
pub fn add_placeholders(found: Vec<Diagnostic>, diags: &mut Vec<Diagnostic>) {
    if found.is_empty() {
        return;
    }
    let markers: HashMap<(&str, usize), usize> = found
        .iter()
        .map(|d| ((d.file.as_str(), d.line), d.col))
        .collect();
    diags.retain(|d| match markers.get(&(d.file.as_str(), d.line)) {
        None => true,
        Some(&marker) => {
            d.col < marker
                && matches!(
                    d.code,
                    Code::LinkBroken | Code::LinkFragment | Code::RefUnwritten
                )
        }
    });
    drop(markers);
    diags.extend(found);
}

#[cfg(test)]
mod tests {
    use super::without_wrapping_paren;

    #[test]
    fn only_the_whole_guidance_is_a_placeholder() {
        use super::is_guidance;
        assert!(is_guidance(" or the startup type)"));
        assert!(is_guidance(" say what the Print Spooler service does, which programs and features need it, and what stops working when it is stopped or disabled."));
        assert!(!is_guidance(" say what the Zeta article adds."));
        assert!(!is_guidance(" the startup type on Win8 RTM needs checking"));
        assert!(!is_guidance(" or the startup type, and more"));
    }

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
