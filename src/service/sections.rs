//! Splitting a service article's body at its `#####` headings, and reading the
//! flat `- ` lists of the list sections.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionKind {
    Description,
    Recommended,
    Default,
    Process,
    Supports,
    Depends,
}

impl SectionKind {
    /// The house order.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Description,
        SectionKind::Recommended,
        SectionKind::Default,
        SectionKind::Process,
        SectionKind::Supports,
        SectionKind::Depends,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            SectionKind::Description => "Description:",
            SectionKind::Recommended => "Recommended State:",
            SectionKind::Default => "Default State:",
            SectionKind::Process => "Process Name:",
            SectionKind::Supports => "Supports:",
            SectionKind::Depends => "Depends:",
        }
    }

    pub fn is_list(self) -> bool {
        self != SectionKind::Description
    }
}

/// A `#####` heading and the text up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading text as written, after the hashes.
    pub heading: String,
    pub kind: Option<SectionKind>,
    /// Offset of the `#####` line.
    pub heading_start: usize,
    /// The content after the heading line.
    pub content: Range<usize>,
    /// Not a `#####` heading but a line meant as one (`#### Depends:`,
    /// `**Depends:**`, `Depends:`) inside a list section: it ends that section,
    /// so the items after it are not taken for the section before.
    pub loose: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sections {
    /// Text before the first heading (usually empty).
    pub preamble: Range<usize>,
    pub sections: Vec<Section>,
}

/// Spellings seen in the guide (lowercase, colon and extra spaces removed).
const SPELLINGS: &[(&str, SectionKind)] = &[
    ("description", SectionKind::Description),
    ("recommended state", SectionKind::Recommended),
    ("recommended states", SectionKind::Recommended),
    ("recommended", SectionKind::Recommended),
    ("recommended setting", SectionKind::Recommended),
    ("default state", SectionKind::Default),
    ("default states", SectionKind::Default),
    ("default", SectionKind::Default),
    ("default startup type", SectionKind::Default),
    ("process name", SectionKind::Process),
    ("proces name", SectionKind::Process),
    ("process names", SectionKind::Process),
    ("process", SectionKind::Process),
    ("supports", SectionKind::Supports),
    ("depends", SectionKind::Depends),
    ("depends on", SectionKind::Depends),
    ("dependencies", SectionKind::Depends),
];

/// Lowercase, without the colon or full stop after it and without emphasis
/// around it (`##### **Depends:**`, `**Depends**:`).
fn normalise_heading(h: &str) -> String {
    let emphasis = ['*', '_'];
    let lower = h
        .trim()
        .trim_matches(emphasis)
        .trim_end_matches([':', '.', ' '])
        .trim_matches(emphasis)
        .trim()
        .to_ascii_lowercase();
    crate::text::collapse_whitespace(&lower)
}

pub fn classify(heading: &str) -> Option<SectionKind> {
    let norm = normalise_heading(heading);
    SPELLINGS.iter().find(|(s, _)| *s == norm).map(|&(_, k)| k)
}

/// The section an unknown heading was probably meant to be.
pub fn suggest(heading: &str) -> Option<SectionKind> {
    let norm = normalise_heading(heading);
    let best = crate::diag::nearest(&norm, SPELLINGS.iter().map(|(s, _)| *s))?;
    classify(best)
}

/// A level-5 ATX heading line: up to 3 spaces, exactly five `#`, then space or end.
fn heading_text(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = line[indent..].strip_prefix("#####")?;
    if rest.starts_with('#') || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim())
}

/// A line meant as a section heading but not written as `#####`: another
/// number of `#`, bold, or the bare heading with its colon; `None` unless its
/// text names one of the six sections.
fn loose_heading(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = line.trim();
    if indent > 3 || t.starts_with(['-', '+']) {
        return None;
    }
    let inner = if t.starts_with('#') {
        t.trim_start_matches('#')
            .trim()
            .trim_end_matches('#')
            .trim()
    } else if t.starts_with("**") || t.starts_with("__") || t.ends_with(':') {
        t.trim_matches(['*', '_']).trim()
    } else {
        return None;
    };
    let colon = inner.ends_with(':') || t.ends_with(':') || t.starts_with('#');
    (colon && classify(inner).is_some()).then_some(inner)
}

