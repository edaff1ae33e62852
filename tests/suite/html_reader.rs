//! The fast HTML reader (`html::plain`) on real pages: on every page the
//! guide builds it either declines or reports exactly html5gum's facts, and it
//! takes nearly all of them (else `check` silently loses its speed).

use std::path::Path;

use svcguide::html::{self, plain, Fact};

use crate::common;

fn owned(fact: Fact<'_>) -> (String, Option<usize>) {
    match fact {
        Fact::Anchor(a) => (format!("#{a}"), None),
        Fact::Link(u, at) => (u.to_string(), Some(at)),
    }
}

/// (pages read by the fast reader, pages in all) for every page under `out`.
fn compare_pages(out: &Path) -> (usize, usize) {
    let (mut taken, mut all) = (0, 0);
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let page = std::fs::read_to_string(entry.path()).unwrap();
        all += 1;
        let mut fast = Vec::new();
        if plain::scan(&page, &mut fast).is_ok() {
            taken += 1;
            let mut reference = Vec::new();
            html::tokenize(&page, |f| reference.push(owned(f)));
            let fast: Vec<_> = fast.into_iter().map(owned).collect();
            assert_eq!(fast, reference, "{}", entry.path().display());
        }
    }
    (taken, all)
}

#[test]
fn the_fast_reader_agrees_on_every_page_of_the_bundled_guide() {
    let built = common::build_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &[]);
    let (taken, all) = compare_pages(&built.out);
    assert!(all > 20, "{all} pages: {}", built.stderr());
    // Every page the bundled guide builds is in the subset today.
    assert_eq!(
        taken,
        all,
        "the fast reader declined {} of {all} pages",
        all - taken
    );
}

#[test]
#[ignore = "needs the sample articles ($SVCGUIDE_CORPUS_SAMPLE or ../shared/corpus-sample); CI runs it"]
fn the_fast_reader_agrees_on_every_page_of_the_sample_articles() {
    let sample = common::corpus_sample();
    assert!(sample.is_dir(), "no corpus sample at {}", sample.display());
    let built = common::build_dir(&sample, &[]);
    let (taken, all) = compare_pages(&built.out);
    println!("the fast reader took {taken} of {all} pages");
    assert!(all >= 30, "{all} pages: {}", built.stderr());
    // The real articles hold raw HTML (`<a name>` anchors, entities in links):
    // those pages go to html5gum, the rest must not.
    assert!(
        taken * 10 >= all * 8,
        "the fast reader took only {taken} of {all} pages"
    );
}
