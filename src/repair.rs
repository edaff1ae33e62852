//! Repairs of the guide's Markdown quirks that CommonMark alone gets wrong, done
//! as edits with an offset map so that diagnostics still point at the author's text.

use std::ops::Range;

/// One edit: replace `range` of the original with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    range: Range<usize>,
    with: String,
}

/// Repaired text plus the way back to original offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    pub text: String,
    /// Each applied edit: (start, end) in the repaired text, (start, end) in the original.
    anchors: Vec<(usize, usize, usize, usize)>,
    /// Liquid tags that were not understood: (offset in original, tag).
    pub unknown_liquid: Vec<(usize, String)>,
}

impl Repaired {
    /// Maps an offset of the repaired text back to the original text. The map never
    /// goes backwards and stays in bounds: an offset inside a replacement that is
    /// longer than what it replaced (`"` → `&quot;`) maps into the replaced range.
    pub fn original(&self, offset: usize) -> usize {
        let i = self.anchors.partition_point(|&(r, ..)| r <= offset);
        match i.checked_sub(1).map(|i| self.anchors[i]) {
            Some((r_start, r_end, o_start, o_end)) if offset < r_end => {
                o_start + (offset - r_start).min(o_end - o_start)
            }
            Some((_, r_end, _, o_end)) => o_end + (offset - r_end),
            None => offset,
        }
    }
}

/// Applies every repair to `text`.
pub fn repair(text: &str) -> Repaired {
    let mut edits = Vec::new();
    let mut unknown_liquid = Vec::new();
    link_titles(text, &mut edits);
    flattened_lists(text, &mut edits);
    bullets_under_numbers(text, &mut edits);
    quoted_emphasis(text, &mut edits);
    stray_tag_ends(text, &mut edits);
    liquid(text, &mut edits, &mut unknown_liquid);
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    // Overlapping edits cannot both apply; the first wins (the text stays as written).
    let mut out = String::with_capacity(text.len() + 64);
    let mut anchors = Vec::new();
    let mut pos = 0;
    for edit in edits {
        if edit.range.start < pos {
            continue;
        }
        out.push_str(&text[pos..edit.range.start]);
        let r_start = out.len();
        out.push_str(&edit.with);
        pos = edit.range.end;
        anchors.push((r_start, out.len(), edit.range.start, pos));
    }
    out.push_str(&text[pos..]);
    Repaired {
        text: out,
        anchors,
        unknown_liquid,
    }
}

/// `[x](url "a "quoted" title")` and titles that run onto the next line: inner
/// quotes become `&quot;` and the line break a space, so the link stays a link.
///
/// Every scan goes through a [`NextFrom`], which remembers where its byte or
/// needle next occurs: the positions asked about only go up, so the text is
/// scanned once per needle however many `](` it holds (each `](` searching
/// again to the end made `x](` repeated quadratic).
///
/// Returns how many bytes its searches covered (for the tests' step count).
fn link_titles(text: &str, edits: &mut Vec<Edit>) -> usize {
    let mut scanned = 0;
    let mut dest_end = NextFrom::new(|t: &[u8]| memchr::memchr3(b' ', b')', b'\n', t));
    let mut newline = NextFrom::new(|t: &[u8]| memchr::memchr(b'\n', t));
    let mut next_line = NextFrom::new(|t: &[u8]| memchr::memchr(b'\n', t));
    let mut close = NextFrom::new(|t: &[u8]| memchr::memmem::find(t, b"\")"));
    let mut search = 0;
    while let Some(rel) = find(&text[search..], "](") {
        scanned += rel + 2;
        let dest_start = search + rel + 2;
        search = dest_start;
        let after_dest = dest_end.at(text, dest_start).unwrap_or(dest_start);
        if !text[after_dest..].starts_with(" \"") {
            continue;
        }
        let title_start = after_dest + 2;
        // The title ends at the first `")` on this line or the next one.
        let limit = match newline.at(text, title_start) {
            Some(e) => next_line.at(text, e + 1).unwrap_or(text.len()),
            None => text.len(),
        };
        let Some(close) = close.at(text, title_start).filter(|&c| c < limit) else {
            continue;
        };
        for (i, c) in text[title_start..close].char_indices() {
            let at = title_start + i;
            match c {
                '"' => edits.push(Edit {
                    range: at..at + 1,
                    with: "&quot;".into(),
                }),
                '\n' => edits.push(Edit {
                    range: at..at + 1,
                    with: " ".into(),
                }),
                _ => {}
            }
        }
        search = close;
    }
    scanned + dest_end.scanned + newline.scanned + next_line.scanned + close.scanned
}

