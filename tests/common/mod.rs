//! Helpers shared by the integration tests: build a fixture site into a temp dir.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_svcguide"))
}

pub struct Built {
    pub _dir: tempfile::TempDir,
    pub out: PathBuf,
    pub output: Output,
}

impl Built {
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// Runs `svcguide build` on a content folder into a fresh temp dir.
pub fn build_dir(content: &Path, extra: &[&str]) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let output = bin()
        .current_dir(dir.path())
        .args(["build", "--content"])
        .arg(content)
        .arg("--output")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    Built {
        _dir: dir,
        out,
        output,
    }
}

pub fn build_fixture(rel: &str) -> Built {
    let built = build_dir(&fixture(rel), &[]);
    assert!(
        built.out.join("index.html").exists(),
        "build failed: {}",
        built.stderr()
    );
    built
}

/// services.json's services keyed by slug.
pub fn services_by_slug(out: &Path) -> BTreeMap<String, Value> {
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("services.json")).unwrap()).unwrap();
    json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slug"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

/// `svcguide check --format json` on a folder: (exit code, parsed report).
pub fn check_json(content: &Path, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--content"])
        .arg(content)
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap_or(-1), report)
}

/// Why the Chromium tests cannot run here, if they cannot: node, the packages of
/// tests/node (`npm ci`) and Chromium are needed (CI installs them all).
pub fn missing_browser_tools() -> Option<String> {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        return Some("node is not installed".into());
    }
    let modules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/node_modules/playwright-core");
    if !modules.exists() {
        return Some("tests/node packages are not installed (run `npm ci` in tests/node)".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} is not installed (apt-get install chromium)"
        ));
    }
    None
}
