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

/// A folder of files from (relative path, text) pairs, in a fresh temp dir.
pub fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Collects a child's stderr on a thread, so that it never blocks on a full
/// pipe; the text read so far is in the returned string.
pub fn drain_stderr(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::Read;
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = text.clone();
    let mut err = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
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

/// services.json as a reader of schema 2 takes it (docs/services-json.md), in
/// schema 1's shape: a key left out holds its empty value (null, `[]` or
/// false), filled in here so that tests compare whole values, and a reference
/// has `exists` where schema 2 writes `missing`.
pub fn services_json(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("services.json")).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["schema"], 2);
    for service in json["services"].as_array_mut().unwrap() {
        fill_service(service);
    }
    for rows in json["by_os"].as_object_mut().unwrap().values_mut() {
        for row in rows.as_array_mut().unwrap() {
            fill(row, &["default", "qualifier", "recommended"], &[], &[]);
        }
    }
    json
}

/// Inserts each absent key of `nulls`, `lists` and `falses` with that empty value.
fn fill(v: &mut Value, nulls: &[&str], lists: &[&str], falses: &[&str]) {
    let object = v.as_object_mut().expect("an object");
    for (keys, empty) in [
        (nulls, Value::Null),
        (lists, Value::Array(Vec::new())),
        (falses, Value::Bool(false)),
    ] {
        for key in keys {
            assert_ne!(
                object.get(*key),
                Some(&empty),
                "schema 2 leaves out {key}: {empty}"
            );
            object
                .entry(key.to_string())
                .or_insert_with(|| empty.clone());
        }
    }
}

fn each(v: &mut Value, key: &str, f: impl Fn(&mut Value)) {
    v[key].as_array_mut().unwrap().iter_mut().for_each(f);
}

fn fill_service(service: &mut Value) {
    let lists = [
        "tags",
        "names",
        "recommended",
        "default",
        "processes",
        "required_by",
        "availability",
    ];
    fill(service, &["date"], &lists, &[]);
    let targets = |item: &mut Value| {
        each(item, "scope", |t| {
            fill(t, &["sp"], &["editions"], &["and_later"])
        });
    };
    for key in ["recommended", "default"] {
        each(service, key, |item| {
            fill(
                item,
                &["state", "qualifier", "condition"],
                &["os", "scope"],
                &[],
            );
            targets(item);
        });
    }
    each(service, "processes", |item| {
        let nulls = ["image", "args", "group", "name", "note", "link"];
        fill(item, &nulls, &["os", "scope"], &[]);
        targets(item);
    });
    for key in ["depends", "supports"] {
        fill(&mut service[key], &[], &["items"], &[]);
        each(&mut service[key], "items", |item| {
            fill(
                item,
                &["slug", "fragment", "qualifier"],
                &["os"],
                &["missing"],
            );
            // Schema 1 wrote `exists` (a linked page of the guide) for `missing`.
            let exists = !item["slug"].is_null() && item["missing"] == false;
            item["exists"] = Value::Bool(exists);
            item.as_object_mut().unwrap().remove("missing");
        });
    }
}

/// services.json's services keyed by slug (empty values filled in).
pub fn services_by_slug(out: &Path) -> BTreeMap<String, Value> {
    let json = services_json(out);
    json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slug"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

/// The first diagnostic with this code in a `check --format json` report.
pub fn diagnostic<'r>(report: &'r Value, code: &str) -> &'r Value {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
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

/// Whether this run is CI's (`CI=true`, as GitHub Actions and `.ci/run` set it):
/// there a missing tool fails the run instead of leaving tests ignored.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The real sample articles (test data outside the repository):
/// `$SVCGUIDE_CORPUS_SAMPLE`, else `../shared/corpus-sample` beside the checkout.
pub fn corpus_sample() -> PathBuf {
    std::env::var_os("SVCGUIDE_CORPUS_SAMPLE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-sample"),
        PathBuf::from,
    )
}

/// The first executable called `name` on the PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// What the node tests need: node on the PATH and the packages of tests/node
/// (`npm ci` there), checked through the package named.
pub fn node_with_package(package: &str) -> Result<PathBuf, String> {
    let node = on_path("node").ok_or("node is not on the PATH (apt-get install nodejs npm)")?;
    let modules = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/node/node_modules")
        .join(package);
    if !modules.is_dir() {
        return Err(format!(
            "the packages of tests/node are not installed ({} is missing: run `npm ci` in tests/node)",
            modules.display()
        ));
    }
    Ok(node)
}

/// Node and Chromium for the browser tests.
pub struct BrowserTools {
    pub node: PathBuf,
    pub chromium: PathBuf,
}

/// The browser tests' tools: node, the packages of tests/node and Chromium
/// (`$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH), or why not.
pub fn browser_tools() -> Result<BrowserTools, String> {
    let node = node_with_package("playwright-core")?;
    let chromium = match std::env::var_os("CHROMIUM") {
        Some(path) if Path::new(&path).is_file() => PathBuf::from(path),
        Some(path) => {
            return Err(format!(
                "CHROMIUM={} is not a file",
                Path::new(&path).display()
            ))
        }
        None => ["chromium", "chromium-browser"]
            .into_iter()
            .find_map(on_path)
            .ok_or("chromium is not on the PATH (apt-get install chromium, or set CHROMIUM)")?,
    };
    Ok(BrowserTools { node, chromium })
}

/// For a test that needs tools and was asked to run (it is `#[ignore]`d by
/// default): the tools, or a failure that says what to install. Never a skip.
pub fn require<T>(tools: Result<T, String>) -> T {
    tools.unwrap_or_else(|why| panic!("this test needs tools that are missing: {why}"))
}

/// `node --test` output (TAP): the count on the summary line `# <what> N`.
pub fn tap_count(stdout: &str, what: &str) -> usize {
    let prefix = format!("# {what} ");
    stdout
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(&prefix)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `# {what}` line in the node test output:\n{stdout}"))
}
