//! Snapshot tests (insta): the diagnostics of the FORMAT.md variants fixture and
//! the typed model of the seed-shaped fixture, exactly. A change to either shows
//! up as a reviewable diff (`cargo insta review`).

use crate::common;

#[test]
fn diagnostics_of_the_variants_fixture() {
    let (code, mut report) = common::check_json(&common::fixture("variants/content"), &[]);
    assert_eq!(code, 2, "the fixture plants broken links");
    // `path` is relative to the current folder (a temp dir here): not snapshotted.
    for d in report["diagnostics"].as_array_mut().unwrap() {
        d.as_object_mut().unwrap().remove("path");
    }
    insta::assert_json_snapshot!(report);
}

#[test]
fn model_of_the_seed_shaped_fixture() {
    let built = common::build_fixture("variants/content");
    let services = common::services_by_slug(&built.out);
    insta::assert_json_snapshot!(services["fx-seedlike"]);
}

#[test]
fn model_of_a_labelled_service() {
    let built = common::build_fixture("variants/content");
    let services = common::services_by_slug(&built.out);
    insta::assert_json_snapshot!(services["fx-browser"]);
}
