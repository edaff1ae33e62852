//! Runs the browser tests (tests/node/browser.test.mjs) against a freshly built
//! bundled guide. Needs node, the packages of tests/node (`npm ci`) and Chromium;
//! when one is missing the test says so and passes without running (CI installs all).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn search_and_accessibility_in_headless_chromium() {
    if let Some(why) = common::missing_browser_tools() {
        eprintln!("SKIPPED browser tests: {why}");
        return;
    }
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let built = common::build_dir(&content, &["--quiet"]);
    assert!(built.output.status.success(), "{}", built.stderr());
    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/browser.test.mjs"));
    cmd.env("SVCGUIDE_SITE", &built.out);
    if let Ok(dir) = std::env::var("SVCGUIDE_SCREENSHOTS") {
        cmd.env("SVCGUIDE_SCREENSHOTS", dir);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(
        !stdout.contains("# pass 0"),
        "no browser test ran:\n{stdout}"
    );
}
