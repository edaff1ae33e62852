//! One list item through the label splitter and every value parser (state,
//! process, reference). The label and value are slices of the item, and every
//! typed piece is text the author wrote.
#![no_main]

use libfuzzer_sys::fuzz_target;
use svcguide::service::os::{parse_label, split_label, suspicious_label, OsFamily};
use svcguide::service::process::{leading_link, parse_process, trailing_parens};
use svcguide::service::refs::{list_kind, parse_ref, qualifier_scope};
use svcguide::service::state::{matching_paren, parse_state, suggest};

fuzz_target!(|data: &[u8]| {
    let Ok(item) = std::str::from_utf8(data) else {
        return;
    };
    let l = split_label(item);
    assert_eq!(&item[l.value_offset..], l.value);
    match l.label {
        Some(label) => {
            assert!(item.starts_with(label.trim_start()) || item.trim_start().starts_with(label));
            assert!(!l.scope.is_all());
        }
        None => assert!(l.scope.is_all()),
    }
    for f in OsFamily::ALL {
        let _ = l.scope.covers(f);
        let _ = l.scope.target(f);
    }
    if let Some(scope) = parse_label(item) {
        assert!(!scope.0.is_empty());
        assert!(!scope.families().is_empty());
    }
    let _ = suspicious_label(item);
    if let Some(v) = parse_state(l.value) {
        for part in [&v.qualifier, &v.condition].into_iter().flatten() {
            assert!(
                l.value.contains(part.as_str()),
                "{part:?} not in {:?}",
                l.value
            );
        }
        let _ = v.short();
    }
    let _ = suggest(l.value);
    if let Some(i) = matching_paren(item) {
        assert_eq!(&item[i..i + 1], ")");
    }
    let p = parse_process(l.value);
    let _ = p.image.as_deref().map(str::len);
    if let Some((text, dest, rest)) = leading_link(item) {
        assert!(item.contains(text) && item.contains(dest) && item.ends_with(rest));
    }
    let (before, inner) = trailing_parens(item);
    assert!(item.starts_with(before));
    if let Some(inner) = inner {
        assert!(item.contains(inner));
    }
    if let Some(r) = parse_ref(l.value) {
        assert!(!r.name.is_empty());
    }
    let _ = qualifier_scope(item);
    let _ = list_kind(&[item]);
});
