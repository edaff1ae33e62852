//! Printers for diagnostics: human (grouped by file, code frames, colour on a
//! terminal), JSON (schema 1, see docs/check.md) and GitHub workflow commands.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::diag::{Code, Diagnostic, Severity};
use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

#[derive(Serialize, Default, Debug, PartialEq, Eq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

pub fn counts(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Info => c.info += 1,
        }
    }
    c
}

pub fn print(format: Format, diags: &[Diagnostic], content: &Path, colour: bool) -> String {
    match format {
        Format::Human => human(diags, content, colour),
        Format::Json => json(diags, content),
        Format::Github => github(diags, content),
    }
}

/// Where a diagnostic's file is, as the user names it: relative to the current
/// folder (the repository root in CI, so annotations attach to the file).
/// Problems of the rendered output (`index.html`) and of svcguide.toml keep their names.
pub fn shown_path(d: &Diagnostic, content: &Path) -> String {
    match d.code {
        Code::OutputLinkBroken | Code::SearchSize => d.file.clone(),
        _ => crate::load::shown(&content.join(&d.file)),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    counts: Counts,
}

/// A diagnostic with `path`: its file relative to the current folder (`file`
/// stays relative to the content folder).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    path: String,
}

pub fn json(diags: &[Diagnostic], content: &Path) -> String {
    let report = JsonReport {
        schema: 1,
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                diagnostic: d,
                path: shown_path(d, content),
            })
            .collect(),
        counts: counts(diags),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("diagnostics serialise");
    s.push('\n');
    s
}

/// Escapes for GitHub workflow command data and properties.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn github(diags: &[Diagnostic], content: &Path) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str(" — ");
            message.push_str(h);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            gh_escape(&shown_path(d, content), true),
            d.line,
            d.col,
            gh_escape(d.code.as_str(), true),
            gh_escape(&message, false)
        );
    }
    out
}