/// The next match of one search at or after a position, for positions that
/// never go down: a match still ahead is reused, and a search that found
/// nothing is not repeated.
struct NextFrom<F> {
    search: F,
    /// The last answer, and the position it was asked for.
    last: Option<(usize, Option<usize>)>,
    /// Bytes searched so far.
    scanned: usize,
}

impl<F: Fn(&[u8]) -> Option<usize>> NextFrom<F> {
    fn new(search: F) -> Self {
        NextFrom {
            search,
            last: None,
            scanned: 0,
        }
    }

    /// The first match at or after `from` (an absolute offset).
    fn at(&mut self, text: &str, from: usize) -> Option<usize> {
        if let Some((asked, found)) = self.last {
            match found {
                Some(m) if m >= from && asked <= from => return Some(m),
                None if asked <= from => return None,
                _ => {}
            }
        }
        let found = text
            .as_bytes()
            .get(from..)
            .and_then(|rest| (self.search)(rest))
            .map(|i| from + i);
        self.scanned += found.map_or(text.len(), |f| f + 1) - from.min(text.len());
        self.last = Some((from, found));
        found
    }
}

/// `str::find` for a short needle by memchr's SIMD search: these scans cover
/// every article's whole text.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// `...make sure that: - First item` followed by `- Second item` lines: the first
/// item was flattened into the paragraph; put it back on its own line.
fn flattened_lists(text: &str, edits: &mut Vec<Edit>) {
    let lines: Vec<(usize, &str)> =
        crate::service::sections::lines_in(text, 0..text.len()).collect();
    for pair in lines.windows(2) {
        let ((at, line), (_, next)) = (pair[0], pair[1]);
        let trimmed = line.trim_start();
        if trimmed.starts_with(['-', '*', '>', '#', '|']) || !next.starts_with("- ") {
            continue;
        }
        let found = [": - ", ")- ", ") - "]
            .iter()
            .filter_map(|pat| find(line, pat).map(|i| (i, *pat)))
            .min()
            .or_else(|| flattened_item(line).map(|i| (i, " - ")));
        if let Some((i, pat)) = found {
            let dash = at + i + pat.find('-').expect("pattern holds a dash");
            let start = dash - usize::from(text[..dash].ends_with(' '));
            edits.push(Edit {
                range: start..dash,
                with: "\n".into(),
            });
        }
    }
}

/// `2. Create a group` then `  - If there is a sub-key…`: a bullet indented
/// under a numbered step, but by less than the step's text (CommonMark wants
/// three spaces after `2. `), which ended the numbered list and put the bullet
/// between its steps. It is indented to the step's text.
fn bullets_under_numbers(text: &str, edits: &mut Vec<Edit>) {
    // The step's text column, and once a line under it fell short, by how
    // much every indented line after it moves (a deeper bullet keeps its
    // place under the one above).
    let mut content_col: Option<usize> = None;
    let mut shift = 0;
    let mut fence = false;
    for (at, line) in crate::service::sections::lines_in(text, 0..text.len()) {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
            content_col = None;
            continue;
        }
        if fence {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if let Some(col) = ordered_item_content(line) {
            (content_col, shift) = (Some(col), 0);
            continue;
        }
        let under_step = !trimmed.is_empty() && indent > 0 && line.starts_with(' ');
        let Some(col) = content_col.filter(|_| under_step) else {
            content_col = None;
            continue;
        };
        let nested = ["- ", "* ", "+ ", ">"]
            .iter()
            .any(|m| trimmed.starts_with(m));
        if shift == 0 && nested && indent < col {
            shift = col - indent;
        }
        if shift > 0 {
            edits.push(Edit {
                range: at..at,
                with: " ".repeat(shift),
            });
        }
    }
}

/// Where the text of an ordered list item (`2. Create…`, up to three spaces
/// before it) starts, as a column.
fn ordered_item_content(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let after = &rest[digits..];
    let after = after.strip_prefix(['.', ')'])?;
    let spaces = after.len() - after.trim_start_matches(' ').len();
    ((1..=4).contains(&spaces) && !after.trim().is_empty()).then_some(indent + digits + 1 + spaces)
}

