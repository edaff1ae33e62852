//! The section splitter and the list reader: never panic, and lose no text. The
//! sections tile the body; every non-blank character of a list section is in an
//! item, a stray, or is the item's marker.
#![no_main]

use libfuzzer_sys::fuzz_target;
use svcguide::service::sections::{list_items, split};

fn non_blank(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let Ok(text) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    let mut body_start = (usize::from(data[0]) << 8 | usize::from(data[1])) % (text.len() + 1);
    while !text.is_char_boundary(body_start) {
        body_start -= 1;
    }
    let s = split(text, body_start);
    assert_eq!(s.preamble.start, body_start);
    let mut pos = s.preamble.end;
    for section in &s.sections {
        assert_eq!(section.heading_start, pos, "sections tile the body");
        assert!(
            section.heading_start < section.content.start || section.content.start == text.len()
        );
        assert!(section.content.start <= section.content.end);
        let heading_line = &text[section.heading_start..section.content.start];
        assert!(heading_line.contains(section.heading.as_str()));
        pos = section.content.end;
    }
    assert_eq!(pos, text.len(), "the last section runs to the end");
    let mut ranges = vec![body_start..text.len()];
    ranges.extend(s.sections.iter().map(|s| s.content.clone()));
    for range in ranges {
        let (items, strays) = list_items(text, range.clone());
        let mut kept = 0;
        for item in &items {
            assert!(item.offset >= range.start && item.offset <= range.end);
            let line = text[item.offset..].lines().next().unwrap_or("").trim_end();
            assert!(item.text.starts_with(line), "{item:?} vs {line:?}");
            kept += non_blank(&item.text) + 1;
        }
        for stray in &strays {
            assert!(text[stray.offset..].starts_with(stray.text.as_str()));
            kept += non_blank(&stray.text);
        }
        assert_eq!(kept, non_blank(&text[range]), "no text is lost");
    }
});