fn paint(s: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Characters of a source line shown under a diagnostic.
const SNIPPET_CHARS: usize = 160;

/// Appends `c`, or its escape (`\u{1b}`) when a terminal would act on it instead
/// of showing it: control characters (C0 but tab, DEL, C1) and the bidirectional
/// overrides that reorder what is shown. Article text then cannot clear the
/// screen, retitle the window or spoof a log line through a code frame.
fn push_visible(out: &mut String, c: char) {
    let active = (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if active {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// `s` with every character [`push_visible`] escapes escaped.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    out
}

/// One diagnostic as one line (`file:line:col: severity[code]: message`), its
/// help on the next: what `serve` shows in the page overlay and its status.
pub fn line(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}:{}:{}: {}[{}]: {}",
        d.file,
        d.line,
        d.col,
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    );
    if let Some(h) = &d.help {
        s.push_str("\n  help: ");
        s.push_str(h);
    }
    s
}

pub fn human(diags: &[Diagnostic], content: &Path, colour: bool) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_file.entry(&d.file).or_default().push(d);
    }
    let mut out = String::new();
    for (file, list) in by_file {
        // Only a file the walk would read: never through a skipped symbolic link.
        // Lines as the loader numbered them (`Source`: a lone CR ends a line too).
        let text = crate::load::readable_content_file(content, file).and_then(|path| {
            let bytes = std::fs::read(&path).ok()?;
            Some(Source::from_text(
                file,
                &path,
                &String::from_utf8_lossy(&bytes),
            ))
        });
        let shown = list
            .first()
            .map_or_else(|| file.to_string(), |d| shown_path(d, content));
        let file = &visible(&shown);
        let _ = writeln!(out, "{}", paint(file, "1", colour));
        for d in list {
            let (label, code) = match d.severity {
                Severity::Error => ("error", "1;31"),
                Severity::Warning => ("warning", "1;33"),
                Severity::Info => ("info", "1;36"),
            };
            let _ = writeln!(
                out,
                "  {}[{}]: {}",
                paint(label, code, colour),
                d.code.as_str(),
                visible(&d.message)
            );
            let _ = writeln!(out, "    --> {}:{}:{}", file, d.line, d.col);
            if let Some(line) = text.as_ref().and_then(|t| t.line(d.line)) {
                // A window of the line around the column: on a long line the
                // caret must stay under the character it names.
                let chars: Vec<char> = line.chars().collect();
                let start = if d.col > SNIPPET_CHARS - 40 && chars.len() > SNIPPET_CHARS {
                    (d.col - 1 - 40).min(chars.len().saturating_sub(SNIPPET_CHARS))
                } else {
                    0
                };
                let end = (start + SNIPPET_CHARS).min(chars.len());
                let mut frame = String::new();
                let mut caret_pad = String::new();
                if start > 0 {
                    frame.push('…');
                    caret_pad.push(' ');
                }
                for (i, &c) in chars[start..end].iter().enumerate() {
                    let before = frame.len();
                    push_visible(&mut frame, c);
                    if start + i + 1 < d.col {
                        // Under a tab a tab, else a space per character shown.
                        if c == '\t' {
                            caret_pad.push('\t');
                        } else {
                            let width = frame[before..].chars().count();
                            caret_pad.extend(std::iter::repeat_n(' ', width));
                        }
                    }
                }
                if end < chars.len() {
                    frame.push('…');
                }
                let _ = writeln!(
                    out,
                    "     |\n{:>4} | {}\n     | {}{}",
                    d.line,
                    frame,
                    caret_pad,
                    paint("^", code, colour)
                );
            }
            if let Some(h) = &d.help {
                let _ = writeln!(out, "     = help: {}", visible(h));
            }
        }
        out.push('\n');
    }
    let c = counts(diags);
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info",
        c.error, c.warning, c.info
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_commands_are_escaped() {
        let d =
            Diagnostic::new(Code::LinkBroken, "a,b.md", 3, 4, "50% broken\nnext").help("fix: it");
        let out = github(&[d], Path::new(""));
        assert_eq!(
            out,
            "::error file=a%2Cb.md,line=3,col=4,title=link-broken::50%25 broken%0Anext — fix: it\n"
        );
    }

    #[test]
    fn json_has_schema_and_counts() {
        let d = Diagnostic::new(Code::LinkBroken, "a.md", 1, 2, "x").target("/article/y.html");
        let v: serde_json::Value = serde_json::from_str(&json(&[d], Path::new(""))).unwrap();
        assert_eq!(v["schema"], 1);
        assert_eq!(v["counts"]["error"], 1);
        assert_eq!(v["diagnostics"][0]["code"], "link-broken");
        assert_eq!(v["diagnostics"][0]["target"], "/article/y.html");
        assert_eq!(v["diagnostics"][0]["severity"], "error");
    }

    /// The frame shows the line the diagnostic names, also after a lone CR
    /// (which `str::lines` would not end a line at).
    #[test]
    fn code_frames_count_lines_as_the_loader_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "one\rtwo\r\nthree\n").unwrap();
        let d = Diagnostic::new(Code::LinkBroken, "a.md", 2, 1, "x");
        let out = human(&[d], dir.path(), false);
        assert!(out.contains("   2 | two\n"), "{out}");
    }

    #[test]
    fn the_caret_stays_under_its_character_on_a_long_line() {
        let dir = tempfile::tempdir().unwrap();
        let line = format!("{}[target](/x.html){}", "a".repeat(300), "b".repeat(300));
        std::fs::write(dir.path().join("a.md"), &line).unwrap();
        let d = Diagnostic::new(Code::LinkBroken, "a.md", 1, 301, "x");
        let out = human(&[d], dir.path(), false);
        let lines: Vec<&str> = out.lines().collect();
        let frame = lines.iter().find(|l| l.starts_with("   1 | ")).unwrap();
        let caret = lines.iter().find(|l| l.trim_end().ends_with('^')).unwrap();
        let at = caret.chars().count() - 1;
        assert_eq!(frame.chars().nth(at), Some('['), "{out}");
        assert!(frame.contains('…'), "{out}");
    }
}
