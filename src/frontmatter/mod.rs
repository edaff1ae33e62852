//! Front matter: split the `---` block off the body and read the WordPress-export
//! keys into a typed struct, tolerant of the export's variants; unknown keys are kept.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use crate::diag::{Code, Diagnostic};
use crate::source::Source;
use crate::text::decode_entities;

pub mod plain;
mod yaml_words;

/// Where the front matter and the body sit in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub yaml_start: usize,
    pub yaml_end: usize,
    pub body_start: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<String>,
    pub status: Option<String>,
    pub permalink: Option<String>,
    pub author: Option<String>,
    pub excerpt: Option<String>,
    pub post_type: Option<String>,
    pub id: Option<String>,
    /// De-duplicated, in first-seen order.
    pub categories: Vec<String>,
    /// `tag` and `tags` merged: comma lists split, empties dropped, de-duplicated.
    pub tags: Vec<String>,
    /// `windows:` as written: the versions the service exists on (`[xp, 2003]`, `XP+`).
    pub windows: Vec<String>,
    /// The structured `service:` map, read by `service::form`.
    pub service: Option<Value>,
    /// Keys svcguide does not interpret, kept as written.
    pub extra: BTreeMap<String, Value>,
    /// Byte offset (in the source) of each top-level key, for diagnostics.
    pub key_offsets: KeyOffsets,
}

/// Top-level keys and their byte offsets in the source, first of each name:
/// the names in one string, a dozen a page. A map per page took a kilobyte
/// and more (tree nodes and a string per key): 13 MB on a 10,000-article guide.
/// Sorted by name, so a lookup is a binary search (a hostile file has 100,000
/// keys, each looked up once).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyOffsets {
    names: String,
    /// (start, end) of the name in `names`, and the key's offset; by name.
    entries: Vec<(u32, u32, u32)>,
}

impl KeyOffsets {
    /// From (name, offset) pairs in source order: the first of each name counts.
    fn new(mut keys: Vec<(&str, usize)>) -> KeyOffsets {
        // Stable: of equal names, the first in the source stays first.
        keys.sort_by(|a, b| a.0.cmp(b.0));
        keys.dedup_by(|later, first| later.0 == first.0);
        let mut out = KeyOffsets {
            names: String::with_capacity(keys.iter().map(|k| k.0.len()).sum()),
            entries: Vec::with_capacity(keys.len()),
        };
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for (name, offset) in keys {
            let start = out.names.len();
            out.names.push_str(name);
            out.entries
                .push((at(start), at(out.names.len()), at(offset)));
        }
        out
    }

    fn name(&self, &(start, end, _): &(u32, u32, u32)) -> &str {
        &self.names[start as usize..end as usize]
    }

    /// Every key and its offset, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.entries.iter().map(|e| (self.name(e), e.2 as usize))
    }

    /// The offset of `key`'s line, if the front matter has that key.
    pub fn get(&self, key: &str) -> Option<usize> {
        let i = self
            .entries
            .binary_search_by(|e| self.name(e).cmp(key))
            .ok()?;
        Some(self.entries[i].2 as usize)
    }
}

impl FrontMatter {
    pub fn is_published(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "publish")
    }

    /// Where to point a diagnostic about `key` (the key's line, or the file start).
    pub fn key_offset(&self, key: &str) -> usize {
        self.key_offsets.get(key).unwrap_or(0)
    }
}

/// Finds the `---` block at the very start of the text.
pub fn split(text: &str) -> Option<Split> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_end + 1;
    let mut pos = yaml_start;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Some(Split {
                yaml_start,
                yaml_end: pos,
                body_start: (end + 1).min(text.len()),
            });
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
    }
    None
}

/// Reads the front matter of `src`. `None` means the file cannot be a page.
pub fn parse(src: &Source, diags: &mut Vec<Diagnostic>) -> Option<(FrontMatter, Split)> {
    let Some(split) = split(&src.text) else {
        let help = if src.text.starts_with("---") {
            "close the front matter with a line holding only `---`"
        } else {
            "start the file with a `---` line, the YAML keys (title, permalink, ...), and another `---` line"
        };
        diags.push(
            Diagnostic::at(
                Code::FrontMatterMissing,
                src,
                0,
                "no front matter block found",
            )
            .help(help),
        );
        return None;
    };
    let yaml = &src.text[split.yaml_start..split.yaml_end];
    let value = match plain::parse(yaml) {
        Some(value) => value,
        None => full_yaml(src, split, yaml, diags)?,
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => Default::default(),
        _ => {
            diags.push(
                Diagnostic::at(
                    Code::FrontMatterSyntax,
                    src,
                    split.yaml_start,
                    "front matter is not a map of keys",
                )
                .help("write one `key: value` per line"),
            );
            return None;
        }
    };
    Some((keys(src, split, map, diags), split))
}