/// Lines of `text[range]` with their absolute offsets (without the newline).
pub fn lines_in(text: &str, range: Range<usize>) -> impl Iterator<Item = (usize, &str)> {
    let start = range.start;
    let slice = &text[range];
    // memchr's iterator: one SIMD scanner for the whole text, where str's
    // searcher sets one up per line.
    let mut newlines = memchr::memchr_iter(b'\n', slice.as_bytes());
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= slice.len() {
            return None;
        }
        let at = pos;
        let end = newlines.next().unwrap_or(slice.len());
        pos = end + 1;
        Some((start + at, &slice[at..end]))
    })
}

/// Splits the body at level-5 headings, ignoring `#####` inside code fences.
pub fn split(text: &str, body_start: usize) -> Sections {
    let mut sections: Vec<Section> = Vec::new();
    let mut preamble_end = text.len();
    let mut fence: Option<&str> = None;
    for (at, line) in lines_in(text, body_start..text.len()) {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        // A line that names a section without being a `#####` heading is read
        // as one before the first section (`#### Description:` opening the
        // article) and after a list (`**Depends:**`). In the description's
        // free text, only a heading of another level that names a list
        // section with its colon (`#### Recommended State:`): a bare
        // `Depends:` is prose, and so is a subheading `#### Dependencies`.
        let current = sections.last().map(|s| s.kind);
        let loose = match current {
            _ if heading_text(line).is_some() => None,
            None => loose_heading(line),
            Some(Some(kind)) if kind.is_list() => {
                loose_heading(line).filter(|h| classify(h) != Some(kind))
            }
            Some(Some(SectionKind::Description))
                if line.trim_start().starts_with('#') && line.trim_end().ends_with(':') =>
            {
                loose_heading(line).filter(|h| classify(h).is_some_and(SectionKind::is_list))
            }
            _ => None,
        };
        if let Some(heading) = heading_text(line).or(loose) {
            let content_start = (at + line.len() + 1).min(text.len());
            if let Some(prev) = sections.last_mut() {
                prev.content.end = at;
            } else {
                preamble_end = at;
            }
            sections.push(Section {
                heading: heading.to_string(),
                kind: classify(heading),
                heading_start: at,
                content: content_start..text.len(),
                loose: loose.is_some(),
            });
        }
    }
    Sections {
        preamble: body_start..preamble_end.max(body_start),
        sections,
    }
}

/// One `- ` item of a list section: its text (continuation lines joined) and offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLine {
    pub text: String,
    pub offset: usize,
}