/// `…information like this - SSL certificates` right above `- Passwords`:
/// the last ` - ` of a paragraph's first-level line (indented a space at
/// most), when what follows it reads as an item (a capital or digit, short,
/// no sentence end): the offset of that ` - `.
fn flattened_item(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let at = line.rfind(" - ")?;
    let (before, item) = (&line[..at], line[at + 3..].trim_end());
    // Plain words only: a dash inside a link, emphasis, code or parentheses
    // (`[Print - Spooler](…)`, `*Access - Denied*`) is the author's, and so is
    // one between numbers (`2000 - 2003`).
    let plain = |s: &str| !s.contains(['[', ']', '(', ')', '*', '_', '`', '<', '>']);
    let balanced = |s: &str| {
        s.matches('[').count() == s.matches(']').count()
            && s.matches('(').count() == s.matches(')').count()
            && s.matches('*').count() % 2 == 0
            && s.matches('`').count() % 2 == 0
    };
    let reads_as_item = item.starts_with(|c: char| c.is_ascii_uppercase())
        && item.chars().count() <= 60
        && !item.ends_with(['.', ':', '!', '?'])
        && plain(item)
        && balanced(before);
    (indent <= 1 && at > indent && reads_as_item).then_some(at)
}

/// `[text](/article/x.html)/&gt;` at the end of a line: the end of an HTML tag
/// the export left behind a link. A browser shows it as a stray `/>`; it is
/// dropped (only there: `/&gt;` anywhere else is the author's text).
fn stray_tag_ends(text: &str, edits: &mut Vec<Edit>) {
    const STRAY: &str = ")/&gt;";
    for at in memchr::memmem::find_iter(text.as_bytes(), STRAY) {
        let start = at + 1;
        let end = at + STRAY.len();
        let ends_line = text[end..]
            .chars()
            .take_while(|&c| c != '\n')
            .all(char::is_whitespace);
        if !ends_line {
            continue;
        }
        // At most one match a line gets here: the scans stay linear.
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..at].contains("](") {
            edits.push(Edit {
                range: start..end,
                with: String::new(),
            });
        }
    }
}

/// `> *Event ID ...` / `>  ` / `>  ...*`: emphasis that spans quote paragraphs is
/// closed and reopened at each paragraph break so it survives CommonMark.
fn quoted_emphasis(text: &str, edits: &mut Vec<Edit>) {
    let lines: Vec<(usize, &str)> =
        crate::service::sections::lines_in(text, 0..text.len()).collect();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].1.starts_with('>') {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].1.starts_with('>') {
            i += 1;
        }
        fix_quote_block(&lines[start..i], edits);
    }
}

fn fix_quote_block(block: &[(usize, &str)], edits: &mut Vec<Edit>) {
    let content = |l: &str| l.trim_start_matches('>').trim().to_string();
    let first = content(block[0].1);
    let last = block
        .iter()
        .rev()
        .map(|l| content(l.1))
        .find(|c| !c.is_empty())
        .unwrap_or_default();
    let single = |s: &str| s.starts_with('*') && !s.starts_with("**");
    let ends = |s: &str| s.ends_with('*') && !s.ends_with("**");
    let has_break = block.iter().any(|l| content(l.1).is_empty());
    if !(single(&first) && ends(&last) && has_break) {
        return;
    }
    let mut prev_content: Option<(usize, &str)> = None;
    let mut after_break = false;
    for &(at, line) in block {
        let c = content(line);
        if c.is_empty() {
            if let Some((pat, pl)) = prev_content.take() {
                // Close before the trailing hard-break spaces of the previous line.
                let end = pat + pl.trim_end().len();
                if !pl.trim_end().ends_with('*') {
                    edits.push(Edit {
                        range: end..end,
                        with: "*".into(),
                    });
                }
            }
            after_break = true;
            continue;
        }
        if after_break && !c.starts_with('*') {
            let lead = line.len() - line.trim_start_matches('>').trim_start().len();
            edits.push(Edit {
                range: at + lead..at + lead,
                with: "*".into(),
            });
        }
        after_break = false;
        prev_content = Some((at, line));
    }
}