/// The typed front matter from the block's keys: a key that should hold one
/// value but holds a list or map is reported and left unset.
fn keys(
    src: &Source,
    split: Split,
    map: serde_yaml_ng::Mapping,
    diags: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let mut fm = FrontMatter {
        key_offsets: key_offsets(&src.text, split),
        ..Default::default()
    };
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_string) else {
            continue;
        };
        let offset = fm.key_offset(&key);
        let mut scalar = |slot: &mut Option<String>| {
            *slot = scalar_string(&value);
            if slot.is_none() && !value.is_null() {
                diags.push(
                    Diagnostic::at(
                        Code::KeyType,
                        src,
                        offset,
                        format!("`{key}` should be a single value"),
                    )
                    .help(format!("write `{key}: some text`")),
                );
            }
        };
        match key.as_str() {
            "title" => {
                scalar(&mut fm.title);
                fm.title = fm.title.map(|t| decode_entities(&t));
            }
            "date" => scalar(&mut fm.date),
            "status" => scalar(&mut fm.status),
            "permalink" => scalar(&mut fm.permalink),
            "author" => scalar(&mut fm.author),
            "excerpt" => {
                scalar(&mut fm.excerpt);
                fm.excerpt = fm.excerpt.map(|t| decode_entities(&t));
            }
            "type" => scalar(&mut fm.post_type),
            "id" => scalar(&mut fm.id),
            "category" | "categories" => push_unique(&mut fm.categories, string_list(&value)),
            "tag" | "tags" => {
                let split_tags = string_list(&value)
                    .iter()
                    .flat_map(|t| t.split(','))
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
                push_unique(&mut fm.tags, split_tags);
            }
            "windows" => fm.windows = string_list(&value),
            "service" => fm.service = Some(value),
            _ => {
                fm.extra.insert(key, value);
            }
        }
    }
    fm
}

/// The front matter through serde_yaml: anything YAML allows, with its
/// errors located in the file.
fn full_yaml(src: &Source, split: Split, yaml: &str, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    if let Some(at) = too_deep(yaml) {
        diags.push(
            Diagnostic::at(
                Code::FrontMatterSyntax,
                src,
                split.yaml_start + at,
                format!("front matter nests `[` or `{{` more than {MAX_FLOW_DEPTH} deep"),
            )
            .help("front matter keys hold plain values or short lists; quote text that holds brackets"),
        );
        return None;
    }
    match serde_yaml_ng::from_str(yaml) {
        Ok(v) => Some(v),
        Err(e) => {
            // The byte index, not YAML's line count: YAML also breaks lines at
            // U+0085, U+2028 and U+2029, which editors (and our line index) do not.
            let at = e.location().map_or(0, |loc| loc.index().min(yaml.len()));
            let words = e.to_string();
            let (msg, help) = yaml_words::explain(&words, yaml, at);
            let (line, col) =
                src.line_col(split.yaml_start + yaml_words::slip_at(&words, yaml, at));
            diags.push(
                Diagnostic::new(Code::FrontMatterSyntax, &src.rel, line, col, msg).help(help),
            );
            None
        }
    }
}

/// Deeper flow nesting is refused before parsing: the YAML scanner takes time
/// quadratic in the depth (100,000 `[` took a minute), and no article needs it.
const MAX_FLOW_DEPTH: usize = 256;

/// Offset where `[`/`{` nesting passes `MAX_FLOW_DEPTH` (quoted text and comments
/// skipped; unbalanced brackets in plain text count too, which only errs on the
/// side of refusing absurd input).
fn too_deep(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    // The last non-blank character: a quote only opens a scalar after one of these
    // (so the apostrophe in `title: Don't` does not hide what follows).
    let mut last = '\n';
    let mut prev = '\n';
    let mut chars = yaml.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if matches!(last, '\n' | ':' | '-' | '[' | '{' | ',' | '?') => {
                quote = Some(c)
            }
            (None, '#') if prev.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == '\n' || !c.is_whitespace() {
            last = c;
        }
        prev = c;
    }
    None
}

/// A scalar as text; `None` for lists, maps and null.
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_string(&t.value),
        _ => None,
    }
}

/// A scalar or a list of scalars as a list of strings (null is empty).
pub fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items.iter().filter_map(scalar_string).collect(),
        other => scalar_string(other).into_iter().collect(),
    }
}

fn push_unique(into: &mut Vec<String>, items: Vec<String>) {
    for item in items {
        if !item.is_empty() && !into.contains(&item) {
            into.push(item);
        }
    }
}

/// Offsets of top-level keys (lines starting with `name:` at column 0).
fn key_offsets(text: &str, split: Split) -> KeyOffsets {
    let mut keys = Vec::new();
    let mut pos = split.yaml_start;
    for line in text[split.yaml_start..split.yaml_end].split_inclusive('\n') {
        if let Some(colon) = line.find(':') {
            let key = &line[..colon];
            if !key.is_empty() && !key.starts_with([' ', '\t', '-', '#']) {
                keys.push((key.trim_matches(['\'', '"']), pos));
            }
        }
        pos += line.len();
    }
    KeyOffsets::new(keys)
}