/// Reads a flat list; lines that are neither items nor continuations are returned as strays.
pub fn list_items(text: &str, range: Range<usize>) -> (Vec<ListLine>, Vec<ListLine>) {
    let mut items: Vec<ListLine> = Vec::new();
    let mut strays: Vec<ListLine> = Vec::new();
    let mut last_was_item = false;
    for (at, line) in lines_in(text, range) {
        if line.trim().is_empty() {
            last_was_item = false;
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = &line[indent..];
        let marker = ["- ", "* ", "+ "].iter().find(|m| body.starts_with(**m));
        if indent <= 3 && (marker.is_some() || matches!(body.trim_end(), "-" | "*")) {
            let skip = marker.map_or(body.len(), |m| m.len());
            let item = &body[skip..];
            let lead = item.len() - item.trim_start().len();
            items.push(ListLine {
                text: item.trim().to_string(),
                offset: at + indent + skip + lead,
            });
            last_was_item = true;
        } else if indent >= 2 && last_was_item {
            let item = items.last_mut().expect("an item precedes a continuation");
            item.text.push(' ');
            item.text.push_str(line.trim());
        } else {
            strays.push(ListLine {
                text: line.trim().to_string(),
                // Where the trimmed text starts (tabs and other blanks count too).
                offset: at + (line.len() - line.trim_start().len()),
            });
            last_was_item = false;
        }
    }
    (items, strays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_variants_and_fences() {
        let text = "intro\n##### Description:\ntext\n```\n##### not a heading\n```\n##### Recommended state\n- Manual\n###### Deeper\n##### Proces name:\n";
        let s = split(text, 0);
        let kinds: Vec<_> = s.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                Some(SectionKind::Description),
                Some(SectionKind::Recommended),
                Some(SectionKind::Process)
            ]
        );
        assert_eq!(&text[s.preamble.clone()], "intro\n");
        assert_eq!(
            &text[s.sections[1].content.clone()],
            "- Manual\n###### Deeper\n"
        );
    }

    #[test]
    fn a_misformed_heading_still_ends_the_list_before_it() {
        let text = "##### Supports:\n- None\n\n#### Depends:\n- [RPC](/article/rpcss.html)\n**Process Name:**\n- x.exe (X)\nSupports:\n- y\n";
        let s = split(text, 0);
        let kinds: Vec<_> = s.sections.iter().map(|s| (s.kind, s.loose)).collect();
        assert_eq!(
            kinds,
            [
                (Some(SectionKind::Supports), false),
                (Some(SectionKind::Depends), true),
                (Some(SectionKind::Process), true),
                (Some(SectionKind::Supports), true),
            ]
        );
        assert_eq!(&text[s.sections[0].content.clone()], "- None\n\n");
        // In prose, such lines are prose.
        let s = split("##### Description:\nDepends:\ntext\n", 0);
        assert_eq!(s.sections.len(), 1);
        // A heading of another level that names a list section, colon and
        // all, is not; a subheading of the description is.
        let s = split("##### Description:\n#### Dependencies\ntext\n", 0);
        assert_eq!(s.sections.len(), 1);
        let s = split(
            "##### Description:\ntext\n#### Recommended State:\n- Manual\n",
            0,
        );
        let kinds: Vec<_> = s.sections.iter().map(|s| (s.kind, s.loose)).collect();
        assert_eq!(
            kinds,
            [
                (Some(SectionKind::Description), false),
                (Some(SectionKind::Recommended), true)
            ]
        );
    }

    #[test]
    fn a_misformed_heading_before_the_first_section_opens_it() {
        let text = "#### Description:\ntext\n##### Recommended State:\n- Manual\n";
        let s = split(text, 0);
        let kinds: Vec<_> = s.sections.iter().map(|s| (s.kind, s.loose)).collect();
        assert_eq!(
            kinds,
            [
                (Some(SectionKind::Description), true),
                (Some(SectionKind::Recommended), false),
            ]
        );
        assert_eq!(&text[s.sections[0].content.clone()], "text\n");
        assert!(text[s.preamble].is_empty());
        // An ordinary heading or line before the sections stays preamble.
        let s = split("#### About\nThe service:\n##### Description:\n", 0);
        assert_eq!(s.sections.len(), 1);
    }

    #[test]
    fn heading_right_after_a_paragraph_line() {
        let s = split("para line\n##### Supports:\n- None", 0);
        assert_eq!(s.sections[0].kind, Some(SectionKind::Supports));
    }

    #[test]
    fn emphasis_around_a_heading_is_not_part_of_it() {
        for h in ["**Depends:**", "**Depends**:", "__Depends__", "*Depends:*"] {
            assert_eq!(classify(h), Some(SectionKind::Depends), "{h}");
        }
    }

    #[test]
    fn unknown_headings_get_suggestions() {
        assert_eq!(classify("Depend:"), None);
        assert_eq!(suggest("Depend:"), Some(SectionKind::Depends));
        assert_eq!(suggest("Recomended State"), Some(SectionKind::Recommended));
    }

    #[test]
    fn stray_offsets_point_at_the_text() {
        // Found by fuzzing: a line starting with a tab or vertical tab.
        let text = "- a\n\t\x0bstray\n";
        let (_, strays) = list_items(text, 0..text.len());
        assert_eq!(strays[0].text, "stray");
        assert!(text[strays[0].offset..].starts_with("stray"));
    }

    #[test]
    fn list_items_continuations_and_strays() {
        let text = "\n- Win7: Manual\n  (more)\nstray text\n-\n";
        let (items, strays) = list_items(text, 0..text.len());
        assert_eq!(items[0].text, "Win7: Manual (more)");
        assert_eq!(items[0].offset, 3);
        assert_eq!(items[1].text, "");
        assert_eq!(strays[0].text, "stray text");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Lines and offsets as `split_inclusive` gives them.
        #[test]
        fn lines_agree_with_split_inclusive(text in "[ab\n]{0,12}", cut in 0usize..13) {
            let start = cut.min(text.len());
            let reference: Vec<(usize, &str)> = text[start..]
                .split_inclusive('\n')
                .scan(start, |pos, line| {
                    let at = *pos;
                    *pos += line.len();
                    Some((at, line.strip_suffix('\n').unwrap_or(line)))
                })
                .collect();
            let lines: Vec<(usize, &str)> = lines_in(&text, start..text.len()).collect();
            proptest::prop_assert_eq!(lines, reference);
        }
    }
}