/// `{{ 'assets/x.jpg' | relative_url }}` becomes the root-relative `/assets/x.jpg`,
/// which the renderer then makes relative to the page like every other link.
fn liquid(text: &str, edits: &mut Vec<Edit>, unknown: &mut Vec<(usize, String)>) {
    for range in delimited(text, "{{", "}}") {
        let inner = text[range.start + 2..range.end - 2].trim();
        let parsed = inner.split_once('|').and_then(|(value, filter)| {
            (filter.trim() == "relative_url")
                .then(|| value.trim().trim_matches(['\'', '"']).to_string())
        });
        match parsed {
            Some(path) => edits.push(Edit {
                range,
                with: format!("/{}", path.trim_start_matches('/')),
            }),
            None => unknown.push((range.start, text[range].to_string())),
        }
    }
    // Tags (`{% include x %}`, `{% if %}`) have no meaning here: shown as written.
    for range in delimited(text, "{%", "%}") {
        unknown.push((range.start, text[range].to_string()));
    }
    unknown.sort_unstable_by_key(|&(at, _)| at);
}

/// Where `open` … `close` stand in `text`, delimiters included, in order.
fn delimited<'t>(
    text: &'t str,
    open: &'t str,
    close: &'t str,
) -> impl Iterator<Item = Range<usize>> + 't {
    let mut search = 0;
    std::iter::from_fn(move || {
        let start = search + find(&text[search..], open)?;
        let end = start + find(&text[start..], close)? + close.len();
        search = end;
        Some(start..end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `link_titles` as it was before its scans were shared: each `](` searched
    /// afresh (quadratic on `x](` repeated, but plainly right).
    fn link_titles_reference(text: &str, edits: &mut Vec<Edit>) {
        let line_end = |from: usize| text[from..].find('\n').map(|i| from + i);
        let mut search = 0;
        while let Some(rel) = text[search..].find("](") {
            let dest_start = search + rel + 2;
            search = dest_start;
            let dest_len = text[dest_start..].find([' ', ')', '\n']).unwrap_or(0);
            let after_dest = dest_start + dest_len;
            if !text[after_dest..].starts_with(" \"") {
                continue;
            }
            let title_start = after_dest + 2;
            let limit = line_end(title_start).map_or(text.len(), |e| {
                line_end((e + 1).min(text.len())).unwrap_or(text.len())
            });
            let Some(close_rel) = text[title_start..limit].find("\")") else {
                continue;
            };
            let close = title_start + close_rel;
            for (i, c) in text[title_start..close].char_indices() {
                let at = title_start + i;
                let with = match c {
                    '"' => "&quot;",
                    '\n' => " ",
                    _ => continue,
                };
                edits.push(Edit {
                    range: at..at + 1,
                    with: with.into(),
                });
            }
            search = close;
        }
    }

    /// `x](` repeated took 15 s at 320 KB: each `](` searched to the end of the
    /// text. Now the searches cover each byte a bounded number of times.
    #[test]
    fn link_title_scans_are_linear() {
        for unit in ["x](", "](x \"", "](x \"\"", "](\n"] {
            for len in [1 << 16, 1 << 20] {
                let text = unit.repeat(len / unit.len());
                let scanned = link_titles(&text, &mut Vec::new());
                assert!(
                    scanned <= 6 * text.len(),
                    "{unit:?} x {}: {scanned} bytes searched",
                    text.len() / unit.len()
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        #[test]
        fn link_titles_agree_with_the_reference(
            text in "(x|\\]\\(| \"|\"\\)|\"|\\n|\\)|é| ){0,30}"
        ) {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            link_titles(&text, &mut fast);
            link_titles_reference(&text, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn inner_quotes_in_titles() {
        let t = r#"See [KB](http://x/kb/1 ""Error 1068" Message [Q1]") now"#;
        let r = repair(t);
        assert_eq!(
            r.text,
            r#"See [KB](http://x/kb/1 "&quot;Error 1068&quot; Message [Q1]") now"#
        );
        let now = r.text.find("now").unwrap();
        assert_eq!(r.original(now), t.find("now").unwrap());
    }

    #[test]
    fn title_running_onto_next_line() {
        let t = "[KB](http://x \"Title part\n\")  \n##### Next";
        assert_eq!(
            repair(t).text,
            "[KB](http://x \"Title part \")  \n##### Next"
        );
    }

    #[test]
    fn a_bullet_under_a_numbered_step_is_nested_in_it() {
        let t = "1. One\n2. Two\n  - sub of two\n3. Three\n";
        assert_eq!(
            repair(t).text,
            "1. One\n2. Two\n   - sub of two\n3. Three\n"
        );
        let t = "10. Ten\n  - sub\n";
        assert_eq!(repair(t).text, "10. Ten\n    - sub\n");
        // A deeper bullet moves with the one above; a quote is nested too.
        let t = "2. Find it\n  - its account\n    - LocalSystem\n  > quoted\n3. Next\n";
        assert_eq!(
            repair(t).text,
            "2. Find it\n   - its account\n     - LocalSystem\n   > quoted\n3. Next\n"
        );
        // Already nested, at the left edge, after a blank line, or in code: as written.
        for kept in [
            "1. One\n   - sub\n",
            "1. One\n- not nested\n",
            "1. One\n\n  - after a break\n",
            "```\n1. One\n  - code\n```\n",
            "Text 1. One\n  - sub\n",
        ] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    #[test]
    fn flattened_list_is_split() {
        let t = "make sure that: - First item\n- Second item";
        assert_eq!(
            repair(t).text,
            "make sure that:\n- First item\n- Second item"
        );
        let t = "the [Server](/a.html)- Home: text\n- Corporate: text";
        assert_eq!(
            repair(t).text,
            "the [Server](/a.html)\n- Home: text\n- Corporate: text"
        );
        let t = "Trigger Start - FIREWALL\nnext";
        assert_eq!(repair(t).text, t);
        // A list after a dash: the dash's text is the first item.
        let t = " Stores secrets like this - SSL certificates\n- Passwords";
        assert_eq!(
            repair(t).text,
            " Stores secrets like this\n- SSL certificates\n- Passwords"
        );
        // A dash in a sentence, or in an indented continuation, stays.
        for kept in [
            "It stops - and it is gone.\n- Next",
            "Slow - when the disk is full\n- Next",
            "See [Print - Spooler](http://example.com/)\n- first",
            "Error text: *Access - Denied*\n- first",
            "Windows 2000 - 2003\n- first",
            "   Delayed start - Trigger\n- Next",
        ] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    #[test]
    fn a_stray_tag_end_after_a_link_is_dropped() {
        let t = "Related [DHCP](/article/d.html)/&gt;  \nnext";
        let r = repair(t);
        assert_eq!(r.text, "Related [DHCP](/article/d.html)  \nnext");
        // Offsets after the repair still point at the author's text.
        assert_eq!(&t[r.original(r.text.find("next").unwrap())..], "next");
        // Anywhere else it is the author's text.
        for kept in ["a (b)/&gt; c", "(x)/&gt;\n", "[a](/b.html)/&gt; more"] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    #[test]
    fn emphasis_across_quote_paragraphs() {
        let t = "> *Event ID: 1  \n>  Text one  \n>   \n>  Event ID: 2  \n>  Text two.*";
        assert_eq!(
            repair(t).text,
            "> *Event ID: 1  \n>  Text one*  \n>   \n>  *Event ID: 2  \n>  Text two.*"
        );
    }

    #[test]
    fn offsets_inside_a_longer_replacement_stay_monotonic() {
        // Found by tests/suite/props.rs: `"` → `&quot;` at the end of the text mapped the
        // `quot;` bytes past the end of the original and backwards at the next anchor.
        let t = "[x](u \"[x](u \"\")";
        let r = repair(t);
        let mut last = 0;
        for o in 0..=r.text.len() {
            let m = r.original(o);
            assert!(m >= last && m <= t.len(), "original({o}) = {m}");
            last = m;
        }
        assert_eq!(r.original(r.text.len()), t.len());
    }

    #[test]
    fn liquid_relative_url() {
        let t = "![Alt]({{ 'assets/images/x.jpg' | relative_url }}) {{ site.title }}";
        let r = repair(t);
        assert_eq!(r.text, "![Alt](/assets/images/x.jpg) {{ site.title }}");
        let at = t.find("{{ site").unwrap();
        assert_eq!(r.unknown_liquid, [(at, "{{ site.title }}".to_string())]);
        assert_eq!(r.original(r.text.find("{{").unwrap()), at);
        // Tags are reported too, in the order written, and kept as text.
        let t = "{% if x %}a {{ y }}{% endif %} 50% {%";
        let r = repair(t);
        assert_eq!(r.text, t);
        let found: Vec<&str> = r.unknown_liquid.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(found, ["{% if x %}", "{{ y }}", "{% endif %}"]);
    }
}