/// Offset of a nested key line (`  name:`) after `from`, within the front matter.
pub fn nested_key_offset(text: &str, split: Split, from: usize, key: &str) -> Option<usize> {
    let region = &text[from.min(split.yaml_end)..split.yaml_end];
    let mut pos = from.min(split.yaml_end);
    for line in region.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key)
            && trimmed[key.len()..]
                .trim_start_matches(['\'', '"'])
                .starts_with(':')
        {
            return Some(pos + (line.len() - trimmed.len()));
        }
        pos += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fm(text: &str) -> (Option<FrontMatter>, Vec<Diagnostic>) {
        let src = Source::from_text("a.md", Path::new("a.md"), text);
        let mut diags = vec![];
        let fm = parse(&src, &mut diags).map(|(f, _)| f);
        (fm, diags)
    }

    #[test]
    fn key_offsets_point_at_the_first_line_of_each_top_level_key() {
        let text =
            "---\ntitle: A\n'status': publish\nservice:\n  title: nested\ntitle: B\n---\nbody\n";
        let offsets = key_offsets(text, split(text).unwrap());
        assert_eq!(offsets.get("title"), Some(4));
        assert_eq!(offsets.get("status"), Some(text.find("'status'").unwrap()));
        assert_eq!(offsets.get("service"), Some(text.find("service").unwrap()));
        assert_eq!(offsets.get("titl"), None);
        assert_eq!(offsets.get(""), None);
    }

    #[test]
    fn wordpress_variants_are_read() {
        let (fm, diags) = fm("---\ntitle: 'Logs &amp; Alerts'\nid: 7\ncategory:\n    - 'Services Guide'\n    - 'Services Guide'\ntag:\n    - a\ntags:\n    - 'a,b,,c'\n    - ''\npost_format: []\n---\nbody");
        let fm = fm.unwrap();
        assert!(diags.is_empty());
        assert_eq!(fm.title.as_deref(), Some("Logs & Alerts"));
        assert_eq!(fm.id.as_deref(), Some("7"));
        assert_eq!(fm.categories, ["Services Guide"]);
        assert_eq!(fm.tags, ["a", "b", "c"]);
        assert!(fm.extra.contains_key("post_format"));
    }

    #[test]
    fn body_starts_right_after_the_closing_line() {
        let text = "---\ntitle: x\n---\n##### Description:";
        let s = split(text).unwrap();
        assert_eq!(&text[s.body_start..], "##### Description:");
        assert_eq!(&text[s.yaml_start..s.yaml_end], "title: x\n");
    }

    #[test]
    fn yaml_errors_are_located_in_the_file() {
        let (fm, diags) = fm("---\ntitle: x\nbad: [unclosed\n---\n");
        assert!(fm.is_none());
        assert_eq!(diags[0].code, Code::FrontMatterSyntax);
        assert!(diags[0].line >= 3, "{diags:?}");
    }

    #[test]
    fn yaml_errors_after_unicode_line_separators_stay_in_the_file() {
        // Found by fuzzing: YAML counts U+2028 as a line break, so its line number
        // pointed past the end of the file.
        let text = "---\ntags: \u{2028}\u{2028}\u{2028}\u{2028}x\nbad: [\n---\n";
        let (parsed, diags) = fm(text);
        assert!(parsed.is_none());
        assert_eq!(diags[0].code, Code::FrontMatterSyntax);
        assert!(diags[0].line <= 4, "{diags:?}");
        let (_, diags) = fm("---\ntitle: x\nkey: [a, b\n  c: d\n---\n");
        assert!((3..=5).contains(&diags[0].line), "{diags:?}");
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let deep = format!(
            "---\ntitle: x\nx: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let started = std::time::Instant::now();
        let (parsed, diags) = fm(&deep);
        assert!(parsed.is_none());
        assert_eq!((diags[0].code, diags[0].line), (Code::FrontMatterSyntax, 3));
        // A deadline, not a benchmark: generous for a debug build on a loaded
        // 2-core machine, far below what a recursive parse of the nesting takes.
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
        // Brackets in quotes and comments, and ordinary lists, are fine.
        let quoted = format!(
            "---\ntitle: '{}'\nx: [[1], {{a: [2]}}] # {}\n---\n",
            "[".repeat(500),
            "{".repeat(500)
        );
        let (parsed, diags) = fm(&quoted);
        assert!(parsed.is_some(), "{diags:?}");
        // An apostrophe inside plain text does not hide deep nesting after it.
        let sneaky = format!("---\ntitle: Don't\nx: {}\n---\n", "[".repeat(100_000));
        let started = std::time::Instant::now();
        let (_, diags) = fm(&sneaky);
        assert_eq!((diags[0].code, diags[0].line), (Code::FrontMatterSyntax, 3));
        // A deadline, not a benchmark: generous for a debug build on a loaded
        // 2-core machine, far below what a recursive parse of the nesting takes.
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    }

    #[test]
    fn missing_block_is_reported() {
        let (fm, diags) = fm("# just markdown\n");
        assert!(fm.is_none());
        assert_eq!(diags[0].code, Code::FrontMatterMissing);
        let (_, diags) = fm_unclosed();
        assert!(diags[0].help.as_deref().unwrap().contains("close"));
    }

    fn fm_unclosed() -> (Option<FrontMatter>, Vec<Diagnostic>) {
        fm("---\ntitle: x\n")
    }
}
