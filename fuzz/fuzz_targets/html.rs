//! The fast HTML reader: whenever it answers, it reports exactly html5gum's
//! facts (the same anchors and links at the same offsets); it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use svcguide::html::{plain, tokenize, Fact};

fn owned(fact: Fact<'_>) -> (String, Option<usize>) {
    match fact {
        Fact::Anchor(a) => (format!("#{a}"), None),
        Fact::Link(u, at) => (u.to_string(), Some(at)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else {
        return;
    };
    let mut fast = Vec::new();
    if plain::scan(html, &mut fast).is_ok() {
        let mut reference = Vec::new();
        tokenize(html, |f| reference.push(owned(f)));
        let fast: Vec<_> = fast.into_iter().map(owned).collect();
        assert_eq!(fast, reference, "{html:?}");
    }
});
