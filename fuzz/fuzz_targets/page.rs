//! The whole article → model step: raw bytes → Source → Page (front matter,
//! permalink check, typed service). Never panics; diagnostics point inside the
//! file; an accepted permalink is a safe relative path.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use svcguide::page;
use svcguide::source::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = Source::from_bytes("a.md", Path::new("a.md"), data) else {
        return;
    };
    let len = src.text.len();
    let lines = src.text.matches('\n').count() + 1;
    let mut diags = Vec::new();
    if let Some(p) = page::parse(src, &mut diags) {
        assert!(!p.out_path.starts_with('/'));
        assert!(p
            .out_path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".."));
        assert!(!p.out_path.contains(['\\', '\0', ':']));
        if let Some(s) = p.service() {
            for range in &s.prose {
                assert!(range.start <= range.end && range.end <= len, "{range:?}");
            }
            let offsets = s
                .recommended
                .iter()
                .map(|i| i.offset)
                .chain(s.default.iter().map(|i| i.offset))
                .chain(s.processes.iter().map(|i| i.offset))
                .chain(s.depends.items().iter().map(|i| i.offset))
                .chain(s.supports.items().iter().map(|i| i.offset));
            for at in offsets {
                assert!(at <= len);
            }
        }
    }
    for d in &diags {
        assert!(d.line >= 1 && d.line <= lines, "{d:?}");
        assert!(d.col >= 1, "{d:?}");
    }
});
