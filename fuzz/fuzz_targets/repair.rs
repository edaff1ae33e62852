//! The Markdown quirk repair: never panics, and `original()` maps every offset of
//! the repaired text into the original text, never going backwards.
#![no_main]

use libfuzzer_sys::fuzz_target;
use svcguide::repair::repair;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let r = repair(text);
    let mut last = 0;
    for offset in 0..=r.text.len() {
        let o = r.original(offset);
        assert!(o <= text.len(), "original({offset}) = {o} > {}", text.len());
        assert!(
            o >= last,
            "original({offset}) = {o} < {last}: not monotonic"
        );
        last = o;
    }
    assert_eq!(r.original(r.text.len()), text.len(), "the ends line up");
    for (at, tag) in &r.unknown_liquid {
        assert!(text[*at..].starts_with(tag.as_str()));
    }
});
