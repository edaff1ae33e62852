//! Front matter: the `---` splitter and the YAML reader never panic, every
//! offset they return lies inside the text on a character boundary, and the
//! fast reader of plain front matter agrees with serde_yaml whenever it answers.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use svcguide::frontmatter;
use svcguide::source::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(s) = frontmatter::split(text) {
        assert!(s.yaml_start <= s.yaml_end, "{s:?}");
        assert!(s.yaml_end <= s.body_start, "{s:?}");
        assert!(s.body_start <= text.len(), "{s:?}");
        for at in [s.yaml_start, s.yaml_end, s.body_start] {
            assert!(text.is_char_boundary(at), "{s:?}");
        }
    }
    let yaml = frontmatter::split(text).map_or(text, |s| &text[s.yaml_start..s.yaml_end]);
    if let Some(fast) = frontmatter::plain::parse(yaml) {
        let full: Option<serde_yaml_ng::Value> = serde_yaml_ng::from_str(yaml).ok();
        assert_eq!(Some(&fast), full.as_ref(), "{yaml:?}");
    }
    let src = Source::from_text("f.md", Path::new("f.md"), text);
    let lines = src.text.matches('\n').count() + 1;
    let mut diags = Vec::new();
    if let Some((fm, split)) = frontmatter::parse(&src, &mut diags) {
        for (key, at) in fm.key_offsets.iter() {
            assert!(at <= src.text.len());
            assert_eq!(fm.key_offsets.get(key), Some(at));
            let _ = frontmatter::nested_key_offset(&src.text, split, at, key);
        }
        let _ = fm.is_published();
    }
    for d in &diags {
        assert!(
            d.line >= 1 && d.line <= lines,
            "{d:?} (text has {lines} lines)"
        );
        assert!(d.col >= 1, "{d:?}");
    }
});
