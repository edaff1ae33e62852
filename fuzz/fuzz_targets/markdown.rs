//! The Markdown renderer (quirk repair + pulldown-cmark + highlighting): never
//! panics, link offsets point into the source, heading ids stay unique.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use svcguide::markdown::Renderer;

fuzz_target!(init: {
    // The first code block loads syntect's syntaxes (seconds in an instrumented
    // build); do it once here so it does not count as a timeout.
    let md = "```ps\nGet-Service\n```\n";
    let _ = Renderer::new("article/fuzz.html").block(md, 0..md.len());
}, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut r = Renderer::new("article/fuzz.html");
    // Render a suffix too, so offsets are checked with a non-zero base.
    let mut start = usize::from(mode) % (text.len() + 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    for range in [0..text.len(), start..text.len()] {
        let f = if mode & 1 == 0 {
            r.block(text, range.clone())
        } else {
            r.inline(text, range.clone())
        };
        for link in &f.links {
            assert!(link.offset >= range.start && link.offset <= range.end, "{link:?}");
        }
        let ids: HashSet<_> = f.headings.iter().map(|h| &h.id).collect();
        assert_eq!(ids.len(), f.headings.len(), "heading ids are unique");
        for (at, _) in &f.unknown_liquid {
            assert!(*at <= text.len());
        }
    }
});
