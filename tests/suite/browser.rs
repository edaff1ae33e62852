//! Tests that run outside Rust: the browser tests (tests/node/browser.test.mjs) in
//! headless Chromium, and the search tests with the real lunr.js 2.3.9
//! (tests/node/lunr_query.test.mjs, search_js.test.mjs), against a freshly built
//! bundled guide.
//!
//! They need node, the packages of tests/node (`npm ci`) and, for the browser,
//! Chromium on the PATH. They are `#[ignore]`d, so a plain `cargo test` lists them
//! as ignored with the reason; `cargo test -- --include-ignored` (what `.ci/run`
//! does) runs them, and then a missing tool is a failure, never a skip. Under
//! `CI=true`, `tools_are_installed_under_ci` fails even a plain `cargo test` that
//! could not run them.

use crate::common;

use std::path::Path;
use std::process::Command;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `node --test` on the files (explicit paths: a folder argument fails on
/// node 21 and later), asserts every test passed and none was skipped or left
/// as todo unless `allowed_skips` says so; returns the output.
fn node_test(cmd: &mut Command, files: &[&str], allowed_skips: usize) -> String {
    cmd.arg("--test");
    for f in files {
        cmd.arg(manifest().join("tests/node").join(f));
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "node tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::tap_count(&stdout, "fail"), 0, "{stdout}");
    assert_eq!(common::tap_count(&stdout, "todo"), 0, "{stdout}");
    assert_eq!(
        common::tap_count(&stdout, "skipped"),
        allowed_skips,
        "tests were skipped:\n{stdout}"
    );
    assert!(common::tap_count(&stdout, "pass") > 0, "{stdout}");
    stdout
}

#[test]
#[ignore = "needs node, `npm ci` in tests/node and chromium: run with --include-ignored (.ci/run does)"]
fn search_and_accessibility_in_headless_chromium() {
    let tools = common::require(common::browser_tools());
    let built = common::build_dir(&manifest().join("content"), &["--quiet"]);
    assert!(built.output.status.success(), "{}", built.stderr());
    let mut cmd = Command::new(&tools.node);
    cmd.env("SVCGUIDE_SITE", &built.out)
        .env("CHROMIUM", &tools.chromium);
    if let Ok(dir) = std::env::var("SVCGUIDE_SCREENSHOTS") {
        cmd.env("SVCGUIDE_SCREENSHOTS", dir);
    }
    node_test(&mut cmd, &["browser.test.mjs"], 0);
}

/// The tests of lunr_query.test.mjs that compare with an index lunr.js builds
/// from our tokens: they need SVCGUIDE_TOKENS_JSON, which only the library's
/// `search::tests::dump_sample_for_node_tests` can write (`.ci/run` runs them).
fn token_tests() -> usize {
    std::fs::read_to_string(manifest().join("tests/node/lunr_query.test.mjs"))
        .unwrap()
        .matches("{ skip: skipTokens }")
        .count()
}

#[test]
#[ignore = "needs node and `npm ci` in tests/node: run with --include-ignored (.ci/run does)"]
fn the_built_index_loads_and_answers_in_lunr_js() {
    let node = common::require(common::node_with_package("lunr"));
    let built = common::build_dir(&manifest().join("content"), &["--quiet"]);
    assert!(built.output.status.success(), "{}", built.stderr());
    let mut cmd = Command::new(node);
    cmd.env("SVCGUIDE_INDEX_JS", built.out.join("search-index.js"))
        .env("SVCGUIDE_DOCS_JS", built.out.join("search-docs.js"))
        .env("SVCGUIDE_SERVICES_JSON", built.out.join("services.json"))
        .env_remove("SVCGUIDE_TOKENS_JSON");
    let skips = token_tests();
    assert!(
        skips >= 3,
        "the token tests of lunr_query.test.mjs were renamed"
    );
    node_test(
        &mut cmd,
        &[
            "lunr_query.test.mjs",
            "search_js.test.mjs",
            "impact.test.mjs",
        ],
        skips,
    );
}

#[test]
fn tools_are_installed_under_ci() {
    if !common::under_ci() {
        // Locally the tool tests show as ignored; nothing to enforce.
        return;
    }
    if let Err(why) = common::browser_tools() {
        panic!("CI=true but the browser and node tests cannot run: {why}");
    }
    let corpus = common::corpus_sample();
    assert!(
        corpus.is_dir(),
        "CI=true but {} is missing (views::corpus_sample_xp_page_matches_the_articles needs it; set SVCGUIDE_CORPUS_SAMPLE)",
        corpus.display()
    );
}
